"""What the pages need to know about terms: labels by language, kinds, page addresses.

Reads go through ``quads_for_pattern`` (index look-ups, no query text built from data).

>>> pick_literal([ox.Literal("Schweißer", language="de"), ox.Literal("Welder", language="en-US")], ["en"])
'Welder'
>>> accept_languages("nl-BE, en;q=0.8, *;q=0.1")
['nl-be', 'nl', 'en']
>>> page_url("https://w3id.org/credgraph/id/topic/stackable-credentials")
'/id/topic/stackable-credentials'
>>> page_url("https://sandbox.credentialengineregistry.org/resources/ce-d9d345a0-00ea-5cec-aaff-69c80e1f2bcc")
'/resources/ce-d9d345a0-00ea-5cec-aaff-69c80e1f2bcc'
>>> page_url("https://example.org/x?y=1")
'/resource?iri=https%3A%2F%2Fexample.org%2Fx%3Fy%3D1'
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from credgraph import ids
from credgraph.namespaces import PREFIXES

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
IN_SCHEME = ox.NamedNode("http://www.w3.org/2004/02/skos/core#inScheme")
SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
META = ox.NamedNode(ids.META_GRAPH)


def _iri(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else curie


def _nodes(*curies: str) -> list[ox.NamedNode]:
    return [ox.NamedNode(_iri(c)) for c in curies]


#: Where a resource's name comes from, best first.
NAME_PROPERTIES = _nodes("ceterms:name", "ceasn:name", "schema:name", "skos:prefLabel", "rdfs:label",
                         "dct:title", "ceasn:competencyLabel", "ceasn:competencyText")
#: Other names (search matches them; pages list them).
ALT_NAME_PROPERTIES = _nodes("skos:altLabel", "schema:alternateName", "ceterms:alternateName",
                             "ceterms:ctid")
#: Descriptions (search matches them).
DESCRIPTION_PROPERTIES = _nodes("ceterms:description", "schema:description", "dct:description",
                                "cg:overview", "skos:definition", "ceasn:description")

MAP_CONFIG = Path(__file__).with_name("map.toml")


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    classes: tuple[str, ...]
    schemes: tuple[str, ...] = ()   # when given, only concepts in one of these schemes


@dataclass(frozen=True)
class Relation:
    key: str
    label: str
    inverse: str
    path: str


def load_map_config(path: Path = MAP_CONFIG) -> tuple[list[Relation], list[Kind]]:
    """The relations and kinds of the relational map, from ``map.toml``."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    relations = [Relation(r["key"], r["label"], r["inverse"], r["path"]) for r in data["relation"]]
    kinds = [Kind(k["key"], k["label"], tuple(_iri(c) for c in k["classes"]),
                  tuple(_iri(s) for s in k.get("schemes", ()))) for k in data["kind"]]
    return relations, kinds


def accept_languages(header: str | None, default: str = "en") -> list[str]:
    """Language tags of an Accept-Language header, best first, each followed by its primary tag."""
    tags = []
    for i, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        tag = fields[0].lower()
        if not tag or tag == "*":
            continue
        q = 1.0
        for param in fields[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            tags.append((-q, i, tag))
    ordered = []
    for _, _, tag in sorted(tags):
        for t in (tag, tag.split("-")[0]):
            if t not in ordered:
                ordered.append(t)
    return ordered or [default]


def pick_literal(values: list, languages: list[str]) -> str | None:
    """The literal best matching the language preference (exact, then primary tag, then none, then any)."""
    literals = [v for v in values if isinstance(v, ox.Literal)]
    if not literals:
        return None

    def rank(lit: ox.Literal) -> tuple:
        lang = (lit.language or "").lower()
        for i, want in enumerate(languages):
            if lang == want:
                return (0, i)
            if lang.split("-")[0] == want:
                return (1, i)
        return (2, 0) if not lang else (3, 0)

    return min(literals, key=lambda lit: (rank(lit), lit.value)).value


def page_url(iri: str) -> str:
    """The address of a resource's page on this server."""
    if iri.startswith(ids.CG_ID) and len(iri) > len(ids.CG_ID) and "?" not in iri and "#" not in iri:
        return "/id/" + quote(iri[len(ids.CG_ID):], safe="/-._~")
    for base in (ids.REGISTRY_BASE, ids.SANDBOX_BASE):
        prefix = base + "resources/"
        if iri.startswith(prefix) and ids.is_ctid(iri[len(prefix):]):
            return "/resources/" + iri[len(prefix):]
    return "/resource?iri=" + quote(iri, safe="")


def short_iri(iri: str) -> str:
    """``prefix:local`` when a known prefix fits, else the IRI."""
    best = None
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns) and (best is None or len(ns) > len(PREFIXES[best])):
            best = prefix
    if best is None:
        return iri
    local = iri[len(PREFIXES[best]):]
    return f"{best}:{local}" if "/" not in local and "#" not in local else iri


