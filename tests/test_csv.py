"""Credential Publisher bulk-upload CSV: headers, every column kind, bad rows, malformed files,
round trips (CSV -> RDF -> CSV), and agreement with the JSON-LD loader.

Fixtures are in tests/data/csv/ (see its README.md); the expected graph of credentials.csv
(credentials.ttl) is written by hand.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from conftest import reference
from credgraph import ids
from credgraph.errors import InputError, NonConformance
from credgraph.export.csv import export_csv, export_rows
from credgraph.load import load, load_bytes
from credgraph.load.csv import (
    RowProblem, float_lexical, mapping, normalise_header, parse_csv, text_language, vocabulary,
)
from credgraph.load.jsonld import parse_jsonld
from credgraph.load.reading import read_bytes, read_file

DATA = Path(__file__).parent / "data" / "csv"
CETERMS = ids.CETERMS
RESOURCE = ids.REGISTRY_BASE + "resources/"
HEADER = "CTID,Credential Name,Description,Credential Type,Subject Webpage"
ROW = "ce-0a4f1c3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b,Welding,Basic welding.,Certificate,https://tech.example.edu/w"
ORG = "ce-9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"


def parse_text(text: str, origin: str = "t.csv", **kw):
    return parse_csv(read_bytes(text.encode("utf-8"), origin=origin), **kw)


def to_rdflib(triples) -> rdflib.Graph:
    """An rdflib graph of pyoxigraph triples (language tags normalised the same way on both sides)."""
    graph = rdflib.Graph()
    data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
    graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


def turtle_graph(path: Path) -> rdflib.Graph:
    return to_rdflib(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def assert_isomorphic(got: rdflib.Graph, expected: rdflib.Graph) -> None:
    if not isomorphic(got, expected):
        _, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
        lines = ["only in the result:"] + [f"  {t}" for t in sorted(only_got)][:15]
        lines += ["only in the expected graph:"] + [f"  {t}" for t in sorted(only_expected)][:15]
        pytest.fail("\n".join(lines))


def store_with(*paths, **kw):
    from credgraph.store import open_store

    store = open_store(":memory:")
    report = load(store, list(paths), **kw)
    assert not report.errors(), report.errors()
    return store, report


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, key", [
    ("Credential Status", "credentialstatus"),
    ("credential status*", "credentialstatus"),
    ("  CREDENTIAL   STATUS ", "credentialstatus"),
    ("ConditionProfile: Condition Type", "conditionprofile.conditiontype"),
    ("Condition Profile : Required Competency Framework", "conditionprofile.requiredcompetencyframework"),
])
def test_headers_are_normalised_as_the_publisher_does(written, key):
    assert normalise_header(written) == key


def test_the_mapping_file_is_what_the_tool_builds_from_the_notes():
    notes = reference("ctdl", "csv", "bulk-upload-columns.md")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    try:
        import build_bulk_upload_columns as tool
    finally:
        sys.path.pop(0)
    committed = (Path(__file__).resolve().parents[1] / "src" / "credgraph" / "load" / "bulk_upload_columns.json")
    assert tool.render(notes) == committed.read_text(encoding="utf-8"), \
        "bulk_upload_columns.json is stale: run python tools/build_bulk_upload_columns.py"


#: A valid value for each column kind (alignment codes use the mapping's own example).
SAMPLES = {
    "text": "Some text", "string": "ABC-1", "iri": "https://tech.example.edu/page", "organization": ORG,
    "resource": "ce-7c6d5e4f-3a2b-4c1d-9e0f-a8b7c6d5e4f3", "date": "2025-08-15", "duration": "P2Y",
    "number": "2.5", "language": "English", "identifier": "Catalog~2025", "external-id": "X-1",
    "alignment-name": "Welding", "condition-type": "recommends", "currency": "USD",
    "alignment-framework": "ce-7c6d5e4f-3a2b-4c1d-9e0f-a8b7c6d5e4f3",
}


def _sample(column) -> str:
    if column.kind == "concept":
        table = vocabulary().concepts[mapping().iri(column.spec["scheme"])]
        return sorted(table.values())[0].rsplit("/", 1)[-1]
    if column.kind == "alignment-code":
        return column.spec["example"]
    return SAMPLES[column.kind]


def _alias_cases():
    cases = []
    for layout in ("credential", "learning-opportunity"):
        for column in mapping().columns(layout):
            if column.kind in ("ctid", "type", "ignored"):
                continue
            for alias in column.aliases:
                cases.append(pytest.param(layout, column, alias, id=f"{layout}:{alias}"))
    return cases


@pytest.mark.parametrize("layout, column, alias", _alias_cases())
def test_every_alias_of_every_column_reads_its_value(layout, column, alias):
    """One row with the required columns and one more, headed by an alias: its value lands."""
    m = mapping()
    required = {c.id: c for c in m.columns(layout) if c.required}
    base = {"ctid": ROW.split(",")[0], "credential-name": "Welding", "learning-name": "Welding 101",
            "description": "Basic welding.", "credential-type": "Certificate", "learning-type": "Course",
            "subject-webpage": "https://tech.example.edu/w"}
    headers = [c.header for c in required.values() if c.id != column.id]
    values = [base[c.id] for c in required.values() if c.id != column.id]
    headers.append(alias.upper().replace(".", ": "))   # e.g. "CONDITIONPROFILE: CONDITIONTYPE"
    values.append(_sample(column))
    if column.spec.get("required_with_node") or column.node == "cost":
        for extra in m.columns(layout):
            if extra.spec.get("required_with_node") and extra.id != column.id:
                headers.append(extra.header)
                values.append(_sample(extra))
    out = io.StringIO()
    csv.writer(out).writerows([headers, values])
    parsed = parse_text(out.getvalue())
    assert parsed.rejected == [], parsed.rejected
    assert parsed.layout == layout
    predicates = {q.predicate.value for q in parsed.quads}
    expected = column.property or m.condition_types[_sample(column)]
    assert expected in predicates


def test_unknown_header_is_refused_with_a_suggestion():
    with pytest.raises(InputError) as info:
        parse_text(f"{HEADER},Keywrods\n{ROW},a\n")
    assert info.value.where == "t.csv line 1 column 6"
    assert "unknown column 'Keywrods'" in info.value.message and info.value.fix == "did you mean 'Keywords'?"


def test_recognised_but_unread_columns_are_reported_not_silently_dropped():
    parsed = parse_text(f"{HEADER},Action,Connection Profile: Description\n{ROW},update,\n")
    assert parsed.rows_loaded == 1
    [note] = parsed.warnings
    assert "column 'Action' is not read by credgraph" in note and "row 2" in note


# --------------------------------------------------------------------------------------------
# Every column kind: the hand-written expected graph, and the same facts spelled differently
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["credentials.csv", "credentials-variants.csv"])
def test_rows_map_to_the_expected_ctdl(name):
    """credentials.csv is canonical; the variants file has other header spellings (aliases,
    case, '*', spaces), column order, value spellings (labels, prefixed names, IRIs, US dates,
    'same as owner', lower-case codes), a BOM, CRLF, blank rows and a comments column."""
    parsed = parse_csv(read_file(DATA / name))
    assert parsed.rejected == []
    assert parsed.rows_loaded == 3
    assert_isomorphic(to_rdflib(q.triple for q in parsed.quads), turtle_graph(DATA / "credentials.ttl"))


def test_rows_give_what_the_jsonld_loader_gives_for_the_same_facts():
    """Language tags, datatypes, IRIs and concept IRIs agree, so CSV and registry data query alike."""
    parsed = parse_csv(read_file(DATA / "credentials.csv"))
    subject = ox.NamedNode(RESOURCE + "ce-2c6f3e5a-7d8f-4091-acbd-2e3f4a5b6c7d")
    from_csv = to_rdflib(q.triple for q in parsed.quads if q.subject == subject)
    from_jsonld = to_rdflib(q.triple for q in parse_jsonld(read_file(DATA / "microcredential.json")).quads)
    assert len(from_csv) == 12
    assert_isomorphic(from_csv, from_jsonld)


def test_language_column_sets_the_text_language():
    assert text_language([]) == "en-US"
    assert text_language(["en"]) == "en-US"
    assert text_language(["es"]) == "es"
    assert text_language(["en-GB"]) == "en-GB"
    assert text_language(["es", "en"]) == "en-US"  # several languages: the registry default


def test_numbers_take_the_lexical_form_the_jsonld_loader_gives():
    raw = read_bytes(b'{"@context": "https://credreg.net/ctdl/schema/context/json", "@id": "https://ex.org/v",'
                     b' "schema:value": 2.5, "schema:maxValue": 3}', origin="v.json")
    values = {q.predicate.value: q.object.value for q in parse_jsonld(raw).quads}
    assert values["https://schema.org/value"] == float_lexical(2.5)
    assert values["https://schema.org/maxValue"] == float_lexical(3.0)


def test_organizations_by_name_are_kept_and_reported():
    parsed = parse_text(f"{HEADER},Owned By\n{ROW},Tri-County Technical College\n")
    owners = [q.object for q in parsed.quads if q.predicate.value == CETERMS + "ownedBy"]
    assert len(owners) == 1 and isinstance(owners[0], ox.BlankNode)
    names = [q.object.value for q in parsed.quads if q.subject == owners[0] and q.predicate.value == CETERMS + "name"]
    assert names == ["Tri-County Technical College"]
    assert any("names organizations instead of giving CTIDs (row 2" in w for w in parsed.warnings)


def test_same_as_owner_needs_an_owner_and_the_account_owner_can_be_given():
    text = f"{HEADER},Offered By\n{ROW},same as owner\n"
    parsed = parse_text(text)
    assert not [q for q in parsed.quads if q.predicate.value == CETERMS + "offeredBy"]
    assert any("says 'same as owner' (row 2) but the row names no owner" in w for w in parsed.warnings)
    parsed = parse_text(text, owner=ORG)
    org = RESOURCE + ORG
    assert {(q.predicate.value, q.object.value) for q in parsed.quads if q.object.value == org} == {
        (CETERMS + "ownedBy", org), (CETERMS + "offeredBy", org)}


def test_the_sandbox_base_can_be_chosen():
    parsed = parse_text(f"{HEADER}\n{ROW}\n", base=ids.SANDBOX_BASE)
    assert parsed.resources == {2: ids.SANDBOX_BASE + "resources/ce-0a4f1c3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"}


# --------------------------------------------------------------------------------------------
# Bad rows: reported with row and column, the good rows load
# --------------------------------------------------------------------------------------------

def test_each_bad_row_is_reported_with_row_and_column_and_good_rows_load(store):
    expected = json.loads((DATA / "bad-rows.json").read_text())
    report = load(store, [DATA / "bad-rows.csv"])
    assert report.loaded == 1 and not report.errors()
    problems = [w for w in report.warnings if isinstance(w, RowProblem) and w.row is not None]
    got = sorted((p.row, p.column or "") for p in problems)
    assert got == sorted((e["row"], e["column"] or "") for e in expected["problems"])
    for want in expected["problems"]:
        [problem] = [p for p in problems if p.row == want["row"] and p.column == want["column"]]
        assert want["contains"] in problem.message, problem
        assert str(problem).startswith(f"{DATA / 'bad-rows.csv'} row {want['row']} not loaded: ")
    loaded = {row["c"].value for row in store.query(f"SELECT ?c WHERE {{ ?x <{CETERMS}ctid> ?c }}")}
    assert loaded == set(expected["loaded"])
    bad_rows = sorted({e["row"] for e in expected["problems"]})
    [summary] = [w for w in report.warnings if isinstance(w, RowProblem) and w.row is None]
    assert f"{len(bad_rows)} of 22 rows left out" in summary and "2 loaded" in summary


def test_the_brief_example_reads_as_promised():
    parsed = parse_text("CTID,Credential Name,Description,Credential Type,Subject Webpage,Credential Status Type\n"
                        + f"{ROW},Active\n" + "\n" * 4
                        + f"{ROW.replace('ce-0a', 'ce-1a')},Actve\n", origin="credentials.csv")
    [problem] = parsed.rejected
    assert str(problem).startswith("credentials.csv row 7 not loaded: column 'Credential Status Type': "
                                   "'Actve' is not a credential status (one of Active, Ceasing, Deprecated,")


def test_row_numbers_are_spreadsheet_rows_even_with_multi_line_cells():
    text = (f"{HEADER},Credential Status\n"
            f'{ROW.replace("Basic welding.", chr(34) + "Basic" + chr(10) + "welding." + chr(34))},Active\n'
            f"{ROW.replace('ce-0a', 'ce-1a')},Actve\n")
    parsed = parse_text(text)
    assert parsed.rows_loaded == 1 and [p.row for p in parsed.rejected] == [3]


def test_values_under_a_column_without_header_are_reported():
    parsed = parse_text(f"{HEADER},\n{ROW},stray\n")
    assert parsed.rows_loaded == 1
    assert any("a column without a header holds values (row 2)" in w for w in parsed.warnings)


def test_a_row_check_makes_rows_bad_under_the_column_of_the_property():
    """The hook a validator uses: its findings become bad rows named by column."""
    status = CETERMS + "credentialStatusType"

    def needs_status(subject, quads):
        if not any(q.subject == subject and q.predicate.value == status for q in quads):
            yield status, "a credential needs a status (registry minimum data policy)"

    text = f"{HEADER},Status\n{ROW},Active\n{ROW.replace('ce-0a', 'ce-1a')},\n"
    parsed = parse_text(text, check=needs_status)
    assert parsed.rows_loaded == 1
    [problem] = parsed.rejected
    assert (problem.row, problem.column) == (3, "Status")
    assert problem.message == "a credential needs a status (registry minimum data policy)"


def test_bad_rows_carry_an_exit_code_for_the_loader():
    parsed = parse_csv(read_file(DATA / "bad-rows.csv"))
    assert parsed.rejected and all(p.exit_code == 1 for p in parsed.rejected)
    assert parsed.rejected_rows == sorted({e["row"] for e in json.loads((DATA / "bad-rows.json").read_text())["problems"]})


def test_bad_rows_are_shown_by_the_cli(cli, tmp_path):
    result = cli("load", DATA / "bad-rows.csv", "--store", tmp_path / "s")
    assert "row 3 not loaded: column 'Credential Status Type': 'Actve' is not a credential status" in result.err
    assert "Traceback" not in result.err


def test_dropped_rows_make_the_cli_exit_non_zero(cli, tmp_path):
    result = cli("load", DATA / "bad-rows.csv", "--store", tmp_path / "s")
    assert result.code == 1


# --------------------------------------------------------------------------------------------
# Malformed files: one clear error with the line, nothing loaded
# --------------------------------------------------------------------------------------------

MALFORMED = json.loads((DATA / "malformed.json").read_text())["files"]


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_gives_one_error_with_its_line(store, cli, tmp_path, name):
    want = MALFORMED[name]
    report = load(store, [DATA / "malformed" / name])
    [(origin, error)] = report.errors()
    assert error.where.endswith(want["where"]), error.where
    assert want["contains"] in error.message, error.message
    if "fix" in want:
        assert error.fix == want["fix"]
    assert error.exit_code == want["exit"]
    assert store.triple_count() == 0
    result = cli("load", DATA / "malformed" / name, "--store", tmp_path / "s")
    assert result.code == want["exit"]
    assert "Traceback" not in result.err
    assert sum(1 for line in result.err.splitlines() if line.startswith("error:")) == 1


def test_no_row_loadable_is_a_nonconformance_naming_the_rows():
    with pytest.raises(NonConformance) as info:
        parse_csv(read_file(DATA / "malformed" / "all-rows-bad.csv"))
    assert "row 3, column 'Description': is empty" in info.value.message


# --------------------------------------------------------------------------------------------
# Writing, and round trips
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, layout", [("credentials.csv", "credential"), ("courses.csv", "learning-opportunity")])
def test_csv_in_rdf_csv_out_gives_the_same_bytes(name, layout):
    store, _ = store_with(DATA / name)
    assert export_csv(store, layout=layout) == (DATA / name).read_bytes()


def test_variant_spellings_come_back_in_the_canonical_form():
    store, _ = store_with(DATA / "credentials-variants.csv")
    assert export_csv(store) == (DATA / "credentials.csv").read_bytes()


def test_export_orders_rows_by_ctid_and_writes_used_columns_only():
    store, _ = store_with(DATA / "courses.csv", DATA / "credentials.csv")
    layout, columns, rows = export_rows(store)
    assert layout == "credential"
    ctids = [r["ctid"] for r in rows]
    assert ctids == sorted(ctids) and len(ctids) == 3
    assert all(any(r[c.id] for r in rows) or c.required for c in columns)
    assert "Credit Unit Max Value" not in {c.header for c in columns}


def test_export_of_a_selection_picks_its_layout():
    store, _ = store_with(DATA / "courses.csv", DATA / "credentials.csv")
    course = RESOURCE + "ce-b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"
    text = export_csv(store, [course]).decode()
    assert text.splitlines()[0].startswith("CTID,External Identifier,Learning Type,")
    assert len(text.splitlines()) == 2 and "Pipe Welding" in text
    from credgraph.errors import UsageError

    with pytest.raises(UsageError):
        export_csv(store, [course, RESOURCE + "ce-0a4f1c3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"])
    with pytest.raises(UsageError):
        export_csv(store, [RESOURCE + ORG])


def test_export_accepts_the_cli_selection_criteria():
    select = pytest.importorskip("credgraph.export.select")
    store, _ = store_with(DATA / "credentials.csv")
    text = export_csv(store, select.Selection(ctids=("ce-2c6f3e5a-7d8f-4091-acbd-2e3f4a5b6c7d",))).decode()
    assert len(text.splitlines()) == 2 and "Soldadura básica" in text
    assert export_csv(store, select.Selection()) == (DATA / "credentials.csv").read_bytes()


def test_registry_shaped_concepts_are_written_by_name():
    """Registry data states concepts as CredentialAlignmentObjects; they export like concept IRIs."""
    store, _ = store_with()
    load_bytes(store, (DATA / "microcredential.json").read_bytes().replace(
        b'"credentialStat:Deprecated"',
        b'{"@type": "ceterms:CredentialAlignmentObject", "ceterms:framework": '
        b'"https://credreg.net/ctdl/terms/CredentialStatus", "ceterms:targetNode": "credentialStat:Deprecated",'
        b' "ceterms:targetNodeName": {"en-US": "Deprecated"}}'), fmt="jsonld")
    _, _, [row] = export_rows(store)
    assert row["credential-status"] == "Deprecated" and row["language"] == "Spanish"


def test_landscape_credentials_export_and_reload_to_a_fixpoint(tmp_path):
    """The project's own credentials (data/) written out, read back and written again: same bytes."""
    from credgraph.resources import resource_dir

    store, _ = store_with(resource_dir("data") / "credentials")
    first = export_csv(store)
    assert len(first.decode().splitlines()) > 40
    (tmp_path / "landscape.csv").write_bytes(first)
    again, report = store_with(tmp_path / "landscape.csv")
    assert not [w for w in report.warnings if isinstance(w, RowProblem)]
    assert export_csv(again) == first


