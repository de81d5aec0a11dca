"""Validation on third-party material and the project's own data.

- the peer SHACL samples (shacl-ctdlvalidation) and ctdl-validate's fixtures: files named valid
  (or clean) conform; files named for errors or warnings yield them at the nodes and properties
  their own content makes wrong (each expectation below was read off the file);
- the real registry documents: every Violation is one tests/shapes/real-documents.json explains,
  and the verdict table in docs/validation.md is current;
- data/ conforms to the publishing profiles.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import ROOT, reference

pytestmark = pytest.mark.reference


def results(path: Path, profiles=None):
    from credgraph.validate import validate

    report = validate([path], profiles=profiles)
    assert not report.errors, report.errors
    return report


def at(report, path: str, location: str = "-"):
    """Results on a property (as reports print it) of a focus reached by ``location``."""
    return [r for r in report.results if (r.path or "-") == path and (" > ".join(r.location) or "-") == location]


# ----------------------------------------------------------------------------------- peer samples
PEER = ("peers", "ctdl", "shacl-ctdlvalidation")

#: file -> (severity, location, path) each result the file's own comments or content call for.
PEER_EXPECTED = {
    "samples_competency_req_4errors.json": [      # error1..error4 in the file
        ("Violation", "-", "ceterms:ctid"),              # "malformed ctid": no-0123...
        ("Warning", "-", "ceasn:competencyText"),        # "not a langString"
        ("Violation", "-", "ceasn:dateCreated"),         # "incorrect date": Tuesday Feb 14, 2021
        ("Violation", "-", "ceasn:isPartOf"),            # "no ispart of property"
    ],
    "samples_comptency_req_4errors.ttl": [
        ("Violation", "-", "ceterms:ctid"),              # no ctid
        ("Warning", "-", "ceasn:competencyText"),        # text not langString
        ("Violation", "-", "ceasn:isPartOf"),            # literal anyURI, not IRI node
        ("Violation", "-", "ceasn:dateCreated"),         # not a valid date
    ],
    "samples_credOrg_rec_warnings.ttl": [
        ("Violation", "-", "ceterms:socialMedia"),       # just a string, not a URI
        ("Warning", "-", "ceterms:keyword"),             # not a langstring
        ("Warning", "-", "ceterms:serviceType / ceterms:framework"),   # wrong framework IRI
        # "IRI not an xsd:anyURI typed Literal" for ceterms:image: an IRI is right (docs/validation.md)
    ],
    "samples_credOrg_req_errors-missing-props.ttl": [
        ("Violation", "-", p) for p in ("ceterms:ctid", "ceterms:name", "ceterms:description", "ceterms:subjectWebpage",
                                        "ceterms:agentType", "ceterms:agentSectorType", "-")   # "-": address or email
    ],
    "samples_credOrg_req_errors-valueTypes.ttl": [
        ("Violation", "-", "ceterms:ctid"),              # wrong format
        ("Warning", "-", "ceterms:name"),                # not a LangString
        ("Violation", "-", "ceterms:name"),              # name repeated in one language
        ("Warning", "-", "ceterms:description"),         # not a LangString
        ("Violation", "-", "ceterms:description"),       # too short
        ("Violation", "-", "ceterms:email"),             # invalid format
        ("Warning", "-", "ceterms:subjectWebpage"),      # literal anyURI, not IRI
        # agentType / agentSectorType / address as IRIs are valid encodings (docs/validation.md)
    ],
    "samples_no-nodes.ttl": [                            # legacy namespace, normalised: an incomplete org
        ("Violation", "-", "ceterms:agentType"),
    ],
}
PEER_VALID = ["samples_credOrg_req_valid.ttl", "samples_credOrg_rec_valid.ttl", "samples_competency_req.json"]


@pytest.mark.parametrize("name", PEER_VALID)
def test_peer_valid_samples_conform(name):
    report = results(reference(*PEER, name))
    assert report.conforms, report.to_text(severities=("Violation",))


@pytest.mark.parametrize("name", sorted(PEER_EXPECTED))
def test_peer_error_samples_yield_their_errors(name):
    report = results(reference(*PEER, name))
    for severity, location, path in PEER_EXPECTED[name]:
        assert [r for r in at(report, path, location) if r.severity == severity], \
            f"{name}: expected a {severity} at {path}\n" + report.to_text()


def test_peer_sample_without_ce_prefix_is_reported():
    """samples_comptency_req.ttl says it validates, but its CTID lacks "ce-"."""
    report = results(reference(*PEER, "samples_comptency_req.ttl"))
    assert [r.shape for r in report.results if r.severity == "Violation"] == \
        ["https://w3id.org/credgraph/shapes/ctdl-structure#ctid-grammar"]


# ----------------------------------------------------------------------- ctdl-validate fixtures
FIXTURES = ("ctdl", "examples", "validator-fixtures")
CTDL_VALIDATE_EXPECTED = {
    # the bare UUID given as CTID
    "bug_class_250_bare_uuid_for_ctid.json": [("Violation", "b55f88e3-dfd4-430b-ab47-3e5f9986e1e4", "ceterms:ctid")],
    # two competencies whose isPartOf names something else than the framework of their document
    "bug_class_252_wrong_framework_identifier.json": [
        ("Violation", "ce-9e492574-07fc-4154-b7f2-898425f4f3a3", "ceasn:isPartOf"),
        ("Violation", "ce-b4da9602-bb7a-4ddc-9426-f119482e32a9", "ceasn:isPartOf")],
    # upper-case hexadecimal breaks the (lower-case) grammar; a version 1 UUID is for information
    "ctid_warnings.json": [("Violation", "-", "ceterms:ctid"), ("Info", "-", "ceterms:ctid")],
    # an Organization with isPartOf (a Course's property)
    "domain_violation.json": [("Violation", "ce-79298677-d0e4-4799-853a-a633d9071826", "ceterms:isPartOf")],
    # A hasPart B, but B says it is part of C only
    "inverse_mismatch.json": [("Warning", "ce-59e8d15f-7895-4346-a5a8-7a0739a3d344", "ceterms:hasPart")],
    "unresolved_bnode.json": [("Violation", "ce-82566cee-17f3-4a6e-8f59-b45273aac457", "ceterms:ownedBy")],
}


@pytest.mark.parametrize("name", ["clean_framework.json", "clean_single_entity.json"])
def test_ctdl_validate_clean_fixtures_conform_to_structure(name):
    report = results(reference(*FIXTURES, name), ["structure"])
    assert report.results == [], report.to_text()


@pytest.mark.parametrize("name", sorted(CTDL_VALIDATE_EXPECTED))
def test_ctdl_validate_fixtures_yield_their_findings(name):
    report = results(reference(*FIXTURES, name), ["structure"])
    found = {(r.severity, r.resource.rsplit("/", 1)[-1] if r.resource else "-", r.path) for r in report.results}
    assert set(CTDL_VALIDATE_EXPECTED[name]) <= found, report.to_text()
    assert report.counts["Violation"] == sum(1 for e in CTDL_VALIDATE_EXPECTED[name] if e[0] == "Violation") + \
        (1 if name.startswith("bug_class_252") else 0)   # + the range violation of the competency-valued isPartOf



# ---------------------------------------------------------------------------- real documents
def load_tool():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import validation_verdicts
    finally:
        sys.path.pop(0)
    return validation_verdicts


@pytest.fixture(scope="module")
def verdicts():
    examples = reference("ctdl", "examples")
    return load_tool().verdicts(examples)


def test_every_violation_on_real_documents_is_explained(verdicts):
    explanations = json.loads((ROOT / "tests" / "shapes" / "real-documents.json").read_text(encoding="utf-8"))
    unexplained = [(row["document"], kind) for row in verdicts for kind in row["violations"]
                   if kind not in explanations.get(row["document"], {})]
    assert unexplained == [], "Violations nobody has confirmed by reading the document (false alarms?)"
    stale = [(doc, kind) for doc, kinds in explanations.items() if not doc.startswith("_") for kind in kinds
             if kind not in next((r["violations"] for r in verdicts if r["document"] == doc), {})]
    assert stale == [], "explanations of Violations that no longer occur"


def test_every_real_document_loads(verdicts):
    assert verdicts and all(row["loaded"] for row in verdicts)


def test_no_false_alarms_from_encodings(verdicts):
    """Registry JSON-LD encodings (IRIs for web addresses, alignment objects for concepts) pass."""
    kinds = {kind.split(" ")[0] for row in verdicts for kind in row["violations"]}
    assert not any(k.startswith("webaddress-") for k in kinds)
    assert not any(k.endswith("-reference") for k in kinds)


def test_verdict_table_in_docs_is_current(verdicts):
    tool = load_tool()
    explanations = json.loads(tool.EXPLANATIONS.read_text(encoding="utf-8"))
    text = tool.DOC.read_text(encoding="utf-8")
    assert tool.updated_doc(text, tool.render(verdicts, explanations)) == text, \
        "docs/validation.md is stale: run python tools/validation_verdicts.py"


# ------------------------------------------------------------------------------------ data/
def test_project_data_conforms_to_publishing_profiles():
    from credgraph.validate import validate

    report = validate([ROOT / "data"], profiles=["registry", "structure"])
    assert not report.errors, report.errors
    assert report.conforms, report.to_text(severities=("Violation",))
