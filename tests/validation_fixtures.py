"""The "break the gate" fixtures of tests/shapes/: clean bases and one-corruption variants.

``tests/shapes/valid/*.ttl`` are clean records (their header says which profiles they conform
to). ``tests/shapes/invalid/*.ru`` each corrupt one thing of a base with a SPARQL Update and say,
in their header, exactly which results that adds::

    # rule: a credential needs a description
    # base: registry.ttl
    # profile: registry
    # expect: Violation ; ce-feffd318-... ; - ; ceterms:description ; sh:MinCountConstraintComponent

An expectation is severity ; resource (the last segment of its IRI: the CTID) ; location (properties from the resource
down to a blank-node focus, joined by " > ", or -) ; path (as reports print it, or -) ;
constraint component. Run ``python tests/validation_fixtures.py`` to print the actual additions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

SHAPES = Path(__file__).resolve().parent / "shapes"
VALID = SHAPES / "valid"
INVALID = SHAPES / "invalid"
GRAPH = "urn:credgraph:test:fixture"


@dataclass
class Case:
    name: str
    rule: str
    base: Path
    profiles: list[str]
    update: str
    expect: set = field(default_factory=set)


def parse_case(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    header = dict(rule="", base="", profile="")
    expect = set()
    for line in text.splitlines():
        m = re.match(r"#\s*(rule|base|profile|expect):\s*(.*)", line)
        if not m:
            continue
        if m.group(1) == "expect":
            expect.add(tuple(part.strip() for part in m.group(2).split(" ; ")))
        else:
            header[m.group(1)] = m.group(2).strip()
    return Case(path.stem, header["rule"], VALID / header["base"], header["profile"].split(), text, expect)


def cases() -> list[Case]:
    return [parse_case(p) for p in sorted(INVALID.glob("*.ru"))]


def valid_profiles(path: Path) -> list[str]:
    m = re.search(r"Conforms to:\s*([^(\n\"]*)", path.read_text(encoding="utf-8"))
    return m.group(1).split() if m else []


def fixture_store(base: Path, update: str | None = None):
    """A throwaway store holding a base (corrupted by ``update``) in one named graph."""
    from credgraph.load import load_bytes
    from credgraph.store import open_store

    scratch = ox.Store()
    scratch.load(path=str(base), format=ox.RdfFormat.TURTLE)
    if update:
        scratch.update(update)
    data = ox.serialize(scratch.quads_for_pattern(None, None, None, ox.DefaultGraph()),
                        format=ox.RdfFormat.N_QUADS)
    store = open_store(":memory:")
    load_bytes(store, data, fmt="nquads", graph=GRAPH)
    return store


def result_key(r) -> tuple:
    return (r.severity, r.resource.rstrip("/").rsplit("/", 1)[-1] if r.resource else "-",
            " > ".join(r.location) or "-", r.path or "-", r.component_curie)


def delta(case: Case) -> tuple[set, set]:
    """(results the corruption adds, results it removes), as expectation keys."""
    from credgraph.validate import validate

    before = {result_key(r) for r in validate(fixture_store(case.base), case.profiles).results}
    after = {result_key(r) for r in validate(fixture_store(case.base, case.update), case.profiles).results}
    return after - before, before - after


if __name__ == "__main__":  # print the actual additions, to review and copy into the headers
    for case in cases():
        added, removed = delta(case)
        print(f"{case.name}: {case.rule}")
        for key in sorted(added):
            print("# expect: " + " ; ".join(key))
        for key in sorted(removed):
            print("#   REMOVED: " + " ; ".join(key))
