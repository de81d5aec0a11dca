"""Remote SPARQL 1.1 endpoints: queries through SPARQLWrapper, data pushed by Graph Store Protocol or Update.

Results come back as :class:`credgraph.results.Result`, the same type the embedded store gives,
so both print byte-identical tables, CSV, TSV and SPARQL JSON. Parameters of canned queries are
bound with a VALUES block (see :func:`credgraph.catalog.with_values`).

>>> endpoint = Endpoint("http://127.0.0.1:7878/query")
>>> endpoint.update_url, endpoint.store_url
('http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
"""

from __future__ import annotations

import base64
import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from credgraph.errors import EndpointError, QueryError, UsageError
from credgraph.results import Result, term_from_json

#: Environment variables read when a password or token is not given on the command line.
PASSWORD_ENV = "CREDGRAPH_ENDPOINT_PASSWORD"
TOKEN_ENV = "CREDGRAPH_ENDPOINT_TOKEN"
USER_AGENT = "credgraph (SPARQLWrapper)"


def _sibling(url: str, name: str) -> str | None:
    """Oxigraph's layout: ``.../query`` beside ``.../update`` and ``.../store``."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")
    if not path.endswith("/query"):
        return None
    return urllib.parse.urlunsplit(parts._replace(path=path[: -len("query")] + name, query=""))


class Endpoint:
    """A SPARQL 1.1 endpoint: query URL, optional Update and Graph Store URLs, auth and timeout.

    ``update_url`` and ``store_url`` default to Oxigraph's layout (``/update`` and ``/store``
    beside a URL ending in ``/query``). Basic auth (``user``/``password``) or a bearer
    ``token``; ``timeout`` in seconds applies to every request.
    """

    def __init__(self, url: str, *, user: str | None = None, password: str | None = None,
                 token: str | None = None, timeout: float | None = None,
                 update_url: str | None = None, store_url: str | None = None):
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"endpoint URL must start with http:// or https://, got {url!r}",
                             fix="e.g. --endpoint http://localhost:7878/query")
        if user and token:
            raise UsageError("give either --user/--password (basic auth) or --token (bearer), not both")
        if user and password is None:
            password = os.environ.get(PASSWORD_ENV)
            if password is None:
                raise UsageError(f"--user needs a password: give --password or set {PASSWORD_ENV}")
        if timeout is not None and timeout <= 0:
            raise UsageError(f"--timeout must be a positive number of seconds, got {timeout}")
        self.url = url
        self.user, self.password, self.token, self.timeout = user, password, token, timeout
        self.update_url = update_url or _sibling(url, "update")
        self.store_url = store_url or _sibling(url, "store")

    def __repr__(self) -> str:
        return f"Endpoint({self.url!r})"

    # ------------------------------------------------------------------ requests
    def _headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.user:
            secret = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return {"Authorization": f"Basic {secret}"}
        return {}

    def _wrapper(self, url: str):
        from SPARQLWrapper import POST, SPARQLWrapper

        sparql = SPARQLWrapper(url, updateEndpoint=url, agent=USER_AGENT)
        sparql.setMethod(POST)
        sparql.setOnlyConneg(True)
        for name, value in self._headers().items():
            sparql.addCustomHttpHeader(name, value)
        if self.timeout:
            sparql.setTimeout(max(1, int(self.timeout)))
            sparql.timeout = self.timeout  # setTimeout() truncates to whole seconds (0.5 -> 0 = none)
        return sparql

    def query(self, text: str) -> Result:
        """Run one SPARQL query; SELECT/ASK come back as JSON, CONSTRUCT/DESCRIBE as N-Triples.

        Comments are removed first: SPARQLWrapper guesses the query form from the first keyword it
        sees and would take a comment's "add" or "load" for an update.
        """
        from SPARQLWrapper import JSON, TURTLE

        from credgraph.catalog import strip_comments

        sparql = self._wrapper(self.url)
        sparql.setQuery(strip_comments(text))
        graph = sparql.queryType in ("CONSTRUCT", "DESCRIBE")
        sparql.setReturnFormat(TURTLE if graph else JSON)
        if graph:
            sparql.addCustomHttpHeader("Accept", "application/n-triples")
        body = self._call(lambda: sparql.query().response.read(), "query")
        if graph:
            try:
                return Result(triples=list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES)))
            except SyntaxError as exc:
                raise EndpointError(f"endpoint {self.url} sent a graph that does not parse: {exc}") from None
        return result_from_json(body, self.url)

    def run(self, text: str, bindings: dict | None = None) -> Result:
        """Run a query with parameters bound by a VALUES block (the catalog's target interface)."""
        from credgraph.catalog import with_values

        return self.query(with_values(text, bindings or {}))

    def resolve_ctid(self, ctid: str, error) -> ox.NamedNode:
        from credgraph.catalog import resolve_ctid

        return resolve_ctid(self, ctid, error)

    def update(self, text: str) -> None:
        """Apply a SPARQL 1.1 Update at the update URL."""
        if not self.update_url:
            raise UsageError(f"no SPARQL Update URL known for {self.url}",
                             fix="give the update endpoint's URL (e.g. --update-endpoint URL)")
        sparql = self._wrapper(self.update_url)
        sparql.setQuery(text)
        self._call(lambda: sparql.query().response.read(), "update", url=self.update_url)

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace one named graph through the Graph Store Protocol (HTTP PUT ``?graph=``)."""
        if not self.store_url:
            raise UsageError(f"no Graph Store Protocol URL known for {self.url}",
                             fix="give the graph store's URL (e.g. --store-endpoint URL), or push by SPARQL Update")
        url = f"{self.store_url}?{urllib.parse.urlencode({'graph': graph})}"
        request = urllib.request.Request(url, data=ntriples, method="PUT",
                                         headers={"Content-Type": "application/n-triples",
                                                  "User-Agent": USER_AGENT, **self._headers()})

        def send():
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (http(s) only)
                return response.read()

        self._call(send, "graph store request", url=self.store_url)

    def _call(self, action, what: str, url: str | None = None):
        """Run a request, turning transport and HTTP failures into one-line errors."""
        from SPARQLWrapper.SPARQLExceptions import (EndPointInternalError, EndPointNotFound,
                                                    QueryBadFormed, SPARQLWrapperException,
                                                    Unauthorized, URITooLong)

        url = url or self.url
        try:
            return action()
        except QueryBadFormed as exc:
            raise QueryError(f"endpoint {url} rejected the {what}: {_first_line(exc)}",
                             fix="correct the query (SPARQL 1.1 syntax)") from None
        except Unauthorized:
            raise EndpointError(f"endpoint {url} refused the credentials (HTTP 401)",
                                fix="check --user/--password or --token") from None
        except EndPointNotFound:
            raise EndpointError(f"no SPARQL endpoint at {url} (HTTP 404)", fix="check the URL") from None
        except (EndPointInternalError, URITooLong, SPARQLWrapperException) as exc:
            raise EndpointError(f"endpoint {url} failed the {what}: {_first_line(exc)}") from None
        except urllib.error.HTTPError as exc:
            detail = _first_line(exc.read().decode("utf-8", "replace")) if exc.fp else exc.reason
            if exc.code in (401, 403):
                raise EndpointError(f"endpoint {url} refused the credentials (HTTP {exc.code})",
                                    fix="check --user/--password or --token") from None
            raise EndpointError(f"endpoint {url} answered HTTP {exc.code} to the {what}: {detail}") from None
        except (TimeoutError, socket.timeout):
            raise EndpointError(f"endpoint {url} did not answer within {self.timeout} s",
                                fix="raise --timeout or simplify the query") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise EndpointError(f"endpoint {url} did not answer within {self.timeout} s",
                                    fix="raise --timeout or simplify the query") from None
            raise EndpointError(f"cannot reach SPARQL endpoint {url}: {exc.reason}",
                                fix="check the URL and that the server is running") from None
        except (ConnectionError, OSError) as exc:
            raise EndpointError(f"cannot reach SPARQL endpoint {url}: {exc}",
                                fix="check the URL and that the server is running") from None


def _first_line(exc) -> str:
    text = str(exc).strip()
    for marker in ("Response:\n", "Response:"):
        if marker in text:
            text = text.split(marker, 1)[1].strip()
    if text[:2] in ("b'", 'b"') and text[-1:] == text[1]:
        text = text[2:-1].encode("latin-1", "replace").decode("unicode_escape", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (lines[0] if lines else text)[:300]


def result_from_json(body: bytes, url: str = "the endpoint") -> Result:
    """A :class:`Result` from SPARQL 1.1 Query Results JSON."""
    try:
        data = json.loads(body)
        if "boolean" in data:
            return Result(boolean=bool(data["boolean"]))
        variables = list(data["head"].get("vars", []))
        rows = [{k: term_from_json(v) for k, v in binding.items()} for binding in data["results"]["bindings"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise EndpointError(f"{url} did not answer with SPARQL results JSON ({type(exc).__name__}: {exc})") from None
    return Result(variables=variables, rows=rows)


# ---------------------------------------------------------------------------------------- push
@dataclass
class PushReport:
    """What :func:`push_sources` sent: triples per named graph."""

    graphs: dict[str, int] = field(default_factory=dict)
    method: str = "gsp"
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def push_sources(endpoint: Endpoint | str, store_or_files, *, method: str = "gsp",
                 graphs: Iterable[str] | None = None, graph_for=None, progress=None) -> PushReport:
    """Copy named graphs to a remote endpoint, replacing graphs of the same name there.

    ``store_or_files`` is a credgraph store (every named graph is pushed, the metadata graph
    included, so the endpoint's union default graph answers like the embedded store) or a list
    of files and folders (read with :func:`credgraph.load.load` into a throwaway store first,
    with the same graph names and format rules as ``credgraph load``; ``graph_for`` as there).
    ``method`` is ``"gsp"`` (Graph Store Protocol PUT, one request per graph) or ``"update"``
    (``DROP SILENT GRAPH`` + ``INSERT DATA``, one request per graph so blank nodes stay whole).
    ``graphs`` limits the push to some graph names. ``progress(graph, triples)`` is called after
    each graph.
    """
    from credgraph.store import Store, open_store

    if method not in ("gsp", "update"):
        raise UsageError(f"unknown push method {method!r}", fix="use gsp or update")
    if isinstance(endpoint, str):
        endpoint = Endpoint(endpoint)
    if isinstance(store_or_files, Store):
        store = store_or_files
    else:
        from credgraph.load import load

        files = [store_or_files] if isinstance(store_or_files, (str, Path)) else list(store_or_files)
        store = open_store(":memory:")
        report = load(store, [Path(f) for f in files], graph_for=graph_for)
        if report.errors():
            raise report.errors()[0][1]
    wanted = set(graphs) if graphs is not None else None
    names = sorted(g.value for g in store.inner.named_graphs()
                   if isinstance(g, ox.NamedNode) and (wanted is None or g.value in wanted))
    out = PushReport(method=method)
    for name in names:
        triples = [q.triple for q in store.inner.quads_for_pattern(None, None, None, ox.NamedNode(name))]
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        if method == "gsp":
            endpoint.put_graph(name, body)
        else:
            graph = str(ox.NamedNode(name))
            endpoint.update(f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n"
                            f"{body.decode('utf-8')}}} }}")
        out.graphs[name] = len(triples)
        if progress:
            progress(name, len(triples))
    return out
