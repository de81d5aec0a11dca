"""credgraph serve: the SPARQL endpoint, linked-data pages, query page, search and relational map."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys

from credgraph.answers import KEEP_AFTER
from credgraph.commands._common import add_store_argument, open_store_from, say
from credgraph.errors import UsageError

VERB = "serve"
ORDER = 80
SUMMARY = "Serve the store over HTTP: SPARQL endpoint, linked-data pages, query page, search and relational map."
EXAMPLES = ["credgraph serve                                  # http://127.0.0.1:8000/",
            "credgraph serve --store ./mystore --port 7878",
            "CREDGRAPH_TOKEN=$(openssl rand -hex 24) credgraph serve   # also /update and /store, for requests with the token",
            "curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 3' http://127.0.0.1:8000/sparql"]
MIN_TOKEN = 16


def add_arguments(p) -> None:
    add_store_argument(p)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--token", metavar="T",
                   help="enable SPARQL Update (/update) and the Graph Store Protocol (/store) for requests "
                        "sending 'Authorization: Bearer T' (default $CREDGRAPH_TOKEN; without one the "
                        "server is read-only and has no update routes)")
    p.add_argument("--cors", metavar="ORIGIN", action="append", default=[],
                   help="allow browser pages from ORIGIN to call the server (repeatable; default none)")
    p.add_argument("--query-timeout", metavar="S", type=float, default=30.0,
                   help="stop a query after S seconds with 503 (default 30)")
    p.add_argument("--max-results", metavar="N", type=int, default=10_000,
                   help="refuse results larger than N rows or triples with 503 (default 10000)")
    p.add_argument("--max-body", metavar="BYTES", type=int, default=10 * 1024 * 1024,
                   help="refuse request bodies larger than BYTES with 413 (default 10 MiB)")
    p.add_argument("--workers", metavar="N", type=int, default=None,
                   help="query worker processes (default: CPU count + 2, at least 4)")
    p.add_argument("--keep-after", metavar="S", type=float, default=KEEP_AFTER,
                   help=f"keep the answer of a query over the whole store that took S seconds or more, "
                        f"and give it again until the store changes (default {KEEP_AFTER:g}; a negative "
                        "S keeps nothing)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"],
                   help="server log level (default info)")


def run(args) -> int:
    import uvicorn

    from credgraph.web import Settings, create_app

    token = args.token if args.token is not None else os.environ.get("CREDGRAPH_TOKEN") or None
    if token is not None and len(token) < MIN_TOKEN:
        raise UsageError(f"the token is {len(token)} characters; use at least {MIN_TOKEN}",
                         fix="e.g. --token $(python3 -c 'import secrets; print(secrets.token_hex(24))')")
    for name, value, low in (("--query-timeout", args.query_timeout, 0.1), ("--max-results", args.max_results, 1),
                             ("--max-body", args.max_body, 1024)):
        if value < low:
            raise UsageError(f"{name} must be at least {low}, got {value}")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    sock = _bind(args.host, args.port)
    store = open_store_from(args)
    settings = Settings(token=token, cors=args.cors, query_timeout=args.query_timeout,
                        max_results=args.max_results, max_body=args.max_body, workers=args.workers,
                        keep_after=args.keep_after if args.keep_after >= 0 else None)
    app = create_app(store, settings)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    if not _is_loopback(args.host):
        say(f"warning: listening on {args.host}: anyone who can reach this machine can query the store"
            + (" and, with the token, change it" if token else ""))
    say(f"credgraph serving {store.path or ':memory:'} at {url} (SPARQL endpoint {url}sparql"
        + (", updates at /update and /store with the token" if token else ", read-only") + ")")
    sys.stderr.flush()
    _log_like_uvicorn(args.log_level)
    config = uvicorn.Config(app, log_level=args.log_level, lifespan="on", server_header=False,
                            proxy_headers=False, access_log=args.log_level == "debug")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        store.close()
    return 0


def _log_like_uvicorn(level: str) -> None:
    """The server's own lines (workers killed, kept answers asked again) on stderr, at
    ``--log-level``, formatted as uvicorn's."""
    import logging

    from uvicorn.logging import DefaultFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(DefaultFormatter("%(levelprefix)s %(message)s"))
    logger = logging.getLogger("credgraph")
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}",
                         fix="pick another --port (0 picks a free one) or stop what uses it") from None
    sock.set_inheritable(True)
    return sock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
