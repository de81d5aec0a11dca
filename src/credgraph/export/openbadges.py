"""Open Badges 3.0: an Achievement and an unsigned AchievementCredential template per credential.

For each selected CTDL credential two documents are written (``<ctid>.achievement`` and
``<ctid>.credential``), both with the OB 3.0 ``@context``
``["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]``.

The crosswalk:

=====================  ==============================================================================
OB 3.0 Achievement     from CTDL
=====================  ==============================================================================
id                     the credential's IRI (its registry resource IRI)
achievementType        the OB 3.0 specification's own "exact match" of the credential's class
                       (``maps/ob3_achievement_types.json``, generated from the spec's enumeration);
                       a class without one takes its nearest ancestor's (TechnicalLevel1Certificate
                       -> Certificate); none found: left out (the property is optional)
name, description      ``ceterms:name`` / ``ceterms:description`` (en-US, en, untagged, other)
criteria               ``id``: ``ceterms:subjectWebpage``; ``narrative``: the ``ceterms:requires``
                       condition profiles (description and conditions), else the description
alignment              the credential itself (targetType ``ceterms:Credential``, targetCode its CTID);
                       each competency it requires (``requires/targetCompetency``, competency IRIs or
                       alignment objects; targetType ``ceasn:Competency``) and each framework those
                       competencies belong to (targetType ``CTDL``)
creator                Profile of the owning organization (``ownedBy``, else ``offeredBy``): id, name,
                       url (subjectWebpage), email, description, address
inLanguage, tag        first ``ceterms:inLanguage``; ``ceterms:keyword``
humanCode              ``ceterms:codedNotation``
creditsAvailable       the required credit value when its unit is semester or quarter hours
otherIdentifier        the CTID (identifierType ``identifier``)
image                  ``ceterms:image``
=====================  ==============================================================================

The AchievementCredential is an unsigned **template**: ``issuer`` is the creator profile and
``credentialSubject.achievement`` the Achievement; the values an issuer sets per award are
placeholders: ``id`` ``urn:credgraph:template:<ctid>``, ``credentialSubject.id``
``did:example:earner``, ``validFrom`` the credential's ``ceterms:dateEffective`` (else
``1970-01-01T00:00:00Z``). It has no ``proof``; sign it after filling it in.

Offline contexts: :func:`offline_contexts` maps both context URLs to credgraph's own minimal
copies in ``contexts/`` (the terms this module writes, with the official IRIs), for JSON-LD
processing without network access.
"""

from __future__ import annotations

import functools
import json
import uuid
from importlib import resources

import pyoxigraph as ox

from credgraph import ids
from credgraph.export.frame import View
from credgraph.export.registry import Document
from credgraph.export.select import Reader, Selection, select_resources
from credgraph.export.vocab import expand_curie, read_map, subclass_edges

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXT = [VC_CONTEXT, OB_CONTEXT]
CREDIT_HOURS = {"https://purl.org/ctdl/vocabs/creditUnit/SemesterHour",
                "https://purl.org/ctdl/vocabs/creditUnit/QuarterHour"}


def offline_contexts() -> dict[str, dict]:
    """Context URL -> the ``@context`` object of credgraph's offline copy."""
    files = {VC_CONTEXT: "credentials-v2.jsonld", OB_CONTEXT: "ob-v3p0-3.0.3.jsonld"}
    out = {}
    for url, name in files.items():
        text = (resources.files("credgraph.export") / "contexts" / name).read_text(encoding="utf-8")
        out[url] = json.loads(text)["@context"]
    return out


@functools.cache
def achievement_types() -> dict[str, str]:
    """CTDL class IRI -> OB 3.0 achievementType (the spec's exact matches)."""
    return {expand_curie(k): v for k, v in read_map("ob3_achievement_types.json")["exactMatch"].items()}


def achievement_type(classes: list[str]) -> str | None:
    """The achievementType of the nearest class (itself, then ancestors) the OB spec maps.

    >>> achievement_type(["https://purl.org/ctdl/terms/TechnicalLevel1Certificate"])
    'Certificate'
    >>> achievement_type(["https://purl.org/ctdl/terms/OpenBadge"])
    'Badge'
    """
    table, edges = achievement_types(), subclass_edges()
    frontier, seen = sorted(classes), set(classes)
    while frontier:
        hits = sorted(table[c] for c in frontier if c in table)
        if hits:
            return hits[0]
        nxt = []
        for c in frontier:
            for p in edges.get(c, ()):
                if p not in seen:
                    seen.add(p)
                    nxt.append(p)
        frontier = sorted(nxt)
    return None


