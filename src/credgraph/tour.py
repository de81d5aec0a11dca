"""The short tour ``credgraph demo`` prints: what the graph holds, in a few tables."""

from __future__ import annotations

from typing import TextIO

import pyoxigraph as ox

from credgraph.results import short
from credgraph.stats import stats


def tour(store, out: TextIO) -> None:
    """Print instances by class (the ten largest classes)."""
    from credgraph.namespaces import PREFIXES

    classes = stats(store)["classes"]
    out.write("Instances by class (top 10)\n")
    for iri, count in list(classes.items())[:10]:
        out.write(f"  {short(ox.NamedNode(iri), PREFIXES, 60):<45} {count:>6,}\n")
