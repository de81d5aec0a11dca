"""Credential Publisher bulk-upload CSV out: one row per credential (or course/program).

The same layout :mod:`credgraph.load.csv` reads (same headers, same ``|`` and ``~``
separators, columns from ``bulk_upload_columns.json``), so a CSV read into the store and
written back gives the same rows. Values are written in one canonical form: types and concepts
by their CTDL local name (``Certificate``, ``Active``), organizations and other resources by
CTID (or their IRI when they have none; an organization without an IRI by its name), languages
by name where the mapping knows it (``English``), dates ISO, lists sorted.

Rows are ordered by CTID (resources without one last, by IRI); columns follow the mapping and
only columns with a value in some row (or required ones) are written.

A row holds one value where a column is single-valued and one embedded condition profile, cost
and duration: when the graph has more, the first in a stable order is written (the others are
not representable in this layout; use ``credgraph export --to registry`` for everything).

>>> from credgraph.store import open_store
>>> from credgraph.load import load_bytes
>>> store = open_store(":memory:")
>>> _ = load_bytes(store, b'''@prefix ceterms: <https://purl.org/ctdl/terms/> .
... <https://credentialengineregistry.org/resources/ce-1c1d7bd1-39d1-4c4b-a1b7-6e3fbd2c9a64>
...   a ceterms:Certification ; ceterms:ctid "ce-1c1d7bd1-39d1-4c4b-a1b7-6e3fbd2c9a64" ;
...   ceterms:name "Welding"@en-US ; ceterms:description "Basic welding."@en-US ;
...   ceterms:subjectWebpage <https://x.example.edu/w> .''', fmt="turtle")
>>> print(export_csv(store).decode(), end="")
CTID,Credential Type,Credential Name,Description,Subject Webpage
ce-1c1d7bd1-39d1-4c4b-a1b7-6e3fbd2c9a64,Certification,Welding,Basic welding.,https://x.example.edu/w
"""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox

from credgraph import ids
from credgraph.errors import UsageError
from credgraph.load.csv import (
    CETERMS, DEFAULT_TEXT_LANGUAGE, EXTERNAL_IDENTIFIER, RDF_TYPE, Column, local_name, mapping,
    text_language, value_key, vocabulary,
)

LAYOUTS = ("credential", "learning-opportunity")
TYPE = RDF_TYPE.value


#: credgraph's own bookkeeping and derived facts are never exported.
PRIVATE_GRAPHS = frozenset({ox.NamedNode(ids.META_GRAPH), ox.NamedNode(ids.INFERRED_GRAPH)})


class _Graph:
    """Reads descriptions out of the store (all data graphs, or one), caching per node."""

    def __init__(self, store, graph: str | None = None):
        self.inner = store.inner
        self.graph = ox.NamedNode(graph) if graph else None
        if self.graph is not None and not self.inner.contains_named_graph(self.graph):
            raise UsageError(f"the store has no graph {graph}", fix="list graphs with `credgraph sources`")
        self.cache: dict = {}

    def quads(self, s=None, p=None, o=None):
        for quad in self.inner.quads_for_pattern(s, p, o, self.graph):
            if quad.graph_name not in PRIVATE_GRAPHS:
                yield quad

    def describe(self, node) -> dict[str, list]:
        """Predicate IRI -> distinct objects; cached until :meth:`forget` (one row at a time)."""
        found = self.cache.get(node)
        if found is None:
            found = {}
            for quad in self.quads(node):
                values = found.setdefault(quad.predicate.value, [])
                if quad.object not in values:
                    values.append(quad.object)
            self.cache[node] = found
        return found

    def values(self, node, prop: str) -> list:
        return self.describe(node).get(prop, [])

    def forget(self) -> None:
        self.cache.clear()


def _type_classes(layout: str) -> tuple[Column, set[str]]:
    m, vocab = mapping(), vocabulary()
    column = next(c for c in m.columns(layout) if c.kind == "type")
    return column, set(vocab.classes[m.iri(column.spec["base"])].values())