def test_cli_export_to_csv(cli, tmp_path):
    store_dir = tmp_path / "s"
    assert cli("load", DATA / "credentials.csv", "--store", store_dir).code == 0
    result = cli("export", "--to", "csv", "--store", store_dir)
    assert result.code == 0, result.err
    assert result.out.encode() == (DATA / "credentials.csv").read_bytes()


@pytest.mark.reference
def test_the_real_course_upload_sample_round_trips():
    """The Kutztown sample is a course (learning-opportunity) upload, not a credential one."""
    sample = reference("ctdl", "csv", "kutztown-sample_course_bulk_upload.HEAD.csv")
    store, report = store_with(sample)
    [note] = report.warnings  # 'same as owner' without an owner: the Publisher account's owner
    assert "same as owner" in note
    original = list(csv.DictReader(io.StringIO(sample.read_text(encoding="utf-8"))))
    written = list(csv.DictReader(io.StringIO(export_csv(store, layout="learning-opportunity").decode())))
    by_ctid = {row["CTID"]: row for row in written}
    assert set(by_ctid) == {row["CTID"] for row in original}
    for row in original:
        out = by_ctid[row["CTID"]]
        for header, value in row.items():
            if header == "Offered By":
                continue
            assert out.get(header, "") == value, (row["CTID"], header)
    owned = export_csv(store_with(sample)[0], layout="learning-opportunity")
    assert owned.count(b"\n") == 3


