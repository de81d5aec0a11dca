"""Real registry documents from ../shared/reference load with zero triples lost.

"Zero lost" is checked against PyLD, an independent JSON-LD 1.1 processor, reading the same
document with the *official* context files from the reference folder (not our generated ones).
Skipped when ../shared/reference is absent (a fresh clone).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REFERENCE, reference
from credgraph.load import load
from credgraph.store import open_store

FOLDERS = ("registry-envelopes", "registry-graphs", "ingest-examples", "pathways")
JSONISH = (".json", ".jsonld", ".json.txt")


def _example_files() -> list[Path]:
    base = REFERENCE / "ctdl" / "examples"
    if not base.exists():
        return [pytest.param(None, id="reference-absent", marks=pytest.mark.skip(
            reason="../shared/reference is absent (fresh clone): needs ctdl/examples"))]
    return sorted(p for folder in FOLDERS for p in (base / folder).iterdir()
                  if p.name.endswith(JSONISH))


def _official_contexts() -> dict[str, dict]:
    schema = reference("ctdl", "schema")
    ctdl = json.loads((schema / "ctdl-context.jsonld").read_text())
    asn = json.loads((schema / "ctdlasn-context.jsonld").read_text())
    urls = {}
    for scheme in ("https", "http"):
        urls[f"{scheme}://credreg.net/ctdl/schema/context/json"] = ctdl
        urls[f"{scheme}://credreg.net/ctdlasn/schema/context/json"] = asn
    return urls


def _pyld_quads(doc) -> int:
    jsonld = pytest.importorskip("pyld.jsonld")
    contexts = _official_contexts()

    def loader(url, options=None):
        return {"contextUrl": None, "documentUrl": url, "document": contexts[url]}

    nquads = jsonld.to_rdf(doc, {"documentLoader": loader, "format": "application/n-quads"})
    return len({line for line in nquads.splitlines() if line.strip()})


def _documents(obj):
    if isinstance(obj, dict) and "decoded_resource" in obj:
        return [obj["decoded_resource"]]
    if isinstance(obj, list) and obj and all(isinstance(o, dict) and "decoded_resource" in o for o in obj):
        return [o["decoded_resource"] for o in obj]
    return [obj]


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


@pytest.mark.reference
@pytest.mark.parametrize("path", _example_files(), ids=lambda p: p.name)
def test_real_registry_document_loads_with_zero_triples_lost(path):
    reference("ctdl", "examples")
    obj = _read_json(path)
    store = open_store(":memory:")
    report = load(store, [path], fmt="jsonld")
    if obj is None:
        # not valid JSON (concatenated documents, trailing commas, placeholders): refused cleanly
        assert report.failed == 1 and report.loaded == 0
        [(_, error)] = report.errors()
        assert "invalid JSON" in str(error) and "line" in error.where
        assert store.triple_count() == 0
        return
    assert report.loaded == 1, report.errors()
    expected = sum(_pyld_quads(doc) for doc in _documents(obj))
    assert report.triples == expected
    assert store.triple_count() == expected


@pytest.mark.reference
def test_the_reference_examples_are_there_to_test():
    reference("ctdl", "examples")
    files = _example_files()
    assert len(files) >= 20
    assert sum(_read_json(f) is None for f in files) >= 1  # at least one broken example is exercised


@pytest.mark.reference
def test_the_heriot_watt_pathway_turtle_loads(store):
    path = reference("ctdl", "examples", "pathways", "SD-HeriotWatt-pathway.ttl")
    report = load(store, [path])
    assert report.loaded == 1, report.errors()
    rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://purl.org/ctdl/terms/ComponentCondition> }")
    assert int(next(iter(rows))["n"].value) > 0
