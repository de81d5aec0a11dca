"""The canned query catalog: headers, typed parameters, `credgraph queries` and `credgraph query NAME`."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest

from credgraph.catalog import (PARAM_TYPES, catalog, get_query, parse_query, projected_variables,
                               strip_comments, where_groups, with_values)
from credgraph.errors import QueryError, UsageError

from conftest import ROOT

QUERIES = sorted(catalog().values(), key=lambda q: q.name)
BS_IT = "ce-e98333fc-3d6a-54a7-88df-31d6e8094712"
RESOURCES = "https://sandbox.credentialengineregistry.org/resources/"


@pytest.fixture(scope="module")
def data_store(tmp_path_factory):
    """A store on disk holding ontology/ and data/ (as `credgraph demo` builds it)."""
    from credgraph.demo import build
    from credgraph.store import open_store

    path = tmp_path_factory.mktemp("catalog") / "store"
    store = open_store(path)
    build(store)
    store.close()
    return path


# ---------------------------------------------------------------------------------------- headers
def test_the_catalog_covers_the_issue_groups_and_leaves_out_integrity_checks():
    groups = {q.group for q in QUERIES}
    assert {"stackability", "pathways", "competencies", "quality", "ecosystem", "research"} <= groups
    assert not any(q.name.startswith("checks/") for q in QUERIES)
    assert len(QUERIES) >= 30


def test_at_least_twenty_research_questions_are_answered():
    answered = {n for q in QUERIES for n in q.research}
    assert len(answered) >= 20, sorted(answered)
    assert answered <= set(range(1, 23))


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_header_describes_the_query(query):
    assert query.title and query.description and query.columns
    body = strip_comments(query.text)
    for p in query.params:
        assert p.type in PARAM_TYPES
        assert re.search(rf"[?$]{p.name}\b", body), f"{p.name} is not used"
        # pyoxigraph substitutes only projected variables, and BOUND() does not see them
        assert not re.search(rf"BOUND\(\s*[?$]{p.name}\s*\)", body, re.IGNORECASE), \
            f"BOUND(?{p.name}) is false under pyoxigraph substitution; test COALESCE(?{p.name}, ...) instead"
    projected = projected_variables(query.text)
    assert projected == [c.name for c in query.columns], "the '# column:' lines must list the projection in order"
    assert {p.name for p in query.params} <= set(projected)
    assert where_groups(query.text) and where_groups(query.text)[0][0] == 0, "write SELECT ... WHERE { ... }"


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_query_text_is_sparql_11_that_oxigraph_runs(query):
    ox.Store().query(query.text)  # an empty store: the syntax and the projection are checked


def test_header_parsing_reads_types_defaults_lists_and_continuations():
    q = parse_query("t", "# title: T\n# description: first line\n#   continued\n"
                         "# param: a (ctid) — a credential\n"
                         "# param: n (integer) [default: 3] — how many\n"
                         "# param: s (iri list) [optional] — several\n"
                         "# column: a — echoed\n# research: 5, 9\nSELECT ?a ?n ?s WHERE {}")
    assert q.description == "first line continued"
    assert [(p.name, p.type, p.default, p.optional, p.is_list, p.required) for p in q.params] == [
        ("a", "ctid", None, False, False, True), ("n", "integer", "3", False, False, False),
        ("s", "iri", None, True, True, False)]
    assert q.research == (5, 9)


@pytest.mark.parametrize("header, message", [
    ("# param: x (number) — bad type", "unknown type"),
    ("# param: x (literal list) — lists are for resources", "only iri and ctid"),
    ("# param: x — no type", "cannot read parameter"),
    ("# colour: red", "unknown header field"),
])
def test_bad_headers_are_refused(header, message):
    with pytest.raises(QueryError, match=message):
        parse_query("t", f"# title: T\n{header}\nSELECT * WHERE {{}}")


# ---------------------------------------------------------------------------------------- values
def bind(query_text: str, **values):
    return parse_query("t", query_text).bind(values, resolver=None)


PROBE = "# title: T\n# param: v ({type}) — v\nSELECT ?v WHERE {{}}"


@pytest.mark.parametrize("kind, raw, expected", [
    ("integer", " 42 ", '"42"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ("decimal", "0.50", '"0.50"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
    ("boolean", "Yes", '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'),
    ("date", "2026-11-26", '"2026-11-26"^^<http://www.w3.org/2001/XMLSchema#date>'),
    ("language", "en-US", '"en-US"'),
    ("literal", 'Ohio "quoted"', '"Ohio \\"quoted\\""'),
    ("iri", "ceterms:Certification", "<https://purl.org/ctdl/terms/Certification>"),
    ("iri", "topic:microcredentials", "<https://w3id.org/credgraph/id/topic/microcredentials>"),
    ("iri", "<https://example.org/x>", "<https://example.org/x>"),
])
def test_values_become_typed_rdf_terms(kind, raw, expected):
    assert str(bind(PROBE.format(type=kind), v=raw)["v"]) == expected


@pytest.mark.parametrize("kind, raw", [
    ("integer", "4.2"), ("integer", "1e3"), ("decimal", "NaN"), ("decimal", "1,5"), ("boolean", "maybe"),
    ("date", "2026-13-01"), ("date", "26-11-2026"), ("language", "en_US"), ("language", "en-"),
    ("iri", "not an iri"), ("iri", "relative/path"), ("ctid", "ce-123"), ("iri", "nosuchprefix:x"),
])
def test_ill_typed_values_name_the_parameter_its_type_and_the_parameters(kind, raw):
    with pytest.raises(UsageError) as info:
        bind(PROBE.format(type=kind), v=raw)
    message = str(info.value)
    assert f"v ({kind})" in message and "parameters: v" in message


def test_a_ctid_needs_the_data_to_be_resolved():
    with pytest.raises(UsageError, match="CTIDs need a store"):
        bind(PROBE.format(type="ctid"), v=BS_IT)


def test_ctids_resolve_through_the_data_in_any_case_and_are_equal_to_the_iri(data_store):
    from credgraph.catalog import EmbeddedTarget
    from credgraph.store import open_store

    query = get_query("stackability/stacks-into")
    with_store = EmbeddedTarget(open_store(data_store))
    try:
        by_ctid = query.bind({"target": BS_IT.upper()}, resolver=with_store.resolve_ctid)
        by_iri = query.bind({"target": RESOURCES + BS_IT}, resolver=with_store.resolve_ctid)
        assert by_ctid == by_iri == {"target": ox.NamedNode(RESOURCES + BS_IT)}
        with pytest.raises(UsageError, match="no resource has ceterms:ctid"):
            query.bind({"target": "ce-00000000-0000-4000-8000-000000000000"}, resolver=with_store.resolve_ctid)
    finally:
        with_store.store.close()


def test_list_values_are_one_sorted_literal_of_bracketed_iris():
    q = parse_query("t", "# title: T\n# param: s (iri list) — s\nSELECT ?s WHERE {}")
    bound = q.bind({"s": ["https://ex.org/b", "https://ex.org/a https://ex.org/b"]})
    assert bound["s"] == ox.Literal("<https://ex.org/a> <https://ex.org/b>")


def test_missing_unknown_and_optional_parameters():
    q = get_query("stackability/stacks-into")
    with pytest.raises(UsageError, match=r"needs parameter target \(ctid\)"):
        q.bind({})
    with pytest.raises(UsageError, match="has no parameter 'tgt'.*parameters: target"):
        q.bind({"tgt": "x"})
    assert get_query("ecosystem/initiatives").bind({}) == {}


def test_defaults_are_bound_when_a_value_is_not_given():
    bound = get_query("competencies/blueprint-coverage").bind(
        {"blueprint": "https://ex.org/b", "program": "https://ex.org/p"})
    assert "<https://purl.org/ctdlasn/terms/exactAlignment>" in bound["alignments"].value


def test_unknown_query_names_suggest_close_ones():
    with pytest.raises(UsageError, match="did you mean"):
        get_query("stacks-intoo")
    assert get_query("stacks-into").name == "stackability/stacks-into"


# ---------------------------------------------------------------------------------------- VALUES text
def test_values_block_opens_the_where_group_and_projecting_subselects_only():
    text = ('PREFIX ex: <http://ex.org/> # a { in a comment\n'
            'SELECT ?a ?n WHERE { ?a ex:p "x { WHERE" . '
            '{ SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?p ?o } GROUP BY ?a } '
            '{ SELECT ?o WHERE { ?s ?p ?o } } }')
    out = with_values(text, {"a": ox.NamedNode("http://ex.org/a")})
    assert out.count("VALUES (?a) { (<http://ex.org/a>) }") == 2
    assert '"x { WHERE"' in out and "# a { in a comment" in out
    assert out.index("VALUES") > out.index("WHERE {")
    assert list(ox.Store().query(out)) is not None


def test_where_groups_are_remembered_for_catalog_sized_texts_only():
    """The lexing is remembered per text (0.4 ms of a 1 ms catalog query), but not for very long
    texts: those only come from users (the server accepts 10 MB bodies), and 256 of them kept
    would be gigabytes."""
    from credgraph import catalog as catalog_module

    catalog_module._remembered_where_groups.cache_clear()
    short = "SELECT ?a WHERE { ?a ?p ?o }"
    long = "SELECT ?a WHERE { ?a ?p ?o } # " + "x" * catalog_module.REMEMBERED_TEXT
    assert where_groups(short) == where_groups(short) == ((0, 16, frozenset({"a"})),)
    assert catalog_module._remembered_where_groups.cache_info().currsize == 1
    out = with_values(long, {"a": ox.NamedNode("http://ex.org/a")})
    assert out.startswith("SELECT ?a WHERE { VALUES (?a) { (<http://ex.org/a>) }")
    assert catalog_module._remembered_where_groups.cache_info().currsize == 1


def test_a_query_without_where_cannot_be_bound():
    with pytest.raises(QueryError, match="no WHERE clause"):
        with_values("SELECT ?a { ?a ?p ?o }", {"a": ox.NamedNode("http://ex.org/a")})


# ---------------------------------------------------------------------------------------- CLI
def test_queries_lists_every_query_with_its_parameters(cli):
    result = cli("queries")
    assert result.code == 0
    for q in QUERIES:
        assert q.name in result.out and q.title in result.out
    assert "target (ctid)" in result.out


def test_queries_json_has_every_header_field(cli):
    result = cli("queries", "--format", "json")
    data = json.loads(result.out)
    assert {d["name"] for d in data} == {q.name for q in QUERIES}
    entry = next(d for d in data if d["name"] == "competencies/blueprint-coverage")
    assert entry["params"][2] == {"name": "alignments", "type": "iri", "list": True,
                                  "default": entry["params"][2]["default"], "optional": False,
                                  "required": False, "meaning": entry["params"][2]["meaning"]}
    assert [c["name"] for c in entry["columns"]][:2] == ["blueprint", "program"] and entry["research"] == [7]


def test_queries_describes_one_query_or_lists_a_group(cli):
    one = cli("queries", "pathways/progress")
    assert one.code == 0 and "completed (ctid list)" in one.out and "columns:" in one.out
    group = cli("queries", "pathways")
    assert group.code == 0 and "pathways/traverse" in group.out and "stackability" not in group.out
    assert cli("queries", "nothing/here").code == 2


def test_query_runs_a_canned_query_in_every_format(cli, data_store):
    args = ("query", "stackability/stacks-into", "--store", data_store, "--param", f"target={BS_IT}")
    csv_out = cli(*args, "--format", "csv")
    assert csv_out.code == 0, csv_out.err
    assert csv_out.out.splitlines()[0] == "target,credential,credential_name,connection,into,into_name,credit,unit,total"
    assert "Linux Command Line Essentials Digital Badge,preparation" in csv_out.out
    table = cli(*args)
    assert "(6 rows)" in table.out
    results = json.loads(cli(*args, "--format", "json").out)
    assert len(results["results"]["bindings"]) == 6
    assert cli(*args, "--format", "tsv").out.startswith("?target\t?credential")


def test_query_file_with_a_parameter_header(cli, data_store, tmp_path):
    rq = tmp_path / "mine.rq"
    rq.write_text("# param: name (literal) — a credential name\n"
                  "PREFIX ceterms: <https://purl.org/ctdl/terms/>\n"
                  "SELECT ?name ?c WHERE { ?c ceterms:name ?n . FILTER(STR(?n) = ?name) }\n")
    result = cli("query", "--file", rq, "--store", data_store, "--format", "csv",
                 "--param", "name=Electrical Contractor License")
    assert result.code == 0, result.err
    assert RESOURCES + "ce-85ed7a4c-9a81-5a4b-a67b-5e4a6e4c97fb" in result.out


@pytest.mark.parametrize("args, message", [
    (("query", "stackability/stacks-into"), "needs parameter target (ctid)"),
    (("query", "stackability/stacks-into", "--param", "target"), "is not NAME=VALUE"),
    (("query", "stackability/stacks-into", "--param", "nope=1"), "has no parameter 'nope'"),
    (("query", "research/q21-similar-competency-sets", "--param", "min_share=half"), "min_share (decimal)"),
    (("query", "stackability/stacks-into", "--param", "target=ce-00000000-0000-4000-8000-000000000000"),
     "no resource has ceterms:ctid"),
    (("query", "stackability/stacks-into", "--sparql", "ASK {}"), "exactly one of"),
    (("query", "--sparql", "ASK {}", "--param", "a=1"), "needs a query with a '# param:' header"),
    (("query", "landscape/credentials-by-type", "--token", "t"), "applies to a remote endpoint"),
])
def test_query_usage_errors_exit_2_with_one_line(cli, data_store, args, message):
    result = cli(*args, "--store", data_store)
    assert result.code == 2
    assert message in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


# ---------------------------------------------------------------------------------------- Python API
def test_run_query_api_returns_rows(data_store):
    import credgraph
    from credgraph.store import open_store

    store = open_store(data_store)
    try:
        result = credgraph.run_query("competencies/blueprint-coverage",
                                     {"blueprint": "ce-a9cc0a4e-b4ca-5018-9e54-e38e57dbba49",
                                      "program": "ce-666d0e3e-e112-554d-9bb9-f15a9840b603"}, store)
        row = result.to_python()[0]
        assert str(row["share"]) == "0.65" and row["domains_covered"] == 3
    finally:
        store.close()


def test_run_query_api_gives_a_dataframe(data_store):
    pytest.importorskip("pandas")
    import credgraph

    from credgraph.store import open_store

    store = open_store(data_store)
    try:
        frame = credgraph.run_query("landscape/credentials-by-type", None, store).to_dataframe()
    finally:
        store.close()
    assert list(frame.columns) == ["family", "type", "type_label", "credentials"]
    assert frame.groupby("family")["credentials"].sum().to_dict() == {"degree": 7, "diploma": 1, "non-degree": 34}


# ---------------------------------------------------------------------------------------- the tour
def test_the_demo_tour_prints_its_sections_from_canned_queries(data_store):
    """`credgraph demo` shows counts by credential type (non-degree vs degree), a topic's
    definitions by source organization and one stack ladder, each from a catalog query."""
    import io

    from credgraph.store import open_store
    from credgraph.tour import tour

    store = open_store(data_store)
    try:
        out = io.StringIO()
        tour(store, out)
    finally:
        store.close()
    text = out.getvalue()
    # counts by type: data/credentials/README.md lists 42 = 34 non-degree + 7 degree + 1 diploma
    assert "Credentials by type (42 in all; query landscape/credentials-by-type)" in text
    assert re.search(r"^  non-degree\s+34$", text, re.M)
    assert re.search(r"^  degree\s+7$", text, re.M)
    assert re.search(r"^  diploma\s+1$", text, re.M)
    # a topic's definitions, one per source organization
    assert "query ecosystem/topic-definitions, topic=topic:non-degree-credentials" in text
    for who in ("Credential Engine:", "National Skills Coalition:", "Strada Education Network:"):
        assert f"  {who}" in text
    # the phlebotomy ladder (README, ladder 2): three steps up to the BS in Health Sciences
    assert "query stackability/ladders" in text
    assert "--advanced standing, 4 Semester Hour--> Level 1 Certificate in Clinical Laboratory Assisting" in text
    assert "--part of, required, 16 Semester Hour--> Associate of Applied Science in Medical Laboratory Technology" in text
    assert "--advanced standing, 60 Semester Hour--> Bachelor of Science in Health Sciences" in text
