"""``credgraph demo``: build a store from the project's ontology and data and show a short tour.

The project's own files land in graphs named after their place in the project, e.g.
``https://w3id.org/credgraph/graph/data/ecosystem/topics.ttl``, so they read the same on every
machine.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from credgraph import ids
import pyoxigraph as ox

from credgraph.errors import EXIT_NONCONFORMANT, EXIT_OK, EXIT_USAGE
from credgraph.resources import resource_dir


def project_graph(kind: str) -> "callable":
    """Graph names for the project's files: ``.../graph/<kind>/<path inside kind>``."""
    base = resource_dir(kind)

    def name(path: Path) -> str:
        return f"{ids.CG_GRAPH}{kind}/{path.resolve().relative_to(base.resolve()).as_posix()}"

    return name


def build(store) -> list:
    """Load ontology/ and data/ into ``store``; returns the load reports."""
    from credgraph.load import load

    reports = []
    for kind in ("ontology", "data"):
        reports.append(load(store, [resource_dir(kind)], graph_for=project_graph(kind)))
    return reports


def run_demo(store_path: str | None, out: TextIO = sys.stdout) -> int:
    """Build the store, validate the data, materialise OWL-RL conclusions, then print the tour.

    Exit 0, or 1 if the project's data breaks a publishing rule, or 2 if a file could not be read.
    """
    from credgraph.stats import stats
    from credgraph.store import open_store

    store = open_store(store_path)
    reports = build(store)
    failed = [(origin, err) for r in reports for origin, err in r.errors()]
    for origin, err in failed:
        print(f"error: {err}", file=sys.stderr)
    loaded = sum(r.loaded for r in reports)
    unchanged = sum(r.unchanged for r in reports)
    summary = stats(store)
    out.write(f"credgraph demo: {loaded} file(s) loaded, {unchanged} unchanged; "
              f"{summary['triples']:,} triples in {summary['graphs']} graphs\n")
    report = validate_data(store, out)
    reason(store, out)
    out.write("\n")
    from credgraph.tour import tour

    tour(store, out)
    if failed:
        return EXIT_USAGE
    return EXIT_NONCONFORMANT if not report.conforms else EXIT_OK


def validate_data(store, out: TextIO):
    """Validate the data/ graphs against the publishing profiles and print the counts."""
    from credgraph.validate import DEFAULT_PROFILES, validate_store

    prefix = f"{ids.CG_GRAPH}data/"
    graphs = sorted(g.value for g in store.inner.named_graphs()
                    if isinstance(g, ox.NamedNode) and g.value.startswith(prefix))
    report = validate_store(store, DEFAULT_PROFILES, graphs=graphs)
    counts = report.counts
    verdict = "conforms" if report.conforms else "DOES NOT CONFORM"
    out.write(f"validated data/ against {', '.join(report.profiles)}: {verdict} "
              f"({counts['Violation']} violations, {counts['Warning']} warnings, {counts['Info']} infos; "
              f"`credgraph validate data/` lists them)\n")
    if not report.conforms:
        out.write(report.to_text(severities=("Violation",)))
    return report


def reason(store, out: TextIO) -> None:
    """Materialise OWL-RL conclusions (a no-op when nothing changed) and say what they add."""
    from credgraph.infer import infer

    result = infer(store)
    ndc = store.query("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a "
                      f"<{ids.CG}NonDegreeCredential> }}")
    n = int(next(iter(ndc))["n"].value)
    what = "unchanged" if result.unchanged else f"{result.added:,} statements inferred"
    out.write(f"OWL-RL inference (credgraph infer): {what}; {n} credentials classed as non-degree\n")
