"""The pieces of `credgraph serve` without HTTP: negotiation, the network guard, result writers,
the map's relation paths, labels by language, the serve command's checks, the wheel's assets."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile

import pyoxigraph as ox
import pytest

from browser.serving import Server
from conftest import ROOT
from credgraph.results import Result
from credgraph.web.protocol import (GRAPH_FORMATS, TABLE_FORMATS, Job, execute, negotiate, network_operations,
                                    results_xml)
from credgraph.web.relmap import DIRECTIONS, map_data, neighbours_query
from credgraph.web.view import GraphView, accept_languages, load_map_config, page_url, pick_literal


@pytest.mark.parametrize("accept,offers,expected", [
    ("application/sparql-results+json", TABLE_FORMATS, "json"),
    ("application/json", TABLE_FORMATS, "json"),
    ("text/csv;q=0.2, text/tab-separated-values", TABLE_FORMATS, "tsv"),
    ("application/xml", TABLE_FORMATS, "xml"),
    ("text/*", TABLE_FORMATS, "csv"),
    ("*/*", TABLE_FORMATS, "json"),
    (None, TABLE_FORMATS, "json"),
    ("text/html, */*;q=0", TABLE_FORMATS, None),
    ("application/n-triples", GRAPH_FORMATS, "ntriples"),
    ("application/ld+json;profile=x", GRAPH_FORMATS, "jsonld"),
    ("application/rdf+xml;q=0.9, text/turtle", GRAPH_FORMATS, "turtle"),
    ("image/png", GRAPH_FORMATS, None),
])
def test_negotiation(accept, offers, expected):
    default = "json" if offers is TABLE_FORMATS else "turtle"
    assert negotiate(accept, offers, default) == expected


@pytest.mark.parametrize("query,expected", [
    ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", {"SERVICE"}),
    ("select * where { service silent <http://x/> { ?s ?p ?o } }", {"SERVICE"}),
    ("SELECT * WHERE { SERVICE<http://x/>{ ?s ?p ?o } }", {"SERVICE"}),
    ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", {"SERVICE"}),
    ("SELECT * WHERE {\n SERVICE\n<http://x/> {} }", {"SERVICE"}),
    (r"SELECT * WHERE { \u0053ERVICE <http://x/> { ?s ?p ?o } }", {"SERVICE"}),
    ("LOAD <http://example.org/data.ttl>", {"LOAD"}),
    ("load silent <http://x/> into graph <urn:g>", {"LOAD"}),
    ('SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" }', set()),
    ("SELECT * WHERE { ?s ?p '''LOAD\n<http://x/>''' }", set()),
    ("SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/>", set()),
    ("SELECT * WHERE { ?s <http://x/SERVICE> ?o }", set()),
    ("PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:SERVICE ?o ; ex:load ?x }", set()),
    ("SELECT ?service ?load WHERE { ?service ?load ?o }", set()),
    ("SELECT * WHERE { ?s ?p \"a \\\" SERVICE \" }", set()),
])
def test_network_operations_are_found_in_syntax_only(query, expected):
    assert network_operations(query) == expected


def test_the_network_guard_covers_every_way_pyoxigraph_reaches_out():
    """Whatever the guard lets through must not make pyoxigraph open a connection."""
    store = ox.Store()
    for query in ('SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:9/>" }',
                  "SELECT * WHERE { ?s <http://x/SERVICE> ?o }"):
        assert not network_operations(query)
        assert execute(store, Job(query, accept="text/csv")).status == 200


def test_sparql_xml_results_are_well_formed_for_any_text():
    tricky = ox.Literal("a < b & c > \"d\" \x01 ]]>", language="en")
    result = Result(variables=["x", "y", "z"],
                    rows=[{"x": tricky, "y": ox.NamedNode("http://e.org/?a=1&b=2"),
                           "z": ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))}])
    root = ET.fromstring(results_xml(result).encode())
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    literal = root.find("s:results/s:result/s:binding[@name='x']/s:literal", ns)
    assert literal.text == "a < b & c > \"d\" \ufffd ]]>"
    assert literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert root.find("s:results/s:result/s:binding[@name='y']/s:uri", ns).text == "http://e.org/?a=1&b=2"
    assert ET.fromstring(results_xml(Result(boolean=False)).encode()).find("s:boolean", ns).text == "false"


def test_every_relation_path_of_the_map_is_valid_sparql():
    relations, kinds = load_map_config()
    assert {"defines", "partner", "funds", "offers", "stacks", "prepares", "aligns", "seealso"} <= {r.key for r in relations}
    store = ox.Store()
    from credgraph.namespaces import PREFIXES

    for relation in relations:
        for direction in DIRECTIONS:
            for count in (False, True):
                text = neighbours_query(relation.path, direction, ["https://purl.org/ctdl/terms/Credential"], count=count)
                list(store.query(text, prefixes=PREFIXES, substitutions={ox.Variable("c"): ox.NamedNode("urn:x")}))
    assert len({k.key for k in kinds}) == len(kinds)


def test_labels_follow_the_language_preference():
    store = ox.Store()
    node = ox.NamedNode("https://example.org/c")
    name = ox.NamedNode("https://purl.org/ctdl/terms/name")
    for lit in (ox.Literal("Lasser", language="nl"), ox.Literal("Welder", language="en-US"), ox.Literal("Soudeur", language="fr")):
        store.add(ox.Quad(node, name, lit, ox.NamedNode("urn:g")))
    view = GraphView(store)
    assert view.label(node, accept_languages("nl-NL,nl;q=0.9,en;q=0.5")) == "Lasser"
    assert view.label(node, accept_languages("en")) == "Welder"
    assert view.label(node, accept_languages("de, fr;q=0.5")) == "Soudeur"
    assert pick_literal([ox.Literal("x"), ox.Literal("y", language="de")], ["en"]) == "x"


def test_page_urls_mirror_our_and_registry_iris():
    assert page_url("https://w3id.org/credgraph/id/organization/credential-engine") == "/id/organization/credential-engine"
    assert page_url("https://credentialengineregistry.org/resources/ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec") \
        == "/resources/ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec"
    assert page_url("javascript:alert(1)") == "/resource?iri=javascript%3Aalert%281%29"


def test_map_selection_none_shows_nothing(store):
    from credgraph.demo import build

    build(store)
    view = GraphView(store.inner)
    centre = "https://w3id.org/credgraph/id/topic/non-degree-credentials"
    assert map_data(view, centre, ["en"], relations="none")["nodes"] == []
    assert map_data(view, centre, ["en"], kinds="none")["nodes"] == []
    topics = map_data(view, centre, ["en"], kinds="topic")
    assert topics["nodes"] and {n["kind"] for n in topics["nodes"]} == {"topic"}


# ------------------------------------------------------------------------- the serve command
def test_serve_refuses_a_short_token_and_a_busy_port(cli, tmp_path):
    r = cli("serve", "--store", tmp_path / "s", "--token", "short")
    assert r.code == 2 and "at least 16" in r.err and "Traceback" not in r.err
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        r = cli("serve", "--store", tmp_path / "s", "--port", str(taken.getsockname()[1]))
        assert r.code == 2 and "cannot listen" in r.err
    finally:
        taken.close()


def test_serve_listens_on_loopback_by_default():
    from credgraph.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.token is None and args.cors == []


def test_serve_help_names_its_options(cli):
    r = cli("serve", "--help")
    for option in ("--store", "--host", "--port", "--token", "--cors", "--query-timeout", "--max-results",
                   "--max-body", "--workers"):
        assert option in r.out


def test_a_locked_store_is_a_clear_error(disk_store, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "credgraph", "serve", "--store", str(disk_store.path), "--port", "0"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "in use" in proc.stderr and "Traceback" not in proc.stderr


def test_an_in_memory_store_serves_and_updates(tmp_path):
    """`--store :memory:` runs queries in threads (no worker processes can see it)."""
    token = "memory-token-0123456789"
    s = Server(":memory:", "--token", token, log=tmp_path / "serve.log")
    try:
        assert s.query("ASK { ?s ?p ?o }").body.count(b"false") == 1
        r = s.request("POST", "/update", data=b'INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> "v" } }',
                      headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"})
        assert r.status == 204
        rows = json.loads(s.query("SELECT ?o WHERE { <urn:a> <urn:p> ?o }").body)["results"]["bindings"]
        assert rows == [{"o": {"type": "literal", "value": "v"}}]
        assert s.get("/resource?iri=" + urllib.parse.quote("urn:a"), Accept="text/html").status == 200
    finally:
        s.stop()


@pytest.mark.slow
def test_wheel_ships_the_web_assets(tmp_path):
    pytest.importorskip("hatchling")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "-q", "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    [wheel] = tmp_path.glob("credgraph-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    web = ROOT / "src" / "credgraph" / "web"
    expected = {f"credgraph/web/{p.relative_to(web).as_posix()}" for p in web.rglob("*")
                if p.is_file() and p.suffix in (".html", ".js", ".css", ".toml", ".py")}
    assert expected and expected <= names
    assert "credgraph/commands/serve.py" in names


def test_a_kept_answer_over_the_result_limit_is_refused_without_computing_it(store):
    """Regression: an answer kept by `credgraph query` (no row limit) with more rows than the
    server's --max-results was computed again on every ask, for minutes, only to be refused."""
    import asyncio

    from credgraph import answers
    from credgraph.load import load_bytes
    from credgraph.web.app import CredgraphApp, Settings

    data = "".join(f"<urn:x:{i}> <urn:x:p> \"{i}\" .\n" for i in range(5)).encode()
    assert not load_bytes(store, data, fmt="ntriples", graph="urn:x:g").errors()
    text = "SELECT ?s WHERE { ?s <urn:x:p> ?o }"
    answers.answer(store, text, keep_after=0.0)  # kept, 5 rows

    class NoRunner:
        def run(self, job, timeout):
            raise AssertionError("the query was computed again")

    state = CredgraphApp(store, Settings(max_results=3))
    state.runner = NoRunner()
    reply = asyncio.run(state.run(Job(text, format="csv", max_results=3), 5.0))
    assert reply.status == 503 and reply.headers["Credgraph-Limit"] == "results"
    reply = asyncio.run(state.run(Job(text, format="csv", max_results=10), 5.0))
    assert reply.status == 200 and reply.body.count(b"urn:x:") == 5 and "Credgraph-Kept" in reply.headers
