"""The SPARQL 1.1 Protocol, minus the HTTP: content negotiation, result writers, one query run.

:func:`execute` is what both query runners call (a worker process or a thread): it evaluates a
query against a pyoxigraph store, enforces the result-size limit while it reads the results, and
returns a :class:`Reply` (status, media type, body bytes) ready to send.

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> reply = execute(store, Job("ASK { ?s ?p ?o }", accept="text/csv"))
>>> reply.status, reply.media_type, reply.body
(200, 'text/csv; charset=utf-8', b'boolean\\r\\nfalse\\r\\n')
>>> execute(store, Job("SELECT * WHERE {", accept="*/*")).status
400
>>> sorted(network_operations("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"))
['SERVICE']
>>> network_operations('SELECT * WHERE { ?s ?p "SERVICE <http://x/>" } # SERVICE')
set()
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from credgraph.answers import encode
from credgraph.results import Result, term_from_json, term_json
from credgraph.sparql import network_operations  # noqa: F401  (re-exported for the app)
from credgraph.store import is_storage_error

# ---------------------------------------------------------------------------------- media types
#: Result formats for SELECT and ASK: name -> (media type, other names clients send).
TABLE_FORMATS = {
    "json": ("application/sparql-results+json", ("application/json",)),
    "xml": ("application/sparql-results+xml", ("application/xml", "text/xml")),
    "csv": ("text/csv", ()),
    "tsv": ("text/tab-separated-values", ()),
}
#: RDF formats for CONSTRUCT and DESCRIBE (and the linked-data pages).
GRAPH_FORMATS = {
    "turtle": ("text/turtle", ("application/x-turtle",), ox.RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", ("text/plain",), ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ("application/json",), ox.RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", ("application/xml", "text/xml"), ox.RdfFormat.RDF_XML),
}
DEFAULT_TABLE, DEFAULT_GRAPH = "json", "turtle"


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q-values, best first (stable).

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5)]
    >>> parse_accept(None)
    [('*/*', 1.0)]
    """
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, i))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def negotiate(accept: str | None, offers: dict[str, tuple], default: str) -> str | None:
    """The name of the best format in ``offers`` for an Accept header; None if none fits.

    >>> negotiate("text/turtle, */*;q=0.1", GRAPH_FORMATS, "turtle")
    'turtle'
    >>> negotiate("application/json", TABLE_FORMATS, "json")
    'json'
    >>> negotiate("image/png", TABLE_FORMATS, "json") is None
    True
    """
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        if media in ("*/*", "*"):
            return default
        for name, spec in offers.items():
            main, aliases = spec[0], spec[1]
            if media == main or media in aliases:
                return name
        if media.endswith("/*"):
            family = media[:-1]
            for name, spec in offers.items():
                if spec[0].startswith(family):
                    return name
    return None


def acceptable_at_all(accept: str | None) -> bool:
    """Whether any SPARQL result format (table or graph) fits the Accept header."""
    return (negotiate(accept, TABLE_FORMATS, DEFAULT_TABLE) is not None
            or negotiate(accept, GRAPH_FORMATS, DEFAULT_GRAPH) is not None)


# ---------------------------------------------------------------------------------- running a query
@dataclass
class Job:
    """One query to run: its text, the Accept header (or a format name) and its dataset."""

    query: str
    accept: str | None = None
    format: str | None = None            # a name from TABLE_FORMATS/GRAPH_FORMATS overrides Accept
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    bindings: dict[str, dict] = field(default_factory=dict)  # variable -> SPARQL JSON term (parameters)
    max_results: int = 10_000
    generation: int = 0                  # the store version the answer must reflect (workers reopen)
    cancelled: threading.Event | None = None  # set when nobody waits for the answer any more
    keep_after: float | None = None      # a SELECT/ASK taking this many seconds returns Reply.results


@dataclass
class Reply:
    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    results: str | None = None           # the results as credgraph.answers.encode writes them, for the
                                         # server to keep (Job.keep_after)


class LimitExceeded(Exception):
    """The result has more rows or triples than the server's --max-results."""


class Cancelled(Exception):
    """Nobody waits for this result any more (its deadline passed)."""


def text_reply(status: int, message: str, **headers: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode(), dict(headers))


class StorageError(Exception):
    """Reading the store's files failed (e.g. a read-only handle racing the server's compaction)."""


