"""European Learning Model (ELM 3): qualifications and learning achievement specifications.

One JSON-LD document per selected credential or learning opportunity, in the ELM application
profile's terms (``@context``: ``http://data.europa.eu/snb/model/context/edc-ap`` plus
``id``/``type`` aliases), carrying the elements of the EU micro-credential standard
(Council Recommendation 2022/C 243/02, Annex I) that a CTDL description states:

==========================  ===========================================================================
ELM                         from CTDL
==========================  ===========================================================================
title, description,         ``ceterms:name``, ``ceterms:description``, ``ceterms:alternateName``
altLabel                    (language maps)
awardingOpportunity /       the owning (else offering) organization as ``Organisation`` (legalName,
awardingBody                homepage, location with the country of its address; the EU country table)
accreditation (of the       ``ceterms:accreditedBy`` / ``recognizedBy`` / ``approvedBy`` / ``regulatedBy``
awarding body)              of the credential: ``Accreditation`` by that QA organization, its type
                            the CTDL property (limited to this qualification when it is one)
learningOutcome             competencies required (``requires/targetCompetency``), taught or assessed
                            (``teaches``/``assesses``, also of the required learning opportunities);
                            ESCO alignments of a competency become ``relatedESCOSkill``
creditPoint                 ``creditValue`` (on ``requires`` for credentials): ECTS when the profile says
                            "ECTS", else the CTDL credit unit concept
volumeOfLearning            ``estimatedDuration/timeRequired`` (else ``exactDuration``)
eqfLevel / educationLevel   ``ceterms:atLevel`` alignment to an EQF level (``http://data.europa.eu/snb/eqf/N``)
nqfLevel                    other ``atLevel`` alignments (national frameworks)
thematicArea                ISCED-F alignments (``instructionalProgramType`` targets under ``isced-f``)
provenBy                    ``requires/targetAssessment`` as ``LearningAssessmentSpecification`` (title,
                            assessment method types as dcType, delivery as mode)
mode                        ``learningDeliveryType`` / ``deliveryType`` (EDC modes where one matches)
language                    ``ceterms:inLanguage`` (the EU language table)
entryRequirement            ``entryCondition`` descriptions
homepage                    ``ceterms:subjectWebpage``
==========================  ===========================================================================

A credential becomes an ``elm:Qualification`` only when it states what the LOQ (Qualification
Dataset Register) profile requires of one: an EQF level, a national framework level, an ISCED-F
field and at least one learning outcome. Otherwise it, like every learning opportunity, is an
``elm:LearningAchievementSpecification``, with a stated EQF level as its ``educationLevel``.
Facts an ELM document needs but the data lacks (e.g. an awarding body without a country, which
ELM requires) are left out and reported in :attr:`ElmExport.warnings`.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

import pyoxigraph as ox

from credgraph import ids
from credgraph.export.frame import View
from credgraph.export.registry import Document, format_language
from credgraph.export.select import Reader, Selection, select_resources
from credgraph.export.vocab import read_map

ELM_CONTEXT_URL = "http://data.europa.eu/snb/model/context/edc-ap"
CONTEXT = [ELM_CONTEXT_URL, {"id": "@id", "type": "@type"}]
QA_PROPERTIES = (("ceterms:accreditedBy", "Accredited by"), ("ceterms:recognizedBy", "Recognized by"),
                 ("ceterms:approvedBy", "Approved by"), ("ceterms:regulatedBy", "Regulated by"))
ALIGNMENTS = ("ceasn:exactAlignment", "ceasn:broadAlignment", "ceasn:narrowAlignment",
              "ceasn:majorAlignment", "ceasn:minorAlignment")


@functools.cache
def codes() -> dict:
    return read_map("elm.json")


def offline_contexts() -> dict[str, dict]:
    """Context URL -> the ``@context`` of credgraph's offline copy (the terms this module writes)."""
    text = (resources.files("credgraph.export") / "contexts" / "elm-edc-ap.jsonld").read_text(encoding="utf-8")
    return {ELM_CONTEXT_URL: json.loads(text)["@context"]}


def language_map(view: View, prop: str) -> dict:
    out: dict = {}
    for lit in view.literals(prop):
        key = format_language(lit.language) if lit.language else "en"
        out.setdefault(key, lit.value)
    return dict(sorted(out.items()))


def concept(iri: str | None, label: str | None, scheme: str | None = None, notation: str | None = None) -> dict:
    out: dict = {}
    if iri:
        out["id"] = iri
    out["type"] = "Concept"
    if scheme:
        out["inScheme"] = {"id": scheme, "type": "ConceptScheme"}
    if notation:
        out["notation"] = notation
    if label:
        out["prefLabel"] = {"en": label}
    return out


def country_concept(text: str | None) -> dict | None:
    """An EU country-table concept for an ISO code or an English country name."""
    if not text:
        return None
    table = codes()
    code = text.strip()
    code = table["country_names"].get(code, code)
    if code.upper() in table["countries"]:
        alpha3, name = table["countries"][code.upper()]
    else:
        by_name = {n.lower(): (a3, n) for a3, n in table["countries"].values()}
        if code.lower() not in by_name:
            return concept(None, text)
        alpha3, name = by_name[code.lower()]
    return concept(f"{table['country_table']}/{alpha3}", name, table["country_table"])


