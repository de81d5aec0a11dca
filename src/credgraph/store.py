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

Sources may arrive already serialised (:class:`NQuads`: N-Quads text whose graph names are final,
with the number of distinct quads per graph and the source's metadata, as the loader's worker
processes produce them). A *new* such source (nothing about it or its graphs in the metadata
graph, its graphs absent) takes a faster path through the same three steps, with no per-source
transactional write (those cost ~30 µs a quad, and a registry corpus is 400,000 small sources):

1. the journal node alone (``a cg:LoadJournal``) is written atomically;
2. two bulk loads per batch, in order: (a) for each source ``cg:loadBatch <journal>`` and its
   ``cg:graph`` links; (b) the rest of its metadata and its quads;
3. the commit deletes the journal node (the same atomic update as above).

Recovery finds the sources marked with a live journal and drops their graphs and metadata; a crash
during (a) can leave ``cg:graph`` links of unmarked sources, which have no ``a cg:LoadedSource``
and no quads (those come in (b), after (a) completed), and are deleted too. ``cg:loadBatch`` stays
on committed sources, naming the (deleted) journal of the load that wrote them.

While one such batch is being written (bulk loads release the GIL, in a writer thread), the next
one is assembled; a source or graph of the batch in flight, or any other kind of write, waits for
it. When the store held no named graph when :meth:`Store.write` began, whether a source or graph
is new is known without asking the store (unless this same write already met it).

In practice the new serialised sources are instead *streamed* (:class:`_Stream`): a journal is
written atomically, then the sources' metadata and quads flow through a queue into bulk loads in a
writer thread, and deleting the journal commits them all. RocksDB compacts ingested files between
bulk loads, not during one, so a few long bulk loads cost far less than one per batch (at 100k
registry documents the batches spent 68 CPU-s in compaction, the stream none). It holds the
indexes of files not yet compacted in memory, so the stream's bulk loads stop at 8M quads and let
it compact (1M credentials in one bulk load peaked at 6.3 GiB). Each of its sources is marked
``cg:loadBatch`` with the bulk load (the *batch*) that takes it, and a finished bulk load is
recorded on the journal (``cg:committedBatch``): a crash keeps the sources of the finished bulk
loads and rolls back the rest, so running the same load again adds the rest (sources stored with
the same SHA-256 are skipped without ending the stream). Into an **empty** store (journal marked
``cg:startedOnEmptyStore``) a source's marks travel in the bulk load with its quads, and
recovery keeps what the finished batches list and removes everything else (the store is empty
again if none had finished). Into a store that **holds data**, whether a source is new takes a
look-up, and its marks are committed with an ordinary write (~70 µs) before its quads enter the
bulk load, so recovery finds every source of an unfinished batch by its mark and drops it, as for
a batch. The first source the stream cannot take (one met before, one not new, one not
serialised) ends the stream with a commit; the rest of the write takes the batch path.

>>> store = open_store(":memory:")
>>> store.triple_count()
0
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from credgraph import answers, ids
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
P_LOAD_BATCH = _cg("loadBatch")
P_STARTED_EMPTY, P_COMMITTED_BATCH = _cg("startedOnEmptyStore"), _cg("committedBatch")

#: Quads written per bulk call; bounds memory while loading.
CHUNK = 100_000
#: Quads of new serialised sources per batch: they are written by one bulk load at commit, in a
#: writer thread while the next batch is parsed. Batches grow from SERIAL_FIRST (the writer starts
#: early) to SERIAL_CHUNK. The last batch is written after all parsing is done, so a big cap is a
#: long serial tail: with a 1M cap, 10k registry documents took 9.5-10.4 s (the last bulk load
#: 3.4 s), with 200k 8.1-8.4 s; at 100k documents both took 120 s (the smaller loads used 10% more
#: CPU: bulk loads cost less per quad the bigger they are) and a 100k cap took 150 s.
SERIAL_FIRST = 100_000
SERIAL_CHUNK = 200_000
#: New serialised sources per batch at most (their bookkeeping is small).
SERIAL_SOURCES = 50_000

#: Stream new serialised sources (:class:`_Stream`); False: batches only (to compare them).
STREAM_NEW_SOURCES = True
#: Quads per bulk load of a stream (:class:`_Stream`): the first loads are small, so that writing
#: overlaps parsing from the start (a bulk load builds its last ~1M quads after its input ends);
#: the last one repeats (None: the rest of the stream in one bulk load).
STREAM_LOADS = (100_000, 200_000, 400_000, 8_000_000)
#: After a bulk load of at least this many quads, let RocksDB compact (:meth:`_Stream._checkpoint`).
STREAM_SETTLE = 4_000_000
#: Bytes of N-Quads waiting in the stream's queue at most (backpressure on the parsing side; a
#: source bigger than this still goes through, alone).
STREAM_QUEUE_BYTES = 32 << 20

#: Stands for the journal node in :attr:`NQuads.links` until the batch that writes them is known.
JOURNAL_PLACEHOLDER = "urn:credgraph:journal:pending"