def execute(store: ox.Store, job: Job, *, raise_storage: bool = False) -> Reply:
    """Evaluate ``job`` on ``store`` (default graph = union of all graphs unless the job names one).

    With ``raise_storage``, a failure to read the store's files raises :class:`StorageError`
    (the caller reopens the store and tries again) instead of becoming a 500 reply.
    """
    kwargs: dict = {}
    try:
        if job.default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if job.named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    except ValueError as exc:
        return text_reply(400, f"bad graph IRI in default-graph-uri/named-graph-uri: {exc}")
    if job.bindings:
        kwargs["substitutions"] = substitutions(job)
    started = time.perf_counter()
    try:
        results = store.query(job.query, **kwargs)
        if isinstance(results, (bool, ox.QueryBoolean)):
            return _table_reply(Result(boolean=bool(results)), job, started)
        if isinstance(results, ox.QuerySolutions):
            variables = [v.value for v in results.variables]
            rows = []
            for solution in results:
                if len(rows) >= job.max_results:
                    raise LimitExceeded
                _check(job)
                rows.append({name: solution[name] for name in variables if solution[name] is not None})
            return _table_reply(Result(variables=variables, rows=rows), job, started)
        triples = []
        for triple in results:
            if len(triples) >= job.max_results:
                raise LimitExceeded
            _check(job)
            triples.append(triple)
        return write_graph(triples, job)
    except SyntaxError as exc:
        return text_reply(400, f"SPARQL syntax error: {exc}")
    except LimitExceeded:
        return limit_reply(job)
    except Cancelled:
        return text_reply(503, "query cancelled: its time limit passed", **{"Credgraph-Limit": "timeout"})
    except (RuntimeError, ValueError, OSError) as exc:
        if is_storage_error(exc) or isinstance(exc, OSError):
            if raise_storage:
                raise StorageError(str(exc)) from exc
            return text_reply(500, f"query failed reading the store: {exc}")
        return text_reply(400, f"query failed: {exc}")


def substitutions(job: Job) -> dict | None:
    """The job's parameters as pyoxigraph substitutions (None when it has none)."""
    return {ox.Variable(k): term_from_json(v) for k, v in job.bindings.items()} or None


def _table_reply(result: Result, job: Job, started: float) -> Reply:
    reply = write_table(result, job)
    if job.keep_after is not None and reply.status == 200 and time.perf_counter() - started >= job.keep_after:
        reply.results = encode(result)
    return reply


def limit_reply(job: Job) -> Reply:
    """503: the result has more rows or triples than the job may return."""
    return text_reply(503, f"the result has more than {job.max_results:,} rows or triples, the "
                           "server's limit (--max-results); add a LIMIT or narrow the query",
                      **{"Credgraph-Limit": "results"})


def _check(job: Job) -> None:
    if job.cancelled is not None and job.cancelled.is_set():
        raise Cancelled


def write_table(result: Result, job: Job) -> Reply:
    name = job.format or negotiate(job.accept, TABLE_FORMATS, DEFAULT_TABLE)
    if name not in TABLE_FORMATS:
        return not_acceptable("SELECT/ASK", TABLE_FORMATS)
    writers = {"json": result.to_json, "csv": result.to_csv, "tsv": result.to_tsv,
               "xml": lambda: results_xml(result)}
    media = TABLE_FORMATS[name][0]
    charset = "; charset=utf-8"
    return Reply(200, media + charset, writers[name]().encode("utf-8"))


def write_graph(triples: list[ox.Triple], job: Job, prefixes: dict[str, str] | None = None) -> Reply:
    name = job.format or negotiate(job.accept, GRAPH_FORMATS, DEFAULT_GRAPH)
    if name not in GRAPH_FORMATS:
        return not_acceptable("CONSTRUCT/DESCRIBE", GRAPH_FORMATS)
    media, _, fmt = GRAPH_FORMATS[name]
    if prefixes is None:
        from credgraph.namespaces import PREFIXES

        prefixes = used_prefixes(triples, PREFIXES) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else {}
    body = ox.serialize(triples, format=fmt, prefixes=prefixes) if triples else _empty_graph(fmt)
    return Reply(200, media + ("; charset=utf-8" if media.startswith("text/") else ""), body)


def _empty_graph(fmt: ox.RdfFormat) -> bytes:
    if fmt == ox.RdfFormat.JSON_LD:
        return b"[]\n"
    if fmt == ox.RdfFormat.RDF_XML:
        return b'<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
    return b""


def used_prefixes(triples, prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes whose namespace some IRI of ``triples`` uses (keeps Turtle headers short)."""
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}


def not_acceptable(form: str, offers: dict[str, tuple]) -> Reply:
    types = ", ".join(spec[0] for spec in offers.values())
    return text_reply(406, f"none of the media types in Accept can carry a {form} result; use one of: {types}")


def results_xml(result: Result) -> str:
    """SPARQL 1.1 Query Results XML."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    if result.boolean is not None:
        out += ["</head>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    out += ["</head>", "<results>"]
    for row in result.rows:
        out.append("<result>")
        for name, term in row.items():
            out.append(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def _xml_term(term) -> str:
    data = term_json(term)
    if data["type"] == "uri":
        return f"<uri>{escape(data['value'])}</uri>"
    if data["type"] == "bnode":
        return f"<bnode>{escape(data['value'])}</bnode>"
    attrs = ""
    if "xml:lang" in data:
        attrs = f" xml:lang={quoteattr(data['xml:lang'])}"
    elif "datatype" in data:
        attrs = f" datatype={quoteattr(data['datatype'])}"
    return f"<literal{attrs}>{escape(_xml_safe(data['value']))}</literal>"


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters other than tab/newline/return)."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "\ufffd", text)
