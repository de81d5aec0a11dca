"""Kept answers: the results of slow queries, kept in the store until the store changes.

A whole-graph research question (credentials by type, by state and provider, ...) reads every
credential: seconds at 100k credentials, minutes at 1M, however the query is written. Its answer
only changes when the data does, so the first time a SELECT or ASK takes at least
:data:`KEEP_AFTER` seconds its results are written into the store's metadata graph
(compact JSON, :func:`encode`, at most :data:`KEEP_MAX_BYTES`), and the same query text is answered
from there until the next change to the store.

Validity does not depend on timing. Every change made through
:class:`credgraph.store.Store` (loads, updates, dropped sources, recovery, the server's graph
writes) first deletes every kept answer and the store's *generation*
(``<urn:credgraph:store> cg:answersGeneration "uuid"``), and an answer is kept only if no change
began since before its query ran (:class:`Ticket`; the store holds changes off while it is
written), under the generation, made anew by the first answer kept after a change. So an answer
computed across a change is never kept, and one kept by an earlier process is given only while
the store holds the generation it was kept under. Writing to the RocksDB folder with another
tool (pyoxigraph directly) bypasses this: run ``credgraph query --fresh`` afterwards, or any
credgraph write. Use one :class:`~credgraph.store.Store` per store in a process.

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
from functools import lru_cache

import pyoxigraph as ox

from credgraph import ids

#: A query's results are kept when computing them took at least this many seconds (the catalog's
#: questions about one resource take 2-350 ms even at 1M credentials; the whole-graph ones 0.8 s
#: and more at 100k).
KEEP_AFTER = 0.25
#: Results bigger than this (as :func:`encode` writes them) are not kept: 16 MiB is ~130k rows of
#: stacks-into-nothing's table (5 columns, 25,332 rows: 3.2 MB).
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


def answer(store, text: str, *, substitutions: dict | None = None, fresh: bool = False,
           keep_after: float | None = None):
    """The :class:`~credgraph.results.Result` of ``text`` on ``store``, from a kept answer when
    the store has one for it (``result.kept_at`` then says when it was computed), else computed
    (and kept if it took at least ``keep_after`` seconds, :data:`KEEP_AFTER` by default).
    ``fresh=True`` computes it again (and keeps that)."""
    from credgraph.sparql import run_sparql  # noqa: PLC0415 (sparql imports results only)

    found, ticket = lookup(store, text, substitutions, fresh=fresh)
    if found is not None:
        return found
    started = time.perf_counter()
    result = run_sparql(store, text, substitutions=substitutions)
    seconds = time.perf_counter() - started
    if seconds >= (KEEP_AFTER if keep_after is None else keep_after):
        keep(store, text, substitutions, result, seconds, ticket)
    return result


@dataclass(frozen=True)
class Ticket:
    """What :func:`lookup` saw before the query ran; :func:`keep` keeps nothing if it changed."""

    changes: int | None      # Store.change_count(): None while a change was under way
    generation: str | None   # the store's generation (None: no answer kept since the last change)


def lookup(store, text: str, substitutions: dict | None = None, *, fresh: bool = False):
    """``(kept result or None, ticket)``: the answer the store keeps for ``text``, and the ticket
    to :func:`keep` a computed one with. Take it *before* computing: that is what makes an
    answer computed across a change never kept."""
    ticket = Ticket(store.change_count(), _current(store))
    if ticket.changes is None or ticket.generation is None or fresh:
        return None, ticket
    return _find(store, _key(text, substitutions), ticket.generation), ticket


def keep(store, text: str, substitutions: dict | None, result, seconds: float, ticket: Ticket) -> bool:
    """Keep ``result`` (computed in ``seconds`` after :func:`lookup` gave ``ticket``) unless it is
    a graph, bigger than :data:`KEEP_MAX_BYTES`, or the store changed since; True if kept."""
    if result.kind == "graph":
        return False
    return keep_encoded(store, text, substitutions, encode(result), seconds, ticket)


def keep_encoded(store, text: str, substitutions: dict | None, body: str, seconds: float,
                 ticket: Ticket) -> bool:
    """:func:`keep` for a result :func:`encode` has written already (the server's query workers
    send their results so)."""
    if len(body.encode("utf-8")) > KEEP_MAX_BYTES:
        return False
    key = _key(text, substitutions)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with store.unchanged_since(ticket.changes) as unchanged:  # no change begins while this runs
        generation = _current(store)
        if not unchanged or generation != ticket.generation:
            return False
        quads = []
        if generation is None:  # the first answer kept since the last change
            generation = str(uuid.uuid4())
            quads.append(ox.Quad(STORE_NODE, P_GENERATION, ox.Literal(generation), META))
        quads += [ox.Quad(key, RDF_TYPE, KEPT_ANSWER, META),
                  ox.Quad(key, P_GENERATION, ox.Literal(generation), META),
                  ox.Quad(key, P_RESULTS, ox.Literal(body), META),
                  ox.Quad(key, P_SECONDS, ox.Literal(f"{seconds:.3f}", datatype=ox.NamedNode(XSD + "decimal")), META),
                  ox.Quad(key, PROV_GENERATED, ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime")), META)]
        try:
            for q in list(store.inner.quads_for_pattern(key, None, None, META)):  # an older answer
                store.inner.remove(q)
            store.inner.extend(quads)
        except (OSError, RuntimeError, ValueError):  # a read-only store keeps nothing
            return False
    return True


def forget_all(inner: ox.Store) -> None:
    """Delete every kept answer and the generation (cheap: they are a few triples)."""
    inner.update(FORGET)


def is_kept(store, text: str, substitutions: dict | None = None) -> bool:
    """Whether the store keeps an answer for ``text`` it would give (without reading it back)."""
    generation = None if store.is_changing() else _current(store)
    if generation is None:
        return False
    key = _key(text, substitutions)
    return any(q.object == ox.Literal(generation)
               for q in store.inner.quads_for_pattern(key, P_GENERATION, None, META))


def kept_answers(store) -> int:
    """How many answers the store keeps (valid or not)."""
    return sum(1 for _ in store.inner.quads_for_pattern(None, RDF_TYPE, KEPT_ANSWER, META))


# ------------------------------------------------------------------------------------ internals
def _key(text: str, substitutions: dict | None) -> ox.NamedNode:
    data = text
    if substitutions:
        data += "\n" + "\n".join(sorted(f"{k} {v}" for k, v in substitutions.items()))
    return ox.NamedNode("urn:credgraph:answer:" + hashlib.sha256(data.encode("utf-8")).hexdigest())


def _find(store, key: ox.NamedNode, generation: str):
    found = {q.predicate: q.object for q in store.inner.quads_for_pattern(key, None, None, META)}
    if found.get(P_GENERATION) != ox.Literal(generation):
        return None
    try:
        result = decode(found[P_RESULTS].value)
        result.kept_at = found[PROV_GENERATED].value
        result.kept_seconds = float(found[P_SECONDS].value)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):  # not ours to read: compute it
        return None
    return result


def encode(result) -> str:
    """A SELECT or ASK result as compact JSON: each distinct term written once, rows as indexes
    into that list. Reading a kept answer is building its terms (~1 µs each): a whole-graph answer
    repeats most of its terms (types, states, organizations), and SPARQL results JSON, which
    writes every binding out in full, took 4x as long to read back (25k rows: 390 ms).

    >>> import pyoxigraph as ox
    >>> from credgraph.results import Result
    >>> r = Result(variables=["s", "n"], rows=[{"s": ox.NamedNode("http://x/a"), "n": ox.Literal("1")},
    ...                                         {"s": ox.NamedNode("http://x/a")}])
    >>> encode(r)
    '{"vars":["s","n"],"terms":["http://x/a",["1"]],"rows":[[0,1],[0,-1]]}'
    >>> decode(encode(r)) == r
    True
    """
    if result.boolean is not None:
        return json.dumps({"boolean": result.boolean})
    index: dict = {}
    terms: list = []
    rows = []
    for row in result.rows:
        out = []
        for name in result.variables:
            term = row.get(name)
            if term is None:
                out.append(-1)
                continue
            at = index.get(term)
            if at is None:
                at = index[term] = len(terms)
                terms.append(_term_json(term))
            out.append(at)
        rows.append(out)
    return json.dumps({"vars": result.variables, "terms": terms, "rows": rows},
                      ensure_ascii=False, separators=(",", ":"))


def decode(text: str):
    """The :class:`~credgraph.results.Result` :func:`encode` wrote."""
    from credgraph.results import Result  # noqa: PLC0415

    data = json.loads(text)
    if "boolean" in data:
        return Result(boolean=data["boolean"])
    names = data["vars"]
    terms = [_term(t) for t in data["terms"]]
    get = terms.__getitem__
    rows = [dict(zip(names, map(get, row))) if -1 not in row else
            {name: terms[i] for name, i in zip(names, row) if i >= 0} for row in data["rows"]]
    return Result(variables=names, rows=rows)


def _term_json(term):
    """An IRI as its string; a literal as [lexical], [lexical, "@lang"] or [lexical, datatype];
    a blank node as {"b": id}."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return {"b": term.value}
    if term.language:
        return [term.value, "@" + term.language]
    if term.datatype.value == XSD + "string":
        return [term.value]
    return [term.value, term.datatype.value]


def _term(data):
    if isinstance(data, str):
        return ox.NamedNode(data)
    if isinstance(data, dict):
        return ox.BlankNode(data["b"])
    if len(data) == 1:
        return ox.Literal(data[0])
    if data[1].startswith("@"):
        return ox.Literal(data[0], language=data[1][1:])
    return ox.Literal(data[0], datatype=_datatype(data[1]))


@lru_cache(maxsize=64)
def _datatype(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _current(store) -> str | None:
    for q in store.inner.quads_for_pattern(STORE_NODE, P_GENERATION, None, META):
        return q.object.value
    return None