@dataclass
class NQuads:
    """One source's quads as N-Quads bytes, every graph name final (no default graph), with the
    number of distinct quads per graph. Iterating parses them back into quads. ``links`` and
    ``meta`` are the source's metadata for the fast path (see the module docstring), made by
    :func:`source_metadata` where the quads were parsed.

    >>> nq = NQuads.from_quads([ox.Quad(ox.NamedNode("https://ex.org/a"), RDF_TYPE,
    ...                                 ox.NamedNode("https://ex.org/T"))], "https://ex.org/g")
    >>> nq.counts, [str(q.graph_name) for q in nq]
    ({'https://ex.org/g': 1}, ['<https://ex.org/g>'])
    """

    data: bytes
    counts: dict[str, int]
    links: bytes = b""
    meta: bytes = b""

    @classmethod
    def from_quads(cls, quads: Iterable[ox.Quad], default_graph: str,
                   record: "SourceRecord | None" = None) -> "NQuads":
        """Serialise quads, naming the default graph ``default_graph`` and blank-node graphs
        ``default_graph#label`` (as :meth:`Store.write` does); with ``record``, also the source's
        metadata."""
        unique = set(quads)
        graphs = {q.graph_name for q in unique}
        if len(graphs) == 1 and isinstance(next(iter(graphs)), ox.NamedNode):  # a registry document
            nq = cls(ox.serialize(unique, format=ox.RdfFormat.N_QUADS), {next(iter(graphs)).value: len(unique)})
        else:
            default = ox.NamedNode(default_graph)
            out = []
            for q in unique:
                g = q.graph_name
                if isinstance(g, ox.DefaultGraph):
                    q = ox.Quad(q.subject, q.predicate, q.object, default)
                elif isinstance(g, ox.BlankNode):
                    q = ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(f"{default_graph}#{g.value}"))
                out.append(q)
            nq = cls(ox.serialize(out, format=ox.RdfFormat.N_QUADS), dict(Counter(q.graph_name.value for q in out)))
        if record is not None:
            nq.links, nq.meta = source_metadata(record, nq.graphs(record), nq.counts, _now())
        return nq

    def graphs(self, record: "SourceRecord") -> list[str]:
        """The graphs the source owns: those with quads, those with provenance, else its default."""
        graphs = set(self.counts) | set(record.graph_info)
        return sorted(graphs) if graphs else [record.default_graph]

    def __iter__(self) -> Iterator[ox.Quad]:
        return iter(ox.parse(self.data, ox.RdfFormat.N_QUADS))

    def __len__(self) -> int:
        return sum(self.counts.values())


def _now() -> ox.Literal:
    return ox.Literal(datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
                      datatype=ox.NamedNode(XSD + "dateTime"))


def source_metadata(record: "SourceRecord", graphs: list[str], counts: dict[str, int],
                    now: ox.Literal) -> tuple[bytes, bytes]:
    """A new source's metadata as N-Quads for the fast path: (its ``cg:loadBatch`` mark, with
    :data:`JOURNAL_PLACEHOLDER` for the journal, and ``cg:graph`` links; everything else)."""
    meta, src = _term(META), _term(ox.NamedNode(record.iri))
    links = [f"{src} {_term(P_LOAD_BATCH)} <{JOURNAL_PLACEHOLDER}> {meta} .\n"]
    lines = []
    total = 0
    for graph in graphs:
        g = _term(ox.NamedNode(graph))
        n = counts.get(graph, 0)
        total += n
        links.append(f"{src} {_term(P_GRAPH)} {g} {meta} .\n")
        lines.append(f"{g} {_term(P_LOADED_FROM)} {src} {meta} .\n")
        lines.append(f"{g} {_term(P_COUNT)} {_term(ox.Literal(n))} {meta} .\n")
        for key, value in sorted(record.graph_info.get(graph, {}).items()):
            lines.append(f"{g} <{key}> {_term(value)} {meta} .\n")
    for pred, value in ((_term(RDF_TYPE), LOADED_SOURCE), (_term(P_ORIGIN), ox.Literal(record.origin)),
                        (_term(P_SHA), ox.Literal(record.sha256)), (_term(P_FORMAT), ox.Literal(record.format)),
                        (_term(PROV_GENERATED), now), (_term(P_COUNT), ox.Literal(total)),
                        *((f"<{k}>", v) for k, v in sorted(record.extra.items()))):
        lines.append(f"{src} {pred} {_term(value)} {meta} .\n")
    return "".join(links).encode(), "".join(lines).encode()


def resolve_store_path(path: str | os.PathLike | None) -> str:
    """The store location from an argument, ``CREDGRAPH_STORE``, or the default."""
    if path is None or str(path) == "":
        path = os.environ.get("CREDGRAPH_STORE") or DEFAULT_STORE
    return str(path)


def is_storage_error(exc: Exception) -> bool:
    """True for pyoxigraph errors that come from reading the store's files (RocksDB I/O).

    >>> is_storage_error(OSError("IO error: No such file or directory: While open a file for random read"))
    True
    >>> is_storage_error(SyntaxError("expected a variable"))
    False
    """
    text = str(exc)
    return any(mark in text for mark in ("IO error", "Corruption", "No such file"))


