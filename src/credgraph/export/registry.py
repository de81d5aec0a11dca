"""Credential Registry graph documents, written the way the registry writes them.

One JSON-LD document per main resource (credential, organization, learning opportunity,
assessment, competency framework with all its competencies, pathway with its components and
conditions, pathway set, transfer value profile, collection, ...; see ``maps/registry_types.json``)::

    {"@context": "https://credreg.net/ctdl/schema/context/json",   (CTDL-ASN for frameworks)
     "@id": "<base>graph/<ctid>",
     "@graph": [ {main entity}, {members with IRIs}..., {"@id": "_:<uuid>", secondary entities}... ]}

How a document is built (no JSON-LD library: the graph is walked directly, which is exact and fast):

1. **Members.** The main entity, then the IRIs its kind gathers (``membership`` in
   ``maps/registry_types.json``: a framework's competencies, a pathway's components ...), then,
   when the resource was loaded from a registry graph document (its triples sit in a graph named
   ``.../graph/<its ctid>``), every other subject of that graph.
2. **Blank nodes** reached from those nodes are *nested* in place (ConditionProfile, CostProfile,
   DurationProfile, ValueProfile, CredentialAlignmentObject, Place ...) when exactly one triple of
   the document points at them and they are not entities of a main kind; otherwise (an
   organization or credential not in the registry, a node referenced twice) they become ``_:<uuid>`` members of
   ``@graph``. Their labels are uuid5 of the document IRI and a digest of their content, so they
   are stable across loads and runs.
3. **Values** follow the term definitions of the generated context (:class:`vocab.Terms`):
   ``@id``-coerced terms get IRI strings (concepts as CURIEs, ``credentialStat:Active``); language
   containers get language maps (``{"en-US": "..."}``, several values as a sorted list, a plain
   string under ``@none``); typed terms get the lexical form as a string, or a JSON number or
   boolean when JSON-LD turns it back into exactly the same literal; anything the term cannot
   carry is written as a value object under the property's full IRI, so nothing is lost.
4. **Order.** ``@id`` and ``@type`` first, then properties by key; values sorted by their JSON
   text; members by ``@id``. Output is byte-for-byte reproducible.

Language tags: pyoxigraph stores them lower-cased (``en-us``); documents write them in the
recommended BCP 47 case (``en-US``, ``zh-Hant-TW``), as the registry does. RDF compares tags
case-insensitively, so the graph is unchanged.

Identifiers: IRIs are kept as they are, except that ``base`` (``--registry-base``, e.g. the
sandbox) rewrites every registry-style IRI (``.../resources/<ctid>`` or ``.../graph/<ctid>``) to
``<base>resources/<ctid>``, and a resource with a CTID but another kind of IRI is always given
``<base or production base>resources/<ctid>`` (references to it follow). A main resource without
a CTID is **not** exported: it is listed in :attr:`RegistryExport.problems`; with ``mint=True``
it gets ``ce-`` + uuid5(its IRI), recorded in :attr:`RegistryExport.minted`.

>>> from credgraph.store import open_store
>>> from credgraph.load import load_bytes
>>> store = open_store(":memory:")
>>> _ = load_bytes(store, b'''@prefix ceterms: <https://purl.org/ctdl/terms/> .
... @prefix credentialStat: <https://purl.org/ctdl/vocabs/credentialStat/> .
... <https://credentialengineregistry.org/resources/ce-00000000-0000-4000-8000-000000000001>
...   a ceterms:Certification ; ceterms:ctid "ce-00000000-0000-4000-8000-000000000001" ;
...   ceterms:name "Welding"@en-US ; ceterms:credentialStatusType credentialStat:Active ;
...   ceterms:estimatedDuration [ a ceterms:DurationProfile ; ceterms:exactDuration "P8W" ] .''',
...   fmt="turtle")
>>> [doc] = RegistryExport(store).documents()
>>> print(doc.text(indent=None))  # doctest: +NORMALIZE_WHITESPACE
{"@context": "https://credreg.net/ctdl/schema/context/json",
 "@id": "https://credentialengineregistry.org/graph/ce-00000000-0000-4000-8000-000000000001",
 "@graph": [{"@id": "https://credentialengineregistry.org/resources/ce-00000000-0000-4000-8000-000000000001",
 "@type": "ceterms:Certification", "ceterms:credentialStatusType": "credentialStat:Active",
 "ceterms:ctid": "ce-00000000-0000-4000-8000-000000000001",
 "ceterms:estimatedDuration": {"@type": "ceterms:DurationProfile", "ceterms:exactDuration": {"@value": "P8W"}},
 "ceterms:name": {"en-US": "Welding"}}]}
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from credgraph import ids
from credgraph.export.select import Reader, Resource, Selection, mint_ctid, select_resources
from credgraph.export.vocab import CONCEPT_NAMESPACES, RDF_TYPE, XSD, Kinds, Term, Terms

CONTEXT_URLS = {"ctdl": "https://credreg.net/ctdl/schema/context/json",
                "ctdlasn": "https://credreg.net/ctdlasn/schema/context/json"}
XSD_STRING = XSD + "string"
_INTEGER = re.compile(r"^-?(0|[1-9][0-9]{0,14})$")
_TYPE = ox.NamedNode(RDF_TYPE)
_LABELS = uuid.UUID("6f0d3c55-8a3c-5b8e-9d0a-3c2b1a0e7f11")  # namespace of blank node labels


@functools.lru_cache(maxsize=4096)
def format_language(tag: str) -> str:
    """A language tag in BCP 47's recommended case.

    >>> format_language("en-us"), format_language("zh-hant-tw"), format_language("AR")
    ('en-US', 'zh-Hant-TW', 'ar')
    """
    parts = tag.split("-")
    out = [parts[0].lower()]
    singleton = False
    for part in parts[1:]:
        if singleton or len(part) == 1:
            singleton = True
            out.append(part.lower())
        elif len(part) == 2:
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)


def json_double(value: float) -> str:
    """The lexical form JSON-LD gives a non-integral JSON number (shortest round trip, ``2.3E-1``).

    >>> json_double(0.23), json_double(1e21), json_double(-0.5)
    ('2.3E-1', '1.0E21', '-5.0E-1')
    """
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    power = exponent + len(text) - 1
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{power}"


def _number(lexical: str, datatype: str, coerced: bool):
    """A JSON number JSON-LD reads back as the same value of ``datatype``, or None.

    Under a numeric coercion (``coerced``) float and double values are written as numbers
    (JSON-LD gives them back as the same IEEE value), integral decimals too (``100.0`` ->
    ``"100"``); other decimals stay strings, because JSON-LD would give them a double's
    lexical form (``9.995E1``), which is not a valid ``xsd:decimal``. Without a coercion a
    JSON number can only mean ``xsd:integer`` or a non-integral ``xsd:double``.
    """
    if datatype == XSD + "integer":
        return int(lexical) if _INTEGER.match(lexical) else None
    if datatype not in (XSD + "decimal", XSD + "float", XSD + "double"):
        return None
    try:
        value = float(lexical)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    integral = value == int(value)
    if not coerced:
        return value if datatype == XSD + "double" and not integral and json_double(value) == lexical else None
    if datatype == XSD + "decimal":
        if _INTEGER.match(lexical):
            return value
        return value if "E" in lexical and not integral and json_double(value) == lexical else None
    return value


@dataclass
class Document:
    """One exported JSON-LD document."""

    name: str          # file stem, e.g. the CTID
    iri: str           # the document's @id
    data: dict
    kind: str = ""

    def text(self, indent: int | None = 2) -> str:
        if indent is None:
            return json.dumps(self.data, ensure_ascii=False, check_circular=False)
        return json.dumps(self.data, ensure_ascii=False, check_circular=False, indent=indent) + "\n"


@dataclass
class RegistryExport:
    """Registry graph documents for the selected resources of a store."""

    store: object
    selection: Selection = field(default_factory=Selection)
    base: str | None = None
    mint: bool = False
    problems: list[str] = field(default_factory=list)
    minted: dict[str, str] = field(default_factory=dict)
    skipped: int = 0

    def __post_init__(self):
        if self.base and not self.base.endswith("/"):
            self.base += "/"
        self.reader = Reader(self.store, self.selection.graph)
        self.kinds = Kinds.load()
        self.gather_any = frozenset(self.kinds.membership.get("any", {}).get("forward", ()))
        self._iri_cache: dict[str, str] = {}

    # ------------------------------------------------------------------ resources
    def resources(self) -> list[Resource]:
        return select_resources(self.reader, self.selection)

    def documents(self, resources: list[Resource] | None = None) -> Iterator[Document]:
        """One document per selected resource that has (or was given) a CTID."""
        for resource in self.resources() if resources is None else resources:
            ctid = self._ctid_of_main(resource)
            if ctid is None:
                continue
            yield self.document(resource, ctid)

    def _ctid_of_main(self, resource: Resource) -> str | None:
        if resource.ctid:
            return resource.ctid
        if isinstance(resource.node, ox.NamedNode) and self.mint:
            ctid = mint_ctid(resource.iri)
            self.minted[resource.iri] = ctid
            return ctid
        self.skipped += 1
        label = " ".join(Terms.load("ctdl").compact(t) for t in resource.types)
        why = ("a blank node cannot get a stable CTID: give it an IRI and a ceterms:ctid"
               if isinstance(resource.node, ox.BlankNode)
               else "add ceterms:ctid, or export with --mint-ctids")
        self.problems.append(f"no CTID: {resource.iri} ({label}) was not exported; {why}")
        return None

    # ------------------------------------------------------------------ identifiers
    def map_iri(self, iri: str) -> str:
        """The IRI a document writes for ``iri`` (registry base and minted CTIDs applied)."""
        found = self._iri_cache.get(iri)
        if found is not None:
            return found
        found = iri
        tail = ids.ctid_of(iri)
        if tail and ("/resources/" in iri or "/graph/" in iri or "/graphs/" in iri):
            if self.base:
                found = f"{self.base}resources/{tail}"
        else:
            node = ox.NamedNode(iri)
            ctid = self.reader.ctid(node)
            if ctid is None and self.mint and iri in self.minted:
                ctid = self.minted[iri]
            elif ctid is None and self.mint and any(self.kinds.main_kind(t) for t in self.reader.types(node)):
                ctid = self.minted.setdefault(iri, mint_ctid(iri))
            if ctid:
                found = f"{self.base or ids.REGISTRY_BASE}resources/{ctid}"
        self._iri_cache[iri] = found
        return found

    def graph_iri(self, main_iri: str, ctid: str) -> str:
        if "/resources/" in main_iri:
            head, _, tail = main_iri.rpartition("/resources/")
            return f"{head}/graph/{tail}"
        return f"{self.base or ids.REGISTRY_BASE}graph/{ctid}"

    # ------------------------------------------------------------------ one document
    def members(self, resource: Resource, ctid: str) -> list[ox.NamedNode]:
        """IRI members of a main resource's document, in discovery order (main excluded)."""
        reader, kinds = self.reader, self.kinds
        main = resource.node
        rule = kinds.membership.get(resource.kind, {})
        found: dict = {}

        def is_member(node) -> bool:
            return isinstance(node, ox.NamedNode) and node != main and node not in found and \
                any(kinds.member_kind(t) for t in reader.types(node))

        queue = []
        for prop in rule.get("forward", ()):
            queue += [o for o in reader.objects(main, prop) if is_member(o)]
        for prop in rule.get("reverse", ()):
            queue += [s for s in reader.subjects(prop, main) if is_member(s)]
        recursive = rule.get("recursive", ())
        while queue:
            node = queue.pop(0)
            if node in found:
                continue
            found[node] = None
            for prop in recursive:
                queue += [o for o in reader.objects(node, prop) if is_member(o)]
        if isinstance(main, ox.NamedNode):
            for q in reader.quads(main, _TYPE):
                g = q.graph_name
                tail = ids.ctid_of(g.value) if isinstance(g, ox.NamedNode) else None
                if tail and tail.lower() == ctid.lower():
                    # every typed IRI node of the resource's registry graph document
                    for x in reader.inner.quads_for_pattern(None, _TYPE, None, g):
                        sub = x.subject
                        if sub != main and isinstance(sub, ox.NamedNode):
                            found.setdefault(sub, None)
        return list(found)

    def document(self, resource: Resource, ctid: str) -> Document:
        context = resource.context
        builder = _Builder(self, Terms.load(context))
        main_iri = self.map_iri(resource.iri) if isinstance(resource.node, ox.NamedNode) else resource.iri
        if resource.ctid is None:
            main_iri = f"{self.base or ids.REGISTRY_BASE}resources/{ctid}"
            self._iri_cache[resource.iri] = main_iri
        doc_iri = self.graph_iri(main_iri, ctid)
        nodes = builder.collect([resource.node] + self.members(resource, ctid))
        graph = [builder.render_node(node, top=True) for node in nodes]
        if resource.ctid is None:
            graph[0]["ceterms:ctid"] = ctid
            graph[0] = _ordered(graph[0])
        head, rest = graph[0], sorted(graph[1:], key=lambda n: n["@id"])
        blank = sorted((builder.render_node(b, top=True) for b in builder.blank_members), key=lambda n: n["@id"])
        data = {"@context": CONTEXT_URLS[context], "@id": doc_iri, "@graph": [head, *rest, *blank]}
        return Document(ctid, doc_iri, data, resource.kind)


