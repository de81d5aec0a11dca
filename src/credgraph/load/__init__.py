"""Loading: any input credgraph reads, into the store, one source at a time, wholly or not at all.

>>> from credgraph.store import open_store
>>> store = open_store(":memory:")
>>> report = load_bytes(store, b"<https://ex.org/a> <https://ex.org/p> 'x' .", fmt="turtle")
>>> report.loaded, report.failed, store.triple_count()
(1, 0, 1)
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import quote_from_bytes

from credgraph import ids
from credgraph.errors import CredgraphError, InputError, NonConformance, UsageError
from credgraph.load.jsonld import parse_jsonld
from credgraph.load.parallel import DEFER, default_workers, ordered_map
from credgraph.load.rdf import FORMATS, fmt_label, parse_rdf
from credgraph.load.reading import RawInput, read_bytes, read_file
from credgraph.store import NQuads, SourceRecord, Store, WriteOutcome

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
    """What one load did: an outcome per input, in input order, plus skipped files and warnings.

    With ``keep_outcomes=False`` only failed outcomes are kept and the rest are counted, so a
    load of a million documents holds counts, not a million outcome objects.

    >>> report = LoadReport(keep_outcomes=False)
    >>> report.add(WriteOutcome(SourceRecord(iri="urn:s", origin="a.ttl", sha256="0", format="turtle",
    ...                                      default_graph="urn:g"), triples=3))
    >>> report.loaded, report.triples, report.outcomes
    (1, 3, [])
    """

    outcomes: list[WriteOutcome] = field(default_factory=list)
    failures: list[tuple[str, CredgraphError]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    keep_outcomes: bool = True
    _counted: dict = field(default_factory=lambda: {"loaded": 0, "unchanged": 0, "triples": 0}, repr=False)

    def add(self, outcome: WriteOutcome) -> None:
        """Record one write outcome (kept, or only counted when it succeeded and
        ``keep_outcomes`` is off)."""
        if outcome.ok and not self.keep_outcomes:
            self._counted["unchanged" if outcome.unchanged else "loaded"] += 1
            self._counted["triples"] += outcome.triples
            return
        self.outcomes.append(outcome)

    @property
    def loaded(self) -> int:
        return self._counted["loaded"] + sum(1 for o in self.outcomes if o.ok and not o.unchanged)

    @property
    def unchanged(self) -> int:
        return self._counted["unchanged"] + sum(1 for o in self.outcomes if o.unchanged)

    @property
    def failed(self) -> int:
        return len(self.failures) + sum(1 for o in self.outcomes if not o.ok)

    @property
    def triples(self) -> int:
        return self._counted["triples"] + sum(o.triples for o in self.outcomes if o.ok)

    def errors(self) -> list[tuple[str, CredgraphError]]:
        return self.failures + [(o.record.origin, o.error) for o in self.outcomes if not o.ok]

    @property
    def exit_code(self) -> int:
        """2 if any input was unreadable, else 1 if any was refused as non-conforming or had
        data left out (a warning carrying an ``exit_code``, e.g. a dropped CSV row), else 0."""
        codes = {error.exit_code for _, error in self.errors()}
        codes |= {w.exit_code for w in self.warnings if getattr(w, "exit_code", 0)}
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
    for item, _ in _inputs_with_uris(inputs, report):
        yield item


def _inputs_with_uris(inputs: Iterable[str | Path], report: LoadReport) -> Iterator[tuple[Path | str, str | None]]:
    """:func:`iter_inputs` with each file's resolved ``file://`` URI where it is known cheaply
    (files found in a directory walk without symbolic links: the directory is resolved once)."""
    for item in inputs:
        if str(item) == "-":
            yield "-", None
            continue
        path = Path(item)
        if path.is_dir():
            yield from _walk(path, path.resolve().as_uri(), "", report)
        else:
            yield path, None


def _walk(directory: Path, root_uri: str | None, relative: str, report: LoadReport):
    """Files under ``directory`` in the order of ``sorted(directory.rglob("*"))`` (symbolic links
    to files included, to directories not followed), hidden names skipped."""
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child = directory / entry.name
        linked = entry.is_symlink()
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(child, None if linked else root_uri, f"{relative}/{entry.name}", report)
        elif entry.is_file():
            if child.suffix.lower() in EXTENSIONS:
                uri = None if linked or root_uri is None else root_uri + quote_from_bytes(
                    os.fsencode(f"{relative}/{entry.name}"))
                yield child, uri
            else:
                report.skipped.append(str(child))


def prepare_source(raw: RawInput, fmt: str, *, graph: str | None, identity: str,
                   context_map: Mapping[str, Path] | None):
    """A source record and its quads (a list for JSON, a lazy iterator for RDF syntaxes)."""
    default_graph = graph or (raw.uri if raw.path else ids.content_graph("stdin", raw.text))
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
    base = raw.uri
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


@dataclass
class _Prepared:
    """One input made ready for the store (or the error that stopped it), with notes to show."""

    notes: list[str]
    record: SourceRecord | None = None
    quads: object = None
    warnings: list[str] = field(default_factory=list)
    error: CredgraphError | None = None


def _prepare(item: Path | str, target: str | None, *, fmt: str | None, graph: str | None,
             context_map: Mapping[str, Path] | None, stdin: bytes | None, serialise: bool,
             uri: str | None = None, in_worker: bool = False):
    """Read, detect and parse one input. ``serialise``: JSON-LD quads become :class:`NQuads`
    (bulk-loaded as bytes). In a worker, inputs in other formats are left to the main process
    (:data:`DEFER`): their parsers stream, which only pays off where the quads are written."""
    notes: list[str] = []
    try:
        if item == "-":
            if fmt is None:
                raise UsageError("reading stdin needs --format", fix=f"add --format ({', '.join(INPUT_FORMATS)})")
            data = stdin if stdin is not None else sys.stdin.buffer.read()
            raw = read_bytes(data, origin="stdin")
            identity = graph or ids.content_graph("stdin", raw.text)
        else:
            raw = read_file(item, uri=uri)
            identity = raw.uri
        use_fmt, note = detect_format(raw, fmt)
        if in_worker and use_fmt != "jsonld":
            return DEFER
        if note:
            notes.append(note)
        if raw.encoding_note:
            notes.append(f"{raw.origin}: {raw.encoding_note}")
        record, quads, warnings = prepare_source(raw, use_fmt, graph=target, identity=identity,
                                                 context_map=context_map)
        if serialise and use_fmt == "jsonld":
            quads = NQuads.from_quads(quads, record.default_graph, record)
        return _Prepared(notes, record, quads, warnings)
    except CredgraphError as exc:
        return _Prepared(notes, error=exc)


def load(store: Store, inputs: Iterable[str | Path], *, fmt: str | None = None, graph: str | None = None,
         context_map: Mapping[str, Path] | None = None, stdin: bytes | None = None,
         graph_for: Callable[[Path], str] | None = None,
         progress: Callable[[WriteOutcome | None, str], None] | None = None,
         admit: Callable[[SourceRecord, list], Admission] | None = None,
         workers: int | None = None, keep_outcomes: bool = True) -> LoadReport:
    """Load files, directories (recursively) or ``-`` (stdin, needs ``fmt``) into ``store``.

    Each input is one source in its own named graph(s); a bad input is reported and leaves the
    store untouched, the others still load. ``graph`` names the graph of a single input;
    ``graph_for`` names graphs per file (used for the project's own data). ``admit``, when
    given, sees each source's quads before they are written and may refuse the source
    (:class:`Admission`); its verdict is recorded in the metadata graph. Many JSON-LD files are
    parsed in ``workers`` processes (default: ``$CREDGRAPH_WORKERS`` or one per core; 0: none).
    ``keep_outcomes=False`` keeps only failed outcomes in the report and counts the rest (the
    CLI's choice: memory stays flat however many documents are loaded).
    """
    if fmt is not None and fmt not in INPUT_FORMATS:
        raise UsageError(f"unknown format {fmt!r}", fix=f"use one of {', '.join(INPUT_FORMATS)}")
    report = LoadReport(keep_outcomes=keep_outcomes)
    inputs = list(inputs)
    if graph and len(inputs) != 1:
        raise UsageError("--graph names the graph of one input, but several were given",
                         fix="load the inputs one at a time, or leave out --graph")
    if workers is None:
        workers = default_workers()
    if admit is not None:
        workers = 0  # the validator sees the quads as parsed, in this process
    options = dict(fmt=fmt, graph=graph, context_map=context_map, stdin=stdin, serialise=admit is None)

    def tasks():  # paths as strings: cheaper to send to the workers
        for item, uri in _inputs_with_uris(inputs, report):
            target = graph or (graph_for(item) if graph_for and item != "-" else None)
            yield str(item), target, uri

    def local(task):
        item = task[0]
        return _prepare(item if item == "-" else Path(item), task[1], uri=task[2], **options)

    remote = partial(_prepare_remote, options=dict(options, stdin=None))

    def items():
        for (item, _, _), prepared in ordered_map(remote, tasks(), workers=workers, local=local,
                                                  on_crash=_crashed):
            origin = "stdin" if item == "-" else item
            report.warnings.extend(prepared.notes)
            if prepared.error is not None:
                report.failures.append((origin, prepared.error))
                if progress:
                    progress(None, origin)
                continue
            report.warnings.extend(prepared.warnings)
            record, quads = prepared.record, prepared.quads
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
        report.add(outcome)
        if progress:
            progress(outcome, outcome.record.origin)
    return report


def _crashed(task) -> _Prepared:
    """The result for an input that killed the worker process reading it (twice)."""
    return _Prepared([], error=InputError(
        "reading this input crashed the parser process (it may be nested too deeply or be too big)",
        where=str(task[0]), fix="check the file; registry documents nest a few levels only"))


def _prepare_remote(task, options):
    """:func:`_prepare` in a worker process (stdin is never read there)."""
    item, target, uri = task
    if item == "-":
        return DEFER
    return _prepare(Path(item), target, uri=uri, in_worker=True, **options)


def load_bytes(store: Store, data: bytes, *, fmt: str, graph: str | None = None) -> LoadReport:
    """Load one in-memory document (as if read from stdin)."""
    return load(store, ["-"], fmt=fmt, graph=graph, stdin=data)
