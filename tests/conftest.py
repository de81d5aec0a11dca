"""Shared test fixtures: stores, the reference folder, and running the CLI in-process."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
#: Third-party reference data, present in CI and on the team's machines, absent in a fresh clone.
REFERENCE = ROOT.parent / "shared" / "reference"


def reference(*parts: str) -> Path:
    """A path under ../shared/reference, skipping the test cleanly when it is absent."""
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/reference is absent (fresh clone): needs {'/'.join(parts)}")
    return path


@pytest.fixture
def store():
    from credgraph.store import open_store

    return open_store(":memory:")


@pytest.fixture
def disk_store(tmp_path):
    from credgraph.store import open_store

    s = open_store(tmp_path / "store")
    yield s
    s.close()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(monkeypatch):
    """Run ``credgraph ARGS`` in-process; returns exit code, stdout and stderr."""
    from credgraph.cli import main

    def run(*args: str, stdin: bytes = b"") -> CliResult:
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
        err = io.StringIO()
        fake_in = io.TextIOWrapper(io.BytesIO(stdin))
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        monkeypatch.setattr(sys, "stdin", fake_in)
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        finally:
            monkeypatch.undo()
        out.flush()
        return CliResult(code, out.buffer.getvalue().decode("utf-8"), err.getvalue())

    return run
