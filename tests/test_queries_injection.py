"""Parameter values cannot change what a canned query means, through either binding.

A probe query has one parameter of every type. Its data holds a name equal to each hostile text, so
a correctly bound literal finds exactly that one resource; an injected `} UNION {` or a closed
string would find more rows, fewer, or a syntax error. Typed parameters must refuse hostile text
with a UsageError (exit 2) before any query runs. Both bindings are checked: pyoxigraph
substitutions and the VALUES text sent to remote endpoints (run here on the embedded engine;
tests/test_remote.py sends the same text to a real server).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credgraph.catalog import EmbeddedTarget, parse_query
from credgraph.errors import UsageError

HOSTILE = [
    '"', "'", '"""', "'''", "\\", '\\"', "\\u0022", "}", "{", "} UNION { ?s ?p ?o }",
    '" } UNION { ?s ?p ?o } #', '"> } ; DROP ALL ; #', "\n} #\n", "a\nb\r\nc", "#", ">", "<x>",
    "?s", "$s", ") (", "' || true || '", '""^^<http://www.w3.org/2001/XMLSchema#string>',
    "x\x00y", "\u2028\u2029", "😀", "ce-00000000-0000-4000-8000-000000000000 } UNION {",
]
EX = "https://ex.org/"
PROBE = parse_query("probe", f"""# title: injection probe
# param: label (literal) — matched as text
# param: thing (iri) [optional] — a resource
# param: credential (ctid) [optional] — a resource by CTID
# param: things (iri list) [optional] — several resources
# param: n (integer) [optional] — a number
# param: share (decimal) [optional] — a number
# param: flag (boolean) [optional] — a flag
# param: day (date) [optional] — a date
# param: lang (language) [optional] — a language tag
# column: label — echo
# column: thing — echo
# column: credential — echo
# column: things — echo
# column: n — echo
# column: share — echo
# column: flag — echo
# column: day — echo
# column: lang — echo
# column: s — the resource whose name is label
SELECT ?label ?thing ?credential ?things ?n ?share ?flag ?day ?lang ?s WHERE {{
  ?s <{EX}name> ?name .
  FILTER(STR(?name) = STR(?label))
}}""")
TYPED = ["thing", "credential", "things", "n", "share", "flag", "day", "lang"]


@pytest.fixture(scope="module")
def target():
    from credgraph.store import open_store

    store = open_store(":memory:")
    quads = [ox.Quad(ox.NamedNode(f"{EX}r{i}"), ox.NamedNode(EX + "name"), ox.Literal(text), ox.NamedNode(EX + "g"))
             for i, text in enumerate(HOSTILE)]
    quads.append(ox.Quad(ox.NamedNode(EX + "decoy"), ox.NamedNode(EX + "name"), ox.Literal("decoy"),
                         ox.NamedNode(EX + "g")))
    store.inner.extend(quads)
    return EmbeddedTarget(store)


def rows(target, values: dict, via_values: bool):
    bindings = PROBE.bind(values, resolver=target.resolve_ctid)
    target.binding = "values" if via_values else "substitutions"
    return target.run(PROBE.text, bindings).rows


@pytest.mark.parametrize("via_values", [False, True], ids=["substitutions", "values"])
@pytest.mark.parametrize("index", range(len(HOSTILE)), ids=lambda i: repr(HOSTILE[i])[:30])
def test_hostile_literal_is_matched_as_text(target, index, via_values):
    found = rows(target, {"label": HOSTILE[index]}, via_values)
    assert [row["s"] for row in found] == [ox.NamedNode(f"{EX}r{index}")]
    assert found[0]["label"] == ox.Literal(HOSTILE[index])


@pytest.mark.parametrize("name", TYPED)
@pytest.mark.parametrize("index", range(len(HOSTILE)), ids=lambda i: repr(HOSTILE[i])[:30])
def test_hostile_text_in_a_typed_parameter_is_refused_by_name(target, name, index):
    value = "1 " + HOSTILE[index] if name in ("n", "share") else HOSTILE[index]
    if not HOSTILE[index].strip():
        # only (Unicode) white space: it is trimmed, and what is left binds as a clean term or nothing
        bound = PROBE.bind({"label": "decoy", name: value}, resolver=target.resolve_ctid)
        assert str(bound.get(name, "")) in ("", '""', '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
                                             '"1"^^<http://www.w3.org/2001/XMLSchema#decimal>')
        return
    with pytest.raises(UsageError) as info:
        rows(target, {"label": "decoy", name: value}, via_values=True)
    assert f"parameter {name} (" in str(info.value)


def test_a_hostile_suffix_cannot_ride_on_a_valid_iri(target):
    for suffix in ("> } UNION { ?s ?p ?o } #", "#}UNION{", '"'):
        with pytest.raises(UsageError, match="parameter thing"):
            rows(target, {"label": "decoy", "thing": EX + "x" + suffix}, via_values=True)


@pytest.mark.parametrize("via_values", [False, True], ids=["substitutions", "values"])
def test_valid_values_of_every_type_bind_and_echo(target, via_values):
    values = {"label": "decoy", "thing": "ceterms:Credential", "things": f"{EX}b {EX}a", "n": "7",
              "share": "0.5", "flag": "no", "day": "2026-11-26", "lang": "nl"}
    (row,) = rows(target, values, via_values)
    assert row["s"] == ox.NamedNode(EX + "decoy")
    assert row["things"] == ox.Literal(f"<{EX}a> <{EX}b>") and row["flag"].value == "false"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=40))
def test_any_text_binds_as_exactly_that_text(target, text):
    expected = [ox.NamedNode(f"{EX}r{i}") for i, h in enumerate(HOSTILE) if h == text]
    if text == "decoy":
        expected = [ox.NamedNode(EX + "decoy")]
    for via_values in (False, True):
        assert sorted(r["s"].value for r in rows(target, {"label": text}, via_values)) == \
            sorted(e.value for e in expected)