def read_again(work, reopen, *, attempts: int, pause: float, retry=is_storage_error):
    """``work()``; when it fails reading the store's files (``retry(error)`` is true), ``reopen()``
    the store and run ``work()`` again, up to ``attempts`` runs in all, pausing ``pause`` seconds,
    then twice that, and so on. The last failure is raised.

    A read-only RocksDB handle keeps the files it saw when opened, but the process holding the store
    read-write may compact it meanwhile (right after a bulk load it does, for minutes at 400k
    documents) and delete files the handle still needs. Only for work that only reads: running it
    again is then safe. Used by validation workers and by the server's query workers.

    >>> runs = []
    >>> def work():
    ...     runs.append(1)
    ...     if len(runs) < 3:
    ...         raise OSError("IO error: No such file or directory: While open a file for random read: 0042.sst")
    ...     return "done"
    >>> read_again(work, reopen=lambda: None, attempts=4, pause=0), len(runs)
    ('done', 3)
    """
    import time  # noqa: PLC0415

    for attempt in range(attempts):
        try:
            return work()
        except Exception as exc:
            if attempt == attempts - 1 or not retry(exc):
                raise
        time.sleep(pause * 2 ** attempt)
        reopen()
    raise ValueError("read_again needs attempts >= 1")


def open_store(path: str | os.PathLike | None = None) -> "Store":
    """Open (creating if needed) the store at ``path``; ``":memory:"`` gives a throwaway one."""
    location = resolve_store_path(path)
    if location == MEMORY:
        return Store(ox.Store(), None)
    target = Path(location)
    if target.exists() and not target.is_dir():
        raise StoreError(f"store path {target} is a file, not a store folder",
                         fix="pass --store with a folder path (it is created if missing)")
    if target.is_dir() and not (target / "CURRENT").exists() and any(target.iterdir()):
        inside = [p.parent for p in sorted(target.glob("*/CURRENT"))]
        hint = f" such as {inside[0]}" if inside else ""
        raise StoreError(f"{target} is not a credgraph store: it holds other files and no store",
                         fix=f"point --store at a store folder{hint} (one that credgraph load created), "
                             "or at a new or empty folder to create a store there")
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


@dataclass(frozen=True, slots=True)
class Compaction:
    """What :meth:`Store.compact` did: table files and bytes before and after, and the seconds."""

    files_before: int | None
    files_after: int | None
    bytes_before: int | None
    bytes_after: int | None
    seconds: float


def _disk_files(folder: Path) -> tuple[int, int]:
    """The number of RocksDB table files in a store folder, and the bytes of everything in it."""
    tables = sum(1 for _ in folder.glob("*.sst"))
    return tables, sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


#: Seconds a full compaction took per GiB of store on the project's 2-core machine (27 s for 3.4 GB).
COMPACT_SECONDS_PER_GIB = 8


def format_size(n: int) -> str:
    """Bytes for people: ``format_size(3 * 2**29)`` -> ``'1.50 GiB'``, below a GiB in MiB."""
    return f"{n / 2**20:,.1f} MiB" if n < 2**30 else f"{n / 2**30:,.2f} GiB"


@dataclass(slots=True)
class SourceRecord:
    """What the metadata graph says about one loaded source."""

    iri: str                      # identity of the source (a file:// URI, urn:credgraph:stdin:…)
    origin: str                   # what the user named: a path, URL or "stdin"
    sha256: str
    format: str
    default_graph: str            # where the source's default-graph triples go
    graph_info: dict[str, dict[str, ox.Literal | ox.NamedNode]] = field(default_factory=dict)
    extra: dict[str, ox.Literal | ox.NamedNode] = field(default_factory=dict)


