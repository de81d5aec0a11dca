"""Validation reports: results a publisher can act on, as text, JSON or a SHACL ValidationReport.

Everything is sorted and blank nodes get labels computed from their place and content, so the same
input gives the same output, byte for byte.

>>> r = ValidationResult(severity="Violation", focus="<https://ex.org/c>", resource="https://ex.org/c",
...     ctid=None, name="Widget Certificate", resource_type="ceterms:Certificate", location=(),
...     path="ceterms:description", path_sparql="<https://purl.org/ctdl/terms/description>", value=None,
...     value_display=None, message="A credential needs a description.", fix="add ceterms:description",
...     shape="https://ex.org/shape", component="http://www.w3.org/ns/shacl#MinCountConstraintComponent",
...     profile="registry-minimum", graph="file:///c.ttl", source="c.ttl")
>>> report = Report([r], profiles=("registry-minimum",), documents=1)
>>> report.conforms, report.counts
(False, {'Violation': 1, 'Warning': 0, 'Info': 0})
>>> print(report.to_text().splitlines()[-1])
1 document: 1 violation, 0 warnings, 0 infos -- does not conform
"""

from __future__ import annotations

import heapq
import io
import json
import pickle
import shutil
import zlib
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _encode_string
from pathlib import Path
from typing import NamedTuple

SEVERITIES = ("Violation", "Warning", "Info")
RANK = {s: i for i, s in enumerate(SEVERITIES)}
SH = "http://www.w3.org/ns/shacl#"


class ValidationResult(NamedTuple):
    """One finding: which resource, which property, which value, what is wrong and how to fix it."""

    severity: str                 # Violation, Warning or Info
    focus: str                    # the focus node (N-Triples; blank nodes get stable labels)
    resource: str | None          # the top-level resource the focus belongs to (IRI)
    ctid: str | None              # that resource's CTID
    name: str | None              # and its name
    resource_type: str | None     # and its type (CURIE)
    location: tuple               # properties leading from the resource to a blank-node focus
    path: str | None              # the result path, compact (CURIEs)
    path_sparql: str | None       # the result path in SPARQL syntax
    value: str | None             # the offending value (N-Triples)
    value_display: str | None     # the offending value, compact
    message: str                  # what is wrong (and how to fix it), in plain words
    fix: str | None               # the fix, on its own
    shape: str                    # source shape
    component: str                # SHACL constraint component IRI
    profile: str                  # which profile (shapes file) the shape belongs to
    graph: str | None             # the document (named graph) the result is about
    source: str | None            # where that document was loaded from
    see_also: tuple = ()          # the rule's source (policy page, term page)

    def sort_key(self) -> tuple:
        """The order of a report: by document, resource, place, property, severity, ...; every
        field breaks ties, so equal results are adjacent and the order never depends on input order."""
        return (self.source or "", self.graph or "", self.ctid or "", self.resource or "", self.location,
                self.focus, self.path or "", RANK[self.severity], self.component, self.value or "",
                self.shape, self.message, *("" if v is None else v for v in self))

    @property
    def component_curie(self) -> str:
        return "sh:" + self.component.rsplit("#", 1)[-1]


