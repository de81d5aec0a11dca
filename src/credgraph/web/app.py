"""The ASGI application behind ``credgraph serve``.

Routes (see docs/serve.md):

* ``/sparql`` (and ``/query``, Oxigraph's name) — SPARQL 1.1 Protocol, queries only (GET, POST
  form, POST direct);
* ``/update`` and ``/store`` — SPARQL Update and the Graph Store Protocol, present only when the
  server has a token, and answering only requests that carry it (``Authorization: Bearer``);
* ``/resource?iri=``, ``/id/...``, ``/resources/ce-...`` — linked-data pages, HTML or RDF by Accept;
* ``/queries`` — the canned catalog and a free SPARQL editor; ``/search``; ``/map`` and ``/api/map``;
* ``/browse?kind=`` — resources of one kind; ``/health``.

User SPARQL goes through a query runner (worker processes that are killed at their deadline, see
:mod:`credgraph.web.runner`). Pages read the store directly in threads: their queries are
bounded by construction (one resource, one centre, capped groups).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import importlib.util
import json
import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from credgraph import ids
from credgraph.answers import KEEP_AFTER
from credgraph.errors import CredgraphError, UsageError
from credgraph.web import protocol
from credgraph.web.describe import Describer, concise_description
from credgraph.web.protocol import GRAPH_FORMATS, TABLE_FORMATS, Job, Reply, negotiate, text_reply
from credgraph.web.relmap import DEFAULT_LIMIT, map_data
from credgraph.web.runner import make_runner
from credgraph.web.search import search
from credgraph.web.view import GraphView, accept_languages, page_url, short_iri

log = logging.getLogger("credgraph.serve")
HERE = Path(__file__).parent
FORM = "application/x-www-form-urlencoded"
HTML_OFFER = {"html": ("text/html", ("application/xhtml+xml",))}
PAGE_ROWS = 1000      # rows a results table shows (CSV download has them all)
BROWSE_MAX = 5000     # resources of one kind listed (sorted by label)

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                                "frame-ancestors 'none'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@dataclass
class Settings:
    """How the server behaves; ``credgraph serve`` fills it from its options."""

    token: str | None = None
    cors: list[str] = field(default_factory=list)
    query_timeout: float = 30.0
    max_results: int = 10_000
    max_body: int = 10 * 1024 * 1024
    workers: int | None = None
    keep_after: float | None = KEEP_AFTER  # keep answers that took this long (credgraph.answers); None: never


class BodyTooLarge(Exception):
    pass


# ---------------------------------------------------------------------------------- assets
def vendor_file(name: str) -> Path | None:
    """A file of the vis-network release bundled in the ``pyvis`` package (newest version)."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        return None
    lib = Path(list(spec.submodule_search_locations)[0]) / "lib"
    candidates = sorted(lib.glob(f"vis-*/{name}"),
                        key=lambda p: tuple(int(x) for x in p.parent.name[4:].split(".") if x.isdigit()))
    return candidates[-1] if candidates else None


VENDOR = ("vis-network.min.js", "vis-network.css")


