"""schema.org export: types, the equivalences CTDL declares, and terms schema.org defines.

Terms are checked against the schema.org credential subset in ../shared/reference/peers/schemaorg
(skipped when absent): every schema.org property the export uses that the subset declares must
admit the node's type in its schema:domainIncludes.
"""

from __future__ import annotations

import pytest
import rdflib

from conftest import ROOT, reference
from credgraph.export.schemaorg import SchemaOrgExport, equivalents, offline_contexts
from credgraph.load import load
from credgraph.store import open_store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
MICRO = "ce-a1975914-e9b8-5d22-a1ee-b1969fb3956d"


@pytest.fixture(scope="module")
def documents():
    store = open_store(":memory:")
    load(store, [ROOT / "data" / "credentials"])
    return {d.name: d.data for d in SchemaOrgExport(store).documents()}


def test_equivalences_come_from_ctdls_own_declarations():
    table = equivalents()
    assert table["https://purl.org/ctdl/terms/subjectWebpage"] == "mainEntityOfPage"
    assert table["https://purl.org/ctdl/terms/offeredBy"] == "provider"


def test_types(documents):
    kinds = {d["@type"] for d in documents.values()}
    assert kinds == {"EducationalOccupationalCredential", "EducationalOccupationalProgram", "Course"}
    assert sum(d["@type"] == "EducationalOccupationalCredential" for d in documents.values()) == 42


def test_credential_content(documents):
    doc = documents[MICRO]
    assert doc["@context"] == "https://schema.org"
    assert doc["credentialCategory"]["name"] == "Micro-Credential"
    assert {"@type": "Offer", "price": 950.0, "priceCurrency": "EUR",
            "description": "Course fee including the assessment.", "category": "Tuition"} in doc["offers"]
    assert len(doc["competencyRequired"]) == 4
    assert doc["recognizedBy"][0]["@type"] == "Organization"
    assert any(level.get("url") == "http://data.europa.eu/snb/eqf/5" for level in doc["educationalLevel"])


def test_program_lists_the_credential_it_leads_to(documents):
    courses = [d for d in documents.values() if d["@type"] == "Course" and d.get("educationalCredentialAwarded")]
    assert courses and all(c["educationalCredentialAwarded"][0]["@type"] == "EducationalOccupationalCredential"
                           for c in courses)


def _walk(node, found):
    if isinstance(node, list):
        for item in node:
            _walk(item, found)
    elif isinstance(node, dict):
        kind = node.get("@type")
        for key, value in node.items():
            if not key.startswith("@"):
                found.append((kind, key))
            _walk(value, found)


def test_properties_fit_schema_org_domains(documents):
    subset = rdflib.Graph().parse(reference("peers", "schemaorg", "schemaorg_credential_subset.ttl"))
    schema = rdflib.Namespace("http://schema.org/")
    parents = {}
    for child, parent in subset.subject_objects(rdflib.RDFS.subClassOf):
        parents.setdefault(str(child).rsplit("/", 1)[-1], set()).add(str(parent).rsplit("/", 1)[-1])

    def ancestors(kind):
        out, stack = set(), [kind]
        while stack:
            k = stack.pop()
            if k not in out:
                out.add(k)
                stack += parents.get(k, ())
        return out | {"CreativeWork", "Thing"} if kind in ("EducationalOccupationalCredential", "Course") else out

    checked = 0
    for doc in documents.values():
        pairs = []
        _walk(doc, pairs)
        for kind, key in pairs:
            domains = {str(d).rsplit("/", 1)[-1] for d in subset.objects(schema[key], schema.domainIncludes)}
            if domains and kind:
                checked += 1
                assert domains & ancestors(kind), (kind, key, domains)
    assert checked > 100


def test_offline_context_expands_everything_under_schema_org(documents):
    jsonld = pytest.importorskip("pyld.jsonld")
    table = {url: {"@context": ctx} for url, ctx in offline_contexts().items()}

    def loader(url, options=None):
        return {"contextUrl": None, "documentUrl": url, "document": table[url]}

    quads = jsonld.to_rdf(documents[MICRO], {"documentLoader": loader, "format": "application/n-quads"})
    predicates = {line.split(" ")[1] for line in quads.splitlines()}
    assert predicates and all(p.startswith("<https://schema.org/") or p.endswith("#type>") for p in predicates)
