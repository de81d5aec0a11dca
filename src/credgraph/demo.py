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
from credgraph.errors import EXIT_OK, EXIT_USAGE
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
              f"{summary['triples']:,} triples in {summary['graphs']} graphs\n\n")
    from credgraph.tour import tour

    tour(store, out)
    return EXIT_USAGE if failed else EXIT_OK
