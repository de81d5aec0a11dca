"""`credgraph demo`, the README's main job: build, validate, infer, tour; a second run changes nothing."""

from __future__ import annotations

import re

import pyoxigraph as ox

from credgraph import ids
from credgraph.demo import build
from credgraph.store import open_store

NON_DEGREE_BY_HIERARCHY = f"""
SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{
  ?c a ?type . ?type <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ <{ids.CG}NonDegreeCredential> .
  FILTER(STRSTARTS(STR(?c), "https://sandbox.credentialengineregistry.org/resources/"))
}}"""


def test_demo_builds_validates_infers_and_tours(cli, tmp_path):
    first = cli("demo", "--store", tmp_path / "s")
    assert first.code == 0, first.err
    assert re.search(r"validated data/ against registry-minimum, ctdl-structure: conforms \(0 violations", first.out)
    inferred = re.search(r"([\d,]+) statements inferred; (\d+) credentials classed as non-degree", first.out)
    assert inferred, first.out
    # The count the reasoner gives equals what the class hierarchy says, asked without inference.
    plain = open_store(":memory:")
    build(plain)
    [row] = plain.query(NON_DEGREE_BY_HIERARCHY)
    assert int(inferred.group(2)) == int(row["n"].value) > 0
    for section in ("Credentials by type", "as each organization defines it", "A stack ladder"):
        assert section in first.out

    second = cli("demo", "--store", tmp_path / "s")
    assert second.code == 0, second.err
    assert re.search(r"0 file\(s\) loaded, \d+ unchanged", second.out)
    assert "OWL-RL inference (credgraph infer): unchanged" in second.out
    store = open_store(str(tmp_path / "s"))
    assert store.inner.contains_named_graph(ox.NamedNode(ids.INFERRED_GRAPH))
