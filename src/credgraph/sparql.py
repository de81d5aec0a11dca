"""Running SPARQL on the embedded store, with errors a user can act on.

>>> from credgraph.store import open_store
>>> store = open_store(":memory:")
>>> run_sparql(store, "ASK { ?s ?p ?o }").boolean
False
>>> run_sparql(store, "SELECT WHERE {")
Traceback (most recent call last):
...
credgraph.errors.QueryError: SPARQL syntax error: ...
"""

from __future__ import annotations

import pyoxigraph as ox

from credgraph.errors import QueryError
from credgraph.results import Result


def run_sparql(store, text: str, *, substitutions: dict | None = None) -> Result:
    """Evaluate a SPARQL query over the union of the store's graphs."""
    try:
        return Result.from_oxigraph(store.query(text, substitutions=substitutions))
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}", fix="correct the query (SPARQL 1.1 syntax)") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"query failed: {exc}") from None


def update_sparql(store, text: str) -> None:
    """Apply a SPARQL Update to the store (atomically)."""
    try:
        store.update(text)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL Update syntax error: {exc}", fix="correct the update") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"update failed: {exc}") from None


RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
