"""Build ``src/credgraph/load/bulk_upload_columns.json``: the Credential Publisher bulk-upload
CSV columns credgraph reads and writes, and what each means in CTDL.

Facts come from two places, and the script checks every entry against both:

* the header vocabulary and the header-matching rule come from the recovered Publisher notes
  ``../shared/reference/ctdl/csv/bulk-upload-columns.md`` (section 1: the rule and the required
  headers; sections 2 and 4: display headers used in Credential Engine's own upload files;
  section 3: every normalised header the 2019 importer accepts). Every alias below must occur
  there, and every name there must be claimed by a column (mapped, ignored or unsupported);
* the value kind, concept scheme and datatype of each mapped column come from
  ``ontology/ctdl.ttl`` (``cg:valueType``, ``meta:targetScheme``, ``schema:rangeIncludes``), and
  so does where a column applies: a column whose property CTDL does not declare
  (``schema:domainIncludes``) for a layout's resources, or for the embedded profile it fills, is
  listed under ``unsupported_by_layout`` instead (e.g. Coded Notation on credentials).

What only this script says (the judgement the notes leave open) is the table ``COLUMNS``: which
Publisher names are aliases of one column, which CTDL property a column fills, and the
structural kind (alignment by name or by code, identifier, organization reference).

Usage (from the repository root)::

    python tools/build_bulk_upload_columns.py           # rewrite the JSON file
    python tools/build_bulk_upload_columns.py --check   # exit 1 if the committed file is stale

    >>> normalise_header("ConditionProfile: Condition Type*")
    'conditionprofile.conditiontype'
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD

ROOT = Path(__file__).resolve().parents[1]
NOTES = ROOT.parent / "shared" / "reference" / "ctdl" / "csv" / "bulk-upload-columns.md"
ONTOLOGY = ROOT / "ontology" / "ctdl.ttl"
OUTPUT = ROOT / "src" / "credgraph" / "load" / "bulk_upload_columns.json"

CETERMS = Namespace("https://purl.org/ctdl/terms/")
SCHEMA = Namespace("https://schema.org/")
CG = Namespace("https://w3id.org/credgraph/terms/")
META = Namespace("http://credreg.net/meta/terms/")
SDO_HTTP = Namespace("http://schema.org/")
PREFIXES = {"ceterms": str(CETERMS), "schema": str(SCHEMA),
            "rdf": str(RDF), "xsd": str(XSD)}

C, L = "credential", "learning-opportunity"
BOTH = (C, L)

#: Embedded objects a row may create: parent node, linking property, class.
#: "condition" is linked by the property its "Condition Type" column names.
NODES = {
    "credit": {"parent": "resource", "property": "ceterms:creditValue", "class": "ceterms:ValueProfile"},
    "duration": {"parent": "resource", "property": "ceterms:estimatedDuration", "class": "ceterms:DurationProfile"},
    "condition": {"parent": "resource", "property": None, "class": "ceterms:ConditionProfile"},
    "condition.credit": {"parent": "condition", "property": "ceterms:creditValue", "class": "ceterms:ValueProfile"},
    "cost": {"parent": "resource", "property": "ceterms:estimatedCost", "class": "ceterms:CostProfile"},
}

#: Condition Type values (as written on export; read ignoring case and spaces) -> property.
#: The Publisher's own files write "requires" / "Requires" (notes, sections 2 and 4).
CONDITION_TYPES = {
    "requires": "ceterms:requires", "recommends": "ceterms:recommends",
    "corequisite": "ceterms:corequisite", "entryCondition": "ceterms:entryCondition",
    "renewal": "ceterms:renewal",
}

#: External classification schemes for the code columns (the frameworks data/ uses too).
FRAMEWORKS = {
    "cip": {"framework": "https://nces.ed.gov/ipeds/cipcode/",
            "name": "Classification of Instructional Programs", "pattern": r"^\d{2}(\.\d{2,4})?$",
            "example": "11.1003"},
    "soc": {"framework": "https://www.bls.gov/soc/", "name": "Standard Occupational Classification",
            "pattern": r"^\d{2}-\d{4}(\.\d{2})?$", "example": "15-1232"},
    "naics": {"framework": "https://www.census.gov/naics/",
              "name": "North American Industry Classification System", "pattern": r"^\d{2,6}$",
              "example": "541511"},
}

#: ISO 639-1 codes of languages the Publisher's Language column names in words ("English").
LANGUAGES = {
    "Arabic": "ar", "Bengali": "bn", "Chinese": "zh", "Czech": "cs", "Danish": "da", "Dutch": "nl",
    "English": "en", "Finnish": "fi", "French": "fr", "German": "de", "Greek": "el", "Hebrew": "he",
    "Hindi": "hi", "Hmong": "hmn", "Hungarian": "hu", "Italian": "it", "Japanese": "ja",
    "Korean": "ko", "Norwegian": "no", "Polish": "pl", "Portuguese": "pt", "Romanian": "ro",
    "Russian": "ru", "Somali": "so", "Spanish": "es", "Swahili": "sw", "Swedish": "sv",
    "Tagalog": "tl", "Thai": "th", "Turkish": "tr", "Ukrainian": "uk", "Urdu": "ur",
    "Vietnamese": "vi", "American Sign Language": "ase",
}

# (id, layouts, display header, aliases (normalised Publisher names), node, property, kind,
#  list?, required header?, extra)
# kinds: ctid, type, text, string, iri, concept, organization, resource, date, duration, number,
# language, identifier (IdentifierValue: "type~code" or code), external-id (IdentifierValue
# typed "External Identifier"), alignment-name (CredentialAlignmentObject by name),
# alignment-code (CredentialAlignmentObject by code in a classification), condition-type,
# currency; ignored (notes, never data) and unsupported (recognised, not read yet).
COLUMNS = [
    ("ctid", BOTH, "CTID", ["ctid"], "resource", "ceterms:ctid", "ctid", False, True, {}),
    ("external-identifier", BOTH, "External Identifier",
     ["externalidentifier", "uniqueidentifier", "identifier", "internalidentifier"],
     "resource", "ceterms:identifier", "external-id", False, False, {}),
    ("credential-type", (C,), "Credential Type", ["credentialtype", "credentialtypeschema"],
     "resource", "rdf:type", "type", False, True, {"base": "ceterms:Credential", "include_base": False}),
    ("learning-type", (L,), "Learning Type", ["learningtype"],
     "resource", "rdf:type", "type", False, True,
     {"base": "ceterms:LearningOpportunityProfile", "include_base": True}),
    ("credential-name", (C,), "Credential Name", ["name", "credentialname"],
     "resource", "ceterms:name", "text", False, True, {}),
    ("learning-name", (L,), "Learning Opportunity Name", ["name", "learningopportunityname"],
     "resource", "ceterms:name", "text", False, True, {}),
    ("description", BOTH, "Description", ["description", "credentialdescription"],
     "resource", "ceterms:description", "text", False, True, {}),
    ("subject-webpage", (C,), "Subject Webpage", ["subjectwebpage", "webpage"],
     "resource", "ceterms:subjectWebpage", "iri", False, True, {}),
    ("subject-webpage", (L,), "Subject Webpage", ["subjectwebpage", "webpage"],
     "resource", "ceterms:subjectWebpage", "iri", False, False, {}),
    ("credential-status", (C,), "Credential Status", ["credentialstatus", "credentialstatustype", "status"],
     "resource", "ceterms:credentialStatusType", "concept", False, False, {}),
    ("life-cycle-status", (L,), "Life Cycle Status Type", ["lifecyclestatustype"],
     "resource", "ceterms:lifeCycleStatusType", "concept", False, False, {}),
    ("language", BOTH, "Language", ["language", "inlanguage"],
     "resource", "ceterms:inLanguage", "language", True, False, {}),
    ("credit-unit-type", (L,), "Credit Unit Type", ["creditunittype"],
     "credit", "ceterms:creditUnitType", "concept", False, False, {}),
    ("credit-unit-value", (L,), "Credit Unit Value", ["creditunitvalue"],
     "credit", "schema:value", "number", False, False, {}),
    ("credit-unit-max-value", (L,), "Credit Unit Max Value", ["creditunitmaxvalue"],
     "credit", "schema:maxValue", "number", False, False, {}),
    ("owned-by", BOTH, "Owned By", ["ownedby", "existingorganizationctid", "orgctid"],
     "resource", "ceterms:ownedBy", "organization", True, False, {}),
    ("offered-by", BOTH, "Offered By", ["offeredby", "offeredbylist", "offeringorganization"],
     "resource", "ceterms:offeredBy", "organization", True, False, {"same_as": "owned-by"}),
    ("coded-notation", BOTH, "Coded Notation", ["codednotation"],
     "resource", "ceterms:codedNotation", "string", False, False, {}),
    ("subjects", BOTH, "Subjects", ["subjects", "subject"],
     "resource", "ceterms:subject", "alignment-name", True, False, {}),
    ("in-catalog", BOTH, "In Catalog", ["incatalog"],
     "resource", "ceterms:inCatalog", "iri", False, False, {}),
    ("version-identifier", BOTH, "Version Identifier", ["versionidentifier"],
     "resource", "ceterms:versionIdentifier", "identifier", True, False, {}),
    ("credential-id", (C,), "Credential Id", ["credentialid"],
     "resource", "ceterms:credentialId", "string", False, False, {}),
    ("alternate-name", BOTH, "Alternate Name", ["alternatename"],
     "resource", "ceterms:alternateName", "text", True, False, {}),
    ("date-effective", BOTH, "Date Effective", ["dateeffective"],
     "resource", "ceterms:dateEffective", "date", False, False, {}),
    ("image", BOTH, "Image URL", ["imageurl", "credentialimage"],
     "resource", "ceterms:image", "iri", False, False, {}),
    ("keywords", BOTH, "Keywords", ["keywords", "keyword"],
     "resource", "ceterms:keyword", "text", True, False, {}),
    ("audience-level", BOTH, "Audience Level Type", ["audienceleveltype", "audiencelevel"],
     "resource", "ceterms:audienceLevelType", "concept", True, False, {}),
    ("audience-type", BOTH, "Audience Type", ["audiencetype"],
     "resource", "ceterms:audienceType", "concept", True, False, {}),
    ("learning-delivery", (C,), "Learning Delivery Type", ["learningdeliverytype"],
     "resource", "ceterms:learningDeliveryType", "concept", True, False, {}),
    # Learning opportunities state delivery with ceterms:deliveryType (CTDL declares
    # learningDeliveryType for credentials only); the Publisher's column name is the same.
    ("delivery-type", (L,), "Learning Delivery Type", ["learningdeliverytype"],
     "resource", "ceterms:deliveryType", "concept", True, False, {}),
    ("assessment-delivery", BOTH, "Assessment Delivery Type", ["assessmentdeliverytype"],
     "resource", "ceterms:assessmentDeliveryType", "concept", True, False, {}),
    ("available-online-at", BOTH, "Available Online At", ["availableonlineat"],
     "resource", "ceterms:availableOnlineAt", "iri", True, False, {}),
    ("availability-listing", BOTH, "Availability Listing", ["availabilitylisting"],
     "resource", "ceterms:availabilityListing", "iri", True, False, {}),
    ("duration", BOTH, "Estimated Duration", ["duration", "estimatedduration"],
     "duration", "ceterms:exactDuration", "duration", False, False, {}),
    ("duration-description", BOTH, "Estimated Duration Description", ["estimateddurationdescription"],
     "duration", "ceterms:description", "text", False, False, {}),
    ("renewal-frequency", (C,), "Renewal Frequency", ["renewalfrequency"],
     "resource", "ceterms:renewalFrequency", "duration", False, False, {}),
    ("cip", BOTH, "CIP List", ["ciplist", "cip", "programs", "instructionalprogramtype"],
     "resource", "ceterms:instructionalProgramType", "alignment-code", True, False, {"classification": "cip"}),
    ("occupations", BOTH, "Occupation Type", ["occupationtype", "occupations", "soclist", "onetlist"],
     "resource", "ceterms:occupationType", "alignment-code", True, False, {"classification": "soc"}),
    ("industries", BOTH, "Industry Type", ["industrytype", "industries", "naics", "naicslist"],
     "resource", "ceterms:industryType", "alignment-code", True, False, {"classification": "naics"}),
    ("degree-major", (C,), "Degree Major", ["degreemajor", "degreemajors"],
     "resource", "ceterms:degreeMajor", "alignment-name", True, False, {}),
    ("degree-minor", (C,), "Degree Minor", ["degreeminor"],
     "resource", "ceterms:degreeMinor", "alignment-name", True, False, {}),
    ("degree-concentration", (C,), "Degree Concentration", ["degreeconcentration"],
     "resource", "ceterms:degreeConcentration", "alignment-name", True, False, {}),
    ("copyright-holder", (C,), "Copyright Holder", ["copyrightholder", "copyrightholder_ctid"],
     "resource", "ceterms:copyrightHolder", "organization", True, False, {}),
    ("accredited-by", BOTH, "Accredited By", ["accreditedby", "accreditedbylist"],
     "resource", "ceterms:accreditedBy", "organization", True, False, {}),
    ("approved-by", BOTH, "Approved By", ["approvedby", "approvedbylist"],
     "resource", "ceterms:approvedBy", "organization", True, False, {}),
    ("recognized-by", BOTH, "Recognized By", ["recognizedby", "recognizedbylist"],
     "resource", "ceterms:recognizedBy", "organization", True, False, {}),
    ("regulated-by", BOTH, "Regulated By", ["regulatedby"],
     "resource", "ceterms:regulatedBy", "organization", True, False, {}),
    ("latest-version", (C,), "Latest Version", ["latestversion"],
     "resource", "ceterms:latestVersion", "resource", False, False, {}),
    ("previous-version", (C,), "Previous Version", ["previousversion"],
     "resource", "ceterms:previousVersion", "resource", False, False, {}),
    ("process-standards", (C,), "Process Standards", ["processstandards"],
     "resource", "ceterms:processStandards", "iri", False, False, {}),
    ("process-standards-description", (C,), "Process Standards Description", ["processstandardsdescription"],
     "resource", "ceterms:processStandardsDescription", "text", False, False, {}),
    ("common-conditions", BOTH, "Common Conditions", ["commonconditions"],
     "resource", "ceterms:commonConditions", "resource", True, False, {}),
    ("common-costs", BOTH, "Common Costs", ["commoncosts"],
     "resource", "ceterms:commonCosts", "resource", True, False, {}),
    # One embedded ConditionProfile per row (2019 importer; Credential Engine's 2024-26 ETL files).
    ("condition-type", BOTH, "ConditionProfile: Condition Type",
     ["conditionprofile.conditiontype", "conditionprofile.type"],
     "condition", None, "condition-type", False, False, {"default": "requires"}),
    ("condition-name", BOTH, "ConditionProfile: Name", ["conditionprofile.name"],
     "condition", "ceterms:name", "text", False, False, {}),
    ("condition-description", BOTH, "ConditionProfile: Description", ["conditionprofile.description"],
     "condition", "ceterms:description", "text", False, False, {}),
    ("condition-webpage", BOTH, "ConditionProfile: Subject Webpage", ["conditionprofile.subjectwebpage"],
     "condition", "ceterms:subjectWebpage", "iri", False, False, {}),
    ("condition-items", BOTH, "ConditionProfile: Condition Items", ["conditionprofile.conditionitems"],
     "condition", "ceterms:condition", "text", True, False, {}),
    ("condition-experience", BOTH, "ConditionProfile: Experience", ["conditionprofile.experience"],
     "condition", "ceterms:experience", "text", False, False, {}),
    ("condition-years", BOTH, "ConditionProfile: Years Of Experience", ["conditionprofile.yearsofexperience"],
     "condition", "ceterms:yearsOfExperience", "number", False, False, {}),
    ("condition-credit-unit-type", BOTH, "ConditionProfile: Credit Unit Type", ["conditionprofile.creditunittype"],
     "condition.credit", "ceterms:creditUnitType", "concept", False, False, {}),
    ("condition-credit-unit-value", BOTH, "ConditionProfile: Credit Unit Value", ["conditionprofile.creditunitvalue"],
     "condition.credit", "schema:value", "number", False, False, {}),
    ("condition-credit-description", BOTH, "ConditionProfile: Credit Unit Type Description",
     ["conditionprofile.creditunittypedescription"],
     "condition", "ceterms:creditUnitTypeDescription", "text", False, False, {}),
    # CTDL has no targetCompetencyFramework on a ConditionProfile: the framework is stated as a
    # targetCompetency alignment object whose ceterms:framework is the framework.
    ("condition-frameworks", BOTH, "ConditionProfile: Required Competency Framework",
     ["conditionprofile.requiredcompetencyframework"],
     "condition", "ceterms:targetCompetency", "alignment-framework", True, False, {}),
    ("condition-credentials", BOTH, "ConditionProfile: Target Credential",
     ["conditionprofile.targetcredential", "conditionprofile.credentiallist"],
     "condition", "ceterms:targetCredential", "resource", True, False, {}),
    ("condition-assessments", BOTH, "ConditionProfile: Target Assessment",
     ["conditionprofile.targetassessment", "conditionprofile.assessmentlist", "conditionprofile.assessment_ctid"],
     "condition", "ceterms:targetAssessment", "resource", True, False, {}),
    ("condition-learning", BOTH, "ConditionProfile: Target Learning Opportunity",
     ["conditionprofile.targetlearningopportunity", "conditionprofile.learningopportunitylist"],
     "condition", "ceterms:targetLearningOpportunity", "resource", True, False, {}),
    # One embedded CostProfile per row; the Publisher requires details URL and description with it.
    ("cost-name", BOTH, "Cost: Name", ["cost.name"], "cost", "ceterms:name", "text", False, False, {}),
    ("cost-description", BOTH, "Cost: Description", ["cost.description"],
     "cost", "ceterms:description", "text", False, False, {"required_with_node": True}),
    ("cost-details", BOTH, "Cost: Details URL", ["cost.detailsurl"],
     "cost", "ceterms:costDetails", "iri", False, False, {"required_with_node": True}),
    ("cost-currency", BOTH, "Cost: Currency Type", ["cost.currencytype"],
     "cost", "ceterms:currency", "currency", False, False, {}),
    # Notes to the person uploading; never data.
    ("comments", BOTH, "Comments", ["comments", "comment"], None, None, "ignored", False, False, {}),
]

#: Publisher names credgraph recognises but does not read yet: their values are reported as
#: left out (one warning per column), never silently dropped.
UNSUPPORTED = {
    "action": "Publisher row actions (add/update/delete) are instructions to the Publisher, not data",
    "addresses": "addresses refer to the owner's saved addresses in the Publisher account",
    "availableat": "addresses refer to the owner's saved addresses in the Publisher account",
    "availableatcodes": "addresses refer to the owner's saved addresses in the Publisher account",
    "assessments": "assessment links need the Publisher account's assessment list",
    "advancedstandingfor.*": "connection profiles are not read from CSV yet",
    "connectionprofile.*": "connection profiles are not read from CSV yet",
    "assessment.*": "embedded assessments are not read from CSV yet",
    "learningopp.*": "embedded learning opportunities are not read from CSV yet",
    "conditionprofile.credithourtype": "credit hours are obsolete in CTDL (use Credit Unit Type/Value)",
    "conditionprofile.credithourvalue": "credit hours are obsolete in CTDL (use Credit Unit Type/Value)",
    "conditionprofile.submissions": "submission items are free text in the Publisher, URLs in CTDL",
    "conditionprofile.submissionofitems": "submission items are free text in the Publisher, URLs in CTDL",
    "conditionprofile.assessment_identifier": "assessment identifiers need the Publisher account",
    "cost.typeslist": "the cost-type list format is not documented in the recovered notes",
    "conditionprofile.externalidentifier": "a Publisher-side key matching profiles across uploads; "
                                           "CTDL has no identifier on a condition profile",
    "conditionprofile.identifier": "a Publisher-side key matching profiles across uploads; "
                                   "CTDL has no identifier on a condition profile",
    "conditionprofile.internalidentifier": "a Publisher-side key matching profiles across uploads; "
                                           "CTDL has no identifier on a condition profile",
    "conditionprofile.uniqueidentifier": "a Publisher-side key matching profiles across uploads; "
                                         "CTDL has no identifier on a condition profile",
    "cost.externalidentifier": "a Publisher-side key matching costs across uploads; CTDL has no identifier "
                               "on a cost profile",
    "cost.internalidentifier": "a Publisher-side key matching costs across uploads; CTDL has no identifier "
                               "on a cost profile",
}


def normalise_header(header: str) -> str:
    """The Publisher's header key: lower case, spaces and ``*`` removed, ``:`` as ``.``."""
    return header.strip().lower().replace(" ", "").replace("*", "").replace(":", ".")


