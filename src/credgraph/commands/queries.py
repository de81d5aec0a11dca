"""credgraph queries: list the canned query catalog."""

from __future__ import annotations

import json

from credgraph.commands._common import add_store_argument, open_store_from, say, write_out

VERB = "queries"
ORDER = 41
SUMMARY = "List the canned queries (title and parameters), or describe one."
EXAMPLES = ["credgraph queries",
            "credgraph queries stackability",
            "credgraph queries stackability/stacks-into",
            "credgraph queries --format json > catalog.json",
            "credgraph queries research --keep    # after a load: answer and keep the research questions"]


def add_arguments(p) -> None:
    p.add_argument("name", nargs="?", metavar="NAME|GROUP",
                   help="a query (e.g. stackability/stacks-into) to describe, or a group to list")
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="table (default) or json (every header field)")
    p.add_argument("--keep", action="store_true",
                   help="run each listed query that needs no parameter on the store, so that the "
                        "store keeps the answers of the slow ones until it changes (e.g. after a "
                        "load); prints each one's time and rows")
    add_store_argument(p)


def run(args) -> int:
    from credgraph.catalog import catalog, get_query

    queries = list(catalog().values())
    if args.name:
        group = args.name.strip("/")
        in_group = [q for q in queries if q.group == group]
        if in_group:
            queries = in_group
        else:
            query = get_query(args.name)
            if args.keep:
                return keep_answers([query], open_store_from(args))
            if args.format == "json":
                write_out(json.dumps(query.to_json(), indent=2, ensure_ascii=False) + "\n")
            else:
                write_out(describe(query))
            return 0
    if args.keep:
        return keep_answers(queries, open_store_from(args))
    if args.format == "json":
        write_out(json.dumps([q.to_json() for q in queries], indent=2, ensure_ascii=False) + "\n")
    else:
        write_out(listing(queries))
    return 0


def keep_answers(queries, store) -> int:
    """Run the queries that need no parameter, one line each: seconds, rows, kept or not."""
    import time

    from credgraph.answers import KEEP_AFTER
    from credgraph.catalog import EmbeddedTarget

    target = EmbeddedTarget(store)
    runnable = [q for q in queries if not any(p.required for p in q.params)]
    say(f"running {len(runnable)} of {len(queries)} queries (the others need a parameter)")
    kept = 0
    for q in runnable:
        bindings = q.bind({}, resolver=target.resolve_ctid)
        started = time.perf_counter()
        result = target.run(q.text, bindings)
        seconds = time.perf_counter() - started
        size = f"{len(result.rows):,} rows" if result.kind == "select" else result.kind
        if result.kept_at is not None:
            state = "kept before"
        elif target.is_kept(q.text, bindings):
            state = "kept"
        else:
            state = "fast: not kept" if seconds < KEEP_AFTER else "not kept (too big)"
        kept += state.startswith("kept")
        write_out(f"{seconds:9.2f} s  {size:>12}  {state:<15}  {q.name}\n")
    say(f"the store keeps {kept} of these answers until it changes")
    return 0


def listing(queries) -> str:
    """One block per query: name and title, then its parameters."""
    lines = []
    for q in queries:
        lines.append(f"{q.name}  —  {q.title}")
        lines.append(f"    params: {q.params_summary()}")
    lines.append(f"({len(queries)} quer{'y' if len(queries) == 1 else 'ies'}; "
                 "`credgraph queries NAME` describes one, `credgraph query NAME --param k=v` runs it)")
    return "\n".join(lines) + "\n"


def describe(q) -> str:
    """A query's header in full: title, description, parameters, columns, research questions."""
    import textwrap

    wrap = lambda text, indent: textwrap.fill(text, 96, initial_indent=indent, subsequent_indent=indent)  # noqa: E731
    out = [q.name, wrap(q.title, "  "), ""]
    if q.description:
        out += [wrap(q.description, "  "), ""]
    out.append("parameters:" if q.params else "parameters: none")
    for p in q.params:
        out.append(wrap(f"{p.describe()} — {p.meaning}", "  "))
    out.append("columns:")
    for c in q.columns:
        out.append(wrap(f"{c.name} — {c.meaning}", "  "))
    if q.research:
        out.append("research questions: " + ", ".join(str(n) for n in q.research))
    example = " ".join(f"--param {p.name}=..." for p in q.params if p.required)
    out += ["", f"run: credgraph query {q.name} {example}".rstrip()]
    return "\n".join(out) + "\n"
