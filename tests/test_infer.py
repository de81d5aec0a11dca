"""OWL-RL inference: non-degree credentials are recognised from the vocabulary's axioms."""

from __future__ import annotations

import pytest

from credgraph import ids
from credgraph.infer import infer
from credgraph.load import load, load_bytes
from credgraph.resources import resource_dir

CG = ids.CG
DATA = b"""@prefix ceterms: <https://purl.org/ctdl/terms/> .
<https://ex.org/cert> a ceterms:Certification .
<https://ex.org/appr> a ceterms:ApprenticeshipCertificate .
<https://ex.org/badge> a ceterms:OpenBadge .
<https://ex.org/ba> a ceterms:BachelorDegree .
<https://ex.org/hs> a ceterms:SecondarySchoolDiploma .
"""


@pytest.fixture(scope="module")
def inferred():
    from credgraph.store import open_store

    store = open_store(":memory:")
    load(store, [resource_dir("ontology")])
    load_bytes(store, DATA, fmt="turtle")
    result = infer(store)
    return store, result


def _inferred_types(store, iri: str) -> set[str]:
    q = f"SELECT ?t WHERE {{ GRAPH <{ids.INFERRED_GRAPH}> {{ <{iri}> a ?t }} }}"
    return {r["t"].value for r in store.query(q)}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cert", "appr", "badge"])
def test_non_degree_credentials_are_inferred(inferred, name):
    store, _ = inferred
    types = _inferred_types(store, f"https://ex.org/{name}")
    assert CG + "NonDegreeCredential" in types
    assert ids.CETERMS + "Credential" in types


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ba", "hs"])
def test_degrees_and_diplomas_are_not_non_degree(inferred, name):
    store, _ = inferred
    types = _inferred_types(store, f"https://ex.org/{name}")
    assert CG + "NonDegreeCredential" not in types
    assert ids.CETERMS + "Credential" in types  # but they are credentials


@pytest.mark.slow
def test_inference_lives_in_its_own_graph_and_reruns_are_no_ops(inferred):
    store, result = inferred
    assert result.added > 0
    sources = {s["origin"]: s for s in store.sources()}
    assert sources["OWL-RL inference (owlrl)"]["graphs"] == [ids.INFERRED_GRAPH]
    assert infer(store).unchanged
    # nothing trivial: no reflexive subclass or sameAs, no "is an owl:Thing"
    trivial = store.query(f"""ASK {{ GRAPH <{ids.INFERRED_GRAPH}> {{
        {{ ?x <http://www.w3.org/2002/07/owl#sameAs> ?x }} UNION {{ ?x a <http://www.w3.org/2002/07/owl#Thing> }}
        UNION {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?c }} }} }}""")
    assert not bool(trivial)


def test_changed_data_replaces_old_conclusions(store):
    axioms = b"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://ex.org/A> rdfs:subClassOf <https://ex.org/B> ."""
    load_bytes(store, axioms, fmt="turtle")
    load_bytes(store, b"<https://ex.org/x> a <https://ex.org/A> .", fmt="turtle", graph="https://ex.org/g")
    infer(store)
    assert _inferred_types(store, "https://ex.org/x") == {"https://ex.org/B"}
    load_bytes(store, b"<https://ex.org/y> a <https://ex.org/A> .", fmt="turtle", graph="https://ex.org/g")
    infer(store)
    assert _inferred_types(store, "https://ex.org/x") == set()
    assert _inferred_types(store, "https://ex.org/y") == {"https://ex.org/B"}


def test_infer_verb(cli, tmp_path):
    f = tmp_path / "a.ttl"
    f.write_bytes(b"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://ex.org/A> rdfs:subClassOf <https://ex.org/B> . <https://ex.org/x> a <https://ex.org/A> .""")
    assert cli("load", f, "--store", tmp_path / "s").code == 0
    result = cli("infer", "--store", tmp_path / "s")
    assert result.code == 0 and "inferred 1 triples" in result.err
    assert "up to date" in cli("infer", "--store", tmp_path / "s").err
