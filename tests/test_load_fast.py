"""The fast loading path: worker processes, serialised sources, the bulk-written metadata, the
writer thread, and its crash recovery. Each test compares with the general path or checks the
all-or-nothing guarantee the store's docstring promises."""

from __future__ import annotations

import gc
import json
import os
import re
import sys
import threading

import pyoxigraph as ox
import pytest

from conftest import ROOT, reference

sys.path.insert(0, str(ROOT))  # the benchmarks package: its corpus generator makes realistic documents

from credgraph import ids  # noqa: E402
from credgraph.load import Admission, LoadReport, _inputs_with_uris, load  # noqa: E402
from credgraph.load import jsonld  # noqa: E402
from credgraph.load.reading import read_file  # noqa: E402
from credgraph.store import META, RDF_TYPE, NQuads, SourceRecord, Store, _Batch, open_store  # noqa: E402

BNODE = re.compile(r"_:[A-Za-z0-9]+")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from benchmarks.corpus import generate

    return generate(tmp_path_factory.mktemp("corpus"), 150, seed=11)


def content(store) -> list[str]:
    """Every quad outside the metadata graph, blank nodes blanked, sorted (a multiset)."""
    rows = []
    for q in store.inner.quads_for_pattern(None, None, None, None):
        if q.graph_name == META:
            continue
        rows.append(BNODE.sub("_:b", str(q)))
    return sorted(rows)


def metadata(store, drop=("loadBatch", "validationVerdict")) -> list[str]:
    """The metadata graph without times and the load-batch mark, blank nodes blanked."""
    rows = []
    for q in store.inner.quads_for_pattern(None, None, None, META):
        p = q.predicate.value
        if p.endswith(drop) or p == "http://www.w3.org/ns/prov#generatedAtTime":
            continue
        rows.append(str(ox.Triple(q.subject, q.predicate, q.object)))
    return sorted(rows)


def test_parallel_and_in_process_loads_write_the_same(corpus, tmp_path):
    one, two = open_store(tmp_path / "one"), open_store(tmp_path / "two")
    a = load(one, [corpus.dir], workers=0)
    b = load(two, [corpus.dir], workers=2)
    assert a.loaded == b.loaded == corpus.docs and a.failed == b.failed == 0
    assert a.triples == b.triples == corpus.triples_estimate
    assert [o.record.origin for o in a.outcomes] == [o.record.origin for o in b.outcomes]
    assert content(one) == content(two)
    assert metadata(one) == metadata(two)
    assert one.sources() == [dict(s, loaded=s2["loaded"]) for s, s2 in zip(two.sources(), one.sources())]


def test_new_sources_get_the_same_metadata_as_the_general_path(corpus, tmp_path):
    fast, general = open_store(tmp_path / "fast"), open_store(tmp_path / "general")
    files = list(corpus.files[:30])
    load(fast, files, workers=0)
    # an admission hook sends every source the general way (quads in this process, SPARQL commit)
    load(general, files, workers=0, admit=lambda record, quads: Admission(True, "conforms"))
    assert content(fast) == content(general)
    assert metadata(fast) == metadata(general)
    marks = list(fast.inner.quads_for_pattern(None, ox.NamedNode(ids.CG + "loadBatch"), None, META))
    assert len(marks) == 30 and not list(general.inner.quads_for_pattern(
        None, ox.NamedNode(ids.CG + "loadBatch"), None, META))


def test_loading_into_a_store_that_holds_data_already(corpus, tmp_path):
    store = open_store(tmp_path / "s")
    (tmp_path / "a.ttl").write_bytes(b"<https://ex.org/a> <https://ex.org/p> 'x' .")
    load(store, [tmp_path / "a.ttl"])
    report = load(store, [corpus.dir], workers=2)
    assert report.loaded == corpus.docs and store.triple_count() == corpus.triples_estimate + 1
    assert len(store.sources()) == corpus.docs + 1


def _doc_with_value(path, value: str) -> bytes:
    """A corpus document with its main entity's name changed (a new version of the source)."""
    obj = json.loads(path.read_bytes())
    doc = obj.get("decoded_resource", obj)
    doc["@graph"][0]["ceterms:name"] = {"en-US": value} if "ceterms:name" in doc["@graph"][0] else value
    return json.dumps(obj).encode()


