"""Snapshot tests: the exports of data/ are kept under tests/snapshots/ and compared as graphs.

One JSON Lines file per target (``registry.jsonl``, ``openbadges.jsonl``, ``elm.jsonl``,
``schemaorg.jsonl``), one document per line, in the export's own order. A document is compared
with its snapshot as an RDF graph (isomorphism, so blank-node labels and key order do not matter);
a failure lists what is only in the snapshot and only in the export.

Regenerate on purpose after a deliberate change to data/ or to an exporter::

    CREDGRAPH_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_export_snapshots.py

and review the diff of tests/snapshots/ before committing it.
"""

from __future__ import annotations

import json
import os

import pytest
import rdflib
from rdflib.compare import graph_diff, to_isomorphic

from conftest import ROOT, TESTS
from credgraph.contexts import load_context
from credgraph.load import load
from credgraph.store import open_store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SNAPSHOTS = TESTS / "snapshots"
UPDATE = os.environ.get("CREDGRAPH_UPDATE_SNAPSHOTS") == "1"
TARGETS = ("registry", "openbadges", "elm", "schemaorg")


@pytest.fixture(scope="module")
def store():
    s = open_store(":memory:")
    report = load(s, [ROOT / "data"])
    assert report.failed == 0
    return s


def export(store, target: str):
    if target == "registry":
        from credgraph.export.registry import RegistryExport
        return list(RegistryExport(store).documents())
    if target == "openbadges":
        from credgraph.export.openbadges import OpenBadgesExport
        return list(OpenBadgesExport(store).documents())
    if target == "elm":
        from credgraph.export.elm import ElmExport
        return list(ElmExport(store).documents())
    from credgraph.export.schemaorg import SchemaOrgExport
    return list(SchemaOrgExport(store).documents())


def _offline_contexts() -> dict:
    from credgraph.export import elm, openbadges, schemaorg
    table = {}
    for module in (openbadges, elm, schemaorg):
        table.update({url: {"@context": ctx} for url, ctx in module.offline_contexts().items()})
    return table


def as_graph(target: str, doc: dict) -> rdflib.Graph:
    graph = rdflib.Graph()
    if target == "registry":
        data = dict(doc)
        data["@context"] = dict(load_context("ctdlasn" if "ctdlasn" in doc["@context"] else "ctdl"))
        dataset = rdflib.Dataset()
        dataset.parse(data=json.dumps(data), format="json-ld")
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
        return graph
    jsonld = pytest.importorskip("pyld.jsonld")
    table = _offline_contexts()

    def loader(url, options=None):
        return {"contextUrl": None, "documentUrl": url, "document": table[url]}

    text = jsonld.to_rdf(doc, {"documentLoader": loader, "format": "application/n-quads"})
    return graph.parse(data=text, format="nquads")


def _key(doc: dict) -> str:
    return doc.get("@id") or doc.get("id")


def _difference(expected: rdflib.Graph, actual: rdflib.Graph, limit: int = 15) -> str:
    _, only_snapshot, only_export = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = [f"only in snapshot ({len(only_snapshot)}):"] + [f"  {t}" for t in sorted(only_snapshot)[:limit]]
    lines += [f"only in export ({len(only_export)}):"] + [f"  {t}" for t in sorted(only_export)[:limit]]
    return "\n".join(lines)


@pytest.mark.parametrize("target", TARGETS)
def test_export_matches_snapshot(store, target):
    documents = export(store, target)
    path = SNAPSHOTS / f"{target}.jsonl"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text("".join(d.text(indent=None) + "\n" for d in documents), encoding="utf-8")
        pytest.skip(f"snapshot {path.name} rewritten ({len(documents)} documents)")
    assert path.exists(), f"no snapshot {path}; create it with CREDGRAPH_UPDATE_SNAPSHOTS=1"
    snapshot = {_key(d): d for d in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    exported = {_key(d.data): d.data for d in documents}
    assert sorted(exported) == sorted(snapshot), (
        f"only in snapshot: {sorted(set(snapshot) - set(exported))[:10]}; "
        f"only in export: {sorted(set(exported) - set(snapshot))[:10]}")
    failures = []
    for key in sorted(snapshot):
        expected, actual = as_graph(target, snapshot[key]), as_graph(target, exported[key])
        if to_isomorphic(expected) != to_isomorphic(actual):
            failures.append(f"{key}:\n{_difference(expected, actual)}")
    assert not failures, "\n".join(failures[:3]) + f"\n({len(failures)} document(s) differ; if the change is "\
        "intended, regenerate with CREDGRAPH_UPDATE_SNAPSHOTS=1)"


def test_snapshot_comparison_detects_a_change(store):
    doc = export(store, "registry")[0].data
    changed = json.loads(json.dumps(doc))
    changed["@graph"][0]["ceterms:name"] = {"en-US": "Something else"}
    diff = _difference(as_graph("registry", doc), as_graph("registry", changed))
    assert "Something else" in diff and "only in snapshot (1)" in diff
