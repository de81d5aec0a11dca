"""Loading: any input credgraph reads, into the store, one source at a time, wholly or not at all.

>>> from credgraph.store import open_store
>>> store = open_store(":memory:")
>>> report = load_bytes(store, b"<https://ex.org/a> <https://ex.org/p> 'x' .", fmt="turtle")
>>> report.loaded, report.failed, store.triple_count()
(1, 0, 1)
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from credgraph import ids
from credgraph.errors import CredgraphError, InputError, NonConformance, UsageError
from credgraph.load.jsonld import parse_jsonld
from credgraph.load.rdf import FORMATS, fmt_label, parse_rdf
from credgraph.load.reading import RawInput, read_bytes, read_file
from credgraph.store import SourceRecord, Store, WriteOutcome

EXTENSIONS = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "ntriples", ".nq": "nquads", ".trig": "trig",
    ".rdf": "rdfxml", ".owl": "rdfxml", ".xml": "rdfxml", ".jsonld": "jsonld", ".json": "jsonld",
    ".csv": "csv",
}
INPUT_FORMATS = tuple(sorted(set(EXTENSIONS.values())))
# JSON starts with an object holding a key, or an array of objects/strings; Turtle's "[ a ex:C ]"
# and TriG's "{ <s> <p> <o> }" do not.
_JSON_START = re.compile(rb'^(\{\s*["}]|\[\s*[{\["\]])')


@dataclass
class Admission:
    """A validator's decision on one source before it is written (see ``load(admit=...)``).

    ``report_quads`` (e.g. an sh:ValidationReport) are stored with an admitted source, in a graph
    of its own that is replaced and dropped together with the source.
    """

    admitted: bool
    verdict: str                      # "conforms", "warnings" or "violations"
    message: str = ""                 # one line saying why, when not admitted
    report_quads: list = field(default_factory=list)


@dataclass
class LoadReport:
    """What one load did: an outcome per input, in input order, plus skipped files and warnings."""

    outcomes: list[WriteOutcome] = field(default_factory=list)
    failures: list[tuple[str, CredgraphError]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return sum(1 for o in self.outcomes if o.ok and not o.unchanged)

    @property
    def unchanged(self) -> int:
        return sum(1 for o in self.outcomes if o.unchanged)

    @property
    def failed(self) -> int:
        return len(self.failures) + sum(1 for o in self.outcomes if not o.ok)

    @property
    def triples(self) -> int:
        return sum(o.triples for o in self.outcomes if o.ok)

    def errors(self) -> list[tuple[str, CredgraphError]]:
        return self.failures + [(o.record.origin, o.error) for o in self.outcomes if not o.ok]

    @property
    def exit_code(self) -> int:
        """2 if any input was unreadable, else 1 if any was refused as non-conforming, else 0."""
        codes = {error.exit_code for _, error in self.errors()}
        return 2 if 2 in codes else 1 if codes else 0


def source_iri(identity: str) -> str:
    """The metadata node of a source, stable for the same origin."""
    return "urn:credgraph:source:" + hashlib.sha256(identity.encode()).hexdigest()[:40]


def detect_format(raw: RawInput, declared: str | None) -> tuple[str, str | None]:
    """The format to read ``raw`` as, and a note when content and extension disagree."""
    head = raw.text.lstrip()[:64]
    sniffed = "jsonld" if _JSON_START.match(head) else "rdfxml" if head.startswith((b"<?xml", b"<rdf:RDF")) else None
    if declared:
        return declared, None
    suffix = raw.path.suffix.lower() if raw.path else ""
    by_name = EXTENSIONS.get(suffix)
    if sniffed and by_name and sniffed != by_name and by_name != "csv":
        return sniffed, f"{raw.origin}: looks like {fmt_label(sniffed)}, not {fmt_label(by_name)} as its name says; read as {fmt_label(sniffed)}"
    if by_name:
        return by_name, None
    if sniffed:
        return sniffed, None
    raise InputError(f"cannot tell the format of this input (extension {suffix or 'none'})", where=raw.origin,
                     fix=f"name it with a known extension or pass --format ({', '.join(INPUT_FORMATS)})")


def iter_inputs(inputs: Iterable[str | Path], report: LoadReport) -> Iterator[Path | str]:
    """Files to read: given files as they are, directories recursively (known extensions only)."""
    for item in inputs:
        if str(item) == "-":
            yield "-"
            continue
        path = Path(item)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                if child.is_file():
                    if child.suffix.lower() in EXTENSIONS:
                        yield child
                    else:
                        report.skipped.append(str(child))
        else:
            yield path


def prepare_source(raw: RawInput, fmt: str, *, graph: str | None, identity: str,
                   context_map: Mapping[str, Path] | None):
    """A source record and its quads (a list for JSON, a lazy iterator for RDF syntaxes)."""
    default_graph = graph or (ids.file_graph(raw.path) if raw.path else ids.content_graph("stdin", raw.text))
    record = SourceRecord(iri=source_iri(identity), origin=raw.origin, sha256=raw.sha256, format=fmt,
                          default_graph=default_graph)
    warnings: list[str] = []
    if fmt == "jsonld":
        parsed = parse_jsonld(raw, context_map)
        record.format = parsed.kind
        for key, info in parsed.graph_info.items():
            record.graph_info[default_graph if key == "__default__" else key] = info
        warnings.extend(parsed.warnings)
        return record, parsed.quads, warnings
    if fmt == "csv":
        from credgraph.load.csv import parse_csv  # noqa: PLC0415 (optional loader, imported on use)

        parsed = parse_csv(raw)
        warnings.extend(parsed.warnings)
        return record, parsed.quads, warnings
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", fix=f"use one of {', '.join(INPUT_FORMATS)}")
    base = raw.path.resolve().as_uri() if raw.path else None
    return record, parse_rdf(raw, fmt, base), warnings


def report_graph(record: SourceRecord) -> str:
    """Where an admitted source's validation report is kept."""
    return "urn:credgraph:report:" + record.iri.rsplit(":", 1)[-1]


