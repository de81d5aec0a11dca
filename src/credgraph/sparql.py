"""Running SPARQL on the embedded store, with errors a user can act on.

>>> from credgraph.store import open_store
>>> store = open_store(":memory:")
>>> run_sparql(store, "ASK { ?s ?p ?o }").boolean
False
>>> run_sparql(store, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
credgraph.errors.QueryError: the query uses SERVICE, which would fetch from the network; ...
>>> run_sparql(store, "SELECT WHERE {")
Traceback (most recent call last):
...
credgraph.errors.QueryError: SPARQL syntax error: ...
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from credgraph.errors import QueryError
from credgraph.results import Result

#: Strings (long and short), IRIs and comments of SPARQL text: where keywords and variables are not.
QUOTED = re.compile(r'''"""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|\#[^\n]*''',
                    re.DOTALL)
_NETWORK = re.compile(r"(?<![\w:?$.\-])(SERVICE|LOAD)(?![\w:\-])", re.IGNORECASE)


def network_operations(text: str) -> set[str]:
    """SPARQL keywords that make the engine open a network connection (SERVICE, LOAD).

    pyoxigraph has an HTTP client: ``SERVICE <url>`` in a query and ``LOAD <url>`` in an update
    fetch from the network. The server refuses both (no outbound network, no request forgery).
    Strings, IRIs and comments are blanked first, so a literal mentioning SERVICE is fine. A
    codepoint escape (``\\u0053ERVICE``) counts too, even though pyoxigraph rejects it today.
    """
    unescaped = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                       lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    found = set()
    for candidate in {text, unescaped}:
        bare = QUOTED.sub(" ", candidate)
        found |= {m.group(1).upper() for m in _NETWORK.finditer(bare)}
    return found


def refuse_network(text: str, kind: str = "query") -> None:
    """Raise :class:`QueryError` when a query or update would reach the network."""
    found = network_operations(text)
    if found:
        raise QueryError(f"the {kind} uses {' and '.join(sorted(found))}, which would fetch from the network; "
                         "credgraph never opens outbound connections",
                         fix="load the remote data first (credgraph load), or send the query to that "
                             "endpoint with --endpoint")


def run_sparql(store, text: str, *, substitutions: dict | None = None) -> Result:
    """Evaluate a SPARQL query over the union of the store's graphs (never over the network)."""
    refuse_network(text)
    try:
        return Result.from_oxigraph(store.query(text, substitutions=substitutions))
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}", fix="correct the query (SPARQL 1.1 syntax)") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"query failed: {exc}") from None


def update_sparql(store, text: str) -> None:
    """Apply a SPARQL Update to the store (atomically; LOAD and SERVICE are refused)."""
    refuse_network(text, "update")
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
