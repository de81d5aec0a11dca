"""pySHACL, the reference SHACL processor: runs the same shapes on the same data.

The compiled engine is checked against it (``tests/test_validate_parity.py``), runs it for shapes
the compiler does not translate, and the benchmark uses it as the baseline. Terms cross from
pyoxigraph to rdflib unchanged (blank node ids included), so results compare one to one.

>>> import pyoxigraph as ox
>>> to_rdflib(ox.Literal("6", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#float"))).n3()
'"6"^^<http://www.w3.org/2001/XMLSchema#float>'
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef

from credgraph.validate.compile import SH, path_sparql


def to_rdflib(term):
    """A pyoxigraph term as the equal rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise TypeError(f"unsupported term {term!r}")


def term_key(term) -> str | None:
    """A comparable text form of an rdflib or pyoxigraph term (None stays None)."""
    if term is None:
        return None
    if not isinstance(term, (URIRef, BNode, Literal)):
        term = to_rdflib(term)
    return term.n3()


def graph_of(store_inner: ox.Store, graphs) -> rdflib.Graph:
    """An rdflib graph holding the triples of some named graphs of a pyoxigraph store."""
    out = rdflib.Graph()
    for g in graphs:
        node = ox.NamedNode(g) if isinstance(g, str) else g
        for q in store_inner.quads_for_pattern(None, None, None, node):
            out.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return out


@dataclass(frozen=True)
class ReferenceResult:
    focus: str
    path: str | None
    value: str | None
    component: str
    severity: str
    shape: str

    def key(self) -> tuple:
        return (self.focus, self.path, self.value, self.component, self.severity)


def shapes_subgraph(shapes: rdflib.Graph, roots) -> rdflib.Graph:
    """The part of a shapes graph that some shapes need (pySHACL's ``use_shapes`` skips targets)."""
    from rdflib import RDF, RDFS  # noqa: PLC0415

    out = rdflib.Graph()
    todo, seen = [URIRef(r) if isinstance(r, str) else r for r in roots], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in shapes.predicate_objects(node):
            out.add((node, p, o))
            if p not in (RDF.type, RDFS.seeAlso) and isinstance(o, (BNode, URIRef)) and (o, None, None) in shapes:
                todo.append(o)
    return out


def run_pyshacl(data: rdflib.Graph, shapes: rdflib.Graph, use_shapes: list[str] | None = None) -> list[ReferenceResult]:
    """Validate ``data`` with pySHACL (SHACL-SPARQL enabled) and return its results.

    ``use_shapes`` restricts the run to some node shapes (and what they reference).
    """
    import logging  # noqa: PLC0415

    import pyshacl  # noqa: PLC0415

    # rdflib logs a traceback for every ill-typed literal it meets (e.g. "September"^^xsd:date);
    # pySHACL reports those as results, which is all we need from them.
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    if use_shapes:
        shapes = shapes_subgraph(shapes, use_shapes)
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes, advanced=True, inference="none",
                                              allow_warnings=True, allow_infos=True)
    if not isinstance(report, rdflib.Graph):
        raise RuntimeError(f"pySHACL failed: {report}")
    return parse_report(report)


def parse_report(report: rdflib.Graph) -> list[ReferenceResult]:
    out = []
    for result in report.objects(None, SH.result):
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        shape = report.value(result, SH.sourceShape)
        out.append(ReferenceResult(
            focus=term_key(report.value(result, SH.focusNode)),
            path=path_sparql(report, path) if path is not None else None,
            value=term_key(value) if value is not None else None,
            component=str(report.value(result, SH.sourceConstraintComponent)),
            severity=str(report.value(result, SH.resultSeverity)),
            shape=str(shape) if isinstance(shape, URIRef) else "",
        ))
    return out
