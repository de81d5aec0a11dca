"""Generate the mechanical SHACL profiles: ``shapes/registry-minimum.ttl`` and ``shapes/ctdl-structure.ttl``.

Both files are *generated*; edit this script (or its inputs) and rerun it, never the output.

Inputs, all read locally:

* ``ontology/ctdl.ttl`` -- the CTDL/CTDL-ASN term base (classes and their subclasses, properties
  with domain/range, value forms, inverse pairs, concept schemes and their concepts);
* ``../shared/reference/ctdl/policy/policyBrowserData.json`` -- Credential Engine's policy browser
  data (about March 2022): required / recommended property sets per class;
* the overrides in ``POLICY_OVERRIDES`` below, each citing the newer source it comes from
  (the Registry Assistant API input models, 2026; see
  ``../shared/reference/ctdl/policy/minimum-data-policy.md``). Where the sources disagree the
  newest one wins and the generated file says so in a comment next to the shape.

The shapes embed the facts they need (class lists with every subclass, concept lists, domain and
range sets), so a validator needs neither RDFS inference nor the term base beside the data.

Usage (from the repository root)::

    python tools/build_shapes.py            # (re)write both files
    python tools/build_shapes.py --check    # exit 1 if a committed file differs from the output
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import OWL, SKOS, XSD

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "ctdl.ttl"
POLICY = ROOT.parent / "shared" / "reference" / "ctdl" / "policy" / "policyBrowserData.json"
SHAPES = ROOT / "shapes"

CETERMS = "https://purl.org/ctdl/terms/"
CEASN = "https://purl.org/ctdlasn/terms/"
QDATA = "https://credreg.net/qdata/terms/"
SCHEMA = "https://schema.org/"
META = "http://credreg.net/meta/terms/"
CG = "https://w3id.org/credgraph/terms/"
SH = "http://www.w3.org/ns/shacl#"
SHAPES_BASE = "https://w3id.org/credgraph/shapes/"
CGV = SHAPES_BASE + "vocab#"

#: Namespaces whose terms CTDL itself defines; domain, range, value-form and unknown-term checks
#: apply to these only (CTDL's declarations about borrowed schema.org/SKOS terms describe CTDL's
#: usage, not the terms).
CTDL_NAMESPACES = (CETERMS, CEASN)

POLICY_PAGE = "https://credreg.net/registry/policy#mindata"
RA = "https://github.com/CredentialEngine/Registry_Assistant/blob/master/src/RA.Models/Input/"
SOURCE_2022 = "policy browser data (about March 2022), the data behind " + POLICY_PAGE
SOURCE_RA = "Registry Assistant API input models (CredentialEngine/Registry_Assistant, 2026-03-06)"


# ------------------------------------------------------------------------------------------------
# Turtle writing helpers
# ------------------------------------------------------------------------------------------------

def lit(text: str, lang: str | None = "en") -> str:
    """A Turtle string literal (short form), language-tagged by default."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def long_lit(text: str) -> str:
    """A Turtle long string for SPARQL text (no language tag)."""
    assert '"""' not in text and "\\" not in text, "SPARQL in shapes must avoid backslashes and triple quotes"
    return '"""' + text + '"""'


class Terms:
    """The CTDL term base, read from ontology/ctdl.ttl."""

    def __init__(self, path: Path = ONTOLOGY):
        self.g = rdflib.Graph().parse(path)
        self.ns = {p: str(n) for p, n in self.g.namespaces()}
        self.SD = rdflib.Namespace(SCHEMA)
        self.subclasses: dict[URIRef, set[URIRef]] = defaultdict(set)
        for sub, sup in self.g.subject_objects(RDFS.subClassOf):
            self.subclasses[sup].add(sub)
        self.classes = set(self.g.subjects(RDF.type, RDFS.Class))
        self.properties = set(self.g.subjects(RDF.type, RDF.Property))
        self.value_type = {p: self.g.value(p, URIRef(CG + "valueType")) for p in self.properties}

    def curie(self, iri: URIRef | str) -> str:
        iri = str(iri)
        best = None
        for prefix, ns in self.ns.items():
            if prefix and iri.startswith(ns) and (best is None or len(ns) > len(best[1])):
                local = iri[len(ns):]
                if local and all(c.isalnum() or c in "_-." for c in local) and not local.endswith("."):
                    best = (prefix, ns)
        return f"{best[0]}:{iri[len(best[1]):]}" if best else f"<{iri}>"

    def closure(self, cls: URIRef) -> set[URIRef]:
        out, todo = {cls}, [cls]
        while todo:
            for sub in self.subclasses.get(todo.pop(), ()):
                if sub not in out:
                    out.add(sub)
                    todo.append(sub)
        return out

    def closure_of(self, classes) -> set[URIRef]:
        out: set[URIRef] = set()
        for c in classes:
            out |= self.closure(c)
        return out

    def label(self, term: URIRef) -> str:
        value = self.g.value(term, RDFS.label)
        return str(value) if value is not None else str(term).rstrip("/").rsplit("/", 1)[-1]

    def domain(self, prop: URIRef) -> set[URIRef]:
        return set(self.g.objects(prop, self.SD.domainIncludes))

    def range(self, prop: URIRef) -> set[URIRef]:
        return set(self.g.objects(prop, self.SD.rangeIncludes))

    def target_scheme(self, prop: URIRef) -> URIRef | None:
        return self.g.value(prop, URIRef(META + "targetScheme"))

    def concepts(self, scheme: URIRef) -> list[URIRef]:
        return sorted(self.g.subjects(SKOS.inScheme, scheme), key=str)

    def is_ctdl(self, term: URIRef) -> bool:
        return str(term).startswith(CTDL_NAMESPACES)

    def term_page(self, term: URIRef) -> str:
        """The credreg.net page of a CTDL term."""
        iri = str(term)
        if iri.startswith(CEASN):
            return "https://credreg.net/ctdlasn/terms/" + iri[len(CEASN):]
        if iri.startswith(CETERMS):
            return "https://credreg.net/ctdl/terms/" + iri[len(CETERMS):]
        return iri


def sparql_term(curie: str, iri: URIRef | str | None = None) -> str:
    """A term for SPARQL text in shapes. pySHACL refuses any SPARQL constraint in which a word ending
    in "service" is followed by a space (its test for federated SERVICE queries), so such terms are
    written as full IRIs.

    >>> sparql_term("ceterms:hasSpecificService")
    '<https://purl.org/ctdl/terms/hasSpecificService>'
    """
    if not curie.lower().endswith("service"):
        return curie
    prefix, local = curie.split(":", 1)
    ns = {"ceterms": CETERMS, "ceasn": CEASN}[prefix]
    return f"<{iri or ns + local}>"


def sorted_terms(terms) -> list[URIRef]:
    return sorted(terms, key=str)


class Out:
    """Accumulates a Turtle document."""

    def __init__(self, terms: Terms, header: str, prefixes: dict[str, str]):
        self.terms = terms
        self.lines: list[str] = [header.rstrip(), ""]
        for prefix, ns in sorted(prefixes.items()):
            self.lines.append(f"@prefix {prefix}: <{ns}> .")
        self.lines.append("")

    def c(self, iri) -> str:
        return self.terms.curie(iri)

    def block(self, text: str) -> None:
        self.lines.append(text.rstrip())
        self.lines.append("")

    def comment(self, text: str) -> None:
        for line in text.strip().splitlines():
            self.lines.append(("# " + line).rstrip())

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


def sparql_prefix_block(ontology: str, prefixes: dict[str, str]) -> str:
    decls = ",\n".join(f'        [ sh:prefix "{p}" ; sh:namespace "{ns}"^^xsd:anyURI ]'
                       for p, ns in sorted(prefixes.items()))
    return f"<{ontology}>\n    sh:declare\n{decls} ."


SPARQL_PREFIXES = {
    "ceterms": CETERMS, "ceasn": CEASN, "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD),
    "skos": str(SKOS), "schema": SCHEMA, "owl": str(OWL), "qdata": QDATA, "asn": "http://purl.org/ASN/schema/core/",
}

BASE_PREFIXES = {
    "sh": SH, "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD), "owl": str(OWL), "skos": str(SKOS),
    "dct": "http://purl.org/dc/terms/", "ceterms": CETERMS, "ceasn": CEASN, "schema": SCHEMA,
    "qdata": QDATA, "cgv": CGV, "asn": "http://purl.org/ASN/schema/core/",
}


