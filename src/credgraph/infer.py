"""OWL-RL inference (owlrl) over the store, materialised into its own named graph.

What goes into the reasoner is what can yield new links between resources: the vocabulary's
axioms (subclass, subproperty, inverse, equivalence, disjointness, domain/range, property
characteristics) and the data's non-literal triples. Labels, descriptions and other literals
cannot derive anything OWL-RL queries care about here and would only slow the reasoner down.
What comes out, minus what went in and minus OWL-RL's trivial conclusions (reflexive ``owl:sameAs``,
``rdfs:subClassOf`` and the like, statements about the built-in RDF/RDFS/OWL vocabulary), is written to
``https://w3id.org/credgraph/graph/inferred`` as one atomic replace, like any loaded source:
re-running after a change replaces the old conclusions; re-running unchanged is a no-op.

>>> from credgraph.store import open_store
>>> from credgraph.load import load_bytes
>>> store = open_store(":memory:")
>>> _ = load_bytes(store, b'''@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... <https://ex.org/Cert> rdfs:subClassOf <https://ex.org/Credential> .
... <https://ex.org/c1> a <https://ex.org/Cert> .''', fmt="turtle")
>>> infer(store).added
1
>>> bool(store.query("ASK { GRAPH <https://w3id.org/credgraph/graph/inferred> "
...                  "{ <https://ex.org/c1> a <https://ex.org/Credential> } }"))
True
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pyoxigraph as ox

from credgraph import ids
from credgraph.store import SourceRecord

SOURCE_IRI = "urn:credgraph:source:owl-rl-inference"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
BUILTIN = (RDF, RDFS, OWL, "http://www.w3.org/2001/XMLSchema#")

# The axioms OWL-RL reasons with (a literal-free subset of the vocabulary).
_AXIOM_PREDICATES = [RDFS + p for p in ("subClassOf", "subPropertyOf", "domain", "range")] + \
    [OWL + p for p in ("inverseOf", "equivalentClass", "equivalentProperty", "disjointWith",
                       "unionOf", "intersectionOf", "propertyChainAxiom", "sameAs", "hasValue",
                       "onProperty", "someValuesFrom", "allValuesFrom")] + [RDF + "first", RDF + "rest"]

_INPUT = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(?g NOT IN (<{ids.META_GRAPH}>, <{ids.INFERRED_GRAPH}>))
  FILTER(!isLiteral(?o))
  FILTER(?p != <{RDF}type> || !STRSTARTS(STR(?o), "{RDFS}") || ?o IN (<{RDFS}Class>))
}}"""


@dataclass
class InferenceResult:
    input_triples: int
    added: int
    unchanged: bool


def _closure(triples: list[ox.Triple]) -> set[tuple[str, str, str]]:
    """OWL-RL closure (owlrl on rdflib) of literal-free triples, as (s, p, o) N-Triples strings."""
    import owlrl  # noqa: PLC0415 (slow import, only needed here)
    import rdflib  # noqa: PLC0415

    def term(t):  # blank node labels are kept, so conclusions can be matched back to the input
        return rdflib.BNode(t.value) if isinstance(t, ox.BlankNode) else rdflib.URIRef(t.value)

    graph = rdflib.Graph()
    for t in triples:
        graph.add((term(t.subject), term(t.predicate), term(t.object)))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(graph)
    return {(s.n3(), p.n3(), o.n3()) for s, p, o in graph
            if not isinstance(o, rdflib.Literal) and not isinstance(s, rdflib.Literal)}


_REFLEXIVE = {f"<{OWL}sameAs>", f"<{RDFS}subClassOf>", f"<{RDFS}subPropertyOf>",
              f"<{OWL}equivalentClass>", f"<{OWL}equivalentProperty>"}


def _trivial(s: str, p: str, o: str) -> bool:
    if s == o and p in _REFLEXIVE:
        return True
    if s.startswith(tuple(f"<{b}" for b in BUILTIN)):
        return True  # conclusions about rdf:type, owl:Thing and friends themselves
    # "x is an owl:Thing / rdfs:Resource / owl:ObjectProperty": true of everything of its kind
    return p == f"<{RDF}type>" and o.startswith(tuple(f"<{b}" for b in BUILTIN))


def infer(store) -> InferenceResult:
    """Materialise OWL-RL conclusions into the inferred graph (atomically, replacing old ones)."""
    triples = sorted(store.query(_INPUT, union=False), key=str)
    digest = hashlib.sha256("\n".join(map(str, triples)).encode()).hexdigest()
    if store.source_sha(SOURCE_IRI) == digest:
        return InferenceResult(len(triples), 0, unchanged=True)
    asserted = {(str(t.subject), str(t.predicate), str(t.object)) for t in triples}
    new = sorted(t for t in _closure(triples) - asserted if not _trivial(*t))
    graph = ox.NamedNode(ids.INFERRED_GRAPH)
    quads = list(ox.parse("\n".join(f"{s} {p} {o} ." for s, p, o in new).encode(), ox.RdfFormat.N_TRIPLES,
                          rename_blank_nodes=False)) if new else []
    quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]
    record = SourceRecord(iri=SOURCE_IRI, origin="OWL-RL inference (owlrl)", sha256=digest, format="owl-rl",
                          default_graph=ids.INFERRED_GRAPH)
    [outcome] = list(store.write([(record, quads)]))
    return InferenceResult(len(triples), outcome.triples, unchanged=False)