@pytest.mark.reference
def test_the_real_course_upload_sample_with_the_account_owner():
    sample = reference("ctdl", "csv", "kutztown-sample_course_bulk_upload.HEAD.csv")
    parsed = parse_csv(read_file(sample), owner=ORG)
    assert parsed.warnings == []
    offered = {q.subject.value for q in parsed.quads if q.predicate.value == CETERMS + "offeredBy"}
    assert offered == set(parsed.resources.values()) and len(offered) == 2


# --------------------------------------------------------------------------------------------
# Property: generated valid rows survive CSV -> RDF -> CSV
# --------------------------------------------------------------------------------------------

_SAFE = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="|~")
_word = st.text(_SAFE, min_size=1, max_size=20).map(str.strip).filter(bool)
_ctid = st.uuids(version=4).map(lambda u: f"ce-{u}")
_iri = st.from_regex(r"\Ahttps://[a-z]{1,8}\.example\.org/[a-z0-9/_-]{0,20}\Z")
_name = _word.filter(lambda s: not s.lower().startswith(("ce-", "http")) and s.lower() != "same as owner")


def _concepts(column):
    table = vocabulary().concepts[mapping().iri(column.spec["scheme"])]
    return st.sampled_from(sorted({iri.rsplit("/", 1)[-1] for iri in table.values()}))


