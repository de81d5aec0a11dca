"""Whole-store dumps in standard RDF syntaxes.

Formats that hold named graphs (N-Quads, TriG, JSON-LD) keep every graph, the metadata graph
included; Turtle and N-Triples merge all data graphs (the metadata graph left out).

>>> from credgraph.store import open_store
>>> from credgraph.load import load_bytes
>>> store = open_store(":memory:")
>>> _ = load_bytes(store, b"<https://ex.org/a> <https://ex.org/p> 'x' .", fmt="turtle")
>>> print(dump(store, "ntriples").decode(), end="")
<https://ex.org/a> <https://ex.org/p> "x" .
"""

from __future__ import annotations

import pyoxigraph as ox

from credgraph import ids
from credgraph.errors import UsageError
from credgraph.sparql import RDF_FORMATS

_MERGED = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{ids.META_GRAPH}>) }}"""


def dump(store, fmt: str, *, graph: str | None = None, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise the store (or one graph) as ``fmt``."""
    if fmt not in RDF_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}", fix=f"use one of {', '.join(RDF_FORMATS)}")
    target = RDF_FORMATS[fmt]
    if graph:
        node = ox.NamedNode(graph)
        if not store.inner.contains_named_graph(node):
            raise UsageError(f"the store has no graph {graph}", fix="list graphs with `credgraph sources`")
        quads = sorted(store.inner.quads_for_pattern(None, None, None, node), key=str)
        if not target.supports_datasets:
            quads = [q.triple for q in quads]
        return ox.serialize(quads, format=target, prefixes=prefixes or {})
    if target.supports_datasets:
        return store.inner.dump(format=target, prefixes=prefixes or {})
    triples = sorted(set(store.query(_MERGED, union=False)), key=str)
    return ox.serialize(triples, format=target, prefixes=prefixes or {})
