"""Search over names, alternative names and descriptions (case-insensitive substring).

It is one SPARQL query, ``CONTAINS(LCASE(STR(?text)), ?needle)``, over the store itself rather
than an index built at start: answers follow updates at once, memory stays flat, and at this
project's scale (tens of thousands of triples) a scan takes milliseconds. At registry scale
(millions of literals) a scan takes seconds; that is the point to add a full-text index.
The needle is bound with SPARQL substitutions, never pasted into the query text.
"""

from __future__ import annotations

import pyoxigraph as ox

from credgraph.web.view import ALT_NAME_PROPERTIES, DESCRIPTION_PROPERTIES, NAME_PROPERTIES, GraphView, _iri

MAX_HITS = 100
VOCABULARY_CLASSES = [_iri(c) for c in ("rdfs:Class", "owl:Class", "rdf:Property", "owl:ObjectProperty",
                                        "owl:DatatypeProperty", "owl:AnnotationProperty", "skos:ConceptScheme")]
RANKS = ([(p, 0) for p in NAME_PROPERTIES] + [(p, 1) for p in ALT_NAME_PROPERTIES]
         + [(p, 2) for p in DESCRIPTION_PROPERTIES])
MATCHED_ON = {0: "name", 1: "other name", 2: "description"}


def search_query(include_vocabulary: bool) -> str:
    values = " ".join(f"({p} {rank})" for p, rank in RANKS)
    vocab = ""
    if not include_vocabulary:
        classes = " ".join(f"<{c}>" for c in VOCABULARY_CLASSES)
        vocab = f"FILTER NOT EXISTS {{ ?s a ?vt . VALUES ?vt {{ {classes} }} }}"
    return f"""SELECT ?s ?needle (MIN(?rank) AS ?best) (SAMPLE(?text) AS ?hit) WHERE {{
      VALUES (?p ?rank) {{ {values} }}
      ?s ?p ?text .
      FILTER(isIRI(?s) && isLiteral(?text) && CONTAINS(LCASE(STR(?text)), ?needle))
      {vocab}
    }} GROUP BY ?s ?needle ORDER BY ?best ?s LIMIT {MAX_HITS * 3}"""


def search(view: GraphView, text: str, languages: list[str], *, kind: str | None = None,
           include_vocabulary: bool = False, limit: int = MAX_HITS) -> list[dict]:
    """Resources whose name, other name or description contains ``text`` (any case)."""
    needle = " ".join(text.split()).lower()
    if not needle:
        return []
    solutions = view.store.query(search_query(include_vocabulary), use_default_graph_as_union=True,
                                 substitutions={ox.Variable("needle"): ox.Literal(needle)})
    hits = []
    for s in solutions:
        node = view.node(s["s"].value, languages)
        if kind and node["kind"] != kind:
            continue
        rank = int(s["best"].value)
        node.update(matched=MATCHED_ON[rank], rank=rank, snippet=snippet(s["hit"].value, needle) if rank else None)
        hits.append(node)
    hits.sort(key=lambda h: (h["rank"], not h["label"].lower().startswith(needle), h["label"].lower(), h["id"]))
    return hits[:limit]


def snippet(text: str, needle: str, width: int = 160) -> str:
    """A window of ``text`` around the first match of ``needle``.

    >>> snippet("a" * 100 + " welding " + "b" * 100, "welding", 30)
    '…aaaaaaaaaa welding bbbbbbbbbbb…'
    """
    at = text.lower().find(needle)
    if at < 0 or len(text) <= width:
        return text if len(text) <= width else text[:width - 1] + "…"
    start = max(0, at - (width - len(needle)) // 2)
    end = min(len(text), start + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
