"""A report with more results than SPILL_RESULTS is sorted into runs on disk and written as the
runs are merged: the same bytes as a report held in memory, each result once, files removed after.
"""

from __future__ import annotations

import json
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT))  # the benchmarks package: its corpus generator makes realistic documents

from credgraph.store import open_store  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from benchmarks.corpus import generate

    return generate(tmp_path_factory.mktemp("spill") / "corpus", 120, seed=3)


@pytest.fixture(scope="module")
def corpus_store(corpus):
    from credgraph.load import load

    store = open_store(":memory:")
    load(store, [corpus.dir])
    return store


def _outputs(report) -> tuple[str, str, str]:
    return report.to_text(), report.to_json(), report.to_turtle()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_spilled_report_writes_what_an_in_memory_report_writes(corpus_store, monkeypatch, workers):
    from credgraph.validate import report as report_module
    from credgraph.validate import validate_store

    held = validate_store(corpus_store, ("registry", "structure"), workers=workers)
    assert isinstance(held.results, list) and len(held.results) > 2000
    monkeypatch.setattr(report_module, "SPILL_RESULTS", 300)
    spilled = validate_store(corpus_store, ("registry", "structure"), workers=workers)
    assert isinstance(spilled.results, report_module.SpilledResults) and len(spilled.results.runs) >= 5
    assert list(spilled.results) == held.results  # sorted, each once
    assert _outputs(spilled) == _outputs(held)
    assert spilled.counts == held.counts and spilled.exit_code == held.exit_code
    directory = spilled.results.directory
    assert directory.is_dir()
    spilled.close()
    assert not directory.exists()


def test_the_json_report_is_json_dumps_of_its_dict(corpus_store):
    from credgraph.validate import validate_store
    from credgraph.validate.report import Report

    report = validate_store(corpus_store, ("registry",), workers=1)
    for each in (report, Report([], profiles=("registry-minimum",), documents=0, notes=["a note"])):
        assert each.to_json() == json.dumps(each.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_results_repeated_across_runs_are_reported_once():
    from credgraph.validate.report import ResultCollector, _example

    collector = ResultCollector(limit=1)
    for name in ("b", "a", "b", "a", "c"):
        collector.extend([_example(name)])
    results = collector.finish()
    assert len(results.runs) == 5
    assert [r.focus for r in results] == ["<https://ex.org/a>", "<https://ex.org/b>", "<https://ex.org/c>"]
    results.close()


def test_validate_writes_out_only_a_complete_report(corpus, cli, tmp_path, monkeypatch):
    path = tmp_path / "store"
    assert cli("load", corpus.dir, "--store", path, "--quiet").code == 0
    reports = tmp_path / "reports"
    reports.mkdir()
    out = reports / "report.json"
    out.write_text("an older report")
    result = cli("validate", "--store", path, "--format", "json", "--out", out)
    assert result.code == 1, result.err
    report = json.loads(out.read_text())
    assert report["counts"]["Violation"] > 0 and len(report["results"]) == sum(report["counts"].values())
    assert [p.name for p in reports.iterdir()] == ["report.json"]

    from credgraph.validate import report as report_module

    def broken(self, out):
        out.write("half a report")
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(report_module.Report, "write_json", broken)
    result = cli("validate", "--store", path, "--format", "json", "--out", out)
    assert result.code != 0 and "the disk went away" in result.err
    assert json.loads(out.read_text()) == report  # the previous report is intact
    assert [p.name for p in reports.iterdir()] == ["report.json"]

    result = cli("validate", "--store", path, "--out", tmp_path / "no" / "such" / "folder" / "r.txt")
    assert result.code == 2 and "cannot write the report to" in result.err and "Traceback" not in result.err
    assert "give --out a file in a folder that exists" in result.err


def test_validate_writes_into_a_named_pipe_without_replacing_it(corpus, cli, tmp_path):
    """--out /dev/null or a pipe is written directly (a temporary file renamed over it would
    replace the device or the pipe with a regular file)."""
    import os
    import stat
    import threading

    path = tmp_path / "store"
    assert cli("load", corpus.dir, "--store", path, "--quiet").code == 0
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    result = cli("validate", "--store", path, "--format", "json", "--out", pipe)
    reader.join(timeout=30)
    assert result.code == 1, result.err
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert json.loads(received[0])["counts"]["Violation"] > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe", "store"]
