"""A server under load: concurrent SPARQL and page requests from a separate process.

Zero 5xx for ordinary requests; the pathological query is stopped by the per-query timeout (503)
without hurting the others; the server's memory stays bounded. p50/p95 are printed (and reported
in docs/reliability.md), not asserted: speed lives in benchmarks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from browser.serving import Server, build_demo_store
from conftest import ROOT


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def tree_rss_mb(pid: int) -> float:
    """RSS of the server and its query workers."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(c) for c in children.read_text().split()] if children.exists() else []
    return rss_mb(pid) + sum(tree_rss_mb(k) for k in kids)


@pytest.mark.slow
def test_server_under_load_has_no_5xx_and_stops_the_pathological_query(tmp_path):
    store = build_demo_store(tmp_path / "store")
    server = Server(store, "--query-timeout", "3", env={"CREDGRAPH_TOKEN": ""})
    try:
        server.get("/")  # warm up workers
        before = tree_rss_mb(server.process.pid)
        proc = subprocess.run([sys.executable, "-m", "benchmarks.serve_load", server.url, "--seconds", "8",
                               "--clients", "8", "--max-requests", "3000", "--pathological", "2"],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert proc.returncode == 0, proc.stderr
        summary = json.loads(proc.stdout)
        after = tree_rss_mb(server.process.pid)
    finally:
        server.stop()
    print("\nserver under load:", json.dumps(summary), f"RSS {before:.0f} -> {after:.0f} MB")
    for kind in ("sparql", "page"):
        statuses = summary[kind]["statuses"]
        assert summary[kind]["requests"] > 20
        assert all(200 <= int(code) < 500 for code in statuses), statuses
    assert set(summary["pathological"]["statuses"]) == {"503"}
    assert after < before + 500, f"server memory grew from {before:.0f} MB to {after:.0f} MB"