def _value(column):
    """A strategy of canonical cell values for one column (lists as sorted, distinct items)."""
    kind = column.kind
    one = {
        "text": _word, "string": _word, "iri": _iri, "organization": st.one_of(_ctid, _name),
        "resource": st.one_of(_ctid, _iri), "date": st.dates().map(lambda d: d.isoformat()),
        "duration": st.sampled_from(["P16W", "PT20H", "P2Y", "P1Y6M", "P3D"]),
        "number": st.integers(0, 100000).map(lambda n: str(n // 100) if n % 100 == 0 else repr(n / 100)),
        "language": st.sampled_from(["Dutch", "English", "French", "Spanish"]),
        "identifier": st.tuples(_word, _word).map(lambda p: f"{p[0]}~{p[1]}"), "external-id": _word,
        "alignment-name": _word, "condition-type": st.sampled_from(sorted(mapping().condition_types)),
        "currency": st.sampled_from(["EUR", "USD"]),
        "alignment-code": st.sampled_from([column.spec.get("example", "")]),
        "alignment-framework": _ctid,
    }.get(kind)
    if kind == "concept":
        one = _concepts(column)
    if kind == "type":
        table = vocabulary().classes[mapping().iri(column.spec["base"])]
        one = st.sampled_from(sorted({iri.rsplit("/", 1)[-1] for iri in table.values()}))
    if column.is_list:
        return st.lists(one, min_size=1, max_size=3, unique=True).map(lambda v: "|".join(sorted(v)))
    return one


@st.composite
def _uploads(draw, layout="credential"):
    columns = [c for c in mapping().columns(layout) if c.kind not in ("ignored", "ctid")]
    optional = [c for c in columns if not c.required]
    chosen = [c for c in columns if c.required] + draw(st.lists(st.sampled_from(optional), max_size=8, unique=True))
    # The mapping's cost columns come with their required companions, as the Publisher asks.
    if any(c.node == "cost" for c in chosen):
        chosen += [c for c in columns if c.spec.get("required_with_node") and c not in chosen]
    ctids = draw(st.lists(_ctid, min_size=1, max_size=4, unique=True))
    rows = []
    for ctid in ctids:
        row = {"ctid": ctid}
        for column in chosen:
            if column.required or draw(st.booleans()):
                row[column.id] = draw(_value(column))
        rows.append(row)
    return chosen, rows


def _canonical(rows: list[dict], columns) -> list[dict]:
    """What the exporter writes for generated rows: condition type shown when a condition exists."""
    out = []
    for row in rows:
        row = dict(row)
        has_condition = any(c.node and c.node.startswith("condition") and row.get(c.id) for c in columns
                            if c.kind != "condition-type")
        if has_condition and not row.get("condition-type"):
            row["condition-type"] = "requires"
        out.append(row)
    return sorted(out, key=lambda r: r["ctid"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_uploads())
def test_generated_rows_round_trip(upload):
    columns, rows = upload
    m = mapping()
    all_columns = [c for c in m.columns("credential") if c.kind != "ignored"]
    out = io.StringIO()
    writer = csv.writer(out)
    header = [c for c in all_columns if c.kind == "ctid"] + columns
    writer.writerow([c.header for c in header])
    for row in rows:
        writer.writerow([row.get(c.id, "") for c in header])
    parsed = parse_text(out.getvalue())
    assert parsed.rejected == [], parsed.rejected
    from credgraph.store import open_store

    store = open_store(":memory:")
    store.inner.extend([ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("urn:test:g")) for q in parsed.quads])
    _, written_columns, written = export_rows(store)
    expected = _canonical(rows, columns)
    ids_used = {c.id for c in written_columns}
    for want, got in zip(expected, written, strict=True):
        assert {k: v for k, v in want.items() if v} == {k: v for k, v in got.items() if v and k in ids_used}


def test_columns_ctdl_does_not_declare_for_the_layout_are_reported_not_read():
    """The 2019 importer read 'Coded Notation' for credentials; CTDL declares it for courses only."""
    parsed = parse_text(f"{HEADER},Coded Notation\n{ROW},WELD-1\n")
    assert not [q for q in parsed.quads if q.predicate.value == CETERMS + "codedNotation"]
    [note] = parsed.warnings
    assert "CTDL does not declare ceterms:codedNotation for ceterms:Credential" in note


# --------------------------------------------------------------------------------------------
# Row validation with credgraph.validate (registry minimum data policy, CTDL structure)
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["credentials.csv", "credentials-variants.csv", "courses.csv"])
def test_every_column_kind_gives_ctdl_the_validator_accepts(name):
    """No violation of the registry and structure profiles: each column fills a property CTDL
    declares for the resource (or embedded profile) it lands on, with the right kind of value."""
    pytest.importorskip("credgraph.validate")
    parsed = parse_csv(read_file(DATA / name), validate=("registry", "structure"), owner=ORG)
    violations = [r for r in parsed.validation.results if r.severity == "Violation"]
    assert violations == [] and parsed.rejected == []


def test_rows_with_violations_are_bad_rows_named_by_column():
    pytest.importorskip("credgraph.validate")
    header = ("CTID,Credential Name,Description,Credential Type,Subject Webpage,Credential Status,Language,"
              "Owned By,Degree Major,ConditionProfile: Condition Type,ConditionProfile: Name\n")
    rows = [f"{ROW.replace('Basic welding.', 'Basic welding for beginners.')},Active,English,{ORG},,,",
            f"{ROW.replace('ce-0a', 'ce-1a').replace('Basic welding.', 'Basic welding for beginners.')},,English,{ORG},,,",
            f"{ROW.replace('ce-0a', 'ce-2a').replace('Basic welding.', 'Short.')},Active,,,Welding,requires,Pre"]
    parsed = parse_text(header + "\n".join(rows) + "\n", validate=("registry", "structure"))
    assert parsed.rows_loaded == 1
    assert sorted((p.row, p.column) for p in parsed.rejected) == [
        (3, "Credential Status"),
        (4, "ConditionProfile: Description"), (4, "Degree Major"), (4, "Description"), (4, "Language"),
        (4, "Owned By")]
    assert {q.subject.value for q in parsed.quads if q.predicate.value == CETERMS + "ctid"} == {
        RESOURCE + "ce-0a4f1c3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"}
