"""The embedded store: persistence, named graph per source, metadata, atomic replace, recovery."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from credgraph import ids
from credgraph.errors import InputError, StoreError
from credgraph.load import load
from credgraph.store import META, SourceRecord, open_store

TTL_V1 = b"@prefix ex: <https://ex.org/> .\nex:a ex:p 'v1' .\nex:b ex:p 'v1' .\n"
TTL_V2 = b"@prefix ex: <https://ex.org/> .\nex:a ex:p 'v2' .\n"


def _values(store) -> set[str]:
    return {s["o"].value for s in store.query("SELECT ?o WHERE { ?s <https://ex.org/p> ?o }")}


def test_store_survives_reopen(tmp_path):
    path = tmp_path / "store"
    (tmp_path / "a.ttl").write_bytes(TTL_V1)
    store = open_store(path)
    load(store, [tmp_path / "a.ttl"])
    store.close()
    del store
    again = open_store(path)
    assert again.triple_count() == 2
    [source] = again.sources()
    assert source["origin"] == str(tmp_path / "a.ttl")
    assert source["triples"] == 2
    assert source["graphs"] == [(tmp_path / "a.ttl").resolve().as_uri()]


def test_metadata_records_origin_hash_format_time_and_count(store, tmp_path):
    f = tmp_path / "a.ttl"
    f.write_bytes(TTL_V1)
    load(store, [f])
    [source] = store.sources()
    import hashlib

    assert source["sha256"] == hashlib.sha256(TTL_V1).hexdigest()
    assert source["format"] == "turtle"
    assert source["loaded"].endswith("Z")
    # the graph node records where it came from and how many triples it holds
    graph = ox.NamedNode(f.resolve().as_uri())
    counts = list(store.inner.quads_for_pattern(graph, ox.NamedNode(ids.CG + "tripleCount"), None, META))
    assert [q.object.value for q in counts] == ["2"]


def test_reloading_an_unchanged_file_is_a_no_op(store, tmp_path):
    f = tmp_path / "a.ttl"
    f.write_bytes(TTL_V1)
    load(store, [f])
    before = store.sources()
    report = load(store, [f])
    assert report.unchanged == 1 and report.loaded == 0
    assert store.sources() == before  # not even the load time changes


def test_replacing_a_source_leaves_no_triple_of_the_old_version(store, tmp_path):
    f = tmp_path / "a.ttl"
    f.write_bytes(TTL_V1)
    load(store, [f])
    f.write_bytes(TTL_V2)
    report = load(store, [f])
    assert report.loaded == 1
    assert _values(store) == {"v2"}
    assert store.triple_count() == 1
    [source] = store.sources()
    assert source["triples"] == 1
    # no staging graph is left behind
    assert all(not g.value.startswith(ids.STAGING_PREFIX) for g in store.inner.named_graphs())


def test_a_failed_replacement_keeps_the_old_version(store, tmp_path):
    f = tmp_path / "a.ttl"
    f.write_bytes(TTL_V1)
    load(store, [f])
    f.write_bytes(TTL_V2 + b"ex:c ex:p .\n")  # broken at the end: parsed lazily, fails late
    report = load(store, [f])
    assert report.failed == 1
    assert _values(store) == {"v1"}
    assert store.sources()[0]["triples"] == 2


def test_other_files_still_load_when_one_is_bad(store, tmp_path):
    good, bad = tmp_path / "good.ttl", tmp_path / "bad.nt"
    good.write_bytes(TTL_V1)
    bad.write_bytes(b"<https://ex.org/c> <https://ex.org/p> 'x' .\n<https://ex.org/c> <https://ex.org/p> .\n")
    report = load(store, [bad, good])
    assert report.loaded == 1 and report.failed == 1
    [(origin, error)] = report.errors()
    assert origin == str(bad)
    assert "line 1" in error.where  # the first line is already wrong (single quotes in N-Triples)
    assert _values(store) == {"v1"}
    assert [s["origin"] for s in store.sources()] == [str(good)]


def test_a_graph_taken_over_by_another_source_is_removed_from_the_first(store, tmp_path):
    doc = (b'{"@context": {"p": "https://ex.org/p"}, "@id": "https://ex.org/graph/1",'
           b' "@graph": [{"@id": "https://ex.org/a", "p": "%s"}]}')
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_bytes(doc % b"old")
    second.write_bytes(doc % b"new")
    load(store, [first])
    load(store, [second])
    assert _values(store) == {"new"}
    # the first source no longer owns any graph, so its record is gone
    assert [s["origin"] for s in store.sources()] == [str(second)]


def test_recovery_rolls_back_an_interrupted_load(tmp_path):
    """Simulate a crash after bulk writing but before the commit (the SIGKILL test is in test_reliability)."""
    from credgraph.store import _Batch

    path = tmp_path / "store"
    store = open_store(path)
    (tmp_path / "a.ttl").write_bytes(TTL_V1)
    load(store, [tmp_path / "a.ttl"])
    batch = _Batch(store)
    record = SourceRecord(iri="urn:credgraph:source:x", origin="x", sha256="0", format="turtle",
                          default_graph="https://ex.org/new-graph")
    quads = [ox.Quad(ox.NamedNode("https://ex.org/z"), ox.NamedNode("https://ex.org/p"), ox.Literal("z"))]
    batch.add(record, quads)
    batch._flush()  # quads are in the store, the commit never happens
    assert "z" in _values(store)
    store.close()
    del store, batch
    reopened = open_store(path)
    assert _values(reopened) == {"v1"}
    assert not reopened.inner.contains_named_graph(ox.NamedNode("https://ex.org/new-graph"))
    assert len(reopened.sources()) == 1
    assert not list(reopened.inner.quads_for_pattern(None, None, ox.NamedNode(ids.CG + "LoadJournal"), META))


def test_a_second_writer_gets_a_clear_error(tmp_path):
    path = tmp_path / "store"
    first = open_store(path)
    with pytest.raises(StoreError) as info:
        open_store(path)
    assert "in use by another credgraph process" in str(info.value)
    first.close()


def test_store_path_that_is_a_file_is_refused(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        open_store(f)


def test_a_folder_of_other_files_is_not_taken_for_a_store(tmp_path, cli):
    """A --store that names the wrong folder (one holding a store, or a home folder) used to get a
    new empty store written into it, and validate said "0 documents: conforms"."""
    parent = tmp_path / "kept"
    open_store(parent / "store").close()
    (parent / "corpus.txt").write_text("where the corpus came from\n")
    before = sorted(p.name for p in parent.iterdir())
    with pytest.raises(StoreError) as info:
        open_store(parent)
    assert "is not a credgraph store" in str(info.value) and f"such as {parent / 'store'}" in info.value.fix
    assert sorted(p.name for p in parent.iterdir()) == before  # nothing written into it
    for verb in (["validate"], ["query", "--sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"], ["sources"], ["load", str(parent / "corpus.txt")]):
        result = cli(*verb, "--store", parent)
        assert result.code != 0 and "is not a credgraph store" in result.err and "Traceback" not in result.err
    assert sorted(p.name for p in parent.iterdir()) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    open_store(empty).close()  # an empty folder becomes a store
    assert (empty / "CURRENT").exists()


def test_store_location_from_environment(tmp_path, monkeypatch):
    from credgraph.store import resolve_store_path

    monkeypatch.setenv("CREDGRAPH_STORE", str(tmp_path / "env-store"))
    assert resolve_store_path(None) == str(tmp_path / "env-store")
    assert resolve_store_path("explicit") == "explicit"
    monkeypatch.delenv("CREDGRAPH_STORE")
    assert resolve_store_path(None).endswith(".credgraph/store")


def test_queries_see_the_union_of_graphs(store, tmp_path):
    (tmp_path / "a.ttl").write_bytes(b"<https://ex.org/a> <https://ex.org/p> 'a' .")
    (tmp_path / "b.ttl").write_bytes(b"<https://ex.org/b> <https://ex.org/p> 'b' .")
    load(store, [tmp_path])
    assert _values(store) == {"a", "b"}
    assert len(store.graph_sizes()) == 2


def test_write_rejects_bad_source_without_touching_store(store):
    def broken():
        yield ox.Quad(ox.NamedNode("https://ex.org/a"), ox.NamedNode("https://ex.org/p"), ox.Literal("x"))
        raise InputError("broken on purpose", where="test")

    record = SourceRecord(iri="urn:credgraph:source:t", origin="t", sha256="1", format="turtle",
                          default_graph="https://ex.org/g")
    [outcome] = list(store.write([(record, broken())]))
    assert not outcome.ok and "broken on purpose" in str(outcome.error)
    assert store.triple_count() == 0
    assert list(store.inner.named_graphs()) == []


def test_an_admission_hook_can_refuse_a_source_and_record_verdicts(store, tmp_path):
    from credgraph.load import Admission

    good, bad = tmp_path / "good.ttl", tmp_path / "bad.ttl"
    good.write_bytes(TTL_V1)
    bad.write_bytes(b"<https://ex.org/x> <https://ex.org/p> 'refuse me' .")
    report_triple = ox.Quad(ox.NamedNode("https://ex.org/report"), ox.NamedNode("https://ex.org/says"),
                            ox.Literal("fine"))

    def admit(record, quads):
        if any(q.object == ox.Literal("refuse me") for q in quads):
            return Admission(False, "violations", "a value says to refuse it")
        return Admission(True, "warnings", report_quads=[report_triple])

    result = load(store, [good, bad], admit=admit)
    assert result.loaded == 1 and result.failed == 1 and result.exit_code == 1
    [(origin, error)] = result.errors()
    assert origin == str(bad) and "a value says to refuse it" in str(error)
    assert _values(store) == {"v1"}
    [source] = store.sources()
    reports = [g for g in source["graphs"] if g.startswith("urn:credgraph:report:")]
    assert len(reports) == 1  # the report is kept in a graph owned by the source
    assert list(store.inner.quads_for_pattern(None, None, ox.Literal("fine"), ox.NamedNode(reports[0])))
    verdicts = [q.object.value for q in store.inner.quads_for_pattern(
        None, ox.NamedNode(ids.CG + "validationVerdict"), None, META)]
    assert verdicts == ["warnings"]


def _three_loads(tmp_path):
    """A store on disk filled by three separate loads (each flushed into table files of its own)."""
    path = tmp_path / "store"
    store = open_store(path)
    for i in range(3):
        source = tmp_path / f"s{i}.ttl"
        source.write_bytes("".join(f"<https://ex.org/r{i}-{n}> <https://ex.org/p> 'v{i}-{n}' .\n"
                                   for n in range(200)).encode())
        load(store, [source])
        store.flush()
    return store


def test_compacting_keeps_the_data_sources_and_kept_answers(tmp_path):
    from unittest import mock

    from credgraph import answers
    from credgraph.catalog import EmbeddedTarget

    store = _three_loads(tmp_path)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s <https://ex.org/p> ?o }"
    with mock.patch.object(answers, "KEEP_AFTER", 0.0):
        EmbeddedTarget(store).run(count)
    values, sources = _values(store), store.sources()
    done = store.compact()
    assert 0 < done.files_after < done.files_before and done.bytes_after > 0 and done.seconds >= 0
    assert _values(store) == values and len(values) == 600 and store.sources() == sources
    kept = EmbeddedTarget(store).run(count)
    assert kept.kept_at is not None and kept.rows[0]["n"].value == "600"  # not a change of the data
    store.close()
    del store
    assert _values(open_store(tmp_path / "store")) == values


def test_compacting_without_the_disk_space_is_refused_before_it_starts(tmp_path):
    import shutil
    from unittest import mock

    from credgraph.store import format_size

    store = _three_loads(tmp_path)
    full_disk = shutil._ntuple_diskusage(10**9, 10**9, 1000)  # 1,000 bytes free
    with (mock.patch.object(shutil, "disk_usage", return_value=full_disk),
          mock.patch.object(store, "inner", wraps=store.inner) as inner):
        with pytest.raises(StoreError) as caught:
            store.compact()
    assert "not enough free disk space" in caught.value.message
    assert f"{format_size(1000)} are" in caught.value.message  # both sizes named, for people
    assert caught.value.fix and not inner.optimize.called and len(_values(store)) == 600


def test_the_compact_verb(tmp_path, cli):
    store = _three_loads(tmp_path)
    store.close()
    del store
    done = cli("compact", "--store", tmp_path / "store")
    assert done.code == 0 and "compacted" in done.err and "table files" in done.err
    assert cli("query", "--sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s <https://ex.org/p> ?o }", "--store", tmp_path / "store",
               "--format", "csv").out == "n\r\n600\r\n"
    memory = cli("compact", "--store", ":memory:")
    assert memory.code == 0 and "nothing to compact" in memory.err


def test_a_big_load_suggests_compacting_a_small_one_does_not(tmp_path, cli):
    from unittest import mock

    from credgraph.commands import load as load_verb

    source = tmp_path / "a.ttl"
    source.write_bytes(TTL_V1)
    small = cli("load", source, "--store", tmp_path / "s1")
    with mock.patch.object(load_verb, "COMPACT_HINT_TRIPLES", 2):
        big = cli("load", source, "--store", tmp_path / "s2")
    assert small.code == big.code == 0 and "compact" not in small.err
    assert f"credgraph compact --store {tmp_path / 's2'}" in big.err
