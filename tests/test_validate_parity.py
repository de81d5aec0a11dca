"""The compiled engine and pySHACL (the reference) find the same results on the same data.

Both are reduced to (document, focus node, path, value, constraint component, severity); see
credgraph.validate.parity. Fast cases run always; the full sweep (every fixture against its
profiles, every profile on the peer samples, the real documents and data/) is marked slow, because
pySHACL takes seconds per document with ~1,000 structure shapes.
"""

from __future__ import annotations

import pytest

from conftest import REFERENCE, ROOT
from validation_fixtures import VALID, cases, fixture_store

ALL = ("registry-minimum", "ctdl-structure", "quality-ndc", "eu-microcredential", "pathways")
CASES = cases()
#: Cheap enough for every run (pySHACL needs seconds per document with the generated profiles).
FAST = [c for c in CASES if c.name.startswith(("eu-", "quality-", "pathways-"))
        or c.name in ("registry-credential-short-description", "registry-concept-alignment-wrong-node")]


def assert_same(store, profiles):
    from credgraph.validate.parity import compare
    from credgraph.validate.profiles import resolve_profiles

    diff = compare(store, resolve_profiles(profiles))
    assert diff.same, f"only engine: {diff.only_engine}\nonly pySHACL: {diff.only_reference}"
    return diff


@pytest.mark.parametrize("case", FAST, ids=lambda c: c.name)
def test_parity_on_break_the_gate_fixtures(case):
    diff = assert_same(fixture_store(case.base, case.update), case.profiles)
    assert diff.agreed, "the corrupted fixture has results, and both engines find them"


def test_parity_on_a_structure_fixture():
    case = next(c for c in CASES if c.name == "structure-domain")
    assert_same(fixture_store(case.base, case.update), case.profiles)


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if c not in FAST], ids=lambda c: c.name)
def test_parity_on_the_other_fixtures(case):
    assert_same(fixture_store(case.base, case.update), case.profiles)


def sources() -> list:
    found = [VALID / "registry.ttl", VALID / "pathway.ttl", VALID / "microcredential.ttl",
             VALID / "registry-document.json", ROOT / "data" / "credentials", ROOT / "data" / "ecosystem"]
    for folder in ("peers/ctdl/shacl-ctdlvalidation", "ctdl/examples/validator-fixtures", "ctdl/examples/ingest-examples",
                   "ctdl/examples/registry-envelopes", "ctdl/examples/registry-graphs", "ctdl/examples/pathways"):
        path = REFERENCE / folder
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix in (".ttl", ".json", ".jsonld"))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("source", sources(), ids=lambda p: p.name)
def test_parity_on_samples_real_documents_and_data(source):
    from credgraph.load import load
    from credgraph.store import open_store

    store = open_store(":memory:")
    load(store, [source], workers=0)
    assert_same(store, ALL)


def test_fallback_shapes_run_on_pyshacl_with_the_same_results():
    """A feature the compiler does not translate (sh:equals) runs on pySHACL; the report says so."""
    import rdflib

    from credgraph.load import load_bytes
    from credgraph.store import open_store
    from credgraph.validate.compile import compile_shapes
    from credgraph.validate.engine import Engine, build_report
    from credgraph.validate.reference import graph_of, run_pyshacl

    shapes = rdflib.Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://ex.org/> .
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:a ;
            sh:property [ sh:path ex:a ; sh:equals ex:b ] .""", format="turtle")
    checks = compile_shapes(shapes, "demo")
    assert len(checks) == 1 and "sh:equals" in checks[0].fallback

    store = open_store(":memory:")
    load_bytes(store, b"<https://ex.org/x> <https://ex.org/a> 1 ; <https://ex.org/b> 2 .", fmt="turtle",
               graph="https://ex.org/doc")
    engine = Engine.__new__(Engine)
    engine.profiles, engine.checks, engine.fallbacks, engine.groups = ("demo",), checks, checks, []
    import credgraph.validate.engine as engine_module

    original = engine_module.shapes_graph
    engine_module.shapes_graph = lambda profile: shapes
    try:
        raws = engine.run(store.inner)
    finally:
        engine_module.shapes_graph = original
    expected = run_pyshacl(graph_of(store.inner, ["https://ex.org/doc"]), shapes)
    assert len(raws) == len(expected) >= 1
    report = build_report(store.inner, raws, ("demo",), 1)
    assert {r.component_curie for r in report.results} == {"sh:EqualsConstraintComponent"}
