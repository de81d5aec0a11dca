"""credgraph sources: what is loaded, from where, when."""

from __future__ import annotations

import json

from credgraph.commands._common import add_store_argument, open_store_from, say, write_out

VERB = "sources"
ORDER = 20
SUMMARY = "List the loaded sources: origin, format, triples, graphs, load time."
EXAMPLES = ["credgraph sources", "credgraph sources --format json"]


def add_arguments(p) -> None:
    add_store_argument(p)
    p.add_argument("--format", choices=["table", "json"], default="table")


def run(args) -> int:
    rows = open_store_from(args).sources()
    if args.format == "json":
        write_out(json.dumps(rows, indent=1) + "\n")
        return 0
    if not rows:
        say("the store holds no sources yet (credgraph load FILE ...)")
        return 0
    width = max(len(r["origin"]) for r in rows)
    for r in rows:
        write_out(f"{r['origin'].ljust(width)}  {r['format']:<17} {r['triples']:>9,} triples  "
                  f"{len(r['graphs'])} graph(s)  {r['loaded']}\n")
    return 0
