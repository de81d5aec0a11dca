"""``python -m benchmarks``: every benchmark area at every size, one table per size.

For each size the synthetic corpus is generated (or found in ``benchmarks/.corpus/``), then each
area's module ``benchmarks/bench_<area>.py`` that exists runs in its own subprocess (clean memory,
and one area failing does not stop the others) and returns rows
``{size, metric, ours, baseline, baseline_name, unit, ratio, note}``. ``ratio`` is how many times
better ours is than the baseline measured in the same run (throughput: ours/baseline; latency
and memory: baseline/ours). Each row is judged against the issue's targets
(``benchmarks/targets.py``). Results are written as JSON under ``benchmarks/results/`` and each
table shows the change of ``ours`` since the previous results file.

Examples::

    python -m benchmarks                         # 10k and 100k documents, every area
    python -m benchmarks --sizes 10k --only load --repeat 1
    python -m benchmarks --sizes 10k,100k,400k --credentials 1M --json all.json --markdown table.md
    python -m benchmarks --from-results benchmarks/results/A.json benchmarks/results/B.json --markdown t.md
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from benchmarks.corpus import Corpus, cached, open_corpus, parse_size
from benchmarks.targets import judge, targets_for

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
AREAS = ("load", "validate", "query", "export")
PACKAGES = ("credgraph", "pyoxigraph", "rdflib", "pyshacl", "owlrl", "PyLD", "SPARQLWrapper")


# ---------------------------------------------------------------------------------- the machine
def machine() -> dict:
    """What the numbers were measured on."""
    info = {"python": sys.version.split()[0], "platform": platform.platform(),
            "cores": os.cpu_count(), "cpu": platform.processor() or platform.machine()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    try:
        info["load_average"] = round(os.getloadavg()[0], 2)
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    info["packages"] = versions
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=HERE,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        info["commit"] = commit + ("+changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def describe_machine(info: dict) -> str:
    packages = ", ".join(f"{k} {v}" for k, v in info.get("packages", {}).items())
    return (f"{info.get('cpu', '?')}, {info.get('cores', '?')} cores, {info.get('ram_gib', '?')} GiB RAM; "
            f"Python {info['python']} on {info['platform']}; load average {info.get('load_average', '?')} "
            f"at start; commit {info.get('commit', '?')}\n{packages}")


# ---------------------------------------------------------------------------------- running
def available_areas(only: list[str] | None) -> list[str]:
    """Areas whose module exists: the known ones in order, then any other bench_*.py."""
    found = [a for a in AREAS if importlib.util.find_spec(f"benchmarks.bench_{a}") is not None]
    found += sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py") if p.stem[len("bench_"):] not in AREAS)
    return [a for a in found if not only or a in only]


def run_area(area: str, corpus: Corpus, repeat: int, timeout: float | None) -> tuple[list[dict], float, str]:
    """Run one area's benchmark in a subprocess: (rows, seconds, error or "")."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        out_path = Path(out.name)
    started = time.monotonic()
    cmd = [sys.executable, "-m", "benchmarks", "--run-area", area, "--corpus-root", str(corpus.root),
           "--repeat", str(repeat), "--rows-out", str(out_path)]
    try:
        code = subprocess.run(cmd, cwd=HERE.parent, timeout=timeout).returncode
        rows = json.loads(out_path.read_text()) if code == 0 and out_path.stat().st_size else []
        error = "" if code == 0 else f"exited with code {code} (its output is above)"
    except subprocess.TimeoutExpired:
        rows, error = [], f"stopped after {timeout:.0f} s (--timeout)"
    finally:
        out_path.unlink(missing_ok=True)
    return rows, time.monotonic() - started, error


def _child(area: str, root: str, repeat: int, rows_out: str) -> int:
    module = importlib.import_module(f"benchmarks.bench_{area}")
    rows = module.run(open_corpus(root), repeat=repeat)
    Path(rows_out).write_text(json.dumps(rows))
    return 0


# ---------------------------------------------------------------------------------- reporting
def judged(area: str, row: dict) -> dict:
    """The row with its area and the verdict of every target that applies."""
    verdicts = []
    for target in targets_for(area, row):
        met, words = judge(target, row)
        verdicts.append({"target": target.short(), "field": target.field, "met": met, "verdict": words,
                         "why": target.why})
    return dict(row, area=area, targets=verdicts)


def recorded(area: str, rows: list[dict], corpus: Corpus, seconds: float, loads: tuple) -> list[dict]:
    """``rows`` as results files keep them: judged, with the corpus title, time taken and load average.

    ``loads`` is the 1-minute load average before and after the area ran.
    """
    title = size_title(corpus)
    return [dict(judged(area, dict(row, size=row.get("size", corpus.label))), seconds=round(seconds, 1),
                 size_title=title, load_average=list(loads)) for row in rows]


