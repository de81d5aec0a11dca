"""A resource's description for its linked-data page, and its RDF (concise bounded description).

Every value keeps its raw text: the templates escape it (Jinja2 autoescape). Links are made only
for ``http``/``https`` IRIs outside this server; any other scheme (``javascript:``, ``data:``...)
is shown as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from credgraph import ids
from credgraph.web.view import (ALT_NAME_PROPERTIES, DESCRIPTION_PROPERTIES, META, NAME_PROPERTIES, RDF_TYPE,
                                GraphView, page_url, pick_literal, short_iri)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
MAX_VALUES = 200        # values shown per property (the rest are counted)
MAX_INCOMING = 2000     # incoming links read
MAX_DEPTH = 4           # nesting of blank nodes (condition profiles, alignment objects)
#: How the metadata graph's facts read on a page (whether or not the ontology is loaded).
META_LABELS = {ids.CG + "origin": "origin", "http://www.w3.org/ns/prov#generatedAtTime": "loaded at",
               ids.CG + "format": "format", ids.CG + "tripleCount": "triples", ids.CG + "sha256": "SHA-256"}
SKIPPED_META = {ids.CG + "graph", ids.CG + "loadedFrom", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}


@dataclass
class Value:
    text: str
    kind: str                       # "iri", "literal" or "bnode"
    href: str | None = None         # this server's page for an IRI
    external: str | None = None     # the IRI itself when it is an http(s) link
    iri: str | None = None
    note: str | None = None         # language tag or datatype
    nested: list["Property"] = field(default_factory=list)


@dataclass
class Property:
    iri: str
    label: str
    short: str
    values: list[Value]
    total: int = 0


@dataclass
class Description:
    iri: str
    label: str
    names: list[Value]
    alt_names: list[str]
    summary: str | None
    types: list[Value]
    kind: str
    properties: list[Property]
    incoming: list[Property]
    provenance: list[dict]


def safe_external(iri: str) -> str | None:
    return iri if iri.lower().startswith(("http://", "https://")) else None


class Describer:
    def __init__(self, view: GraphView, languages: list[str]):
        self.view = view
        self.store = view.store
        self.languages = languages
        self._labels: dict[str, str] = {}

    def label(self, term) -> str:
        key = str(term)
        if key not in self._labels:
            self._labels[key] = self.view.label(term, self.languages)
        return self._labels[key]

    def value(self, term, depth: int = 0, seen: frozenset = frozenset()) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value(self.label(term), "iri", href=page_url(term.value),
                         external=safe_external(term.value), iri=term.value)
        if isinstance(term, ox.BlankNode):
            nested = []
            if depth < MAX_DEPTH and term not in seen:
                nested = self.properties(term, depth + 1, seen | {term})
            return Value("_:" + term.value, "bnode", nested=nested)
        if isinstance(term, ox.Literal):
            note = term.language or (None if term.datatype.value in (XSD_STRING, LANG_STRING)
                                     else short_iri(term.datatype.value))
            return Value(term.value, "literal", note=note)
        return Value(str(term), "literal")  # RDF-star triple terms

    def properties(self, subject, depth: int = 0, seen: frozenset = frozenset()) -> list[Property]:
        grouped: dict[str, list] = {}
        for q in self.store.quads_for_pattern(subject, None, None, None):
            values = grouped.setdefault(q.predicate.value, [])
            if q.object not in values:
                values.append(q.object)
        out = []
        for pred, objects in grouped.items():
            objects.sort(key=lambda t: (not isinstance(t, ox.Literal), str(t)))
            shown = [self.value(o, depth, seen) for o in objects[:MAX_VALUES]]
            out.append(Property(pred, self.label(ox.NamedNode(pred)), short_iri(pred), shown, len(objects)))
        order = {p.value: i for i, p in enumerate([RDF_TYPE] + NAME_PROPERTIES + ALT_NAME_PROPERTIES
                                                    + DESCRIPTION_PROPERTIES)}
        out.sort(key=lambda p: (order.get(p.iri, len(order)), p.label.lower(), p.iri))
        return out

    def incoming(self, node: ox.NamedNode) -> list[Property]:
        grouped: dict[str, list] = {}
        for i, q in enumerate(self.store.quads_for_pattern(None, None, node, None)):
            if i >= MAX_INCOMING:
                break
            if q.graph_name == META:
                continue
            subjects = grouped.setdefault(q.predicate.value, [])
            if q.subject not in subjects:
                subjects.append(q.subject)
        out = []
        for pred, subjects in grouped.items():
            subjects.sort(key=str)
            values = [self.value(s, depth=MAX_DEPTH) if isinstance(s, ox.NamedNode) else self._owner(s)
                      for s in subjects[:MAX_VALUES]]
            out.append(Property(pred, self.label(ox.NamedNode(pred)), short_iri(pred), values, len(subjects)))
        out.sort(key=lambda p: (p.label.lower(), p.iri))
        return out

    def _owner(self, bnode) -> Value:
        """A blank node pointing here (e.g. a condition profile): show the resource that holds it."""
        current, path = bnode, []
        for _ in range(MAX_DEPTH):
            holders = list(self.store.quads_for_pattern(None, None, current, None))
            if not holders:
                break
            q = holders[0]
            path.append(self.label(q.predicate))
            if isinstance(q.subject, ox.NamedNode):
                v = self.value(q.subject)
                v.note = "via " + " / ".join(reversed(path))
                return v
            current = q.subject
        return Value("_:" + bnode.value, "bnode")

    def provenance(self, node) -> list[dict]:
        graphs = []
        for q in self.store.quads_for_pattern(node, None, None, None):
            g = q.graph_name
            if isinstance(g, ox.NamedNode) and g not in graphs and g != META:
                graphs.append(g)
        out = []
        for g in sorted(graphs, key=str):
            entry = {"graph": g.value, "facts": self._meta_facts(g)}
            sources = [q.object for q in self.store.quads_for_pattern(g, ox.NamedNode(ids.CG + "loadedFrom"), None, META)]
            entry["sources"] = [{"iri": s.value, "facts": self._meta_facts(s)} for s in sources]
            out.append(entry)
        return out

    def _meta_facts(self, subject) -> list[tuple[str, str]]:
        facts = []
        for q in self.store.quads_for_pattern(subject, None, None, META):
            if q.predicate.value in SKIPPED_META:
                continue
            value = q.object.value if not isinstance(q.object, ox.NamedNode) else short_iri(q.object.value)
            label = META_LABELS.get(q.predicate.value) or self.label(q.predicate)
            facts.append((label, value))
        order = list(META_LABELS.values())
        return sorted(facts, key=lambda f: (order.index(f[0]) if f[0] in order else len(order), f))

    def describe(self, iri: str) -> Description:
        node = ox.NamedNode(iri)
        props = self.properties(node)
        names = []
        for prop in NAME_PROPERTIES:
            names += [self.value(o) for o in self.view.objects(node, prop) if isinstance(o, ox.Literal)]
            if names:
                break
        alt = sorted({o.value for p in ALT_NAME_PROPERTIES[:-1] for o in self.view.objects(node, p)
                      if isinstance(o, ox.Literal)})
        summary = None
        for prop in DESCRIPTION_PROPERTIES:
            summary = pick_literal(self.view.objects(node, prop), self.languages)
            if summary:
                break
        type_iris = self.view.types(node)
        return Description(
            iri=iri, label=self.label(node), names=names, alt_names=alt, summary=summary,
            types=[self.value(ox.NamedNode(t)) for t in type_iris], kind=self.view.kind_of(type_iris, node),
            properties=props, incoming=self.incoming(node), provenance=self.provenance(node))


def concise_description(store: ox.Store, iri: str) -> list[ox.Triple]:
    """The resource's own triples and, recursively, those of the blank nodes it points to."""
    triples, seen, todo = [], set(), [ox.NamedNode(iri)]
    done = set()
    while todo:
        subject = todo.pop()
        if subject in done:
            continue
        done.add(subject)
        for q in store.quads_for_pattern(subject, None, None, None):
            if q.graph_name == META and isinstance(subject, ox.NamedNode):
                continue
            t = ox.Triple(q.subject, q.predicate, q.object)
            if t not in seen:
                seen.add(t)
                triples.append(t)
                if isinstance(q.object, ox.BlankNode):
                    todo.append(q.object)
    return triples
