"""credgraph load: read files, folders or stdin into the store."""

from __future__ import annotations

from pathlib import Path

from credgraph.commands._common import (Progress, add_endpoint_arguments, add_store_argument, endpoint_from,
                                        open_store_from, say)

VERB = "load"
ORDER = 10
SUMMARY = "Load RDF, JSON-LD, registry documents/envelopes or bulk-upload CSV into the store."
EXAMPLES = ["credgraph load data/", "credgraph load credential.json --store ./mystore",
            "curl -s https://example.org/x.jsonld | credgraph load - --format jsonld",
            "credgraph load data/ --endpoint http://localhost:7878/query --push-method update"]


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
    add_validation_arguments(p)
    add_endpoint_arguments(p, "load into").add_argument(
        "--push-method", choices=("gsp", "update"), default="gsp",
        help="with --endpoint: Graph Store Protocol PUT per graph (gsp, default) or SPARQL Update "
             "DROP GRAPH + INSERT DATA per graph (update)")


def add_validation_arguments(p) -> None:
    """--validate / --force / --profile: validation on load (see docs/validation.md)."""
    from credgraph.validate import profile_choices

    group = p.add_argument_group("validation on load")
    group.add_argument("--validate", action="store_true",
                       help="admit a document only if it has no violation (warnings are reported and admitted); "
                            "a refused document's report goes to stderr")
    group.add_argument("--force", action="store_true",
                       help="validate, but admit every document and store its report with it (implies --validate)")
    group.add_argument("--profile", action="append", choices=profile_choices(), metavar="PROFILE",
                       help="profile(s) to validate against (repeatable; implies --validate; default: registry "
                            "and structure)")


def admission_from(args):
    """The loader's admission hook for --validate / --force / --profile, or None."""
    if not (args.validate or args.force or args.profile):
        return None
    from credgraph.validate import admission

    def on_report(origin, report) -> None:
        if not report.conforms and not args.force:
            say(f"refused: {origin} (its violations below; `credgraph validate {origin}` lists warnings too)")
            for line in report.to_text(severities=("Violation",)).rstrip("\n").splitlines():
                say("  " + line if line else "")
        elif report.results:
            c = report.counts
            kept = "admitted with its report stored" if args.force else "admitted"
            say(f"validated: {origin}: {c['Violation']} violation(s), {c['Warning']} warning(s), "
                f"{c['Info']} info(s); {kept}")

    return admission(args.profile, force=args.force, on_report=on_report)


def context_map(pairs: list[str] | None) -> dict[str, Path]:
    from credgraph.contexts import context_map_from_env, parse_context_option

    mapping = context_map_from_env()
    for pair in pairs or []:
        url, file = parse_context_option(pair)
        mapping[url] = Path(file)
    return mapping


#: After a load of at least this many triples into a store on disk, suggest ``credgraph compact``.
COMPACT_HINT_TRIPLES = 1_000_000


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

    endpoint = endpoint_from(args)
    store = open_store_from(args) if endpoint is None else _throwaway_store()
    progress = Progress("loading", enabled=False if args.quiet else None)
    report = load(store, args.inputs, fmt=args.format, graph=args.graph,
                  context_map=context_map(args.context), progress=progress, admit=admission_from(args),
                  keep_outcomes=False)  # counts only: a million-document load holds no outcome per document
    progress.close()
    code = report_load(report, args.verbose)
    if endpoint is not None and report.loaded:
        push(store, endpoint, args.push_method)
    elif store.path is not None and report.triples >= COMPACT_HINT_TRIPLES:
        from credgraph.store import COMPACT_SECONDS_PER_GIB

        where = f" --store {args.store}" if args.store else ""
        say(f"tip: a load this big leaves the store in many files; `credgraph compact{where}` rewrites "
            f"them so that queries read fewer (about {COMPACT_SECONDS_PER_GIB} s per GiB of store)")
    return code


def _throwaway_store():
    from credgraph.store import open_store

    return open_store(":memory:")


def push(store, endpoint, method: str) -> None:
    """Send what this load read (a graph per source, and its metadata graph) to the endpoint,
    replacing graphs of the same name there."""
    from credgraph.remote import push_sources

    pushed = push_sources(endpoint, store, method=method)
    say(f"pushed {len(pushed.graphs)} graph(s), {pushed.triples:,} triples to {endpoint.url} "
        f"({'Graph Store Protocol' if method == 'gsp' else 'SPARQL Update'})")
