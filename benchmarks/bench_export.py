"""Benchmark: Credential Registry graph documents written per second.

ours      ``credgraph.export.registry.RegistryExport`` over a store loaded with the corpus: every
          main resource's document built from the graph and serialised to JSON (what
          ``credgraph export --to registry`` does), documents per second.
baseline  rdflib's generic JSON-LD serializer with the same (generated CTDL) context, one
          document per loaded graph (the corpus loads one graph per registry document), timed on
          the serialisation only (building the rdflib graphs is not counted), documents per
          second; at large sizes it runs on a sample (``baseline_cap`` documents, the first
          ones) because rdflib needs several GB at 100k credentials; the rate is per document.

Both run in the same process on the same corpus. Target (issue 6): >= 2,000 documents/s and
>= 5x the baseline at 100k credentials.

Run alone: ``python -m benchmarks.bench_export --docs 1000`` (or ``--credentials 100k``).
"""

from __future__ import annotations

import argparse
import gc
import time

BASELINE_NAME = "rdflib JSON-LD serializer, same context"


def _store(corpus):
    from credgraph.load import load
    from credgraph.store import open_store

    store = open_store(":memory:")
    report = load(store, [corpus.dir])
    return store, report


def _ours(store, repeat: int) -> tuple[float, int]:
    from credgraph.export.registry import RegistryExport

    best, cpu, count = float("inf"), float("inf"), 0
    for _ in range(repeat):
        gc.collect()
        started, cpu_started = time.perf_counter(), time.process_time()
        count = 0
        for doc in RegistryExport(store).documents():
            doc.text(indent=None)
            count += 1
        best = min(best, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - cpu_started)
    return best, cpu, count


def _baseline(store, repeat: int, cap: int) -> tuple[float, int]:
    import pyoxigraph as ox
    import rdflib

    from credgraph import ids
    from credgraph.contexts import load_context

    context = dict(load_context("ctdl"))

    def term(t):
        if isinstance(t, ox.NamedNode):
            return rdflib.URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return rdflib.BNode(t.value)
        if t.language:
            return rdflib.Literal(t.value, lang=t.language)
        return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))

    graphs = []
    for name in store.inner.named_graphs():
        if name.value in (ids.META_GRAPH, ids.INFERRED_GRAPH):
            continue
        if len(graphs) >= cap:
            break
        g = rdflib.Graph()
        for q in store.inner.quads_for_pattern(None, None, None, name):
            g.add((term(q.subject), term(q.predicate), term(q.object)))
        graphs.append(g)
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        for g in graphs:
            g.serialize(format="json-ld", context=context)
        best = min(best, time.perf_counter() - started)
    return best, len(graphs)


#: Runs of ours beyond this many documents are limited to one each (as in bench_load).
REPEAT_LIMIT_DOCS = 50_000


def run(corpus, repeat: int = 3, baseline_cap: int = 5000) -> list[dict]:
    """One row: registry documents per second, ours vs rdflib's JSON-LD serializer."""
    store, report = _store(corpus)
    repeat = repeat if corpus.docs <= REPEAT_LIMIT_DOCS else 1
    seconds, cpu_seconds, docs = _ours(store, repeat)
    base_seconds, base_docs = _baseline(store, max(1, min(repeat, 2)), baseline_cap)
    ours_rate = docs / seconds if seconds else 0.0
    base_rate = base_docs / base_seconds if base_seconds else 0.0
    note = (f"{docs:,} documents from {report.loaded:,} sources in {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU "
            f"({docs / cpu_seconds:,.0f} docs/s of CPU; best of {repeat}); "
            f"baseline on {base_docs:,} graphs in {base_seconds:.2f} s")
    return [{"size": corpus.label, "metric": "registry export", "ours": round(ours_rate, 1),
             "baseline": round(base_rate, 1), "baseline_name": BASELINE_NAME, "unit": "docs/s",
             "ratio": round(ours_rate / base_rate, 2) if base_rate else None, "note": note}]


def main(argv: list[str] | None = None) -> int:
    from benchmarks.corpus import corpus_for

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_export", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="1000", help="corpus size in documents, e.g. 1000, 10k")
    parser.add_argument("--credentials", help="size the corpus by credentials instead, e.g. 100k")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-cap", type=int, default=5000,
                        help="documents the rdflib baseline serialises at most (its rate is per document)")
    args = parser.parse_args(argv)
    corpus = corpus_for(args.docs, args.credentials)
    rows = run(corpus, args.repeat, args.baseline_cap)
    print(f"{'size':>18} {'metric':<16} {'ours':>10} {'baseline':>10} {'ratio':>7}  unit    baseline")
    for r in rows:
        print(f"{r['size']:>18} {r['metric']:<16} {r['ours']:>10,.0f} {r['baseline']:>10,.0f} "
              f"{r['ratio'] or 0:>6.1f}x  {r['unit']:<7} {r['baseline_name']}")
        print(f"{'':>18} {r['note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
