"""Kept answers (credgraph.answers): slow results kept in the store, given again until it changes."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pyoxigraph as ox
import pytest

from credgraph import answers
from credgraph.catalog import EmbeddedTarget, run_query
from credgraph.load import load_bytes
from credgraph.store import open_store

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://example.org/p> ?o }"


def turtle(*names: str) -> bytes:
    return "".join(f"<http://example.org/{n}> <http://example.org/p> \"{n}\" .\n" for n in names).encode()


def count(result) -> int:
    return int(result.rows[0]["n"].value)


@pytest.fixture
def keep_all(monkeypatch):
    """Every answer counts as slow."""
    monkeypatch.setattr(answers, "KEEP_AFTER", 0.0)


@pytest.fixture
def loaded(store, keep_all):
    load_bytes(store, turtle("a", "b"), fmt="turtle", graph="http://example.org/g1")
    return store


def ask(store, text=COUNT, **kwargs):
    return EmbeddedTarget(store, **kwargs).run(text)


def test_a_slow_answer_is_kept_and_given_again(loaded):
    first = ask(loaded)
    assert first.kept_at is None and count(first) == 2
    again = ask(loaded)
    assert again.kept_at is not None and again.kept_seconds >= 0
    assert again == first  # same variables and rows
    assert answers.kept_answers(loaded) == 1


def test_a_fast_answer_is_not_kept(store, monkeypatch):
    monkeypatch.setattr(answers, "KEEP_AFTER", 3600.0)
    load_bytes(store, turtle("a"), fmt="turtle", graph="http://example.org/g1")
    ask(store)
    assert ask(store).kept_at is None
    assert answers.kept_answers(store) == 0


def test_the_kept_answer_is_the_one_of_that_query_text(loaded):
    ask(loaded)
    other = ask(loaded, COUNT.replace("?n", "?m"))
    assert other.kept_at is None and other.variables == ["m"]
    assert answers.kept_answers(loaded) == 2


CHANGES = {
    "a new source is loaded": lambda s: load_bytes(s, turtle("c"), fmt="turtle", graph="http://example.org/g2"),
    "a source is replaced": lambda s: load_bytes(s, turtle("a", "b", "c"), fmt="turtle", graph="http://example.org/g1"),
    "a SPARQL update": lambda s: s.update('INSERT DATA { GRAPH <http://example.org/g3> '
                                          '{ <http://example.org/c> <http://example.org/p> "c" } }'),
    "a source is dropped": lambda s: s.drop_source(s.sources()[0]["source"]),
}
AFTER = {"a new source is loaded": 3, "a source is replaced": 3, "a SPARQL update": 3, "a source is dropped": 0}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_forgets_the_kept_answers(loaded, change):
    ask(loaded)
    assert ask(loaded).kept_at is not None
    CHANGES[change](loaded)
    assert answers.kept_answers(loaded) == 0
    fresh = ask(loaded)
    assert fresh.kept_at is None and count(fresh) == AFTER[change]
    assert ask(loaded).kept_at is not None  # and the new answer is kept in turn


def test_the_server_graph_writes_forget_them(loaded):
    from credgraph.web.app import post_graph, put_graph

    ask(loaded)
    post_graph(loaded, turtle("c"), "turtle", ox.NamedNode("http://example.org/g1"))
    assert answers.kept_answers(loaded) == 0 and count(ask(loaded)) == 3
    put_graph(loaded, turtle("d"), "turtle", ox.NamedNode("http://example.org/g1"))
    assert answers.kept_answers(loaded) == 0 and count(ask(loaded)) == 1


def test_loading_the_same_sources_again_keeps_them(loaded):
    ask(loaded)
    report = load_bytes(loaded, turtle("a", "b"), fmt="turtle", graph="http://example.org/g1")
    assert not report.errors()
    assert ask(loaded).kept_at is not None


def test_an_answer_computed_across_a_change_is_never_given(loaded, monkeypatch):
    """The query reads the store as it was; a load lands before the answer is kept."""
    from credgraph import sparql

    real = sparql.run_sparql

    def racing(store, text, **kwargs):
        result = real(store, text, **kwargs)
        load_bytes(store, turtle("c"), fmt="turtle", graph="http://example.org/g2")
        return result

    monkeypatch.setattr(sparql, "run_sparql", racing)
    assert count(ask(loaded)) == 2  # computed before the load
    monkeypatch.setattr(sparql, "run_sparql", real)
    assert answers.kept_answers(loaded) == 0  # tidied away: its generation was not the store's
    again = ask(loaded)
    assert again.kept_at is None and count(again) == 3


def test_nothing_is_kept_while_a_change_is_under_way(loaded):
    with loaded.changing():
        ask(loaded)
        assert answers.kept_answers(loaded) == 0
    ask(loaded)
    assert ask(loaded).kept_at is not None


def test_a_failed_load_of_a_new_source_forgets_them_and_keeps_the_data(loaded):
    ask(loaded)
    report = load_bytes(loaded, b"<http://example.org/x> <http://example.org/p> .", fmt="turtle",
                        graph="http://example.org/g2")
    assert report.errors()
    assert count(ask(loaded)) == 2  # nothing of the bad source, the old data whole


def test_fresh_computes_again_and_off_neither_reads_nor_keeps(loaded):
    ask(loaded)
    assert ask(loaded, kept="fresh").kept_at is None
    assert ask(loaded).kept_at is not None
    loaded.update("DELETE WHERE { GRAPH ?g { <http://example.org/a> ?p ?o } }")
    assert ask(loaded, kept="off").kept_at is None
    assert answers.kept_answers(loaded) == 0


def test_big_answers_and_graph_results_are_not_kept(loaded, monkeypatch):
    monkeypatch.setattr(answers, "KEEP_MAX_BYTES", 10)
    ask(loaded)
    ask(loaded, "CONSTRUCT { ?s ?p ?o } WHERE { ?s <http://example.org/p> ?o }")
    assert answers.kept_answers(loaded) == 0


def test_kept_answers_are_not_data(loaded):
    before = (loaded.triple_count(), loaded.graph_sizes(), loaded.sources())
    ask(loaded)
    assert answers.kept_answers(loaded) == 1
    assert (loaded.triple_count(), loaded.graph_sizes(), loaded.sources()) == before


def test_kept_answers_outlive_the_process_that_kept_them(tmp_path, keep_all):
    path = tmp_path / "store"
    store = open_store(path)
    load_bytes(store, turtle("a"), fmt="turtle", graph="http://example.org/g1")
    ask(store)
    store.close()
    store = open_store(path)
    assert ask(store).kept_at is not None
    store.close()


def test_a_canned_query_is_kept_with_its_parameters(store, keep_all):
    from pathlib import Path

    from credgraph.load import load

    load(store, [Path(__file__).resolve().parents[1] / "ontology"])
    data = b"""@prefix ceterms: <https://purl.org/ctdl/terms/> .
