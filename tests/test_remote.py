"""Remote parity: the whole query manifest on a real Oxigraph server answers like the embedded store.

The server is `oxigraph serve` from the PyPI package `oxigraph` (a test extra), started on a free
loopback port with --union-default-graph (the embedded store's default graph is the union of its
graphs too). Data reaches it only through credgraph.remote.push_sources. Authentication and
timeouts are checked against a small local HTTP server that records what it receives.
"""

from __future__ import annotations

import base64
import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from test_queries_manifest import CASES, DEFAULT_DATA, compare, run_embedded, store_for

from credgraph.errors import EndpointError, QueryError
from credgraph.remote import Endpoint, push_sources


def oxigraph_binary() -> Path | None:
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.exists():
        return beside
    found = shutil.which("oxigraph")
    return Path(found) if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxigraphServer:
    """`oxigraph serve` on a free loopback port, stopped by its own process id."""

    def __init__(self, location: Path):
        binary = oxigraph_binary()
        for _attempt in range(3):
            self.port = free_port()
            self.process = subprocess.Popen(
                [str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}",
                 "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if self._ready():
                return
            self.stop()
        raise RuntimeError("oxigraph serve did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    def _ready(self, seconds: float = 15.0) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


needs_oxigraph = pytest.mark.skipif(oxigraph_binary() is None,
                                    reason="the `oxigraph` binary is absent (pip install -e '.[test]' provides it)")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """One server per data set of the manifest, filled through the Graph Store Protocol push."""
    started: dict[tuple, Endpoint] = {}
    processes = []

    def endpoint_for(data: tuple[str, ...]) -> Endpoint:
        if data not in started:
            server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
            processes.append(server)
            endpoint = Endpoint(server.url, timeout=60)
            report = push_sources(endpoint, store_for(data), method="gsp")
            assert report.triples == store_for(data).inner.__len__()
            started[data] = endpoint
        return started[data]

    yield endpoint_for
    for server in processes:
        server.stop()


def run_remote(case, endpoint):
    from credgraph.catalog import get_query

    query = get_query(case.query)
    return endpoint.run(query.text, query.bind(case.params, resolver=endpoint.resolve_ctid))


# ---------------------------------------------------------------------------------------- parity
@needs_oxigraph
@pytest.mark.parametrize("case", CASES, ids=str)
def test_manifest_case_answers_remotely_exactly_as_embedded(servers, case):
    endpoint = servers(case.data)
    remote = run_remote(case, endpoint)
    problem = compare(case, remote)
    assert problem is None, "remote: " + str(problem)
    embedded = run_embedded(case, store_for(case.data))
    assert remote.variables == embedded.variables
    assert remote.rows == embedded.rows, "same rows in the same order"
    assert remote.to_csv() == embedded.to_csv() and remote.to_json() == embedded.to_json()


@needs_oxigraph
def test_cli_prints_byte_identical_output_for_store_and_endpoint(servers, cli, tmp_path):
    from credgraph.demo import build
    from credgraph.store import open_store

    store_path = tmp_path / "store"
    store = open_store(store_path)
    build(store)
    store.close()
    endpoint = servers(DEFAULT_DATA)
    args = ("query", "stackability/ladders", "--param", "start=ce-f449a794-5a0d-59f0-ac69-e9c9f7f007a7")
    for fmt in ("table", "csv", "tsv", "json"):
        local = cli(*args, "--format", fmt, "--store", store_path)
        remote = cli(*args, "--format", fmt, "--endpoint", endpoint.url)
        assert local.code == remote.code == 0, remote.err
        assert local.out == remote.out and local.out


@needs_oxigraph
def test_push_by_sparql_update_from_files_gives_the_same_answers(tmp_path):
    server = OxigraphServer(tmp_path / "db")
    try:
        endpoint = Endpoint(server.url)
        report = push_sources(endpoint, [ROOT / "ontology", ROOT / "data"], method="update")
        assert len(report.graphs) >= 20 and report.method == "update"
        again = push_sources(endpoint, [ROOT / "ontology", ROOT / "data"], method="update")
        assert again.triples == report.triples  # a graph is replaced, not added to
        count = endpoint.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"].value
        assert int(count) == report.triples
        case = next(c for c in CASES if c.id == "coverage-cnst-aas")
        assert compare(case, run_remote(case, endpoint)) is None
    finally:
        server.stop()


@needs_oxigraph
@pytest.mark.parametrize("method", ["gsp", "update"])
def test_cli_load_endpoint_pushes_and_the_same_query_answers_the_same(tmp_path, cli, method):
    server = OxigraphServer(tmp_path / "db")
    try:
        pushed = cli("load", ROOT / "ontology", ROOT / "data", "--endpoint", server.url,
                     "--push-method", method, "--quiet")
        assert pushed.code == 0, pushed.err
        assert "pushed" in pushed.err
        assert ("Graph Store Protocol" if method == "gsp" else "SPARQL Update") in pushed.err
        local_store = tmp_path / "local"
        assert cli("load", ROOT / "ontology", ROOT / "data", "--store", local_store, "--quiet").code == 0
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!CONTAINS(STR(?g), 'meta')) }"
        args = ("query", "stackability/ladders", "--param", "start=ce-f449a794-5a0d-59f0-ac69-e9c9f7f007a7",
                "--format", "csv")
        local, remote = cli(*args, "--store", local_store), cli(*args, "--endpoint", server.url)
        assert remote.code == 0 and local.out == remote.out and local.out.count("\n") > 2
        local_n = cli("query", "--sparql", count, "--format", "csv", "--store", local_store).out
        remote_n = cli("query", "--sparql", count, "--format", "csv", "--endpoint", server.url).out
        assert local_n == remote_n
    finally:
        server.stop()


