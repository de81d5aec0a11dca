"""Benchmark: registry documents validated per second, against whole-graph pySHACL.

ours      ``credgraph.validate.validate_store`` over a store loaded with the corpus (loading not
          timed): the default publishing profiles (registry minimum data + CTDL structure, about
          1,700 checks), every document in its own named graph, the cross-document rules over the
          store, and the full report (every result enriched with its resource's CTID and name,
          sorted), with its default two worker processes. Documents per second = documents / wall
          seconds; CPU seconds (workers included) in the note. A second row checks violations only.
baseline  pySHACL (the reference processor) with the same shapes graphs on the same documents
          loaded into one rdflib graph (naive whole-graph validation; building the graph is not
          timed), SHACL-SPARQL enabled, no inference. pySHACL needs minutes per thousand
          documents with these shapes, so beyond ``baseline_cap`` documents it runs on the first
          ``baseline_cap`` and its rate is per document (the note says so).

The full report holds every warning (about 29 per synthetic document: 2.9 million results at 100k
documents); past ``SPILL_RESULTS`` results it is sorted into runs on disk, merged as it is
written. So both rows time writing the report too (as JSON, to the null device). Until the sixth
round the report was held in memory (5.4 GB at 100k documents), the full one was not run above
200k documents, and writing was not timed.

Both run in the same process on the same corpus. Targets (issues 4 and 8): >= 10x the baseline;
>= 1,333 documents/s at 400k documents (400k in under 5 minutes on 2 cores).

Run alone: ``python -m benchmarks.bench_validate --docs 1000`` (or ``--docs 10k``).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the validation workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system

PROFILES = ("registry-minimum", "ctdl-structure")
#: Above this many documents the store is on disk (a temporary folder under $CREDGRAPH_BENCH_TMP),
#: not in memory: 400k documents in memory would take most of this machine's free memory.
MEMORY_STORE_LIMIT = 200_000
#: Runs of ours beyond this many documents are limited to one each (as in bench_load).
REPEAT_LIMIT_DOCS = 50_000
BASELINE_NAME = "pySHACL, whole graph, same shapes"


def _store(corpus, location: str = ":memory:"):
    from credgraph.load import load
    from credgraph.store import open_store

    store = open_store(location)
    report = load(store, [corpus.dir])
    return store, report


def _ours(store, repeat: int, severity: str = "info"):
    from credgraph.validate import validate_store
    from credgraph.validate.engine import engine_for

    engine_for(PROFILES)  # compile once, outside the timing (the CLI pays it once per process)
    best = cpu = float("inf")
    report = None
    for _ in range(repeat):
        report = None
        gc.collect()
        started, cpu_started = time.perf_counter(), _cpu()
        report = validate_store(store, PROFILES, severity=severity)
        with open(os.devnull, "w", encoding="utf-8") as out:
            report.write_json(out)
        best = min(best, time.perf_counter() - started)
        cpu = min(cpu, _cpu() - cpu_started)
    return best, cpu, report


def _baseline(store, documents: list[str], repeat: int):
    import rdflib

    from credgraph.validate.profiles import shapes_graph
    from credgraph.validate.reference import graph_of, run_pyshacl

    data = graph_of(store.inner, documents)
    shapes = rdflib.Graph()
    for profile in PROFILES:
        shapes += shapes_graph(profile)
    best, results = float("inf"), 0
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        results = len(run_pyshacl(data, shapes))
        best = min(best, time.perf_counter() - started)
    return best, results, len(data)


def run(corpus, repeat: int = 3, baseline_cap: int = 50) -> list[dict]:
    """Two rows: documents validated per second with the full report, and checking violations
    only (``--severity violation``: what a publishing gate needs); both against whole-graph pySHACL."""
    from credgraph.validate.engine import document_graphs

    on_disk = corpus.docs > MEMORY_STORE_LIMIT
    folder = tempfile.mkdtemp(prefix="credgraph-bench-validate-", dir=os.environ.get("CREDGRAPH_BENCH_TMP")) \
        if on_disk else None
    try:
        return _run(corpus, repeat, baseline_cap, folder)
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def _run(corpus, repeat: int, baseline_cap: int, folder: str | None) -> list[dict]:
    from credgraph.validate.engine import document_graphs

    store, loaded = _store(corpus, str(Path(folder) / "store") if folder else ":memory:")
    where = "store on disk" if folder else "store in memory"
    documents = document_graphs(store.inner)
    repeat = repeat if len(documents) <= REPEAT_LIMIT_DOCS else 1
    sample = documents[:baseline_cap]
    base_seconds, base_results, base_triples = _baseline(store, sample, 1)
    base_rate = len(sample) / base_seconds if base_seconds else 0.0
    scope = "all" if len(sample) == len(documents) else f"the first {len(sample):,} (rate per document)"
    rows = []
    for severity, metric in (("info", "validation throughput"), ("violation", "validation throughput, violations only")):
        seconds, cpu, report = _ours(store, repeat, severity)
        counts = report.counts
        report.close()
        ours_rate = len(documents) / seconds if seconds else 0.0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        note = (f"{len(documents):,} documents, {store.triple_count():,} triples ({where}); ours {seconds:.2f} s wall, "
                f"{cpu:.2f} s CPU (best of {repeat}; {len(documents) / cpu:,.0f} docs per CPU second), "
                f"{counts['Violation']:,} violations, {counts['Warning']:,} warnings, {counts['Info']:,} infos; "
                f"pySHACL (all severities) on {scope}: {base_seconds:.1f} s, {base_results:,} results on "
                f"{base_triples:,} triples; peak RSS {peak:,.0f} MiB")
        rows.append({"size": corpus.label, "metric": metric, "ours": round(ours_rate, 1),
                     "baseline": round(base_rate, 2), "baseline_name": BASELINE_NAME, "unit": "docs/s",
                     "ratio": round(ours_rate / base_rate, 1) if base_rate else None, "note": note})
    return rows


def main(argv: list[str] | None = None) -> int:
    from benchmarks.corpus import corpus_for

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_validate", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="1000", help="corpus size in documents, e.g. 1000, 10k, 400k")
    parser.add_argument("--credentials", help="size the corpus by credentials instead, e.g. 100k")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-cap", type=int, default=50,
                        help="documents pySHACL validates at most (its rate is per document)")
    args = parser.parse_args(argv)
    corpus = corpus_for(args.docs, args.credentials)
    rows = run(corpus, args.repeat, args.baseline_cap)
    print(f"{'size':>18} {'metric':<38} {'ours':>10} {'baseline':>10} {'ratio':>8}  unit    baseline")
    for r in rows:
        print(f"{r['size']:>18} {r['metric']:<38} {r['ours'] or 0:>10,.0f} {r['baseline']:>10,.2f} "
              f"{r['ratio'] or 0:>7.1f}x  {r['unit']:<7} {r['baseline_name']}")
        print(f"{'':>18} {r['note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
