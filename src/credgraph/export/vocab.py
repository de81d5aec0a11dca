"""What the exporters know about the vocabulary: registry kinds of classes, term definitions.

Two things drive every exporter and both come from data files, not code:

- **kinds** (``maps/registry_types.json`` + the class tree of ``ontology/ctdl.ttl``): which
  classes the Credential Registry publishes as graph documents of their own (*main* kinds:
  credential, organization, learning opportunity, framework, pathway ...) and which only inside
  another resource's graph (*member* kinds: competency, pathway component, concept ...). A class
  takes the kind of its nearest listed ancestor.
- **terms** (the generated CTDL / CTDL-ASN contexts, :func:`credgraph.contexts.load_context`):
  for each property IRI the compact key the registry writes and how its values are written
  (``@id``-coerced, a language map, or typed with a datatype).

>>> kinds = Kinds.load()
>>> kinds.main_kind("https://purl.org/ctdl/terms/TechnicalLevel1Certificate")
'credential'
>>> kinds.main_kind("https://purl.org/ctdlasn/terms/CompetencyFramework")
'competency_framework'
>>> kinds.member_kind("https://purl.org/ctdl/terms/CredentialComponent")
'pathway_component'
>>> terms = Terms.load("ctdl")
>>> terms.term("https://purl.org/ctdl/terms/name")
Term(key='ceterms:name', kind='lang', datatype=None)
>>> terms.term("https://purl.org/ctdl/terms/price")
Term(key='ceterms:price', kind='typed', datatype='http://www.w3.org/2001/XMLSchema#decimal')
>>> terms.compact("https://purl.org/ctdl/vocabs/credentialStat/Active")
'credentialStat:Active'
"""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

import pyoxigraph as ox

from credgraph.contexts import load_context
from credgraph.resources import resource_dir

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
#: Namespaces whose IRIs the registry writes as CURIEs in @id-coerced values (concepts).
CONCEPT_NAMESPACES = ("https://purl.org/ctdl/vocabs/", "https://purl.org/ctdlasn/vocabs/")
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def read_map(name: str) -> dict:
    """A JSON data file of ``credgraph/export/maps/``."""
    text = (resources.files("credgraph.export") / "maps" / name).read_text(encoding="utf-8")
    return json.loads(text)


def prefixes(context_name: str = "ctdl") -> dict[str, str]:
    """Prefix -> namespace of a bundled context (plus skos, which both contexts use)."""
    ctx = load_context(context_name)
    found = {k: v for k, v in ctx.items() if isinstance(v, str) and not k.startswith("@")}
    found.setdefault("skos", SKOS)
    found.setdefault("xsd", XSD)
    return found


def expand_curie(curie: str, context_name: str = "ctdl") -> str:
    """``ceterms:Credential`` -> ``https://purl.org/ctdl/terms/Credential`` (IRIs pass through).

    >>> expand_curie("ceasn:Competency")
    'https://purl.org/ctdlasn/terms/Competency'
    """
    prefix, sep, local = curie.partition(":")
    table = _all_prefixes()
    if sep and not local.startswith("//") and prefix in table:
        return table[prefix] + local
    return curie


@functools.cache
def _all_prefixes() -> dict[str, str]:
    return prefixes("ctdlasn") | prefixes("ctdl")


@functools.cache
def subclass_edges() -> dict[str, tuple[str, ...]]:
    """class IRI -> its direct superclasses, from ``ontology/ctdl.ttl`` and ``credgraph.ttl``."""
    parents: dict[str, list[str]] = defaultdict(list)
    for name in ("ctdl.ttl", "credgraph.ttl"):
        path = resource_dir("ontology") / name
        if not path.exists():
            continue
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if triple.predicate.value == SUBCLASS and isinstance(triple.object, ox.NamedNode):
                parents[triple.subject.value].append(triple.object.value)
    return {k: tuple(v) for k, v in parents.items()}


