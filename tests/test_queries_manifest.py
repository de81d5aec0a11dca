"""The canned query catalog against its expected results (tests/queries/manifest.ttl).

Every case runs on the embedded store twice: with parameters bound by the VALUES block (what
``credgraph query`` does, on the store and on a remote endpoint) and by pyoxigraph's SEP-0007
substitutions, so a query whose answer depends on the binding fails here. tests/test_remote.py reuses these helpers
against a real Oxigraph server.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT

MANIFEST = ROOT / "tests" / "queries" / "manifest.ttl"
CGT = "https://w3id.org/credgraph/test/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
UNBOUND = ox.NamedNode(CGT + "unbound")
DEFAULT_DATA = ("ontology/", "data/")
NUMERIC = {XSD + t for t in ("integer", "decimal", "float", "double", "int", "long", "short", "byte",
                             "nonNegativeInteger", "positiveInteger", "negativeInteger",
                             "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
                             "unsignedByte")}


@dataclass(frozen=True)
class Case:
    id: str
    query: str
    params: dict
    data: tuple[str, ...]
    comment: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]

    def __str__(self) -> str:
        return self.id


# ---------------------------------------------------------------------------------------- manifest
@functools.lru_cache(maxsize=1)
def load_manifest() -> tuple[Case, ...]:
    """The cases of tests/queries/manifest.ttl, in file order."""
    triples = list(ox.parse(path=str(MANIFEST), format=ox.RdfFormat.TURTLE))
    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)

    def one(node, prop):
        values = by_subject.get(node, {}).get(prop, [])
        return values[0] if values else None

    def rdf_list(node) -> list:
        items = []
        while node != ox.NamedNode(RDF + "nil"):
            items.append(one(node, RDF + "first"))
            node = one(node, RDF + "rest")
        return items

    order = {t.subject: i for i, t in reversed(list(enumerate(triples)))}
    cases = []
    for subject, props in sorted(by_subject.items(), key=lambda kv: order[kv[0]]):
        if ox.NamedNode(CGT + "QueryCase") not in props.get(RDF + "type", []):
            continue
        params = {}
        for p in props.get(CGT + "param", []):
            name = one(p, CGT + "name").value
            values = [v.value for v in by_subject[p][CGT + "value"]]
            params[name] = values[0] if len(values) == 1 else sorted(values)
        data = tuple(sorted(v.value for v in props.get(CGT + "data", []))) or DEFAULT_DATA
        rows = tuple(tuple(None if cell == UNBOUND else cell for cell in rdf_list(row))
                     for row in rdf_list(one(subject, CGT + "rows")))
        cases.append(Case(id=subject.value.rsplit("/", 1)[-1], query=one(subject, CGT + "query").value,
                          params=params, data=data, comment=one(subject, RDFS + "comment").value,
                          columns=tuple(c.value for c in rdf_list(one(subject, CGT + "columns"))),
                          rows=rows))
    return tuple(cases)


# ---------------------------------------------------------------------------------------- stores
def build_store(data: tuple[str, ...], infer: bool = False):
    """A fresh in-memory store holding ``data`` (ontology/ and data/ load as `credgraph demo` does)."""
    from credgraph.demo import project_graph
    from credgraph.load import load
    from credgraph.store import open_store

    store = open_store(":memory:")
    for item in data:
        kind = item.strip("/")
        if kind in ("ontology", "data"):
            report = load(store, [ROOT / kind], graph_for=project_graph(kind))
        else:
            report = load(store, [ROOT / item])
        assert not report.errors(), report.errors()
    if infer:
        from credgraph.infer import infer as materialise

        materialise(store)
    return store


@functools.lru_cache(maxsize=None)
def store_for(data: tuple[str, ...], infer: bool = False):
    return build_store(data, infer)


# ---------------------------------------------------------------------------------------- comparison
def normalise(term):
    """A comparable form of a result cell: numbers by value, literals by text and language."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    datatype = term.datatype.value
    if datatype in NUMERIC:
        try:
            return ("number", Decimal(term.value).quantize(Decimal("0.000001")).normalize())
        except InvalidOperation:
            return ("literal", term.value, datatype)
    if datatype == XSD + "boolean":
        return ("boolean", term.value in ("true", "1"))
    if term.language:
        return ("text", term.value, term.language.lower())
    return ("literal", term.value, datatype)