def _resources(graph: _Graph, layout: str) -> list[ox.NamedNode]:
    """Every resource with an IRI typed with a class of the layout."""
    _, classes = _type_classes(layout)
    found: dict = {}
    for cls in sorted(classes):
        for quad in graph.quads(None, RDF_TYPE, ox.NamedNode(cls)):
            if isinstance(quad.subject, ox.NamedNode):
                found.setdefault(quad.subject, None)
    return list(found)


def _layout_of(graph: _Graph, node) -> str | None:
    types = {t.value for t in graph.values(node, TYPE) if isinstance(t, ox.NamedNode)}
    for layout in LAYOUTS:
        if types & _type_classes(layout)[1]:
            return layout
    return None


def _is_criteria(selection) -> bool:
    """A ``credgraph.export.select.Selection`` (criteria), rather than a list of IRIs."""
    return all(hasattr(selection, name) for name in ("ctids", "types", "owners", "graph"))


def _select(store, selection, layout: str | None) -> tuple[_Graph, str, list[ox.NamedNode]]:
    if layout is not None and layout not in LAYOUTS:
        raise UsageError(f"unknown CSV layout {layout!r}", fix=f"use one of {', '.join(LAYOUTS)}")
    if selection is not None and _is_criteria(selection):
        graph = _Graph(store, selection.graph)
        if not (selection.ctids or selection.types or selection.owners):
            return graph, layout or "credential", _resources(graph, layout or "credential")
        from credgraph.export.select import Reader, select_resources  # noqa: PLC0415

        chosen = [r.node for r in select_resources(Reader(store, graph=selection.graph), selection)
                  if isinstance(r.node, ox.NamedNode)]
        by_layout = {lay: [n for n in chosen if _layout_of(graph, n) == lay] for lay in LAYOUTS}
        if layout is None:  # credentials unless only learning opportunities were selected
            layout = "credential" if by_layout["credential"] or not by_layout["learning-opportunity"] \
                else "learning-opportunity"
        return graph, layout, by_layout[layout]
    graph = _Graph(store)
    if selection is None:
        layout = layout or "credential"
        return graph, layout, _resources(graph, layout)
    nodes, layouts = [], set()
    for iri in selection:
        node = ox.NamedNode(ids.normalise_iri(str(iri)))
        found = _layout_of(graph, node)
        if found is None:
            raise UsageError(f"{iri} is not a credential or learning opportunity in the store",
                             fix="select resources typed with a CTDL credential or learning opportunity class")
        layouts.add(found)
        nodes.append(node)
    if layout is None:
        if len(layouts) > 1:
            raise UsageError("the selection mixes credentials and learning opportunities; a bulk-upload CSV "
                             "holds one kind", fix="export them in two files")
        layout = layouts.pop() if layouts else "credential"
    elif layouts - {layout}:
        raise UsageError(f"the selection holds resources that are not of the {layout} layout",
                         fix="select resources of one kind")
    return graph, layout, list(dict.fromkeys(nodes))


# --------------------------------------------------------------------------------------------
# Terms back to cells
# --------------------------------------------------------------------------------------------

def _lang_rank(tag: str, preferred: str) -> tuple:
    tag = tag.lower()
    order = [preferred.lower(), DEFAULT_TEXT_LANGUAGE.lower(), "en"]
    if tag in order:
        return (order.index(tag), tag)
    return (3 if tag.startswith("en-") else 4 if tag == "" else 5, tag)


def _texts(objects: list, preferred: str) -> list[str]:
    """The literals of the best language present (all of them, for list columns)."""
    literals = [o for o in objects if isinstance(o, ox.Literal)]
    if not literals:
        return []
    best = min((_lang_rank(o.language or "", preferred) for o in literals))
    return sorted(o.value for o in literals if _lang_rank(o.language or "", preferred) == best)


def _reference(node) -> str | None:
    if isinstance(node, ox.NamedNode):
        ctid = ids.ctid_of(node.value)
        return ctid if ctid and ids.is_ctid(ctid) else node.value
    if isinstance(node, ox.Literal):
        return node.value
    return None


def _number(literal: ox.Literal) -> str:
    try:
        value = float(literal.value)
    except ValueError:
        return literal.value
    return str(int(value)) if value == int(value) and abs(value) < 1e21 else repr(value)


