"""Benchmark: the canned query catalog, p50/p95 latency per query, embedded store vs rdflib.

ours      every query of the catalog (``credgraph queries``) on the embedded pyoxigraph store,
          with parameters bound as ``credgraph query NAME`` binds them (a VALUES block); one
          warm-up run, then ``samples`` timed runs within ``OURS_BUDGET`` seconds (a fast query:
          up to ``MAX_SAMPLES`` within ``FAST_BUDGET`` seconds, so p95 is not one run's); p50 and
          p95 in milliseconds (nearest rank). Each query runs in a forked child process that is
          stopped after ``OURS_CAP`` seconds (a whole-graph analytic query can take minutes on a
          large corpus; a stopped query is reported at the cap, noted, as a lower bound). Every
          query is timed before rdflib's dataset is built: a child forked from a process holding
          it pays copy-on-write faults (small queries measured 2-5x slower that way).
baseline  the same query text, parameters bound by the same VALUES block a remote endpoint gets,
          on rdflib's in-memory Dataset (default graph = union, like the store) holding the same
          quads, in the same process and run, after ours; ``baseline_samples`` runs (a fast
          query: more, as ours) within ``budget`` seconds per query: a query still running after the budget is stopped and
          reported as taking at least the budget (the ratio is then a lower bound, noted). Above
          ``baseline_cap`` credentials rdflib is not run (it needs ~4 GB per 100k credentials).

The store holds the corpus plus the project's ontology/ and data/ (the class hierarchy and the
ecosystem map the queries read) and the approved-list test fixture; a store on disk is compacted
after the load (``credgraph compact``, as the docs advise after a big load). Parameters: a resource the
corpus has for the queries about one credential, pathway, blueprint or competency (picked with a
small SPARQL lookup, outside the timing; when no candidate has an answer, the manifest's values
if they have one); the manifest's values (tests/queries/manifest.ttl) for the others; optional
parameters that name one resource are given, whole-graph ones are left out.
Each row's note says the rows each engine returned, so a disagreement shows.

kept      a query whose ours p50 is at least ``credgraph.answers.KEEP_AFTER`` is then asked once
          more with its answer kept in the store (``credgraph query --fresh``), and timed again
          while the store keeps it: what every later ask costs until the store changes. Its
          baseline is our own computed time, so the ratio is what keeping saves. The ``ours`` rows
          never read or keep answers.

Rows: one ``p50 <query>`` and one ``p95 <query>`` per catalog query (targets judge the p95 rows),
and ``p50 kept <query>`` / ``p95 kept <query>`` for the queries whose answers the store keeps.
Run alone: ``python -m benchmarks.bench_query --credentials 10k`` (or ``--docs 1000``);
``--store DIR`` keeps the built store in DIR and reuses it on the next run (loading 100k documents
takes minutes), ``--only TEXT`` times only the queries whose name contains TEXT (repeatable).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from credgraph.answers import KEEP_AFTER

ROOT = Path(__file__).resolve().parents[1]
BASELINE_NAME = "rdflib in-memory Dataset SPARQL"
PREFIXES = ("PREFIX ceterms: <https://purl.org/ctdl/terms/> PREFIX ceasn: <https://purl.org/ctdlasn/terms/> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")

OURS_BUDGET = 30.0   # seconds of timed runs per query (ours)
OURS_CAP = 300       # seconds after which a query's child process is stopped
MAX_SAMPLES = 100    # timed runs of a fast query (see time_ours)
FAST_BUDGET = 2.0    # seconds a fast query's runs may take beyond its first ``samples``

#: Corpus resources for the parameters that name one thing: (query, parameter) -> lookup of
#: candidates (choose_params adds the LIMIT and keeps the first with an answer).
PICKERS = {
    ("stackability/stacks-into", "target"):
        "SELECT DISTINCT ?v WHERE { ?x ceterms:isPartOf ?v . ?y ceterms:isPartOf ?x }",
    ("stackability/ladders", "start"):
        "SELECT DISTINCT ?v WHERE { ?v ceterms:isPartOf ?x . ?x ceterms:isAdvancedStandingFor ?cp }",
    ("pathways/traverse", "pathway"): "SELECT DISTINCT ?v WHERE { ?v ceterms:hasDestinationComponent ?d }",
    ("pathways/progress", "pathway"): "SELECT DISTINCT ?v WHERE { ?v ceterms:hasDestinationComponent ?d }",
    ("pathways/remaining", "pathway"): "SELECT DISTINCT ?v WHERE { ?v ceterms:hasDestinationComponent ?d }",
    ("competencies/blueprint-coverage", "blueprint"): "SELECT DISTINCT ?v WHERE { ?v ceasn:hasTopChild ?d }",
    ("competencies/blueprint-domains", "blueprint"): "SELECT DISTINCT ?v WHERE { ?v ceasn:hasTopChild ?d }",
    ("competencies/blueprint-coverage", "program"):
        "SELECT DISTINCT ?v WHERE { ?v ceterms:requires/ceterms:targetLearningOpportunity ?lo }",
    ("competencies/blueprint-domains", "program"):
        "SELECT DISTINCT ?v WHERE { ?v ceterms:requires/ceterms:targetLearningOpportunity ?lo }",
    ("competencies/overlap", "a"):
        "SELECT DISTINCT ?v WHERE { ?v ceterms:requires/ceterms:targetLearningOpportunity ?lo . "
        "?b ceterms:requires/ceterms:targetLearningOpportunity ?lo FILTER(STR(?v) < STR(?b)) }",
    ("competencies/overlap", "b"):
        "SELECT DISTINCT ?v WHERE { ?a ceterms:requires/ceterms:targetLearningOpportunity ?lo . "
        "?v ceterms:requires/ceterms:targetLearningOpportunity ?lo FILTER(STR(?a) < STR(?v)) }",
    ("competencies/credentials-for-competency", "competency"):
        "SELECT DISTINCT ?v WHERE { ?lo ceterms:teaches/ceterms:targetNode ?v }",
    ("research/q10-credit-for-certification", "certification"):
        "SELECT DISTINCT ?v WHERE { ?v ceterms:isAdvancedStandingFor ?cp }",
    ("research/q03-credit-and-noncredit-pairs", "organization"):
        "SELECT DISTINCT ?v WHERE { ?x ceterms:isNonCredit true ; ceterms:ownedBy ?v }",
    ("research/q09-ladder-cost", "start"):
        "SELECT DISTINCT ?v WHERE { ?v ceterms:isNonCredit true ; ceterms:isPartOf ?x }",
    ("competencies/similar-credentials", "credential"):
        "SELECT DISTINCT ?v WHERE { ?v ceterms:requires/ceterms:targetLearningOpportunity/ceterms:teaches ?c }",
}
#: List parameters picked from the corpus: (query, parameter) -> lookup of several values.
LIST_PICKERS = {
    ("pathways/progress", "completed"): "SELECT ?v WHERE { ?p ceterms:hasDestinationComponent ?d . ?p ceterms:hasPart ?v } LIMIT 3",
    ("pathways/remaining", "completed"): "SELECT ?v WHERE { ?p ceterms:hasDestinationComponent ?d . ?p ceterms:hasPart ?v } LIMIT 3",
}


def build_store(corpus, directory: Path | None = None):
    """The embedded store: corpus + ontology/ + data/ + the approved-list fixture."""
    from credgraph.demo import build
    from credgraph.load import load
    from credgraph.store import open_store

    store = open_store(str(directory) if directory else ":memory:")
    build(store)
    load(store, [ROOT / "tests" / "queries" / "data" / "approved-list.ttl"])
    report = load(store, [corpus.dir])
    compact(store)
    return store, report


def compact(store) -> None:
    """``credgraph compact``, as the docs advise after a big load (queries 10% faster at 100k
    credentials, median; up to 37%); a store on disk only."""
    if store.path is not None:
        done = store.compact()
        print(f"compacted the store in {done.seconds:.1f} s: {done.files_before} -> {done.files_after} "
              "table files", file=sys.stderr, flush=True)


def kept_store(corpus, directory: Path):
    """The store built in ``directory`` for this corpus, built there first when it is not.

    ``directory/corpus.txt`` names the corpus the store holds; it is written only once the load
    finished, so an interrupted build is built again. Another corpus in the same directory is
    refused rather than mixed in. Returns ``(store, report)``, the report None when reused.
    """
    from credgraph.store import open_store

    marker, path = directory / "corpus.txt", directory / "store"
    if marker.exists():
        if marker.read_text().strip() != str(corpus.root):
            raise SystemExit(f"--store {directory} holds {marker.read_text().strip()}, not {corpus.root}; "
                             "give another directory")
        store = open_store(str(path))
        compacted = directory / "compacted.txt"
        if not compacted.exists():  # kept by a run from before the harness compacted its stores
            compact(store)
            compacted.write_text("compacted\n")
        return store, None
    directory.mkdir(parents=True, exist_ok=True)
    store, report = build_store(corpus, path)
    marker.write_text(str(corpus.root) + "\n")
    (directory / "compacted.txt").write_text("compacted\n")
    return store, report


def manifest_params() -> dict[str, dict]:
    """The first manifest case's parameters for each query."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from test_queries_manifest import load_manifest
    finally:
        sys.path.pop(0)
    params: dict[str, dict] = {}
    for case in load_manifest():
        params.setdefault(case.query, dict(case.params))
    return params


