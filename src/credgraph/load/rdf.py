"""RDF syntaxes parsed by pyoxigraph: Turtle, N-Triples, N-Quads, TriG, RDF/XML (and JSON-LD).

Parsing is lazy: quads stream to the store in chunks, and a syntax error part-way raises
:class:`InputError` naming the file, line and column; the store then rolls the source back.

>>> raw = read_bytes(b"<http://a> <http://b> 'x' .", origin="bad.nt")
>>> list(parse_rdf(raw, "ntriples"))
Traceback (most recent call last):
...
credgraph.errors.InputError: bad.nt line 1 column 23: ...
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Iterator

import pyoxigraph as ox

from credgraph import ids
from credgraph.errors import InputError
from credgraph.load.reading import RawInput, read_bytes  # noqa: F401  (read_bytes: doctest)

FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}

_POSITION = re.compile(r"^Parser error (?:at|between) (line \d+ (?:column|between columns) \d+)"
                       r"(?: and \d+| and line \d+ column \d+)?: (.*?)(?: \(line \d+\))?$", re.S)
_EXTERNAL_ENTITY = re.compile(rb"<!(?:DOCTYPE|ENTITY)[^>]*\b(?:SYSTEM|PUBLIC)\b", re.I)


def syntax_error(exc: Exception, origin: str, fmt: str) -> InputError:
    """Turn a pyoxigraph SyntaxError into one clear line with file, line and column."""
    text = str(exc).strip()
    match = _POSITION.match(text)
    if match:
        where, message = f"{origin} {match.group(1)}", match.group(2)
    else:
        where, message = origin, text
    return InputError(f"{message}", where=where,
                      fix=f"correct the {fmt_label(fmt)} syntax there")


def fmt_label(fmt: str) -> str:
    return {"turtle": "Turtle", "ntriples": "N-Triples", "nquads": "N-Quads", "trig": "TriG",
            "rdfxml": "RDF/XML", "jsonld": "JSON-LD", "csv": "CSV"}.get(fmt, fmt)


def check_rdfxml(raw: RawInput) -> None:
    """Refuse RDF/XML declaring external entities or an external DTD (XXE): never fetched."""
    if _EXTERNAL_ENTITY.search(raw.text):
        raise InputError("RDF/XML declares an external entity or DTD (SYSTEM/PUBLIC), "
                         "which credgraph refuses to resolve", where=raw.origin,
                         fix="remove the DOCTYPE's external declarations; inline entities are fine")
    check_well_formed(raw)


def check_well_formed(raw: RawInput) -> None:
    """Refuse XML that is not well-formed. pyoxigraph's RDF/XML parser accepts a document cut
    off after any ``>`` (unclosed elements at the end are not reported), which would load a
    truncated file in part; expat reads the whole text first and says where it breaks.

    >>> check_well_formed(read_bytes(b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="x">', origin="cut.rdf"))
    Traceback (most recent call last):
    ...
    credgraph.errors.InputError: cut.rdf line 1 column 45: not well-formed XML: no element found ...
    """
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(raw.text, True)
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(f"not well-formed XML: {xml.parsers.expat.ErrorString(exc.code)}",
                         where=f"{raw.origin} line {exc.lineno} column {exc.offset + 1}",
                         fix="the file may be truncated or damaged: check that every element is "
                             "closed, or export it again") from None
    except LookupError as exc:  # the XML declaration names an encoding nobody knows
        raise InputError(f"the XML declaration names an unknown encoding ({exc})", where=raw.origin,
                         fix='declare encoding="UTF-8" (credgraph reads UTF-8 and UTF-16)') from None


def normalise_quad(q: ox.Quad) -> ox.Quad:
    """Rewrite legacy http:// CTDL/registry IRIs in a quad to their https:// forms."""

    def fix(term):
        if isinstance(term, ox.NamedNode):
            value = ids.normalise_iri(term.value)
            return term if value == term.value else ox.NamedNode(value)
        if isinstance(term, ox.Literal) and term.datatype.value.startswith("http://purl.org/ctdl"):
            return ox.Literal(term.value, datatype=ox.NamedNode(ids.normalise_iri(term.datatype.value)))
        return term

    return ox.Quad(fix(q.subject), fix(q.predicate), fix(q.object),
                   q.graph_name if isinstance(q.graph_name, ox.DefaultGraph) else fix(q.graph_name))


def parse_rdf(raw: RawInput, fmt: str, base_iri: str | None = None) -> Iterator[ox.Quad]:
    """Quads of an RDF document, lazily; legacy IRIs normalised when the text has any."""
    if fmt == "rdfxml":
        check_rdfxml(raw)
    try:
        parser = ox.parse(raw.text, FORMATS[fmt], base_iri=base_iri, rename_blank_nodes=True)
        if raw.legacy:
            for q in parser:
                yield normalise_quad(q)
        else:
            yield from parser
    except SyntaxError as exc:
        raise syntax_error(exc, raw.origin, fmt) from None
    except ValueError as exc:  # e.g. a relative IRI with no base
        raise InputError(str(exc), where=raw.origin, fix=f"correct the {fmt_label(fmt)} there") from None