def language_concept(tag: str) -> dict:
    table = codes()
    base = tag.split("-")[0].lower()
    if base in table["languages"]:
        code, name = table["languages"][base]
        return concept(f"{table['language_table']}/{code}", name, table["language_table"])
    return concept(None, tag, notation=tag)


class ElmExport:
    """ELM documents for the selected credentials and learning opportunities."""

    def __init__(self, store, selection: Selection = Selection()):
        self.reader = Reader(store, selection.graph)
        self.selection = selection
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def documents(self):
        for resource in select_resources(self.reader, self.selection, kinds={"credential", "learning_opportunity"}):
            if not isinstance(resource.node, ox.NamedNode):
                continue
            data = self.specification(View(self.reader, resource.node), resource.kind)
            name = resource.ctid or ids.ctid_of(resource.iri) or resource.iri.rstrip("/").rsplit("/", 1)[-1]
            yield Document(name, resource.iri, {"@context": CONTEXT, **data}, data["type"])

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # ------------------------------------------------------------------ one specification
    def specification(self, view: View, kind: str) -> dict:
        table = codes()
        requires = view.nodes("ceterms:requires") if kind == "credential" else []
        levels = [c for c in view.concepts("ceterms:atLevel")]
        eqf = [c for c in levels if c.iri and c.iri.startswith(table["eqf_prefix"]) and c.iri != table["eqf_scheme"]]
        nqf = [c for c in levels if c not in eqf]
        fields = [c for c in view.concepts("ceterms:instructionalProgramType")
                  if c.iri and c.iri.startswith(table["iscedf_prefix"])]
        outcomes = self.learning_outcomes(view, requires)
        qualification = kind == "credential" and bool(eqf and nqf and fields and outcomes)
        out: dict = {"id": view.iri, "type": "Qualification" if qualification else "LearningAchievementSpecification"}
        out["title"] = language_map(view, "ceterms:name")
        for key, prop in (("description", "ceterms:description"), ("altLabel", "ceterms:alternateName")):
            found = language_map(view, prop)
            if found:
                out[key] = found
        homepage = view.first_iri("ceterms:subjectWebpage")
        if homepage:
            out["homepage"] = {"type": "WebResource", "contentURL": homepage}
        if outcomes:
            out["learningOutcome"] = outcomes
        credit_sources = [view] + requires
        credits_ = [c for source in credit_sources for c in self.credit_points(source)]
        if credits_:
            out["creditPoint"] = credits_
        volume = self.volume(view)
        if volume:
            out["volumeOfLearning"] = volume
        eqf_concepts = [concept(c.iri, c.label or f"EQF level {c.iri.rsplit('/', 1)[-1]}", table["eqf_scheme"])
                        for c in eqf]
        if qualification:
            out["eqfLevel"] = eqf_concepts[0]
            out["nqfLevel"] = [concept(c.iri, c.label or c.framework_name, notation=c.code) for c in nqf]
            out["thematicArea"] = [concept(c.iri, c.label, table["iscedf_scheme"]) for c in fields]
        elif eqf_concepts:
            out["educationLevel"] = eqf_concepts
        modes = self.modes(view, "ceterms:learningDeliveryType" if kind == "credential" else "ceterms:deliveryType")
        if modes:
            out["mode"] = modes
        languages = [language_concept(lit.value) for lit in view.literals("ceterms:inLanguage")]
        if languages:
            out["language"] = _unique(languages)
        entry = [c.text("ceterms:description") for c in view.nodes("ceterms:entryCondition")]
        entry = [e for e in entry if e]
        if entry:
            out["entryRequirement"] = {"type": "Note", "noteLiteral": {"en": "\n".join(entry)}}
        assessments = [self.assessment(a) for r in requires for a in r.nodes("ceterms:targetAssessment")]
        if assessments:
            out["provenBy"] = _unique(assessments)
        awarding = self.awarding(view, qualification)
        if awarding:
            out["awardingOpportunity"] = awarding
        return out

    def learning_outcomes(self, view: View, requires: list[View]) -> list[dict]:
        targets: list = []
        for condition in requires:
            targets += condition.values("ceterms:targetCompetency")
            for lopp in condition.nodes("ceterms:targetLearningOpportunity"):
                targets += lopp.values("ceterms:teaches")
        targets += view.values("ceterms:teaches") + view.values("ceterms:assesses")
        outcomes, seen = [], set()
        for target in targets:
            if target in seen or not isinstance(target, (ox.NamedNode, ox.BlankNode)):
                continue
            seen.add(target)
            comp = View(self.reader, target)
            title = language_map(comp, "ceasn:competencyText") or language_map(comp, "ceterms:targetNodeName") \
                or language_map(comp, "ceasn:competencyLabel")
            if not title:
                continue
            outcome: dict = {"type": "LearningOutcome", "title": title}
            esco = sorted({iri for prop in ALIGNMENTS for iri in comp.iris(prop)
                           if iri.startswith(codes()["esco_prefix"])})
            if isinstance(target, ox.BlankNode):
                node = comp.first_iri("ceterms:targetNode")
                if node and node.startswith(codes()["esco_prefix"]):
                    esco.append(node)
            if esco:
                outcome["relatedESCOSkill"] = [concept(iri, None) for iri in esco]
            outcomes.append(outcome)
        return sorted(outcomes, key=lambda o: json.dumps(o, sort_keys=True))

    def credit_points(self, source: View) -> list[dict]:
        table = codes()
        hint = " ".join(source.texts("ceterms:creditUnitTypeDescription"))
        out = []
        for value in source.nodes("ceterms:creditValue"):
            amounts = value.literals("schema:value")
            if not amounts:
                continue
            point = _point(amounts[0].value)
            text = " ".join([hint] + value.texts("schema:description")
                            + value.texts("ceterms:creditUnitTypeDescription"))
            if "ECTS" in text:
                framework = concept(table["ects"][0], table["ects"][1], table["credit_scheme"])
            else:
                units = value.concepts("ceterms:creditUnitType")
                if not units:
                    continue
                framework = concept(units[0].iri, units[0].label)
            out.append({"type": "CreditPoint", "framework": framework, "point": point})
        return out

    def volume(self, view: View) -> str | None:
        for duration in view.nodes("ceterms:estimatedDuration"):
            for prop in ("ceterms:timeRequired", "ceterms:exactDuration"):
                found = duration.literals(prop)
                if found and found[0].value.startswith("P"):
                    return found[0].value
        return None

    def modes(self, view: View, prop: str) -> list[dict]:
        table = codes()
        out = []
        for c in view.concepts(prop):
            if c.iri in table["modes"]:
                iri, label = table["modes"][c.iri]
                out.append(concept(iri, label, table["mode_scheme"]))
            elif c.iri or c.label:
                out.append(concept(c.iri, c.label))
        return _unique(out)

    def assessment(self, node: View) -> dict:
        out: dict = {"type": "LearningAssessmentSpecification"}
        if node.iri:
            out["id"] = node.iri
        out["title"] = language_map(node, "ceterms:name") or {"en": node.iri or "assessment"}
        description = language_map(node, "ceterms:description")
        if description:
            out["description"] = description
        methods = [concept(c.iri, c.label) for c in node.concepts("ceterms:assessmentMethodType")]
        if methods:
            out["dcType"] = _unique(methods)
        modes = self.modes(node, "ceterms:deliveryType")
        if modes:
            out["mode"] = modes
        languages = [language_concept(lit.value) for lit in node.literals("ceterms:inLanguage")]
        if languages:
            out["language"] = _unique(languages)
        return out

    def organisation(self, org) -> dict | None:
        view = View(self.reader, org)
        country = None
        for place in view.nodes("ceterms:address"):
            country = country_concept(place.text("ceterms:addressCountry"))
            if country:
                break
        name = language_map(view, "ceterms:name")
        if country is None or not name:
            self._warn(f"ELM: organization {view.iri or 'blank node'} has no "
                                 f"{'country in its address' if name else 'name'}; "
                                 "ELM requires one, so it is left out")
            return None
        out: dict = {"type": "Organisation"}
        if view.iri:
            out["id"] = view.iri
        out["legalName"] = name
        homepage = view.first_iri("ceterms:subjectWebpage")
        if homepage:
            out["homepage"] = {"type": "WebResource", "contentURL": homepage}
        out["location"] = {"type": "Location", "address": {"type": "Address", "countryCode": country}}
        return out

    def awarding(self, view: View, qualification: bool) -> dict | None:
        for prop in ("ceterms:ownedBy", "ceterms:offeredBy"):
            orgs = sorted((v for v in view.values(prop) if isinstance(v, (ox.NamedNode, ox.BlankNode))), key=str)
            if orgs:
                break
        else:
            return None
        body = self.organisation(orgs[0])
        if body is None:
            return None
        accreditations = []
        for prop, label in QA_PROPERTIES:
            for qa in view.nodes(prop):
                agent = self.organisation(qa.node)
                if agent is None:
                    continue
                qa_name = qa.text("ceterms:name") or qa.iri
                entry = {"type": "Accreditation",
                         "dcType": concept(ids.CETERMS + prop.split(":")[1], label),
                         "title": {"en": f"{label} {qa_name}"},
                         "organisation": {"id": body["id"]} if "id" in body else body,
                         "accreditingAgent": agent}
                if qualification:
                    entry["limitQualification"] = {"id": view.iri}
                accreditations.append(entry)
        if accreditations:
            body["accreditation"] = accreditations
        return {"type": "AwardingOpportunity", "awardingBody": body,
                "learningAchievementSpecification": {"id": view.iri}}


def _point(text: str) -> str:
    try:
        value = float(text)
    except ValueError:
        return text
    return str(int(value)) if value == int(value) else repr(value)


def _unique(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for item in items:
        key = json.dumps(item, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return sorted(out, key=lambda i: json.dumps(i, sort_keys=True))


__all__ = ["CONTEXT", "ElmExport", "country_concept", "language_concept", "offline_contexts"]
