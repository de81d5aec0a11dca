"""`credgraph serve` over real HTTP: the SPARQL 1.1 Protocol, updates and the graph store behind a
token, linked-data pages, search, the map API, limits and security headers.

Each server is a real `credgraph serve` process on a free loopback port (see tests/browser/serving.py).
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from browser.serving import (HUB, HUB_SIZE, MICRO_ITS, RIVERBEND, TOPIC_NDC, XSS, XSS_CTID, Server,
                             build_demo_store, copy_store)

TOKEN = "test-token-0123456789abcdef"
CETERMS = "https://purl.org/ctdl/terms/"
CERTS = f"SELECT ?c ?name WHERE {{ ?c a <{CETERMS}Certification> ; <{CETERMS}name> ?name }} ORDER BY ?c"
CONSTRUCT = f"CONSTRUCT {{ ?c <{CETERMS}name> ?name }} WHERE {{ ?c a <{CETERMS}Certification> ; <{CETERMS}name> ?name }}"
SRJ = "application/sparql-results+json"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    return build_demo_store(tmp_path_factory.mktemp("web-demo") / "store")


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    """A read-only server (no token) with a small body limit."""
    s = Server(copy_store(demo_template, tmp_path_factory.mktemp("ro") / "store"), "--max-body", "4096",
               env={"CREDGRAPH_TOKEN": ""})
    yield s
    s.stop()


@pytest.fixture(scope="module")
def writable(demo_template, tmp_path_factory):
    """A server started with a token (from $CREDGRAPH_TOKEN)."""
    s = Server(copy_store(demo_template, tmp_path_factory.mktemp("rw") / "store"), env={"CREDGRAPH_TOKEN": TOKEN})
    yield s
    s.stop()


@pytest.fixture(scope="module")
def certifications(server):
    rows = json.loads(server.query(CERTS, accept=SRJ).body)["results"]["bindings"]
    assert len(rows) == 5  # data/credentials/README.md: Certification 5
    return [(r["c"]["value"], r["name"]["value"]) for r in rows]


# ------------------------------------------------------------------------- SPARQL protocol
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_query_by_get_and_post_form_gives_sparql_json(server, certifications, method):
    r = server.query(CERTS, accept=SRJ, method=method)
    assert r.status == 200 and r.header("content-type").startswith(SRJ)
    data = json.loads(r.body)
    assert data["head"]["vars"] == ["c", "name"]
    assert [(b["c"]["value"], b["name"]["value"]) for b in data["results"]["bindings"]] == certifications
    assert data["results"]["bindings"][0]["name"]["xml:lang"] == "en-us"


def test_query_by_post_direct(server, certifications):
    r = server.request("POST", "/sparql", data=CERTS.encode(),
                       headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": "text/csv"})
    assert r.status == 200 and r.header("content-type").startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["c", "name"] and [tuple(x) for x in rows[1:]] == certifications


def test_select_in_every_result_format(server, certifications):
    tsv = server.query(CERTS, accept="text/tab-separated-values")
    assert tsv.header("content-type").startswith("text/tab-separated-values")
    lines = tsv.text.splitlines()
    assert lines[0] == "?c\t?name" and lines[1].startswith(f"<{certifications[0][0]}>\t")
    xml = server.query(CERTS, accept="application/sparql-results+xml")
    assert xml.header("content-type").startswith("application/sparql-results+xml")
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(xml.body)
    assert [v.get("name") for v in root.findall("s:head/s:variable", ns)] == ["c", "name"]
    uris = [u.text for u in root.findall("s:results/s:result/s:binding[@name='c']/s:uri", ns)]
    assert uris == [c for c, _ in certifications]


@pytest.mark.parametrize("accept,check", [
    (SRJ, lambda body: json.loads(body) == {"head": {}, "boolean": True}),
    ("text/csv", lambda body: body.decode().splitlines() == ["boolean", "true"]),
    ("application/sparql-results+xml", lambda body: b"<boolean>true</boolean>" in body),
])
def test_ask(server, accept, check):
    r = server.query(f"ASK {{ ?c a <{CETERMS}Certification> }}", accept=accept)
    assert r.status == 200 and check(r.body)


@pytest.mark.parametrize("accept,fmt", [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML)])
def test_construct_in_every_rdf_format(server, certifications, accept, fmt):
    r = server.query(CONSTRUCT, accept=accept)
    assert r.status == 200 and r.header("content-type").startswith(accept)
    triples = {(str(q.subject.value), q.object.value) for q in ox.parse(r.body, fmt)}
    assert triples == set(certifications)


def test_accept_q_values_and_format_parameter(server):
    r = server.query(CERTS, accept="text/csv;q=0.5, application/sparql-results+xml;q=0.9")
    assert r.header("content-type").startswith("application/sparql-results+xml")
    r = server.query(CERTS, accept="*/*")
    assert r.header("content-type").startswith(SRJ)
    r = server.query(CERTS, accept=SRJ, format="tsv")
    assert r.header("content-type").startswith("text/tab-separated-values")
    r = server.query(CONSTRUCT, accept="*/*")
    assert r.header("content-type").startswith("text/turtle")


def test_default_graph_is_the_union_and_graph_parameters_narrow_it(server):
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{CETERMS}Certification> }}"
    union = json.loads(server.query(count).body)["results"]["bindings"][0]["n"]["value"]
    assert union == "5"
    graph = "https://w3id.org/credgraph/graph/data/credentials/it-stack.ttl"
    one = json.loads(server.query(count, **{"default-graph-uri": graph}).body)
    assert 0 < int(one["results"]["bindings"][0]["n"]["value"]) < 5


@pytest.mark.parametrize("request_kwargs,status,words", [
    (dict(method="GET", path="/sparql?query=SELECT%20*%20WHERE%20%7B", headers={}), 400, "syntax error"),
    (dict(method="GET", path="/sparql?query=SELECT%20*%20WHERE%20%7B%7D&query=ASK%7B%7D", headers={}), 400, "2 'query'"),
    (dict(method="GET", path="/sparql?query=ASK%7B%7D", headers={"Accept": "image/png"}), 406, "Accept"),
    (dict(method="POST", path="/sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"}), 415, "Content-Type"),
    (dict(method="POST", path="/sparql", data=b"\xff\xfe ASK {}", headers={"Content-Type": "application/sparql-query"}), 400, "UTF-8"),
    (dict(method="POST", path="/sparql", data=b"query=" + b"x" * 5000, headers={"Content-Type": "application/x-www-form-urlencoded"}), 413, "larger than 4,096 bytes"),
    (dict(method="GET", path="/sparql?format=png&query=ASK%7B%7D", headers={}), 400, "unknown format"),
    (dict(method="GET", path="/sparql?query=" + urllib.parse.quote("SELECT * WHERE { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }"), headers={}), 400, "SERVICE is disabled"),
    (dict(method="DELETE", path="/sparql", headers={}), 405, "not allowed"),
])
def test_errors_are_status_codes_with_a_readable_body(server, request_kwargs, status, words):
    r = server.request(**request_kwargs)
    assert r.status == status, r.text
    assert r.header("content-type").startswith("text/plain") and words in r.text
    assert "Traceback" not in r.text


def test_a_select_asked_for_as_turtle_is_not_acceptable(server):
    r = server.query(CERTS, accept="text/turtle")
    assert r.status == 406 and "SELECT/ASK" in r.text


def test_service_description(server):
    r = server.get("/sparql", Accept="text/turtle")
    assert r.status == 200
    triples = list(ox.parse(r.body, ox.RdfFormat.TURTLE))
    assert any(t.object.value.endswith("SPARQL11Query") for t in triples)


def test_sparqlwrapper_talks_to_the_endpoint(server, certifications):
    from SPARQLWrapper import CSV, JSON, SPARQLWrapper, TURTLE

    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setQuery(CERTS)
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    assert [(r["c"]["value"], r["name"]["value"]) for r in rows] == certifications
    sw.setReturnFormat(CSV)
    assert sw.query().convert().decode().startswith("c,name")
    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(TURTLE)
    assert len(list(ox.parse(sw.query().convert(), ox.RdfFormat.TURTLE))) == 5


# ------------------------------------------------------------------------- updates and the graph store
def test_a_server_without_token_has_no_update_routes(server):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert server.request("POST", "/update", data=b"update=CLEAR+ALL", headers=form).status == 404
    assert server.request("GET", "/store?graph=urn:x").status == 404
    assert server.request("PUT", "/store?graph=urn:x", data=b"", headers={"Content-Type": "text/turtle"}).status == 404
    r = server.request("POST", "/sparql", data=b"update=CLEAR+ALL", headers=form)
    assert r.status == 405 and "read-only" in r.text
    r = server.request("POST", "/sparql", data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    assert r.status == 405
    assert server.query(f"ASK {{ ?c a <{CETERMS}Certification> }}").body.count(b"true") == 1


def test_updates_need_the_token(writable):
    insert = b"INSERT DATA { GRAPH <urn:test:g> { <urn:test:a> <urn:test:p> \"fresh\" } }"
    for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": "Basic " + TOKEN},
                    {"Authorization": "Bearer " + TOKEN[:-1]}):
        r = writable.request("POST", "/update", data=insert,
                             headers={"Content-Type": "application/sparql-update", **headers})
        assert r.status == 401 and r.header("www-authenticate").startswith("Bearer")
    assert b"false" in writable.query("ASK { <urn:test:a> ?p ?o }").body
    r = writable.request("POST", "/update", data=insert, headers={"Content-Type": "application/sparql-update",
                                                                    "Authorization": "Bearer " + TOKEN})
    assert r.status == 204, r.text
    # queries run in worker processes: they must see the update at once
    assert b"true" in writable.query("ASK { <urn:test:a> ?p \"fresh\" }").body
    form = urllib.parse.urlencode({"update": "DELETE DATA { GRAPH <urn:test:g> { <urn:test:a> <urn:test:p> \"fresh\" } }"})
    r = writable.request("POST", "/update", data=form.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer " + TOKEN})
    assert r.status == 204
    assert b"false" in writable.query("ASK { <urn:test:a> ?p ?o }").body


def test_update_errors_and_network_loads_are_refused(writable):
    auth = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/sparql-update"}
    r = writable.request("POST", "/update", data=b"INSERT DATA {", headers=auth)
    assert r.status == 400 and "syntax" in r.text.lower()
    r = writable.request("POST", "/update", data=b"LOAD <http://127.0.0.1:9/x.ttl>", headers=auth)
    assert r.status == 400 and "LOAD is disabled" in r.text


def test_graph_store_protocol_with_the_token(writable):
    auth = {"Authorization": "Bearer " + TOKEN}
    graph = "/store?graph=" + urllib.parse.quote("https://example.org/graph/gsp", safe="")
    assert writable.request("GET", graph).status == 401
    assert writable.request("PUT", graph, data=b"", headers={"Content-Type": "text/turtle"}).status == 401
    assert writable.request("GET", graph, headers=auth).status == 404
    body = b'<https://example.org/x> <https://purl.org/ctdl/terms/name> "GSP one"@en .\n'
    r = writable.request("PUT", graph, data=body, headers={**auth, "Content-Type": "text/turtle"})
    assert r.status == 201, r.text
    got = writable.request("GET", graph, headers={**auth, "Accept": "application/n-triples"})
    assert got.status == 200
    assert {t.object.value for t in ox.parse(got.body, ox.RdfFormat.N_TRIPLES)} == {"GSP one"}
    replaced = b'<https://example.org/x> <https://purl.org/ctdl/terms/name> "GSP two"@en .\n'
    assert writable.request("PUT", graph, data=replaced, headers={**auth, "Content-Type": "text/turtle"}).status == 204
    added = b'<https://example.org/y> <https://purl.org/ctdl/terms/name> "GSP three"@en .\n'
    assert writable.request("POST", graph, data=added, headers={**auth, "Content-Type": "application/n-triples"}).status == 204
    got = writable.request("GET", graph, headers={**auth, "Accept": "text/turtle"})
    assert {t.object.value for t in ox.parse(got.body, ox.RdfFormat.TURTLE)} == {"GSP two", "GSP three"}
    assert b"true" in writable.query('ASK { ?s ?p "GSP two"@en }').body
    # putting the earlier body again replaces the merged graph (it is not "unchanged")
    assert writable.request("PUT", graph, data=replaced, headers={**auth, "Content-Type": "text/turtle"}).status == 204
    got = writable.request("GET", graph, headers={**auth, "Accept": "text/turtle"})
    assert {t.object.value for t in ox.parse(got.body, ox.RdfFormat.TURTLE)} == {"GSP two"}
    # the put is recorded as a loaded source: provenance on the resource page
    page = writable.get("/resource?iri=" + urllib.parse.quote("https://example.org/x"), Accept="text/html")
    assert "https://example.org/graph/gsp" in page.text and "SHA-256" in page.text
    bad = writable.request("PUT", graph, data=b"<x> <y> .", headers={**auth, "Content-Type": "text/turtle"})
    assert bad.status == 400 and "line" in bad.text
    assert writable.request("PUT", graph, data=body, headers={**auth, "Content-Type": "image/png"}).status == 415
    assert writable.request("DELETE", graph, headers=auth).status == 204
    assert writable.request("GET", graph, headers=auth).status == 404
    assert b"false" in writable.query('ASK { ?s ?p "GSP two"@en }').body


# ------------------------------------------------------------------------- linked-data pages
@pytest.mark.parametrize("path", [
    "/resources/ce-d9d345a0-00ea-5cec-aaff-69c80e1f2bcc",
    "/resource?iri=" + urllib.parse.quote(MICRO_ITS, safe=""),
])
def test_resource_page_negotiates(server, path):
    html = server.get(path, Accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
    assert html.status == 200 and html.header("content-type").startswith("text/html")
    assert "IT Support Fundamentals Micro-Credential" in html.text
    assert "Riverbend Community College" in html.text          # a neighbour's label, linked
    assert 'href="/resources/ce-f123fccb-f64a-530a-a209-8842069fb6cd"' in html.text
    assert "it-stack.ttl" in html.text                          # provenance: graph and origin
    assert "loaded at" in html.text and "SHA-256" in html.text  # ... and when, and which bytes
    for accept, fmt in (("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD),
                        ("application/n-triples", ox.RdfFormat.N_TRIPLES), ("application/rdf+xml", ox.RdfFormat.RDF_XML)):
        r = server.get(path, Accept=accept)
        assert r.status == 200 and r.header("content-type").startswith(accept)
        triples = list(ox.parse(r.body, fmt))
        assert any(t.subject == ox.NamedNode(MICRO_ITS) and t.predicate.value == CETERMS + "name" for t in triples)
        # condition profiles (blank nodes) come along
        assert any(isinstance(t.subject, ox.BlankNode) for t in triples)
    assert "rel=\"alternate\"" in server.get(path, Accept="text/turtle").header("link")


def test_our_own_iris_and_incoming_links(server):
    r = server.get("/id/topic/non-degree-credentials", Accept="text/html")
    assert r.status == 200 and "Non-degree credentials" in r.text
    assert "Linked from" in r.text and "National Skills Coalition" in r.text
    assert server.get("/id/topic/non-degree-credentials?format=turtle").header("content-type").startswith("text/turtle")


def test_unknown_resources_are_404(server):
    assert server.get("/id/topic/no-such-topic", Accept="text/html").status == 404
    assert server.get("/resources/ce-00000000-0000-0000-0000-000000000000", Accept="text/html").status == 404
    assert server.get("/resources/not-a-ctid").status == 404
    assert server.get("/resource?iri=not%20an%20iri", Accept="text/html").status == 400
    assert server.get("/no/such/page", Accept="text/html").status == 404


def test_values_from_data_are_escaped(server):
    r = server.get(f"/resources/{XSS_CTID}", Accept="text/html")
    assert r.status == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert 'href="javascript:' not in r.text                   # a javascript: IRI is shown, never linked
    search = server.get("/search?q=" + urllib.parse.quote("<script>"), Accept="text/html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in search.text and "<script>alert" not in search.text


def test_security_headers_and_no_cors_unless_asked(server):
    r = server.get("/", Origin="https://elsewhere.example")
    assert "script-src 'self'" in r.header("content-security-policy")
    assert r.header("x-content-type-options") == "nosniff"
    assert r.header("access-control-allow-origin") is None


def test_cors_when_asked(demo_template, tmp_path):
    s = Server(copy_store(demo_template, tmp_path / "store"), "--cors", "https://notebook.example")
    try:
        r = s.request("GET", "/sparql?query=ASK%7B%7D", headers={"Origin": "https://notebook.example"})
        assert r.header("access-control-allow-origin") == "https://notebook.example"
        r = s.request("GET", "/sparql?query=ASK%7B%7D", headers={"Origin": "https://evil.example"})
        assert r.header("access-control-allow-origin") is None
    finally:
        s.stop()


# ------------------------------------------------------------------------- search, map, query page
def test_search_names_alt_labels_and_descriptions(server):
    def hits(q, **extra):
        r = server.get("/api/search?" + urllib.parse.urlencode({"q": q, **extra}))
        assert r.status == 200
        return json.loads(r.body)["hits"]

    by_name = hits("riverbend community")
    assert by_name[0]["id"] == RIVERBEND and by_name[0]["matched"] == "name"
    assert hits("RIVERBEND COMMUNITY")[0]["id"] == RIVERBEND              # any case
    alt = hits("NDCs")
    assert alt[0]["id"] == TOPIC_NDC and alt[0]["matched"] == "other name"
    described = hits("help-desk practice")
    assert MICRO_ITS in [h["id"] for h in described] and described[0]["matched"] == "description"
    assert all(h["kind"] == "organization" for h in hits("riverbend", kind="organization"))
    assert hits("zzzz-nothing-matches") == []
    assert hits('") } UNION { ?s ?p ?o } #') == []                        # the text is a value, not SPARQL


def test_map_api_groups_and_caps_a_hub(server):
    data = json.loads(server.get("/api/map?iri=" + urllib.parse.quote(HUB, safe="")).body)
    assert data["center"]["label"] == "Hub Test Organization" and data["center"]["kind"] == "organization"
    offers = next(g for g in data["groups"] if g["key"] == "offers:out")
    assert offers["total"] == HUB_SIZE and offers["shown"] == 12 and len(data["nodes"]) == 12
    assert {e["from"] for e in data["edges"]} == {HUB}
    more = json.loads(server.get("/api/map?more=offers:out&iri=" + urllib.parse.quote(HUB, safe="")).body)
    assert len(more["nodes"]) == HUB_SIZE and all(n["kind"] == "credential" for n in more["nodes"])


def test_map_api_filters(server):
    base = "/api/map?iri=" + urllib.parse.quote(TOPIC_NDC, safe="")
    everything = json.loads(server.get(base).body)
    relations = {g["relation"] for g in everything["groups"]}
    assert {"defines", "about", "broader", "seealso"} <= relations
    only = json.loads(server.get(base + "&relations=defines").body)
    assert {g["relation"] for g in only["groups"]} == {"defines"}
    assert {n["kind"] for n in only["nodes"]} == {"organization"}
    topics = json.loads(server.get(base + "&kinds=topic").body)
    assert {n["kind"] for n in topics["nodes"]} == {"topic"}
    bad = server.get(base + "&relations=nonsense")
    assert bad.status == 400 and "unknown relation" in json.loads(bad.body)["error"]


def test_map_around_a_credential_follows_condition_profiles(server):
    data = json.loads(server.get("/api/map?iri=" + urllib.parse.quote(MICRO_ITS, safe="")).body)
    keys = {g["key"] for g in data["groups"]}
    assert {"offers:in", "stacks:out", "prepares:in"} <= keys
    prepared = next(g for g in data["groups"] if g["key"] == "prepares:in")
    labels = {n["label"] for n in data["nodes"] if n["id"] in prepared["nodes"]}
    assert "Linux Command Line Essentials Digital Badge" in labels


def test_home_browse_and_static_assets(server):
    home = server.get("/", Accept="text/html")
    assert home.status == 200 and "Non-degree credentials" in home.text
    pages = [server.get(f"/browse?kind=credential&page={n}", Accept="text/html").text for n in (1, 2)]
    assert f"({42 + HUB_SIZE + 1})" in pages[0]                   # data/ has 42 credentials; fixtures add the rest
    assert "IT Support Fundamentals Micro-Credential" in "".join(pages)
    js = server.get("/static/vendor/vis-network.min.js")
    assert js.status == 200 and b"vis-network" in js.body[:400]
    assert server.get("/static/map.js").status == 200
    page = server.get("/map?iri=" + urllib.parse.quote(TOPIC_NDC, safe=""), Accept="text/html")
    assert '<script src="/static/vendor/vis-network.min.js">' in page.text
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]*)"', page.text)
    assert assets and all(a.startswith("/static/") for a in assets)   # no CDN: every asset is served here


def test_free_query_on_the_query_page(server):
    r = server.get("/queries?" + urllib.parse.urlencode({"sparql": CERTS}), Accept="text/html")
    assert r.status == 200 and "5 rows" in r.text and 'id="csv"' in r.text
    csv_link = r.text.split('id="csv" href="')[1].split('"')[0].replace("&amp;", "&")
    download = server.get(csv_link)
    assert download.header("content-type").startswith("text/csv")
    assert download.text.splitlines()[0] == "c,name" and len(download.text.splitlines()) == 6
    bad = server.get("/queries?sparql=SELECT", Accept="text/html")
    assert bad.status == 400 and "syntax error" in bad.text


# ------------------------------------------------------------------------- limits
def test_result_size_limit(demo_template, tmp_path):
    s = Server(copy_store(demo_template, tmp_path / "store"), "--max-results", "3")
    try:
        r = s.query(CERTS)
        assert r.status == 503 and r.header("credgraph-limit") == "results" and "more than 3" in r.text
        assert s.query(CERTS + " LIMIT 3").status == 200
        assert s.query(CONSTRUCT, accept="text/turtle").status == 503
    finally:
        s.stop()


def chain_store(path, nodes: int = 3000):
    """A cycle with random chords: `?a :p* ?b` over it takes far longer than the test's limit."""
    import random

    from credgraph.load import load_bytes
    from credgraph.store import open_store

    rng = random.Random(7)
    ex = "http://ex.org/"
    lines = [f"<{ex}n{i}> <{ex}p> <{ex}n{(i + 1) % nodes}> ." for i in range(nodes)]
    lines += [f"<{ex}n{rng.randrange(nodes)}> <{ex}p> <{ex}n{rng.randrange(nodes)}> ." for _ in range(nodes)]
    store = open_store(path)
    load_bytes(store, "\n".join(lines).encode(), fmt="ntriples", graph="https://example.org/chain")
    store.close()
    return path