@dataclass(slots=True)
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
        self._seen: set[int] | None = None  # during write() into a store that was empty
        self._changes = 0  # changes under way (see changing())
        self._changes_begun = 0  # changes begun since opened (none under way before each)
        self._changes_lock = threading.Lock()
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

    def _node_meta(self, iri: str) -> tuple[bool, str | None, str | None]:
        """One look-up: does the metadata graph say anything about ``iri``, and if so its
        sha256 (sources) and the source it was loaded from (graphs)."""
        any_meta, sha, owner = False, None, None
        for q in self.inner.quads_for_pattern(ox.NamedNode(iri), None, None, META):
            any_meta = True
            if q.predicate == P_SHA:
                sha = q.object.value
            elif q.predicate == P_LOADED_FROM:
                owner = q.object.value
        return any_meta, sha, owner

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

    # ------------------------------------------------------------------ changing
    @contextmanager
    def changing(self):
        """Wrap every change to the store's content: the first of nested or concurrent changes
        forgets the answers the store keeps (:mod:`credgraph.answers`), and none is kept until
        the last has ended.

        >>> store = open_store(":memory:")
        >>> with store.changing():
        ...     store.is_changing()
        True
        """
        with self._changes_lock:
            self._changes += 1
            first = self._changes == 1
            self._changes_begun += first
        try:
            if first:
                answers.forget_all(self.inner)
            yield
        finally:
            with self._changes_lock:
                self._changes -= 1

    def is_changing(self) -> bool:
        """True while a change made through this object is under way."""
        return self._changes > 0

    def change_count(self) -> int | None:
        """How many changes have begun through this object; None while one is under way."""
        with self._changes_lock:
            return None if self._changes else self._changes_begun

    @contextmanager
    def unchanged_since(self, count: int | None):
        """Yields whether no change began since :meth:`change_count` gave ``count`` (and none is
        under way); no change begins until the body has run (it writes what that makes true)."""
        with self._changes_lock:
            yield count is not None and self._changes == 0 and self._changes_begun == count

    # ------------------------------------------------------------------ writing
    def write(self, items: Iterable[tuple[SourceRecord, Iterable[ox.Quad]]],
              *, batch_sources: int = 2000) -> Iterator[WriteOutcome]:
        """Write sources, each wholly or not at all; yields one outcome per source.

        ``items`` yields ``(record, quads)``; iterating ``quads`` may raise
        :class:`CredgraphError` (bad input): that source is rolled back and reported, the
        others go on. A source whose SHA-256 matches what is stored is skipped (no-op).
        ``quads`` may be :class:`NQuads` (then new sources take the fast path).
        """
        empty = next(iter(self.inner.named_graphs()), None) is None
        self._seen = set() if empty else None
        writer = _Writer()
        batch = _Batch(self)
        limit = min(SERIAL_FIRST, SERIAL_CHUNK)
        # in memory, a write inside a bulk load waits for it for ever: a store in memory that holds
        # data takes the batch path (a crash loses it anyway, so the marks need no write of their own)
        stream = _Stream(self, empty=empty) if STREAM_NEW_SOURCES and (empty or self.path is not None) else None
        change, begun = ExitStack(), False

        def begin_change() -> None:  # before the first change: a load of unchanged sources changes nothing
            nonlocal begun
            if not begun:
                change.enter_context(self.changing())
                begun = True

        try:
            for record, quads in items:
                if stream is not None:
                    taken = stream.takes(record, quads)
                    if taken is True:
                        begin_change()
                        yield stream.add(record, quads)
                        continue
                    if taken == "unchanged":
                        yield self._unchanged(record)
                        continue
                    stream.commit()  # the rest takes the batch path
                    stream = None
                if batch.sources and (batch.claims_conflict(record) or batch.full(batch_sources, limit)):
                    yield from writer.drain()
                    if batch.fast_only():
                        writer.submit(batch)
                        limit = min(limit * 2, SERIAL_CHUNK)
                    else:
                        yield from batch.commit()
                    batch = _Batch(self)
                serialised = isinstance(quads, NQuads)
                if not serialised or writer.busy_with(record, quads):
                    yield from writer.drain()  # what follows reads or writes what is in flight
                # after any commit: what is stored about this source is committed state
                known, sha, _ = self._source_state(record.iri)
                if sha == record.sha256:
                    yield self._unchanged(record)
                    continue
                try:
                    begin_change()
                    batch.add(record, quads, known=known)
                except CredgraphError as exc:
                    yield from writer.drain()
                    batch.discard_current()
                    yield WriteOutcome(record, error=exc)
            if stream is not None:
                stream.commit()
                stream = None
            yield from writer.drain()
            yield from batch.commit()
        except BaseException as exc:
            if stream is not None:  # interrupted: the unfinished bulk load is rolled back
                stream.abort()
                if not isinstance(exc, StoreError):  # a StoreError says so itself
                    exc.add_note(stream.what_is_left())
                stream = None
            raise
        finally:
            if stream is not None:  # the generator was closed early
                stream.abort()
            writer.join()
            self._seen = None
            change.close()

    def _unchanged(self, record: SourceRecord) -> WriteOutcome:
        """The outcome for a source stored with the same SHA-256: nothing written."""
        return WriteOutcome(record, unchanged=True, graphs=tuple(sorted(self._source_graphs(record.iri))))

    def _source_state(self, iri: str) -> tuple[bool, str | None, str | None]:
        """:meth:`_node_meta` of a source, without a look-up when it is surely new."""
        if self._seen is not None and hash(iri) not in self._seen:
            return False, None, None
        return self._node_meta(iri)

    def _graph_state(self, graph: str) -> tuple[bool, str | None, bool]:
        """(metadata about it?, owner, exists?) of a graph, without look-ups when surely new."""
        if self._seen is not None and hash(graph) not in self._seen:
            return False, None, False
        has_meta, _, owner = self._node_meta(graph)
        return has_meta, owner, owner is not None or self.inner.contains_named_graph(ox.NamedNode(graph))

    def _saw(self, *names: str) -> None:
        if self._seen is not None:
            self._seen.update(hash(n) for n in names)

    def update(self, sparql: str) -> None:
        with self.changing():
            self.inner.update(sparql)

    def drop_source(self, source_iri: str) -> None:
        """Remove a source, its graphs and its metadata, atomically."""
        ops = []
        for g in self._source_graphs(source_iri):
            ops.append(f"DROP SILENT GRAPH <{g}>")
            ops.append(f"DELETE WHERE {{ GRAPH {_term(META)} {{ <{g}> ?p ?o }} }}")
        ops.append(f"DELETE WHERE {{ GRAPH {_term(META)} {{ <{source_iri}> ?p ?o }} }}")
        self.update(" ;\n".join(ops))

    def recover(self) -> list[str]:
        """Roll back loads interrupted by a crash; returns the journal nodes undone."""
        journals = [q.subject for q in self.inner.quads_for_pattern(None, RDF_TYPE, JOURNAL, META)]
        # staging graphs can only outlive their journal if the journal write itself was torn
        staging = [g for g in self.inner.named_graphs()
                   if isinstance(g, ox.NamedNode) and g.value.startswith(ids.STAGING_PREFIX)]
        if not journals and not staging:
            return []
        with self.changing():  # none was kept during the interrupted change: this is to be sure
            return self._recover(journals, staging)

    def _recover(self, journals: list[ox.NamedNode], staging: list[ox.NamedNode]) -> list[str]:
        meta = _term(META)
        for q in list(self.inner.quads_for_pattern(None, P_STARTED_EMPTY, None, META)):
            self._recover_stream(q.subject)  # the only journal of a store that was empty
            return [q.subject.value]
        undone = []
        for journal in journals:
            self._recover_stream_batches(journal)
            ops = []
            for pred in (P_PENDING, P_STAGING):
                for gq in self.inner.quads_for_pattern(journal, pred, None, META):
                    ops.append(f"DROP SILENT GRAPH {_term(gq.object)}")
            for sq in self.inner.quads_for_pattern(None, P_LOAD_BATCH, journal, META):
                for gq in self.inner.quads_for_pattern(sq.subject, P_GRAPH, None, META):
                    ops.append(f"DROP SILENT GRAPH {_term(gq.object)}")
                    ops.append(f"DELETE WHERE {{ GRAPH {meta} {{ {_term(gq.object)} ?p ?o }} }}")
                ops.append(f"DELETE WHERE {{ GRAPH {meta} {{ {_term(sq.subject)} ?p ?o }} }}")
            ops.append(f"DELETE WHERE {{ GRAPH {meta} {{ {_term(journal)} ?p ?o }} }}")
            self.inner.update(" ;\n".join(ops))
            undone.append(journal.value)
        if undone:  # links a torn bulk load (step 2a) left without their source
            orphans = [q for q in self.inner.quads_for_pattern(None, P_GRAPH, None, META)
                       if not any(self.inner.quads_for_pattern(q.subject, RDF_TYPE, LOADED_SOURCE, META))]
            for q in orphans:
                self.inner.remove(q)
        for g in staging:
            self.inner.remove_graph(g)
        return undone

    def _recover_stream_batches(self, journal: ox.NamedNode) -> None:
        """Roll back the unfinished bulk loads of a stream into a store that held data: the
        sources marked with a batch of the journal (``<journal>/0``, ``/1``, ...: one after the
        other) that is not recorded as done. Their marks were committed before their quads, so
        nothing of theirs can be left unmarked. One source per update: a batch can be millions
        of quads."""
        done = {q.object for q in self.inner.quads_for_pattern(journal, P_COMMITTED_BATCH, None, META)}
        number = 0
        while True:
            batch = ox.NamedNode(f"{journal.value}/{number}")
            sources = [q.subject for q in self.inner.quads_for_pattern(None, P_LOAD_BATCH, batch, META)]
            if not sources:
                return
            if batch not in done:
                for source in sources:
                    self.drop_source(source.value)
            number += 1

    def _recover_stream(self, journal: ox.NamedNode) -> None:
        """Roll back a stream into an empty store (:class:`_Stream`) that did not commit: keep the
        sources of its finished bulk loads, drop everything else. Every graph in the store is the
        stream's, and a torn bulk load may have written any part of its sources (their quads
        without their links), so what is kept is listed and the rest removed. Safe to repeat:
        the journal goes last."""
        batches = {q.object for q in self.inner.quads_for_pattern(journal, P_COMMITTED_BATCH, None, META)}
        if not batches:
            self.inner.clear()
            return
        sources = {q.subject for q in self.inner.quads_for_pattern(None, P_LOAD_BATCH, None, META)
                   if q.object in batches}
        graphs = {q.object for q in self.inner.quads_for_pattern(None, P_GRAPH, None, META)
                  if q.subject in sources}
        for g in list(self.inner.named_graphs()):
            if g != META and g not in graphs:
                self.inner.remove_graph(g)
        strays = {q.subject for pattern in ((None, P_LOAD_BATCH, None), (None, RDF_TYPE, LOADED_SOURCE),
                                            (None, P_GRAPH, None))
                  for q in self.inner.quads_for_pattern(*pattern, META) if q.subject not in sources}
        strays |= {q.subject for q in self.inner.quads_for_pattern(None, P_LOADED_FROM, None, META)
                   if q.subject not in graphs}
        for node in strays:
            for q in list(self.inner.quads_for_pattern(node, None, None, META)):
                self.inner.remove(q)
        self.inner.update(f"DELETE WHERE {{ GRAPH {_term(META)} {{ {_term(journal)} ?p ?o }} }}")
        self.flush()

    def flush(self) -> None:
        if self.path is not None:
            self.inner.flush()

    def compact(self) -> "Compaction":
        """Rewrite the store's files into one sorted run per index (RocksDB full compaction).

        A store filled by bulk loads keeps the files each load wrote: a look-up searches many of
        them. Compacted, queries read fewer files; the data, and so the answers the store keeps,
        are unchanged. Needs free disk space about the store's size while it runs.

        >>> store = open_store(":memory:")
        >>> store.compact().files_before is None
        True
        """
        if self.path is None:
            return Compaction(None, None, None, None, 0.0)
        before = _disk_files(self.path)
        free = shutil.disk_usage(self.path).free
        if free < before[1]:
            raise StoreError(f"not enough free disk space to compact {self.path}: it needs about "
                             f"{format_size(before[1])} free while it runs, {format_size(free)} are",
                             fix="free some space on that disk, then run credgraph compact again")
        started = time.perf_counter()
        try:
            self.inner.optimize()
        except OSError as exc:
            raise StoreError(f"compacting {self.path} failed: {exc} (the store is unchanged: RocksDB "
                             "keeps the old files until the new ones are written)",
                             fix="check the disk (space, permissions), then run credgraph compact again") from None
        after = _disk_files(self.path)
        return Compaction(before[0], after[0], before[1], after[1], time.perf_counter() - started)

    def close(self) -> None:
        self.flush()
        self.inner = None  # releases the RocksDB lock when garbage-collected