# ---------------------------------------------------------------------------------- the app
class CredgraphApp:
    """State shared by the handlers: store, view, runner, settings, templates."""

    def __init__(self, store, settings: Settings, catalog=None):
        self.store = store
        self.settings = settings
        self.view = GraphView(store.inner)
        self.runner = make_runner(store, settings.workers)
        self.write_lock = asyncio.Lock()
        self.cache: dict[tuple, object] = {}
        self.kept_jobs: dict[str, Job] = {}  # questions whose answers this server kept: asked again after a change
        self.warming: asyncio.Task | None = None
        self._catalog = catalog
        self.token_digest = hashlib.sha256(settings.token.encode()).digest() if settings.token else None
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"),
                               autoescape=select_autoescape(["html"], default_for_string=True, default=True))
        self.env.globals.update(page_url=page_url, short_iri=short_iri, has_token=bool(settings.token))

    def catalog(self) -> dict:
        if self._catalog is not None:
            return self._catalog() if callable(self._catalog) else self._catalog
        from credgraph.catalog import catalog

        return catalog()

    # ------------------------------------------------------------------ rendering
    def render(self, request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        html = self.env.get_template(template).render(request=request, path=request.url.path, **context)
        return HTMLResponse(html, status_code=status, headers={"Vary": "Accept"})

    def error_page(self, request: Request, status: int, message: str) -> Response:
        if prefers_html(request):
            return self.render(request, "error.html", status=status, status_code=status, message=message)
        return reply_response(text_reply(status, message))

    def authorized(self, request: Request) -> bool:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return False
        return hmac.compare_digest(hashlib.sha256(given.strip().encode()).digest(), self.token_digest)

    def unauthorized(self) -> Response:
        return Response("this operation needs the server's token: send 'Authorization: Bearer <token>'\n",
                        status_code=401, media_type="text/plain; charset=utf-8",
                        headers={"WWW-Authenticate": 'Bearer realm="credgraph"'})

    def changed(self) -> None:
        self.runner.updated()
        self.view.refresh()
        self.cache.clear()
        self._warm_later()

    #: How many questions whose answers it kept the server asks again after a change, at most.
    WARM_LIMIT = 64

    def _remember(self, job: Job) -> None:
        key = json.dumps([job.query, job.bindings], sort_keys=True)
        self.kept_jobs.pop(key, None)
        self.kept_jobs[key] = Job(job.query, format="json", bindings=job.bindings, max_results=job.max_results)
        while len(self.kept_jobs) > self.WARM_LIMIT:
            self.kept_jobs.pop(next(iter(self.kept_jobs)))

    def _warm_later(self) -> None:
        """After a change: ask again, in the background, the questions whose answers it forgot."""
        if not self.kept_jobs:
            return
        if self.warming is not None and not self.warming.done():
            self.warming.cancel()  # the runner kills a worker whose caller is gone
        self.warming = asyncio.get_running_loop().create_task(self._warm())

    async def _warm(self) -> None:
        started, answered = time.perf_counter(), 0
        for job in list(self.kept_jobs.values()):
            try:
                reply = await self.run(replace(job), self.settings.query_timeout)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 (a background task: log, go on)
                log.warning("asking a kept question again failed: %s", exc)
                continue
            answered += reply.status == 200
        log.info("asked %d kept question(s) again after a change in %.1f s", answered, time.perf_counter() - started)

    async def run(self, job: Job, timeout: float) -> Reply:
        """Run ``job`` on the runner, or give the answer the store keeps for it; a SELECT/ASK over
        the whole store that takes ``settings.keep_after`` seconds or more is kept
        (:mod:`credgraph.answers`) until the store changes."""
        from credgraph import answers

        if job.default_graphs or job.named_graphs or self.settings.keep_after is None:
            return await self.runner.run(job, timeout)
        subs = protocol.substitutions(job)
        found, ticket = await run_in_threadpool(answers.lookup, self.store, job.query, subs)
        if found is not None:
            if found.boolean is None and len(found.rows) > job.max_results:
                return protocol.limit_reply(job)  # as computing it again would, minutes later
            reply = protocol.write_table(found, job)
            reply.headers["Credgraph-Kept"] = f"{found.kept_at}; computed in {found.kept_seconds:g} s"
            self._remember(job)
            return reply
        job.keep_after = self.settings.keep_after if ticket.changes is not None else None
        started = time.perf_counter()
        reply = await self.runner.run(job, timeout)
        if reply.results is not None:
            if await run_in_threadpool(answers.keep_encoded, self.store, job.query, subs, reply.results,
                                       time.perf_counter() - started, ticket):
                self._remember(job)
            reply.results = None
        return reply

    async def cached(self, key: tuple, compute, *args):
        """``compute(*args)`` in a thread, remembered until the store changes (home page figures)."""
        if key not in self.cache:
            if len(self.cache) > 64:
                self.cache.clear()
            self.cache[key] = await run_in_threadpool(compute, *args)
        return self.cache[key]


def reply_response(reply: Reply) -> Response:
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type,
                    headers={"Vary": "Accept", **reply.headers})


def prefers_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "application/xhtml+xml" in accept


