"""Counts that tell what a store holds.

>>> from credgraph.store import open_store
>>> stats(open_store(":memory:"))
{'triples': 0, 'graphs': 0, 'sources': 0, 'kept_answers': 0, 'classes': {}}
"""

from __future__ import annotations

from credgraph import answers, ids

_CLASSES = f"""SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH ?g {{ ?s a ?class }} FILTER(?g != <{ids.META_GRAPH}> && ?g != <{ids.INFERRED_GRAPH}>)
}} GROUP BY ?class ORDER BY DESC(?n) ?class"""


def stats(store) -> dict:
    """Triples, graphs and sources in the store, the answers it keeps (:mod:`credgraph.answers`),
    and instances per class (asserted types)."""
    sizes = store.graph_sizes()
    classes = {s["class"].value: int(s["n"].value) for s in store.query(_CLASSES, union=False)}
    return {"triples": sum(sizes.values()), "graphs": len(sizes), "sources": len(store.sources()),
            "kept_answers": answers.kept_answers(store), "classes": classes}