def test_replacing_sources_through_workers_keeps_counts_and_content_exact(corpus, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    files = [f for f in corpus.files if f.parent.parent == corpus.dir][:80]
    for f in files:
        (folder / f.name).write_bytes(f.read_bytes())
    store = open_store(tmp_path / "s")
    load(store, [folder], workers=2)
    before = store.triple_count()
    changed = folder / files[3].name
    changed.write_bytes(_doc_with_value(files[3], "Renamed"))
    report = load(store, [folder], workers=2)
    assert report.loaded == 1 and report.unchanged == 79
    assert store.triple_count() == before  # one literal replaced by another
    assert bool(store.query('ASK { ?s ?p "Renamed"@en-us }'))
    [source] = [s for s in store.sources() if s["origin"] == str(changed)]
    assert source["triples"] == store.graph_sizes()[source["graphs"][0]]
    assert not any(g.value.startswith(ids.STAGING_PREFIX) for g in store.inner.named_graphs())


def test_the_same_file_twice_in_one_load_is_written_once(corpus, tmp_path):
    store = open_store(tmp_path / "s")
    f = corpus.files[5]
    report = load(store, [f, f], workers=0)
    assert report.loaded == 1 and report.unchanged == 1
    [source] = store.sources()
    assert source["triples"] == store.triple_count()
    assert len(list(store.inner.quads_for_pattern(None, ox.NamedNode(ids.CG + "sha256"), None, META))) == 1


def test_batches_in_flight_and_conflicts_between_them(corpus, tmp_path, monkeypatch):
    """With one source per batch, each batch is written while the next is assembled; a source or
    graph of the batch in flight waits for it."""
    import credgraph.store as store_module

    monkeypatch.setattr(store_module, "SERIAL_CHUNK", 1)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    doc = json.loads(_doc_with_value(corpus.files[0], "First"))
    first.write_text(json.dumps(doc))
    doc2 = json.loads(_doc_with_value(corpus.files[0], "Second"))
    second.write_text(json.dumps(doc2))  # the same graph IRI: the second takes it over
    store = open_store(tmp_path / "s")
    report = load(store, [first, *corpus.files[1:20], first, second], workers=0)
    assert report.failed == 0 and report.loaded == 21 and report.unchanged == 1
    assert not bool(store.query('ASK { ?s ?p "First"@en-us }'))
    assert bool(store.query('ASK { ?s ?p "Second"@en-us }'))
    origins = {s["origin"] for s in store.sources()}
    assert str(second) in origins and str(first) not in origins
    assert not list(store.inner.quads_for_pattern(None, None, ox.NamedNode(ids.CG + "LoadJournal"), META))


def test_a_bad_document_among_many_is_reported_and_the_rest_load(corpus, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    files = [f for f in corpus.files if f.parent.parent == corpus.dir][:100]
    for f in files:
        (folder / f.name).write_bytes(f.read_bytes())
    bad = folder / files[50].name
    bad.write_bytes(bad.read_bytes()[:-20])  # truncated JSON
    store = open_store(tmp_path / "s")
    report = load(store, [folder], workers=2)
    assert report.loaded == 99 and report.failed == 1
    [(origin, error)] = report.errors()
    assert origin == str(bad) and "invalid JSON" in str(error) and "line 1" in error.where
    assert str(bad) not in {s["origin"] for s in store.sources()}


def _new_source(tmp_path, name="x"):
    graph = f"https://ex.org/graph/{name}"
    quads = [ox.Quad(ox.NamedNode(f"https://ex.org/{name}"), ox.NamedNode("https://ex.org/p"), ox.Literal(name),
                     ox.NamedNode(graph))]
    record = SourceRecord(iri=f"urn:credgraph:source:{name}", origin=name, sha256=name, format="registry-graph",
                          default_graph=graph)
    return record, NQuads.from_quads(quads, graph, record)


def test_a_crash_before_the_commit_of_a_fast_batch_leaves_nothing(tmp_path):
    path = tmp_path / "store"
    store = open_store(path)
    (tmp_path / "a.ttl").write_bytes(b"<https://ex.org/a> <https://ex.org/p> 'v1' .")
    load(store, [tmp_path / "a.ttl"])
    before_meta = metadata(store, drop=())
    batch = _Batch(store)
    record, nq = _new_source(tmp_path)
    batch.add(record, nq, known=False)
    assert batch.fast_only()
    batch._flush()  # journal, links, metadata and quads are written; the commit never happens
    assert bool(store.query('ASK { ?s ?p "x" }')) and len(store.sources()) == 2
    store.close()
    del store, batch
    reopened = open_store(path)
    assert not bool(reopened.query('ASK { ?s ?p "x" }'))
    assert metadata(reopened, drop=()) == before_meta
    assert [s["origin"] for s in reopened.sources()] == [str(tmp_path / "a.ttl")]


def test_links_torn_before_their_mark_are_removed_by_recovery(tmp_path):
    """A crash during step 2a can leave a cg:graph link whose source has no mark and no type."""
    path = tmp_path / "store"
    store = open_store(path)
    journal = ox.NamedNode("urn:credgraph:journal:torn")
    store.inner.extend([ox.Quad(journal, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                ox.NamedNode(ids.CG + "LoadJournal"), META),
                        ox.Quad(ox.NamedNode("urn:credgraph:source:torn"), ox.NamedNode(ids.CG + "graph"),
                                ox.NamedNode("https://ex.org/graph/torn"), META)])
    store.close()
    del store
    reopened = open_store(path)
    assert list(reopened.inner.quads_for_pattern(None, None, None, META)) == []


def test_walking_a_folder_matches_sorted_rglob(tmp_path):
    root = tmp_path / "d"
    (root / "a").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "elsewhere").mkdir()
    (root / "a" / "z.ttl").write_text("")
    (root / "a-b.ttl").write_text("")
    (root / "a.json").write_text("")
    (root / "notes.md").write_text("")
    (root / ".hidden" / "h.ttl").write_text("")
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "r.ttl").write_text("")
    os.symlink(tmp_path / "real", root / "linkdir")
    os.symlink(tmp_path / "real" / "r.ttl", root / "linked.ttl")
    report = LoadReport()
    found = list(_inputs_with_uris([root], report))
    expected = [p for p in sorted(root.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    assert [p for p, _ in found] == [p for p in expected if p.suffix != ".md"]
    assert report.skipped == [str(root / "notes.md")]
    for p, uri in found:
        assert uri is None or uri == p.resolve().as_uri()
    assert dict(found)[root / "linked.ttl"] is None  # a link: resolved where it is read


def _general_path(monkeypatch):
    monkeypatch.setattr(jsonld, "_single_known_context", lambda raw, doc: None)


def _isomorphic(a, b) -> bool:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    def graphs(quads):
        by_graph: dict[str, list] = {}
        for q in quads:
            by_graph.setdefault(str(q.graph_name), []).append(ox.Triple(q.subject, q.predicate, q.object))
        return {g: Graph().parse(data=ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
                for g, ts in by_graph.items()}

    ga, gb = graphs(a), graphs(b)
    return ga.keys() == gb.keys() and all(isomorphic(ga[k], gb[k]) for k in ga)


def test_the_registry_shortcut_parses_exactly_like_the_general_path(corpus, monkeypatch):
    files = list(corpus.files[:40])
    examples = reference("ctdl", "examples")
    files += sorted(p for p in examples.rglob("*.json") if "registry" in str(p))
    fast = [jsonld.parse_jsonld(read_file(f)) for f in files]
    _general_path(monkeypatch)
    general = [jsonld.parse_jsonld(read_file(f)) for f in files]
    for f, a, b in zip(files, fast, general):
        assert (a.kind, a.warnings, a.graph_info, len(a.quads)) == (b.kind, b.warnings, b.graph_info, len(b.quads)), f
        assert _isomorphic(a.quads, b.quads), f


def test_the_shortcut_keeps_prefixes_hidden_behind_escapes(tmp_path):
    doc = {"@context": "https://credreg.net/ctdl/schema/context/json",
           "@id": "https://ex.org/c", "@type": "ceterms:Certificate",
           "ceterms:credentialStatusType": {"@type": "ceterms:CredentialAlignmentObject",
                                            "ceterms:targetNode": "XcredentialStat:Active"}}
    text = json.dumps(doc).replace("XcredentialStat", "\\u0063redentialStat")
    f = tmp_path / "c.json"
    f.write_text(text)
    parsed = jsonld.parse_jsonld(read_file(f))
    targets = [q.object.value for q in parsed.quads if q.predicate.value.endswith("targetNode")]
    assert targets == ["https://purl.org/ctdl/vocabs/credentialStat/Active"]


def test_unmapped_keys_found_by_the_shortcut_are_dropped_with_a_warning(tmp_path):
    doc = {"@context": "https://credreg.net/ctdl/schema/context/json", "@id": "https://ex.org/g",
           "@graph": [{"@id": "https://ex.org/c", "@type": "ceterms:Certificate",
                       "ceterms:name": {"en": "C"},
                       "typo ": [{"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": "x:y"}]}]}
    f = tmp_path / "c.json"
    f.write_text(json.dumps(doc))
    parsed = jsonld.parse_jsonld(read_file(f))
    assert len(parsed.quads) == 2 and any("/@graph/0/typo " in w for w in parsed.warnings)


def test_a_document_that_kills_its_worker_is_reported_and_the_rest_load(corpus, tmp_path, monkeypatch):
    """A parser crash (pyoxigraph overflows its stack on very deep JSON-LD) must not hang or stop
    the load: the inputs of the dead worker are redone one by one and the culprit is reported."""
    load_module = sys.modules["credgraph.load"]

    folder = tmp_path / "docs"
    folder.mkdir()
    files = [f for f in corpus.files if f.parent.parent == corpus.dir][:90]
    for f in files:
        (folder / f.name).write_bytes(f.read_bytes())
    killer = folder / files[40].name
    real = load_module._prepare

    def fragile(item, *args, **kwargs):
        if kwargs.get("in_worker") and str(item) == str(killer):
            os._exit(139)  # what a segmentation fault looks like to the pool
        return real(item, *args, **kwargs)

    monkeypatch.setattr(load_module, "_prepare", fragile)
    store = open_store(tmp_path / "s")
    report = load(store, [folder], workers=2)
    assert report.loaded == 89 and report.failed == 1
    [(origin, error)] = report.errors()
    assert origin == str(killer) and "crashed the parser process" in str(error)
    assert store.triple_count() > 0 and str(killer) not in {s["origin"] for s in store.sources()}


# --------------------------------------------------------------------------- the stream
# New serialised sources are streamed into long bulk loads under one journal (store module
# docstring); the rest of a load takes the batch path.
def _source_iri(store, origin) -> str:
    [source] = [s["source"] for s in store.sources() if s["origin"] == str(origin)]
    return source


@pytest.mark.parametrize("loads, queue_bytes, settle", [
    ((None,), 32 << 20, 4_000_000), ((500, 1000, None), 32 << 20, 4_000_000), ((None,), 1, 4_000_000),
    ((500, 2000), 32 << 20, 2000)], ids=["one bulk load", "several", "one source queued at a time",
                                         "compacting between bulk loads"])
def test_a_stream_writes_what_the_batches_write(corpus, tmp_path, monkeypatch, loads, queue_bytes, settle):
    import credgraph.store as store_module

    monkeypatch.setattr(store_module, "STREAM_LOADS", loads)
    monkeypatch.setattr(store_module, "STREAM_QUEUE_BYTES", queue_bytes)
    monkeypatch.setattr(store_module, "STREAM_SETTLE", settle)
    checkpoints = []
    real_checkpoint = store_module._Stream._checkpoint
    monkeypatch.setattr(store_module._Stream, "_checkpoint", lambda self, batch, settle: (
        checkpoints.append((self.written, settle)), real_checkpoint(self, batch, settle=settle)))
    seed = tmp_path / "seed.ttl"
    seed.write_bytes(b"<https://ex.org/a> <https://ex.org/p> 'x' .")

    def loaded_after_seed(name):
        store = open_store(tmp_path / name)
        load(store, [seed])
        report = load(store, [corpus.dir], workers=2)
        store.drop_source(_source_iri(store, seed))
        return store, report

    monkeypatch.setattr(store_module, "STREAM_NEW_SOURCES", False)
    batched, b = loaded_after_seed("batched")
    monkeypatch.setattr(store_module, "STREAM_NEW_SOURCES", True)
    assert checkpoints == []
    beside, h = loaded_after_seed("beside")  # streamed into a store that held data
    beside_checkpoints, checkpoints[:] = list(checkpoints), []
    streamed = open_store(tmp_path / "streamed")
    s = load(streamed, [corpus.dir], workers=2)
    for report, store in ((s, streamed), (h, beside)):
        assert report.loaded == b.loaded == corpus.docs and report.triples == b.triples == corpus.triples_estimate
        assert [(o.record.origin, o.triples, o.graphs) for o in report.outcomes] == \
            [(o.record.origin, o.triples, o.graphs) for o in b.outcomes]
        assert content(store) == content(batched)
        assert metadata(store) == metadata(batched)
        assert not list(store.inner.quads_for_pattern(None, None, ox.NamedNode(ids.CG + "LoadJournal"), META))
    assert len(beside_checkpoints) == len(checkpoints)
    written = [w for w, _ in checkpoints]  # one checkpoint per bulk load, quads before it
    assert written == sorted(set(written)) and written[0] == 0
    if loads[-1] is None:  # the last bulk load takes the rest
        assert len(checkpoints) == len(loads)
    else:  # bulk loads of 500 quads, then of 2000 (each ends at a source's end)
        assert len(checkpoints) >= corpus.triples_estimate // 2000
    settled = [w for w, s in checkpoints if s]  # flushed, so RocksDB compacts
    if settle <= max((b for b in loads if b), default=0):
        assert len(settled) >= len(checkpoints) - 3
    else:
        assert settled == []


def test_a_source_the_stream_cannot_take_ends_it_and_the_rest_load_in_batches(corpus, tmp_path):
    files = [f for f in corpus.files if f.parent.parent == corpus.dir][:60]
    turtle = tmp_path / "t.ttl"
    turtle.write_bytes(b"<https://ex.org/t> <https://ex.org/p> 't' .")
    changed = tmp_path / "changed.json"
    changed.write_bytes(_doc_with_value(files[10], "Renamed"))  # the same graph as files[10]
    store = open_store(tmp_path / "s")
    report = load(store, [*files[:30], turtle, *files[30:], files[5], changed], workers=0)
    assert report.failed == 0 and report.loaded == 62 and report.unchanged == 1
    origins = {s["origin"] for s in store.sources()}
    assert str(turtle) in origins and str(changed) in origins and str(files[10]) not in origins
    assert bool(store.query('ASK { ?s ?p "Renamed"@en-us }'))
    sizes = store.graph_sizes()
    assert all(s["triples"] == sum(sizes.get(g, 0) for g in s["graphs"]) for s in store.sources())
    assert not list(store.inner.quads_for_pattern(None, None, ox.NamedNode(ids.CG + "LoadJournal"), META))


def test_a_crash_before_the_stream_commits_leaves_the_store_empty(tmp_path):
    from credgraph.store import _Stream

    path = tmp_path / "store"
    store = open_store(path)
    stream = _Stream(store, empty=True)
    store._seen = set()
    for name in ("x", "y"):
        stream.add(*_new_source(tmp_path, name))
    stream.queue.put(stream.ABORT)  # the bulk load dies half-way and nothing records it as done
    stream.thread.join()
    assert len(store.sources()) < 2 and stream.kept == 0
    store.close()
    del store, stream
    gc.collect()  # the writer's error holds the stream in a reference cycle
    reopened = open_store(path)
    assert list(reopened.inner.quads_for_pattern(None, None, None, None)) == []


def _crashed_stream(tmp_path, monkeypatch, names, finished, held=False):
    """A stream of one bulk load per source whose process dies after ``finished`` of them were
    recorded as done: the next one wrote everything, but its checkpoint never happened. With
    ``held``, the store held a source ("earlier") before the stream began."""
    import credgraph.store as store_module

    monkeypatch.setattr(store_module, "STREAM_LOADS", (1,))
    path = tmp_path / "store"
    store = open_store(path)
    if held:
        list(store.write([_new_source(tmp_path, "earlier")]))
    real = store_module._Stream._checkpoint
    done = []

    def checkpoint(self, batch, settle):
        if len(done) < finished:
            done.append(batch)
            real(self, batch, settle=settle)

    monkeypatch.setattr(store_module._Stream, "_checkpoint", checkpoint)
    stream = store_module._Stream(store, empty=not held)
    store._seen = None if held else set()
    for name in names:
        stream.add(*_new_source(tmp_path, name))
    stream.queue.put(stream.END)
    stream.thread.join()  # every bulk load is done; the commit never happens
    assert len(store.sources()) == len(names) + held
    store.close()
    monkeypatch.setattr(store_module._Stream, "_checkpoint", real)
    return path, stream.journal


@pytest.mark.parametrize("held", [False, True], ids=["into an empty store", "into a store holding data"])
def test_a_crash_before_the_stream_commits_keeps_the_sources_of_finished_bulk_loads(tmp_path, monkeypatch, held):
    path, _ = _crashed_stream(tmp_path, monkeypatch, ["x", "y", "z"], finished=2, held=held)
    reopened = open_store(path)
    before = ["earlier"] if held else []
    assert sorted(s["origin"] for s in reopened.sources()) == [*before, "x", "y"]
    assert set(reopened.graph_sizes()) == {f"https://ex.org/graph/{n}" for n in (*before, "x", "y")}
    assert not bool(reopened.query('ASK { ?s ?p "z" }'))
    assert not list(reopened.inner.quads_for_pattern(None, None, ox.NamedNode(ids.CG + "LoadJournal"), META))
    assert not [q for q in reopened.inner.quads_for_pattern(None, None, None, META) if "/z" in str(q) or ":z" in str(q)]
    # running the same load again adds the rest: the kept sources are unchanged
    again = list(reopened.write([_new_source(tmp_path, n) for n in ("x", "y", "z")]))
    assert [o.unchanged for o in again] == [True, True, False] and all(o.ok for o in again)
    fresh = open_store(tmp_path / "fresh")
    list(fresh.write([_new_source(tmp_path, n) for n in (*before, "x", "y", "z")]))
    assert content(reopened) == content(fresh) and metadata(reopened) == metadata(fresh)


def test_recovering_a_stream_drops_what_a_torn_bulk_load_wrote_in_any_order(tmp_path, monkeypatch):
    """Within a bulk load RocksDB may ingest a source's quads before its links: whatever is not a
    finished batch's source goes, graphs and metadata alike."""
    path, journal = _crashed_stream(tmp_path, monkeypatch, ["x", "y"], finished=1)
    inner = ox.Store(str(path))  # as the crash left it: not recovered yet
    ex = "https://ex.org/"
    inner.extend([
        ox.Quad(ox.NamedNode(ex + "t"), ox.NamedNode(ex + "p"), ox.Literal("torn"), ox.NamedNode(ex + "graph/torn")),
        ox.Quad(ox.NamedNode(ex + "graph/half"), ox.NamedNode(ids.CG + "loadedFrom"),
                ox.NamedNode("urn:credgraph:source:half"), META),
        ox.Quad(ox.NamedNode("urn:credgraph:source:half"), RDF_TYPE, ox.NamedNode(ids.CG + "LoadedSource"), META)])
    assert any(q.subject == journal for q in inner.quads_for_pattern(None, None, None, META))
    store = Store(inner, path)  # opening recovers
    assert not any(q.subject == journal for q in store.inner.quads_for_pattern(None, None, None, META))
    assert [s["origin"] for s in store.sources()] == ["x"]
    assert set(store.graph_sizes()) == {"https://ex.org/graph/x"}
    fresh = open_store(tmp_path / "fresh")
    list(fresh.write([_new_source(tmp_path, "x")]))
    assert metadata(store) == metadata(fresh) and content(store) == content(fresh)
    assert store.recover() == []  # nothing left to do


def test_a_stream_that_fails_to_write_leaves_the_store_empty_and_says_so(tmp_path):
    from credgraph.errors import StoreError

    store = open_store(tmp_path / "store")
    good = _new_source(tmp_path, "good")
    record, nq = _new_source(tmp_path, "bad")
    nq.data = b"<https://ex.org/bad> this is not N-Quads .\n"
    with pytest.raises(StoreError) as raised:
        list(store.write([good, (record, nq), _new_source(tmp_path, "after")]))
    assert "left empty" in raised.value.fix
    assert list(store.inner.quads_for_pattern(None, None, None, None)) == []
    assert not [t for t in threading.enumerate() if t.name == "credgraph-stream"]


@pytest.mark.parametrize("held", [False, True], ids=["into an empty store", "into a store holding data"])
def test_an_interrupted_stream_leaves_the_store_as_it_was(tmp_path, held):
    store = open_store(tmp_path / "store")
    if held:
        list(store.write([_new_source(tmp_path, "earlier")]))
    before = (content(store), metadata(store, drop=()))

    def items():
        for i in range(5):
            yield _new_source(tmp_path, f"s{i}")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as raised:
        list(store.write(items()))
    assert (content(store), metadata(store, drop=())) == before
    assert held or list(store.inner.quads_for_pattern(None, None, None, None)) == []
    assert raised.value.__notes__ == ["the store was left as it was before this load" if held else
                                      "the store was left empty, as it was before this load"]
    assert not [t for t in threading.enumerate() if t.name == "credgraph-stream"]


@pytest.mark.parametrize("held", [False, True], ids=["into an empty store", "into a store holding data"])
def test_an_interrupted_stream_keeps_the_sources_of_finished_bulk_loads_and_says_so(tmp_path, monkeypatch, held):
    import time

    import credgraph.store as store_module

    monkeypatch.setattr(store_module, "STREAM_LOADS", (1,))  # one bulk load per source
    store = open_store(tmp_path / "store")
    if held:
        list(store.write([_new_source(tmp_path, "earlier")]))

    def finished() -> int:
        return len(list(store.inner.quads_for_pattern(None, store_module.P_COMMITTED_BATCH, None, META)))

    def items():
        for i in range(5):
            yield _new_source(tmp_path, f"s{i}")
        deadline = time.monotonic() + 30
        while finished() < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as raised:
        list(store.write(items()))
    kept = sorted(s["origin"] for s in store.sources() if s["origin"] != "earlier")
    assert 3 <= len(kept) <= 5 and kept == [f"s{i}" for i in range(len(kept))]
    assert raised.value.__notes__ == [f"the store keeps the {len(kept)} sources written before the load "
                                      "stopped, each whole; run the same load again to add the rest"]
    earlier = ["earlier"] if held else []
    assert set(store.graph_sizes()) == {f"https://ex.org/graph/{o}" for o in [*earlier, *kept]}
    assert not list(store.inner.quads_for_pattern(None, None, ox.NamedNode(ids.CG + "LoadJournal"), META))
    assert not [t for t in threading.enumerate() if t.name == "credgraph-stream"]


def test_new_sources_into_a_store_in_memory_holding_data_load_without_hanging(corpus):
    """Regression: the stream's marks, written inside the bulk load into a store holding data,
    waited for ever on a store in memory (the query benchmark's build hung)."""
    store = open_store(":memory:")
    list(store.write([_new_source(None, "earlier")]))
    done = []
    worker = threading.Thread(target=lambda: done.append(load(store, [corpus.dir], workers=0)), daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert done and done[0].loaded == corpus.docs and done[0].failed == 0


def test_a_stream_that_fails_after_a_finished_bulk_load_keeps_its_sources(tmp_path, monkeypatch):
    from credgraph.errors import StoreError
    import credgraph.store as store_module

    monkeypatch.setattr(store_module, "STREAM_LOADS", (1,))
    store = open_store(tmp_path / "store")
    record, nq = _new_source(tmp_path, "bad")
    nq.data = b"<https://ex.org/bad> this is not N-Quads .\n"
    with pytest.raises(StoreError) as raised:
        list(store.write([_new_source(tmp_path, "good"), (record, nq), _new_source(tmp_path, "after")]))
    assert "the store keeps the 1 source written before the load stopped" in raised.value.fix
    assert [s["origin"] for s in store.sources()] == ["good"]
    assert set(store.graph_sizes()) == {"https://ex.org/graph/good"}


def test_ctrl_c_during_an_initial_load_says_the_store_is_empty(corpus, tmp_path, monkeypatch, capsys):
    from credgraph import cli
    from credgraph.load import parallel

    real = parallel.ordered_map

    def interrupted(*args, **kwargs):
        for i, pair in enumerate(real(*args, **kwargs)):
            if i == 20:
                raise KeyboardInterrupt
            yield pair

    monkeypatch.setattr(sys.modules["credgraph.load"], "ordered_map", interrupted)
    code = cli.main(["load", str(corpus.dir), "--store", str(tmp_path / "s"), "--quiet"])
    assert code == 130
    assert "interrupted; the store was left empty, as it was before this load" in capsys.readouterr().err
    import gc

    gc.collect()  # the interrupted command's store handle (held by the traceback's frames)
    store = open_store(tmp_path / "s")
    assert list(store.inner.quads_for_pattern(None, None, None, None)) == []