@pytest.mark.slow
def test_a_pathological_query_is_stopped_while_others_still_answer(tmp_path):
    s = Server(chain_store(tmp_path / "store"), "--query-timeout", "2", "--workers", "2")
    try:
        outcome = {}

        def pathological():
            outcome["r"] = s.query("SELECT ?a ?b WHERE { ?a <http://ex.org/p>* ?b }")

        thread = threading.Thread(target=pathological)
        thread.start()
        answered = []
        while thread.is_alive():
            r = s.query("SELECT (COUNT(*) AS ?n) WHERE { <http://ex.org/n1> ?p ?o }")
            answered.append(r.status)
        thread.join()
        r = outcome["r"]
        assert r.status == 503 and r.header("credgraph-limit") == "timeout" and "2 s" in r.text
        assert answered and set(answered) == {200}             # the other client was never refused
        # the killed worker was replaced: the pool still answers, and the worker count holds
        for _ in range(4):
            assert s.query("ASK { ?s ?p ?o }").status == 200
        assert "worker" in s.log.read_text() and "killed" in s.log.read_text()
    finally:
        s.stop()


def test_thread_runner_abandons_a_late_streaming_query():
    """With an in-memory store (no worker processes), a late query stops at its next row."""
    import asyncio

    from credgraph.web.protocol import Job
    from credgraph.web.runner import ThreadRunner

    store = ox.Store()
    store.extend([ox.Quad(ox.NamedNode(f"http://ex.org/s{i}"), ox.NamedNode("http://ex.org/p"),
                          ox.Literal(str(i)), ox.NamedNode("http://ex.org/g")) for i in range(300)])
    runner = ThreadRunner(store, workers=1)

    async def scenario():
        await runner.start()
        # 300^4 = 8.1 billion rows: hours of work unless the runner stops it
        job = Job("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", accept="text/csv",
                  max_results=10**12)
        first = await runner.run(job, timeout=0.5)
        second = await runner.run(Job("ASK { ?s ?p ?o }", accept="text/csv"), timeout=30)
        return first, second

    first, second = asyncio.run(scenario())
    assert first.status == 503 and first.headers["Credgraph-Limit"] == "timeout"
    # the runner's only thread was released (else: 503 "busy" after 30 s)
    assert second.status == 200 and second.body.endswith(b"true\r\n")