def values_block(var: str, terms, out: Out, per_line: int = 4) -> str:
    items = [out.c(t) for t in sorted_terms(terms)]
    rows = [" ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    inner = "\n            ".join(rows)
    return f"VALUES ?{var} {{\n            {inner}\n        }}"


def rdf_list(items: list[str], indent: str = "        ") -> str:
    if len(items) <= 4:
        return "( " + " ".join(items) + " )"
    return "(\n" + "\n".join(indent + "  " + i for i in items) + "\n" + indent + ")"


# ------------------------------------------------------------------------------------------------
# registry-minimum
# ------------------------------------------------------------------------------------------------

#: How a publisher reads each often-required property (default: its label and CURIE).
PHRASES = {
    "ceterms:ctid": 'a CTID (ceterms:ctid: "ce-" followed by a lower-case UUID)',
    "ceterms:name": "a name (ceterms:name)",
    "ceterms:description": "a description (ceterms:description)",
    "ceterms:subjectWebpage": "a web page about it (ceterms:subjectWebpage)",
    "ceterms:credentialStatusType": "a status (ceterms:credentialStatusType, e.g. credentialStat:Active)",
    "ceterms:lifeCycleStatusType": "a life cycle status (ceterms:lifeCycleStatusType, e.g. lifeCycle:Active)",
    "ceterms:inLanguage": 'the language it is offered in (ceterms:inLanguage, e.g. "en")',
    "ceterms:ownedBy": "the organization that owns it (ceterms:ownedBy)",
    "ceterms:offeredBy": "the organization that offers it (ceterms:offeredBy)",
    "ceterms:agentType": "an organization type (ceterms:agentType, e.g. orgType:CertificationBody)",
    "ceterms:agentSectorType": "a sector (ceterms:agentSectorType, e.g. agentSector:PrivateNonProfit)",
    "ceterms:credentialType": "the type of credential it stands for (ceterms:credentialType, a CTDL class such as ceterms:Certificate)",
    "ceterms:costDetails": "a web page with the cost details (ceterms:costDetails)",
    "ceterms:hasPathway": "the pathways it groups (ceterms:hasPathway)",
    "ceterms:transferValue": "the transfer value it grants (ceterms:transferValue)",
    "ceasn:name": "a name (ceasn:name)",
    "ceasn:description": "a description (ceasn:description)",
    "ceasn:inLanguage": 'the language it is written in (ceasn:inLanguage, e.g. "en")',
    "ceasn:publisher": "the organization that publishes it (ceasn:publisher)",
    "ceasn:competencyText": "the text of the competency (ceasn:competencyText)",
    "ceasn:isPartOf": "the competency framework it belongs to (ceasn:isPartOf)",
}


#: Text properties a language map holds once per language (Registry Assistant LanguageMap models).
ONE_PER_LANGUAGE = {"ceterms:name", "ceterms:description", "ceasn:name", "ceasn:description", "ceasn:competencyText"}


@dataclass
class Group:
    """One registry-minimum node shape: a policy row applied to a set of classes."""

    name: str                      # the policy row (for comments)
    label: str                     # how messages name the resource ("credential")
    classes: set[URIRef]
    required: list[list[str]]      # property sets (CURIEs); a set of 2+ = "at least one of"
    recommended: list[list[str]]
    resource: bool = True          # True: top-level resources only (IRIs); False: every instance
    min_length: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=lambda: [POLICY_PAGE])
    family: str = ""               # shapes are named by family ("Credential", "Organization", ...)

    def __post_init__(self):
        self.family = self.family or self.name


def article(word: str) -> str:
    return "an" if word[0].lower() in "aeiou" else "a"


