"""Preconditions (cgv:precondition) and the whole-store graph filter: the validation engine's two
shortcuts for large stores change how much work a run does, never what it finds.

A domain or range check of ctdl-structure can only find something when the store uses its property
with a subject (or value) typed outside the allowed classes in one graph; one inventory of the whole
store tells which properties that is, and the other checks are skipped (docs/validation.md).
"""

from __future__ import annotations

import re

import pytest

CLEAN = b"""
@prefix ceterms: <https://purl.org/ctdl/terms/> .
<https://credentialengineregistry.org/resources/ce-5e3de882-3b49-421b-b623-695c63587f4f>
    a ceterms:Certification ; ceterms:ctid "ce-5e3de882-3b49-421b-b623-695c63587f4f" ;
    ceterms:name "Widget Safety"@en ; ceterms:description "Safe handling of widgets in a workshop."@en ;
    ceterms:ownedBy <https://credentialengineregistry.org/resources/ce-0b1c0ed8-6ad1-4e7d-a7f5-0f2c6c6d5e10> .
<https://credentialengineregistry.org/resources/ce-0b1c0ed8-6ad1-4e7d-a7f5-0f2c6c6d5e10>
    a ceterms:CredentialOrganization ; ceterms:name "Widget Board"@en .
"""

#: frameworkName belongs to alignment objects (domain); ownedBy points at organizations (range);
#: a subject "typed" with a literal is outside every allowed class too.
DEFECTS = b"""
@prefix ceterms: <https://purl.org/ctdl/terms/> .
<https://credentialengineregistry.org/resources/ce-7a1f4c1e-3a39-4a8e-9d0e-2f7b8c1d4e55>
    a ceterms:Certification ; ceterms:ctid "ce-7a1f4c1e-3a39-4a8e-9d0e-2f7b8c1d4e55" ;
    ceterms:name "Gadget Repair"@en ; ceterms:frameworkName "O*NET"@en ;
    ceterms:ownedBy <https://credentialengineregistry.org/resources/ce-5e3de882-3b49-421b-b623-695c63587f4f> .
<https://credentialengineregistry.org/resources/ce-5e3de882-3b49-421b-b623-695c63587f4f> a ceterms:Certification .
<urn:example:odd> a "Thing" ; ceterms:targetNodeName "Welders"@en .
"""


def results(report) -> list:
    return sorted(report.results, key=repr)


def loaded(store, *documents: bytes):
    from credgraph.load import load_bytes

    for i, data in enumerate(documents):
        load_bytes(store, data, fmt="turtle", graph=f"urn:example:doc{i}")
    return store


@pytest.mark.parametrize("workers", [1, 2])
def test_preconditions_find_the_same_results(store, workers):
    from credgraph.validate import validate_store

    loaded(store, CLEAN, DEFECTS)
    fast = validate_store(store, ["structure"], workers=workers, preconditions=True)
    slow = validate_store(store, ["structure"], workers=1, preconditions=False)
    assert results(fast) == results(slow)
    shapes = {(r.shape.rsplit("#", 1)[-1], r.path) for r in fast.results if r.severity == "Violation"}
    assert ("term-ceterms-frameworkName", "ceterms:frameworkName") in shapes            # domain
    assert ("term-ceterms-ownedBy", "ceterms:ownedBy") in shapes                        # range
    assert ("term-ceterms-targetNodeName", "ceterms:targetNodeName") in shapes          # literal "class"


def test_preconditions_skip_the_checks_clean_data_cannot_fail(store):
    from credgraph.validate.engine import engine_for, take_inventory
    from credgraph.validate.profiles import resolve_profiles

    loaded(store, CLEAN)
    engine = engine_for(tuple(resolve_profiles(["structure"])))
    assert engine.inventories() == ("subjectTypes", "valueTypes")
    inventory = take_inventory(store.inner, engine.inventories())
    assert inventory["subjectTypes"]["https://purl.org/ctdl/terms/ownedBy"] == {"https://purl.org/ctdl/terms/Certification"}
    every = engine.plan(store.inner)
    pruned = engine.plan(store.inner, inventory=inventory)
    assert len(pruned.jobs) < len(every.jobs) - 300