def _admitted(record: SourceRecord, quads, admit) -> list:
    """Materialise a source's quads and ask the validator; raise NonConformance if refused."""
    import pyoxigraph as ox  # noqa: PLC0415

    quads = list(quads)
    decision = admit(record, quads)
    record.extra[ids.CG + "validationVerdict"] = ox.Literal(decision.verdict)
    if not decision.admitted:
        raise NonConformance(decision.message or "the document has violations", where=record.origin,
                             fix="correct the violations listed by `credgraph validate`, or load with --force")
    if decision.report_quads:
        graph = ox.NamedNode(report_graph(record))
        quads += [ox.Quad(q.subject, q.predicate, q.object, graph) for q in decision.report_quads]
    return quads


def load(store: Store, inputs: Iterable[str | Path], *, fmt: str | None = None, graph: str | None = None,
         context_map: Mapping[str, Path] | None = None, stdin: bytes | None = None,
         graph_for: Callable[[Path], str] | None = None,
         progress: Callable[[WriteOutcome | None, str], None] | None = None,
         admit: Callable[[SourceRecord, list], Admission] | None = None) -> LoadReport:
    """Load files, directories (recursively) or ``-`` (stdin, needs ``fmt``) into ``store``.

    Each input is one source in its own named graph(s); a bad input is reported and leaves the
    store untouched, the others still load. ``graph`` names the graph of a single input;
    ``graph_for`` names graphs per file (used for the project's own data). ``admit``, when
    given, sees each source's quads before they are written and may refuse the source
    (:class:`Admission`); its verdict is recorded in the metadata graph.
    """
    if fmt is not None and fmt not in INPUT_FORMATS:
        raise UsageError(f"unknown format {fmt!r}", fix=f"use one of {', '.join(INPUT_FORMATS)}")
    report = LoadReport()
    inputs = list(inputs)
    if graph and len(inputs) != 1:
        raise UsageError("--graph names the graph of one input, but several were given",
                         fix="load the inputs one at a time, or leave out --graph")

    def items():
        for item in iter_inputs(inputs, report):
            origin = "stdin" if item == "-" else str(item)
            try:
                if item == "-":
                    if fmt is None:
                        raise UsageError("reading stdin needs --format", fix=f"add --format ({', '.join(INPUT_FORMATS)})")
                    data = stdin if stdin is not None else sys.stdin.buffer.read()
                    raw = read_bytes(data, origin="stdin")
                    identity = graph or ids.content_graph("stdin", raw.text)
                else:
                    raw = read_file(item)
                    identity = item.resolve().as_uri()
                use_fmt, note = detect_format(raw, fmt)
                if note:
                    report.warnings.append(note)
                if raw.encoding_note:
                    report.warnings.append(f"{raw.origin}: {raw.encoding_note}")
                target = graph or (graph_for(item) if graph_for and item != "-" else None)
                record, quads, warnings = prepare_source(raw, use_fmt, graph=target, identity=identity,
                                                         context_map=context_map)
            except CredgraphError as exc:
                report.failures.append((origin, exc))
                if progress:
                    progress(None, origin)
                continue
            report.warnings.extend(warnings)
            if admit is not None:
                try:
                    quads = _admitted(record, quads, admit)
                except CredgraphError as exc:
                    report.failures.append((origin, exc))
                    if progress:
                        progress(None, origin)
                    continue
            yield record, quads

    for outcome in store.write(items()):
        report.outcomes.append(outcome)
        if progress:
            progress(outcome, outcome.record.origin)
    return report


def load_bytes(store: Store, data: bytes, *, fmt: str, graph: str | None = None) -> LoadReport:
    """Load one in-memory document (as if read from stdin)."""
    return load(store, ["-"], fmt=fmt, graph=graph, stdin=data)