def load_policy(path: Path) -> dict[str, tuple[list[list[str]], list[list[str]]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = {}
    for cls in data["Policy"]["Classes"]:
        req, rec = [], []
        for ps in cls["PropertySets"]:
            if ps.get("StatusURI") != "vs:stable":
                continue
            props = [p for p in ps["PropertyURIs"]]
            if ps["ImportanceLevel"] == "constraintType:RequiresProperty":
                req.append(props)
            elif ps["ImportanceLevel"] == "constraintType:RecommendsProperty":
                rec.append(props)
        rows[cls["URI"]] = (req, rec)
    return rows


def _drop(sets: list[list[str]], *props: str) -> list[list[str]]:
    return [s for s in sets if not (set(s) & set(props))]


def _move(frm: list[list[str]], to: list[list[str]], props: set[str]) -> None:
    for s in list(frm):
        if set(s) == props:
            frm.remove(s)
            to.append(s)


def build_groups(terms: Terms, policy: dict) -> list[Group]:
    T = lambda curie: URIRef(curie.replace("ceterms:", CETERMS).replace("ceasn:", CEASN))  # noqa: E731
    groups: list[Group] = []
    credential_rows = [uri for uri in policy if uri.startswith("ceterms:") and
                       T(uri) in terms.closure(URIRef(CETERMS + "Credential"))]
    # which row applies to which class: its own, else the nearest ancestor's
    row_of: dict[URIRef, str] = {}
    for cls in sorted_terms(terms.closure(URIRef(CETERMS + "Credential")) - {URIRef(CETERMS + "Credential")}):
        todo, seen = [cls], set()
        while todo:
            c = todo.pop(0)
            if terms.curie(c) in credential_rows:
                row_of[cls] = terms.curie(c)
                break
            seen.add(c)
            todo += [p for p in terms.g.objects(c, RDFS.subClassOf) if p not in seen]
    for row in sorted(credential_rows):
        req, rec = (list(map(list, x)) for x in policy[row])
        req = [s for s in req if not (len(s) == 1 and s[0] == row)]  # "@type is the class" is the target
        # newest source: the Registry Assistant (2026) requires ownedBy; the 2022 policy accepted
        # ownedBy or offeredBy.
        req = [s for s in req if set(s) != {"ceterms:ownedBy", "ceterms:offeredBy"}] + [["ceterms:ownedBy"]]
        classes = {c for c, r in row_of.items() if r == row}
        groups.append(Group(
            name=row.split(":")[1], family="Credential", label="credential", classes=classes, required=req, recommended=rec,
            min_length={"ceterms:description": 15},
            notes=[f"policy row {row} covers {', '.join(sorted(terms.curie(c) for c in classes))}",
                   f"Rows from the {SOURCE_2022}; a row also covers the subclasses without a row of their own.",
                   "Newest source (" + SOURCE_RA + ", CredentialRequest.cs): description of at least 15 characters, "
                   "and ownedBy required (the 2022 data accepted ownedBy or offeredBy)."],
            sources=[POLICY_PAGE, RA + "CredentialRequest.cs"]))

    def row(uri: str):
        req, rec = policy[uri]
        return [list(s) for s in req], [list(s) for s in rec]

    # Organizations: the Registry Assistant also publishes plain ceterms:Organization with the same rule.
    req, rec = row("ceterms:CredentialOrganization")
    groups.append(Group(
        name="Organization", label="organization",
        classes={URIRef(CETERMS + n) for n in ("Organization", "CredentialOrganization", "QACredentialOrganization")},
        required=req, recommended=rec, min_length={"ceterms:description": 15},
        notes=[f"Policy rows ceterms:CredentialOrganization and ceterms:QACredentialOrganization ({SOURCE_2022}; the two are identical).",
               "Newest source (" + SOURCE_RA + ", OrganizationRequest.cs): also ceterms:Organization; "
               "description of at least 15 characters; at least an email or an address."],
        sources=[POLICY_PAGE, RA + "OrganizationRequest.cs"]))

    availability = {"ceterms:availableAt", "ceterms:availableOnlineAt", "ceterms:availabilityListing"}
    for name, label, classes, source_row, ra_file in (
            ("LearningOpportunity", "learning opportunity", ("LearningOpportunityProfile", "LearningProgram"),
             "ceterms:LearningOpportunityProfile", "LearningOpportunityRequest.cs"),
            ("Course", "learning opportunity", ("Course",), "ceterms:LearningOpportunityProfile", "LearningOpportunityRequest.cs"),
            ("Assessment", "assessment", ("AssessmentProfile",), "ceterms:AssessmentProfile", "AssessmentRequest.cs")):
        req, rec = row(source_row)
        _move(req, rec, availability)
        req.append(["ceterms:lifeCycleStatusType"])
        notes = [f"Policy row {source_row} ({SOURCE_2022}).",
                 "Newest source (" + SOURCE_RA + f", {ra_file}): lifeCycleStatusType required; description of "
                 "at least 15 characters; availability (availableAt / availableOnlineAt / availabilityListing) is no "
                 "longer in the required region, so it is recommended here."]
        if name == "Course":
            _move(req, rec, {"ceterms:subjectWebpage"})
            notes.append("Registry Assistant 2024-03-18: subjectWebpage no longer required for a course (recommended here).")
        groups.append(Group(name=name, family="LearningOpportunity" if name != "Assessment" else name, label=label,
                            classes={URIRef(CETERMS + c) for c in classes},
                            required=req, recommended=rec, min_length={"ceterms:description": 15},
                            notes=notes, sources=[POLICY_PAGE, RA + ra_file]))

    req, rec = row("ceasn:CompetencyFramework")
    groups.append(Group(name="CompetencyFramework", label="competency framework",
                        classes={URIRef(CEASN + "CompetencyFramework")}, required=req, recommended=rec,
                        notes=[f"Policy row ceasn:CompetencyFramework ({SOURCE_2022})."]))
    req, rec = row("ceasn:Competency")
    framework_props = {p for s in policy["ceasn:CompetencyFramework"][0] + policy["ceasn:CompetencyFramework"][1] for p in s}
    req = [s for s in req if not set(s) <= framework_props or s == ["ceterms:ctid"]]
    rec = [s for s in rec if not set(s) <= framework_props - {"ceasn:conceptKeyword", "ceasn:conceptTerm"}]
    rec = _drop(rec, "ceasn:isChildOf", "ceasn:isTopChildOf", "ceasn:hasChild") + [["ceasn:isChildOf", "ceasn:isTopChildOf"]]
    groups.append(Group(name="Competency", label="competency", classes={URIRef(CEASN + "Competency")},
                        required=req, recommended=rec,
                        notes=[f"Policy row ceasn:Competency ({SOURCE_2022}) without the framework's properties the row "
                               "carries by mistake (ceasn:name, ceasn:publisher, ...; see minimum-data-policy.md).",
                               "Recommended: ceasn:isChildOf or ceasn:isTopChildOf (a competency has one or the other)."]))

    req, rec = row("ceterms:Pathway")
    req = _drop(req, "ceterms:hasPathway")
    _move(req, rec, {"ceterms:subjectWebpage"})
    req.append(["ceterms:lifeCycleStatusType"])
    rec = _drop(rec, "ceasn:hasChild")
    groups.append(Group(name="Pathway", label="pathway", classes={URIRef(CETERMS + "Pathway")}, required=req,
                        recommended=rec, min_length={"ceterms:description": 15},
                        notes=[f"Policy row ceterms:Pathway ({SOURCE_2022}) without ceterms:hasPathway (PathwaySet's "
                               "property, carried by mistake) and ceasn:hasChild (not declared for Pathway).",
                               "Newest source (" + SOURCE_RA + ", PathwayRequest.cs): lifeCycleStatusType required, description "
                               "of at least 15 characters, subjectWebpage no longer required (2023-05-01). The destination "
                               "component rule lives in the pathways profile."],
                        sources=[POLICY_PAGE, RA + "PathwayRequest.cs"]))
    req, rec = row("ceterms:PathwaySet")
    groups.append(Group(name="PathwaySet", label="pathway set", classes={URIRef(CETERMS + "PathwaySet")},
                        required=req, recommended=rec, notes=[f"Policy row ceterms:PathwaySet ({SOURCE_2022})."]))
    components = terms.closure(URIRef(CETERMS + "PathwayComponent")) - {URIRef(CETERMS + "PathwayComponent")}
    req, rec = row("ceterms:BasicComponent")
    comp_rec = _drop(rec, "ceterms:componentCategory")
    groups.append(Group(name="PathwayComponent", family="PathwayComponent", label="pathway component",
                        classes=components - {URIRef(CETERMS + "CredentialComponent")},
                        required=req, recommended=comp_rec,
                        notes=[f"Policy rows of the pathway component classes ({SOURCE_2022}); ceterms:SelectionComponent "
                               "is obsolete since 2022-01-31 (Registry Assistant) and not in the 2026 schema."]))
    req, rec = row("ceterms:CredentialComponent")
    groups.append(Group(name="CredentialComponent", family="PathwayComponent", label="pathway component",
                        classes={URIRef(CETERMS + "CredentialComponent")}, required=req, recommended=rec,
                        notes=[f"Policy row ceterms:CredentialComponent ({SOURCE_2022}); Registry Assistant: credentialType "
                               "is required for this component type only."]))
    for uri, label in (("ceterms:TransferValueProfile", "transfer value profile"),
                       ("ceterms:ConditionManifest", "condition manifest"), ("ceterms:CostManifest", "cost manifest"),
                       ("ceterms:Occupation", "occupation"), ("ceterms:Job", "job"), ("ceterms:WorkRole", "work role"),
                       ("ceterms:Task", "task")):
        req, rec = row(uri)
        notes = [f"Policy row {uri} ({SOURCE_2022})."]
        if uri == "ceterms:Job":
            req = _drop(req, "ceterms:isPartOf")
            rec = [s for s in rec if s in (["ceterms:hasOccupation"], ["ceterms:hasWorkRole"], ["ceterms:industryType"],
                                           ["ceterms:keyword"], ["ceterms:occupationType"], ["ceterms:offeredBy"],
                                           ["ceterms:subjectWebpage"])]
            notes.append("Without the JobComponent properties the row carries by mistake (isPartOf, hasChild, ...).")
        groups.append(Group(name=uri.split(":")[1], label=label, classes={T(uri)}, required=req, recommended=rec,
                            notes=notes))
    # Support classes: embedded profiles, checked wherever they occur (blank nodes included).
    for uri, label in (("ceterms:ConditionProfile", "condition profile"), ("ceterms:CostProfile", "cost profile"),
                       ("ceterms:FinancialAssistanceProfile", "financial assistance profile")):
        req, rec = row(uri)
        groups.append(Group(name=uri.split(":")[1], label=label, classes={T(uri)}, required=req, recommended=rec,
                            resource=False, notes=[f"Policy row {uri} ({SOURCE_2022}); a profile embedded in a resource, "
                                                   "so every instance is checked, blank nodes included."]))
    groups.append(Group(name="ComponentCondition", label="component condition",
                        classes={URIRef(CETERMS + "ComponentCondition")}, required=[["ceterms:description"]],
                        recommended=[["ceterms:name"]], resource=False,
                        notes=["Not in the 2022 policy data. " + SOURCE_RA + ", ComponentCondition: description required; "
                               "the 2019 registry JSON schema required name, which the newer source makes optional "
                               "(recommended here)."],
                        sources=[RA + "PathwayRequest.cs"]))
    for g in groups:
        for sets in (g.required, g.recommended):
            sets.sort(key=lambda s: (len(s) > 1, s))
        req_props = {p for s in g.required for p in s}
        g.recommended = [s for s in g.recommended if not set(s) & req_props]
    return groups


def target_block(out: Out, name: str, classes: set[URIRef], resource: bool, ontology: str) -> str:
    iri_filter = "\n        FILTER(isIRI(?this))" if resource else ""
    select = (f"\n        SELECT ?this WHERE {{\n        {values_block('type', classes, out)}\n"
              f"        ?this a ?type .{iri_filter}\n        }}\n        ")
    return (f"rmin:{name}-target a sh:SPARQLTarget ;\n    sh:prefixes <{ontology}> ;\n"
            f"    sh:select {long_lit(select)} .")


def phrase(out: Out, prop: str, family: str = "") -> str:
    if family == "PathwayComponent" and prop == "ceterms:isPartOf":
        return "the pathway it belongs to (ceterms:isPartOf)"
    if prop in PHRASES:
        return PHRASES[prop]
    term = URIRef(prop.replace("ceterms:", CETERMS).replace("ceasn:", CEASN))
    return f'"{out.terms.label(term)}" ({prop})'


def see_also(out: Out, props: list[str], sources: list[str]) -> str:
    pages = [out.terms.term_page(URIRef(p.replace("ceterms:", CETERMS).replace("ceasn:", CEASN))) for p in props]
    return ", ".join(f"<{x}>" for x in list(dict.fromkeys(sources + pages)))


def join_or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def render_registry_minimum(terms: Terms, policy: dict) -> str:
    ontology = SHAPES_BASE + "registry-minimum"
    prefixes = dict(BASE_PREFIXES, rmin=ontology + "#")
    for p, ns in terms.ns.items():
        if ns.startswith(("https://purl.org/ctdl/vocabs/", "https://purl.org/ctdlasn/vocabs/")):
            prefixes[p] = ns
    header = f"""# registry-minimum: the Credential Registry minimum data policy, as SHACL.
# GENERATED by tools/build_shapes.py from ontology/ctdl.ttl and the registry policy data; do not edit.
#
# Sources, newest wins where they disagree (see ../shared/reference/ctdl/policy/minimum-data-policy.md):
#   2026  {SOURCE_RA}
#   2022  {SOURCE_2022}
# Required -> sh:Violation, "at least one of" sets -> sh:or, recommended benchmark -> sh:Warning.
# Resource classes (credentials, organizations, learning opportunities, ...) are checked on
# top-level resources only (IRIs): a blank-node credential inside a condition profile is a
# reference, not a published record. Embedded profiles (condition, cost, financial assistance
# profiles, component conditions) are checked wherever they occur. References to resources outside
# the document (ownedBy -> an organization not loaded) are not violations here.
# Concept values must come from the property's concept scheme, as the concept IRI or as a
# ceterms:CredentialAlignmentObject whose ceterms:targetNode is the concept. Web addresses must be
# IRIs (registry JSON-LD turns them into IRIs through the context)."""
    out = Out(terms, header, prefixes)
    out.block(f"<{ontology}> a owl:Ontology ;\n    rdfs:label {lit('credgraph profile: Credential Registry minimum data policy')} ;\n"
              f"    dct:source <{POLICY_PAGE}>, <{RA}> .")
    out.block(sparql_prefix_block(ontology, SPARQL_PREFIXES))

    out.comment("=" * 94 + "\nResource and profile classes. The policy gives one row per class; each property set below\n"
                "applies to every class whose row has it (a row also covers the subclasses without a row of\n"
                "their own), so one shape per family, property set and level.\n" + "=" * 94)
    out.lines.append("")
    families: dict[str, list[Group]] = defaultdict(list)
    for g in build_groups(terms, policy):
        families[g.family].append(g)
    targets: dict[tuple, str] = {}
    for family, rows in families.items():
        label, resource = rows[0].label, rows[0].resource
        out.comment(f"{family}: " + "; ".join(row.notes[0] for row in rows))
        for note in dict.fromkeys(n for row in rows for n in row.notes[1:]):
            out.comment(note)
        out.lines.append("")
        sets: dict[tuple, dict] = {}
        for row in rows:
            for level, prop_sets in (("required", row.required), ("recommended", row.recommended)):
                for props in prop_sets:
                    entry = sets.setdefault((level, tuple(props)), {"classes": set(), "sources": [], "min": None})
                    entry["classes"] |= row.classes
                    entry["sources"] = list(dict.fromkeys(entry["sources"] + row.sources))
                    if level == "required" and len(props) == 1 and props[0] in row.min_length:
                        entry["min"] = row.min_length[props[0]]
        for (level, props), entry in sorted(sets.items(), key=lambda kv: (kv[0][0] != "required", len(kv[0][1]) > 1, kv[0][1])):
            key = (frozenset(entry["classes"]), resource)
            if key not in targets:
                local = f"{family}-{sum(1 for k in targets if targets[k].startswith('rmin:' + family + '-')) + 1}"
                targets[key] = f"rmin:{local}-target"
                out.block(target_block(out, local, entry["classes"], resource, ontology))
            target = targets[key]
            severity = "sh:Violation" if level == "required" else "sh:Warning"
            suffix = "" if level == "required" else "-recommended"
            name = f"rmin:{family}-{'-or-'.join(p.split(':')[1] for p in props)}{suffix}"
            if len(props) == 1:
                prop = props[0]
                min_len = entry["min"]
                what = phrase(out, prop, family)
                if min_len:
                    what = what.replace(f"({prop})", f"of at least {min_len} characters ({prop})")
                if level == "required":
                    message = f"{article(label).capitalize()} {label} needs {what}; add {prop}."
                    fix = f"add {prop}" + (f" with at least {min_len} characters" if min_len else "")
                else:
                    message = (f"The registry's data quality benchmark recommends that {article(label)} {label} has "
                               f"{what}; add {prop} if you can.")
                    fix = f"add {prop}"
                single = level == "required" and prop in ONE_PER_LANGUAGE
                extra = f", {name}-one-per-language" if single else ""
                out.block(f"{name} a sh:NodeShape ;\n    sh:target {target} ;\n    sh:property {name}-value{extra} .")
                if single:
                    out.block(f"{name}-one-per-language a sh:PropertyShape ;\n    sh:path {prop} ;\n    sh:uniqueLang true ;\n"
                              f"    sh:severity sh:Violation ;\n"
                              f"    sh:message {lit(f'{article(label).capitalize()} {label} has one {prop} per language, but here two values share a language tag; keep one (registry language maps hold one text per language).')} ;\n"
                              f"    cgv:fix {lit('keep one ' + prop + ' per language')} ;\n"
                              f"    rdfs:seeAlso <https://credreg.net/registry/assistant/languagemaps>, {see_also(out, [prop], [])} .")
                lines = [f"{name}-value a sh:PropertyShape ;", f"    sh:path {prop} ;", "    sh:minCount 1 ;"]
                if min_len:
                    lines.append(f"    sh:minLength {min_len} ;")
                lines += [f"    sh:severity {severity} ;", f"    sh:message {lit(message)} ;",
                          f"    cgv:fix {lit(fix)} ;",
                          f"    rdfs:seeAlso {see_also(out, [prop], entry['sources'])} ."]
                out.block("\n".join(lines))
            else:
                names = [phrase(out, p, family) for p in props]
                if level == "required":
                    message = f"{article(label).capitalize()} {label} needs at least one of: {join_or(names)}; add one."
                else:
                    message = (f"The registry's data quality benchmark recommends that {article(label)} {label} has at "
                               f"least one of {join_or(names)}; add one if you can.")
                members = " ".join(f"[ sh:path {p} ; sh:minCount 1 ]" for p in props)
                out.block(
                    f"{name} a sh:NodeShape ;\n    sh:target {target} ;\n"
                    f"    sh:or ( {members} ) ;\n    sh:severity {severity} ;\n    sh:message {lit(message)} ;\n"
                    f"    cgv:fix {lit('add ' + join_or(props))} ;\n    rdfs:seeAlso {see_also(out, list(props), entry['sources'])} .")

    # abstract credential types
    cred = URIRef(CETERMS + "Credential")
    concrete = sorted_terms(terms.closure(cred) - {cred, URIRef(CETERMS + "Degree")})
    out.comment("Newest source (" + SOURCE_RA + ", CredentialRequest.cs): \"Credential\" and \"Degree\" are\n"
                "top-level types that may not be published; a credential is typed with a specific subclass.")
    out.block(
        "rmin:AbstractCredentialType-target a sh:SPARQLTarget ;\n"
        f"    sh:prefixes <{ontology}> ;\n"
        '    sh:select """\n        SELECT ?this WHERE { ?this a ?type . VALUES ?type { ceterms:Credential ceterms:Degree } '
        'FILTER(isIRI(?this)) }\n        """ .')
    out.block(
        "rmin:AbstractCredentialType a sh:NodeShape ;\n"
        f"    rdfs:label {lit('credential: a specific credential type')} ;\n"
        "    sh:target rmin:AbstractCredentialType-target ;\n"
        "    sh:property rmin:AbstractCredentialType-type .")
    out.block(
        "rmin:AbstractCredentialType-type a sh:PropertyShape ;\n    sh:path rdf:type ;\n"
        f"    sh:in {rdf_list([out.c(c) for c in concrete])} ;\n    sh:severity sh:Violation ;\n"
        f"    sh:message {lit('ceterms:Credential and ceterms:Degree cannot be published as a credential type; type the credential with a specific class such as ceterms:Certificate, ceterms:Certification or ceterms:BachelorDegree.')} ;\n"
        f"    cgv:fix {lit('replace the @type with a specific credential class')} ;\n"
        f"    rdfs:seeAlso <{RA}CredentialRequest.cs>, <https://credreg.net/ctdl/terms/Credential> .")

    # concept schemes
    out.comment("=" * 94 + "\nConcept values: from the property's concept scheme (meta:targetScheme in ctdl.ttl), given as\n"
                "the concept IRI or as a CredentialAlignmentObject whose targetNode is the concept. Legacy\n"
                "credreg.net forms of CTDL-ASN concepts are accepted (older CTDL-ASN contexts produced them).\n" + "=" * 94)
    out.lines.append("")
    schemes: dict[URIRef, list[URIRef]] = {}
    for prop in sorted_terms(p for p in terms.properties if terms.is_ctdl(p) and terms.target_scheme(p) is not None):
        scheme = terms.target_scheme(prop)
        if terms.concepts(scheme):
            schemes.setdefault(scheme, []).append(prop)
    for scheme, props in sorted(schemes.items(), key=lambda kv: str(kv[0])):
        concepts = terms.concepts(scheme)
        items = [out.c(c) for c in concepts]
        for c in concepts:
            if str(c).startswith("https://purl.org/ctdlasn/vocabs/"):
                tail = str(c)[len("https://purl.org/ctdlasn/vocabs/"):]
                items += [f"<http://credreg.net/ctdlasn/vocabs/{tail}>", f"<https://credreg.net/ctdlasn/vocabs/{tail}>"]
        sname = str(scheme).rsplit("/", 1)[-1]
        out.block(f"rmin:{sname}-concept a sh:NodeShape ;\n"
                  f"    rdfs:label {lit('a concept of ' + terms.label(scheme))} ;\n"
                  f"    sh:in {rdf_list(items)} .")
        for prop in props:
            pc = out.c(prop)
            local = pc.replace(":", "-")
            example = out.c(concepts[0])
            message = (f"{pc} must name a concept from the {terms.label(scheme)} scheme ({out.c(scheme)}), for example "
                       f"{example}, as the concept itself or as a ceterms:CredentialAlignmentObject whose "
                       f"ceterms:targetNode is that concept; use one of the scheme's concepts.")
            out.block(f"rmin:concept-{local} a sh:NodeShape ;\n    sh:targetSubjectsOf {pc} ;\n"
                      f"    sh:property rmin:concept-{local}-value, rmin:concept-{local}-framework .")
            term_ns, page = ("ctdlasn", str(scheme)[len(CEASN):]) if str(scheme).startswith(CEASN) else \
                ("ctdl", str(scheme)[len(CETERMS):])
            frameworks = [f"<{scheme}>", f"<https://credreg.net/{term_ns}/terms/{page}>",
                          f"<http://credreg.net/{term_ns}/terms/{page}>"]
            out.block(f"rmin:concept-{local}-framework a sh:PropertyShape ;\n    sh:path ( {pc} ceterms:framework ) ;\n"
                      f"    sh:in ( {' '.join(frameworks)} ) ;\n    sh:severity sh:Warning ;\n"
                      f"    sh:message {lit(f'The alignment object of {pc} names a framework other than the {terms.label(scheme)} scheme its concepts come from; use <https://credreg.net/{term_ns}/terms/{page}> (or leave ceterms:framework out).')} ;\n"
                      f"    cgv:fix {lit(f'set ceterms:framework to https://credreg.net/{term_ns}/terms/{page}')} ;\n"
                      f"    rdfs:seeAlso <{terms.term_page(prop)}>, <{terms.term_page(scheme)}> .")
            out.block(f"rmin:concept-{local}-value a sh:PropertyShape ;\n    sh:path {pc} ;\n"
                      f"    sh:or ( rmin:{sname}-concept [ sh:path ceterms:targetNode ; sh:minCount 1 ; sh:node rmin:{sname}-concept ] ) ;\n"
                      f"    sh:severity sh:Violation ;\n    sh:message {lit(message)} ;\n"
                      f"    cgv:fix {lit('use a concept of ' + out.c(scheme) + ', e.g. ' + example)} ;\n"
                      f"    rdfs:seeAlso <{terms.term_page(prop)}>, <{terms.term_page(scheme)}> .")

    # web addresses
    out.comment("=" * 94 + "\nWeb addresses (properties whose range is xsd:anyURI): IRIs, as registry JSON-LD gives them.\n"
                "A typed xsd:anyURI literal matches the schema's declared range but not registry data: a warning.\n" + "=" * 94)
    out.lines.append("")
    for prop in sorted_terms(p for p in terms.properties if terms.is_ctdl(p)
                             and terms.range(p) == {XSD.anyURI} and terms.value_type[p] == URIRef(CG + "Reference")):
        pc = out.c(prop)
        local = pc.replace(":", "-")
        out.block(f"rmin:webaddress-{local} a sh:NodeShape ;\n    sh:targetSubjectsOf {pc} ;\n"
                  f"    sh:property rmin:webaddress-{local}-iri, rmin:webaddress-{local}-absolute, "
                  f"rmin:webaddress-{local}-typed .")
        out.block(f"rmin:webaddress-{local}-absolute a sh:PropertyShape ;\n    sh:path {pc} ;\n"
                  '    sh:not [ sh:pattern "^file:" ] ;\n    sh:severity sh:Violation ;\n'
                  f"    sh:message {lit(f'{pc} is a relative address (such as www.example.org/page), which was resolved against the location of the file; write the full address, starting with https://.')} ;\n"
                  f"    cgv:fix {lit('write ' + pc + ' as a full address starting with https://')} ;\n"
                  f"    rdfs:seeAlso <{terms.term_page(prop)}> .")
        out.block(f"rmin:webaddress-{local}-iri a sh:PropertyShape ;\n    sh:path {pc} ;\n"
                  "    sh:or ( [ sh:nodeKind sh:IRI ] [ sh:datatype xsd:anyURI ] ) ;\n    sh:severity sh:Violation ;\n"
                  f"    sh:message {lit(f'{pc} must be a web address (an IRI such as <https://example.org/page>), not text; write the full address.')} ;\n"
                  f"    cgv:fix {lit('give ' + pc + ' as a full web address (IRI)')} ;\n"
                  f"    rdfs:seeAlso <{terms.term_page(prop)}> .")
        out.block(f"rmin:webaddress-{local}-typed a sh:PropertyShape ;\n    sh:path {pc} ;\n"
                  "    sh:not [ sh:datatype xsd:anyURI ] ;\n    sh:severity sh:Warning ;\n"
                  f"    sh:message {lit(f'{pc} is given as a typed xsd:anyURI literal; registry data gives web addresses as IRIs, so write it as <https://...> (in JSON-LD a plain string is enough).')} ;\n"
                  f"    cgv:fix {lit('write ' + pc + ' as an IRI')} ;\n"
                  f"    rdfs:seeAlso <{terms.term_page(prop)}> .")
    return out.text()


# ------------------------------------------------------------------------------------------------
# ctdl-structure
# ------------------------------------------------------------------------------------------------

VERSION_PROPERTIES = {CETERMS + n for n in ("latestVersion", "nextVersion", "previousVersion")}
RESOURCE = str(RDFS.Resource)

DATATYPE_RULES = {
    # value form -> (accepted datatypes, lexical regex or None, plain-words name, example)
    str(XSD.date): ([XSD.date], "^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$", "a date", '"2024-09-01"^^xsd:date'),
    str(XSD.dateTime): ([XSD.dateTime], "^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$",
                        "a date and time", '"2024-09-01T09:00:00Z"^^xsd:dateTime'),
    str(XSD.integer): ([XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.int, XSD.long, XSD.short],
                       "^[+-]?[0-9]+$", "a whole number", "3"),
    str(XSD.decimal): ([XSD.decimal, XSD.integer, XSD.float, XSD.double], "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$",
                       "a number", "780.00"),
    str(XSD.float): ([XSD.float, XSD.double, XSD.decimal, XSD.integer], "^([+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
                     "a number", '"6"^^xsd:float'),
    str(XSD.boolean): ([XSD.boolean], "^(true|false|1|0)$", "true or false", "true"),
    str(XSD.duration): ([XSD.duration], "^-?P([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+([.][0-9]+)?S)?)?$",
                        "an ISO 8601 duration", '"P6M"^^xsd:duration'),
    SCHEMA + "Duration": ([URIRef(SCHEMA + "Duration"), XSD.duration, XSD.string],
                          "^-?P([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+([.][0-9]+)?S)?)?$",
                          "an ISO 8601 duration", '"PT20H"'),
    str(XSD.language): ([XSD.language, XSD.string], "^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$", "a language code",
                        '"en" or "en-US"'),
}


class TypeSets:
    """Named sets of classes (cgv:TypeSet), shared by the preconditions that allow the same classes."""

    def __init__(self):
        self.sets: dict[tuple[str, ...], str] = {}

    def name(self, classes: list[str]) -> str:
        key = tuple(sorted(classes))
        if key not in self.sets:
            self.sets[key] = "cst:types-" + hashlib.sha256(" ".join(key).encode()).hexdigest()[:10]
        return self.sets[key]

    def blocks(self) -> list[str]:
        out = []
        for classes, name in sorted(self.sets.items(), key=lambda kv: kv[1]):
            rows = [", ".join(classes[i:i + 4]) for i in range(0, len(classes), 4)]
            out.append(f"{name} a cgv:TypeSet ;\n    cgv:member " + ",\n        ".join(rows) + " .")
        return out

    def precondition(self, inventory: str, prop: str, allowed: list[str]) -> str:
        """A cgv:precondition: the constraint can only find something when the store uses ``prop`` with
        a subject (cgv:subjectTypes) or value (cgv:valueTypes) typed outside ``allowed`` in one graph.
        The engine checks it against one inventory of the whole store and skips the query when it
        fails (docs/validation.md, Preconditions); SHACL engines ignore it.
        """
        return (f"        cgv:precondition [ cgv:inventory {inventory} ; cgv:property {prop} ; "
                f"cgv:typesOutside {self.name(allowed)} ] ;\n")


def render_structure(terms: Terms) -> str:
    ontology = SHAPES_BASE + "ctdl-structure"
    prefixes = dict(BASE_PREFIXES, cst=ontology + "#")
    header = """# ctdl-structure: is the data well-formed CTDL? Identifiers, references, value forms, domain and
# range with subclass closure, unknown terms, inverse pairs, competency framework membership.
# GENERATED by tools/build_shapes.py from ontology/ctdl.ttl; do not edit.
#
# Domain, range, value-form and unknown-term checks apply to the terms CTDL itself defines
# (ceterms:, ceasn:); CTDL's declarations about borrowed terms (schema.org, SKOS) describe CTDL's
# use of them, not the terms. Known contradictions in the schema are not reported as errors:
#   - properties with the range rdfs:Resource (or none) accept anything;
#   - concept-valued properties accept both skos:Concept and ceterms:CredentialAlignmentObject
#     values, whichever of the two the schema declares (publishers use alignment objects for both);
#   - latestVersion/nextVersion/previousVersion accept their own domain as range too (the declared
#     range is a strict subset of the domain);
#   - ceasn:isChildOf accepts a ceasn:CompetencyFramework (the CTDL-ASN handbook points top-level
#     competencies' isChildOf at the framework, which the declared range omits);
#   - the three earnings properties the context marks as references (medianEarnings, ...) are
#     numbers, as their range says.
# Domain is checked on typed subjects, range on values typed in the same document.
# Shapes marked cgv:scope cgv:Store run over the whole store (cross-document rules); the rest run
# per document (named graph)."""
    out = Out(terms, header, prefixes)
    typesets = TypeSets()
    out.block(f"<{ontology}> a owl:Ontology ;\n    rdfs:label {lit('credgraph profile: CTDL structure')} ;\n"
              "    dct:source <https://credreg.net/ctdl/schema/encoding/json>, <https://credreg.net/ctdlasn/schema/encoding/json> .")
    out.block(sparql_prefix_block(ontology, SPARQL_PREFIXES))

    def sparql_shape(name: str, label: str, target: str, select: str, severity: str, message: str, fix: str,
                     see: list[str], scope_store: bool = False, comment: str | None = None) -> None:
        lines = [f"cst:{name} a sh:NodeShape ;", f"    rdfs:label {lit(label)} ;"]
        if comment:
            lines.append(f"    rdfs:comment {lit(comment)} ;")
        lines.append(target)
        if scope_store:
            lines.append("    cgv:scope cgv:Store ;")
        lines += [f"    sh:severity {severity} ;",
                  f"    sh:sparql [\n        a sh:SPARQLConstraint ;\n        sh:prefixes <{ontology}> ;\n"
                  f"        sh:message {lit(message)} ;\n        sh:select {long_lit(select)}\n    ] ;",
                  f"    cgv:fix {lit(fix)} ;",
                  "    rdfs:seeAlso " + ", ".join(f"<{s}>" for s in see) + " ."]
        out.block("\n".join(lines))

    def sparql_target(select: str) -> str:
        return (f"    sh:target [\n        a sh:SPARQLTarget ;\n        sh:prefixes <{ontology}> ;\n"
                f"        sh:select {long_lit(select)}\n    ] ;")

    ctid_page = "https://credreg.net/ctdl/terms/ctid"
    # -------------------------------------------------------------- CTIDs
    out.comment("=" * 94 + "\nCTIDs: \"ce-\" + UUID (8-4-4-4-12 hexadecimal digits), lower case; equal to the tail of a\n"
                "registry resource IRI. A UUID that is not version 4 is reported for information only (the\n"
                "registry accepts them; about 4% of published CTIDs, ctdl-validate survey 2026-08-21).\n" + "=" * 94)
    out.lines.append("")
    hexs = "[0-9a-f]"   # the CTID grammar is lower case (ids.CTID_PATTERN; issue 4)
    grammar = f"^ce-{hexs}{{8}}-{hexs}{{4}}-{hexs}{{4}}-{hexs}{{4}}-{hexs}{{12}}$"
    sparql_shape(
        "ctid-grammar", "CTID grammar", "    sh:targetSubjectsOf ceterms:ctid ;",
        f"""
        SELECT $this ?path ?value WHERE {{
            $this ceterms:ctid ?value .
            BIND(ceterms:ctid AS ?path)
            FILTER(!isLiteral(?value) || !REGEX(STR(?value), "{grammar}"))
        }}
        """, "sh:Violation",
        'A CTID must be "ce-" followed by a UUID in lower case (8-4-4-4-12 hexadecimal digits), e.g. '
        'ce-5e3de882-3b49-421b-b623-695c63587f4f; a bare UUID, upper-case letters or any other identifier are not a CTID.',
        'write the CTID as "ce-" followed by a lower-case UUID', [ctid_page])
    sparql_shape(
        "ctid-uuid-version", "CTID is a version 4 UUID", "    sh:targetSubjectsOf ceterms:ctid ;",
        f"""
        SELECT $this ?path ?value WHERE {{
            $this ceterms:ctid ?value .
            BIND(ceterms:ctid AS ?path)
            FILTER(isLiteral(?value) && REGEX(STR(?value), "{grammar}") && SUBSTR(STR(?value), 18, 1) != "4")
        }}
        """, "sh:Info",
        "This CTID is a well-formed UUID but not a version 4 (random) UUID, which is what credreg.net asks for; the "
        "registry accepts it, so this is for information only.",
        "mint new CTIDs from random (version 4) UUIDs", [ctid_page])
    sparql_shape(
        "ctid-matches-iri", "CTID equals the tail of the registry IRI", "    sh:targetSubjectsOf ceterms:ctid ;",
        """
        SELECT $this ?path ?value WHERE {
            $this ceterms:ctid ?value .
            BIND(ceterms:ctid AS ?path)
            FILTER(isIRI($this) && REGEX(STR($this), "^https?://(sandbox[.])?credentialengineregistry[.]org/(resources|graph)/"))
            FILTER(LCASE(STR(?value)) != LCASE(REPLACE(STR($this), "^.*/", "")))
        }
        """, "sh:Violation",
        "The CTID (ceterms:ctid) differs from the CTID at the end of the resource's registry address; the two must be the same.",
        "make ceterms:ctid equal to the last part of the resource's IRI (or fix the IRI)",
        [ctid_page, "https://credreg.net/registry/assistant/ctid"])

    # -------------------------------------------------------------- one node shape per property
    out.comment("=" * 94 + "\nOne node shape per CTDL property, on the subjects that use it: the value form the official\n"
                "JSON-LD context gives it (cg:valueType), its domain and range (with subclass closure), and\n"
                "blank node references that resolve. SPARQL bodies start from the property, so they are\n"
                "index-driven on their own.\n" + "=" * 94)
    out.lines.append("")
    numeric_refs = {p for p in terms.properties if terms.is_ctdl(p) and terms.value_type[p] == URIRef(CG + "Reference")
                    and terms.range(p) and all(str(r).startswith(str(XSD)) for r in terms.range(p))
                    and terms.range(p) != {XSD.anyURI}}
    CAO, CONCEPT = URIRef(CETERMS + "CredentialAlignmentObject"), SKOS.Concept
    for prop in sorted(p for p in terms.properties if terms.is_ctdl(p)):
        pc = out.c(prop)
        sq = sparql_term(pc, prop)
        local = pc.replace(":", "-")
        vt = terms.value_type[prop]
        rng = terms.range(prop)
        is_ref = vt == URIRef(CG + "Reference") and prop not in numeric_refs
        web = is_ref and rng == {XSD.anyURI}
        literal_ok = any(r == RDFS.Literal or str(r).startswith(str(XSD)) for r in rng)
        prop_shapes: list[str] = []
        blocks: list[str] = []
        sparqls: list[tuple[str, str]] = []

        def prop_shape(suffix: str, body: str, severity: str, message: str, fix: str) -> None:
            name = f"cst:term-{local}-{suffix}"
            prop_shapes.append(name)
            blocks.append(f"{name} a sh:PropertyShape ;\n    sh:path {pc} ;\n{body}\n    sh:severity {severity} ;\n"
                          f"    sh:message {lit(message)} ;\n    cgv:fix {lit(fix)} ;\n"
                          f"    rdfs:seeAlso <{terms.term_page(prop)}> .")

        if is_ref and not web and not literal_ok:
            prop_shape("reference", "    sh:nodeKind sh:BlankNodeOrIRI ;", "sh:Violation",
                       f"{pc} refers to another resource, so its value must be that resource's IRI (or an embedded "
                       f"object), not text.",
                       "replace the text with the IRI of the resource (e.g. https://credentialengineregistry.org/resources/ce-...)")
            prop_shape("bare-identifier", '    sh:not [ sh:pattern "^file:" ] ;', "sh:Violation",
                       f"{pc} names another resource by a bare identifier (a CTID, UUID or relative name), which "
                       f"became a local file address when the document was read; give the full IRI of the resource.",
                       "write the reference as a full IRI, e.g. https://credentialengineregistry.org/resources/ce-...")
        elif vt in (RDF.langString, XSD.string):
            prop_shape("text", "    sh:nodeKind sh:Literal ;", "sh:Violation",
                       f"{pc} holds text, but here its value is a resource (an IRI or an embedded object); write the "
                       f"text itself.", "give the property a text value")
            if pc == "ceterms:email":
                prop_shape("format", '    sh:pattern "^[^@ ]+@[^@ ]+$" ;', "sh:Violation",
                           "ceterms:email must be an email address such as info@example.org (no mailto:, no spaces).",
                           "write the address as name@domain")
            if vt == RDF.langString:
                prop_shape("language", "    sh:not [ sh:datatype xsd:string ] ;", "sh:Warning",
                           f"{pc} is text in a human language, but this value has no language tag; registry data gives "
                           'it as a language map (e.g. {"en-US": "..."}), in Turtle as "..."@en-US.',
                           "tag the text with its language")
        elif str(vt) in DATATYPE_RULES or prop in numeric_refs:
            accepted, regex, words, example = DATATYPE_RULES[str(XSD.decimal) if prop in numeric_refs else str(vt)]
            members = " ".join(f"[ sh:datatype {out.c(t)} ]" for t in accepted)
            body = f"    sh:or ( {members} ) ;" if len(accepted) > 1 else f"    sh:datatype {out.c(accepted[0])} ;"
            if vt == XSD.language:
                body += f'\n    sh:pattern "{regex}" ;'
            prop_shape("datatype", body, "sh:Violation",
                       f"{pc} must be {words} (e.g. {example}); this value is not.", f"write the value as {words}")

        dom = terms.domain(prop)
        if dom and RDFS.Resource not in dom:
            allowed = sorted_terms(terms.closure_of(dom))
            names = ", ".join(out.c(c) for c in sorted_terms(dom)[:6]) + (" ..." if len(dom) > 6 else "")
            sparqls.append((
                f"{pc} is not a property of {{?value}} in CTDL: it is defined for {names} (and their subclasses); "
                "use a property defined for this type of resource, or correct the resource's type.",
                "use a property defined for this class, or correct the @type",
                typesets.precondition("cgv:subjectTypes", sq, [out.c(c) for c in allowed]),
                f"""
            SELECT DISTINCT $this ?path ?value WHERE {{
                $this {sq} ?o .
                $this rdf:type ?value .
                FILTER NOT EXISTS {{
                    $this rdf:type ?allowed .
                    FILTER(?allowed IN ({", ".join(out.c(c) for c in allowed)}))
                }}
                BIND({sq} AS ?path)
            }}
            """))
        if is_ref and not web and rng and RDFS.Resource not in rng:
            allowed = terms.closure_of(r for r in rng if not str(r).startswith(str(XSD)) and r != RDFS.Literal)
            if terms.target_scheme(prop) is not None and (CAO in allowed or CONCEPT in allowed):
                allowed |= {CAO, CONCEPT}
            if str(prop) in VERSION_PROPERTIES:
                allowed |= terms.closure_of(terms.domain(prop))
            if str(prop) == CEASN + "isChildOf":
                allowed.add(URIRef(CEASN + "CompetencyFramework"))
            if allowed:
                names = ", ".join(out.c(c) for c in sorted_terms(rng)[:6]) + (" ..." if len(rng) > 6 else "")
                sparqls.append((
                    f"{pc} points at {{?value}}, which is typed with a class CTDL does not allow for this property "
                    f"(allowed: {names}, and their subclasses); point at a resource of an allowed class, or correct "
                    "that resource's type.",
                    "point it at a resource of an allowed class, or correct that resource's @type",
                    typesets.precondition("cgv:valueTypes", sq, [out.c(c) for c in sorted_terms(allowed)]),
                    f"""
            SELECT DISTINCT $this ?path ?value WHERE {{
                $this {sq} ?value .
                FILTER EXISTS {{ ?value rdf:type ?type }}
                FILTER NOT EXISTS {{
                    ?value rdf:type ?allowed .
                    FILTER(?allowed IN ({", ".join(out.c(c) for c in sorted_terms(allowed))}))
                }}
                BIND({sq} AS ?path)
            }}
            """))
        if vt == URIRef(CG + "Reference") and prop not in numeric_refs:
            sparqls.append((
                f'{pc} points at a blank node (an id such as "_:abc") that this document never describes; blank '
                "node ids only mean something inside one document. Add the object with that id to the document, "
                "or refer to the resource by its IRI.",
                "describe the blank node in the document, or use the resource's IRI",
                "",
                f"""
            SELECT $this ?path ?value WHERE {{
                $this {sq} ?value .
                FILTER(isBlank(?value))
                FILTER NOT EXISTS {{ ?value ?q ?x }}
                BIND({sq} AS ?path)
            }}
            """))
        if not prop_shapes and not sparqls:
            continue
        lines = [f"cst:term-{local} a sh:NodeShape ;", f"    rdfs:label {lit('use of ' + pc)} ;",
                 f"    sh:targetSubjectsOf {pc} ;"]
        if prop_shapes:
            lines.append("    sh:property " + ", ".join(prop_shapes) + " ;")
        if sparqls:
            lines.append("    sh:severity sh:Violation ;")
            for message, fix, guard, select in sparqls:
                lines.append(f"    sh:sparql [\n        a sh:SPARQLConstraint ;\n        sh:prefixes <{ontology}> ;\n"
                             f"        sh:message {lit(message)} ;\n        cgv:fix {lit(fix)} ;\n{guard}"
                             f"        sh:select {long_lit(select)}\n    ] ;")
        lines.append(f"    cgv:fix {lit('see ' + terms.term_page(prop))} ;")
        lines.append(f"    rdfs:seeAlso <{terms.term_page(prop)}> .")
        out.block("\n".join(lines))
        for block in blocks:
            out.block(block)

    out.comment("=" * 94 + "\nThe classes the preconditions above name (cgv:typesOutside): a domain or range with its\n"
                "subclass closure.\n" + "=" * 94)
    out.lines.append("")
    for block in typesets.blocks():
        out.block(block)

    # -------------------------------------------------------------- unknown terms
    def known_regex(terms_set) -> str:
        """One regular expression matching exactly the given CTDL terms (fast in both engines)."""
        parts = []
        for ns in CTDL_NAMESPACES:
            locals_ = sorted(str(t)[len(ns):] for t in terms_set if str(t).startswith(ns))
            assert all(name.isalnum() for name in locals_), "term names are letters and digits"
            parts.append("^" + ns.replace(".", "[.]") + "(" + "|".join(locals_) + ")$")
        return "|".join(parts)

    known_props = known_regex([p for p in terms.properties if terms.is_ctdl(p)])
    known_classes = known_regex([c for c in terms.classes if terms.is_ctdl(c)])
    ns_filter = 'REGEX(STR(?path), "^https://purl[.]org/ctdl(asn)?/terms/")'
    sparql_shape(
        "unknown-property", "CTDL properties exist", sparql_target(f"""
        SELECT DISTINCT ?this WHERE {{
            ?this ?path ?o .
            FILTER({ns_filter} && !REGEX(STR(?path), "{known_props}"))
        }}
        """),
        f"""
        SELECT DISTINCT $this ?path WHERE {{
            $this ?path ?o .
            FILTER({ns_filter} && !REGEX(STR(?path), "{known_props}"))
        }}
        """, "sh:Warning",
        "{?path} is not a CTDL term (check the spelling); the registry does not know it and its value will be lost.",
        "use a property from https://credreg.net/ctdl/terms (check the spelling)", ["https://credreg.net/ctdl/terms"])
    cls_filter = ns_filter.replace("?path", "?value")
    sparql_shape(
        "unknown-class", "CTDL classes exist", sparql_target(f"""
        SELECT DISTINCT ?this WHERE {{
            ?this rdf:type ?value .
            FILTER({cls_filter} && !REGEX(STR(?value), "{known_classes}"))
        }}
        """),
        f"""
        SELECT $this ?path ?value WHERE {{
            $this rdf:type ?value .
            FILTER({cls_filter} && !REGEX(STR(?value), "{known_classes}"))
            BIND(rdf:type AS ?path)
        }}
        """, "sh:Violation",
        "{?value} is not a CTDL class (check the spelling); the registry cannot tell what this resource is.",
        "type the resource with a class from https://credreg.net/ctdl/terms", ["https://credreg.net/ctdl/terms"])

    # -------------------------------------------------------------- cross-document rules
    out.comment("=" * 94 + "\nCross-document rules: run over the whole store (cgv:scope cgv:Store).\n" + "=" * 94)
    out.lines.append("")
    pairs = sorted((out.c(a), out.c(b)) for a, b in terms.g.subject_objects(OWL.inverseOf)
                   if terms.is_ctdl(a) and terms.is_ctdl(b))
    for forward, inverse in pairs:
        fq, iq = sparql_term(forward), sparql_term(inverse)
        sparql_shape(
            f"inverse-{forward.replace(':', '-')}", f"{forward} agrees with its inverse {inverse}",
            f"    sh:targetSubjectsOf {forward} ;",
            f"""
        SELECT DISTINCT $this ?path ?value WHERE {{
            $this {fq} ?value .
            ?value {iq} ?other .
            FILTER NOT EXISTS {{ ?value {iq} $this }}
            BIND({fq} AS ?path)
        }}
        """, "sh:Warning",
            f"This resource says {forward} {{?value}}, but {{?value}} states {inverse} only for other resources, not "
            "for this one; the two descriptions disagree.",
            f"add {inverse} to the other resource, or remove the wrong statement",
            [f"https://credreg.net/{'ctdlasn' if forward.startswith('ceasn') else 'ctdl'}/terms/{forward.split(':')[1]}"],
            scope_store=True)
    sparql_shape(
        "registry-reference-resolves", "references to registry resources resolve",
        sparql_target("""
        SELECT DISTINCT ?this WHERE {
            ?this ?p ?value .
            FILTER(isIRI(?value) && STRSTARTS(STR(?p), "https://purl.org/ctdl")
                   && REGEX(STR(?value), "^https?://(sandbox[.])?credentialengineregistry[.]org/resources/ce-"))
            FILTER NOT EXISTS { ?value ?q ?x }
        }
        """),
        """
        SELECT DISTINCT $this ?path ?value WHERE {
            $this ?path ?value .
            FILTER(isIRI(?value) && STRSTARTS(STR(?path), "https://purl.org/ctdl")
                   && REGEX(STR(?value), "^https?://(sandbox[.])?credentialengineregistry[.]org/resources/ce-"))
            FILTER NOT EXISTS { ?value ?q ?x }
        }
        """, "sh:Info",
        "{?path} points at the registry resource {?value}, which is not among the documents validated. That is "
        "normal when it is published on its own; if it should be here, check the CTID in the address.",
        "check the CTID of the reference, or validate it together with the document that describes it",
        ["https://credreg.net/registry/assistant/ctid"], scope_store=True,
        comment="Reference resolution across the documents validated together (the whole store).")
    sparql_shape(
        "competency-in-its-framework", "a competency published with a framework is part of it", sparql_target("""
        SELECT DISTINCT ?this WHERE {
            ?this a ceasn:Competency .
            ?framework a ceasn:CompetencyFramework .
        }
        """),
        """
        SELECT $this ?path ?value WHERE {
            $this ceasn:isPartOf ?value .
            FILTER NOT EXISTS { $this ceasn:isPartOf ?framework . ?framework a ceasn:CompetencyFramework }
            BIND(ceasn:isPartOf AS ?path)
        }
        """, "sh:Violation",
        "This competency is published together with a competency framework, but its ceasn:isPartOf names {?value}, "
        "which is not a framework of this document; point ceasn:isPartOf at the framework it belongs to.",
        "set ceasn:isPartOf to the framework's IRI", ["https://credreg.net/ctdlasn/terms/isPartOf"],
        comment="Per document: registry framework documents carry the framework and all its competencies.")
    sparql_shape(
        "framework-contains-competency", "the framework a competency names lists it", sparql_target("""
        SELECT DISTINCT ?this WHERE {
            ?this a ceasn:Competency ; ceasn:isPartOf ?framework .
            ?framework a ceasn:CompetencyFramework .
            FILTER EXISTS { ?framework ceasn:hasTopChild ?top }
        }
        """),
        """
        SELECT DISTINCT $this ?path ?value WHERE {
            $this ceasn:isPartOf ?value .
            ?value a ceasn:CompetencyFramework .
            FILTER EXISTS { ?value ceasn:hasTopChild ?top }
            BIND(ceasn:isPartOf AS ?path)
            FILTER NOT EXISTS { ?value ceasn:hasTopChild/ceasn:hasChild* $this }
            FILTER NOT EXISTS { $this (ceasn:isChildOf*)/ceasn:isTopChildOf ?value }
        }
        """, "sh:Violation",
        "This competency says it is part of the framework {?value}, but that framework's hierarchy (ceasn:hasTopChild, "
        "ceasn:hasChild) does not reach it; list it under the framework, or correct ceasn:isPartOf.",
        "add the competency to the framework's hierarchy (hasTopChild / hasChild), or fix ceasn:isPartOf",
        ["https://credreg.net/ctdlasn/terms/isPartOf", "https://credreg.net/ctdlasn/terms/hasTopChild"], scope_store=True)
    return out.text()


# ------------------------------------------------------------------------------------------------

def render_all(policy_path: Path = POLICY, ontology: Path = ONTOLOGY) -> dict[Path, str]:
    terms = Terms(ontology)
    policy = load_policy(policy_path)
    return {SHAPES / "registry-minimum.ttl": render_registry_minimum(terms, policy),
            SHAPES / "ctdl-structure.ttl": render_structure(terms)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", type=Path, default=POLICY, help="policyBrowserData.json")
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed file is stale")
    args = parser.parse_args(argv)
    if not args.policy.is_file():
        print(f"error: {args.policy} not found (needs ../shared/reference)", file=sys.stderr)
        return 2
    stale = []
    for path, text in render_all(args.policy).items():
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)} ({len(text):,} bytes)")
    for path in stale:
        print(f"stale: {path.relative_to(ROOT)} (rerun tools/build_shapes.py)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
