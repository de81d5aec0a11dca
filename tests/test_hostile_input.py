"""Hostile input to every loader: generated valid documents, then mutated.

Property: whatever the bytes, ``load`` never raises (only reports), never hangs, and either
loads the document wholly or leaves the store exactly as it was, with an error that names the
file (and a line, column or JSON pointer where the format allows) in one line.

The number of cases run per format is written to ``tests/artifacts/hostile-input-cases.json``
(the table in docs/reliability.md is made from it).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import string
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import ROOT  # noqa: E402
from credgraph.load import load  # noqa: E402
from credgraph.store import open_store  # noqa: E402

CASES: Counter = Counter()
#: No single input may drive this process past this peak (inputs are at most a few MiB).
MEMORY_BOUND_MIB = 2048
EXAMPLES = int(os.environ.get("CREDGRAPH_HOSTILE_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

EX = "https://ex.org/"
# --------------------------------------------------------------------------- valid documents
names = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=8)
texts = st.text(max_size=40).filter(lambda s: "\x00" not in s)
langs = st.sampled_from(["en", "en-US", "nl", "ar-SA", "fr-CA"])


@st.composite
def quads(draw, named_graphs: bool = False):
    out = []
    for _ in range(draw(st.integers(1, 12))):
        s = ox.NamedNode(EX + draw(names))
        p = ox.NamedNode(EX + "p/" + draw(names))
        kind = draw(st.sampled_from(["iri", "text", "lang", "int", "bnode"]))
        o = {"iri": lambda: ox.NamedNode(EX + draw(names)),
             "text": lambda: ox.Literal(draw(texts)),
             "lang": lambda: ox.Literal(draw(texts), language=draw(langs)),
             "int": lambda: ox.Literal(str(draw(st.integers(-10**6, 10**6))),
                                       datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
             "bnode": lambda: ox.BlankNode(draw(names))}[kind]()
        g = ox.NamedNode(EX + "g/" + draw(names)) if named_graphs else ox.DefaultGraph()
        out.append(ox.Quad(s, p, o, g))
    return out


FORMATS = {"turtle": ("ttl", ox.RdfFormat.TURTLE, False), "ntriples": ("nt", ox.RdfFormat.N_TRIPLES, False),
           "nquads": ("nq", ox.RdfFormat.N_QUADS, True), "trig": ("trig", ox.RdfFormat.TRIG, True),
           "rdfxml": ("rdf", ox.RdfFormat.RDF_XML, False), "jsonld": ("jsonld", ox.RdfFormat.JSON_LD, False)}


def serialise(fmt: str, qs: list[ox.Quad]) -> bytes:
    _, rdf_format, dataset = FORMATS[fmt]
    return ox.serialize(qs if dataset else [q.triple for q in qs], format=rdf_format)


@st.composite
def registry_documents(draw):
    ctid = "ce-" + draw(st.uuids(version=4)).hex[:8] + "-0000-4000-8000-" + "0" * 12
    main = {"@id": f"https://credentialengineregistry.org/resources/{ctid}",
            "@type": draw(st.sampled_from(["ceterms:Certificate", "ceterms:Certification", "ceterms:License"])),
            "ceterms:ctid": ctid,
            "ceterms:name": {draw(langs): draw(texts)},
            "ceterms:keyword": {"en-US": draw(st.lists(texts, max_size=3))},
            "ceterms:subjectWebpage": f"https://example.org/{draw(names)}",
            "ceterms:ownedBy": ["_:org"],
            "ceterms:requires": [{"@type": "ceterms:ConditionProfile", "ceterms:description": {"en-US": draw(texts)}}],
            "ceterms:credentialStatusType": {"@type": "ceterms:CredentialAlignmentObject",
                                             "ceterms:targetNode": "credentialStat:Active"}}
    org = {"@id": "_:org", "@type": "ceterms:CredentialOrganization", "ceterms:name": {"en-US": draw(texts)}}
    doc = {"@context": "https://credreg.net/ctdl/schema/context/json",
           "@id": f"https://credentialengineregistry.org/graph/{ctid}", "@graph": [main, org]}
    if draw(st.booleans()):
        return {"envelope_ceterms_ctid": ctid, "envelope_ctdl_type": main["@type"], "decoded_resource": doc}
    return doc


# --------------------------------------------------------------------------- mutations
def truncate(data: bytes, at: float) -> bytes:
    return data[: max(1, int(len(data) * at))]


def flip(data: bytes, at: float, value: int) -> bytes:
    i = min(len(data) - 1, int(len(data) * at))
    return data[:i] + bytes([value]) + data[i + 1:]


MUTATIONS = ["none", "truncate", "flip", "utf16-no-bom", "latin1", "nul", "huge-literal",
             "bad-iri", "bad-lang"]


def mutate(data: bytes, kind: str, at: float, value: int) -> bytes:
    if kind == "truncate":
        return truncate(data, at)
    if kind == "flip":
        return flip(data, at, value)
    if kind == "utf16-no-bom":
        return data.decode("utf-8").encode("utf-16-le")
    if kind == "latin1":
        return data.decode("utf-8").encode("latin-1", errors="replace") + b"\xe9"
    if kind == "nul":
        return flip(data, at, 0)
    if kind == "huge-literal":
        return data.replace(b"ex.org/", b"ex.org/" + b"x" * 2_000_000, 1)
    if kind == "bad-iri":
        return data.replace(b"https://ex.org/", b"https://ex .org/<>", 1)
    if kind == "bad-lang":
        return data.replace(b"@en", b"@en_not-a-valid-tag-at-all", 1)
    return data


JSON_MUTATIONS = ["deep-nesting", "duplicate-key", "nan", "remote-context"]


def mutate_json(doc, kind: str) -> bytes:
    text = json.dumps(doc)
    if kind == "deep-nesting":
        return ('{"@context": {"p": "https://ex.org/p"}, "@id": "https://ex.org/a", '
                + '"p": {' * 5000 + '"@id": "https://ex.org/z"' + "}" * 5000 + "}").encode()
    if kind == "duplicate-key":
        return text.replace('"@context"', '"@id": "https://ex.org/dup", "@id"', 1).encode()
    if kind == "nan":
        return text.replace('"@graph"', '"ceterms:value": NaN, "@graph"', 1).encode()
    if kind == "remote-context":
        return text.replace("https://credreg.net/ctdl/schema/context/json", "https://evil.example/ctx", 1).encode()
    return text.encode()


# --------------------------------------------------------------------------- the property
@contextmanager
def time_limit(seconds: int):
    def hung(signum, frame):
        raise AssertionError(f"loading took more than {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def check_load(tmp_path: Path, name: str, data: bytes, category: str) -> None:
    CASES[category] += 1
    store = open_store(":memory:")
    seed = tmp_path / "seed.nt"
    seed.write_bytes(b"<https://ex.org/seed> <https://ex.org/p> \"kept\" .\n")
    load(store, [seed])
    before = set(store.inner.quads_for_pattern(None, None, None, None))
    f = tmp_path / name
    f.write_bytes(data)
    with time_limit(30):
        report = load(store, [f])  # must never raise
    after = set(store.inner.quads_for_pattern(None, None, None, None))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mib < MEMORY_BOUND_MIB, f"the test process peaked at {peak_mib:.0f} MiB"
    if report.failed:
        [(origin, error)] = report.errors()
        message = str(error)
        assert str(f) in message and "\n" not in message and message.strip()
        assert after == before, "a refused input changed the store"
    else:
        assert report.loaded == 1
        sizes = store.graph_sizes()
        recorded = {s["origin"]: s["triples"] for s in store.sources()}
        assert recorded[str(f)] == sum(sizes[g] for g in store.sources()[[s["origin"] for s in store.sources()].index(str(f))]["graphs"])
        assert before <= after  # the earlier source is intact


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_rdf_loaders_survive_mutations(tmp_path_factory, fmt):
    extension, _, dataset = FORMATS[fmt]

    @SETTINGS
    @given(qs=quads(named_graphs=dataset), kind=st.sampled_from(MUTATIONS),
           at=st.floats(0, 1), value=st.integers(0, 255))
    def run(qs, kind, at, value):
        data = mutate(serialise(fmt, qs), kind, at, value)
        check_load(tmp_path_factory.mktemp(fmt), f"doc.{extension}", data, fmt)

    run()


def test_registry_documents_and_envelopes_survive_mutations(tmp_path_factory):
    @SETTINGS
    @given(doc=registry_documents(), kind=st.sampled_from(MUTATIONS + JSON_MUTATIONS),
           at=st.floats(0, 1), value=st.integers(0, 255))
    def run(doc, kind, at, value):
        if kind in JSON_MUTATIONS:
            data = mutate_json(doc, kind)
        else:
            data = mutate(json.dumps(doc).encode(), kind, at, value)
        check_load(tmp_path_factory.mktemp("registry"), "doc.json", data, "registry-json")

    run()


CSV_SAMPLE = ROOT / "tests" / "data" / "csv" / "credentials.csv"
CSV_MUTATIONS = ["unbalanced-quote", "extra-cells", "header-only", "delimiter"]


def mutate_csv(data: bytes, kind: str, at: float) -> bytes:
    lines = data.split(b"\n")
    i = 1 + int((len(lines) - 2) * at) if len(lines) > 2 else 0
    if kind == "unbalanced-quote":
        lines[i] = b'"' + lines[i]
    elif kind == "extra-cells":
        lines[i] = lines[i] + b",x,y,z"
    elif kind == "header-only":
        lines = lines[:1]
    elif kind == "delimiter":
        lines = [line.replace(b",", b";") for line in lines]
    return b"\n".join(lines)


def test_bulk_upload_csv_survives_mutations(tmp_path_factory):
    original = CSV_SAMPLE.read_bytes()

    @SETTINGS
    @given(kind=st.sampled_from(MUTATIONS + CSV_MUTATIONS), at=st.floats(0, 1), value=st.integers(0, 255))
    def run(kind, at, value):
        if kind in CSV_MUTATIONS:
            data = mutate_csv(original, kind, at)
        elif kind in ("huge-literal", "bad-iri", "bad-lang"):  # the RDF mutations, in CSV terms
            data = original.replace(b"https://tech.example.edu/",
                                    {"huge-literal": b"https://tech.example.edu/" + b"x" * 2_000_000,
                                     "bad-iri": b"https://tech .example.edu/<>",
                                     "bad-lang": b"https://tech.example.edu/"}[kind], 1)
            if kind == "bad-lang":
                data = data.replace(b",english,", b",en_not-a-valid-tag-at-all,", 1)
        else:
            data = mutate(original, kind, at, value)
        check_load(tmp_path_factory.mktemp("csv"), "credentials.csv", data, "csv")

    run()


def test_deep_json_nesting_is_refused_not_crashed(tmp_path):
    """pyoxigraph's JSON-LD parser overflows its stack on very deep documents; we refuse first."""
    for depth in (150, 950, 5000):
        data = ('{"@context": {"p": "https://ex.org/p"}, "@id": "https://ex.org/a", '
                + '"p": {' * depth + '"@id": "https://ex.org/z"' + "}" * depth + "}").encode()
        store = open_store(":memory:")
        f = tmp_path / f"deep{depth}.json"
        f.write_bytes(data)
        report = load(store, [f])
        [(_, error)] = report.errors()
        assert "nested" in str(error)
        assert store.triple_count() == 0


@pytest.mark.slow
def test_millions_of_tiny_triples(tmp_path):
    f = tmp_path / "many.nt"
    with f.open("w") as out:
        for i in range(0, 1_000_000, 1000):
            out.write("".join(f"<https://ex.org/{j}> <https://ex.org/p> <https://ex.org/o> .\n"
                              for j in range(i, i + 1000)))
    store = open_store(tmp_path / "store")
    report = load(store, [f])
    assert report.loaded == 1 and store.triple_count() == 1_000_000
    CASES["ntriples-1M"] += 1


def teardown_module(module):
    out = ROOT / "tests" / "artifacts"
    out.mkdir(exist_ok=True)
    path = out / "hostile-input-cases.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    previous.update(CASES)
    path.write_text(json.dumps(previous, indent=1, sort_keys=True) + "\n")