#: Candidates tried per picked parameter, and combinations tried per query, when looking for
#: parameters with a non-empty answer.
CANDIDATES = 8
COMBINATIONS = 40


def choose_params(query, store, defaults: dict) -> tuple[dict, str]:
    """Parameter values for one query, and where they came from.

    Picked parameters (``PICKERS``) take the first combination of corpus candidates for which the
    query has an answer, so that the timing is of a real answer; when none of them has one, the
    manifest's values are used if they have an answer in this store (data/ is loaded with the
    corpus), else the first candidates are kept; the origin says which.
    """
    import itertools

    from credgraph.catalog import EmbeddedTarget

    values, origin = dict(defaults), "manifest"
    choices: dict[str, list] = {}
    for p in query.params:
        if (query.name, p.name) in LIST_PICKERS:
            found = [row[0].value for row in store.query(PREFIXES + LIST_PICKERS[(query.name, p.name)])]
            if found:
                values[p.name], origin = found, "corpus"
        elif (query.name, p.name) in PICKERS:
            # No ORDER BY: the candidates come in the engine's order, which follows the labels of
            # the blank nodes between (condition profiles), drawn at random by each load, so two
            # builds of one corpus may time different resources. Sorted, the engine must first
            # find every candidate: at 100k credentials 2-127 s per picker (overlap's 127 s).
            lookup = f"{PREFIXES}{PICKERS[(query.name, p.name)]} LIMIT {CANDIDATES}"
            found = [row[0].value for row in store.query(lookup)]
            if found:
                choices[p.name] = found
    if not choices:
        return values, origin
    target = EmbeddedTarget(store, kept="off")
    names = list(choices)
    combinations = list(itertools.islice(itertools.product(*(choices[n] for n in names)), COMBINATIONS))
    for combination in combinations:
        trial = dict(values, **dict(zip(names, combination)))
        if target.run(query.text, query.bind(trial, resolver=target.resolve_ctid)).rows:
            return trial, "corpus"
    if all(n in defaults for n in names) and target.run(query.text, query.bind(values, resolver=target.resolve_ctid)).rows:
        # the manifest's resources (data/) have an answer in this store: time a real answer
        return values, f"manifest (no answer for any of {len(combinations)} corpus candidate combinations)"
    first = dict(values, **{n: choices[n][0] for n in names})
    return first, f"corpus (no answer for any of {len(combinations)} candidate combinations)"


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def time_ours(store, query, bindings, samples: int, budget: float = OURS_BUDGET,
              kept: str = "off") -> tuple[list[float], int]:
    """Our timings (ms) after a warm-up run, and the row count; ``kept`` as for
    :class:`~credgraph.catalog.EmbeddedTarget` (``"off"``: every run computes the answer).

    Sampling stops once the runs have taken ``budget`` seconds (a whole-graph analytic query may
    take seconds per run); a warm-up that alone takes longer than the budget is the one sample.
    A fast query gets more than ``samples`` runs, up to ``MAX_SAMPLES`` within ``FAST_BUDGET``
    seconds: the nearest-rank p95 of 15 runs is their maximum, one hiccup of the machine.
    """
    from credgraph.catalog import EmbeddedTarget

    target = EmbeddedTarget(store, kept=kept)
    started = time.perf_counter()
    rows = len(target.run(query.text, bindings).rows)  # warm-up
    warm_up = time.perf_counter() - started
    if warm_up >= budget:
        return [warm_up * 1000], rows
    times: list[float] = []
    spent = 0.0
    while _more_runs(len(times), samples, spent):
        started = time.perf_counter()
        target.run(query.text, bindings)
        elapsed = time.perf_counter() - started
        times.append(elapsed * 1000)
        spent += elapsed
        if spent >= budget:
            break
    return times, rows


