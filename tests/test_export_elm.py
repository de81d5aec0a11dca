"""European Learning Model export: qualification vs learning achievement specification, the EU
micro-credential elements, and conformance to the ELM LOQ (Qualification Dataset Register) SHACL
shapes from ../shared/reference/peers/elm/ (skipped when absent).

The LOQ shapes use two regular-expression features of Java/XPath that Python's ``re`` lacks
(``\\p{L}`` classes, an inline ``(?i)`` after ``^``); the test rewrites those two patterns to
Python equivalents before validating (nothing else is changed).
"""

from __future__ import annotations

import copy
import json

import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import ROOT, reference
from credgraph.export.elm import CONTEXT, ElmExport, country_concept, language_concept, offline_contexts
from credgraph.load import load, load_bytes
from credgraph.store import open_store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
UNDEFINED = "urn:credgraph:undefined-term#"
SANDBOX = "https://sandbox.credentialengineregistry.org/resources/"
MICRO = "ce-a1975914-e9b8-5d22-a1ee-b1969fb3956d"

QUALIFICATION = f"""
@prefix ceterms: <https://purl.org/ctdl/terms/> .
@prefix ceasn: <https://purl.org/ctdlasn/terms/> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix creditUnit: <https://purl.org/ctdl/vocabs/creditUnit/> .
<{SANDBOX}ce-00000000-0000-4000-8000-00000000000a> a ceterms:MicroCredential ;
  ceterms:ctid "ce-00000000-0000-4000-8000-00000000000a" ;
  ceterms:name "Applied Data Ethics"@en ; ceterms:description "A micro-credential."@en ;
  ceterms:inLanguage "de"^^xsd:language ;
  ceterms:ownedBy <{SANDBOX}ce-00000000-0000-4000-8000-00000000000b> ;
  ceterms:accreditedBy <{SANDBOX}ce-00000000-0000-4000-8000-00000000000c> ;
  ceterms:atLevel [ a ceterms:CredentialAlignmentObject ; ceterms:targetNode <http://data.europa.eu/snb/eqf/6> ;
      ceterms:targetNodeName "EQF level 6"@en ],
    [ a ceterms:CredentialAlignmentObject ; ceterms:targetNode <http://data.europa.eu/snb/qdr/c_example> ;
      ceterms:targetNodeName "DQR Niveau 6"@en ; ceterms:frameworkName "DQR"@en ] ;
  ceterms:instructionalProgramType [ a ceterms:CredentialAlignmentObject ;
      ceterms:targetNode <http://data.europa.eu/snb/isced-f/0613> ; ceterms:targetNodeName "Software development"@en ] ;
  ceterms:requires [ a ceterms:ConditionProfile ; ceterms:description "Complete the module."@en ;
      ceterms:creditValue [ a ceterms:ValueProfile ; schema:value "3"^^xsd:float ; schema:description "3 ECTS"@en ] ;
      ceterms:targetCompetency [ a ceterms:CredentialAlignmentObject ; ceterms:targetNodeName "Assess bias in data sets"@en ;
          ceterms:targetNode <http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000001> ] ] .
<{SANDBOX}ce-00000000-0000-4000-8000-00000000000b> a ceterms:CredentialOrganization ;
  ceterms:ctid "ce-00000000-0000-4000-8000-00000000000b" ; ceterms:name "Hochschule Beispiel"@de ;
  ceterms:address [ a ceterms:Place ; ceterms:addressCountry "Germany"@en ] .
<{SANDBOX}ce-00000000-0000-4000-8000-00000000000c> a ceterms:QACredentialOrganization ;
  ceterms:ctid "ce-00000000-0000-4000-8000-00000000000c" ; ceterms:name "Akkreditierungsrat"@de ;
  ceterms:address [ a ceterms:Place ; ceterms:addressCountry "DE"@en ] .
"""


@pytest.fixture(scope="module")
def data_documents():
    store = open_store(":memory:")
    load(store, [ROOT / "data" / "credentials"])
    export = ElmExport(store)
    return list(export.documents()), export


@pytest.fixture(scope="module")
def qualification_documents():
    store = open_store(":memory:")
    load_bytes(store, QUALIFICATION.encode(), fmt="turtle")
    return list(ElmExport(store).documents())