<https://example.org/c1> a ceterms:Certificate ; ceterms:availableAt [ ceterms:addressRegion "Ohio" ] .
<https://example.org/c2> a ceterms:Certificate ; ceterms:availableAt [ ceterms:addressRegion "Iowa" ] .
"""
    load_bytes(store, data, fmt="turtle", graph="https://example.org/g")
    name = "research/q01-ndcs-by-state-and-provider"
    ohio = run_query(name, {"state": "Ohio"}, store)
    assert ohio.kept_at is None and [r["region"].value for r in ohio.rows] == ["Ohio"]
    iowa = run_query(name, {"state": "Iowa"}, store)
    assert iowa.kept_at is None and [r["region"].value for r in iowa.rows] == ["Iowa"]
    again = run_query(name, {"state": "Ohio"}, store)
    assert again.kept_at is not None and again == ohio


def test_the_cli_says_an_answer_was_kept_and_fresh_computes_it(cli, tmp_path):
    path = tmp_path / "store"
    source = tmp_path / "a.ttl"
    source.write_bytes(turtle("a", "b"))
    assert cli("load", source, "--store", path).code == 0
    with mock.patch.object(answers, "KEEP_AFTER", 0.0):
        first = cli("query", "--sparql", COUNT, "--store", path, "--format", "csv")
        again = cli("query", "--sparql", COUNT, "--store", path, "--format", "csv")
        fresh = cli("query", "--sparql", COUNT, "--store", path, "--format", "csv", "--fresh")
    assert first.code == again.code == fresh.code == 0
    assert first.out == again.out == fresh.out == "n\r\n2\r\n"
    assert "kept" not in first.err and "kept" not in fresh.err
    assert "answer kept in the store since" in again.err and "--fresh" in again.err
    stats = json.loads(cli("stats", "--store", path, "--format", "json").out)
    assert stats["kept_answers"] == 1 and stats["triples"] == 2  # kept answers are not data
    assert "kept answers  1" in cli("stats", "--store", path).out


def test_fresh_with_a_remote_endpoint_is_a_usage_error(cli):
    # A remote endpoint keeps no answers of ours: --fresh there used to be accepted and ignored.
    result = cli("query", "--sparql", COUNT, "--endpoint", "http://127.0.0.1:9/sparql", "--fresh")
    assert result.code == 2 and "--fresh applies to the embedded store" in result.err
    assert "Traceback" not in result.err


def test_kept_results_read_back_term_for_term():
    from credgraph.results import Result

    xsd = "http://www.w3.org/2001/XMLSchema#"
    terms = [ox.NamedNode("http://example.org/a"), ox.BlankNode("b0"), ox.Literal("plain"),
             ox.Literal("Welder", language="en-us"), ox.Literal("3", datatype=ox.NamedNode(xsd + "integer")),
             ox.Literal("[\"not a list\"]"), ox.Literal("http://example.org/a"), ox.Literal("@en")]
    rows = [{"x": t, "y": terms[0]} for t in terms] + [{"y": terms[2]}, {}]
    result = Result(variables=["x", "y"], rows=rows)
    back = answers.decode(answers.encode(result))
    assert back == result and [set(r) for r in back.rows] == [set(r) for r in rows]
    assert answers.decode(answers.encode(Result(boolean=False))) == Result(boolean=False)


def test_an_answer_the_store_cannot_read_is_computed_again(loaded):
    first = ask(loaded)
    [kept] = list(loaded.inner.quads_for_pattern(None, answers.P_RESULTS, None, answers.META))
    loaded.inner.remove(kept)
    loaded.inner.add(ox.Quad(kept.subject, kept.predicate, ox.Literal('{"head": {}}'), kept.graph_name))
    again = ask(loaded)
    assert again.kept_at is None and again == first
    assert ask(loaded).kept_at is not None  # kept again, whole
    [seconds] = list(loaded.inner.quads_for_pattern(None, answers.P_SECONDS, None, answers.META))
    loaded.inner.remove(seconds)  # an answer without its time
    assert ask(loaded).kept_at is None


def test_asking_writes_nothing_until_an_answer_is_kept(store):
    """Regression: looking for a kept answer made the store's generation at once, so an empty
    store answered `ASK { ?s ?p ?o }` with true after its first query (the server's test)."""
    for _ in range(2):
        assert ask(store, "ASK { ?s ?p ?o }").boolean is False
    assert list(store.inner.quads_for_pattern(None, None, None, None)) == []


def test_queries_keep_runs_the_queries_without_parameters(cli, tmp_path):
    root = Path(__file__).resolve().parents[1]
    path = tmp_path / "store"
    assert cli("load", root / "ontology", root / "data", "--store", path).code == 0
    fast = cli("queries", "landscape", "--keep", "--store", path)
    assert fast.code == 0 and "fast: not kept" in fast.out and "landscape/credentials-by-type" in fast.out
    with mock.patch.object(answers, "KEEP_AFTER", 0.0):
        first = cli("queries", "landscape", "--keep", "--store", path)
        again = cli("queries", "landscape", "--keep", "--store", path)
    assert first.code == again.code == 0
    assert "  kept  " in first.out and "kept before" in again.out
    assert "the store keeps 1 of these answers" in again.err
    one = cli("queries", "landscape/credentials-by-type", "--keep", "--store", path)  # was ignored for one query
    assert one.code == 0 and "landscape/credentials-by-type" in one.out and "running 1 of 1 queries" in one.err
    with_param = cli("queries", "stackability", "--keep", "--store", path)
    assert "running 1 of 3 queries (the others need a parameter)" in with_param.err
    assert "stackability/stacks-into-nothing" in with_param.out and "stacks-into " not in with_param.out
