"""Every defect the benchmark corpus injects is found, at its document, resource and property.

benchmarks/corpus.py writes registry-shaped documents and a manifest (defects.json) of the one
defect each defective document carries: a missing required property, a bad or mismatching CTID, a
literal (or relative address) where an IRI belongs, a concept from the wrong scheme, a reference to
a registry resource that does not exist. All but the last are Violations of the publishing
profiles; the dangling reference is reported (for information) by the store-wide reference check.
"""

from __future__ import annotations

from collections import defaultdict

import pytest


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    corpus_module = pytest.importorskip("benchmarks.corpus")
    return corpus_module.generate(tmp_path_factory.mktemp("corpus"), 600, seed=11, defect_rate=0.1)


def test_every_injected_defect_is_found(corpus):
    from credgraph.validate import validate

    report = validate([corpus.dir], profiles=["registry", "structure"])
    assert not report.errors
    found = defaultdict(list)
    for r in report.results:
        found[(r.graph, r.resource)].append(r)
    defects = corpus.defects()
    assert len(defects) >= 30 and len({d["kind"] for d in defects}) >= 5
    missed = []
    for defect in defects:
        results = found.get((defect["graph"], defect["node"]), [])
        if defect["kind"] == "dangling-reference":
            ok = any(r.shape.endswith("#registry-reference-resolves") and r.path == defect["property"] for r in results)
        else:
            ok = any(r.severity == "Violation" and defect["property"] in (r.path or "") for r in results)
        if not ok:
            missed.append(defect)
    assert missed == []
