"""Query results as plain Python, and their standard serialisations.

One :class:`Result` type serves the embedded store and remote endpoints alike, so both print
byte-identical CSV, TSV and SPARQL 1.1 JSON. Terms are pyoxigraph terms.

>>> import pyoxigraph as ox
>>> r = Result(variables=["name", "n"],
...            rows=[{"name": ox.Literal("Welder", language="en"), "n": ox.Literal("3", datatype=ox.NamedNode(XSD + "integer"))}])
>>> r.to_csv().splitlines()
['name,n', 'Welder,3']
>>> r.to_python()
[{'name': 'Welder', 'n': 3}]
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                 "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                 "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOATS = {XSD + "float", XSD + "double"}


@dataclass
class Result:
    """A SELECT table, an ASK boolean, or the triples of a CONSTRUCT/DESCRIBE."""

    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None
    #: For an answer kept in the store (:mod:`credgraph.answers`): when it was computed, and in how long.
    kept_at: str | None = field(default=None, compare=False)
    kept_seconds: float | None = field(default=None, compare=False)

    @property
    def kind(self) -> str:
        return "ask" if self.boolean is not None else "graph" if self.triples is not None else "select"

    @classmethod
    def from_oxigraph(cls, results) -> "Result":
        if isinstance(results, (bool, ox.QueryBoolean)):
            return cls(boolean=bool(results))
        if isinstance(results, ox.QuerySolutions):
            variables = [v.value for v in results.variables]
            rows = []
            for solution in results:
                row = {}
                for name in variables:
                    term = solution[name]
                    if term is not None:
                        row[name] = term
                rows.append(row)
            return cls(variables=variables, rows=rows)
        return cls(triples=list(results))

    # ------------------------------------------------------------------ plain Python
    def to_python(self) -> list[dict] | bool:
        """Rows as dicts of plain values (str, int, float, Decimal, bool); ASK gives a bool."""
        if self.boolean is not None:
            return self.boolean
        return [{k: python_value(v) for k, v in row.items()} for row in self.rows]

    def to_dataframe(self):
        """A pandas DataFrame (pandas must be installed: ``pip install pandas``)."""
        try:
            import pandas as pd  # noqa: PLC0415 (optional dependency)
        except ImportError:
            raise ImportError("to_dataframe() needs pandas: pip install pandas") from None
        return pd.DataFrame(self.to_python(), columns=self.variables)

    # ------------------------------------------------------------------ SPARQL 1.1 formats
    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON."""
        if self.boolean is not None:
            return json.dumps({"head": {}, "boolean": self.boolean}) + "\n"
        bindings = [{k: term_json(v) for k, v in row.items()} for row in self.rows]
        return json.dumps({"head": {"vars": self.variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False) + "\n"

    def to_csv(self) -> str:
        """SPARQL 1.1 Query Results CSV (plain values, CRLF line ends as the spec says)."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        if self.boolean is not None:
            writer.writerow(["boolean"])
            writer.writerow(["true" if self.boolean else "false"])
            return buf.getvalue()
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow([csv_value(row.get(v)) for v in self.variables])
        return buf.getvalue()

    def to_tsv(self) -> str:
        """SPARQL 1.1 Query Results TSV (terms in Turtle/N-Triples syntax)."""
        if self.boolean is not None:
            return "?boolean\n" + ("true" if self.boolean else "false") + "\n"
        lines = ["\t".join("?" + v for v in self.variables)]
        for row in self.rows:
            lines.append("\t".join(str(row[v]) if v in row else "" for v in self.variables))
        return "\n".join(lines) + "\n"

    def to_table(self, prefixes: dict[str, str] | None = None, max_width: int = 60) -> str:
        """An aligned text table for people; IRIs shortened with ``prefixes``."""
        if self.boolean is not None:
            return ("yes" if self.boolean else "no") + "\n"
        if self.triples is not None:
            return f"{len(self.triples)} triples (use --format turtle to see them)\n"
        cells = [[short(row.get(v), prefixes, max_width) for v in self.variables] for row in self.rows]
        widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(self.variables)]
        line = "  ".join(v.ljust(w) for v, w in zip(self.variables, widths)).rstrip()
        out = [line, "  ".join("-" * w for w in widths)]
        out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
        out.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(out) + "\n"

    def to_rdf(self, fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
        if self.triples is None:
            raise ValueError("only CONSTRUCT and DESCRIBE results are RDF graphs")
        return ox.serialize(self.triples, format=fmt, prefixes=prefixes or {})


def python_value(term):
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        try:
            if dt in _INTEGERS:
                return int(term.value)
            if dt == XSD + "decimal":
                return Decimal(term.value)
            if dt in _FLOATS:
                return float(term.value)
            if dt == XSD + "boolean":
                return term.value in ("true", "1")
        except ValueError:
            return term.value
        return term.value
    return term.value if isinstance(term, ox.NamedNode) else "_:" + term.value


def csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def term_from_json(binding: dict):
    """The inverse of :func:`term_json` (also accepts the legacy "typed-literal" type)."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if "xml:lang" in binding:
        return ox.Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:
        return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(value)


def short(term, prefixes: dict[str, str] | None, max_width: int) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        text = term.value
        for prefix, iri in (prefixes or {}).items():
            if text.startswith(iri) and len(text) > len(iri):
                text = f"{prefix}:{text[len(iri):]}"
                break
    elif isinstance(term, ox.BlankNode):
        text = "_:" + term.value
    else:
        text = term.value.replace("\n", " ")
    return text if len(text) <= max_width else text[: max_width - 1] + "…"