def languages(request: Request) -> list[str]:
    return accept_languages(request.headers.get("accept-language"))


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (early) anything over ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def single(values: list[str], name: str) -> str | None:
    if not values:
        return None
    if len(values) > 1:
        raise UsageError(f"the request has {len(values)} '{name}' parameters; give one")
    return values[0]


def create_app(store, settings: Settings | None = None, catalog=None) -> Starlette:
    """The Starlette application serving ``store`` (a :class:`credgraph.store.Store`)."""
    settings = settings or Settings()
    state = CredgraphApp(store, settings, catalog)

    # -------------------------------------------------------------- SPARQL protocol
    async def sparql(request: Request) -> Response:
        params = parse_qs(request.url.query, keep_blank_values=True)
        try:
            if request.method == "POST":
                kind = media_type(request)
                body = await read_body(request, settings.max_body)
                if kind == FORM:
                    form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
                    if "update" in form:
                        return update_moved()
                    for key, values in form.items():
                        params.setdefault(key, []).extend(values)
                    query = single(params.get("query", []), "query")
                elif kind == "application/sparql-query":
                    query = body.decode("utf-8")
                    if params.get("query"):
                        raise UsageError("the query is both in the body and the URL; give it once")
                elif kind == "application/sparql-update":
                    return update_moved()
                else:
                    return reply_response(text_reply(
                        415, f"unsupported Content-Type {kind or '(none)'!r}: POST a query as "
                             f"{FORM} (query=...) or as application/sparql-query"))
            else:
                if "update" in params:
                    return update_moved()
                query = single(params.get("query", []), "query")
                if query is None:
                    if prefers_html(request):
                        return RedirectResponse("/queries", status_code=303)
                    return service_description(request)
        except BodyTooLarge:
            return too_large()
        except UnicodeDecodeError:
            return reply_response(text_reply(400, "the request body is not UTF-8 text"))
        except UsageError as exc:
            return reply_response(text_reply(400, str(exc)))
        return await run_query(request, query, params)

    async def run_query(request: Request, query: str, params: dict) -> Response:
        refused = protocol.network_operations(query)
        if refused:
            return reply_response(text_reply(400, f"{', '.join(sorted(refused))} is disabled on this server: "
                                                  "it would make the server fetch from the network"))
        fmt = (params.get("format") or [None])[0]
        if fmt is not None and fmt not in TABLE_FORMATS and fmt not in GRAPH_FORMATS:
            return reply_response(text_reply(400, f"unknown format {fmt!r}; use one of "
                                                  f"{', '.join([*TABLE_FORMATS, *GRAPH_FORMATS])}"))
        accept = request.headers.get("accept")
        if fmt is None and not protocol.acceptable_at_all(accept):
            return reply_response(protocol.not_acceptable("SPARQL", {**TABLE_FORMATS, **GRAPH_FORMATS}))
        job = Job(query=query, accept=accept, format=fmt,
                  default_graphs=params.get("default-graph-uri", []),
                  named_graphs=params.get("named-graph-uri", []), max_results=settings.max_results)
        reply = await state.run(job, settings.query_timeout)
        response = reply_response(reply)
        if fmt == "csv" and "download" in params:
            response.headers["Content-Disposition"] = 'attachment; filename="results.csv"'
        return response

    def update_moved() -> Response:
        if settings.token:
            return reply_response(text_reply(405, "updates go to /update (POST, with the server's token)"))
        return reply_response(text_reply(405, "this server is read-only: SPARQL Update is not offered "
                                              "(start `credgraph serve` with --token to enable /update)"))

    def too_large() -> Response:
        return reply_response(text_reply(413, f"the request body is larger than {settings.max_body:,} bytes, "
                                              "the server's limit (--max-body)"))

    def service_description(request: Request) -> Response:
        endpoint = str(request.url.replace(query="", fragment=""))
        ttl = (f"@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n"
               f"<{endpoint}> a sd:Service ; sd:endpoint <{endpoint}> ;\n"
               "  sd:supportedLanguage sd:SPARQL11Query ;\n"
               "  sd:feature sd:UnionDefaultGraph ;\n"
               + "".join(f"  sd:resultFormat <http://www.w3.org/ns/formats/{f}> ;\n"
                         for f in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"))
               + "  .\n")
        return Response(ttl, media_type="text/turtle; charset=utf-8")

    # -------------------------------------------------------------- update + graph store
    async def update(request: Request) -> Response:
        if not state.authorized(request):
            return state.unauthorized()
        try:
            body = await read_body(request, settings.max_body)
            kind = media_type(request)
            if kind == FORM:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
                text = single(form.get("update", []), "update")
                if text is None:
                    raise UsageError("the form has no 'update' parameter")
            elif kind == "application/sparql-update":
                text = body.decode("utf-8")
            else:
                return reply_response(text_reply(415, f"unsupported Content-Type {kind or '(none)'!r}: POST "
                                                      f"an update as {FORM} (update=...) or application/sparql-update"))
        except BodyTooLarge:
            return too_large()
        except UnicodeDecodeError:
            return reply_response(text_reply(400, "the request body is not UTF-8 text"))
        except UsageError as exc:
            return reply_response(text_reply(400, str(exc)))
        refused = protocol.network_operations(text)
        if refused:
            return reply_response(text_reply(400, f"{', '.join(sorted(refused))} is disabled on this server: "
                                                  "it would make the server fetch from the network"))
        from credgraph.sparql import update_sparql

        async with state.write_lock:
            try:
                await run_in_threadpool(update_sparql, state.store, text)
            except CredgraphError as exc:
                return reply_response(text_reply(400, str(exc)))
            finally:
                state.changed()
        return Response(status_code=204)

    async def graph_store(request: Request) -> Response:
        if not state.authorized(request):
            return state.unauthorized()
        params = request.query_params
        if ("graph" in params) == ("default" in params):
            return reply_response(text_reply(400, "name the graph with ?graph=IRI (or ?default for the default graph)"))
        try:
            graph = ox.NamedNode(params["graph"]) if "graph" in params else ox.DefaultGraph()
        except ValueError as exc:
            return reply_response(text_reply(400, f"?graph is not an IRI: {exc}"))
        inner = state.store.inner
        exists = isinstance(graph, ox.DefaultGraph) or inner.contains_named_graph(graph)
        if request.method in ("GET", "HEAD"):
            if not exists:
                return reply_response(text_reply(404, f"no graph {graph}"))
            triples = await run_in_threadpool(
                lambda: [ox.Triple(q.subject, q.predicate, q.object)
                         for q in inner.quads_for_pattern(None, None, None, graph)])
            reply = protocol.write_graph(triples, Job("", accept=request.headers.get("accept")))
            return reply_response(reply) if request.method == "GET" else Response(
                status_code=reply.status, media_type=reply.media_type)
        if request.method == "DELETE":
            if not exists or isinstance(graph, ox.DefaultGraph):
                return reply_response(text_reply(404, f"no graph {graph}"))
            async with state.write_lock:
                await run_in_threadpool(drop_graph, state.store, graph)
                state.changed()
            return Response(status_code=204)
        # PUT replaces, POST adds
        if isinstance(graph, ox.DefaultGraph):
            return reply_response(text_reply(400, "credgraph keeps data in named graphs: use ?graph=IRI"))
        fmt = negotiate(media_type(request), GRAPH_FORMATS, "")
        if not fmt:
            return reply_response(text_reply(415, "send the graph as " + ", ".join(s[0] for s in GRAPH_FORMATS.values())))
        try:
            body = await read_body(request, settings.max_body)
        except BodyTooLarge:
            return too_large()
        async with state.write_lock:
            try:
                if request.method == "PUT":
                    await run_in_threadpool(put_graph, state.store, body, fmt, graph)
                else:
                    await run_in_threadpool(post_graph, state.store, body, fmt, graph)
            except CredgraphError as exc:
                return reply_response(text_reply(400, str(exc)))
            finally:
                state.changed()
        return Response(status_code=204 if exists else 201)

    # -------------------------------------------------------------- linked-data pages
    async def resource_by_param(request: Request) -> Response:
        iri = request.query_params.get("iri", "").strip()
        if not iri:
            return state.error_page(request, 400, "give the resource with ?iri=<an absolute IRI>")
        return await resource_page(request, ids.normalise_iri(iri))

    async def resource_by_id(request: Request) -> Response:
        return await resource_page(request, ids.CG_ID + request.path_params["rest"])

    async def resource_by_ctid(request: Request) -> Response:
        ctid = request.path_params["ctid"]
        if not ids.is_ctid(ctid):
            return state.error_page(request, 404, f"{ctid!r} is not a CTID (ce- and a lower-case UUID)")
        iri = await run_in_threadpool(find_ctid, state.store.inner, ctid)
        if iri is None:
            return state.error_page(request, 404, f"no resource with CTID {ctid} in this store")
        return await resource_page(request, iri)

    async def resource_page(request: Request, iri: str) -> Response:
        try:
            ox.NamedNode(iri)
        except ValueError:
            return state.error_page(request, 400, f"not an IRI: {iri!r}")
        if not await run_in_threadpool(state.view.exists, iri):
            return state.error_page(request, 404, f"nothing is known about {iri} in this store")
        fmt = request.query_params.get("format")
        offers = {**HTML_OFFER, **GRAPH_FORMATS}
        if fmt is None:
            accept = request.headers.get("accept")
            fmt = "turtle" if not accept or accept.strip() == "*/*" else negotiate(accept, offers, "html")
        if fmt not in offers:
            return reply_response(text_reply(406, "this page comes as " + ", ".join(o[0] for o in offers.values())))
        alternates = ", ".join(f'<{page_url(iri)}{"&" if "?" in page_url(iri) else "?"}format={name}>; '
                               f'rel="alternate"; type="{spec[0]}"' for name, spec in GRAPH_FORMATS.items())
        if fmt != "html":
            triples = await run_in_threadpool(concise_description, state.store.inner, iri)
            response = reply_response(protocol.write_graph(triples, Job("", format=fmt)))
            response.headers["Link"] = alternates
            return response
        description = await run_in_threadpool(Describer(state.view, languages(request)).describe, iri)
        response = state.render(request, "resource.html", d=description, alternates=GRAPH_FORMATS,
                                map_kinds={"topic", "organization", "initiative", "credential"})
        response.headers["Link"] = alternates
        return response

    # -------------------------------------------------------------- map, search, browse, home
    async def map_page(request: Request) -> Response:
        iri = request.query_params.get("iri") or await run_in_threadpool(default_centre, state.view)
        return state.render(request, "map.html", iri=iri or "", limit=DEFAULT_LIMIT)

    async def map_api(request: Request) -> Response:
        q = request.query_params
        iri = q.get("iri", "").strip()
        if not iri:
            return JSONResponse({"error": "give the centre with ?iri=<an absolute IRI>"}, status_code=400)
        try:
            limit = int(q.get("limit", DEFAULT_LIMIT))
            data = await run_in_threadpool(map_data, state.view, ids.normalise_iri(iri), languages(request),
                                           relations=q.get("relations"), kinds=q.get("kinds"), limit=limit,
                                           more=q.get("more"))
        except ValueError:
            return JSONResponse({"error": "limit must be a whole number"}, status_code=400)
        except UsageError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(data)

    async def search_page(request: Request) -> Response:
        text = request.query_params.get("q", "")
        kind = request.query_params.get("kind") or None
        vocab = request.query_params.get("vocab") == "1"
        hits = await run_in_threadpool(search, state.view, text, languages(request), kind=kind,
                                       include_vocabulary=vocab) if text.strip() else []
        return state.render(request, "search.html", q=text, hits=hits, kind=kind or "", vocab=vocab,
                            kinds=state.view.kinds)

    async def search_api(request: Request) -> Response:
        text = request.query_params.get("q", "")
        hits = await run_in_threadpool(search, state.view, text, languages(request),
                                       kind=request.query_params.get("kind") or None,
                                       include_vocabulary=request.query_params.get("vocab") == "1")
        return JSONResponse({"q": text, "hits": hits})

    async def browse(request: Request) -> Response:
        kind = request.query_params.get("kind", "credential")
        if kind not in {k.key for k in state.view.kinds}:
            return state.error_page(request, 404, f"no kind {kind!r}")
        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            page = 1
        items, total = await run_in_threadpool(list_kind, state.view, kind, languages(request))
        per = 100
        return state.render(request, "browse.html", kind=kind, kind_label=state.view.kind_label(kind),
                            items=items[(page - 1) * per: page * per], total=total, page=page,
                            pages=max(1, -(-min(total, BROWSE_MAX) // per)), kinds=state.view.kinds)

    async def home(request: Request) -> Response:
        langs = languages(request)
        counts, featured = await state.cached(("overview", tuple(langs)), overview, state.view, langs)
        triples = await state.cached(("triples",), state.store.triple_count)
        return state.render(request, "home.html", counts=counts, featured=featured, kinds=state.view.kinds,
                            triples=triples)

    # -------------------------------------------------------------- query page
    async def query_page(request: Request) -> Response:
        q = request.query_params
        catalog = state.catalog()
        context = {"catalog": group_catalog(catalog), "selected": None, "values": {}, "result": None,
                   "error": None, "sparql": q.get("sparql", ""), "csv_url": None}
        name = q.get("name")
        if name:
            selected = catalog.get(name)
            if selected is None:
                return state.error_page(request, 404, f"no canned query {name!r}")
            context["selected"] = selected
            context["values"] = {p.name: q.get("p." + p.name, "") for p in selected.params}
            if "run" in q:
                outcome = await run_canned(request, selected, context["values"], "json")
                context.update(outcome)
                args = [("name", name)] + [("p." + k, v) for k, v in context["values"].items() if v]
                context["csv_url"] = "/queries/csv?" + urlencode(args)
        elif context["sparql"].strip():
            text = context["sparql"]
            refused = protocol.network_operations(text)
            if refused:
                context["error"] = f"{', '.join(sorted(refused))} is disabled on this server"
            else:
                reply = await state.run(Job(text, accept="application/sparql-results+json, text/turtle",
                                                   max_results=settings.max_results), settings.query_timeout)
                context.update(await read_reply(request, reply))
                context["csv_url"] = "/sparql?" + urlencode({"query": text, "format": "csv", "download": "1"})
        status = context.pop("status", 400) if context["error"] else 200
        context.pop("reply", None)
        return state.render(request, "query.html", status=status, **context)

    async def query_csv(request: Request) -> Response:
        q = request.query_params
        selected = state.catalog().get(q.get("name", ""))
        if selected is None:
            return reply_response(text_reply(404, f"no canned query {q.get('name')!r}"))
        values = {p.name: q.get("p." + p.name, "") for p in selected.params}
        outcome = await run_canned(request, selected, values, "csv")
        if outcome.get("reply") is None:
            return reply_response(text_reply(400, outcome["error"]))
        response = reply_response(outcome["reply"])
        if outcome["reply"].status == 200:
            filename = selected.name.replace("/", "-") + ".csv"
            response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    async def run_canned(request: Request, selected, values: dict, fmt: str) -> dict:
        from credgraph.catalog import EmbeddedTarget

        clean = {}
        for p in selected.params:
            raw = values.get(p.name, "").strip()
            if raw:
                clean[p.name] = raw.replace(",", " ").split() if p.is_list else raw
        try:
            target = EmbeddedTarget(state.store)
            bindings = await run_in_threadpool(selected.bind, clean, target.resolve_ctid)
        except CredgraphError as exc:
            return {"error": str(exc), "reply": None}
        job = Job(selected.text, format=fmt, max_results=settings.max_results,
                  bindings={k: protocol.term_json(v) for k, v in bindings.items()})
        reply = await state.run(job, settings.query_timeout)
        if fmt != "json":
            return {"reply": reply}
        return {**await read_reply(request, reply), "reply": reply}

    async def read_reply(request: Request, reply: Reply) -> dict:
        if reply.status != 200:
            return {"error": reply.body.decode("utf-8", "replace").strip(), "status": reply.status}
        if not reply.media_type.startswith("application/sparql-results+json"):
            return {"result": {"kind": "graph", "text": reply.body.decode("utf-8", "replace")}}
        data = json.loads(reply.body)
        if "boolean" in data:
            return {"result": {"kind": "ask", "boolean": data["boolean"]}}
        rows = data["results"]["bindings"]
        table = await run_in_threadpool(table_cells, state.view, data["head"]["vars"], rows[:PAGE_ROWS],
                                        languages(request))
        return {"result": {"kind": "select", "variables": data["head"]["vars"], "rows": table,
                           "total": len(rows), "shown": min(len(rows), PAGE_ROWS)}}

    async def vendor(request: Request) -> Response:
        name = request.path_params["name"]
        path = vendor_file(name) if name in VENDOR else None
        if path is None:
            return reply_response(text_reply(404, f"{name} is missing: the map needs the pyvis package "
                                                  "(which bundles vis-network): pip install pyvis"))
        return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})

    async def health(request: Request) -> Response:
        return Response("ok\n", media_type="text/plain")

    routes = [
        Route("/", home),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/query", sparql, methods=["GET", "POST"]),   # Oxigraph's layout: /query beside /update and /store
        Route("/resource", resource_by_param),
        Route("/id/{rest:path}", resource_by_id),
        Route("/resources/{ctid}", resource_by_ctid),
        Route("/queries", query_page),
        Route("/queries/csv", query_csv),
        Route("/search", search_page),
        Route("/api/search", search_api),
        Route("/map", map_page),
        Route("/api/map", map_api),
        Route("/browse", browse),
        Route("/health", health),
        Route("/static/vendor/{name}", vendor),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    if settings.token:
        routes += [Route("/update", update, methods=["POST"]),
                   Route("/store", graph_store, methods=["GET", "HEAD", "PUT", "POST", "DELETE"])]
    middleware = [Middleware(SecurityHeaders)]
    if settings.cors:
        middleware.append(Middleware(CORSMiddleware, allow_origins=settings.cors, allow_methods=["GET", "POST"],
                                     allow_headers=["Accept", "Content-Type", "Authorization"]))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await state.runner.start()
        log.info("query runner: %d %s", state.runner.workers, state.runner.kind)
        try:
            yield
        finally:
            if state.warming is not None:
                state.warming.cancel()
            await state.runner.close()

    async def not_found(request: Request, exc) -> Response:
        return state.error_page(request, 404, f"no page at {request.url.path}")

    async def not_allowed(request: Request, exc) -> Response:
        return reply_response(text_reply(405, f"{request.method} is not allowed on {request.url.path}"))

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: not_allowed})
    app.state.credgraph = state
    return app


class SecurityHeaders:
    """Adds the security headers to every response (pure ASGI, keeps streaming intact)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ---------------------------------------------------------------------------------- store helpers
CTID = ox.NamedNode(ids.CETERMS + "ctid")


def find_ctid(store: ox.Store, ctid: str) -> str | None:
    """The resource with this CTID: its registry IRI when present, else whatever carries it."""
    for base in (ids.REGISTRY_BASE, ids.SANDBOX_BASE):
        node = ox.NamedNode(ids.registry_resource(ctid, base))
        for _ in store.quads_for_pattern(node, None, None, None):
            return node.value
    for literal in (ox.Literal(ctid), ox.Literal(ctid, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#string"))):
        for q in store.quads_for_pattern(None, CTID, literal, None):
            if isinstance(q.subject, ox.NamedNode):
                return q.subject.value
    return None


def drop_graph(store, graph: ox.NamedNode) -> None:
    owner = store._graph_owner(graph.value)
    if owner and set(store._source_graphs(owner)) == {graph.value}:
        store.drop_source(owner)
        return
    meta = str(ox.NamedNode(ids.META_GRAPH))
    store.update(f"DROP SILENT GRAPH {graph} ; DELETE WHERE {{ GRAPH {meta} {{ {graph} ?p ?o }} }}")


def put_graph(store, body: bytes, fmt: str, graph: ox.NamedNode) -> None:
    """Replace a graph through the loader (atomic, with provenance).

    The loader skips a source whose bytes it has already loaded; when the graph was changed since
    (a POST to it, an update), its record no longer matches, so forget the old checksum first.
    """
    from credgraph.load import load_bytes

    with store.changing():
        owner = store._graph_owner(graph.value)
        if owner:
            recorded = store._source_graphs(owner).get(graph.value)
            actual = sum(1 for _ in store.inner.quads_for_pattern(None, None, None, graph))
            if recorded != actual:
                meta, sha = ox.NamedNode(ids.META_GRAPH), ox.NamedNode(ids.CG + "sha256")
                store.inner.remove(ox.Quad(ox.NamedNode(owner), sha, ox.Literal(store.source_sha(owner)), meta))
        report = load_bytes(store, body, fmt=fmt, graph=graph.value)
    errors = report.errors()
    if errors:
        raise errors[0][1]


def post_graph(store, body: bytes, fmt: str, graph: ox.NamedNode) -> None:
    from credgraph.load.rdf import parse_rdf
    from credgraph.load.reading import read_bytes

    raw = read_bytes(body, origin="request body")
    quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in parse_rdf(raw, fmt)]
    with store.changing():
        store.inner.extend(quads)


def default_centre(view: GraphView) -> str | None:
    """The map's starting point when none is given: the non-degree credentials topic, or any topic."""
    preferred = ids.CG_ID + "topic/non-degree-credentials"
    if view.exists(preferred):
        return preferred
    for cls in view.classes_of_kinds({"topic", "organization"}):
        for q in view.store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                              ox.NamedNode(cls), None):
            if isinstance(q.subject, ox.NamedNode):
                return q.subject.value
    return None