def _catalog_pick(predicate):
    from credgraph.catalog import catalog

    found = sorted((q for q in catalog().values() if predicate(q)), key=lambda q: (len(q.params), q.name))
    if not found:
        pytest.skip("the catalog has no query of that shape")
    return found[0]


def test_canned_query_runs_and_downloads_as_csv(server):
    from credgraph.catalog import projected_variables

    chosen = _catalog_pick(lambda q: not any(p.required for p in q.params) and projected_variables(q.text))
    page = server.get("/queries?" + urllib.parse.urlencode({"name": chosen.name, "run": "1"}), Accept="text/html")
    assert page.status == 200, page.text
    assert 'id="results"' in page.text and 'id="query-error"' not in page.text
    download = server.get("/queries/csv?" + urllib.parse.urlencode({"name": chosen.name}))
    assert download.status == 200 and download.header("content-type").startswith("text/csv")
    assert download.header("content-disposition") == f'attachment; filename="{chosen.name.replace("/", "-")}.csv"'
    assert next(csv.reader(io.StringIO(download.text))) == projected_variables(chosen.text)


@pytest.mark.parametrize("value,words", [
    ('ce-x" } UNION { ?s ?p ?o } #', "expects"),
    ("ce-00000000-0000-4000-8000-000000000000", "no resource has ceterms:ctid"),
])
def test_canned_query_parameters_are_checked_values(server, value, words):
    chosen = _catalog_pick(lambda q: any(p.required and p.type == "ctid" and not p.is_list for p in q.params))
    param = next(p for p in chosen.params if p.required and p.type == "ctid")
    args = {"name": chosen.name, "run": "1", "p." + param.name: value}
    page = server.get("/queries?" + urllib.parse.urlencode(args), Accept="text/html")
    assert page.status == 400 and 'id="query-error"' in page.text
    assert words in page.text and param.name in page.text
    assert server.get("/queries?name=no/such-query", Accept="text/html").status == 404


