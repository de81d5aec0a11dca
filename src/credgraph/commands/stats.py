"""credgraph stats: triples, graphs, sources, instances by class."""

from __future__ import annotations

import json

import pyoxigraph as ox

from credgraph.commands._common import add_store_argument, open_store_from, prefixes, write_out

VERB = "stats"
ORDER = 30
SUMMARY = "Count triples, graphs, sources and instances by class."
EXAMPLES = ["credgraph stats", "credgraph stats --format json"]


def add_arguments(p) -> None:
    add_store_argument(p)
    p.add_argument("--format", choices=["table", "json"], default="table")


def run(args) -> int:
    from credgraph.results import short
    from credgraph.stats import stats

    result = stats(open_store_from(args))
    if args.format == "json":
        write_out(json.dumps(result, indent=1) + "\n")
        return 0
    write_out(f"triples  {result['triples']:,}\ngraphs   {result['graphs']:,}\nsources  {result['sources']:,}\n")
    if result["kept_answers"]:
        write_out(f"kept answers  {result['kept_answers']:,} (slow queries' results, until the store changes)\n")
    if result["classes"]:
        write_out("\ninstances by class\n")
        names = [short(ox.NamedNode(c), prefixes(), 70) for c in result["classes"]]
        width = max(len(n) for n in names)
        for name, count in zip(names, result["classes"].values()):
            write_out(f"  {name.ljust(width)}  {count:>9,}\n")
    return 0