class _Writer:
    """Commits batches of new serialised sources in a background thread, one at a time."""

    def __init__(self):
        self.thread: threading.Thread | None = None
        self.batch: _Batch | None = None
        self.outcomes: list[WriteOutcome] = []
        self.error: BaseException | None = None

    def submit(self, batch: "_Batch") -> None:
        self.batch = batch

        def job():
            try:
                self.outcomes = list(batch.commit())
            except BaseException as exc:  # noqa: BLE001 (re-raised by drain)
                self.error = exc

        self.thread = threading.Thread(target=job, name="credgraph-writer", daemon=True)
        self.thread.start()

    def busy_with(self, record: SourceRecord, quads: NQuads) -> bool:
        """Whether the batch in flight has this source or one of its graphs."""
        if self.thread is None:
            return False
        batch = self.batch
        return record.iri in batch.source_iris or any(g in batch.claimed for g in quads.graphs(record))

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()

    def drain(self) -> list[WriteOutcome]:
        """Wait for the batch in flight; its outcomes (or its error, raised)."""
        if self.thread is None:
            return []
        self.thread.join()
        self.thread, self.batch = None, None
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        outcomes, self.outcomes = self.outcomes, []
        return outcomes


class _StreamReader:
    """The file object one of a stream's bulk loads reads: N-Quads from the queue, ending (at a
    source's end) after ``budget`` quads, or at the end of the stream. The sources it reads are
    marked ``cg:loadBatch <batch>``."""

    def __init__(self, stream: "_Stream", budget: int | None, batch: ox.NamedNode):
        self.stream, self.budget = stream, budget
        self.mark = batch.value.encode()
        self.pieces: list[bytes] = []
        self.data, self.pos, self.quads, self.sources = b"", 0, 0, 0

    def read(self, size: int = -1) -> bytes:
        if self.pos >= len(self.data):
            if not self.pieces:
                if self.stream.ended or (self.budget is not None and self.quads >= self.budget):
                    return b""
                item = self.stream.take()
                if item is _Stream.END or item is _Stream.ABORT:
                    self.stream.ended = True
                    if item is _Stream.ABORT:
                        raise OSError("the load was interrupted")
                    return b""
                links, rest, quads = item
                links = links.replace(JOURNAL_PLACEHOLDER.encode(), self.mark)
                if self.stream.empty:
                    self.pieces = [rest, links]
                else:  # recovery finds the source by its links: they are committed before its quads
                    self.stream.inner.load(links, ox.RdfFormat.N_QUADS)
                    self.pieces = [rest]
                self.quads += quads
                self.sources += 1
            self.data, self.pos = self.pieces.pop(), 0
        end = len(self.data) if size is None or size < 0 else self.pos + size
        out = self.data[self.pos:end]
        self.pos += len(out)
        return out