def _address(place: View) -> dict | None:
    address = {"type": ["Address"]}
    for key, prop in (("streetAddress", "ceterms:streetAddress"), ("addressLocality", "ceterms:addressLocality"),
                      ("addressRegion", "ceterms:addressRegion"), ("postalCode", "ceterms:postalCode")):
        value = place.text(prop)
        if value:
            address[key] = value
    country = place.text("ceterms:addressCountry")
    if country:
        if len(country) == 2 and country.isalpha() and country.isupper():
            address["addressCountryCode"] = country
        else:
            address["addressCountry"] = country
    return address if len(address) > 1 else None


def profile(reader: Reader, org) -> dict:
    """An OB 3.0 Profile of an organization node."""
    view = View(reader, org)
    name = view.text("ceterms:name")
    # an organization without an IRI gets a stable URN from its name (blank node labels are not stable)
    identifier = org.value if isinstance(org, ox.NamedNode) else \
        f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'credgraph:profile:' + (name or view.sort_key()))}"
    out: dict = {"id": identifier, "type": ["Profile"]}
    if name:
        out["name"] = name
    webpage = view.first_iri("ceterms:subjectWebpage")
    if webpage:
        out["url"] = webpage
    email = view.text("ceterms:email")
    if email:
        out["email"] = email
    description = view.text("ceterms:description")
    if description:
        out["description"] = description
    for place in view.nodes("ceterms:address"):
        address = _address(place)
        if address:
            out["address"] = address
            break
    return out


