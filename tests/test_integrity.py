"""Integrity of the vocabulary (ontology/) and the knowledge graph's own data (data/).

Every ``queries/checks/*.rq`` is a SPARQL SELECT that returns no rows when all is well and one row
per offender otherwise. The checks run over an in-memory pyoxigraph store holding each
``ontology/*.ttl`` and ``data/**/*.ttl`` file in its own named graph, named
``https://w3id.org/credgraph/graph/<path relative to the repository>`` (the convention the checks'
headers state). Each check is also shown to fire on a small corrupted input ("break the gate"),
and the non-degree credential grouping in ontology/credgraph.ttl is tested under OWL-RL inference.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
DATA = ROOT / "data"
CHECKS_DIR = ROOT / "queries" / "checks"
CTDL_TTL = ONTOLOGY / "ctdl.ttl"
CREDGRAPH_TTL = ONTOLOGY / "credgraph.ttl"
GRAPH_BASE = "https://w3id.org/credgraph/graph/"

CETERMS = rdflib.Namespace("https://purl.org/ctdl/terms/")
CG = rdflib.Namespace("https://w3id.org/credgraph/terms/")

CHECKS = sorted(CHECKS_DIR.glob("*.rq"))
MAX_ROWS_SHOWN = 40


def graph_name(relative_path: str) -> ox.NamedNode:
    return ox.NamedNode(GRAPH_BASE + relative_path)


def ontology_files() -> list[Path]:
    if not CTDL_TTL.is_file():
        pytest.fail(f"{CTDL_TTL.relative_to(ROOT)} is missing: the CTDL term base must be generated "
                    "and committed before the integrity checks can run")
    return sorted(ONTOLOGY.glob("*.ttl"))


def data_files() -> list[Path]:
    return sorted(DATA.rglob("*.ttl"))


def load_files(store: ox.Store, files: list[Path]) -> None:
    for path in files:
        store.load(path=path, format=ox.RdfFormat.TURTLE,
                   to_graph=graph_name(path.relative_to(ROOT).as_posix()))


def run_check(store: ox.Store, check: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    solutions = store.query(check.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        rows.append(tuple("" if solution[n] is None else solution[n].value for n in names))
    return names, rows


def header(check: Path) -> dict[str, str]:
    fields = {}
    for line in check.read_text(encoding="utf-8").splitlines():
        match = re.match(r"#\s*(\w+):\s*(.*)", line)
        if match:
            fields[match.group(1)] = match.group(2).strip()
        elif line.strip() and not line.startswith("#"):
            break
    return fields


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    load_files(store, ontology_files() + data_files())
    return store


# --- the files parse --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [CREDGRAPH_TTL, *data_files()],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_turtle_parses_with_rdflib_and_pyoxigraph(path: Path) -> None:
    rdflib_count = len(rdflib.Graph().parse(path, format="turtle"))
    oxigraph_count = len(list(ox.parse(path=path, format=ox.RdfFormat.TURTLE)))
    assert rdflib_count == oxigraph_count > 0


# --- the checks -------------------------------------------------------------------------------------

def test_there_are_checks() -> None:
    assert len(CHECKS) >= 5, f"expected the integrity checks under {CHECKS_DIR}"


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_has_title_and_description(check: Path) -> None:
    fields = header(check)
    assert fields.get("title"), f"{check.name}: header lacks '# title:'"
    assert fields.get("description"), f"{check.name}: header lacks '# description:'"


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_returns_no_rows(store: ox.Store, check: Path) -> None:
    names, rows = run_check(store, check)
    if rows:
        shown = "\n".join("  " + " | ".join(row) for row in rows[:MAX_ROWS_SHOWN])
        more = f"\n  ... and {len(rows) - MAX_ROWS_SHOWN} more" if len(rows) > MAX_ROWS_SHOWN else ""
        pytest.fail(f"{check.name} ({header(check).get('title')}): {len(rows)} offending row(s)\n"
                    f"  {' | '.join(names)}\n{shown}{more}")


# --- break the gate: each check fires on a corrupted input ------------------------------------------

PREFIXES = """
@prefix cg: <https://w3id.org/credgraph/terms/> .
@prefix ceterms: <https://purl.org/ctdl/terms/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""

# check stem -> (graph the corrupted Turtle goes into, Turtle, IRI or text the check must report)
BREAKAGES = {
    "undeclared-term-violation": (
        "data/ecosystem/broken.ttl",
        '<https://w3id.org/credgraph/id/organization/x> a schema:Organizaton ; schema:nmae "X"@en .',
        "https://schema.org/nmae",
    ),
    "ctdl-term-missing-violation": (
        "data/credentials/broken.ttl",
        "<https://sandbox.credentialengineregistry.org/resources/ce-x> a ceterms:Certifcate .",
        "https://purl.org/ctdl/terms/Certifcate",
    ),
    "extension-term-undocumented-violation": (
        "ontology/broken.ttl",
        'cg:undocumentedTerm a rdf:Property ; rdfs:label "undocumented"@en .',
        "https://w3id.org/credgraph/terms/undocumentedTerm",
    ),
    "ecosystem-source-missing-violation": (
        "data/ecosystem/broken.ttl",
        '<https://w3id.org/credgraph/id/organization/unsourced> a schema:Organization ; schema:name "U"@en .',
        "https://w3id.org/credgraph/id/organization/unsourced",
    ),
    "dangling-reference-violation": (
        "data/ecosystem/broken.ttl",
        "<https://w3id.org/credgraph/id/organization/workcred> schema:knowsAbout "
        "<https://w3id.org/credgraph/id/topic/no-such-topic> .",
        "https://w3id.org/credgraph/id/topic/no-such-topic",
    ),
}


def test_every_check_has_a_breakage() -> None:
    assert {c.stem for c in CHECKS} == set(BREAKAGES)


@pytest.mark.parametrize("stem", sorted(BREAKAGES))
def test_check_catches_breakage(stem: str) -> None:
    graph, turtle, offender = BREAKAGES[stem]
    store = ox.Store()
    load_files(store, ontology_files())
    store.load(input=PREFIXES + turtle, format=ox.RdfFormat.TURTLE, to_graph=graph_name(graph))
    _, rows = run_check(store, CHECKS_DIR / f"{stem}.rq")
    assert any(offender in cell for row in rows for cell in row), (
        f"{stem} did not report {offender}; rows: {rows}")


# --- OWL-RL: the non-degree credential grouping ------------------------------------------------------

@pytest.mark.slow
def test_non_degree_grouping_under_owl_rl() -> None:
    import owlrl

    g = rdflib.Graph()
    for path in ontology_files():
        g.parse(path, format="turtle")
    ex = rdflib.Namespace("https://example.org/credential/")
    expected = {
        ex.certification: (CETERMS.Certification, True),
        ex.apprenticeship: (CETERMS.ApprenticeshipCertificate, True),
        ex.openbadge: (CETERMS.OpenBadge, True),
        ex.bachelor: (CETERMS.BachelorDegree, False),
        ex.diploma: (CETERMS.SecondarySchoolDiploma, False),
    }
    for individual, (cls, _) in expected.items():
        g.add((individual, RDF.type, cls))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    wrong = {
        str(individual): ("not inferred" if is_ndc else "wrongly inferred")
        for individual, (_, is_ndc) in expected.items()
        if ((individual, RDF.type, CG.NonDegreeCredential) in g) != is_ndc
    }
    assert not wrong, f"cg:NonDegreeCredential membership after OWL-RL: {wrong}"
    # Every one of them is still a ceterms:Credential (the grouping sits under it).
    assert all((i, RDF.type, CETERMS.Credential) in g for i in expected)