def show(cell) -> str:
    if cell is None:
        return "cgt:unbound"
    if cell[0] == "iri":
        return f"<{cell[1]}>"
    if cell[0] in ("number", "boolean"):
        return str(cell[1]).lower() if cell[0] == "boolean" else str(cell[1])
    if cell[0] == "text":
        return f'"{cell[1]}"@{cell[2]}'
    if cell[0] == "bnode":
        return "[]"
    return f'"{cell[1]}"' + ("" if cell[2] == XSD + "string" else f"^^<{cell[2]}>")


def compare(case: Case, result) -> str | None:
    """None when the result has the case's rows (as a multiset), else a readable diff."""
    missing = [c for c in case.columns if c not in result.variables]
    if missing:
        return f"{case.id}: the query has no column(s) {missing}; it has {result.variables}"
    expected = Counter(tuple(normalise(cell) for cell in row) for row in case.rows)
    actual = Counter(tuple(normalise(row.get(c)) for c in case.columns) for row in result.rows)
    if expected == actual:
        return None
    lines = [f"{case.id} ({case.query}): rows differ; columns {list(case.columns)}"]
    for label, rows in (("only expected", expected - actual), ("only actual", actual - expected)):
        for row, count in sorted(rows.items(), key=repr):
            lines.append(f"  {label}{f' x{count}' if count > 1 else ''}: ( {' '.join(show(c) for c in row)} )")
    lines.append(f"  how to check by hand: {case.comment}")
    return "\n".join(lines)


def run_embedded(case: Case, store, binding: str = "values"):
    """Run a case on the embedded store, binding by the VALUES block or by substitutions."""
    from credgraph.catalog import EmbeddedTarget, get_query

    query = get_query(case.query)
    target = EmbeddedTarget(store, binding=binding)
    bindings = query.bind(case.params, resolver=target.resolve_ctid)
    return target.run(query.text, bindings)


CASES = load_manifest()


# ---------------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("case", CASES, ids=str)
def test_case_gives_the_expected_rows(case):
    result = run_embedded(case, store_for(case.data))
    problem = compare(case, result)
    assert problem is None, problem


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case_gives_the_same_rows_with_sep0007_substitutions(case):
    """pyoxigraph's substitutions bind parameters to the same answers as the VALUES block."""
    result = run_embedded(case, store_for(case.data), binding="substitutions")
    problem = compare(case, result)
    assert problem is None, "with substitutions: " + str(problem)


def test_every_catalog_query_has_a_checked_non_empty_case():
    from credgraph.catalog import catalog

    covered = {case.query for case in CASES if case.rows and case.comment.strip()}
    missing = sorted(set(catalog()) - covered)
    assert not missing, f"catalog queries without a non-empty, hand-checkable case: {missing}"


def test_cases_name_real_queries_parameters_and_columns():
    from credgraph.catalog import get_query, projected_variables

    for case in CASES:
        query = get_query(case.query)
        assert set(case.params) <= {p.name for p in query.params}, case.id
        projected = projected_variables(query.text)
        assert set(case.columns) <= set(projected), (case.id, case.columns, projected)
        assert all(len(row) == len(case.columns) for row in case.rows), case.id


@pytest.mark.parametrize("case", [c for c in CASES if c.params], ids=str)
def test_parameter_columns_echo_the_bound_values(case):
    from credgraph.catalog import EmbeddedTarget, get_query

    store = store_for(case.data)
    query = get_query(case.query)
    bindings = query.bind(case.params, resolver=EmbeddedTarget(store).resolve_ctid)
    result = run_embedded(case, store)
    for name, term in bindings.items():
        assert {row.get(name) for row in result.rows} == {term}, (case.id, name)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=str)
def test_case_answers_the_same_with_owl_rl_inference(case):
    """Materialised OWL-RL conclusions (credgraph.infer) must not change any answer."""
    result = run_embedded(case, store_for(case.data, infer=True))
    problem = compare(case, result)
    assert problem is None, "with OWL-RL inference: " + str(problem)


def test_a_wrong_expectation_shows_a_readable_diff():
    case = CASES[0]
    wrong = Case(case.id, case.query, case.params, case.data, "check note", case.columns,
                 case.rows[1:] + ((ox.Literal("not in the data"),) + (None,) * (len(case.columns) - 1),))
    message = compare(wrong, run_embedded(case, store_for(case.data)))
    assert "only expected" in message and "only actual" in message
    assert '"not in the data"' in message and "check note" in message