def test_credential_with_eqf_nqf_iscedf_and_outcomes_is_a_qualification(qualification_documents):
    [doc] = [d.data for d in qualification_documents]
    assert doc["type"] == "Qualification"
    assert doc["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/6"
    assert doc["nqfLevel"][0]["id"] == "http://data.europa.eu/snb/qdr/c_example"
    assert doc["thematicArea"][0]["id"] == "http://data.europa.eu/snb/isced-f/0613"
    [outcome] = doc["learningOutcome"]
    assert outcome["relatedESCOSkill"][0]["id"].startswith("http://data.europa.eu/esco/skill/")
    assert doc["creditPoint"][0]["point"] == "3"
    assert doc["creditPoint"][0]["framework"]["prefLabel"] == {"en": "European Credit Transfer System"}
    body = doc["awardingOpportunity"]["awardingBody"]
    assert body["location"]["address"]["countryCode"]["id"].endswith("/country/DEU")
    [accreditation] = body["accreditation"]
    assert accreditation["accreditingAgent"]["legalName"] == {"de": "Akkreditierungsrat"}
    assert accreditation["limitQualification"] == {"id": doc["id"]}


def test_eu_microcredential_elements_of_the_data(data_documents):
    docs, _ = data_documents
    [doc] = [d.data for d in docs if d.name == MICRO]
    # no ISCED-F field stated: a learning achievement specification with the EQF level as education level
    assert doc["type"] == "LearningAchievementSpecification"
    assert doc["title"] == {"en-US": "Micro-credential Data Literacy for Logistics"}
    assert [c["id"] for c in doc["educationLevel"]] == ["http://data.europa.eu/snb/eqf/5"]
    assert len(doc["learningOutcome"]) == 4
    assert doc["creditPoint"][0]["point"] == "5"
    assert doc["volumeOfLearning"] == "PT140H"
    assert doc["mode"][0]["prefLabel"] == {"en": "Online"}
    assert doc["provenBy"][0]["id"] == SANDBOX + "ce-70d7a2dc-4659-54e7-89ab-8485637df9f1"
    body = doc["awardingOpportunity"]["awardingBody"]
    assert body["legalName"] and body["location"]["address"]["countryCode"]["id"].endswith("/NLD")
    assert body["accreditation"][0]["accreditingAgent"]["id"] == SANDBOX + "ce-707a8d04-53ab-5066-aeff-a8d8830d342f"


def test_awarding_body_without_country_is_reported_not_invented(data_documents):
    _, export = data_documents
    assert any("has no country in its address" in w for w in export.warnings)


@pytest.mark.parametrize("text, alpha3", [("NL", "NLD"), ("United States", "USA"), ("Germany", "DEU"),
                                          ("USA", "USA")])
def test_country_concepts(text, alpha3):
    assert country_concept(text)["id"] == f"http://publications.europa.eu/resource/authority/country/{alpha3}"


def test_unknown_language_keeps_its_code():
    assert language_concept("xx") == {"type": "Concept", "notation": "xx", "prefLabel": {"en": "xx"}}


def _loader(table: dict):
    def load_document(url, options=None):
        return {"contextUrl": None, "documentUrl": url, "document": table[url]}
    return load_document


def _to_graph(doc: dict, table: dict) -> rdflib.Graph:
    jsonld = pytest.importorskip("pyld.jsonld")
    text = jsonld.to_rdf(doc, {"documentLoader": _loader(table), "format": "application/n-quads"})
    return rdflib.Graph().parse(data=text, format="nquads")


def _loq_shapes() -> rdflib.Graph:
    shapes = rdflib.Graph().parse(reference("peers", "elm", "shacl", "LOQ-constraints.ttl"))
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    for shape, pattern in list(shapes.subject_objects(sh.pattern)):
        text = str(pattern).replace("\\p{L}\\p{Nl}\\p{Nd}", "\\w")
        if text.startswith("^(?i)"):
            text = "(?i)^" + text[5:]
        shapes.set((shape, sh.pattern, rdflib.Literal(text)))
    return shapes


def _official() -> dict:
    path = reference("peers", "elm", "edc-ap-context.jsonld")
    return {CONTEXT[0]: json.loads(path.read_text())}


@pytest.mark.parametrize("which", ["data", "qualification"])
def test_exports_conform_to_the_elm_loq_shapes(which, data_documents, qualification_documents):
    pyshacl = pytest.importorskip("pyshacl")
    docs = data_documents[0] if which == "data" else qualification_documents
    official, ours = _official(), {u: {"@context": c} for u, c in offline_contexts().items()}
    graph = rdflib.Graph()
    for doc in docs:
        probe = copy.deepcopy(doc.data)
        probe["@context"] = probe["@context"] + [{"@vocab": UNDEFINED}]
        expanded = _to_graph(probe, official)
        assert not [p for p in expanded.predicates() if str(p).startswith(UNDEFINED)], doc.name
        assert isomorphic(expanded, _to_graph(doc.data, ours)), doc.name
        graph += expanded
    conforms, _, text = pyshacl.validate(graph, shacl_graph=_loq_shapes())
    assert conforms, text[:3000]


def test_the_loq_check_is_not_vacuous(qualification_documents):
    pyshacl = pytest.importorskip("pyshacl")
    broken = copy.deepcopy(qualification_documents[0].data)
    del broken["thematicArea"]             # LOQ: a qualification needs an ISCED-F code
    conforms, _, _ = pyshacl.validate(_to_graph(broken, _official()), shacl_graph=_loq_shapes())
    assert not conforms