class _RowWriter:
    def __init__(self, graph: _Graph, layout: str):
        self.graph = graph
        self.layout = layout
        self.m = mapping()
        self.vocab = vocabulary()
        self.code_names = {code: name for name, code in self.m.languages.items()}

    # -- embedded nodes ------------------------------------------------------------------
    def _signature(self, node) -> tuple:
        return tuple(sorted((p, o.value if not isinstance(o, ox.BlankNode) else "")
                            for p, objects in self.graph.describe(node).items() for o in objects))

    def _pick(self, candidates: list):
        return min(candidates, key=self._signature) if candidates else None

    def nodes(self, subject) -> tuple[dict[str, object], str | None]:
        """The embedded node written for each node name, and the condition's linking property."""
        found: dict[str, object] = {"resource": subject}
        condition_property = None
        for name in ("credit", "duration", "condition", "condition.credit", "cost"):
            spec = self.m.node(name)
            parent = found.get(spec["parent"])
            if parent is None:
                continue
            if spec["property"]:
                candidates = self.graph.values(parent, self.m.iri(spec["property"]))
            else:  # the condition profile: the first condition property that has one
                candidates = []
                for display, prop in self.m.condition_types.items():
                    candidates = [o for o in self.graph.values(parent, prop) if not isinstance(o, ox.Literal)]
                    if candidates:
                        condition_property = display
                        break
            candidates = [o for o in candidates if not isinstance(o, ox.Literal)]
            chosen = self._pick(candidates)
            if chosen is not None:
                found[name] = chosen
        return found, condition_property

    # -- cells ---------------------------------------------------------------------------
    def cell(self, column: Column, node, lang: str, condition_property: str | None) -> str:
        kind = column.kind
        if kind == "condition-type":
            return condition_property or ""
        if kind in ("ctid", "ignored") or node is None:
            return ""
        objects = self.graph.describe(node).get(column.property)
        if not objects:
            return ""
        values = self.values(column, objects, lang)
        if not values:
            return ""
        if column.is_list:
            return self.m.list_separator.join(sorted(dict.fromkeys(values)))
        return sorted(values)[0]

    def values(self, column: Column, objects: list, lang: str) -> list[str]:
        kind, g = column.kind, self.graph
        if kind == "text":
            return _texts(objects, lang)
        if kind in ("string", "date", "currency", "duration"):
            return [o.value for o in objects if isinstance(o, ox.Literal)]
        if kind == "iri":
            return [o.value for o in objects if not isinstance(o, ox.BlankNode)]
        if kind == "number":
            return [_number(o) for o in objects if isinstance(o, ox.Literal)]
        if kind == "language":
            codes = [o.value for o in objects if isinstance(o, ox.Literal)]
            return [self.code_names.get(c, self.code_names.get(c.lower(), c)) for c in sorted(codes)]
        if kind == "type":
            return [self.type_name(column, objects)] if self.type_name(column, objects) else []
        if kind == "concept":
            return [v for v in (self.concept(column, o, lang) for o in objects) if v]
        if kind in ("organization", "resource"):
            out = []
            for o in objects:
                ref = _reference(o)
                if ref is None and kind == "organization":
                    names = _texts(g.values(o, CETERMS + "name"), lang)
                    ref = names[0] if names else None
                if ref:
                    out.append(ref)
            return out
        if kind in ("identifier", "external-id"):
            out = []
            for o in objects:
                codes = [c.value for c in g.values(o, CETERMS + "identifierValueCode") if isinstance(c, ox.Literal)]
                names = [n.value for n in g.values(o, CETERMS + "identifierTypeName") if isinstance(n, ox.Literal)]
                if not codes:
                    continue
                is_external = EXTERNAL_IDENTIFIER in names
                if kind == "external-id" and is_external:
                    out.append(min(codes))
                elif kind == "identifier" and not is_external:
                    type_name = min(_texts(g.values(o, CETERMS + "identifierTypeName"), lang) or [""])
                    out.append(f"{type_name}{self.m.pair_separator}{min(codes)}" if type_name else min(codes))
            return out
        if kind == "alignment-name":
            out = []
            for o in objects:
                names = _texts(g.values(o, CETERMS + "targetNodeName"), lang)
                if names:
                    out.append(names[0])
            return out
        if kind == "alignment-framework":  # alignment objects naming a whole framework
            return [ref for o in objects if not g.values(o, CETERMS + "targetNode")
                    for f in g.values(o, CETERMS + "framework") if (ref := _reference(f))]
        if kind == "alignment-code":
            return [min(c.value for c in codes) for o in objects
                    if (codes := [c for c in g.values(o, CETERMS + "codedNotation") if isinstance(c, ox.Literal)])]
        raise AssertionError(f"unknown column kind {kind}")  # pragma: no cover

    def type_name(self, column: Column, objects: list) -> str | None:
        classes = self.vocab.classes[self.m.iri(column.spec["base"])]
        members = set(classes.values())
        types = {o.value for o in objects if isinstance(o, ox.NamedNode)} & members
        specific = [t for t in types if not any(t in self.vocab.superclasses.get(u, ()) for u in types if u != t)]
        return local_name(min(specific)) if specific else None

    def concept(self, column: Column, obj, lang: str) -> str | None:
        table = self.vocab.concepts.get(self.m.iri(column.spec["scheme"]), {})
        members = set(table.values())
        if isinstance(obj, ox.NamedNode):
            return local_name(obj.value) if obj.value in members else obj.value
        if isinstance(obj, ox.BlankNode):  # a CredentialAlignmentObject, as registry data has them
            for target in self.graph.values(obj, CETERMS + "targetNode"):
                if isinstance(target, ox.NamedNode) and target.value in members:
                    return local_name(target.value)
            for name in _texts(self.graph.values(obj, CETERMS + "targetNodeName"), lang):
                if value_key(name) in table:
                    return local_name(table[value_key(name)])
        return None

    # -- one row -------------------------------------------------------------------------
    def row(self, subject, columns: list[Column]) -> tuple[str, dict[str, str]]:
        g = self.graph
        g.forget()  # memory stays bounded by one resource's description
        ctids = sorted(o.value for o in g.values(subject, CETERMS + "ctid") if isinstance(o, ox.Literal))
        ctid = ctids[0] if ctids else (ids.ctid_of(subject.value) or "")
        if ctid and not ids.is_ctid(ctid):
            ctid = ctid if ctids else ""
        languages = [o.value for o in g.values(subject, CETERMS + "inLanguage") if isinstance(o, ox.Literal)]
        lang = text_language(sorted(languages))
        nodes, condition_property = self.nodes(subject)
        cells: dict[str, str] = {}
        for column in columns:
            if column.kind == "ctid":
                cells[column.id] = ctid
                continue
            node = nodes.get(column.node) if column.node else None
            cells[column.id] = self.cell(column, node, lang, condition_property if "condition" in nodes else None)
        return ctid, cells