def _more_runs(done: int, samples: int, spent: float) -> bool:
    """Whether a query, ours or rdflib's, gets another timed run: ``samples`` runs, and a fast
    one up to ``MAX_SAMPLES`` within ``FAST_BUDGET`` seconds (the callers stop at their budget)."""
    return done < samples or (done < MAX_SAMPLES and spent < FAST_BUDGET)


def time_ours_capped(store, query, bindings, samples: int, cap: float = OURS_CAP):
    """``time_ours`` in a forked child stopped after ``cap`` seconds: (times, rows, stopped)."""
    if not hasattr(os, "fork"):
        times, rows = time_ours(store, query, bindings, samples)
        return times, rows, False
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: time, report through the pipe, leave without cleanup
        os.close(read_end)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(max(1, int(cap)))
        try:
            payload = json.dumps(time_ours(store, query, bindings, samples))
        except BaseException as exc:  # noqa: BLE001 (reported by the parent)
            payload = json.dumps({"error": f"{type(exc).__name__}: {exc}"[:200]})
        os.write(write_end, payload.encode())
        os._exit(0)
    os.close(write_end)
    chunks = []
    with os.fdopen(read_end, "rb") as pipe:
        for chunk in iter(lambda: pipe.read(65536), b""):
            chunks.append(chunk)
    os.waitpid(pid, 0)
    if not chunks:
        return [cap * 1000.0], None, True
    result = json.loads(b"".join(chunks))
    if isinstance(result, dict):
        raise RuntimeError(f"{query.name}: {result['error']}")
    return result[0], result[1], False