class _Stream:
    """New serialised sources streamed into the store (module docstring): bulk loads in a
    writer thread read them from a queue, under one journal committed at the end; each finished
    bulk load is recorded on the journal, so a crash keeps the sources it wrote."""

    END, ABORT = object(), object()

    def __init__(self, store: Store, *, empty: bool):
        self.store, self.inner = store, store.inner
        self.empty = empty  # the store held nothing when the stream began
        self.met: set[int] = set()  # sources and graphs of this stream (into a store that held data)
        self.journal = ox.NamedNode(f"urn:credgraph:journal:{uuid.uuid4()}")
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.room = threading.Condition()
        self.queued = 0  # bytes in the queue
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.ended = False
        self.written = 0  # quads the finished bulk loads took
        self.kept = 0  # sources they took (kept if the load stops)

    def takes(self, record: SourceRecord, quads) -> bool | str:
        """True for a new serialised source none of whose graphs the store holds or this write has
        met; ``"unchanged"`` for a source stored with the same SHA-256 (skipped: the stream goes
        on, as when the same load runs again after a crash); False otherwise."""
        if not isinstance(quads, NQuads) or self.error is not None:
            return False
        graphs = quads.graphs(record)
        seen = self.store._seen if self.empty else self.met
        if hash(record.iri) in seen or any(hash(g) in seen for g in graphs):
            return False
        if self.empty:  # everything in the store is this write's: the rest is new
            return True
        known, sha, _ = self.store._node_meta(record.iri)
        if known:
            return "unchanged" if sha == record.sha256 else False
        return not any(state[0] or state[2] for state in map(self.store._graph_state, graphs))

    def add(self, record: SourceRecord, quads: NQuads) -> WriteOutcome:
        if self.thread is None:
            self._start()
        graphs = quads.graphs(record)
        if self.empty:
            self.store._saw(record.iri, *graphs)
        else:
            self.met.update(hash(n) for n in (record.iri, *graphs))
        links, meta = quads.links, quads.meta
        if not links:
            links, meta = source_metadata(record, graphs, quads.counts, _now())
        self._put((links, meta + quads.data, len(quads)))
        return WriteOutcome(record, triples=sum(quads.counts.get(g, 0) for g in graphs), graphs=tuple(graphs))

    def _start(self) -> None:
        mark = [ox.Quad(self.journal, P_STARTED_EMPTY, ox.Literal(True), META)] if self.empty else []
        self.inner.extend([ox.Quad(self.journal, RDF_TYPE, JOURNAL, META), *mark])
        self.thread = threading.Thread(target=self._run, name="credgraph-stream", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            loads = iter(STREAM_LOADS)
            number = 0
            while not self.ended:
                budget = next(loads, STREAM_LOADS[-1])
                batch = ox.NamedNode(f"{self.journal.value}/{number}")
                reader = _StreamReader(self, budget, batch)
                self.inner.bulk_load(reader, ox.RdfFormat.N_QUADS, lenient=True)
                if reader.sources:
                    self._checkpoint(batch, settle=budget is not None and budget >= STREAM_SETTLE
                                     and not self.ended)
                    self.written += reader.quads
                    self.kept += reader.sources
                number += 1
        except BaseException as exc:  # noqa: BLE001 (reported by commit or abort)
            with self.room:
                self.error = exc
                self.room.notify()
            while not self.ended:  # take what is still sent until the producer ends the stream
                item = self.take()
                self.ended = item is self.END or item is self.ABORT

    def _checkpoint(self, batch: ox.NamedNode, *, settle: bool) -> None:
        """After a bulk load: record it as done (its sources are kept from now on). With
        ``settle``, flush too, after which RocksDB merges the ingested files (it holds their
        indexes in memory until it does)."""
        self.inner.extend([ox.Quad(self.journal, P_COMMITTED_BATCH, batch, META)])
        if settle:
            self.inner.flush()

    def take(self):
        """The next item of the queue (in the writer thread), making room for the producer."""
        item = self.queue.get()
        if isinstance(item, tuple):
            with self.room:
                self.queued -= len(item[0]) + len(item[1])
                self.room.notify()
        return item

    def _put(self, item) -> None:
        """Queue an item once there is room (or raise the writer's error)."""
        size = len(item[0]) + len(item[1]) if isinstance(item, tuple) else 0
        with self.room:
            while self.error is None and self.queued and self.queued + size > STREAM_QUEUE_BYTES:
                self.room.wait()
            if self.error is None:
                self.queued += size
                self.queue.put(item)
                return
        self._fail()

    def commit(self) -> None:
        """Wait for the bulk loads to take everything, then commit (delete the journal)."""
        if self.thread is None:
            return
        self._put(self.END)
        self.thread.join()
        self.thread = None
        if self.error is not None:
            self._fail()
        self.inner.update(f"DELETE WHERE {{ GRAPH {_term(META)} {{ {_term(self.journal)} ?p ?o }} }}")
        self.store.flush()

    def abort(self) -> None:
        """Stop the bulk loads and roll back what the unfinished one wrote: the store keeps the
        sources of the finished bulk loads (``kept``), each whole."""
        if self.thread is not None:
            self.queue.put(self.ABORT)
            self.thread.join()
            self.thread = None
        self.store.recover()

    def what_is_left(self) -> str:
        """What an aborted stream left in the store, in words."""
        if not self.kept:
            return f"the store was left {'empty, ' if self.empty else ''}as it was before this load"
        return (f"the store keeps the {self.kept:,} source{'s' if self.kept != 1 else ''} written before "
                f"the load stopped, each whole; run the same load again to add the rest")

    def _fail(self) -> None:
        error, self.error = self.error, None
        self.abort()
        raise StoreError(f"writing to the store failed: {error}",
                         fix=f"check free disk space and the store folder; {self.what_is_left()}") from error


class _Batch:
    """Sources written together and committed by one atomic update."""

    def __init__(self, store: Store):
        self.store = store
        self.inner = store.inner
        self.journal = ox.NamedNode(f"urn:credgraph:journal:{uuid.uuid4()}")
        self.journal_started = False
        # per source: its record, graph -> node written, distinct quads per graph when known
        # (None: count with a query at commit), and whether the metadata graph knew the source
        # (None: a new serialised source, its metadata written in step 2)
        self.sources: list[tuple[SourceRecord, dict[str, ox.NamedNode], dict[str, int] | None, bool | None]] = []
        self.source_iris: set[str] = set()
        self.claimed: set[str] = set()
        self.graph_meta: dict[str, tuple[bool, str | None, bool]] = {}  # graph -> Store._graph_state
        self.buffer: list[ox.Quad] = []
        # new serialised sources: N-Quads of their links (step 2a), then metadata and quads (2b)
        self.links: list[bytes] = []
        self.serialised: list[bytes] = []
        self.serialised_quads = 0
        self.fast = 0
        self.pending_journal: list[ox.Quad] = []
        self._current_start = 0

    def claims_conflict(self, record: SourceRecord) -> bool:
        if record.iri in self.source_iris:
            return True
        return record.default_graph in self.claimed or any(g in self.claimed for g in record.graph_info)

    def _state(self, graph: str) -> tuple[bool, str | None, bool]:
        state = self.graph_meta.get(graph)
        if state is None:
            state = self.graph_meta[graph] = self.store._graph_state(graph)
        return state

    def _target(self, graph: str, mapping: dict[str, ox.NamedNode]) -> ox.NamedNode:
        node = mapping.get(graph)
        if node is None:
            if graph in self.claimed:
                raise _SameBatchConflict(graph)
            if self._state(graph)[2]:
                node = ox.NamedNode(f"{ids.STAGING_PREFIX}{uuid.uuid4()}")
                pred = P_STAGING
            else:
                node = ox.NamedNode(graph)
                pred = P_PENDING
            self.pending_journal.append(ox.Quad(self.journal, pred, node, META))
            mapping[graph] = node
            self.claimed.add(graph)
            self.store._saw(graph)
        return node

    def add(self, record: SourceRecord, quads: Iterable[ox.Quad], *, known: bool = True) -> None:
        """Buffer a source's quads (``known``: the metadata graph may say something about it)."""
        self.store._saw(record.iri)
        if isinstance(quads, NQuads) and not known:
            graphs = quads.graphs(record)
            if not any(g in self.claimed for g in graphs) and \
                    not any(self._state(g)[0] or self._state(g)[2] for g in graphs):
                self._add_new(record, graphs, quads)
                return
        mapping: dict[str, ox.NamedNode] = {}
        self.sources.append((record, mapping, None, known))
        self.source_iris.add(record.iri)
        self._current_start = len(self.buffer)
        default = record.default_graph
        for graph in record.graph_info:
            self._target(graph, mapping)
        if isinstance(quads, NQuads):
            for graph in quads.counts:
                self._target(graph, mapping)
            self.sources[-1] = (record, mapping, quads.counts, known)  # exact: the graphs are fresh
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

    def _add_new(self, record: SourceRecord, graphs: list[str], quads: NQuads) -> None:
        """The fast path (module docstring): a new source whose graphs are all new."""
        mapping = {g: ox.NamedNode(g) for g in graphs}
        self.sources.append((record, mapping, quads.counts, None))
        self.source_iris.add(record.iri)
        self.claimed.update(graphs)
        self.store._saw(*graphs)
        links, meta = quads.links, quads.meta
        if not links:
            links, meta = source_metadata(record, graphs, quads.counts, _now())
        self.links.append(links)
        self.serialised.append(meta)
        self.serialised.append(quads.data)
        self.serialised_quads += len(quads)
        self.fast += 1

    def fast_only(self) -> bool:
        return self.fast == len(self.sources) and not self.pending_journal and not self.buffer

    def full(self, batch_sources: int, serial_quads: int = SERIAL_CHUNK) -> bool:
        """Time to commit: ``batch_sources`` sources written the general way, or new serialised
        ones with ``serial_quads`` quads (they wait for one bulk load at commit)."""
        return (len(self.sources) - self.fast >= batch_sources or self.serialised_quads >= serial_quads
                or self.fast >= SERIAL_SOURCES)

    def discard_current(self) -> None:
        """Forget the source being added (its iteration failed) and drop what it wrote."""
        record, mapping, _, _ = self.sources.pop()
        self.source_iris.discard(record.iri)
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
        if self.pending_journal or (self.links and not self.journal_started):
            start = [] if self.journal_started else [ox.Quad(self.journal, RDF_TYPE, JOURNAL, META)]
            self.inner.extend(start + self.pending_journal)
            self.journal_started = True
            self.pending_journal = []
        if self.links:  # step 2a, completed before any quad of these sources is written
            links = b"".join(self.links).replace(JOURNAL_PLACEHOLDER.encode(), self.journal.value.encode())
            self.inner.bulk_load(links, ox.RdfFormat.N_QUADS, lenient=True)
            self.links = []
        if self.buffer:
            self.inner.bulk_extend(self.buffer)
            self.buffer = []
        if self.serialised:  # pyoxigraph wrote (and checked) these terms: no second IRI check
            self.inner.bulk_load(b"".join(self.serialised), ox.RdfFormat.N_QUADS, lenient=True)
            self.serialised = []
            self.serialised_quads = 0

    def commit(self) -> Iterator[WriteOutcome]:
        if not self.sources:
            if self.journal_started:  # every source of the batch failed: nothing to keep
                self.inner.update(f"DELETE WHERE {{ GRAPH {_term(META)} {{ {_term(self.journal)} ?p ?o }} }}")
            return
        self._flush()
        meta = _term(META)
        ops: list[str] = []
        inserts: list[str] = []
        now = _now()
        outcomes = []
        losing: dict[str, set[str]] = {}  # other sources' graphs this batch takes over
        for record, mapping, counts, known in self.sources:
            if known is None:  # a new source: its metadata is written already (step 2b)
                outcomes.append(WriteOutcome(record, triples=sum(counts.get(g, 0) for g in mapping),
                                             graphs=tuple(sorted(mapping))))
                continue
            src = ox.NamedNode(record.iri)
            if known:  # what the metadata graph said about this source is replaced
                old_graphs = self.store._source_graphs(record.iri)
                ops.append(f"DELETE WHERE {{ GRAPH {meta} {{ {_term(src)} ?p ?o }} }}")
                for g in old_graphs:
                    if g not in mapping:
                        ops.append(f"DROP SILENT GRAPH <{g}>")
                        ops.append(f"DELETE WHERE {{ GRAPH {meta} {{ <{g}> ?p ?o }} }}")
            total = 0
            for graph, node in sorted(mapping.items()):
                n = counts.get(graph, 0) if counts is not None else self._count(node)
                total += n
                has_meta, owner, _ = self._state(graph)
                if owner and owner != record.iri:
                    losing.setdefault(owner, set()).add(graph)
                if has_meta:
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