def test_preconditions_on_the_benchmark_corpus(tmp_path):
    """Same report with and without, on registry-shaped documents with injected defects."""
    corpus_module = pytest.importorskip("benchmarks.corpus")
    from credgraph.load import load
    from credgraph.store import open_store
    from credgraph.validate import validate_store

    corpus = corpus_module.generate(tmp_path / "corpus", 300, seed=5, defect_rate=0.2)
    store = open_store(":memory:")
    load(store, [corpus.dir])
    fast = validate_store(store, severity="violation", workers=1, preconditions=True)
    slow = validate_store(store, severity="violation", workers=1, preconditions=False)
    assert fast.counts["Violation"] > 20
    assert results(fast) == results(slow)


def test_every_precondition_names_the_classes_its_query_allows():
    """The generator writes both from one list; a hand edit of either would make the engine skip wrongly."""
    from credgraph.validate.engine import compiled

    checks = [c for c in compiled("ctdl-structure") if c.preconditions]
    assert len(checks) > 500
    for check in checks:
        prefixes = dict(re.findall(r"PREFIX\s+(\w*):\s*<([^>]*)>", check.prefixes))
        (inventory, prop, allowed), = check.preconditions
        listed = re.search(r"IN \(([^)]*)\)", check.violation).group(1)
        expanded = set()
        for term in (t.strip() for t in listed.split(",")):
            prefix, _, local = term.partition(":")
            expanded.add(term[1:-1] if term.startswith("<") else prefixes[prefix] + local)
        assert expanded == allowed, check.shape
        assert f"{prop}>" in check.violation or prop.rsplit("/", 1)[-1] in check.violation, check.shape
        assert ("?this rdf:type ?value" in check.violation) == (inventory == "subjectTypes"), check.shape


def test_report_and_staging_graphs_are_not_validated(store):
    """Whole-store runs drop them from the solutions (not with a string filter on every row)."""
    from credgraph import ids
    from credgraph.validate import validate_store

    loaded(store, CLEAN)
    from credgraph.load import load_bytes

    for graph in ("urn:credgraph:report:1", ids.STAGING_PREFIX + "1"):
        load_bytes(store, DEFECTS, fmt="turtle", graph=graph)
    report = validate_store(store, ["structure"], workers=1)
    assert report.documents == 1 and report.results == []
    load_bytes(store, DEFECTS, fmt="turtle", graph="urn:example:doc1")    # the same data as a document
    report = validate_store(store, ["structure"], workers=1)
    assert report.documents == 2
    assert report.counts["Violation"] >= 3 and {r.graph for r in report.results} == {"urn:example:doc1"}


def test_a_worker_reopens_the_store_when_compaction_deleted_its_files(disk_store, monkeypatch):
    """Regression: at 400k documents, validating right after a load failed with "internal error:
    FileNotFoundError: IO error: No such file or directory: While open a file for random read:
    .../001968.sst": the read-write handle compacted the store while the workers' read-only handles
    still needed the deleted files. A worker now reopens the store and runs the job again."""
    from credgraph.validate import engine

    disk_store.flush()
    opened = []
    monkeypatch.setattr(engine, "_WORKER", {"path": str(disk_store.path)})
    real_open = engine.ox.Store.read_only
    monkeypatch.setattr(engine.ox.Store, "read_only", lambda path: opened.append(path) or real_open(path))
    calls = []

    def job():
        calls.append(engine._WORKER.get("store"))
        if len(calls) == 1:
            raise OSError("IO error: No such file or directory: While open a file for random read: 001968.sst")
        return "done"

    assert engine._reading(job) == "done"
    assert len(calls) == 2 and opened == [str(disk_store.path)] and calls[1] is not None

    def broken_query():
        raise RuntimeError("the query is wrong")        # not a storage error: not retried

    with pytest.raises(RuntimeError):
        engine._reading(broken_query)
    assert len(opened) == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_every_check_query(store, workers):
    """A whole-store validation reports its progress (the CLI shows it on a terminal)."""
    from credgraph.validate import validate_store

    loaded(store, CLEAN, DEFECTS)
    seen = []
    validate_store(store, ["structure"], workers=workers, progress=lambda done, total: seen.append((done, total)))
    total = seen[-1][1]
    assert total > 10 and [done for done, _ in seen] == list(range(1, total + 1))
    assert {t for _, t in seen} == {total}