def rdflib_dataset(store):
    """The store's quads in an rdflib Dataset whose default graph is the union."""
    import pyoxigraph as ox
    import rdflib

    def term(t):
        if isinstance(t, ox.NamedNode):
            return rdflib.URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return rdflib.BNode(t.value)
        if t.language:
            return rdflib.Literal(t.value, lang=t.language)
        return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))

    dataset = rdflib.Dataset(default_union=True)
    for quad in store.inner.quads_for_pattern(None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode):
            dataset.graph(rdflib.URIRef(quad.graph_name.value)).add(
                (term(quad.subject), term(quad.predicate), term(quad.object)))
    return dataset


class Budget(Exception):
    """A baseline query ran past its time budget."""


def time_baseline(dataset, text: str, samples: int, budget: float) -> tuple[list[float], int | str | None, bool]:
    """rdflib timings (ms), its row count (or its error), and whether it hit the budget; a fast
    query gets more runs, up to ``MAX_SAMPLES`` within ``FAST_BUDGET`` seconds, as ours does."""
    can_interrupt = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")

    def stop(_signum, _frame):
        raise Budget

    times: list[float] = []
    rows = None
    previous = signal.signal(signal.SIGALRM, stop) if can_interrupt else None
    try:
        spent = 0.0
        while _more_runs(len(times), samples, spent):
            if can_interrupt:
                signal.setitimer(signal.ITIMER_REAL, max(0.01, budget - spent))
            started = time.perf_counter()
            try:
                rows = len(list(dataset.query(text)))
            except Budget:
                return times, rows, True
            except Exception as exc:  # noqa: BLE001 (rdflib's own failures are a result here)
                return [], f"rdflib failed: {type(exc).__name__}: {exc}"[:160], False
            finally:
                if can_interrupt:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - started
            times.append(elapsed * 1000)
            spent += elapsed
            if spent >= budget:
                break
    finally:
        if can_interrupt:
            signal.signal(signal.SIGALRM, previous)
    return times, rows, False


