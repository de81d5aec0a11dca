"""The embedded store: pyoxigraph on disk, one named graph per loaded source, a metadata graph.

Writes follow a small journal protocol so that a crash (even SIGKILL) leaves every source either
wholly loaded or not at all, while big loads still use pyoxigraph's fast bulk path:

1. before any quad of a batch lands, a *journal* node in the metadata graph lists the graphs the
   batch creates and the *staging* graphs it fills (an atomic ``extend``);
2. quads are bulk-written: into brand-new graphs directly, into staging graphs when they replace
   an existing graph;
3. one atomic SPARQL Update commits: staging graphs are moved over their targets, graphs the new
   version no longer has are dropped, metadata is rewritten and the journal removed.

Opening a store read-write rolls back any journal left by a crash (drops the new and staging
graphs it names). Queries see the union of all named graphs as their default graph.

>>> store = open_store(":memory:")
>>> store.triple_count()
0
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from credgraph import ids
from credgraph.errors import CredgraphError, StoreError

DEFAULT_STORE = Path(".credgraph") / "store"
MEMORY = ":memory:"

CG = ids.CG
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV_GENERATED = ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime")
XSD = "http://www.w3.org/2001/XMLSchema#"
META = ox.NamedNode(ids.META_GRAPH)


def _cg(name: str) -> ox.NamedNode:
    return ox.NamedNode(CG + name)


LOADED_SOURCE = _cg("LoadedSource")
JOURNAL = _cg("LoadJournal")
P_ORIGIN, P_SHA, P_FORMAT = _cg("origin"), _cg("sha256"), _cg("format")
P_COUNT, P_GRAPH, P_LOADED_FROM = _cg("tripleCount"), _cg("graph"), _cg("loadedFrom")
P_PENDING, P_STAGING = _cg("pendingGraph"), _cg("stagingGraph")

#: Quads written per bulk call; bounds memory while loading.
CHUNK = 100_000


def resolve_store_path(path: str | os.PathLike | None) -> str:
    """The store location from an argument, ``CREDGRAPH_STORE``, or the default."""
    if path is None or str(path) == "":
        path = os.environ.get("CREDGRAPH_STORE") or DEFAULT_STORE
    return str(path)


def open_store(path: str | os.PathLike | None = None) -> "Store":
    """Open (creating if needed) the store at ``path``; ``":memory:"`` gives a throwaway one."""
    location = resolve_store_path(path)
    if location == MEMORY:
        return Store(ox.Store(), None)
    target = Path(location)
    if target.exists() and not target.is_dir():
        raise StoreError(f"store path {target} is a file, not a store folder",
                         fix="pass --store with a folder path (it is created if missing)")
    try:
        target.mkdir(parents=True, exist_ok=True)
        return Store(ox.Store(str(target)), target)
    except OSError as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise StoreError(f"store {target} is in use by another credgraph process",
                             fix="stop that process (e.g. a running `credgraph serve`) or query it "
                                 "with --endpoint, or use another --store") from None
        raise StoreError(f"cannot open store {target}: {text}",
                         fix="check the folder's permissions, or point --store elsewhere") from None


@dataclass
class SourceRecord:
    """What the metadata graph says about one loaded source."""

    iri: str                      # identity of the source (a file:// URI, urn:credgraph:stdin:…)
    origin: str                   # what the user named: a path, URL or "stdin"
    sha256: str
    format: str
    default_graph: str            # where the source's default-graph triples go
    graph_info: dict[str, dict[str, ox.Literal | ox.NamedNode]] = field(default_factory=dict)
    extra: dict[str, ox.Literal | ox.NamedNode] = field(default_factory=dict)


@dataclass
class WriteOutcome:
    record: SourceRecord
    triples: int = 0
    graphs: tuple[str, ...] = ()
    error: CredgraphError | None = None
    unchanged: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _term(t) -> str:
    """A term in SPARQL/N-Triples syntax (pyoxigraph's str() is exactly that)."""
    return str(t)


class Store:
    """A credgraph store: pyoxigraph plus the metadata conventions of this project."""

    def __init__(self, inner: ox.Store, path: Path | None):
        self.inner = inner
        self.path = path
        self.recover()

    # ------------------------------------------------------------------ reading
    def query(self, sparql: str, *, substitutions: dict | None = None, union: bool = True):
        """Run a SPARQL query; by default the union of all graphs is the default graph."""
        return self.inner.query(sparql, use_default_graph_as_union=union,
                                substitutions=substitutions)

    def triple_count(self) -> int:
        """Number of triples in all named graphs except the metadata graph."""
        return sum(self.graph_sizes().values())

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph (the metadata graph excluded)."""
        q = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
             f"FILTER(?g != {_term(META)}) }} GROUP BY ?g")
        return {s["g"].value: int(s["n"].value) for s in self.inner.query(q)}

    def sources(self) -> list[dict]:
        """Every loaded source: origin, sha256, format, time, triple count, graphs."""
        q = f"""SELECT ?s ?origin ?sha ?format ?time ?n (GROUP_CONCAT(STR(?g); SEPARATOR=" ") AS ?graphs)
        WHERE {{ GRAPH {_term(META)} {{
          ?s a {_term(LOADED_SOURCE)} ; {_term(P_ORIGIN)} ?origin ; {_term(P_SHA)} ?sha ;
             {_term(P_FORMAT)} ?format ; {_term(PROV_GENERATED)} ?time ; {_term(P_COUNT)} ?n .
          OPTIONAL {{ ?s {_term(P_GRAPH)} ?g }} }} }}
        GROUP BY ?s ?origin ?sha ?format ?time ?n ORDER BY ?origin"""
        rows = []
        for s in self.inner.query(q):
            rows.append({"source": s["s"].value, "origin": s["origin"].value,
                         "sha256": s["sha"].value, "format": s["format"].value,
                         "loaded": s["time"].value, "triples": int(s["n"].value),
                         "graphs": sorted(s["graphs"].value.split()) if s["graphs"] else []})
        return rows

    def source_sha(self, source_iri: str) -> str | None:
        for q in self.inner.quads_for_pattern(ox.NamedNode(source_iri), P_SHA, None, META):
            return q.object.value
        return None

    def _source_graphs(self, source_iri: str) -> dict[str, int]:
        graphs = {}
        for q in self.inner.quads_for_pattern(ox.NamedNode(source_iri), P_GRAPH, None, META):
            g = q.object
            counts = list(self.inner.quads_for_pattern(g, P_COUNT, None, META))
            graphs[g.value] = int(counts[0].object.value) if counts else 0
        return graphs

    def _graph_owner(self, graph: str) -> str | None:
        for q in self.inner.quads_for_pattern(ox.NamedNode(graph), P_LOADED_FROM, None, META):
            return q.object.value
        return None

    # ------------------------------------------------------------------ writing
    def write(self, items: Iterable[tuple[SourceRecord, Iterable[ox.Quad]]],
              *, batch_sources: int = 2000) -> Iterator[WriteOutcome]:
        """Write sources, each wholly or not at all; yields one outcome per source.

        ``items`` yields ``(record, quads)``; iterating ``quads`` may raise
        :class:`CredgraphError` (bad input): that source is rolled back and reported, the
        others go on. A source whose SHA-256 matches what is stored is skipped (no-op).
        """
        batch = _Batch(self)
        for record, quads in items:
            if self.source_sha(record.iri) == record.sha256:
                yield WriteOutcome(record, unchanged=True,
                                   graphs=tuple(sorted(self._source_graphs(record.iri))))
                continue
            if batch.sources and (batch.claims_conflict(record) or len(batch.sources) >= batch_sources):
                yield from batch.commit()
                batch = _Batch(self)
            try:
                batch.add(record, quads)
            except CredgraphError as exc:
                batch.discard_current()
                yield WriteOutcome(record, error=exc)
        yield from batch.commit()

    def update(self, sparql: str) -> None:
        self.inner.update(sparql)

    def drop_source(self, source_iri: str) -> None:
        """Remove a source, its graphs and its metadata, atomically."""
        ops = []
        for g in self._source_graphs(source_iri):
            ops.append(f"DROP SILENT GRAPH <{g}>")
            ops.append(f"DELETE WHERE {{ GRAPH {_term(META)} {{ <{g}> ?p ?o }} }}")
        ops.append(f"DELETE WHERE {{ GRAPH {_term(META)} {{ <{source_iri}> ?p ?o }} }}")
        self.inner.update(" ;\n".join(ops))

    def recover(self) -> list[str]:
        """Roll back loads interrupted by a crash; returns the journal nodes undone."""
        undone = []
        for q in list(self.inner.quads_for_pattern(None, RDF_TYPE, JOURNAL, META)):
            journal = q.subject
            ops = []
            for pred in (P_PENDING, P_STAGING):
                for gq in self.inner.quads_for_pattern(journal, pred, None, META):
                    ops.append(f"DROP SILENT GRAPH {_term(gq.object)}")
            ops.append(f"DELETE WHERE {{ GRAPH {_term(META)} {{ {_term(journal)} ?p ?o }} }}")
            self.inner.update(" ;\n".join(ops))
            undone.append(journal.value)
        # staging graphs can only outlive their journal if the journal write itself was torn
        for g in list(self.inner.named_graphs()):
            if isinstance(g, ox.NamedNode) and g.value.startswith(ids.STAGING_PREFIX):
                self.inner.remove_graph(g)
        return undone

    def flush(self) -> None:
        if self.path is not None:
            self.inner.flush()

    def close(self) -> None:
        self.flush()
        self.inner = None  # releases the RocksDB lock when garbage-collected


class _Batch:
    """Sources written together and committed by one atomic update."""

    def __init__(self, store: Store):
        self.store = store
        self.inner = store.inner
        self.journal = ox.NamedNode(f"urn:credgraph:journal:{uuid.uuid4()}")
        self.journal_started = False
        self.sources: list[tuple[SourceRecord, dict[str, ox.NamedNode], Counter]] = []
        self.claimed: set[str] = set()
        self.buffer: list[ox.Quad] = []
        self.pending_journal: list[ox.Quad] = []
        self._current_start = 0

    def claims_conflict(self, record: SourceRecord) -> bool:
        if record.iri in {r.iri for r, _, _ in self.sources}:
            return True
        return bool(self.claimed & (set(record.graph_info) | {record.default_graph}))

    def _target(self, graph: str, mapping: dict[str, ox.NamedNode]) -> ox.NamedNode:
        node = mapping.get(graph)
        if node is None:
            if graph in self.claimed:
                raise _SameBatchConflict(graph)
            exists = self.inner.contains_named_graph(ox.NamedNode(graph)) or \
                self.store._graph_owner(graph) is not None
            if exists:
                node = ox.NamedNode(f"{ids.STAGING_PREFIX}{uuid.uuid4()}")
                pred = P_STAGING
            else:
                node = ox.NamedNode(graph)
                pred = P_PENDING
            self.pending_journal.append(ox.Quad(self.journal, pred, node, META))
            mapping[graph] = node
            self.claimed.add(graph)
        return node

    def add(self, record: SourceRecord, quads: Iterable[ox.Quad]) -> None:
        mapping: dict[str, ox.NamedNode] = {}
        counts: Counter = Counter()
        self.sources.append((record, mapping, counts))
        self._current_start = len(self.buffer)
        default = record.default_graph
        for graph in record.graph_info:
            self._target(graph, mapping)
        for q in quads:
            g = q.graph_name
            name = default if isinstance(g, ox.DefaultGraph) else g.value
            if isinstance(g, ox.BlankNode):
                name = f"{default}#{g.value}"
            self.buffer.append(ox.Quad(q.subject, q.predicate, q.object, self._target(name, mapping)))
            if len(self.buffer) >= CHUNK:
                self._flush()
                self._current_start = 0
        if not mapping:  # an empty source still owns its default graph
            self._target(default, mapping)

    def discard_current(self) -> None:
        """Forget the source being added (its iteration failed) and drop what it wrote."""
        _, mapping, _ = self.sources.pop()
        del self.buffer[self._current_start:]
        self.claimed.difference_update(mapping)
        nodes = set(mapping.values())
        self.pending_journal = [q for q in self.pending_journal if q.object not in nodes]
        if nodes and self.journal_started:  # some of its quads may already be in the store
            ops = [f"DROP SILENT GRAPH {_term(n)}" for n in sorted(nodes, key=str)]
            ops += [f"DELETE WHERE {{ GRAPH {_term(META)} {{ {_term(self.journal)} ?p {_term(n)} }} }}"
                    for n in sorted(nodes, key=str)]
            self.inner.update(" ;\n".join(ops))

    def _flush(self) -> None:
        if self.pending_journal:
            start = [] if self.journal_started else [ox.Quad(self.journal, RDF_TYPE, JOURNAL, META)]
            self.inner.extend(start + self.pending_journal)
            self.journal_started = True
            self.pending_journal = []
        if self.buffer:
            self.inner.bulk_extend(self.buffer)
            self.buffer = []

    def commit(self) -> Iterator[WriteOutcome]:
        if not self.sources:
            return
        self._flush()
        meta = _term(META)
        ops: list[str] = []
        inserts: list[str] = []
        now = ox.Literal(datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
                         datatype=ox.NamedNode(XSD + "dateTime"))
        outcomes = []
        losing: dict[str, set[str]] = {}  # other sources' graphs this batch takes over
        for record, mapping, _ in self.sources:
            src = ox.NamedNode(record.iri)
            old_graphs = self.store._source_graphs(record.iri)
            ops.append(f"DELETE WHERE {{ GRAPH {meta} {{ {_term(src)} ?p ?o }} }}")
            for g in old_graphs:
                if g not in mapping:
                    ops.append(f"DROP SILENT GRAPH <{g}>")
                    ops.append(f"DELETE WHERE {{ GRAPH {meta} {{ <{g}> ?p ?o }} }}")
            total = 0
            for graph, node in sorted(mapping.items()):
                n = self._count(node)
                total += n
                owner = self.store._graph_owner(graph)
                if owner and owner != record.iri:
                    losing.setdefault(owner, set()).add(graph)
                ops.append(f"DELETE WHERE {{ GRAPH {meta} {{ <{graph}> ?p ?o }} }}")
                if node.value != graph:
                    ops.append(f"MOVE SILENT {_term(node)} TO <{graph}>")
                g = ox.NamedNode(graph)
                inserts.append(f"{_term(g)} {_term(P_LOADED_FROM)} {_term(src)} ; {_term(P_COUNT)} {n} .")
                for key, value in sorted(record.graph_info.get(graph, {}).items()):
                    inserts.append(f"{_term(g)} <{key}> {_term(value)} .")
                inserts.append(f"{_term(src)} {_term(P_GRAPH)} {_term(g)} .")
            inserts.append(
                f"{_term(src)} a {_term(LOADED_SOURCE)} ; {_term(P_ORIGIN)} {_term(ox.Literal(record.origin))} ; "
                f"{_term(P_SHA)} {_term(ox.Literal(record.sha256))} ; {_term(P_FORMAT)} {_term(ox.Literal(record.format))} ; "
                f"{_term(PROV_GENERATED)} {_term(now)} ; {_term(P_COUNT)} {total} .")
            for key, value in sorted(record.extra.items()):
                inserts.append(f"{_term(src)} <{key}> {_term(value)} .")
            outcomes.append(WriteOutcome(record, triples=total, graphs=tuple(sorted(mapping))))
        ops.extend(self._takeover_ops(losing))
        if inserts:
            ops.append(f"INSERT DATA {{ GRAPH {meta} {{\n" + "\n".join(inserts) + "\n} }")
        ops.append(f"DELETE WHERE {{ GRAPH {meta} {{ {_term(self.journal)} ?p ?o }} }}")
        self.inner.update(" ;\n".join(ops))
        self.store.flush()
        self.sources = []
        yield from outcomes

    def _takeover_ops(self, losing: dict[str, set[str]]) -> list[str]:
        """Graphs taken over from other sources: shrink or remove those sources' records."""
        meta = _term(META)
        ops = []
        for owner, graphs in losing.items():
            remaining = {g: n for g, n in self.store._source_graphs(owner).items() if g not in graphs}
            src = f"<{owner}>"
            if not remaining:
                ops.append(f"DELETE WHERE {{ GRAPH {meta} {{ {src} ?p ?o }} }}")
                continue
            for g in graphs:
                ops.append(f"DELETE DATA {{ GRAPH {meta} {{ {src} {_term(P_GRAPH)} <{g}> }} }}")
            ops.append(f"DELETE WHERE {{ GRAPH {meta} {{ {src} {_term(P_COUNT)} ?n }} }}")
            ops.append(f"INSERT DATA {{ GRAPH {meta} {{ {src} {_term(P_COUNT)} {sum(remaining.values())} }} }}")
        return ops

    def _count(self, node: ox.NamedNode) -> int:
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_term(node)} {{ ?s ?p ?o }} }}"
        return int(next(iter(self.inner.query(q)))["n"].value)


class _SameBatchConflict(CredgraphError):
    def __init__(self, graph: str):
        super().__init__(f"graph {graph} is written twice in one load",
                         fix="load the two sources in separate commands; the later one replaces the earlier")
