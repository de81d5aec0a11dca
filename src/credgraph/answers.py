"""Kept answers: the results of slow queries, kept in the store until the store changes.

A whole-graph research question (credentials by type, by state and provider, ...) reads every
credential: seconds at 100k credentials, minutes at 1M, however the query is written. Its answer
only changes when the data does, so the first time a SELECT or ASK takes at least
:data:`KEEP_AFTER` seconds its results are written into the store's metadata graph
(SPARQL 1.1 results JSON, at most :data:`KEEP_MAX_BYTES`), and the same query text is answered
from there until the next change to the store.

Validity does not depend on timing. The store holds a *generation*
(``<urn:credgraph:store> cg:answersGeneration "uuid"`` in the metadata graph); every change made
through :class:`credgraph.store.Store` (loads, updates, dropped sources, recovery, the server's
graph writes) first deletes the generation and every kept answer, and no answer is kept while a
change is under way. An answer is kept under the generation read *before* the query ran and
served only while that generation is still the store's, so an answer computed across a change
is never served. Writing to the RocksDB folder with another tool (pyoxigraph directly) bypasses
this: run ``credgraph query --fresh`` afterwards, or any credgraph write.

>>> from credgraph.store import open_store
>>> store = open_store(":memory:")
>>> first = answer(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", keep_after=0.0)
>>> first.kept_at is None, answer(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").kept_at is not None
(True, True)
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import pyoxigraph as ox

from credgraph import ids

#: A query's results are kept when computing them took at least this many seconds (the catalog's
#: questions about one resource take 2-350 ms even at 1M credentials; the whole-graph ones 0.8 s
#: and more at 100k).
KEEP_AFTER = 0.25
#: Results bigger than this (as SPARQL results JSON) are not kept: 16 MiB is ~100k rows.
KEEP_MAX_BYTES = 16 << 20

META = ox.NamedNode(ids.META_GRAPH)
STORE_NODE = ox.NamedNode("urn:credgraph:store")
KEPT_ANSWER = ox.NamedNode(ids.CG + "KeptAnswer")
P_GENERATION = ox.NamedNode(ids.CG + "answersGeneration")
P_RESULTS = ox.NamedNode(ids.CG + "answerResults")
P_SECONDS = ox.NamedNode(ids.CG + "answerSeconds")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV_GENERATED = ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime")
XSD = "http://www.w3.org/2001/XMLSchema#"

#: One update that forgets every kept answer and the generation (run before any change).
FORGET = (f"DELETE WHERE {{ GRAPH <{META.value}> {{ ?a a <{KEPT_ANSWER.value}> ; ?p ?o }} }} ;\n"
          f"DELETE WHERE {{ GRAPH <{META.value}> {{ <{STORE_NODE.value}> <{P_GENERATION.value}> ?g }} }}")


@dataclass
class Kept:
    """An answer found in the store: when it was computed, and how long that took."""

    at: str
    seconds: float


def answer(store, text: str, *, substitutions: dict | None = None, fresh: bool = False,
           keep_after: float | None = None):
    """The :class:`~credgraph.results.Result` of ``text`` on ``store``, from a kept answer when
    the store has one for it (``result.kept_at`` then says when it was computed), else computed
    (and kept if it took at least ``keep_after`` seconds, :data:`KEEP_AFTER` by default).
    ``fresh=True`` computes it again (and keeps that)."""
    from credgraph.sparql import run_sparql  # noqa: PLC0415 (sparql imports results only)

    key = _key(text, substitutions)
    generation = None if store.is_changing() else _generation(store)
    if generation is not None and not fresh:
        found = _find(store, key, generation)
        if found is not None:
            return found
    started = time.perf_counter()
    result = run_sparql(store, text, substitutions=substitutions)
    seconds = time.perf_counter() - started
    limit = KEEP_AFTER if keep_after is None else keep_after
    if seconds >= limit and result.kind != "graph" and not store.is_changing():
        _keep(store, key, result, seconds, generation)
    return result


def forget_all(inner: ox.Store) -> None:
    """Delete every kept answer and the generation (cheap: they are a few triples)."""
    inner.update(FORGET)


def kept_answers(store) -> int:
    """How many answers the store keeps (valid or not)."""
    return sum(1 for _ in store.inner.quads_for_pattern(None, RDF_TYPE, KEPT_ANSWER, META))


# ------------------------------------------------------------------------------------ internals
def _key(text: str, substitutions: dict | None) -> ox.NamedNode:
    data = text
    if substitutions:
        data += "\n" + "\n".join(sorted(f"{k} {v}" for k, v in substitutions.items()))
    return ox.NamedNode("urn:credgraph:answer:" + hashlib.sha256(data.encode("utf-8")).hexdigest())


def _generation(store) -> str | None:
    """The store's generation, made when it has none; None when it cannot be written."""
    for q in store.inner.quads_for_pattern(STORE_NODE, P_GENERATION, None, META):
        return q.object.value
    made = str(uuid.uuid4())
    try:
        store.inner.update(f"INSERT {{ GRAPH <{META.value}> {{ <{STORE_NODE.value}> <{P_GENERATION.value}> \"{made}\" }} }} "
                           f"WHERE {{ FILTER NOT EXISTS {{ GRAPH <{META.value}> {{ <{STORE_NODE.value}> <{P_GENERATION.value}> ?g }} }} }}")
    except (OSError, RuntimeError, ValueError):  # a read-only store keeps nothing
        return None
    if store.is_changing():  # a change began meanwhile: its FORGET may have run before the insert
        return None
    for q in store.inner.quads_for_pattern(STORE_NODE, P_GENERATION, None, META):
        return q.object.value
    return None


def _find(store, key: ox.NamedNode, generation: str):
    from credgraph.remote import result_from_json  # noqa: PLC0415

    found = {q.predicate: q.object for q in store.inner.quads_for_pattern(key, None, None, META)}
    if found.get(P_GENERATION) != ox.Literal(generation) or P_RESULTS not in found:
        return None
    result = result_from_json(found[P_RESULTS].value.encode("utf-8"), "a kept answer")
    result.kept_at = found[PROV_GENERATED].value if PROV_GENERATED in found else None
    result.kept_seconds = float(found[P_SECONDS].value) if P_SECONDS in found else None
    return result


def _keep(store, key: ox.NamedNode, result, seconds: float, generation: str | None) -> None:
    if generation is None:
        return
    body = result.to_json()
    if len(body.encode("utf-8")) > KEEP_MAX_BYTES:
        return
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    quads = [ox.Quad(key, RDF_TYPE, KEPT_ANSWER, META),
             ox.Quad(key, P_GENERATION, ox.Literal(generation), META),
             ox.Quad(key, P_RESULTS, ox.Literal(body), META),
             ox.Quad(key, P_SECONDS, ox.Literal(f"{seconds:.3f}", datatype=ox.NamedNode(XSD + "decimal")), META),
             ox.Quad(key, PROV_GENERATED, ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime")), META)]
    try:
        for q in list(store.inner.quads_for_pattern(key, None, None, META)):  # an older answer
            store.inner.remove(q)
        store.inner.extend(quads)
    except (OSError, RuntimeError, ValueError):  # a read-only store keeps nothing
        return
    if _current(store) != generation:  # the store changed meanwhile: never served, so tidy up
        for q in quads:
            store.inner.remove(q)


def _current(store) -> str | None:
    for q in store.inner.quads_for_pattern(STORE_NODE, P_GENERATION, None, META):
        return q.object.value
    return None