def list_kind(view: GraphView, kind: str, langs: list[str]) -> tuple[list[dict], int]:
    classes = view.classes_of_kinds({kind})
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    seen: dict[str, None] = {}
    for cls in classes:
        for q in view.store.quads_for_pattern(None, rdf_type, ox.NamedNode(cls), None):
            if isinstance(q.subject, ox.NamedNode):
                seen.setdefault(q.subject.value)
    kept = [iri for iri in seen if view.kind_of_iri(iri) == kind]
    total = len(kept)
    items = [view.node(iri, langs) for iri in kept[:BROWSE_MAX]]
    items.sort(key=lambda n: (n["label"].lower(), n["id"]))
    return items, total


def overview(view: GraphView, langs: list[str]) -> tuple[dict, dict]:
    """Counts of resources by kind, and a few entry points for the home page."""
    counts = {}
    for kind in view.kinds:
        counts[kind.key] = list_kind_count(view, kind.key)
    featured = {}
    top = ox.NamedNode("http://www.w3.org/2004/02/skos/core#topConceptOf")
    for kind in ("topic", "initiative", "organization", "credential"):
        items, _ = list_kind(view, kind, langs)
        if kind == "topic":  # the top concepts of a scheme first (the ecosystem map's main topics)
            items.sort(key=lambda n: not any(True for _ in view.store.quads_for_pattern(
                ox.NamedNode(n["id"]), top, None, None)))
        featured[kind] = items[:16 if kind == "topic" else 8]
    return counts, featured


