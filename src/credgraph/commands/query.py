"""credgraph query: run SPARQL over the store."""

from __future__ import annotations

from pathlib import Path

from credgraph.commands._common import add_store_argument, open_store_from, prefixes, write_out
from credgraph.errors import InputError, UsageError

VERB = "query"
ORDER = 40
SUMMARY = "Run a SPARQL query over the store (the union of all graphs)."
EXAMPLES = ["credgraph query --sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'",
            "credgraph query --file my.rq --format csv > out.csv"]


def add_arguments(p) -> None:
    add_store_argument(p)
    p.add_argument("--sparql", metavar="TEXT", help="the query text")
    p.add_argument("--file", metavar="F.rq", help="a file holding the query")
    p.add_argument("--format", default="table",
                   help="table|csv|tsv|json for SELECT/ASK (json = SPARQL 1.1 results JSON); "
                        "turtle|ntriples|nquads|trig|rdfxml|jsonld for CONSTRUCT/DESCRIBE")


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


def run(args) -> int:
    from credgraph.sparql import run_sparql

    if bool(args.sparql) == bool(args.file):
        raise UsageError("give the query with exactly one of --sparql TEXT or --file F.rq",
                         fix="e.g. credgraph query --sparql 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'")
    if args.file:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read query file: {exc.strerror}", where=args.file) from None
    else:
        text = args.sparql
    print_result(run_sparql(open_store_from(args), text), args.format)
    return 0