def save_results(rows: list[dict], args: dict, stamp: str | None = None, info: dict | None = None,
                 path: Path | None = None) -> Path:
    """Write the results (the time, machine, arguments and rows) to ``path``, by default
    ``benchmarks/results/<stamp>.json``; returns the path written."""
    stamp = stamp or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    if path is None:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{stamp}.json"
    path.write_text(json.dumps({"time": stamp, "machine": info or machine(), "args": args, "rows": rows},
                               indent=1))
    return path


def previous_results(before: str) -> dict[tuple, dict]:
    """The latest earlier measurement of every row, by (size, area, metric, baseline_name): rows of
    the results files named before ``before``, a later file's winning (runs often cover some sizes
    or areas only)."""
    found: dict[tuple, dict] = {}
    for path in sorted(p for p in RESULTS.glob("*.json") if p.name < before):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        for r in data.get("rows", []):
            if isinstance(r.get("ours"), (int, float)):
                found[(r["size"], r["area"], r["metric"], r["baseline_name"])] = dict(r, file=path.name)
    return found


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and abs(value) < 100:
        return f"{value:,.2f}"
    return f"{value:,.0f}" if isinstance(value, (int, float)) else str(value)


def table(rows: list[dict], previous: dict[tuple, dict], markdown: bool = False) -> str:
    """One size's rows as a text (or Markdown) table, with notes below."""
    header = ["area", "metric", "ours", "baseline", "unit", "ratio", "baseline is", "target", "met?", "vs last run"]
    lines, notes = [], []
    for row in rows:
        verdicts = row.get("targets", [])
        target = "; ".join(f"{v['field']} {v['target']}" for v in verdicts) or "–"
        met = "; ".join("yes" if v["met"] else v["verdict"].replace("missed: ", "no: ") for v in verdicts) or "–"
        before = previous.get((row["size"], row["area"], row["metric"], row["baseline_name"]))
        change = "–"
        if before and isinstance(before.get("ours"), (int, float)) and before["ours"] and \
                isinstance(row.get("ours"), (int, float)):
            change = f"{(row['ours'] - before['ours']) / before['ours']:+.0%}"
        ratio = f"{row['ratio']:.2f}×" if isinstance(row.get("ratio"), (int, float)) else "–"
        lines.append([row["area"], row["metric"], _fmt(row.get("ours")), _fmt(row.get("baseline")), row["unit"],
                      ratio, row["baseline_name"], target, met, change])
        if row.get("note"):
            notes.append(f"{row['area']} / {row['metric']} / {row['baseline_name']}: {row['note']}")
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in lines]
        out += [""] + [f"- {n}" for n in notes]
        return "\n".join(out)
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(header)]
    right = {2, 3, 5}
    fmt_line = lambda cells: "  ".join(c.rjust(w) if i in right else c.ljust(w)  # noqa: E731
                                       for i, (c, w) in enumerate(zip(cells, widths)))
    out = [fmt_line(header), fmt_line(["-" * w for w in widths])] + [fmt_line(line) for line in lines]
    out += ["notes:"] + [f"  - {n}" for n in notes]
    return "\n".join(out)


def size_title(corpus: Corpus) -> str:
    return (f"{corpus.label}: {corpus.docs:,} documents, {corpus.credentials:,} credentials, "
            f"~{corpus.triples_estimate:,} triples, {corpus.defect_count:,} with defects")


def load_average() -> float | None:
    """The 1-minute load average (None where the platform has none)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def area_loads(rows: list[dict]) -> str:
    """The 1-minute load average before and after each area ran (the machine is shared)."""
    seen = {}
    for row in rows:
        loads = row.get("load_average")
        if loads and row["area"] not in seen:
            seen[row["area"]] = "→".join("?" if x is None else f"{x:.1f}" for x in loads)
    return ", ".join(f"{area} {loads}" for area, loads in seen.items())


def section(title: str, rows: list[dict], previous: dict[tuple, dict], source: str = "") -> str:
    """One size's Markdown section: title, table, notes, load averages (and which results file)."""
    loads = area_loads(rows)
    tail = []
    if loads:
        tail.append(f"Load average (1 min, before→after each area, on {os.cpu_count()} cores): {loads}.")
    if source:
        tail.append(f"From `{source}`.")
    return f"### {title}\n\n{table(rows, previous, markdown=True)}\n" + ("\n" + " ".join(tail) + "\n" if tail else "")


