"""credgraph queries: list the canned query catalog."""

from __future__ import annotations

import json

from credgraph.commands._common import write_out

VERB = "queries"
ORDER = 41
SUMMARY = "List the canned queries (title and parameters), or describe one."
EXAMPLES = ["credgraph queries",
            "credgraph queries stackability",
            "credgraph queries stackability/stacks-into",
            "credgraph queries --format json > catalog.json"]


def add_arguments(p) -> None:
    p.add_argument("name", nargs="?", metavar="NAME|GROUP",
                   help="a query (e.g. stackability/stacks-into) to describe, or a group to list")
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="table (default) or json (every header field)")


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
            if args.format == "json":
                write_out(json.dumps(query.to_json(), indent=2, ensure_ascii=False) + "\n")
            else:
                write_out(describe(query))
            return 0
    if args.format == "json":
        write_out(json.dumps([q.to_json() for q in queries], indent=2, ensure_ascii=False) + "\n")
    else:
        write_out(listing(queries))
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
