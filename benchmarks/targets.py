"""The performance targets of issue 8, as data: which result rows they judge and how.

A target judges the rows of one benchmark area whose ``metric`` (and, if given, ``baseline_name``)
match its patterns, at the sizes it names (all sizes when ``sizes`` is empty), comparing the row's
``ours`` or ``ratio`` field with ``value``. Benchmark modules keep to these metric names:

============  =========================================================================
area          metric names the targets look for
============  =========================================================================
load          ``load throughput`` (triples/s; baseline ``bulk_load`` N-Triples), ``peak memory`` (MiB)
validate      ``validation throughput`` (docs/s; baseline pySHACL)
query         ``p95 ...`` (ms; one row per catalog query; baseline rdflib), ``p95 kept ...``
              (ms; a query the store keeps the answer of; baseline our computed time)
export        ``registry export`` (docs/s; baseline rdflib's JSON-LD serializer)
============  =========================================================================

>>> [t.describe() for t in TARGETS if t.area == "load"]
['ratio >= 0.5 (half of raw bulk_load of the same triples as N-Triples)', 'ours <= 8192 MiB at 1M credentials']
>>> judge(TARGETS[0], {"ratio": 0.4})
(False, 'missed: 0.4 is 20% short of 0.5')
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    area: str                   # the benchmark module: load, validate, query, export
    metric: str                 # regular expression on the row's metric
    field: str                  # "ratio" or "ours"
    op: str                     # ">=" or "<="
    value: float
    unit: str = ""
    sizes: tuple[str, ...] = ()  # size labels it applies to ("400k", "100k credentials"); () = all
    baseline: str = ""          # regular expression on the row's baseline_name ("" = any)
    why: str = ""               # the words

    def applies(self, area: str, row: dict) -> bool:
        if area != self.area or not re.search(self.metric, str(row.get("metric", "")), re.I):
            return False
        if self.baseline and not re.search(self.baseline, str(row.get("baseline_name", "")), re.I):
            return False
        return not self.sizes or row.get("size") in self.sizes

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        at = f" at {', '.join(self.sizes)}" if self.sizes else ""
        why = f" ({self.why})" if self.why else ""
        return f"{self.field} {self.op} {self.value:g}{unit}{at}{why}"

    def short(self) -> str:
        unit = f" {self.unit}" if self.unit else "×" if self.field == "ratio" else ""
        return f"{'≥' if self.op == '>=' else '≤'} {self.value:g}{unit}"


TARGETS: list[Target] = [
    Target("load", r"^load throughput$", "ratio", ">=", 0.5, baseline=r"N-Triples",
           why="half of raw bulk_load of the same triples as N-Triples"),
    Target("load", r"^peak memory$", "ours", "<=", 8192, unit="MiB", sizes=("1M credentials",)),
    Target("validate", r"validation throughput", "ratio", ">=", 10, baseline=r"pyshacl",
           why="10 times whole-graph pySHACL"),
    Target("validate", r"validation throughput", "ours", ">=", 400_000 / 300, unit="docs/s", sizes=("400k",),
           why="400k documents in under 5 minutes"),
    Target("query", r"^p95 (?!kept )", "ours", "<=", 100, unit="ms", sizes=("100k credentials",)),
    Target("query", r"^p95 (?!kept )", "ours", "<=", 1000, unit="ms", sizes=("1M credentials",)),
    Target("query", r"^p95 (?!kept )", "ratio", ">=", 20, sizes=("100k credentials",),
           why="20 times faster than rdflib"),
    # the same latency targets for answers the store keeps (credgraph.answers), judged apart: they
    # hold until the store changes, and the first ask after a change is the row above
    Target("query", r"^p95 kept ", "ours", "<=", 100, unit="ms", sizes=("100k credentials",),
           why="an answer the store keeps"),
    Target("query", r"^p95 kept ", "ours", "<=", 1000, unit="ms", sizes=("1M credentials",),
           why="an answer the store keeps"),
    Target("export", r"registry export", "ours", ">=", 2000, unit="docs/s"),
    Target("export", r"registry export", "ratio", ">=", 5, why="5 times rdflib's serializer"),
]


def judge(target: Target, row: dict) -> tuple[bool | None, str]:
    """(met?, words): ``None`` when the row has no value to judge.

    >>> judge(Target("x", "m", "ours", "<=", 100, unit="ms"), {"ours": 150})
    (False, 'missed: 150 ms is 50% over 100 ms')
    >>> judge(Target("x", "m", "ratio", ">=", 2), {"ratio": 3})
    (True, 'met')
    """
    value = row.get(target.field)
    if not isinstance(value, (int, float)):
        return None, "not measured"
    unit = f" {target.unit}" if target.unit else ""
    if target.op == ">=":
        if value >= target.value:
            return True, "met"
        short = (target.value - value) / target.value if target.value else 0
        return False, f"missed: {value:g}{unit} is {short:.0%} short of {target.value:g}{unit}"
    if value <= target.value:
        return True, "met"
    over = (value - target.value) / target.value if target.value else 0
    return False, f"missed: {value:g}{unit} is {over:.0%} over {target.value:g}{unit}"


def targets_for(area: str, row: dict) -> list[Target]:
    return [t for t in TARGETS if t.applies(area, row)]