def list_kind_count(view: GraphView, kind: str) -> int:
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    seen = set()
    for cls in view.classes_of_kinds({kind}):
        for q in view.store.quads_for_pattern(None, rdf_type, ox.NamedNode(cls), None):
            if isinstance(q.subject, ox.NamedNode):
                seen.add(q.subject.value)
    return sum(1 for iri in seen if view.kind_of_iri(iri) == kind)


def group_catalog(catalog: dict) -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for name in sorted(catalog):
        query = catalog[name]
        groups.setdefault(query.group or "other", []).append(query)
    return sorted(groups.items())


def table_cells(view: GraphView, variables: list[str], rows: list[dict], langs: list[str]) -> list[list[dict]]:
    """Result rows as display cells: IRIs get a label and a link to their page."""
    labels: dict[str, str] = {}
    out = []
    for row in rows:
        cells = []
        for var in variables:
            term = row.get(var)
            if term is None:
                cells.append({"text": ""})
            elif term["type"] == "uri":
                iri = term["value"]
                if iri not in labels:
                    labels[iri] = view.label(ox.NamedNode(iri), langs) if len(labels) < 5000 else short_iri(iri)
                cells.append({"text": labels[iri], "iri": iri, "href": page_url(iri)})
            elif term["type"] == "bnode":
                cells.append({"text": "_:" + term["value"]})
            else:
                note = term.get("xml:lang") or (short_iri(term["datatype"]) if "datatype" in term else None)
                cells.append({"text": term["value"], "note": note})
        out.append(cells)
    return out
