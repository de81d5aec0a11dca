"""schema.org JSON-LD a provider can embed in its web pages (``<script type="application/ld+json">``).

Credentials become ``EducationalOccupationalCredential``; learning programs and other learning
opportunities ``EducationalOccupationalProgram``; courses ``Course`` (CTDL declares
``ceterms:Course owl:equivalentClass schema:Course``). Properties follow the equivalences CTDL
declares in its own encoding (``maps/schemaorg.json``, generated from those declarations), used
where schema.org's domain admits the target type, plus the schema.org credential and program
properties whose CTDL counterpart is plain:

==============================  =======================================================================
schema.org                      from CTDL
==============================  =======================================================================
name, description, inLanguage, declared equivalents of ``ceterms:name``, ``description``, ``inLanguage``,
mainEntityOfPage, image,        ``subjectWebpage``, ``image``, ``offeredBy``
provider
identifier                      the CTID as a ``PropertyValue`` (propertyID ``ctid``)
credentialCategory              the CTDL class, as a ``DefinedTerm`` (its label and IRI)
educationalLevel                ``atLevel`` and ``audienceLevelType`` concepts (``DefinedTerm``)
competencyRequired              ``requires/targetCompetency`` (``DefinedTerm``)
recognizedBy                    ``accreditedBy`` / ``recognizedBy`` / ``approvedBy`` / ``regulatedBy``
validIn                         ``jurisdiction/mainJurisdiction`` (``AdministrativeArea``)
offers                          ``estimatedCost`` (``Offer``: price, priceCurrency, description)
occupationalCategory            ``occupationType`` (``CategoryCode``; programs only, as schema.org says)
timeToComplete                  ``estimatedDuration/exactDuration`` (programs)
numberOfCredits                 ``creditValue`` (``QuantitativeValue``; CTDL declares ValueProfile a
                                subclass of it)
educationalProgramMode          ``deliveryType`` label (programs)
educationalCredentialAwarded    credentials that require this program or course
courseCode, hasCourse           ``codedNotation``; ``hasPart`` courses of a program
==============================  =======================================================================

Documents use ``"@context": "https://schema.org"``; links are ``{"@id": ...}`` objects, so they
read the same under any schema.org context.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

import pyoxigraph as ox

from credgraph import ids
from credgraph.export.frame import View
from credgraph.export.registry import Document
from credgraph.export.select import Reader, Selection, select_resources
from credgraph.export.vocab import expand_curie, read_map, subclass_edges
from credgraph.resources import resource_dir

SCHEMA_CONTEXT = "https://schema.org"
QA = ("ceterms:accreditedBy", "ceterms:recognizedBy", "ceterms:approvedBy", "ceterms:regulatedBy")


def offline_contexts() -> dict[str, dict]:
    text = (resources.files("credgraph.export") / "contexts" / "schemaorg.jsonld").read_text(encoding="utf-8")
    return {SCHEMA_CONTEXT: json.loads(text)["@context"]}


@functools.cache
def equivalents() -> dict[str, str]:
    """CTDL property IRI -> the schema.org property CTDL declares equivalent (local name)."""
    table = read_map("schemaorg.json")["equivalentProperty"]
    return {expand_curie(k): v[0].split(":", 1)[1] for k, v in table.items()}


@functools.cache
def class_labels() -> dict[str, str]:
    labels = {}
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    for t in ox.parse(path=str(resource_dir("ontology") / "ctdl.ttl"), format=ox.RdfFormat.TURTLE):
        if t.predicate.value == label and isinstance(t.object, ox.Literal):
            labels.setdefault(t.subject.value, t.object.value)
    return labels


def _is_a(cls: str, ancestor: str) -> bool:
    edges, seen, stack = subclass_edges(), set(), [cls]
    while stack:
        c = stack.pop()
        if c == ancestor:
            return True
        if c not in seen:
            seen.add(c)
            stack += edges.get(c, ())
    return False


def _ref(iri: str) -> dict:
    return {"@id": iri}


class SchemaOrgExport:
    """schema.org JSON-LD for the selected credentials, programs and courses."""

    def __init__(self, store, selection: Selection = Selection()):
        self.reader = Reader(store, selection.graph)
        self.selection = selection
        self.problems: list[str] = []

    def documents(self):
        for resource in select_resources(self.reader, self.selection, kinds={"credential", "learning_opportunity"}):
            if not isinstance(resource.node, ox.NamedNode):
                continue
            view = View(self.reader, resource.node)
            if resource.kind == "credential":
                data = self.credential(view, resource.types)
            else:
                data = self.program(view, resource.types)
            name = resource.ctid or ids.ctid_of(resource.iri) or resource.iri.rstrip("/").rsplit("/", 1)[-1]
            yield Document(name, resource.iri, {"@context": SCHEMA_CONTEXT, **data}, data["@type"])

    # ------------------------------------------------------------------ shared
    def common(self, view: View, schema_type: str) -> dict:
        out: dict = {"@type": schema_type, "@id": view.iri}
        eq = equivalents()
        for prop in ("ceterms:name", "ceterms:description"):
            value = view.text(prop)
            if value:
                out[eq[expand_curie(prop)]] = value
        webpage = view.first_iri("ceterms:subjectWebpage")
        if webpage:
            out[eq[expand_curie("ceterms:subjectWebpage")]] = _ref(webpage)
        languages = sorted({lit.value for lit in view.literals("ceterms:inLanguage")})
        if languages:
            out["inLanguage"] = languages[0] if len(languages) == 1 else languages
        image = view.first_iri("ceterms:image")
        if image:
            out["image"] = _ref(image)
        providers = [self.organization(o) for o in view.nodes("ceterms:offeredBy")]
        if providers:
            out["provider"] = providers[0] if len(providers) == 1 else providers
        ctid = view.text("ceterms:ctid")
        if ctid:
            out["identifier"] = {"@type": "PropertyValue", "propertyID": "ctid", "value": ctid}
        offers = [self.offer(cost) for cost in view.nodes("ceterms:estimatedCost")]
        offers = [o for o in offers if o]
        if offers:
            out["offers"] = offers
        return out

    def organization(self, org: View) -> dict:
        out: dict = {"@type": "Organization"}
        if org.iri:
            out["@id"] = org.iri
        name = org.text("ceterms:name")
        if name:
            out["name"] = name
        webpage = org.first_iri("ceterms:subjectWebpage")
        if webpage:
            out["url"] = webpage
        return out

    def offer(self, cost: View) -> dict | None:
        out: dict = {"@type": "Offer"}
        price = cost.literals("ceterms:price")
        if price:
            try:
                out["price"] = float(price[0].value)
            except ValueError:
                out["price"] = price[0].value
        currency = cost.text("ceterms:currency")
        if currency:
            out["priceCurrency"] = currency
        description = cost.text("ceterms:description")
        if description:
            out["description"] = description
        kinds = [c.label for c in cost.concepts("ceterms:directCostType") if c.label]
        if kinds:
            out["category"] = kinds[0]
        return out if len(out) > 1 else None

    @staticmethod
    def defined_term(name: str | None, url: str | None = None, code: str | None = None,
                     term_set: str | None = None) -> dict:
        out: dict = {"@type": "DefinedTerm"}
        if name:
            out["name"] = name
        if url:
            out["url"] = url
        if code:
            out["termCode"] = code
        if term_set:
            out["inDefinedTermSet"] = term_set
        return out

    # ------------------------------------------------------------------ credentials
    def credential(self, view: View, types: list[str]) -> dict:
        out = self.common(view, "EducationalOccupationalCredential")
        labels = class_labels()
        category = [t for t in types if _is_a(t, ids.CETERMS + "Credential")]
        if category:
            cls = category[0]
            out["credentialCategory"] = self.defined_term(labels.get(cls, cls.rsplit("/", 1)[-1]), cls,
                                                          cls.rsplit("/", 1)[-1], ids.CETERMS + "Credential")
        levels = [self.defined_term(c.label, c.iri, c.code, c.framework or c.framework_name)
                  for prop in ("ceterms:atLevel", "ceterms:audienceLevelType") for c in view.concepts(prop)
                  if c.label or c.iri]
        if levels:
            out["educationalLevel"] = levels
        competencies = []
        for condition in view.nodes("ceterms:requires"):
            for target in condition.nodes("ceterms:targetCompetency"):
                text = target.text("ceasn:competencyText") or target.text("ceterms:targetNodeName")
                url = target.iri or target.first_iri("ceterms:targetNode")
                frameworks = target.iris("ceasn:isPartOf")
                if text or url:
                    competencies.append(self.defined_term(text, url, target.text("ceasn:codedNotation"),
                                                          frameworks[0] if frameworks else None))
        if competencies:
            out["competencyRequired"] = _unique(competencies)
        recognized = [self.organization(org) for prop in QA for org in view.nodes(prop)]
        if recognized:
            out["recognizedBy"] = _unique(recognized)
        areas = []
        for jurisdiction in view.nodes("ceterms:jurisdiction"):
            for place in jurisdiction.nodes("ceterms:mainJurisdiction"):
                name = place.text("ceterms:name") or place.text("ceterms:addressRegion") \
                    or place.text("ceterms:addressCountry")
                if name:
                    areas.append({"@type": "AdministrativeArea", "name": name})
        if areas:
            out["validIn"] = _unique(areas)
        return out

    # ------------------------------------------------------------------ programs and courses
    def program(self, view: View, types: list[str]) -> dict:
        course = any(_is_a(t, ids.CETERMS + "Course") for t in types)
        out = self.common(view, "Course" if course else "EducationalOccupationalProgram")
        if course:
            code = view.text("ceterms:codedNotation")
            if code:
                out["courseCode"] = code
        else:
            occupations = [{"@type": "CategoryCode", **({"name": c.label} if c.label else {}),
                            **({"codeValue": c.code} if c.code else {}),
                            **({"inCodeSet": {"@type": "CategoryCodeSet", "name": c.framework_name,
                                              **({"url": c.framework} if c.framework else {})}}
                               if c.framework_name else {})}
                           for c in view.concepts("ceterms:occupationType")]
            if occupations:
                out["occupationalCategory"] = occupations
            for duration in view.nodes("ceterms:estimatedDuration"):
                exact = duration.text("ceterms:exactDuration")
                if exact:
                    out["timeToComplete"] = exact
                    break
            modes = [c.label for c in view.concepts("ceterms:deliveryType") if c.label]
            if modes:
                out["educationalProgramMode"] = modes[0] if len(modes) == 1 else modes
            courses = [c for c in view.nodes("ceterms:hasPart")
                       if any(_is_a(t, ids.CETERMS + "Course") for t in c.types())]
            if courses:
                out["hasCourse"] = [{"@type": "Course", "@id": c.iri, **({"name": c.text("ceterms:name")}
                                                                        if c.text("ceterms:name") else {})}
                                    for c in courses if c.iri]
        for value in view.nodes("ceterms:creditValue"):
            amount = value.literals("schema:value")
            if amount:
                units = [c.label for c in value.concepts("ceterms:creditUnitType") if c.label]
                credits_ = {"@type": "QuantitativeValue", "value": _number(amount[0].value)}
                if units:
                    credits_["unitText"] = units[0]
                out["numberOfCredits"] = credits_
                break
        awarded = self.credentials_awarded(view)
        if awarded:
            out["educationalCredentialAwarded"] = awarded
        return out

    def credentials_awarded(self, view: View) -> list[dict]:
        reader = self.reader
        found = []
        for condition in reader.subjects(ids.CETERMS + "targetLearningOpportunity", view.node):
            for credential in reader.subjects(ids.CETERMS + "requires", condition):
                if isinstance(credential, ox.NamedNode):
                    cred = View(reader, credential)
                    entry = {"@type": "EducationalOccupationalCredential", "@id": credential.value}
                    name = cred.text("ceterms:name")
                    if name:
                        entry["name"] = name
                    found.append(entry)
        return _unique(found)


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value == int(value) else value


def _unique(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for item in items:
        key = json.dumps(item, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return sorted(out, key=lambda i: json.dumps(i, sort_keys=True))


__all__ = ["SchemaOrgExport", "equivalents", "offline_contexts"]
