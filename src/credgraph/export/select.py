"""Which resources an export covers (``--ctid``, ``--type``, ``--owner``, ``--graph``), and reading them.

A :class:`Selection` is what the user asked for; :class:`Reader` reads the store for the
exporters (the metadata graph and the inference graph are never exported; with ``graph`` set,
only that graph is read). :func:`select_resources` lists the *main* resources (those the
Credential Registry publishes as documents of their own, see :mod:`credgraph.export.vocab`) that
match, in a stable order (by IRI), so exports are deterministic.

Selection rules:

- ``ctids``: the resource's ``ceterms:ctid`` or the CTID at the tail of its IRI (any case);
- ``types``: CURIEs (``ceterms:Certification``) or IRIs; subclasses count (``ceterms:Credential``
  selects every credential);
- ``owners``: an organization IRI or CTID, matched against ``ceterms:ownedBy``,
  ``ceasn:publisher`` and ``ceasn:creator`` (frameworks name their owner that way);
- every given criterion must hold (AND); within one criterion any value may match (OR).

>>> from credgraph.store import open_store
>>> from credgraph.load import load_bytes
>>> store = open_store(":memory:")
>>> _ = load_bytes(store, b'''@prefix ceterms: <https://purl.org/ctdl/terms/> .
... <https://example.org/c1> a ceterms:Certification ; ceterms:ctid "ce-00000000-0000-4000-8000-000000000001" .
... <https://example.org/o1> a ceterms:CredentialOrganization .''', fmt="turtle")
>>> [(r.iri, r.kind, r.ctid) for r in select_resources(Reader(store), Selection())]
[('https://example.org/c1', 'credential', 'ce-00000000-0000-4000-8000-000000000001'), ('https://example.org/o1', 'organization', None)]
>>> [r.iri for r in select_resources(Reader(store), Selection(types=("ceterms:Organization",)))]
['https://example.org/o1']
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from credgraph import ids
from credgraph.errors import UsageError
from credgraph.export.vocab import RDF_TYPE, Kinds, expand_curie

CTID = ox.NamedNode(ids.CETERMS + "ctid")
TYPE = ox.NamedNode(RDF_TYPE)
OWNER_PROPERTIES = (ids.CETERMS + "ownedBy", ids.CEASN + "publisher", ids.CEASN + "creator")
#: Graphs that hold credgraph's own bookkeeping, never exported.
PRIVATE_GRAPHS = frozenset({ids.META_GRAPH, ids.INFERRED_GRAPH})


@dataclass(frozen=True)
class Selection:
    """What to export; empty criteria select everything."""

    ctids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    graph: str | None = None

    def type_iris(self) -> set[str]:
        """The selected classes and all their subclasses, as IRIs."""
        kinds = Kinds.load()
        found: set[str] = set()
        for given in self.types:
            iri = expand_curie(given.strip())
            if "://" not in iri and ":" not in iri:  # a bare local name: try CTDL, then CTDL-ASN
                iri = next((ns + iri for ns in (ids.CETERMS, ids.CEASN)
                            if kinds.main_kind(ns + iri) or kinds.member_kind(ns + iri)), iri)
            if "://" not in iri:
                raise UsageError(f"--type {given!r} is not a CURIE or IRI of a known class",
                                 fix="give e.g. ceterms:Certification or the class IRI")
            found.update(kinds.subclasses(iri))
        return found


@dataclass
class Resource:
    """A main resource found in the store."""

    node: ox.NamedNode | ox.BlankNode
    kind: str
    types: list[str]
    ctid: str | None
    context: str = "ctdl"
    needs_ctid: bool = True

    @property
    def iri(self) -> str:
        return self.node.value if isinstance(self.node, ox.NamedNode) else f"_:{self.node.value}"


@dataclass
class Reader:
    """Read access to the store for exporters, with per-run caches."""

    store: object
    graph: str | None = None
    _types: dict = field(default_factory=dict, repr=False)
    _ctids: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.graph_node = ox.NamedNode(self.graph) if self.graph else None
        self.private = {ox.NamedNode(g) for g in PRIVATE_GRAPHS}
        if self.graph and not self.inner.contains_named_graph(self.graph_node):
            raise UsageError(f"the store has no graph {self.graph}",
                             fix="list graphs with `credgraph sources`")

    @property
    def inner(self):
        """The pyoxigraph store (not kept, so closing the credgraph store releases it)."""
        return self.store.inner

    def quads(self, s=None, p=None, o=None) -> Iterator[ox.Quad]:
        private = self.private
        for q in self.inner.quads_for_pattern(s, p, o, self.graph_node):
            if q.graph_name not in private:
                yield q

    def outgoing(self, node) -> list[tuple[str, object]]:
        """(predicate IRI, object) pairs of a subject, without duplicates across graphs."""
        private = self.private
        out = []
        first = None
        several = False
        for q in self.store.inner.quads_for_pattern(node, None, None, self.graph_node):
            graph = q.graph_name
            if graph in private:
                continue
            if first is None:
                first = graph
            elif not several and graph != first:
                several = True
            out.append((q.predicate.value, q.object))
        # the same triple can only repeat when the subject is described in several graphs
        return list(dict.fromkeys(out)) if several else out

    def objects(self, node, predicate: str) -> list:
        return list(dict.fromkeys(q.object for q in self.quads(node, ox.NamedNode(predicate))))

    def subjects(self, predicate: str, node) -> list:
        return list(dict.fromkeys(q.subject for q in self.quads(None, ox.NamedNode(predicate), node)))

    def types(self, node) -> list[str]:
        found = self._types.get(node)
        if found is None:
            found = sorted({q.object.value for q in self.quads(node, TYPE)
                            if isinstance(q.object, ox.NamedNode)})
            self._types[node] = found
        return found

    def ctid(self, node) -> str | None:
        """The node's ``ceterms:ctid`` (the smallest, if several).

        The first call reads every CTID of the store (or graph) once; later calls are lookups.
        """
        if not self._ctids:
            index: dict = {}
            for q in self.quads(None, CTID):
                if isinstance(q.object, ox.Literal):
                    value = q.object.value
                    if q.subject not in index or value < index[q.subject]:
                        index[q.subject] = value
            index[None] = None  # marks the index as built (also for a store without CTIDs)
            self._ctids = index
        return self._ctids.get(node)


def mint_ctid(iri: str) -> str:
    """A stable CTID for a resource IRI: ``ce-`` + uuid5(URL namespace, IRI).

    >>> mint_ctid("https://example.org/credential/1")
    'ce-c9adba0e-26eb-5e03-b840-2ee3357d5389'
    """
    return "ce-" + str(uuid.uuid5(uuid.NAMESPACE_URL, iri))


def _matches_ctid(resource: Resource, wanted: set[str]) -> bool:
    if resource.ctid and resource.ctid.lower() in wanted:
        return True
    tail = ids.ctid_of(resource.iri) if isinstance(resource.node, ox.NamedNode) else None
    return bool(tail and tail.lower() in wanted)


def _matches_owner(reader: Reader, resource: Resource, owners: set[str]) -> bool:
    for prop in OWNER_PROPERTIES:
        for value in reader.objects(resource.node, prop):
            if not isinstance(value, ox.NamedNode):
                continue
            if value.value in owners:
                return True
            tail = ids.ctid_of(value.value)
            if tail and tail.lower() in owners:
                return True
            own = reader.ctid(value)
            if own and own.lower() in owners:
                return True
    return False


def select_resources(reader: Reader, selection: Selection = Selection(),
                     kinds: Iterable[str] | None = None) -> list[Resource]:
    """Main resources matching ``selection`` (and of one of ``kinds``), sorted by IRI.

    Blank-node resources are included only when nothing points at them (a free-standing
    resource without an IRI); those embedded in another resource belong to that one's document.
    """
    vocab = Kinds.load()
    wanted_kinds = set(kinds) if kinds is not None else None
    classes = vocab.classes_of_kind(wanted_kinds)
    if selection.types:
        allowed = selection.type_iris()
        classes = [c for c in classes if c in allowed]
    nodes: dict = {}
    for cls in classes:
        for q in reader.quads(None, TYPE, ox.NamedNode(cls)):
            nodes.setdefault(q.subject, None)
    found = []
    for node in nodes:
        if isinstance(node, ox.BlankNode) and next(reader.quads(None, None, node), None) is not None:
            continue
        types = reader.types(node)
        specs = [(vocab.main_spec(t), t) for t in types]
        specs = [(s, t) for s, t in specs if s is not None]
        if not specs:
            continue
        spec = sorted(specs, key=lambda st: (st[0]["kind"], st[1]))[0][0]
        resource = Resource(node, spec["kind"], types, reader.ctid(node), spec.get("context", "ctdl"),
                            spec.get("needs_ctid", True))
        if not resource.needs_ctid and resource.ctid is None:
            continue
        found.append(resource)
    if selection.ctids:
        wanted = {c.strip().lower() for c in selection.ctids}
        found = [r for r in found if _matches_ctid(r, wanted)]
    if selection.owners:
        owners = {o.strip() for o in selection.owners} | {o.strip().lower() for o in selection.owners}
        found = [r for r in found if _matches_owner(reader, r, owners)]
    return sorted(found, key=lambda r: (isinstance(r.node, ox.BlankNode), r.iri))
