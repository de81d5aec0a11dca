"""Compare the compiled engine with pySHACL on the same store: the evidence that they agree.

Both sides are reduced to result keys ``(graph, focus, path, value, component, severity)``:
document-scope shapes are run by pySHACL on each document graph alone, store-scope shapes on the
union of all document graphs, exactly the semantics the engine implements.

>>> from credgraph.store import open_store
>>> from credgraph.load import load_bytes
>>> store = open_store(":memory:")
>>> _ = load_bytes(store, b'<https://ex.org/a> a <https://purl.org/ctdl/terms/Certification> .', fmt="turtle")
>>> diff = compare(store, ("registry-minimum",))
>>> diff.only_engine, diff.only_reference, len(diff.agreed) > 5
([], [], True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from credgraph.validate.engine import document_graphs, engine_for
from credgraph.validate.profiles import shapes_graph
from credgraph.validate.reference import graph_of, run_pyshacl, term_key


@dataclass
class Comparison:
    agreed: list = field(default_factory=list)
    only_engine: list = field(default_factory=list)
    only_reference: list = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.only_engine and not self.only_reference


def engine_keys(store, profiles) -> set[tuple]:
    engine = engine_for(tuple(profiles))
    keys = set()
    for raw in engine.run(store.inner):
        keys.add((raw.graph, term_key(raw.focus), raw.path, term_key(raw.value),
                  raw.component or raw.check.component, raw.severity or raw.check.severity))
    return keys


def reference_keys(store, profiles) -> set[tuple]:
    engine = engine_for(tuple(profiles))
    scope_of: dict[str, str] = {}
    for check in engine.checks:
        scope_of[check.shape] = check.scope
        scope_of[check.node_shape] = check.scope
    documents = document_graphs(store.inner)
    keys = set()
    for profile in profiles:
        shapes = shapes_graph(profile)
        nodes = sorted({c.node_shape for c in engine.checks if c.profile == profile and c.scope == "store"})
        doc_nodes = sorted({c.node_shape for c in engine.checks if c.profile == profile and c.scope == "document"})
        for graph in documents:
            if not doc_nodes:
                break
            for res in run_pyshacl(graph_of(store.inner, [graph]), shapes, use_shapes=doc_nodes):
                keys.add((graph, res.focus, res.path, res.value, res.component, res.severity))
        if nodes and documents:
            for res in run_pyshacl(graph_of(store.inner, documents), shapes, use_shapes=nodes):
                keys.add((None, res.focus, res.path, res.value, res.component, res.severity))
    return keys


def compare(store, profiles) -> Comparison:
    ours, theirs = engine_keys(store, profiles), reference_keys(store, profiles)
    return Comparison(agreed=sorted(ours & theirs, key=str), only_engine=sorted(ours - theirs, key=str),
                      only_reference=sorted(theirs - ours, key=str))
