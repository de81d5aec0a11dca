"""The ``credgraph`` command: a thin shell over the Python API.

Exit codes: 0 success / conforms, 1 data does not conform or a check failed, 2 unreadable input
or wrong usage. Errors print one line to stderr (``--debug`` shows the traceback); results go to
stdout, diagnostics to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from credgraph import errors
from credgraph.errors import CredgraphError, UsageError

PROG = "credgraph"


# ---------------------------------------------------------------------------- helpers
class Progress:
    """A one-line progress display on a terminal; silent in pipes and files."""

    def __init__(self, label: str, stream=sys.stderr, enabled: bool | None = None):
        self.label = label
        self.stream = stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self.start = time.monotonic()
        self.done = self.triples = self.failed = 0
        self.last = 0.0

    def __call__(self, outcome, origin: str) -> None:
        self.done += 1
        if outcome is None or not outcome.ok:
            self.failed += 1
        else:
            self.triples += outcome.triples
        now = time.monotonic()
        if self.enabled and now - self.last > 0.2:
            self.last = now
            rate = self.triples / max(now - self.start, 1e-9)
            self.stream.write(f"\r{self.label}: {self.done:,} sources, {self.triples:,} triples "
                              f"({rate:,.0f} triples/s), {self.failed} failed ")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\r" + " " * 90 + "\r")
            self.stream.flush()


def _context_map(pairs: list[str]) -> dict[str, Path]:
    from credgraph.contexts import context_map_from_env

    mapping = context_map_from_env()
    for pair in pairs or []:
        url, sep, file = pair.partition("=")
        if not sep or not url or not file:
            raise UsageError(f"--context expects URL=FILE, got {pair!r}",
                             fix="e.g. --context https://example.org/ctx.jsonld=./ctx.jsonld")
        mapping[url] = Path(file)
    return mapping


def _open(args):
    from credgraph.store import open_store

    return open_store(args.store)


def _write(text: str | bytes, out: str | None = None) -> None:
    if out:
        Path(out).write_bytes(text if isinstance(text, bytes) else text.encode())
        return
    if isinstance(text, bytes):
        sys.stdout.buffer.write(text)
    else:
        sys.stdout.write(text)


def _prefixes() -> dict[str, str]:
    from credgraph.namespaces import PREFIXES

    return dict(PREFIXES)


# ---------------------------------------------------------------------------- verbs
def cmd_load(args) -> int:
    from credgraph.load import load

    store = _open(args)
    progress = Progress("loading", enabled=None if not args.quiet else False)
    report = load(store, args.inputs, fmt=args.format, graph=args.graph,
                  context_map=_context_map(args.context), progress=progress)
    progress.close()
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for skipped in report.skipped:
        if args.verbose:
            print(f"skipped (not an RDF, JSON-LD or CSV file name): {skipped}", file=sys.stderr)
    if report.skipped and not args.verbose:
        print(f"skipped {len(report.skipped)} file(s) with other extensions (--verbose lists them)",
              file=sys.stderr)
    for origin, error in report.errors():
        print(f"error: {error}" if error.where else f"error: {origin}: {error}", file=sys.stderr)
    summary = f"loaded {report.loaded} source(s), {report.triples:,} triples"
    if report.unchanged:
        summary += f"; {report.unchanged} unchanged (already loaded)"
    if report.failed:
        summary += f"; {report.failed} failed, nothing from them entered the store"
    print(summary, file=sys.stderr)
    return errors.EXIT_USAGE if report.failed else errors.EXIT_OK


def cmd_sources(args) -> int:
    store = _open(args)
    rows = store.sources()
    if args.format == "json":
        _write(json.dumps(rows, indent=1) + "\n")
        return 0
    if not rows:
        print("the store holds no sources yet (credgraph load FILE ...)", file=sys.stderr)
        return 0
    width = max(len(r["origin"]) for r in rows)
    for r in rows:
        _write(f"{r['origin'].ljust(width)}  {r['format']:<17} {r['triples']:>9,} triples  "
               f"{len(r['graphs'])} graph(s)  {r['loaded']}\n")
    return 0


def cmd_stats(args) -> int:
    from credgraph.stats import stats

    store = _open(args)
    result = stats(store)
    if args.format == "json":
        _write(json.dumps(result, indent=1) + "\n")
        return 0
    prefixes = _prefixes()
    from credgraph.results import short

    import pyoxigraph as ox

    _write(f"triples  {result['triples']:,}\ngraphs   {result['graphs']:,}\nsources  {result['sources']:,}\n")
    if result["classes"]:
        _write("\ninstances by class\n")
        names = [short(ox.NamedNode(c), prefixes, 70) for c in result["classes"]]
        width = max(len(n) for n in names)
        for name, count in zip(names, result["classes"].values()):
            _write(f"  {name.ljust(width)}  {count:>9,}\n")
    return 0


def cmd_query(args) -> int:
    from credgraph.sparql import RDF_FORMATS, run_sparql

    if bool(args.sparql) == bool(args.file):
        raise UsageError("give the query with exactly one of --sparql TEXT or --file F.rq",
                         fix="e.g. credgraph query --sparql 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'")
    if args.file:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except OSError as exc:
            raise errors.InputError(f"cannot read query file: {exc.strerror}", where=args.file) from None
    else:
        text = args.sparql
    store = _open(args)
    result = run_sparql(store, text)
    _print_result(result, args.format)
    return 0


def _print_result(result, fmt: str) -> None:
    from credgraph.sparql import RDF_FORMATS

    if result.kind == "graph":
        if fmt in ("table",):
            fmt = "turtle"
        if fmt not in RDF_FORMATS:
            raise UsageError(f"a CONSTRUCT/DESCRIBE result cannot be written as {fmt}",
                             fix=f"use --format {'|'.join(RDF_FORMATS)}")
        _write(result.to_rdf(RDF_FORMATS[fmt], _prefixes()))
        return
    writers = {"table": lambda: result.to_table(_prefixes()), "csv": result.to_csv,
               "tsv": result.to_tsv, "json": result.to_json}
    if fmt not in writers:
        raise UsageError(f"a SELECT/ASK result cannot be written as {fmt}", fix="use --format table|csv|tsv|json")
    _write(writers[fmt]())


def cmd_export(args) -> int:
    from credgraph.export.dump import dump

    store = _open(args)
    data = dump(store, args.to, graph=args.graph, prefixes=_prefixes())
    _write(data, args.out)
    return 0


def cmd_demo(args) -> int:
    from credgraph.demo import run_demo

    return run_demo(args.store, out=sys.stdout)


# ---------------------------------------------------------------------------- parser
def _store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", metavar="PATH",
                   help="store folder (default $CREDGRAPH_STORE or ./.credgraph/store; ':memory:' for a throwaway one)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="credgraph: a linked-data knowledge graph of the credential ecosystem (CTDL).",
        epilog="Exit codes: 0 success/conforms, 1 does not conform, 2 unreadable input or wrong usage.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    def verb(name: str, summary: str, examples: str, func):
        p = verbs.add_parser(name, help=summary, description=summary,
                             epilog="examples:\n" + examples, formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(func=func)
        return p

    p = verb("load", "Load RDF, JSON-LD, registry documents/envelopes or bulk-upload CSV into the store.",
             "  credgraph load data/\n  credgraph load credential.json --store ./mystore\n"
             "  curl ... | credgraph load - --format jsonld", cmd_load)
    p.add_argument("inputs", nargs="+", metavar="FILE|DIR|-", help="files, directories (read recursively) or - for stdin")
    _store_arg(p)
    p.add_argument("--format", choices=["turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld", "csv"],
                   help="input format (default: from the file name and content; required for stdin)")
    p.add_argument("--graph", metavar="IRI", help="name the graph of a single input (default: its file:// URI)")
    p.add_argument("--context", action="append", metavar="URL=FILE",
                   help="resolve a remote JSON-LD context from a local file (repeatable; also $CREDGRAPH_CONTEXTS)")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--verbose", action="store_true", help="list skipped files")

    p = verb("sources", "List the loaded sources: origin, format, triples, graphs, load time.",
             "  credgraph sources\n  credgraph sources --format json", cmd_sources)
    _store_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = verb("stats", "Count triples, graphs, sources and instances by class.",
             "  credgraph stats\n  credgraph stats --format json", cmd_stats)
    _store_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = verb("query", "Run a SPARQL query over the store (the union of all graphs).",
             "  credgraph query --sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'\n"
             "  credgraph query --file my.rq --format csv > out.csv", cmd_query)
    _store_arg(p)
    p.add_argument("--sparql", metavar="TEXT", help="the query text")
    p.add_argument("--file", metavar="F.rq", help="a file holding the query")
    p.add_argument("--format", default="table",
                   help="table|csv|tsv|json for SELECT/ASK (json = SPARQL 1.1 results JSON); "
                        "turtle|ntriples|nquads|trig|rdfxml|jsonld for CONSTRUCT/DESCRIBE")

    p = verb("export", "Write the store's data out.",
             "  credgraph export --to trig > all.trig\n  credgraph export --to turtle --out all.ttl", cmd_export)
    _store_arg(p)
    p.add_argument("--to", required=True, choices=["turtle", "ntriples", "nquads", "trig", "jsonld"],
                   help="target format (turtle and ntriples merge the graphs; nquads, trig and jsonld keep them)")
    p.add_argument("--graph", metavar="IRI", help="only this graph")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")

    p = verb("demo", "Build a store from the project's ontology and data, validate it and show a short tour.",
             "  credgraph demo\n  credgraph demo --store :memory:", cmd_demo)
    _store_arg(p)
    return parser


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("credgraph")
    except Exception:  # noqa: BLE001 (not installed: running from a checkout)
        return "0+unknown"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return errors.EXIT_USAGE
    try:
        return args.func(args)
    except CredgraphError as exc:
        if args.debug:
            raise
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return errors.EXIT_OK
    except Exception as exc:  # noqa: BLE001 (a bug: say so in one line, never a bare traceback)
        if args.debug:
            raise
        print(f"{PROG}: internal error: {type(exc).__name__}: {exc} (run again with --debug and report it)",
              file=sys.stderr)
        return errors.EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
