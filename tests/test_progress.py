"""The status lines of load, export and validate: shown on a terminal, cleared at the end."""

from __future__ import annotations

import io
from types import SimpleNamespace

from credgraph.commands._common import CountProgress, Progress, StepProgress


def test_load_line_counts_sources_triples_and_failures():
    out = io.StringIO()
    line = Progress("loading", stream=out, enabled=True, every=0.0)
    line(SimpleNamespace(ok=True, triples=70), "a.json")
    line(None, "b.json")
    assert "loading: 2 sources" in out.getvalue() and "70 triples" in out.getvalue()
    assert out.getvalue().endswith("1 failed ")
    line.close()
    assert out.getvalue().endswith("\r")                       # the line is blanked out


def test_lines_are_silent_off_a_terminal():
    out = io.StringIO()                                         # not a TTY: enabled defaults to False
    for line in (Progress("loading", stream=out), CountProgress("exporting", stream=out),
                 StepProgress("validating", stream=out)):
        (line(SimpleNamespace(ok=True, triples=1), "x") if isinstance(line, Progress)
         else line.step() if isinstance(line, CountProgress) else line(1, 1))
        line.close()
    assert out.getvalue() == ""


def test_the_last_step_is_always_shown():
    out = io.StringIO()
    line = StepProgress("validating", stream=out, enabled=True, every=3600)
    line(1, 3)
    line(2, 3)                                                  # within the interval: skipped
    line(3, 3)                                                  # the last: shown anyway
    assert "1/3 checks" in out.getvalue() and "2/3" not in out.getvalue() and "3/3 checks (100%)" in out.getvalue()