@dataclass
class Report:
    """The outcome of validating some documents against some profiles."""

    results: list[ValidationResult]
    profiles: tuple = ()
    documents: int = 0
    errors: list = field(default_factory=list)       # inputs that could not be read (one line each)
    notes: list = field(default_factory=list)        # e.g. which shapes ran on pySHACL

    def __post_init__(self):
        if not isinstance(self.results, SpilledResults):  # those are sorted already
            self.results = sorted(set(self.results), key=ValidationResult.sort_key)
        self._counts: dict[str, int] | None = None

    @classmethod
    def empty(cls, profiles=()) -> "Report":
        return cls([], profiles=profiles)

    def close(self) -> None:
        """Delete the files of results spilled to disk (a report of a large store; nothing otherwise)."""
        if isinstance(self.results, SpilledResults):
            self.results.close()

    @property
    def counts(self) -> dict[str, int]:
        if self._counts is None:
            counts = {s: 0 for s in SEVERITIES}
            for r in self.results:
                counts[r.severity] += 1
            self._counts = counts
        return dict(self._counts)

    @property
    def conforms(self) -> bool:
        """True when no result is a Violation (warnings and infos allowed)."""
        return self.counts["Violation"] == 0

    @property
    def verdict(self) -> str:
        counts = self.counts
        return "violations" if counts["Violation"] else "warnings" if counts["Warning"] or counts["Info"] else "conforms"

    @property
    def exit_code(self) -> int:
        """2 if an input was unreadable, else 1 if there are violations, else 0."""
        return 2 if self.errors else 0 if self.conforms else 1

    # ------------------------------------------------------------------ text
    def summary(self) -> str:
        c = self.counts
        docs = f"{self.documents} document{'s' if self.documents != 1 else ''}"
        parts = [f"{c['Violation']} violation{'s' if c['Violation'] != 1 else ''}",
                 f"{c['Warning']} warning{'s' if c['Warning'] != 1 else ''}",
                 f"{c['Info']} info{'s' if c['Info'] != 1 else ''}"]
        verdict = "conforms" if self.conforms else "does not conform"
        return f"{docs}: {', '.join(parts)} -- {verdict}"

    def to_text(self, *, severities: tuple = SEVERITIES) -> str:
        """Results grouped by document and resource (named by CTID and name), then counts."""
        out = io.StringIO()
        self.write_text(out, severities=severities)
        return out.getvalue()

    def write_text(self, out, *, severities: tuple = SEVERITIES) -> None:
        """:meth:`to_text`, written to the text file ``out`` as the results are read."""
        lines = [f"Validation against: {', '.join(self.profiles)}", ""]
        shown = 0
        current_doc = current_res = None
        for r in self.results:
            if r.severity not in severities:
                continue
            shown += 1
            if len(lines) >= 1000:
                out.write("\n".join(lines) + "\n")
                lines = []
            doc = r.source or r.graph or "(store)"
            if doc != current_doc:
                if current_doc is not None:
                    lines.append("")
                lines.append(f"== {doc}")
                current_doc, current_res = doc, None
            res_key = (r.resource, r.ctid, r.name)
            if res_key != current_res:
                lines.append("")
                lines.append("  " + resource_heading(r))
                current_res = res_key
            where = ""
            if r.location:
                where = "at " + " > ".join(r.location) + ": "
            prop = r.path or "(the resource itself)"
            value = f" = {r.value_display}" if r.value_display is not None and r.value != r.focus else ""
            lines.append(f"    {r.severity.upper():<9} {where}{prop}{value}")
            lines.append(f"              {r.message}")
            if r.fix:
                lines.append(f"              fix: {r.fix}")
        if shown:
            lines.append("")
        for note in self.notes:
            lines.append(f"note: {note}")
        for error in self.errors:
            lines.append(f"error: {error}")
        lines.append(self.summary())
        out.write("\n".join(lines) + "\n")

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict:
        return {**self._json_head(), "results": [result_dict(r) for r in self.results]}

    def _json_head(self) -> dict:
        return {
            "conforms": self.conforms,
            "profiles": list(self.profiles),
            "documents": self.documents,
            "counts": self.counts,
            "errors": list(self.errors),
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        out = io.StringIO()
        self.write_json(out)
        return out.getvalue()

    def write_json(self, out) -> None:
        """:meth:`to_json` (the same text as ``json.dumps(to_dict(), indent=2, sort_keys=True)``),
        written to ``out`` as the results are read ("results" is the last key)."""
        head = json.dumps(self._json_head(), indent=2, sort_keys=True, ensure_ascii=False)
        out.write(head[:-2] + ',\n  "results": [')
        sep = "\n"
        for r in self.results:
            out.write(sep + result_json(r))
            sep = ",\n"
        out.write("]\n}\n" if sep == "\n" else "\n  ]\n}\n")

    # ------------------------------------------------------------------ Turtle
    def to_turtle(self) -> str:
        """A standard ``sh:ValidationReport`` (sh:conforms is false only for violations)."""
        out = io.StringIO()
        self.write_turtle(out)
        return out.getvalue()

    def write_turtle(self, out) -> None:
        """:meth:`to_turtle`, written to ``out`` as the results are read."""
        out.write("\n".join(["@prefix sh: <http://www.w3.org/ns/shacl#> .",
                             "@prefix cgv: <https://w3id.org/credgraph/shapes/vocab#> .",
                             "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .", "",
                             "[] a sh:ValidationReport ;",
                             f"    sh:conforms {'true' if self.conforms else 'false'}"]))
        sep = " ;\n    sh:result "
        for r in self.results:
            props = [f"a sh:ValidationResult", f"sh:focusNode {r.focus}"]
            if r.path_sparql:
                props.append(f"sh:resultPath {turtle_path(r.path_sparql)}")
            if r.value is not None:
                props.append(f"sh:value {r.value}")
            props += [f"sh:resultSeverity sh:{r.severity}", f"sh:sourceShape {as_node(r.shape)}",
                      f"sh:sourceConstraintComponent <{r.component}>",
                      f"sh:resultMessage {json.dumps(r.message, ensure_ascii=False)}@en"]
            if r.fix:
                props.append(f"cgv:fix {json.dumps(r.fix, ensure_ascii=False)}@en")
            if r.graph:
                props.append(f"cgv:graph <{r.graph}>")
            out.write(sep + "[\n        " + " ;\n        ".join(props) + "\n    ]")
            sep = " ,\n    "
        out.write(" .\n")

    def report_quads(self, graph: str):
        """The Turtle report as pyoxigraph quads in ``graph`` (for storing with a loaded source)."""
        import pyoxigraph as ox  # noqa: PLC0415

        node = ox.NamedNode(graph)
        return [ox.Quad(t.subject, t.predicate, t.object, node)
                for t in ox.parse(self.to_turtle().encode(), format=ox.RdfFormat.TURTLE)]


def result_dict(r: ValidationResult) -> dict:
    """One result as the JSON report writes it."""
    return {**r._asdict(), "location": list(r.location), "see_also": list(r.see_also),
            "component": r.component_curie}


def result_json(r: ValidationResult, indent: str = "    ") -> str:
    """``json.dumps(result_dict(r), indent=2, sort_keys=True, ensure_ascii=False)``, each line
    indented by ``indent``, written directly (the indenting encoder is pure Python: 4x slower).

    >>> import json
    >>> r = _example("a")._replace(location=("ceterms:address",), fix="add it")
    >>> result_json(r, "") == json.dumps(result_dict(r), indent=2, sort_keys=True, ensure_ascii=False)
    True
    """
    heads = _JSON_HEADS.get(indent)
    if heads is None:
        heads = _JSON_HEADS[indent] = [(f'{indent}  "{key}": ', index) for key, index in _JSON_ORDER]
    inner = indent + "    "
    lines = []
    for head, index in heads:
        value = r[index]
        if index == _COMPONENT:
            text = _encode_string("sh:" + value.rsplit("#", 1)[-1])
        elif value is None:
            text = "null"
        elif isinstance(value, str):
            text = _encode_string(value)
        elif value:  # location, see_also: tuples of strings
            text = "[\n" + ",\n".join(inner + _encode_string(v) for v in value) + "\n" + indent + "  ]"
        else:
            text = "[]"
        lines.append(head + text)
    return indent + "{\n" + ",\n".join(lines) + "\n" + indent + "}"


_JSON_ORDER = sorted((key, index) for index, key in enumerate(ValidationResult._fields))
_COMPONENT = ValidationResult._fields.index("component")
_JSON_HEADS: dict[str, list] = {}


#: Results a validation holds in memory before it sorts them into a run on disk (~1 KB each).
SPILL_RESULTS = 250_000


class ResultCollector:
    """Gathers results as a validation finds them. Past ``limit`` results in memory it sorts them
    into a run in a temporary file, so a report of millions of results (a registry-sized store
    with every warning) is written without holding it.

    >>> collector = ResultCollector(limit=2)
    >>> collector.extend([_example("b"), _example("a"), _example("a")])
    >>> collector.extend([_example("c")])
    >>> results = collector.finish()
    >>> [r.focus for r in results], len(results.runs)
    (['<https://ex.org/a>', '<https://ex.org/b>', '<https://ex.org/c>'], 2)
    >>> results.close()
    """

    def __init__(self, limit: int | None = None):
        self.limit = SPILL_RESULTS if limit is None else limit
        self.buffer: list[ValidationResult] = []
        self.spilled: SpilledResults | None = None

    def extend(self, results) -> None:
        self.buffer.extend(results)
        if len(self.buffer) >= self.limit:
            self._spill()

    def _spill(self) -> None:
        if self.spilled is None:
            self.spilled = SpilledResults()
        self.spilled.add_run(sorted(set(self.buffer), key=ValidationResult.sort_key))
        self.buffer = []

    def finish(self) -> "list[ValidationResult] | SpilledResults":
        """The results, sorted, each once: a list, or (when some were spilled) a :class:`SpilledResults`."""
        if self.spilled is None:
            results, self.buffer = sorted(set(self.buffer), key=ValidationResult.sort_key), []
            return results
        if self.buffer:
            self._spill()
        return self.spilled


class SpilledResults:
    """Results in sorted runs on disk (zlib-compressed pickles of plain tuples), read back merged
    in report order, each result once, as often as needed. ``close()`` deletes the files (so does
    garbage collection)."""

    CHUNK = 5000

    def __init__(self):
        import tempfile  # noqa: PLC0415
        import weakref  # noqa: PLC0415

        self.directory = Path(tempfile.mkdtemp(prefix="credgraph-report-"))
        self.runs: list[Path] = []
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.directory, True)

    def add_run(self, results: list[ValidationResult]) -> None:
        path = self.directory / f"run-{len(self.runs):05d}"
        with path.open("wb") as out:
            for start in range(0, len(results), self.CHUNK):
                block = zlib.compress(pickle.dumps([tuple(r) for r in results[start:start + self.CHUNK]],
                                                   protocol=pickle.HIGHEST_PROTOCOL), 1)
                out.write(len(block).to_bytes(8, "little") + block)
        self.runs.append(path)

    @staticmethod
    def _read(path: Path):
        make = ValidationResult._make
        with path.open("rb") as data:
            while header := data.read(8):
                for row in pickle.loads(zlib.decompress(data.read(int.from_bytes(header, "little")))):
                    yield make(row)

    def __iter__(self):
        last = None
        for r in heapq.merge(*(self._read(p) for p in self.runs), key=ValidationResult.sort_key):
            if r != last:
                yield r
                last = r

    def __bool__(self) -> bool:
        return bool(self.runs)

    def close(self) -> None:
        self._finalizer()


