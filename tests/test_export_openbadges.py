"""Open Badges 3.0 export: achievementType crosswalk, JSON Schema validity, JSON-LD expansion.

The OB 3.0 JSON Schema and the official VC 2.0 / OB 3.0 contexts are read from
../shared/reference/peers at test time (skipped when absent); expansion uses PyLD.
"""

from __future__ import annotations

import copy
import json

import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import ROOT, reference
from credgraph.export.openbadges import CONTEXT, OpenBadgesExport, achievement_type, offline_contexts
from credgraph.load import load
from credgraph.store import open_store

CETERMS = "https://purl.org/ctdl/terms/"
UNDEFINED = "urn:credgraph:undefined-term#"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def documents():
    store = open_store(":memory:")
    load(store, [ROOT / "data" / "credentials"])
    return list(OpenBadgesExport(store).documents())


@pytest.mark.parametrize("cls, expected", [
    ("MicroCredential", "MicroCredential"), ("Certification", "Certification"),
    ("OpenBadge", "Badge"),                            # subclass of Badge: the nearest mapped ancestor
    ("TechnicalLevel1Certificate", "Certificate"),     # -> AcademicCertificate -> Certificate
    ("ApprenticeshipCertificate", "ApprenticeshipCertificate"),
    ("BachelorOfScienceDegree", "BachelorDegree"),
])
def test_achievement_type_follows_the_ob3_specs_ctdl_equivalences(cls, expected):
    assert achievement_type([CETERMS + cls]) == expected


def test_one_achievement_and_one_template_per_credential(documents):
    achievements = [d for d in documents if d.kind == "achievement"]
    templates = [d for d in documents if d.kind == "credential"]
    assert len(achievements) == len(templates) == 42     # data/credentials/README.md: 42 credentials
    assert all(d.data["@context"] == CONTEXT for d in documents)


def test_achievement_content(documents):
    [doc] = [d.data for d in documents if d.name == "ce-a1975914-e9b8-5d22-a1ee-b1969fb3956d.achievement"]
    assert doc["achievementType"] == "MicroCredential"
    assert doc["name"] == "Micro-credential Data Literacy for Logistics"
    assert doc["creator"]["name"] == "Hogeschool Zuidrand" and doc["creator"]["type"] == ["Profile"]
    types = [a["targetType"] for a in doc["alignment"]]
    assert types.count("ceasn:Competency") == 4 and "ceterms:Credential" in types and "CTDL" in types
    assert "Complete the course Data Literacy for Logistics" in doc["criteria"]["narrative"]


def test_exports_are_valid_against_the_ob3_json_schema(documents):
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = reference("peers", "openbadges", "jsonschema", "ob_v3p0_achievementcredential_schema.json")
    schema = json.loads(schema_path.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    achievement_schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/Achievement"}
    errors = []
    for doc in documents:
        validator = validator_class(schema if doc.kind == "credential" else achievement_schema)
        errors += [f"{doc.name} {e.json_path}: {e.message}" for e in validator.iter_errors(doc.data)]
    assert errors == []


def test_the_schema_check_is_not_vacuous(documents):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(reference("peers", "openbadges", "jsonschema",
                                  "ob_v3p0_achievementcredential_schema.json").read_text())
    broken = copy.deepcopy(next(d.data for d in documents if d.kind == "credential"))
    del broken["credentialSubject"]["achievement"]["criteria"]
    assert list(jsonschema.validators.validator_for(schema)(schema).iter_errors(broken))


def _loader(table: dict):
    def load_document(url, options=None):
        return {"contextUrl": None, "documentUrl": url, "document": table[url]}
    return load_document


def _nquads(doc: dict, table: dict) -> str:
    jsonld = pytest.importorskip("pyld.jsonld")
    return jsonld.to_rdf(doc, {"documentLoader": _loader(table), "format": "application/n-quads"})


def test_exports_expand_with_the_official_contexts_and_our_offline_copy_alike(documents):
    peers = reference("peers")
    official = {CONTEXT[0]: json.loads((peers / "vc" / "credentials-v2.jsonld").read_text()),
                CONTEXT[1]: json.loads((peers / "openbadges" / "contexts" / "ob_v3p0_context-3.0.3.json").read_text())}
    ours = {url: {"@context": ctx} for url, ctx in offline_contexts().items()}
    for doc in documents:
        # a trailing @vocab catches any key the official contexts do not define (JSON-LD would drop it)
        probe = copy.deepcopy(doc.data)
        probe["@context"] = probe["@context"] + [{"@vocab": UNDEFINED}]
        official_quads = _nquads(probe, official)
        assert UNDEFINED not in official_quads, doc.name
        ours_quads = _nquads(doc.data, ours)
        a = rdflib.Graph().parse(data=official_quads, format="nquads")
        b = rdflib.Graph().parse(data=ours_quads, format="nquads")
        assert len(a) > 5 and isomorphic(a, b), doc.name


def test_offline_contexts_expand_the_terms_without_the_reference(documents):
    ours = {url: {"@context": ctx} for url, ctx in offline_contexts().items()}
    doc = next(d.data for d in documents if d.kind == "achievement")
    probe = copy.deepcopy(doc)
    probe["@context"] = probe["@context"] + [{"@vocab": UNDEFINED}]
    quads = _nquads(probe, ours)
    assert UNDEFINED not in quads
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievementType" in quads


def test_cli_writes_achievement_and_template_files(cli, tmp_path):
    store = tmp_path / "store"
    cli("load", ROOT / "data" / "credentials" / "eu.ttl", ROOT / "data" / "credentials" / "organizations.ttl",
        "--store", store)
    result = cli("export", "--to", "openbadges", "--store", store, "--out", tmp_path / "ob",
                 "--ctid", "ce-a1975914-e9b8-5d22-a1ee-b1969fb3956d")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "ob").iterdir()) == [
        "ce-a1975914-e9b8-5d22-a1ee-b1969fb3956d.achievement.json",
        "ce-a1975914-e9b8-5d22-a1ee-b1969fb3956d.credential.json"]


def test_real_registry_credentials_export_valid_badges():
    jsonschema = pytest.importorskip("jsonschema")
    examples = reference("ctdl", "examples")
    schema = json.loads(reference("peers", "openbadges", "jsonschema",
                                  "ob_v3p0_achievementcredential_schema.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    store = open_store(":memory:")
    load(store, [examples / "registry-graphs", examples / "registry-envelopes"], fmt="jsonld")
    templates = [d for d in OpenBadgesExport(store).documents() if d.kind == "credential"]
    assert len(templates) >= 5
    errors = [f"{d.name} {e.json_path}: {e.message}" for d in templates for e in validator.iter_errors(d.data)]
    assert errors == []