def test_flag_queries_return_only_focus_nodes_that_fail_a_flag(store):
    """Required-property flags are computed for every focus node, but only the nodes failing one
    come back (conforming ones cost half the query time at 100k documents); the failures found
    are those of the same flags projected for every node, as before."""
    from credgraph.load import load
    from credgraph.validate.engine import Runner, engine_for
    from credgraph.validate.profiles import resolve_profiles

    load(store, ["data"])
    loaded(store, CLEAN, DEFECTS)
    engine = engine_for(tuple(resolve_profiles(["all"])))
    plan = engine.plan(store.inner)
    flag_jobs = [job for job in plan.jobs if job[0] == "flag"]
    assert flag_jobs
    kept = every = 0
    for _, group, checks in flag_jobs:
        def failing(solutions):
            return {(s["this"], i) for s in solutions for i in range(len(checks))
                    if Runner.flag_fails(s[f"_f{i}"])}
        pruned = list(store.inner.query(group.flag_query(plan.graph_clause, plan.graph_filter, checks),
                                        use_default_graph_as_union=True))
        exprs = " ".join(f"({c.condition} AS ?_f{i})" for i, c in enumerate(checks))
        unpruned = list(store.inner.query(
            f"{group.prefixes}\nSELECT {group.head()} {exprs} WHERE {{ {group.focus(plan.graph_clause, plan.graph_filter)} }}",
            use_default_graph_as_union=True))
        assert failing(pruned) == failing(unpruned), group.target
        assert all(failing([s]) for s in pruned), "a focus node whose every flag is true came back"
        kept, every = kept + len(pruned), every + len(unpruned)
    assert 0 < kept < every


UNRESOLVED = b"""
@prefix ceterms: <https://purl.org/ctdl/terms/> .
<https://credentialengineregistry.org/resources/ce-2d9b0e51-9a7c-4f0e-8f5d-6a3e1c7b9d20>
    a ceterms:Certification ; ceterms:ctid "ce-2d9b0e51-9a7c-4f0e-8f5d-6a3e1c7b9d20" ;
    ceterms:name "Sprocket Fitting"@en ;
    ceterms:isPreparationFor <https://credentialengineregistry.org/resources/ce-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a> .
"""


def test_a_check_written_like_its_target_does_not_compute_the_target(store, monkeypatch):
    """registry-reference-resolves' SPARQL target is its constraint's own pattern (up to variable
    names): every solution is a focus node, so the target, a scan of the whole store as costly as
    the check (2.85 s of CPU at 10k credentials), is not run to filter them. Same results as when
    it is."""
    from credgraph.validate import validate_store
    from credgraph.validate.compile import Check
    from credgraph.validate.engine import Runner, compiled

    implied = {c.shape.rsplit("#", 1)[-1] for c in compiled("ctdl-structure") if c.target_implied}
    assert "registry-reference-resolves" in implied
    loaded(store, CLEAN, DEFECTS, UNRESOLVED)
    computed = []
    original = Runner.target_set

    def target_set(self, group):
        computed.append(group.target)
        return original(self, group)
    monkeypatch.setattr(Runner, "target_set", target_set)
    fast = validate_store(store, ["structure"], workers=1)
    assert not any("credentialengineregistry" in target for target in computed)
    unresolved = [r for r in fast.results if r.shape.endswith("#registry-reference-resolves")]
    assert [(r.resource, r.value) for r in unresolved] == [
        ("https://credentialengineregistry.org/resources/ce-2d9b0e51-9a7c-4f0e-8f5d-6a3e1c7b9d20",
         "<https://credentialengineregistry.org/resources/ce-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a>")]
    assert results(validate_store(store, ["structure"], workers=2)) == results(fast)
    monkeypatch.setattr(Check, "needs_target", property(lambda check: check.kind == "rows"))
    slow = validate_store(store, ["structure"], workers=1)
    assert any("credentialengineregistry" in target for target in computed)
    assert results(fast) == results(slow)