class OpenBadgesExport:
    """Achievements and AchievementCredential templates for the selected credentials."""

    def __init__(self, store, selection: Selection = Selection()):
        self.reader = Reader(store, selection.graph)
        self.selection = selection
        self.problems: list[str] = []

    def documents(self):
        for resource in select_resources(self.reader, self.selection, kinds={"credential"}):
            if not isinstance(resource.node, ox.NamedNode):
                continue
            achievement = self.achievement(resource.node, resource.types, resource.ctid)
            name = resource.ctid or ids.ctid_of(resource.iri) or _slug(resource.iri)
            yield Document(f"{name}.achievement", resource.iri,
                           {"@context": CONTEXT, **achievement}, "achievement")
            yield Document(f"{name}.credential", f"urn:credgraph:template:{name}",
                           self.credential(resource.node, achievement, name), "credential")

    # ------------------------------------------------------------------ Achievement
    def achievement(self, node, types: list[str], ctid: str | None) -> dict:
        view = View(self.reader, node)
        name = view.text("ceterms:name") or ctid or node.value
        description = view.text("ceterms:description") or name
        out: dict = {"id": node.value, "type": ["Achievement"]}
        kind = achievement_type(types)
        if kind:
            out["achievementType"] = kind
        out["name"] = name
        out["description"] = description
        out["criteria"] = self.criteria(view, description)
        alignments = self.alignments(view, name, ctid)
        if alignments:
            out["alignment"] = alignments
        creator = self.creator(view)
        if creator:
            out["creator"] = creator
        languages = view.literals("ceterms:inLanguage")
        if languages:
            out["inLanguage"] = languages[0].value
        tags = view.texts("ceterms:keyword")
        if tags:
            out["tag"] = tags
        code = view.text("ceterms:codedNotation")
        if code:
            out["humanCode"] = code
        credits_ = self.credits(view)
        if credits_ is not None:
            out["creditsAvailable"] = credits_
        image = view.first_iri("ceterms:image")
        if image:
            out["image"] = {"id": image, "type": "Image"}
        if ctid:
            out["otherIdentifier"] = [{"type": "IdentifierEntry", "identifier": ctid,
                                       "identifierType": "identifier"}]
        return out

    def criteria(self, view: View, description: str) -> dict:
        out: dict = {}
        webpage = view.first_iri("ceterms:subjectWebpage")
        if webpage:
            out["id"] = webpage
        lines = []
        for condition in view.nodes("ceterms:requires"):
            text = condition.text("ceterms:description") or condition.text("ceterms:name")
            if text:
                lines.append(text)
            lines += [f"- {c}" for c in condition.texts("ceterms:condition")]
        out["narrative"] = "\n".join(lines) if lines else description
        return out

    def alignments(self, view: View, name: str, ctid: str | None) -> list[dict]:
        out = [{"type": ["Alignment"], "targetName": name, "targetUrl": view.iri,
                "targetType": "ceterms:Credential", **({"targetCode": ctid} if ctid else {})}]
        competencies, frameworks = [], {}
        for condition in view.nodes("ceterms:requires"):
            for target in condition.values("ceterms:targetCompetency"):
                entry = self._competency(target, frameworks)
                if entry and entry not in competencies:
                    competencies.append(entry)
        out += sorted(competencies, key=lambda a: (a["targetUrl"], a["targetName"]))
        out += [frameworks[k] for k in sorted(frameworks)]
        return out

    def _competency(self, target, frameworks: dict) -> dict | None:
        reader = self.reader
        comp = View(reader, target)
        types = comp.types()
        if ids.CEASN + "Competency" in types or (isinstance(target, ox.NamedNode) and not types):
            text = comp.text("ceasn:competencyLabel") or comp.text("ceasn:competencyText")
            url = comp.iri
            if not url:
                return None
            entry = {"type": ["Alignment"], "targetName": text or url, "targetUrl": url,
                     "targetType": "ceasn:Competency"}
            description = comp.text("ceasn:competencyText")
            if description and description != entry["targetName"]:
                entry["targetDescription"] = description
            code = comp.text("ceasn:codedNotation")
            if code:
                entry["targetCode"] = code
            for framework in comp.nodes("ceasn:isPartOf"):
                fname = framework.text("ceasn:name")
                if fname:
                    entry["targetFramework"] = fname
                if framework.iri and framework.iri not in frameworks:
                    frameworks[framework.iri] = {"type": ["Alignment"], "targetName": fname or framework.iri,
                                                 "targetUrl": framework.iri, "targetType": "CTDL"}
            return entry
        # a CredentialAlignmentObject standing for a competency
        url = comp.first_iri("ceterms:targetNode")
        label = comp.text("ceterms:targetNodeName")
        if not url or not label:
            return None
        entry = {"type": ["Alignment"], "targetName": label, "targetUrl": url, "targetType": "ceasn:Competency"}
        for key, prop in (("targetDescription", "ceterms:targetNodeDescription"),
                          ("targetCode", "ceterms:codedNotation"), ("targetFramework", "ceterms:frameworkName")):
            value = comp.text(prop)
            if value:
                entry[key] = value
        return entry

    def creator(self, view: View) -> dict | None:
        for prop in ("ceterms:ownedBy", "ceterms:offeredBy"):
            orgs = [v for v in view.values(prop) if isinstance(v, (ox.NamedNode, ox.BlankNode))]
            if orgs:
                return profile(self.reader, sorted(orgs, key=str)[0])
        return None

    def credits(self, view: View) -> float | None:
        for condition in view.nodes("ceterms:requires"):
            for value in condition.nodes("ceterms:creditValue"):
                units = {c.iri for c in value.concepts("ceterms:creditUnitType")}
                amount = value.literals("schema:value")
                if units & CREDIT_HOURS and amount:
                    try:
                        return float(amount[0].value)
                    except ValueError:
                        continue
        return None

    # ------------------------------------------------------------------ AchievementCredential template
    def credential(self, node, achievement: dict, name: str) -> dict:
        view = View(self.reader, node)
        effective = view.text("ceterms:dateEffective")
        valid_from = f"{effective[:10]}T00:00:00Z" if effective and len(effective) >= 10 else "1970-01-01T00:00:00Z"
        issuer = achievement.get("creator") or {"id": f"urn:credgraph:template:issuer:{name}", "type": ["Profile"]}
        return {"@context": CONTEXT, "id": f"urn:credgraph:template:{name}",
                "type": ["VerifiableCredential", "AchievementCredential"],
                "name": achievement["name"], "description": achievement["description"],
                "issuer": issuer, "validFrom": valid_from,
                "credentialSubject": {"id": "did:example:earner", "type": ["AchievementSubject"],
                                      "achievement": achievement}}


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1] or "resource"


__all__ = ["CONTEXT", "OpenBadgesExport", "achievement_type", "offline_contexts", "profile"]
