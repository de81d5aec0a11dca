"""credgraph query: run a canned query or ad-hoc SPARQL on the store or a remote endpoint."""

from __future__ import annotations

from pathlib import Path

from credgraph.commands._common import (add_endpoint_arguments, add_store_argument, endpoint_from,
                                        open_store_from, prefixes, say, write_out)
from credgraph.errors import InputError, UsageError

VERB = "query"
ORDER = 40
SUMMARY = "Run a canned query by name, or SPARQL text, on the store or a remote SPARQL endpoint."
EXAMPLES = ["credgraph query stackability/stacks-into --param target=ce-e98333fc-3d6a-54a7-88df-31d6e8094712",
            "credgraph query ecosystem/topic-definitions --param topic=topic:microcredentials --format csv",
            "credgraph query --sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'",
            "credgraph query --file my.rq --format csv > out.csv",
            "credgraph query landscape/credentials-by-type --endpoint http://localhost:7878/query --token $TOKEN"]


def add_arguments(p) -> None:
    p.add_argument("name", nargs="?", metavar="NAME",
                   help="a canned query (see `credgraph queries`), e.g. stackability/stacks-into")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter value (repeatable; repeat a list parameter or separate its values by spaces)")
    p.add_argument("--sparql", metavar="TEXT", help="the query text")
    p.add_argument("--file", metavar="F.rq", help="a file holding the query (its '# param:' header is honoured)")
    p.add_argument("--format", default="table",
                   help="table|csv|tsv|json for SELECT/ASK (json = SPARQL 1.1 results JSON); "
                        "turtle|ntriples|nquads|trig|rdfxml|jsonld for CONSTRUCT/DESCRIBE")
    from credgraph.answers import KEEP_AFTER

    p.add_argument("--fresh", action="store_true",
                   help=f"compute the answer again even if the store keeps one (a query that took "
                        f"{KEEP_AFTER:g} s or more is kept in the store and answered from there until "
                        "the store changes)")
    add_store_argument(p)
    add_endpoint_arguments(p, "query")


def print_result(result, fmt: str) -> None:
    """Write a query result to stdout in ``fmt``."""
    from credgraph.sparql import RDF_FORMATS

    if result.kind == "graph":
        fmt = "turtle" if fmt == "table" else fmt
        if fmt not in RDF_FORMATS:
            raise UsageError(f"a CONSTRUCT/DESCRIBE result cannot be written as {fmt}",
                             fix=f"use --format {'|'.join(RDF_FORMATS)}")
        write_out(result.to_rdf(RDF_FORMATS[fmt], prefixes()))
        return
    writers = {"table": lambda: result.to_table(prefixes()), "csv": result.to_csv,
               "tsv": result.to_tsv, "json": result.to_json}
    if fmt not in writers:
        raise UsageError(f"a SELECT/ASK result cannot be written as {fmt}", fix="use --format table|csv|tsv|json")
    write_out(writers[fmt]())


def parse_params(pairs: list[str]) -> dict[str, str | list[str]]:
    """``["k=v", "k=w", "x=y"]`` -> ``{"k": ["v", "w"], "x": "y"}`` (repeats make a list)."""
    values: dict[str, str | list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {pair!r} is not NAME=VALUE", fix="e.g. --param target=ce-...")
        name = name.strip()
        if name in values:
            previous = values[name]
            values[name] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            values[name] = value
    return values


def target_from(args):
    """The embedded store, or the remote endpoint when --endpoint is given."""
    endpoint = endpoint_from(args)
    if endpoint is not None:
        if args.fresh:
            raise UsageError("--fresh applies to the embedded store: a remote endpoint keeps no answers "
                             "of credgraph's", fix="drop --fresh, or query the store with --store DIR")
        return endpoint
    from credgraph.catalog import EmbeddedTarget

    return EmbeddedTarget(open_store_from(args), kept="fresh" if args.fresh else "use")


def run(args) -> int:
    from credgraph.catalog import get_query, parse_query

    given = [x for x in (args.name, args.sparql, args.file) if x]
    if len(given) != 1:
        raise UsageError("give exactly one of a query NAME, --sparql TEXT or --file F.rq",
                         fix="e.g. credgraph query stackability/stacks-into --param target=ce-...; "
                             "`credgraph queries` lists the names")
    params = parse_params(args.param)
    if args.name:
        query = get_query(args.name)
    else:
        if args.file:
            try:
                text = Path(args.file).read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError(f"cannot read query file: {exc.strerror}", where=args.file) from None
        else:
            text = args.sparql
        query = parse_query(args.file or "--sparql", text, Path(args.file) if args.file else None,
                            require_title=False)
        if params and not query.params:
            raise UsageError("--param needs a query with a '# param:' header",
                             fix="declare the parameter in the query, e.g. '# param: target (ctid) — ...'")
    target = target_from(args)
    bindings = query.bind(params, resolver=target.resolve_ctid)
    result = target.run(query.text, bindings)
    if result.kept_at is not None:
        say(f"note: answer kept in the store since {result.kept_at} (computing it took "
            f"{result.kept_seconds:g} s; the store has not changed since); --fresh computes it again")
    print_result(result, args.format)
    return 0
