"""credgraph load: read files, folders or stdin into the store."""

from __future__ import annotations

from pathlib import Path

from credgraph.commands._common import Progress, add_store_argument, open_store_from, say

VERB = "load"
ORDER = 10
SUMMARY = "Load RDF, JSON-LD, registry documents/envelopes or bulk-upload CSV into the store."
EXAMPLES = ["credgraph load data/", "credgraph load credential.json --store ./mystore",
            "curl -s https://example.org/x.jsonld | credgraph load - --format jsonld"]


def add_arguments(p) -> None:
    from credgraph.load import INPUT_FORMATS

    p.add_argument("inputs", nargs="+", metavar="FILE|DIR|-",
                   help="files, directories (read recursively) or - for stdin")
    add_store_argument(p)
    p.add_argument("--format", choices=INPUT_FORMATS,
                   help="input format (default: from the file name and content; required for stdin)")
    p.add_argument("--graph", metavar="IRI", help="name the graph of a single input (default: its file:// URI)")
    p.add_argument("--context", action="append", metavar="URL=FILE",
                   help="resolve a remote JSON-LD context from a local file (repeatable; also $CREDGRAPH_CONTEXTS)")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--verbose", action="store_true", help="list skipped files")


def context_map(pairs: list[str] | None) -> dict[str, Path]:
    from credgraph.contexts import context_map_from_env, parse_context_option

    mapping = context_map_from_env()
    for pair in pairs or []:
        url, file = parse_context_option(pair)
        mapping[url] = Path(file)
    return mapping


def report_load(report, verbose: bool = False) -> int:
    """Print a load report's warnings, errors and summary; return the exit code."""
    for warning in report.warnings:
        say(f"warning: {warning}")
    if verbose:
        for skipped in report.skipped:
            say(f"skipped (not an RDF, JSON-LD or CSV file name): {skipped}")
    elif report.skipped:
        say(f"skipped {len(report.skipped)} file(s) with other extensions (--verbose lists them)")
    for origin, error in report.errors():
        say(f"error: {error}" if error.where else f"error: {origin}: {error}")
    summary = f"loaded {report.loaded} source(s), {report.triples:,} triples"
    if report.unchanged:
        summary += f"; {report.unchanged} unchanged (already loaded)"
    if report.failed:
        summary += f"; {report.failed} failed, nothing from them entered the store"
    say(summary)
    return report.exit_code


def run(args) -> int:
    from credgraph.load import load

    store = open_store_from(args)
    progress = Progress("loading", enabled=False if args.quiet else None)
    report = load(store, args.inputs, fmt=args.format, graph=args.graph,
                  context_map=context_map(args.context), progress=progress)
    progress.close()
    return report_load(report, args.verbose)
