"""credgraph export: write the store's data out."""

from __future__ import annotations

from credgraph.commands._common import add_store_argument, open_store_from, prefixes, write_out

VERB = "export"
ORDER = 70
SUMMARY = "Write the store's data out."
EXAMPLES = ["credgraph export --to trig > all.trig", "credgraph export --to turtle --out all.ttl"]
DUMP_FORMATS = ["turtle", "ntriples", "nquads", "trig", "jsonld"]


def add_arguments(p) -> None:
    add_store_argument(p)
    p.add_argument("--to", required=True, choices=DUMP_FORMATS,
                   help="target format (turtle and ntriples merge the graphs; nquads, trig and jsonld keep them)")
    p.add_argument("--graph", metavar="IRI", help="only this graph")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")


def run(args) -> int:
    from credgraph.export.dump import dump

    write_out(dump(open_store_from(args), args.to, graph=args.graph, prefixes=prefixes()), args.out)
    return 0