def _section(text: str, number: int) -> str:
    match = re.search(rf"^## {number}\..*?(?=^## |\Z)", text, re.S | re.M)
    if not match:
        raise SystemExit(f"{NOTES}: section {number} not found; the notes changed shape")
    return match.group(0)


def _expand(name: str) -> list[str]:
    """``degreemajor(s)`` -> degreemajor, degreemajors; ``offeredby(list)`` -> both forms."""
    match = re.fullmatch(r"([a-z_.]+)\(([a-z_]+)\)", name)
    return [match.group(1), match.group(1) + match.group(2)] if match else [name]


def notes_vocabulary(text: str) -> tuple[set[str], set[str]]:
    """Every normalised header the notes name, and the required ones of section 1."""
    names: set[str] = set()
    for number in (2, 4):  # display headers quoted in upload files and scripts
        for block in re.findall(r"`([^`]+)`", _section(text, number)):
            for header in block.split(","):
                header = header.strip()
                if re.fullmatch(r"[A-Za-z][A-Za-z ]*(: ?[A-Za-z ]+)?\*?", header):
                    names.add(normalise_header(header))
    section3 = _section(text, 3)
    body = section3.split("\n", 2)[2]
    body = re.sub(r"\(Semantics:.*?\)", "", body, flags=re.S)
    body = body.replace("(+ learningopp.learningresourceurl, availableat)", "; learningopp.* : learningresourceurl, availableat")
    body = body.replace("`", "").replace("\n", " ")
    for segment in body.split(";"):
        segment = segment.strip().rstrip(".")
        prefixes = [""]
        match = re.match(r"^([a-z./* ]+?)\s:\s(.*)$", segment)
        if match:
            prefixes = [p.strip().rstrip("*") for p in match.group(1).split("/")]
            segment = match.group(2)
        if segment.startswith("From "):
            segment = segment.split(":", 1)[1]
        for item in segment.split(","):
            item = item.strip().rstrip(".")
            previous = ""
            for part in item.split("/"):
                part = part.strip()
                if not part:
                    continue
                if part.startswith("."):  # "advancedstandingfor.assertedby.name/.subjectwebpage"
                    part = previous.rsplit(".", 1)[0] + part
                previous = part
                for name in _expand(part):
                    for prefix in prefixes:
                        names.add(prefix + name)
    names = {n for n in names if re.fullmatch(r"[a-z_.]+", n)}
    section1 = " ".join(_section(text, 1).split())
    required = {normalise_header(w) for w in ("name", "description", "credential type", "subject webpage")
                if w in section1.lower()}
    return names, required


