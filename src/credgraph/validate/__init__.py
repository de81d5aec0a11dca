"""Validation: SHACL profiles (``shapes/``) compiled to SPARQL and run on pyoxigraph.

``validate(source, profiles=...)`` takes files or folders (any format the loaders read; they are
loaded into a throwaway in-memory store) or an open :class:`~credgraph.store.Store`, and returns a
:class:`Report`. Profiles: ``registry`` (Credential Registry minimum data policy), ``structure``
(well-formed CTDL), ``quality`` (National Skills Coalition quality non-degree credential criteria),
``eu-microcredential`` (EU Council Recommendation 2022, Annex I), ``pathways``; default: registry
and structure, the profiles that apply to publishing.

>>> from credgraph.store import open_store
>>> from credgraph.load import load_bytes
>>> store = open_store(":memory:")
>>> _ = load_bytes(store, b'''
...   @prefix ceterms: <https://purl.org/ctdl/terms/> .
...   <https://credentialengineregistry.org/resources/ce-5e3de882-3b49-421b-b623-695c63587f4f>
...     a ceterms:Certification ; ceterms:ctid "ce-5e3de882-3b49-421b-b623-695c63587f4f" ;
...     ceterms:name "Widget Safety"@en .''', fmt="turtle")
>>> report = validate(store, profiles=["registry"])
>>> report.conforms
False
>>> sorted({r.path for r in report.results if r.severity == "Violation"})[:3]
['ceterms:credentialStatusType', 'ceterms:description', 'ceterms:inLanguage']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from credgraph.validate.engine import (Describer, build_report, describe_raws, document_graphs, engine_for,
                                       excluded_graphs, run_in_processes)
from credgraph.validate.profiles import DEFAULT_PROFILES, PROFILES, profile_choices, resolve_profiles
from credgraph.validate.report import Report, ResultCollector, ValidationResult

__all__ = ["DEFAULT_PROFILES", "PROFILES", "Report", "ValidationResult", "admission", "profile_choices",
           "resolve_profiles", "validate", "validate_store"]


SEVERITY_FLOORS = {"violation": "http://www.w3.org/ns/shacl#Violation",
                   "warning": "http://www.w3.org/ns/shacl#Warning", "info": "http://www.w3.org/ns/shacl#Info"}


def validate(source, profiles: Iterable[str] | None = None, *, workers: int | None = None,
             severity: str = "info") -> Report:
    """Validate files/folders (paths) or a store against some profiles; see the module docstring.

    ``severity`` is the lowest severity to check: ``info`` (everything), ``warning`` or ``violation``
    (only the rules that decide conformance; much less output on large corpora).
    """
    from credgraph.store import Store  # noqa: PLC0415

    stems = resolve_profiles(list(profiles) if profiles else None)
    if isinstance(source, Store):
        return validate_store(source, stems, workers=workers, severity=severity)
    from credgraph.load import load  # noqa: PLC0415
    from credgraph.store import open_store  # noqa: PLC0415

    inputs = [source] if isinstance(source, (str, Path)) else list(source)
    store = open_store(":memory:")
    loaded = load(store, inputs)
    errors = [str(err) if err.where else f"{origin}: {err}" for origin, err in loaded.errors()]
    return validate_store(store, stems, workers=workers, errors=errors, severity=severity)


def validate_store(store, profiles: Iterable[str] = DEFAULT_PROFILES, *, graphs: list[str] | None = None,
                   workers: int | None = None, errors: list | None = None,
                   filter_triggers: bool | None = None, severity: str = "info", preconditions: bool = True,
                   progress: Callable[[int, int], None] | None = None) -> Report:
    """Validate the document graphs of a store (all of them, or ``graphs``).

    ``preconditions``: on a whole-store run, take an inventory of the store first and skip the
    checks it shows cannot find anything (same results; off only to compare).
    ``progress(done, total)``: called as the check queries finish (all documents at once each).
    """
    from credgraph.errors import UsageError  # noqa: PLC0415

    if severity not in SEVERITY_FLOORS:
        raise UsageError(f"unknown severity {severity!r}", fix="use violation, warning or info")
    stems = resolve_profiles(list(profiles))
    engine = engine_for(stems)
    inner = store.inner
    documents = graphs if graphs is not None else document_graphs(inner)
    if filter_triggers is None:
        filter_triggers = len(documents) <= 50
    notes = [f"{c.node_shape} ran on pySHACL ({c.fallback})" for c in engine.fallbacks]
    floor = SEVERITY_FLOORS[severity]
    workers = default_workers(store, len(documents)) if workers is None else workers
    collector = ResultCollector()  # spills to disk past SPILL_RESULTS results
    if workers > 1:
        _, raws = run_in_processes(engine, store, graphs, workers=workers, filter_triggers=filter_triggers,
                                   min_severity=floor, preconditions=preconditions, progress=progress,
                                   collect=collector.extend)
        return build_report(inner, raws, stems, len(documents), errors=errors, notes=notes, described=collector)
    describer = Describer(inner, excluded_graphs(inner))

    def describe(raws) -> None:
        collector.extend(describe_raws(raws, describer))
        describer.trim()

    engine.run(inner, graphs, filter_triggers=filter_triggers, min_severity=floor, preconditions=preconditions,
               progress=progress, collect=describe)
    return build_report(inner, [], stems, len(documents), errors=errors, notes=notes, described=collector)


#: Below this many documents one process is quicker than starting workers.
PARALLEL_MIN_DOCUMENTS = 2000


def default_workers(store, documents: int) -> int:
    """Worker processes for a validation: two (one per core, at most 2) from
    ``PARALLEL_MIN_DOCUMENTS`` documents on, else none. ``$CREDGRAPH_VALIDATE_WORKERS`` overrides
    (1: none). Workers are forked (POSIX only); on a machine whose second core is busy they do not
    pay (docs/validation.md, Performance).
    """
    import os  # noqa: PLC0415

    env = os.environ.get("CREDGRAPH_VALIDATE_WORKERS", "").strip()
    wanted = int(env) if env.isdigit() else min(2, os.cpu_count() or 1)
    return wanted if wanted > 1 and documents >= PARALLEL_MIN_DOCUMENTS and hasattr(os, "fork") else 1


def admission(profiles: Iterable[str] | None = None, *, force: bool = False,
              on_report: Callable[[str, Report], None] | None = None):
    """A ``credgraph.load.load(admit=...)`` hook: admit a source only if it has no violation.

    With ``force`` every source is admitted and its report (when it has results) is stored with it.
    ``on_report(origin, report)`` sees every report (e.g. to print it).
    """
    import pyoxigraph as ox  # noqa: PLC0415

    from credgraph.load import Admission, report_graph  # noqa: PLC0415
    from credgraph.store import open_store  # noqa: PLC0415

    stems = resolve_profiles(list(profiles) if profiles else None)

    def admit(record, quads) -> Admission:
        store = open_store(":memory:")
        default = ox.NamedNode(record.default_graph)
        store.inner.extend([ox.Quad(q.subject, q.predicate, q.object,
                                    default if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name)
                            for q in quads])
        report = validate_store(store, stems, workers=1, filter_triggers=True)
        report = relabel(report, record.origin)
        if on_report is not None:
            on_report(record.origin, report)
        verdict = report.verdict
        if not report.conforms and not force:
            first = next(r for r in report.results if r.severity == "Violation")
            count = report.counts["Violation"]
            return Admission(False, verdict, f"{count} violation{'s' if count != 1 else ''} of "
                                             f"{', '.join(stems)}, e.g. {first.path or 'the resource'}: {first.message}")
        quads_out = report.report_quads(report_graph(record)) if force and report.results else []
        return Admission(True, verdict, report_quads=quads_out)

    return admit


def relabel(report: Report, origin: str) -> Report:
    """The same report with every result's source set to ``origin`` (admission runs before loading)."""
    return Report([r._replace(source=origin) for r in report.results], profiles=report.profiles,
                  documents=report.documents, errors=report.errors, notes=report.notes)