def run(corpus, repeat: int = 3, baseline_cap: int = 100_000, budget: float = 20.0,
        progress: bool = False, store_dir: Path | None = None, only: list[str] | None = None) -> list[dict]:
    """Two rows per catalog query (p50 and p95 in ms), ours against rdflib on the same data.

    ``store_dir`` keeps the store there for the next run (see :func:`kept_store`); ``only``
    limits the run to the queries whose name contains one of its strings.
    """
    from credgraph.catalog import EmbeddedTarget, catalog, with_values

    samples = max(5, repeat * 5)
    baseline_samples = max(2, repeat)
    workdir = tempfile.TemporaryDirectory(prefix="credgraph-bench-query-")
    on_disk = corpus.triples_estimate > 5_000_000
    if store_dir is not None:
        store, report = kept_store(corpus, Path(store_dir))
    else:
        store, report = build_store(corpus, Path(workdir.name) / "store" if on_disk else None)
    try:
        # Ours first, then rdflib: our timings run in a child forked from this process, and once
        # it holds rdflib's dataset (~4 GB at 10k credentials) every page the child writes is a
        # copy-on-write fault. Measured on the 10k-credential store: topic-definitions p50/p95
        # 0.86/1.22 ms forked before the dataset was built, 1.4-3.2/4.5-20 ms after (gc.freeze()
        # did not help): the harness, not the store, set the small queries' ratios.
        defaults = manifest_params()
        timed = []  # (query, bindings, ours, rows, origin, kept rows) for the queries rdflib runs next
        rows = []
        for query in catalog().values():
            if only and not any(text in query.name for text in only):
                continue
            values, origin = choose_params(query, store, defaults.get(query.name, {}))
            bindings = query.bind(values, resolver=EmbeddedTarget(store).resolve_ctid)
            gc.collect()
            ours, n_ours, stopped = time_ours_capped(store, query, bindings, samples)
            if stopped:
                rows += _stopped_rows(corpus, query.name, origin)
                if progress:
                    print(f"  {query.name}: stopped after {OURS_CAP} s", file=sys.stderr, flush=True)
                continue
            if progress:
                print(f"  {query.name}: p95 {round(percentile(ours, 95), 2)} ms", file=sys.stderr, flush=True)
            kept = []
            if percentile(ours, 50) >= KEEP_AFTER * 1000:
                kept = _kept_rows(corpus, query, store, bindings, ours, samples)
                if progress:
                    print(f"  {query.name}: kept p95 {kept[-1]['ours']} ms", file=sys.stderr, flush=True)
            timed.append((query, bindings, ours, n_ours, origin, kept))
        dataset = rdflib_dataset(store) if timed and corpus.credentials <= baseline_cap else None
        for query, bindings, ours, n_ours, origin, kept in timed:
            base, n_base, timed_out = [], None, False
            if dataset is not None:
                base, n_base, timed_out = time_baseline(dataset, with_values(query.text, bindings),
                                                        baseline_samples, budget)
                if progress:
                    shown = (f"stopped after {budget:g} s" if timed_out else n_base if isinstance(n_base, str)
                             else f"{round(percentile(base, 95), 2)} ms")
                    print(f"  {query.name}: rdflib p95 {shown}", file=sys.stderr, flush=True)
            rows += _rows(corpus, query.name, ours, base, n_ours, n_base, timed_out, budget, origin,
                          dataset is not None, baseline_cap)
            rows += kept
        return sorted(rows, key=lambda row: _row_order(row["metric"]))
    finally:
        store.close()
        workdir.cleanup()


def _row_order(metric: str) -> tuple[str, bool, str]:
    """Rows by query name, a query's computed rows before its kept ones, p50 before p95."""
    percentile_name, _, rest = metric.partition(" ")
    kept = rest.startswith("kept ")
    return (rest.removeprefix("kept "), kept, percentile_name)


def _kept_rows(corpus, query, store, bindings, ours: list[float], samples: int) -> list[dict]:
    """Ask ``query`` once more keeping its answer, then time the asks the kept answer serves."""
    from credgraph.catalog import EmbeddedTarget

    started = time.perf_counter()
    target = EmbeddedTarget(store, kept="fresh")
    target.run(query.text, bindings)
    keeping = (time.perf_counter() - started) * 1000
    if not target.is_kept(query.text, bindings):  # else the timings below would be computed ones
        raise RuntimeError(f"{query.name}: its answer was not kept (over credgraph.answers.KEEP_MAX_BYTES?)")
    kept, n_kept = time_ours(store, query, bindings, samples, kept="use")
    out = []
    for p in (50, 95):
        mine, computed = round(percentile(kept, p), 2), round(percentile(ours, p), 2)
        note = (f"{n_kept} rows; answered from the answer the store keeps (computing and keeping it took "
                f"{keeping:,.0f} ms; kept until the store changes); baseline: our computed time; {len(kept)} runs")
        out.append({"size": corpus.label, "metric": f"p{p} kept {query.name}", "ours": mine,
                    "baseline": computed, "baseline_name": "ours, computed", "unit": "ms",
                    "ratio": round(computed / mine, 1) if mine else None, "note": note})
    return out


