"""The relational map's data: a centre's neighbours, grouped by relation and direction.

Relations and kinds are data (``map.toml``). Each (relation, direction) group shows at most
``limit`` neighbours; the rest are counted, and ``more=<relation>:<direction>`` lifts that group's
cap to ``MAX_GROUP``. That keeps a hub with hundreds of neighbours readable: the page draws one
sector per group with a "+N more" node.

The centre is bound with SPARQL substitutions (never pasted into query text); paths and kind
classes come from the project's own files and the store's class IRIs.
"""

from __future__ import annotations

import pyoxigraph as ox

from credgraph.errors import UsageError
from credgraph.namespaces import PREFIXES
from credgraph.web.view import GraphView

DEFAULT_LIMIT = 12
MAX_GROUP = 500
DIRECTIONS = ("out", "in")


def neighbours_query(path: str, direction: str, classes: list[str] | None, *, count: bool = False,
                     limit: int = DEFAULT_LIMIT) -> str:
    pattern = f"?c ({path}) ?n" if direction == "out" else f"?n ({path}) ?c"
    kind = ""
    if classes is not None:
        values = " ".join(str(ox.NamedNode(c)) for c in classes)
        kind = f" FILTER EXISTS {{ ?n a ?t . VALUES ?t {{ {values} }} }}"
    where = f"WHERE {{ {pattern} . FILTER(isIRI(?n) && ?n != ?c){kind} }}"
    if count:
        return f"SELECT ?c (COUNT(DISTINCT ?n) AS ?k) {where} GROUP BY ?c"
    return f"SELECT DISTINCT ?c ?n {where} ORDER BY ?n LIMIT {int(limit)}"


def parse_selection(value: str | None, allowed: list[str], what: str) -> list[str] | None:
    """A comma-separated choice of keys; None means all."""
    if value is None or value.strip() in ("", "all"):
        return None
    if value.strip() == "none":
        return []
    keys = [k.strip() for k in value.split(",") if k.strip()]
    unknown = [k for k in keys if k not in allowed]
    if unknown:
        raise UsageError(f"unknown {what}: {', '.join(unknown)}", fix=f"use some of: {', '.join(allowed)}")
    return keys


def map_data(view: GraphView, center: str, languages: list[str], *, relations: str | None = None,
             kinds: str | None = None, limit: int = DEFAULT_LIMIT, more: str | None = None) -> dict:
    """Nodes, edges and groups around ``center`` (JSON-ready)."""
    relation_keys = [r.key for r in view.relations]
    kind_keys = [k.key for k in view.kinds] + ["other"]
    chosen_relations = parse_selection(relations, relation_keys, "relation")
    chosen_relations = relation_keys if chosen_relations is None else chosen_relations
    chosen_kinds = parse_selection(kinds, kind_keys, "kind")
    expand = set(parse_selection(more, [f"{r}:{d}" for r in relation_keys for d in DIRECTIONS], "group") or [])
    limit = max(1, min(int(limit), MAX_GROUP))
    try:
        centre = ox.NamedNode(center)
    except ValueError:
        raise UsageError(f"not an IRI: {center!r}", fix="pass iri=<an absolute IRI>") from None
    classes = None
    if chosen_kinds is not None and "other" not in chosen_kinds:
        classes = view.classes_of_kinds(set(chosen_kinds))

    substitutions = {ox.Variable("c"): centre}
    nodes: dict[str, dict] = {}
    edges, groups = [], []
    for relation in view.relations:
        if relation.key not in chosen_relations:
            continue
        for direction in DIRECTIONS:
            key = f"{relation.key}:{direction}"
            cap = MAX_GROUP if key in expand else limit
            text = neighbours_query(relation.path, direction, classes, limit=cap + 1)
            found = [s["n"].value for s in view.store.query(text, use_default_graph_as_union=True,
                                                            substitutions=substitutions, prefixes=PREFIXES)]
            if not found:
                continue
            total = len(found)
            if total > cap:
                counted = view.store.query(neighbours_query(relation.path, direction, classes, count=True),
                                           use_default_graph_as_union=True, substitutions=substitutions,
                                           prefixes=PREFIXES)
                total = int(next(iter(counted))["k"].value)
                found = found[:cap]
            shown = []
            for iri in found:
                node = nodes.get(iri) or view.node(iri, languages)
                if chosen_kinds is not None and node["kind"] not in chosen_kinds:
                    continue
                nodes[iri] = node
                shown.append(iri)
                src, dst = (center, iri) if direction == "out" else (iri, center)
                edges.append({"id": f"{key}|{iri}", "from": src, "to": dst, "relation": relation.key,
                              "group": key, "label": relation.label})
            if shown:
                groups.append({"key": key, "relation": relation.key, "direction": direction,
                               "label": relation.label if direction == "out" else relation.inverse,
                               "total": total, "shown": len(shown), "nodes": shown})
    centre_node = view.node(center, languages)
    return {
        "center": centre_node,
        "nodes": [nodes[i] for i in sorted(nodes, key=lambda i: (nodes[i]["label"].lower(), i))],
        "edges": edges,
        "groups": groups,
        "relations": [{"key": r.key, "label": r.label, "inverse": r.inverse,
                       "selected": r.key in chosen_relations} for r in view.relations],
        "kinds": [{"key": k.key, "label": k.label,
                   "selected": chosen_kinds is None or k.key in chosen_kinds} for k in view.kinds]
                 + [{"key": "other", "label": "other", "selected": chosen_kinds is None or "other" in chosen_kinds}],
        "limit": limit,
    }