def test_credgraphs_own_remote_client_works_against_the_server(writable, certifications):
    """`/query` beside `/update` and `/store` (Oxigraph's layout): credgraph.remote finds all three."""
    from credgraph.errors import EndpointError
    from credgraph.remote import Endpoint

    endpoint = Endpoint(writable.url + "/query", token=TOKEN)
    result = endpoint.query(CERTS)
    assert [(r["c"].value, r["name"].value) for r in result.rows] == certifications
    assert len(endpoint.query(CONSTRUCT).triples) == 5
    endpoint.update('INSERT DATA { GRAPH <urn:test:remote> { <urn:test:r> <urn:test:p> "remote" } }')
    assert endpoint.query('ASK { <urn:test:r> ?p "remote" }').boolean is True
    endpoint.put_graph("urn:test:remote", b'<urn:test:r> <urn:test:p> "replaced" .\n')
    assert endpoint.query('ASK { <urn:test:r> ?p "remote" }').boolean is False
    assert endpoint.query('ASK { <urn:test:r> ?p "replaced" }').boolean is True
    with pytest.raises(EndpointError, match="401"):
        Endpoint(writable.url + "/query", token="wrong-token-000000000").update("CLEAR GRAPH <urn:test:remote>")


# --------------------------------------------------------------------------- query workers
def _run_worker(path, jobs, monkeypatch):
    """worker_main in this process (as a worker process runs it): its replies to ``jobs``."""
    from multiprocessing import Pipe

    from credgraph.web import runner

    monkeypatch.setattr(runner.signal, "signal", lambda *args: None)  # not this test process's ^C
    ours, theirs = Pipe()
    for job in [*jobs, None]:
        ours.send(job)
    runner.worker_main(str(path), theirs)
    assert ours.recv() == "ready"
    return [ours.recv() for _ in jobs]