def _ordered(node: dict) -> dict:
    head = {k: node[k] for k in ("@id", "@type") if k in node}
    return head | {k: node[k] for k in sorted(node) if k not in head}


class _Builder:
    """Renders the nodes of one document."""

    def __init__(self, export: RegistryExport, terms: Terms):
        self.export = export
        self.reader = export.reader
        self.kinds = export.kinds
        self.terms = terms
        self.triples: dict = {}
        self.refs: dict = defaultdict(int)
        self.blank_members: list[ox.BlankNode] = []
        self.nested: set = set()
        self.labels: dict = {}

    def outgoing(self, node) -> list[tuple[str, object]]:
        found = self.triples.get(node)
        if found is None:
            found = self.reader.outgoing(node)
            self.triples[node] = found
        return found

    def collect(self, roots: list) -> list:
        """Find the blank nodes of the document and decide which are nested.

        Member-kind IRIs reached through the ``any`` membership properties (a dataset profile
        under ``aggregateData``, a condition with an IRI ...) join the document; the IRI nodes
        of the document (``roots`` and those) are returned.
        """
        seen_blank = []
        nodes = list(roots)
        stack = list(roots)
        visited = set(roots)
        gather = self.export.gather_any
        while stack:
            node = stack.pop()
            for pred, obj in self.outgoing(node):
                if isinstance(obj, ox.BlankNode):
                    self.refs[obj] += 1
                    if obj not in visited:
                        visited.add(obj)
                        seen_blank.append(obj)
                        stack.append(obj)
                elif pred in gather and obj not in visited and isinstance(obj, ox.NamedNode) and \
                        any(self.kinds.member_kind(t) for t in self.reader.types(obj)):
                    visited.add(obj)
                    nodes.append(obj)
                    stack.append(obj)
        for b in seen_blank:
            entity = any(self.kinds.main_kind(t) for t in self._types(b))
            if self.refs[b] == 1 and not entity:
                self.nested.add(b)
            else:
                self.blank_members.append(b)
        if self.blank_members:
            self._label_blank_members()
        return nodes

    def _types(self, node) -> list[str]:
        return sorted(o.value for p, o in self.outgoing(node) if p == RDF_TYPE and isinstance(o, ox.NamedNode))

    def _label_blank_members(self) -> None:
        digests: dict = {}

        def digest(node, stack: frozenset) -> str:
            if node in digests:
                return digests[node]
            parts = []
            for p, o in self.outgoing(node):
                if isinstance(o, ox.BlankNode):
                    value = "_:cycle" if o in stack else digest(o, stack | {node})
                else:
                    value = str(o)
                parts.append(f"{p} {value}")
            result = hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()
            if not stack:
                digests[node] = result
            return result

        counts: dict = defaultdict(int)
        keyed = sorted((digest(b, frozenset()), i, b) for i, b in enumerate(self.blank_members))
        for d, _, b in keyed:
            n = counts[d]
            counts[d] += 1
            self.labels[b] = "_:" + str(uuid.uuid5(_LABELS, f"{d} {n}"))

    # ------------------------------------------------------------------ rendering
    def render_node(self, node, top: bool = False) -> dict:
        out: dict = {}
        if isinstance(node, ox.NamedNode):
            out["@id"] = self.export.map_iri(node.value)
        elif node in self.labels:
            out["@id"] = self.labels[node]
        types = []
        values: dict[str, list] = {}
        languages: dict[str, dict[str, list]] = {}
        terms = self.terms
        by_iri = terms.by_iri
        literal = ox.Literal
        for pred, obj in self.outgoing(node):
            if pred == RDF_TYPE and isinstance(obj, ox.NamedNode):
                types.append(terms.compact(obj.value))
                continue
            term = by_iri.get(pred) or terms.term(pred)
            if term.kind == "lang":
                if isinstance(obj, literal):
                    lang = obj.language
                    if lang or obj.datatype.value == XSD_STRING:
                        key = format_language(lang) if lang else "@none"
                        languages.setdefault(term.key, {}).setdefault(key, []).append(obj.value)
                        continue
                values.setdefault(pred, []).append(self.render_value(Term(pred, "plain", None), obj))
                continue
            values.setdefault(term.key, []).append(self.render_value(term, obj))
        if types:
            types.sort()
            out["@type"] = types[0] if len(types) == 1 else types
        for key, by_language in languages.items():
            values[key] = [{lang: (sorted(texts) if len(texts) > 1 else texts[0])
                            for lang, texts in sorted(by_language.items())}]
        for key in sorted(values):
            items = values[key]
            if len(items) == 1:
                out[key] = items[0]
            elif all(type(i) is str for i in items):
                out[key] = sorted(items)
            else:
                out[key] = sorted(items, key=_sort_key)
        return out

    def render_value(self, term: Term, obj):
        if isinstance(obj, ox.NamedNode):
            iri = self.export.map_iri(obj.value)
            if iri.startswith(CONCEPT_NAMESPACES):
                iri = self.terms.compact(iri)
            return iri if term.kind == "id" else {"@id": iri}
        if isinstance(obj, ox.BlankNode):
            if obj in self.nested:
                return self.render_node(obj)
            label = self.labels[obj]
            return label if term.kind == "id" else {"@id": label}
        return self.render_literal(term, obj)

    def render_literal(self, term: Term, lit: ox.Literal):
        lexical, datatype = lit.value, lit.datatype.value
        if lit.language:
            return {"@value": lexical, "@language": format_language(lit.language)}
        if term.kind == "typed":
            if datatype == term.datatype:
                if datatype == XSD + "boolean" and lexical in ("true", "false"):
                    return lexical == "true"
                number = _number(lexical, datatype, coerced=True)
                return lexical if number is None else number
            if datatype == XSD_STRING:
                return {"@value": lexical}
            return {"@value": lexical, "@type": self.terms.compact(datatype)}
        if term.kind == "id":
            if datatype == XSD_STRING:
                return {"@value": lexical}
            return {"@value": lexical, "@type": self.terms.compact(datatype)}
        if datatype == XSD_STRING:
            return lexical
        if datatype == XSD + "boolean" and lexical in ("true", "false"):
            return lexical == "true"
        if datatype in (XSD + "integer", XSD + "double"):
            number = _number(lexical, datatype, coerced=False)
            if number is not None:
                return number
        return {"@value": lexical, "@type": self.terms.compact(datatype)}


def _sort_key(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