def test_cli_load_endpoint_refuses_store_too(cli, tmp_path):
    result = cli("load", ROOT / "data", "--endpoint", "http://127.0.0.1:9/query", "--store", tmp_path / "s")
    assert result.code == 2 and "either --store or --endpoint" in result.err


@needs_oxigraph
def test_remote_syntax_errors_are_query_errors(servers):
    with pytest.raises(QueryError, match="rejected the query"):
        servers(DEFAULT_DATA).query("SELECT WHERE {")


# ---------------------------------------------------------------------------------------- HTTP details
class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every POST with an ASK result, after checking credentials and an optional delay."""

    seen: list = []
    delay = 0.0
    require = None

    def do_POST(self):  # noqa: N802 (http.server naming)
        type(self).seen.append({"path": self.path, "authorization": self.headers.get("Authorization"),
                                "body": self.rfile.read(int(self.headers.get("Content-Length", 0)))})
        time.sleep(type(self).delay)
        if type(self).require and self.headers.get("Authorization") != type(self).require:
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps({"head": {}, "boolean": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that timed out and hung up is expected here


@pytest.fixture
def recorder():
    Recorder.seen, Recorder.delay, Recorder.require = [], 0.0, None
    server = QuietServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/query"
    server.shutdown()
    server.server_close()


def test_bearer_token_and_basic_auth_are_sent(recorder):
    assert Endpoint(recorder, token="s3cret").query("ASK {}").boolean is True
    assert Recorder.seen[-1]["authorization"] == "Bearer s3cret"
    Endpoint(recorder, user="ann", password="pw").query("ASK {}")
    assert Recorder.seen[-1]["authorization"] == "Basic " + base64.b64encode(b"ann:pw").decode()
    assert b"query=" in Recorder.seen[-1]["body"]  # POSTed, so long VALUES blocks fit


def test_refused_credentials_exit_2_in_one_line(recorder, cli):
    Recorder.require = "Bearer right"
    result = cli("query", "--sparql", "ASK {}", "--endpoint", recorder, "--token", "wrong")
    assert result.code == 2 and "refused the credentials" in result.err
    assert len(result.err.strip().splitlines()) == 1
    ok = cli("query", "--sparql", "ASK {}", "--endpoint", recorder, "--token", "right")
    assert ok.code == 0 and ok.out == "yes\n"


def test_a_slow_endpoint_times_out(recorder):
    Recorder.delay = 2.0
    with pytest.raises(EndpointError, match="did not answer within 0.5 s"):
        Endpoint(recorder, timeout=0.5).query("ASK {}")


def test_an_unreachable_endpoint_is_a_clear_error(cli):
    result = cli("query", "landscape/credentials-by-type", "--endpoint", f"http://127.0.0.1:{free_port()}/query")
    assert result.code == 2 and "cannot reach SPARQL endpoint" in result.err


def test_password_comes_from_the_environment(monkeypatch, recorder):
    monkeypatch.setenv("CREDGRAPH_ENDPOINT_PASSWORD", "from-env")
    Endpoint(recorder, user="ann").query("ASK {}")
    assert Recorder.seen[-1]["authorization"] == "Basic " + base64.b64encode(b"ann:from-env").decode()


def test_endpoint_urls_are_checked():
    with pytest.raises(Exception, match="must start with http"):
        Endpoint("ftp://example.org/sparql")
    assert Endpoint("https://example.org/ds/sparql").store_url is None