@pytest.mark.parametrize("failures, status", [(1, 200), (99, 500)])
def test_a_query_worker_reopens_the_store_when_a_read_fails(tmp_path, monkeypatch, failures, status):
    """The server's compaction may delete files a worker's read-only handle still reads: the worker
    reopens the store and runs the query again, and answers 500 only when that keeps failing."""
    from credgraph.load import load_bytes
    from credgraph.store import open_store
    from credgraph.web import protocol, runner

    store = open_store(tmp_path / "s")
    load_bytes(store, b"<https://ex.org/a> <https://ex.org/p> 'x' .", fmt="turtle")
    store.flush()
    opened, calls = [], []
    real_open, real_execute = ox.Store.read_only, runner.execute
    monkeypatch.setattr(ox.Store, "read_only", lambda path: opened.append(path) or real_open(path))

    def flaky(store_handle, job, raise_storage=False):
        calls.append(raise_storage)
        if len(calls) <= failures:
            raise protocol.StorageError("IO error: No such file or directory: While open a file: 000042.sst")
        return real_execute(store_handle, job, raise_storage=raise_storage)

    monkeypatch.setattr(runner, "execute", flaky)
    [reply] = _run_worker(tmp_path / "s", [protocol.Job("SELECT ?o WHERE { ?s ?p ?o }", format="json")], monkeypatch)
    assert reply.status == status
    if status == 200:
        assert json.loads(reply.body)["results"]["bindings"][0]["o"]["value"] == "x"
        assert len(opened) == 2 and len(calls) == 2
    else:
        assert b"query worker could not read the store" in reply.body and b"000042.sst" in reply.body
        assert len(opened) == len(calls) == runner.STORAGE_ATTEMPTS