def from_results(files: list[str], areas: list[str] | None, markdown: str | None) -> int:
    """Print (and write as Markdown) the tables of saved results files, without running anything:
    the rows of every file, one section per (size, file), in the order given; ``areas`` keeps some
    areas only. A later file's rows of the same size and area replace an earlier file's."""
    chosen: dict[tuple, tuple[str, dict]] = {}
    machines = []
    for name in files:
        path = Path(name)
        data = json.loads(path.read_text())
        machines.append(f"- `{path.name}`: {describe_machine(data['machine'])}".replace("\n", "; "))
        for row in data.get("rows", []):
            if areas and row["area"] not in areas:
                continue
            chosen[(row["size"], row["area"], row["metric"], row["baseline_name"])] = (path.name, row)
    by_section: dict[tuple, list[dict]] = {}
    for (size, area, _, _), (source, row) in chosen.items():
        by_section.setdefault((size, source), []).append(row)
    order = {a: i for i, a in enumerate(AREAS)}
    sections = []
    for (size, source), rows in sorted(by_section.items(), key=lambda kv: (_size_order(kv[0][0]), kv[0][1])):
        rows.sort(key=lambda r: order.get(r["area"], len(order)))
        previous = previous_results(source)
        title = rows[0].get("size_title") or size
        print(f"\n== {title} ({source}) ==")
        print(table(rows, previous))
        sections.append(section(title, rows, previous, source))
    if markdown:
        Path(markdown).write_text("Machines:\n\n" + "\n".join(machines) + "\n\n" + "\n".join(sections))
        print(f"markdown: {markdown}")
    return 0


def _size_order(label: str) -> tuple:
    """Sizes in document order, corpora sized by credentials after those sized by documents."""
    words = label.split()
    try:
        n = parse_size(words[0])
    except ValueError:
        n = 0
    return (len(words) > 1, n)


# ---------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0],
                                     epilog="\n".join(__doc__.split("Examples::", 1)[1].splitlines()),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k", help="corpus sizes in documents (default 10k,100k)")
    parser.add_argument("--credentials", help="also corpora sized by credentials, e.g. 100k,1M")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per measurement (default 3)")
    parser.add_argument("--only", help=f"areas to run, comma-separated ({', '.join(AREAS)})")
    parser.add_argument("--json", metavar="FILE", help="also write the results here")
    parser.add_argument("--markdown", metavar="FILE", help="write the tables as Markdown (for docs/performance.md)")
    parser.add_argument("--timeout", type=float, help="seconds an area may take at one size")
    parser.add_argument("--no-save", action="store_true", help="do not write benchmarks/results/<time>.json")
    parser.add_argument("--from-results", nargs="+", metavar="FILE",
                        help="run nothing: print (and with --markdown write) the tables of saved results files")
    parser.add_argument("--run-area", help=argparse.SUPPRESS)
    parser.add_argument("--corpus-root", help=argparse.SUPPRESS)
    parser.add_argument("--rows-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_area:
        return _child(args.run_area, args.corpus_root, args.repeat, args.rows_out)

    only = [a.strip() for a in args.only.split(",")] if args.only else None
    if args.from_results:
        return from_results(args.from_results, only, args.markdown)
    areas = available_areas(only)
    if not areas:
        print(f"no benchmark modules found for {only}", file=sys.stderr)
        return 2
    info = machine()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    print(f"machine: {describe_machine(info)}")
    print(f"areas: {', '.join(areas)}\n")
    sizes = [("docs", parse_size(s)) for s in args.sizes.split(",") if s.strip()]
    sizes += [("credentials", parse_size(s)) for s in (args.credentials or "").split(",") if s.strip()]
    previous = previous_results(f"{stamp}.json")
    all_rows: list[dict] = []
    sections: list[str] = []
    for kind, n in sizes:
        corpus = cached(credentials=n, progress=True) if kind == "credentials" else cached(n, progress=True)
        title = size_title(corpus)
        rows = []
        for area in areas:
            print(f"--- {area} at {corpus.label} ...", file=sys.stderr, flush=True)
            load_before = load_average()
            found, seconds, error = run_area(area, corpus, args.repeat, args.timeout)
            load_after = load_average()
            if error:
                found = [{"size": corpus.label, "metric": "(failed)", "ours": None, "baseline": None,
                          "baseline_name": "", "unit": "", "ratio": None, "note": error}]
            rows += recorded(area, found, corpus, seconds, (load_before, load_after))
        all_rows += rows
        print(f"\n== {title} ==")
        print(table(rows, previous))
        print()
        sections.append(section(title, rows, previous))
    if not args.no_save:
        print(f"results: {save_results(all_rows, vars(args), stamp, info)}")
    if args.json:
        save_results(all_rows, vars(args), stamp, info, Path(args.json))
    if args.markdown:
        Path(args.markdown).write_text(f"Machine: {describe_machine(info)}\n\n" + "\n".join(sections))
        print(f"markdown: {args.markdown}")
    missed = [r for r in all_rows for v in r.get("targets", []) if v["met"] is False]
    print(f"{len(missed)} target check(s) missed" if missed else "every target checked was met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
