"""Break the gate: every rule has a clean record that passes and a corrupted one that fails exactly.

The bases in tests/shapes/valid/ conform to the profiles their header names. Each
tests/shapes/invalid/*.ru corrupts one thing of a base and states the results that adds (see
tests/validation_fixtures.py); the test asserts exactly those results are added and none removed.
"""

from __future__ import annotations

import pytest

from validation_fixtures import VALID, cases, delta, fixture_store, valid_profiles

CASES = cases()
BASES = sorted(p for p in VALID.iterdir() if p.suffix in (".ttl", ".json"))


@pytest.mark.parametrize("base", BASES, ids=lambda p: p.name)
def test_valid_base_conforms(base):
    from credgraph.load import load
    from credgraph.store import open_store
    from credgraph.validate import validate

    profiles = valid_profiles(base)
    assert profiles, f"{base.name} names the profiles it conforms to"
    store = open_store(":memory:")
    assert load(store, [base]).loaded == 1
    report = validate(store, profiles)
    assert report.conforms, report.to_text(severities=("Violation",))


def test_microcredential_base_has_no_eu_or_quality_results():
    from credgraph.validate import validate

    report = validate(fixture_store(VALID / "microcredential.ttl"), ["eu-microcredential", "quality"])
    assert report.results == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_break_the_gate(case):
    assert case.expect, f"{case.name} states what it expects"
    added, removed = delta(case)
    assert added == case.expect, f"{case.rule}: expected exactly {sorted(case.expect)}, got {sorted(added)}"
    assert removed == set(), f"{case.rule}: the corruption also removed {sorted(removed)}"


def shapes_hit() -> set[str]:
    from credgraph.validate import validate

    hit = set()
    for case in CASES:
        for r in validate(fixture_store(case.base, case.update), case.profiles).results:
            hit.add(r.shape)
    return hit


@pytest.fixture(scope="module")
def hit():
    return shapes_hit()


@pytest.mark.parametrize("profile", ["pathways", "eu-microcredential", "quality-ndc"])
def test_every_hand_written_rule_has_an_invalid_fixture(profile, hit):
    from credgraph.validate.engine import compiled

    shapes = {c.shape for c in compiled(profile)}
    assert shapes - hit == set(), f"rules of {profile} that no invalid fixture breaks"


STRUCTURE_RULES = ["ctid-grammar", "ctid-uuid-version", "ctid-matches-iri", "unknown-property",
                   "unknown-class", "competency-in-its-framework", "framework-contains-competency", "inverse-",
                   "registry-reference-resolves",
                   "-reference", "-bare-identifier", "-text", "-language", "-datatype", "term-"]
REGISTRY_RULES = ["Credential-ctid", "Credential-description", "-or-", "-recommended", "concept-", "webaddress-",
                  "-typed", "AbstractCredentialType", "Organization-", "LearningOpportunity-", "Assessment-",
                  "CompetencyFramework-", "Competency-", "ConditionProfile-", "CostProfile-", "TransferValueProfile-"]


@pytest.mark.parametrize("fragment", STRUCTURE_RULES + REGISTRY_RULES)
def test_every_generated_rule_family_has_an_invalid_fixture(fragment, hit):
    assert any(fragment in shape for shape in hit), f"no invalid fixture breaks a rule like {fragment!r}"


@pytest.mark.parametrize("name, phrase", [
    ("structure-domain", "is not a property of"),
    ("structure-range", "which is typed with a class CTDL does not allow"),
    ("structure-unresolved-blank-node", "that this document never describes"),
])
def test_each_sparql_rule_of_a_property_shape_is_broken_on_its_own(name, phrase):
    """A property's node shape carries the domain, range and blank-node rules: each has its fixture."""
    from credgraph.validate import validate

    case = next(c for c in CASES if c.name == name)
    report = validate(fixture_store(case.base, case.update), case.profiles)
    assert [r for r in report.results if phrase in r.message]


def test_worker_processes_give_the_same_report():
    """Validation in forked worker processes (opt-in) reports exactly what one process does."""
    import os

    from conftest import ROOT
    from credgraph.load import load
    from credgraph.store import open_store
    from credgraph.validate import validate_store

    if not hasattr(os, "fork"):
        pytest.skip("worker processes are forked (POSIX only)")
    store = open_store(":memory:")
    load(store, [ROOT / "data" / "credentials", VALID], workers=0)
    one = validate_store(store, ["registry", "structure", "pathways"], workers=1)
    two = validate_store(store, ["registry", "structure", "pathways"], workers=2)
    assert one.results and one.to_json() == two.to_json()