def export_rows(store, selection=None, *, layout: str | None = None) -> tuple[str, list[Column], list[dict]]:
    """The layout, the columns written and one ``{column id: cell}`` dict per resource."""
    graph, layout, subjects = _select(store, selection, layout)
    m = mapping()
    columns = [c for c in m.columns(layout) if c.kind != "ignored"]
    writer = _RowWriter(graph, layout)
    keyed = []
    for subject in subjects:
        ctid, cells = writer.row(subject, columns)
        keyed.append(((ctid == "", ctid, subject.value), cells))
    rows = [cells for _, cells in sorted(keyed, key=lambda item: item[0])]
    used = [c for c in columns if c.required or any(r[c.id] for r in rows)]
    return layout, used, rows


def export_csv(store, selection=None, *, layout: str | None = None) -> bytes:
    """The bulk-upload CSV of ``selection`` (None = every credential in the store).

    ``selection`` is a list of resource IRIs, or a :class:`credgraph.export.select.Selection`
    (``--ctid/--type/--owner/--graph`` criteria). ``layout`` is ``"credential"`` (default) or
    ``"learning-opportunity"`` (courses and programs); with a selection and no layout, it is
    taken from the selected resources' types (credentials first).
    """
    _, columns, rows = export_rows(store, selection, layout=layout)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([row[c.id] for c in columns])
    return out.getvalue().encode("utf-8")