def _stopped_rows(corpus, name, origin) -> list[dict]:
    note = (f"ours stopped after {OURS_CAP} s (a lower bound; a whole-graph analytic query); "
            f"rdflib not run; parameters from the {origin}")
    return [{"size": corpus.label, "metric": f"p{p} {name}", "ours": OURS_CAP * 1000.0, "baseline": None,
             "baseline_name": BASELINE_NAME, "unit": "ms", "ratio": None, "note": note} for p in (50, 95)]


def _rows(corpus, name, ours, base, n_ours, n_base, timed_out, budget, origin, baseline_ran, cap) -> list[dict]:
    out = []
    for p in (50, 95):
        mine = round(percentile(ours, p), 2)
        if isinstance(n_base, str):
            theirs, ratio = None, None
            note = f"{n_ours} rows; {n_base}; {len(ours)} runs; parameters from the {origin}"
        elif base and not timed_out:
            theirs = round(percentile(base, p), 2)
            ratio = round(theirs / mine, 1) if mine else None
            agree = "same row count" if n_base == n_ours else f"ROW COUNTS DIFFER: rdflib {n_base}"
            note = f"{n_ours} rows, {agree}; {len(ours)} vs {len(base)} runs; parameters from the {origin}"
        elif baseline_ran:
            theirs = budget * 1000
            ratio = round(theirs / mine, 1) if mine else None
            note = (f"{n_ours} rows; rdflib stopped after {budget:g} s (baseline and ratio are lower bounds); "
                    f"{len(ours)} runs; parameters from the {origin}")
        else:
            theirs, ratio = None, None
            note = f"{n_ours} rows; rdflib not run above {cap:,} credentials; {len(ours)} runs; parameters from the {origin}"
        out.append({"size": corpus.label, "metric": f"p{p} {name}", "ours": mine, "baseline": theirs,
                    "baseline_name": BASELINE_NAME, "unit": "ms", "ratio": ratio, "note": note})
    return out


def main(argv: list[str] | None = None) -> int:
    from benchmarks.corpus import corpus_for, parse_size

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_query", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="1000", help="corpus size in documents, e.g. 1000, 10k")
    parser.add_argument("--credentials", help="size the corpus by credentials instead, e.g. 10k, 100k, 1M")
    parser.add_argument("--repeat", type=int, default=3, help="ours runs 5x this many times per query")
    parser.add_argument("--baseline-cap", default="100k", help="run rdflib only up to this many credentials")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds rdflib gets per query")
    parser.add_argument("--store", type=Path, metavar="DIR",
                        help="keep the built store in DIR and reuse it next time (same corpus only)")
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="time only the queries whose name contains TEXT (repeatable)")
    parser.add_argument("--save", action="store_true",
                        help="also write benchmarks/results/<time>.json, as python -m benchmarks does "
                             "(render it with --from-results)")
    args = parser.parse_args(argv)
    from benchmarks.__main__ import load_average, recorded, save_results

    corpus = corpus_for(args.docs, args.credentials)
    loads, started = [load_average()], time.perf_counter()
    rows = run(corpus, args.repeat, parse_size(args.baseline_cap), args.budget, progress=True,
               store_dir=args.store, only=args.only)
    if args.save:
        loads.append(load_average())
        args_saved = dict(vars(args), store=str(args.store) if args.store else None)
        print(f"results: {save_results(recorded('query', rows, corpus, time.perf_counter() - started, loads), args_saved)}")
    print(f"{'size':>18} {'metric':<52} {'ours ms':>9} {'rdflib ms':>10} {'ratio':>8}")
    for r in rows:
        base = f"{r['baseline']:>10,.1f}" if r["baseline"] is not None else f"{'-':>10}"
        ratio = f"{r['ratio']:>7.1f}x" if r["ratio"] is not None else f"{'-':>8}"
        print(f"{r['size']:>18} {r['metric']:<52} {r['ours']:>9,.2f} {base} {ratio}")
        if r["metric"].startswith("p95"):
            print(f"{'':>18}   {r['note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