def test_the_server_keeps_slow_answers_until_the_store_changes(demo_template, tmp_path):
    """With --keep-after 0 every answer counts as slow: the second ask is the kept answer (same
    bytes, a Credgraph-Kept header), an update forgets it and the server asks it again by itself,
    a canned query is kept too."""
    auth = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/sparql-update"}
    s = Server(copy_store(demo_template, tmp_path / "store"), "--keep-after", "0", env={"CREDGRAPH_TOKEN": TOKEN})
    try:
        first, again = s.query(CERTS, accept="text/csv"), s.query(CERTS, accept="text/csv")
        assert first.status == again.status == 200 and first.header("credgraph-kept") is None
        assert again.header("credgraph-kept") and again.body == first.body
        assert s.query(CERTS, accept=SRJ).header("credgraph-kept")  # kept as results, given in any format
        insert = (f"INSERT DATA {{ GRAPH <urn:test:g> {{ <urn:test:c> a <{CETERMS}Certification> ; "
                  f"<{CETERMS}name> \"Kept-answer test\" }} }}")
        assert s.request("POST", "/update", data=insert.encode(), headers=auth).status == 204
        # the server asks its kept questions again after the change, in the background
        deadline = time.monotonic() + 60
        while "asked 1 kept question(s) again" not in s.log.read_text(errors="replace"):
            assert time.monotonic() < deadline, s.log.read_text(errors="replace")[-2000:]
            time.sleep(0.1)
        after = s.query(CERTS, accept="text/csv")
        assert after.header("credgraph-kept") and b"Kept-answer test" in after.body
        page = "/queries/csv?" + urllib.parse.urlencode({"name": "landscape/credentials-by-type"})
        assert s.get(page).header("credgraph-kept") is None
        kept = s.get(page)
        assert kept.status == 200 and kept.header("credgraph-kept") and b"Certification" in kept.body
    finally:
        s.stop()
    s = Server(copy_store(demo_template, tmp_path / "store2"), "--keep-after", "-1")
    try:
        assert s.query(CERTS).status == 200 and s.query(CERTS).header("credgraph-kept") is None
    finally:
        s.stop()