def _example(name: str) -> ValidationResult:
    return ValidationResult("Violation", f"<https://ex.org/{name}>", f"https://ex.org/{name}", None, None, None, (),
                            None, None, None, None, "wrong", None, "https://ex.org/shape",
                            SH + "MinCountConstraintComponent", "registry-minimum", None, None)


def resource_heading(r: ValidationResult) -> str:
    ident = r.ctid or (r.resource if r.resource else r.focus)
    name = f' "{r.name}"' if r.name else ""
    kind = f" ({r.resource_type})" if r.resource_type else ""
    return f"{ident}{name}{kind}"


def as_node(text: str) -> str:
    return text if text.startswith("_:") else f"<{text}>"


def turtle_path(sparql_path: str) -> str:
    """A SPARQL property path (as the compiler writes it) in SHACL's Turtle form."""
    tokens = _tokens(sparql_path)
    node, rest = _parse_alt(tokens)
    return node


def _tokens(text: str) -> list[str]:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "<":
            j = text.index(">", i)
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return out


def _parse_alt(tokens):
    items = []
    node, tokens = _parse_seq(tokens)
    items.append(node)
    while tokens and tokens[0] == "|":
        node, tokens = _parse_seq(tokens[1:])
        items.append(node)
    return (items[0] if len(items) == 1 else f"[ sh:alternativePath ( {' '.join(items)} ) ]"), tokens


def _parse_seq(tokens):
    items = []
    node, tokens = _parse_unary(tokens)
    items.append(node)
    while tokens and tokens[0] == "/":
        node, tokens = _parse_unary(tokens[1:])
        items.append(node)
    return (items[0] if len(items) == 1 else f"( {' '.join(items)} )"), tokens


def _parse_unary(tokens):
    if tokens[0] == "^":
        node, tokens = _parse_unary(tokens[1:])
        return f"[ sh:inversePath {node} ]", tokens
    if tokens[0] == "(":
        node, tokens = _parse_alt(tokens[1:])
        tokens = tokens[1:]  # ")"
    else:
        node, tokens = tokens[0], tokens[1:]
    while tokens and tokens[0] in "*+?":
        pred = {"*": "sh:zeroOrMorePath", "+": "sh:oneOrMorePath", "?": "sh:zeroOrOnePath"}[tokens[0]]
        node, tokens = f"[ {pred} {node} ]", tokens[1:]
    return node, tokens