class Kinds:
    """Registry kinds of classes (main and member), with subclasses resolved."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.main_roots = {expand_curie(k): v for k, v in spec["main"].items()}
        self.member_roots = {expand_curie(k): v for k, v in spec["member"].items()}
        self.membership = {kind: {direction: tuple(expand_curie(p) for p in props)
                                  for direction, props in rule.items() if direction != "about"}
                           for kind, rule in spec["membership"].items() if kind != "about"}
        self._cache: dict[str, tuple[str, str | None]] = {}

    @classmethod
    @functools.cache
    def load(cls) -> "Kinds":
        return cls(read_map("registry_types.json"))

    def _nearest(self, cls_iri: str) -> tuple[str, str | None]:
        """('main'|'member'|'', root IRI) of the nearest listed ancestor (breadth first)."""
        if cls_iri in self._cache:
            return self._cache[cls_iri]
        edges = subclass_edges()
        seen, frontier, found = {cls_iri}, [cls_iri], ("", None)
        while frontier and found[1] is None:
            hits = sorted(c for c in frontier if c in self.main_roots or c in self.member_roots)
            if hits:
                # members win over mains at the same depth (a component is never its own document)
                member = [c for c in hits if c in self.member_roots]
                root = member[0] if member else hits[0]
                found = ("member" if member else "main", root)
                break
            nxt = []
            for c in frontier:
                for p in edges.get(c, ()):
                    if p not in seen:
                        seen.add(p)
                        nxt.append(p)
            frontier = nxt
        self._cache[cls_iri] = found
        return found

    def main_kind(self, cls_iri: str) -> str | None:
        role, root = self._nearest(cls_iri)
        return self.main_roots[root]["kind"] if role == "main" else None

    def member_kind(self, cls_iri: str) -> str | None:
        role, root = self._nearest(cls_iri)
        return self.member_roots[root] if role == "member" else None

    def main_spec(self, cls_iri: str) -> dict | None:
        role, root = self._nearest(cls_iri)
        return self.main_roots[root] if role == "main" else None

    def classes_of_kind(self, kinds: set[str] | None = None) -> list[str]:
        """Every known class (roots and their subclasses) of a main kind in ``kinds`` (all if None)."""
        edges = subclass_edges()
        candidates = set(edges) | set(self.main_roots)
        return sorted(c for c in candidates
                      if (k := self.main_kind(c)) is not None and (kinds is None or k in kinds))

    def subclasses(self, cls_iri: str) -> list[str]:
        """``cls_iri`` and every class under it in the ontology."""
        children: dict[str, set[str]] = defaultdict(set)
        for child, parents in subclass_edges().items():
            for p in parents:
                children[p].add(child)
        out, stack = {cls_iri}, [cls_iri]
        while stack:
            for c in children.get(stack.pop(), ()):
                if c not in out:
                    out.add(c)
                    stack.append(c)
        return sorted(out)


class Term(NamedTuple):
    key: str            # compact key to write ("ceterms:name") or the full IRI
    kind: str           # "id" (@type @id), "lang" (@container @language), "typed", "plain"
    datatype: str | None  # for "typed": the coerced datatype IRI


@dataclass
class Terms:
    """Property IRI -> how a registry document writes it, for one bundled context."""

    name: str
    by_iri: dict[str, Term]
    namespaces: list[tuple[str, str]]  # (namespace, prefix), longest namespace first

    @classmethod
    @functools.cache
    def load(cls, name: str) -> "Terms":
        ctx = load_context(name)
        table = prefixes(name)
        by_iri: dict[str, Term] = {}
        for key, definition in ctx.items():
            if key.startswith("@") or not isinstance(definition, dict):
                continue
            iri = definition.get("@id") or _expand(key, table)
            if iri is None:
                continue
            if definition.get("@container") == "@language":
                term = Term(key, "lang", None)
            elif definition.get("@type") == "@id":
                term = Term(key, "id", None)
            elif isinstance(definition.get("@type"), str):
                term = Term(key, "typed", _expand(definition["@type"], table))
            else:
                term = Term(key, "plain", None)
            by_iri[iri] = term
        namespaces = sorted(((ns, p) for p, ns in table.items()), key=lambda x: (-len(x[0]), x[1]))
        return cls(name, by_iri, namespaces)

    def term(self, iri: str) -> Term:
        found = self.by_iri.get(iri)
        if found is None:
            found = Term(self.compact(iri), "plain", None)
            self.by_iri[iri] = found
        return found

    @functools.lru_cache(maxsize=65536)  # noqa: B019 (Terms objects are cached singletons)
    def compact(self, iri: str) -> str:
        """A CURIE for ``iri`` when one of the context's prefixes fits, else ``iri`` itself."""
        for namespace, prefix in self.namespaces:
            if iri.startswith(namespace):
                local = iri[len(namespace):]
                if _LOCAL.match(local):
                    return f"{prefix}:{local}"
        return iri

    def __hash__(self) -> int:
        return hash(self.name)


def _expand(value: str, table: dict[str, str]) -> str | None:
    prefix, sep, local = value.partition(":")
    if sep and prefix in table:
        return table[prefix] + local
    if "://" in value:
        return value
    return None