#: The class a layout's rows are (subclasses of).
LAYOUT_BASES = {C: "ceterms:Credential", L: "ceterms:LearningOpportunityProfile"}


def _in_domain(graph: Graph, prop: URIRef, cls: URIRef) -> bool:
    """Whether ctdl.ttl declares ``prop`` for ``cls``, one of its subclasses or superclasses."""
    domain = set(graph.objects(prop, SCHEMA.domainIncludes)) | set(graph.objects(prop, SDO_HTTP.domainIncludes))
    if not domain:
        return True  # declared for nothing in particular (e.g. logicalOperator): do not judge
    related = set(graph.transitive_subjects(RDFS.subClassOf, cls)) | set(graph.transitive_objects(cls, RDFS.subClassOf))
    return bool(domain & related)


def _covered(name: str, aliases: set[str]) -> bool:
    if name in aliases or name in UNSUPPORTED:
        return True
    return any(key.endswith(".*") and name.startswith(key[:-1]) for key in UNSUPPORTED)


def _curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _iri(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def _derived_kind(graph: Graph, prop: URIRef) -> tuple[str, dict]:
    """What ctdl.ttl says a property's values are, in this file's kinds."""
    value_type = graph.value(prop, CG.valueType)
    ranges = set(graph.objects(prop, SCHEMA.rangeIncludes)) | set(graph.objects(prop, SDO_HTTP.rangeIncludes))
    scheme = graph.value(prop, META.targetScheme)
    if value_type == RDF.langString:
        return "text", {}
    if value_type == XSD.string:
        return "string", {}
    if value_type == XSD.date:
        return "date", {}
    if value_type == XSD.language:
        return "language", {}
    if value_type in (XSD.float, XSD.decimal, XSD.integer):
        return "number", {"datatype": _curie(str(value_type))}
    if value_type == SCHEMA.Duration:
        return "duration", {}
    if value_type == CG.Reference:
        if scheme is not None and any(graph.objects(scheme, META.hasConcept)):
            return "concept", {"scheme": _curie(str(scheme))}
        if scheme is not None:
            return "alignment-code", {}
        if XSD.anyURI in ranges:
            return "iri", {}
        if CETERMS.IdentifierValue in ranges:
            return "identifier", {}
        if CETERMS.CredentialAlignmentObject in ranges:
            return "alignment-name", {}
        if ranges and ranges <= {CETERMS.CredentialOrganization, CETERMS.Organization,
                                 CETERMS.QACredentialOrganization, CETERMS.CredentialPerson}:
            return "organization", {}
        return "resource", {}
    raise SystemExit(f"{prop}: no cg:valueType in {ONTOLOGY}; cannot tell its kind")


#: Kinds the table may choose where ctdl.ttl allows a wider one.
COMPATIBLE = {
    ("external-id", "identifier"), ("currency", "string"), ("ctid", "string"),
    ("alignment-framework", "alignment-name"),  # targetCompetency: competency or alignment object
}


def build(notes_text: str, graph: Graph) -> dict:
    vocabulary, required_by_notes = notes_vocabulary(notes_text)
    columns = []
    problems = []
    out_of_domain: dict[str, dict[str, str]] = {}
    claimed: dict[tuple[str, str], str] = {}
    all_aliases: set[str] = set()
    for (cid, layouts, header, aliases, node, prop, kind, is_list, required, extra) in COLUMNS:
        if normalise_header(header) not in aliases:
            problems.append(f"{cid}: display header {header!r} is not one of its aliases")
        for alias in aliases:
            if alias not in vocabulary:
                problems.append(f"{cid}: alias {alias!r} does not occur in the notes")
            for layout in layouts:
                if (layout, alias) in claimed:
                    problems.append(f"{cid}: alias {alias!r} already belongs to {claimed[layout, alias]} in {layout}")
                claimed[layout, alias] = cid
        all_aliases.update(aliases)
        entry = {"id": cid, "header": header, "aliases": aliases, "layouts": list(layouts),
                 "node": node, "property": prop, "kind": kind, "list": is_list, "required": required}
        if prop and prop != "rdf:type" and kind not in ("ignored",):
            iri = _iri(prop)
            if (iri, None, None) not in graph:
                problems.append(f"{cid}: property {prop} is not in {ONTOLOGY.name}")
            else:
                derived, facts = _derived_kind(graph, iri)
                if derived != kind and (kind, derived) not in COMPATIBLE:
                    problems.append(f"{cid}: ctdl.ttl makes {prop} a {derived} value, the table says {kind}")
                entry.update(facts)
                # A column whose property CTDL does not declare for the layout's resources (or the
                # embedded node) is not read there: recognised, reported, left out.
                for layout in list(entry["layouts"]):
                    subject_class = LAYOUT_BASES[layout] if node == "resource" else NODES[node]["class"]
                    if not _in_domain(graph, iri, _iri(subject_class)):
                        entry["layouts"].remove(layout)
                        for alias in aliases:
                            out_of_domain.setdefault(layout, {})[alias] = (
                                f"CTDL does not declare {prop} for {subject_class} (schema:domainIncludes)")
        if kind == "type":
            base = _iri(extra["base"])
            if (base, RDF.type, RDFS.Class) not in graph:
                problems.append(f"{cid}: base class {extra['base']} is not in {ONTOLOGY.name}")
        if kind == "alignment-code":
            entry.update({k: v for k, v in FRAMEWORKS[extra["classification"]].items()})
        entry.update({k: v for k, v in extra.items() if k != "classification"})
        columns.append(entry)
    for name in sorted(vocabulary):
        if not _covered(name, all_aliases):
            problems.append(f"the notes name header {name!r}, which no column claims (map it, or list it "
                            "in UNSUPPORTED)")
    for name in required_by_notes:
        if not any(name in c["aliases"] and c["required"] for c in columns):
            problems.append(f"section 1 requires {name!r}, which no column marks required")
    for display, prop in CONDITION_TYPES.items():
        ranges = set(graph.objects(_iri(prop), SCHEMA.rangeIncludes)) | set(graph.objects(_iri(prop), SDO_HTTP.rangeIncludes))
        if CETERMS.ConditionProfile not in ranges:
            problems.append(f"condition type {display}: {prop} does not take a ConditionProfile in {ONTOLOGY.name}")
    for node in NODES.values():
        if (_iri(node["class"]), RDF.type, RDFS.Class) not in graph:
            problems.append(f"node class {node['class']} is not in {ONTOLOGY.name}")
    if problems:
        raise SystemExit("cannot build the column mapping:\n  " + "\n  ".join(problems))
    return {
        "about": "Credential Publisher bulk-upload CSV columns read and written by credgraph. "
                 "GENERATED by tools/build_bulk_upload_columns.py from the recovered Publisher notes "
                 "(bulk-upload-columns.md) and ontology/ctdl.ttl; do not edit by hand.",
        "source_sha256": hashlib.sha256(notes_text.encode("utf-8")).hexdigest(),
        "header_rule": "lower case; remove spaces and '*'; ':' becomes '.' (CredentialsUpload.cs ValidateHeaders)",
        "list_separator": "|",
        "pair_separator": "~",
        "same_as_owner": "same as owner",
        "layouts": {
            C: {"type_column": "credential-type", "resource": "credential"},
            L: {"type_column": "learning-type", "resource": "learning opportunity"},
        },
        "nodes": NODES,
        "condition_types": CONDITION_TYPES,
        "prefixes": PREFIXES,
        "languages": LANGUAGES,
        "unsupported": UNSUPPORTED,
        "unsupported_by_layout": {layout: dict(sorted(names.items())) for layout, names in sorted(out_of_domain.items())},
        "columns": [c for c in columns if c["layouts"]],
    }


def render(notes: Path = NOTES, ontology: Path = ONTOLOGY) -> str:
    graph = Graph()
    graph.parse(ontology, format="turtle")
    data = build(notes.read_text(encoding="utf-8"), graph)
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed file is stale")
    parser.add_argument("--notes", type=Path, default=NOTES)
    args = parser.parse_args(argv)
    if not args.notes.exists():
        print(f"{args.notes} is absent: the mapping is built from the reference notes", file=sys.stderr)
        return 2
    text = render(args.notes)
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is stale; run python tools/build_bulk_upload_columns.py",
                  file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(json.loads(text)['columns'])} columns)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