def fallback_label(iri: str) -> str:
    short = short_iri(iri)
    if short != iri:
        return short
    tail = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return tail or iri


class GraphView:
    """Labels, kinds and types of resources in a store, with small caches."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.relations, self.kinds = load_map_config()
        self._lock = threading.Lock()
        self._class_kind: dict[str, str] | None = None

    def refresh(self) -> None:
        """Forget cached facts (after an update)."""
        with self._lock:
            self._class_kind = None

    # ------------------------------------------------------------------ reading helpers
    def objects(self, subject, predicate) -> list:
        seen, out = set(), []
        for q in self.store.quads_for_pattern(subject, predicate, None, None):
            if q.object not in seen:
                seen.add(q.object)
                out.append(q.object)
        return out

    def exists(self, iri: str) -> bool:
        node = ox.NamedNode(iri)
        for _ in self.store.quads_for_pattern(node, None, None, None):
            return True
        for _ in self.store.quads_for_pattern(None, None, node, None):
            return True
        return False

    def label(self, term, languages: list[str]) -> str:
        if isinstance(term, ox.NamedNode):
            for prop in NAME_PROPERTIES:
                text = pick_literal(self.objects(term, prop), languages)
                if text:
                    return text if len(text) <= 140 else text[:139] + "…"
            return fallback_label(term.value)
        if isinstance(term, ox.BlankNode):
            return "_:" + term.value
        return term.value

    def types(self, node) -> list[str]:
        return sorted(t.value for t in self.objects(node, RDF_TYPE) if isinstance(t, ox.NamedNode))

    # ------------------------------------------------------------------ kinds
    def class_kinds(self) -> dict[str, list[str]]:
        """class IRI -> the kinds it may mean (in map.toml order), following rdfs:subClassOf downwards."""
        with self._lock:
            if self._class_kind is None:
                mapping: dict[str, list[str]] = {}
                for kind in self.kinds:
                    todo, seen = [ox.NamedNode(c) for c in kind.classes], set()
                    while todo:
                        cls = todo.pop()
                        if cls.value in seen:
                            continue
                        seen.add(cls.value)
                        mapping.setdefault(cls.value, []).append(kind.key)
                        todo.extend(q.subject for q in self.store.quads_for_pattern(None, SUBCLASS, cls, None)
                                    if isinstance(q.subject, ox.NamedNode))
                self._class_kind = mapping
            return self._class_kind

    def kind_of(self, types: list[str], node: ox.NamedNode | None = None) -> str:
        """The first kind (in map.toml order) that one of ``types`` means; scheme-bound kinds need ``node``."""
        mapping = self.class_kinds()
        candidates = {k for t in types for k in mapping.get(t, ())}
        for kind in self.kinds:
            if kind.key not in candidates:
                continue
            if kind.schemes:
                if node is None:
                    continue
                schemes = {o.value for o in self.objects(node, IN_SCHEME) if isinstance(o, ox.NamedNode)}
                if not schemes & set(kind.schemes):
                    continue
            return kind.key
        return "other"

    def kind_of_iri(self, iri: str) -> str:
        node = ox.NamedNode(iri)
        return self.kind_of(self.types(node), node)

    def classes_of_kinds(self, keys: set[str]) -> list[str]:
        return sorted(c for c, kinds in self.class_kinds().items() if keys & set(kinds))

    def kind_label(self, key: str) -> str:
        for kind in self.kinds:
            if kind.key == key:
                return kind.label
        return "other"

    def node(self, iri: str, languages: list[str]) -> dict:
        """What the map and search show about one resource."""
        term = ox.NamedNode(iri)
        types = self.types(term)
        return {"id": iri, "label": self.label(term, languages), "kind": self.kind_of(types, term),
                "types": [short_iri(t) for t in types], "page": page_url(iri)}
