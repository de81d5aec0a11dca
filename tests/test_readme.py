"""The README's quickstart commands are the ones CI runs, and the wheel carries the data files."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```sh\n(python3 -m venv .+?)\n```", text)


def test_readme_has_the_two_quickstart_commands():
    main_job, tests = _commands()[:2]
    assert main_job.endswith("credgraph demo")
    assert tests.endswith("-m pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    readme_test = _commands()[1]
    assert readme_test in ci


@pytest.mark.slow
def test_wheel_ships_ontology_shapes_queries_and_data(tmp_path):
    pytest.importorskip("hatchling")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "-q", "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    [wheel] = tmp_path.glob("credgraph-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("credgraph/_data/ontology/ctdl.ttl", "credgraph/_data/ontology/credgraph.ttl",
                     "credgraph/contexts/ctdl.jsonld", "credgraph/cli.py"):
        assert expected in names, expected
    assert any(n.startswith("credgraph/_data/queries/") for n in names)
    assert any(n.startswith("credgraph/_data/data/") for n in names)
