"""Benchmark: loading the registry corpus, against raw bulk loads of the same triples.

ours        ``credgraph.load.load`` of the corpus folder (registry JSON-LD graph documents and
            envelopes, one per file) into a fresh persistent store: parsing, provenance metadata,
            one named graph per document, the all-or-nothing journal.
baselines   measured in the same run on the same triples (those our loader produces, written to
            files beforehand, not timed), each into a fresh store on the same disk:
            - ``pyoxigraph.Store.bulk_load`` of them as N-Triples (the default graph: the
              physical limit the issue names; the target is half its throughput),
            - ``bulk_load`` of them as N-Quads (one named graph per document, the layout ours
              writes: named-graph quads are indexed six ways, default-graph triples three),
            - rdflib's default in-memory ``Dataset`` parsing the N-Quads; beyond
              ``RDFLIB_LIMIT`` triples it parses a prefix of ``RDFLIB_SAMPLE`` triples and its
              rate is extrapolated linearly (the note says so).

Every measurement runs in its own subprocess, so its peak RSS (``ru_maxrss``) is its own. Ours
reports the main process's peak plus that of its largest parsing worker. Measurements are
interleaved (ours, N-Triples, N-Quads, ours, ...) and the median of ``repeat`` runs is kept.

Run alone: ``python -m benchmarks.bench_load --docs 10k``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RDFLIB_LIMIT = 2_000_000
RDFLIB_SAMPLE = 1_000_000
#: Runs of ours and of bulk_load beyond this many documents are limited to one each.
REPEAT_LIMIT_DOCS = 50_000


# ---------------------------------------------------------------------------------- triples files
def triple_files(corpus) -> tuple[Path, Path, int, int]:
    """N-Quads and N-Triples files of exactly the quads our loader writes for the corpus (metadata
    excepted), written once next to the corpus: (nquads, ntriples, quads, triples)."""
    nq, nt, info = corpus.root / "triples.nq", corpus.root / "triples.nt", corpus.root / "triples.json"
    if info.exists():
        counts = json.loads(info.read_text())
        if counts.get("docs") == corpus.docs:
            return nq, nt, counts["quads"], counts["triples"]
    from functools import partial

    from credgraph.load import LoadReport, _inputs_with_uris, _prepare_remote
    from credgraph.load.parallel import default_workers, ordered_map

    options = dict(fmt=None, graph=None, context_map=None, stdin=None, serialise=True)
    tasks = ((item, None, uri) for item, uri in _inputs_with_uris([corpus.dir], LoadReport()))
    quads = 0
    started = time.monotonic()
    with open(nq, "wb") as fq, open(nt, "wb") as ft:
        fn = partial(_prepare_remote, options=options)
        for n, (_, prepared) in enumerate(ordered_map(fn, tasks, workers=max(default_workers(), 1),
                                                      local=lambda t: fn(t)), 1):
            if prepared.error is not None:
                continue
            data = prepared.quads.data
            fq.write(data)
            for graph in prepared.quads.counts:
                data = data.replace(f" <{graph}> .\n".encode(), b" .\n")
            ft.write(data)
            quads += len(prepared.quads)
            if n % 20_000 == 0:
                print(f"  writing the baselines' triples: {n:,} documents ({time.monotonic() - started:.0f} s)",
                      file=sys.stderr)
    info.write_text(json.dumps({"docs": corpus.docs, "quads": quads, "triples": quads}))
    return nq, nt, quads, quads


def _prefix_file(src: Path, lines: int) -> Path:
    out = src.with_name(f"{src.stem}.first{lines}{src.suffix}")
    if not out.exists():
        with open(src, "rb") as f, open(out, "wb") as g:
            for i, line in enumerate(f):
                if i >= lines:
                    break
                g.write(line)
    return out


# ---------------------------------------------------------------------------------- measurements
def measure(kind: str, source: str, store_dir: str | None, workers: int | None = None) -> dict:
    """One measurement in this process (run it in a fresh subprocess): seconds, CPU seconds,
    peak RSS in MiB, and what was loaded."""
    import resource

    import pyoxigraph as ox
    import rdflib

    from credgraph.load import load
    from credgraph.store import open_store

    started = time.perf_counter()  # imports excepted; opening and closing the store included
    cpu = time.process_time()
    result: dict = {"kind": kind}
    if kind == "ours":
        store = open_store(store_dir)
        progress = _Progress()
        report = load(store, [source], progress=progress, workers=workers)
        store.flush()
        progress.close()
        result.update(triples=report.triples, docs=report.loaded, failed=report.failed)
        del report
        store.close()
    elif kind in ("bulk_nt", "bulk_nq"):
        store = ox.Store(store_dir)
        fmt = ox.RdfFormat.N_TRIPLES if kind == "bulk_nt" else ox.RdfFormat.N_QUADS
        store.bulk_load(path=source, format=fmt)
        store.flush()
        result.update(triples=len(store))
        del store
    elif kind == "rdflib":
        dataset = rdflib.Dataset()
        dataset.parse(source, format="nquads")
        result.update(triples=sum(len(g) for g in dataset.graphs()))
    else:
        raise ValueError(kind)
    result["seconds"] = time.perf_counter() - started
    self_usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu_seconds"] = time.process_time() - cpu + children.ru_utime + children.ru_stime
    result["peak_mib"] = self_usage.ru_maxrss / 1024
    result["worker_peak_mib"] = children.ru_maxrss / 1024
    return result


class _Progress:
    """Documents done and rate on stderr, every few seconds."""

    def __init__(self):
        self.start = self.last = time.monotonic()
        self.done = self.triples = 0

    def __call__(self, outcome, origin):
        self.done += 1
        if outcome is not None and outcome.ok:
            self.triples += outcome.triples
        now = time.monotonic()
        if now - self.last > 5:
            self.last = now
            rate = self.done / (now - self.start)
            print(f"  loading: {self.done:,} documents ({rate:,.0f}/s), {self.triples:,} triples "
                  f"({self.triples / (now - self.start):,.0f}/s)", file=sys.stderr, flush=True)

    def close(self):
        pass


def _subprocess(kind: str, source: Path, workers: int | None = None) -> dict:
    store_dir = tempfile.mkdtemp(prefix=f"credgraph-bench-{kind}-", dir=os.environ.get("CREDGRAPH_BENCH_TMP"))
    try:
        cmd = [sys.executable, "-m", "benchmarks.bench_load", "--measure", kind, "--source", str(source),
               "--store", store_dir]
        if workers is not None:
            cmd += ["--workers", str(workers)]
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[1]).stdout
        return json.loads(out.strip().splitlines()[-1])
    finally:
        shutil.rmtree(store_dir, ignore_errors=True)


# ---------------------------------------------------------------------------------- the benchmark
def run(corpus, repeat: int = 3, workers: int | None = None) -> list[dict]:
    """Rows: load throughput against bulk_load (N-Triples, N-Quads) and rdflib, peak memory."""
    nq, nt, quads, triples = triple_files(corpus)
    runs = repeat if corpus.docs <= REPEAT_LIMIT_DOCS else 1
    results: dict[str, list[dict]] = {"ours": [], "bulk_nt": [], "bulk_nq": []}
    load_avg = []
    for _ in range(max(runs, 1)):
        load_avg.append(os.getloadavg()[0])
        results["ours"].append(_subprocess("ours", corpus.dir, workers))
        results["bulk_nt"].append(_subprocess("bulk_nt", nt))
        results["bulk_nq"].append(_subprocess("bulk_nq", nq))
    if quads <= RDFLIB_LIMIT:
        rdflib = _subprocess("rdflib", nq)
        rdflib_note = f"rdflib parsed all {quads:,} quads"
    else:
        sample = _prefix_file(nq, RDFLIB_SAMPLE)
        rdflib = _subprocess("rdflib", sample)
        scale = quads / RDFLIB_SAMPLE
        rdflib_note = (f"rdflib EXTRAPOLATED: it parsed the first {RDFLIB_SAMPLE:,} of {quads:,} quads in "
                       f"{rdflib['seconds']:.1f} s ({rdflib['peak_mib']:,.0f} MiB); time and memory scaled "
                       f"linearly by {scale:.1f}")
        rdflib = dict(rdflib, seconds=rdflib["seconds"] * scale, peak_mib=rdflib["peak_mib"] * scale,
                      triples=quads)

    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in results[kind])

    ours_s = median("ours", "seconds")
    ours = results["ours"][0]
    if ours["triples"] != quads:
        raise RuntimeError(f"ours loaded {ours['triples']:,} triples, the baselines {quads:,}")
    nt_s, nq_s = median("bulk_nt", "seconds"), median("bulk_nq", "seconds")
    ours_rate = quads / ours_s
    ours_peak = max(r["peak_mib"] for r in results["ours"])
    worker_peak = max(r["worker_peak_mib"] for r in results["ours"])
    size = corpus.label
    runs_note = (f"median of {runs} runs" if runs > 1 else "1 run") + \
        f"; load average {statistics.mean(load_avg):.1f} on {os.cpu_count()} cores"
    cpu_note = f"ours used {median('ours', 'cpu_seconds'):.0f} CPU-s in {ours_s:.0f} s"
    rows = [
        _row(size, "load throughput", ours_rate, triples / nt_s, "pyoxigraph bulk_load, N-Triples", "triples/s",
             f"{quads:,} triples, {corpus.docs:,} documents; {runs_note}; {cpu_note}; "
             f"bulk_load {nt_s:.1f} s"),
        _row(size, "load throughput", ours_rate, quads / nq_s, "pyoxigraph bulk_load, N-Quads (named graphs)",
             "triples/s", f"the same layout as ours (a named graph per document); bulk_load {nq_s:.1f} s"),
        _row(size, "load throughput", ours_rate, quads / rdflib["seconds"], "rdflib Dataset, N-Quads",
             "triples/s", rdflib_note),
        _row(size, "load documents", ours["docs"] / ours_s, corpus.docs / rdflib["seconds"],
             "rdflib Dataset, N-Quads", "docs/s", f"ours {ours['docs']:,} documents in {ours_s:.1f} s"),
        _row(size, "load CPU per triple", median("ours", "cpu_seconds") / quads * 1e6,
             median("bulk_nt", "cpu_seconds") / triples * 1e6, "pyoxigraph bulk_load, N-Triples", "µs CPU",
             "CPU time of every process and thread of the load (ours: main and parsing workers); less "
             "sensitive than wall time to other work on the machine", lower_is_better=True),
        _row(size, "load CPU per triple", median("ours", "cpu_seconds") / quads * 1e6,
             median("bulk_nq", "cpu_seconds") / quads * 1e6, "pyoxigraph bulk_load, N-Quads (named graphs)",
             "µs CPU", "", lower_is_better=True),
        _row(size, "peak memory", ours_peak + worker_peak, median("bulk_nt", "peak_mib"),
             "pyoxigraph bulk_load, N-Triples", "MiB",
             f"ours: main process {ours_peak:,.0f} MiB + largest parsing worker {worker_peak:,.0f} MiB",
             lower_is_better=True),
        _row(size, "peak memory", ours_peak + worker_peak, rdflib["peak_mib"], "rdflib Dataset, N-Quads", "MiB",
             rdflib_note if quads > RDFLIB_LIMIT else "", lower_is_better=True),
    ]
    return rows


def _row(size, metric, ours, baseline, baseline_name, unit, note="", lower_is_better=False) -> dict:
    """A result row; ``ratio`` is how many times better ours is (>1 is better)."""
    if lower_is_better:
        ratio = baseline / ours if ours else None
    else:
        ratio = ours / baseline if baseline else None
    digits = 0 if max(abs(ours), abs(baseline)) >= 100 else 2
    return {"size": size, "metric": metric, "ours": round(ours, digits), "baseline": round(baseline, digits),
            "baseline_name": baseline_name, "unit": unit, "ratio": round(ratio, 2) if ratio else None,
            "note": note}


def main(argv: list[str] | None = None) -> int:
    from benchmarks.corpus import corpus_for

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_load", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="10k", help="corpus size in documents, e.g. 10k, 100k")
    parser.add_argument("--credentials", help="size the corpus by credentials instead, e.g. 1M")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, help="parsing processes for ours (default: the loader's)")
    parser.add_argument("--measure", choices=["ours", "bulk_nt", "bulk_nq", "rdflib"], help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.source, args.store, args.workers)))
        return 0
    corpus = corpus_for(args.docs, args.credentials)
    for row in run(corpus, args.repeat, args.workers):
        print(f"{row['size']:>10} {row['metric']:<16} {row['ours']:>12,} {row['baseline']:>12,} "
              f"{row['ratio'] or 0:>6.2f}x {row['unit']:<9} {row['baseline_name']}")
        if row["note"]:
            print(f"{'':>10} {row['note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
