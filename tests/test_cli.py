"""The command line: verbs, help, output formats, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from credgraph.cli import build_parser

TTL = b"""@prefix ex: <https://ex.org/> .
@prefix ceterms: <https://purl.org/ctdl/terms/> .
ex:a a ceterms:Certificate ; ceterms:name "Alpha, \\"A\\""@en .
ex:b a ceterms:Certificate ; ceterms:name "Beta"@en .
ex:c a ceterms:License .
"""


@pytest.fixture
def loaded(cli, tmp_path):
    f = tmp_path / "a.ttl"
    f.write_bytes(TTL)
    store = tmp_path / "store"
    result = cli("load", f, "--store", store)
    assert result.code == 0, result.err
    return store


def test_every_verb_has_help_with_a_summary_and_examples():
    parser = build_parser()
    verbs = parser._subparsers._group_actions[0].choices
    assert {"load", "sources", "stats", "query", "export", "demo"} <= set(verbs)
    for name, sub in verbs.items():
        text = sub.format_help()
        assert sub.description and sub.description.endswith("."), name
        assert "examples:" in text and f"credgraph {name}" in text, name


def test_python_dash_m_runs_the_cli():
    proc = subprocess.run([sys.executable, "-m", "credgraph", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "load" in proc.stdout


def test_no_verb_is_a_usage_error(cli):
    assert cli().code == 2


def test_query_table_csv_tsv_json(cli, loaded):
    q = "SELECT ?s ?name WHERE { ?s a <https://purl.org/ctdl/terms/Certificate> ; <https://purl.org/ctdl/terms/name> ?name } ORDER BY ?s"
    table = cli("query", "--store", loaded, "--sparql", q)
    assert table.code == 0
    assert "(2 rows)" in table.out and "Beta" in table.out
    csv_out = cli("query", "--store", loaded, "--sparql", q, "--format", "csv").out
    assert csv_out.splitlines()[:2] == ["s,name", 'https://ex.org/a,"Alpha, ""A"""']
    tsv_out = cli("query", "--store", loaded, "--sparql", q, "--format", "tsv").out
    assert tsv_out.splitlines()[1] == '<https://ex.org/a>\t"Alpha, \\"A\\""@en'
    data = json.loads(cli("query", "--store", loaded, "--sparql", q, "--format", "json").out)
    assert data["head"]["vars"] == ["s", "name"]
    assert data["results"]["bindings"][1]["name"] == {"type": "literal", "value": "Beta", "xml:lang": "en"}


def test_ask_gives_a_boolean_in_json(cli, loaded):
    out = cli("query", "--store", loaded, "--sparql", "ASK { ?s a <https://purl.org/ctdl/terms/License> }",
              "--format", "json").out
    assert json.loads(out) == {"head": {}, "boolean": True}


def test_construct_prints_rdf(cli, loaded):
    out = cli("query", "--store", loaded, "--format", "ntriples", "--sparql",
              "CONSTRUCT { ?s a ?t } WHERE { GRAPH ?g { ?s a <https://purl.org/ctdl/terms/License> . ?s a ?t } }").out
    assert out.strip() == "<https://ex.org/c> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.org/ctdl/terms/License> ."


def test_query_from_file_and_errors(cli, loaded, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://purl.org/ctdl/terms/Certificate> }")
    assert cli("query", "--store", loaded, "--file", rq, "--format", "csv").out.splitlines() == ["n", "2"]
    bad = cli("query", "--store", loaded, "--sparql", "SELECT WHERE {")
    assert bad.code == 2 and bad.err.startswith("credgraph: error: SPARQL syntax error")
    assert "Traceback" not in bad.err and len(bad.err.strip().splitlines()) == 1
    both = cli("query", "--store", loaded)
    assert both.code == 2 and "exactly one of" in both.err


def test_debug_shows_the_traceback(cli, loaded):
    with pytest.raises(Exception):
        cli("--debug", "query", "--store", loaded, "--sparql", "SELECT WHERE {")


def test_stats_counts_by_class(cli, loaded):
    out = cli("stats", "--store", loaded).out
    assert "ceterms:Certificate" in out and "triples" in out
    data = json.loads(cli("stats", "--store", loaded, "--format", "json").out)
    assert data["classes"]["https://purl.org/ctdl/terms/Certificate"] == 2
    assert data["triples"] == 5 and data["sources"] == 1


def test_sources_lists_what_was_loaded(cli, loaded):
    data = json.loads(cli("sources", "--store", loaded, "--format", "json").out)
    assert data[0]["origin"].endswith("a.ttl") and data[0]["triples"] == 5


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "nquads", "trig", "jsonld"])
def test_export_dumps_the_store(cli, loaded, fmt, tmp_path):
    import pyoxigraph as ox

    from credgraph.sparql import RDF_FORMATS

    out = tmp_path / f"dump.{fmt}"
    result = cli("export", "--to", fmt, "--store", loaded, "--out", out)
    assert result.code == 0, result.err
    quads = list(ox.parse(out.read_bytes(), RDF_FORMATS[fmt]))
    data = [q for q in quads if "credgraph/graph/meta" not in str(q.graph_name)]
    assert len(data) == 5


def test_load_exit_code_and_summary_on_failure(cli, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_bytes(b"<https://ex.org/a> <https://ex.org/p> .")
    good = tmp_path / "good.ttl"
    good.write_bytes(TTL)
    result = cli("load", bad, good, "--store", tmp_path / "s")
    assert result.code == 2
    assert f"error: {bad} line 1 column" in result.err
    assert "loaded 1 source(s), 5 triples; 1 failed, nothing from them entered the store" in result.err


def test_locked_store_names_the_fix(cli, tmp_path):
    from credgraph.store import open_store

    holder = open_store(tmp_path / "s")
    result = cli("stats", "--store", tmp_path / "s")
    assert result.code == 2 and "in use by another credgraph process" in result.err and "--endpoint" in result.err
    holder.close()
