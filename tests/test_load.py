"""Loaders: every format, registry documents and envelopes, contexts offline, bad input."""

from __future__ import annotations

import codecs
import json
import socket

import pyoxigraph as ox
import pytest

from credgraph import ids
from credgraph.errors import ContextError
from credgraph.load import load, load_bytes
from credgraph.store import open_store

EX = "https://ex.org/"

FORMATS = {
    "a.ttl": b"@prefix ex: <https://ex.org/> .\nex:a ex:p 'x' ; ex:q ex:b .\n",
    "a.nt": b"<https://ex.org/a> <https://ex.org/p> \"x\" .\n<https://ex.org/a> <https://ex.org/q> <https://ex.org/b> .\n",
    "a.nq": b"<https://ex.org/a> <https://ex.org/p> \"x\" <https://ex.org/g1> .\n"
            b"<https://ex.org/a> <https://ex.org/q> <https://ex.org/b> <https://ex.org/g1> .\n",
    "a.trig": b"@prefix ex: <https://ex.org/> .\nex:g1 { ex:a ex:p 'x' ; ex:q ex:b . }\n",
    "a.rdf": b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://ex.org/">
  <rdf:Description rdf:about="https://ex.org/a"><ex:p>x</ex:p><ex:q rdf:resource="https://ex.org/b"/></rdf:Description>
</rdf:RDF>""",
    "a.jsonld": b'{"@context": {"ex": "https://ex.org/"}, "@id": "ex:a", "ex:p": "x", "ex:q": {"@id": "ex:b"}}',
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_format_loads(store, tmp_path, name):
    f = tmp_path / name
    f.write_bytes(FORMATS[name])
    report = load(store, [f])
    assert report.loaded == 1, report.errors()
    rows = store.query("SELECT ?o WHERE { <https://ex.org/a> <https://ex.org/p> ?o }")
    assert [r["o"].value for r in rows] == ["x"]
    assert store.triple_count() == 2


def test_named_graphs_in_quad_formats_are_kept(store, tmp_path):
    f = tmp_path / "a.trig"
    f.write_bytes(FORMATS["a.trig"])
    load(store, [f])
    assert set(store.graph_sizes()) == {EX + "g1"}
    [source] = store.sources()
    assert source["graphs"] == [EX + "g1"]


def test_stdin_needs_a_format_and_loads_with_one(store, cli, tmp_path):
    result = cli("load", "-", "--store", tmp_path / "s", stdin=FORMATS["a.nt"])
    assert result.code == 2 and "--format" in result.err
    result = cli("load", "-", "--format", "ntriples", "--store", tmp_path / "s", stdin=FORMATS["a.nt"])
    assert result.code == 0, result.err
    assert "loaded 1 source(s), 2 triples" in result.err


def test_directories_load_recursively_and_skip_other_files(store, tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "a.ttl").write_bytes(FORMATS["a.ttl"])
    (tmp_path / "sub" / "deeper" / "b.nt").write_bytes(b"<https://ex.org/c> <https://ex.org/p> \"y\" .\n")
    (tmp_path / "sub" / "README.md").write_text("not data")
    report = load(store, [tmp_path])
    assert report.loaded == 2
    assert report.skipped == [str(tmp_path / "sub" / "README.md")]


# --------------------------------------------------------------------------- JSON-LD shapes
REGISTRY_GRAPH = {
    "@context": "https://credreg.net/ctdl/schema/context/json",
    "@id": "https://credentialengineregistry.org/graph/ce-11111111-2222-4333-8444-555555555555",
    "@graph": [
        {"@id": "https://credentialengineregistry.org/resources/ce-11111111-2222-4333-8444-555555555555",
         "@type": "ceterms:Certification", "ceterms:ctid": "ce-11111111-2222-4333-8444-555555555555",
         "ceterms:name": {"en-US": "Welding Inspector"},
         "ceterms:keyword": {"en-US": ["welding", "inspection"]},
         "ceterms:subjectWebpage": "https://example.org/cwi",
         "ceterms:ownedBy": ["_:org"],
         "ceterms:credentialStatusType": {
             "@type": "ceterms:CredentialAlignmentObject",
             "ceterms:framework": "https://credreg.net/ctdl/terms/CredentialStatus",
             "ceterms:targetNode": "credentialStat:Active"}},
        {"@id": "_:org", "@type": "ceterms:CredentialOrganization", "ceterms:name": {"en-US": "Org"}},
    ],
}


def test_registry_graph_document_lands_in_its_named_graph(store):
    report = load_bytes(store, json.dumps(REGISTRY_GRAPH).encode(), fmt="jsonld")
    assert report.loaded == 1, report.errors()
    graph = REGISTRY_GRAPH["@id"]
    assert store.graph_sizes() == {graph: 13}
    res = REGISTRY_GRAPH["@graph"][0]["@id"]
    rows = list(store.query(f"SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ <{res}> ?p ?o }} }}"))
    values = {(r["p"].value, str(r["o"])) for r in rows}
    # a language map gives language-tagged literals; web pages arrive as IRIs; concept CURIEs expand
    assert (ids.CETERMS + "name", '"Welding Inspector"@en-us') in values
    assert (ids.CETERMS + "subjectWebpage", "<https://example.org/cwi>") in values
    targets = list(store.query("SELECT ?t WHERE { ?cao <https://purl.org/ctdl/terms/targetNode> ?t }"))
    assert targets[0]["t"].value == "https://purl.org/ctdl/vocabs/credentialStat/Active"
    assert store.sources()[0]["format"] == "registry-graph"


def test_registry_graph_triple_count_matches_a_jsonld_11_processor(store):
    """PyLD (a JSON-LD 1.1 processor) reading the same document with the same context."""
    pyld = pytest.importorskip("pyld.jsonld")
    from credgraph.contexts import load_context

    doc = dict(REGISTRY_GRAPH, **{"@context": json.loads(json.dumps(load_context("ctdl")))})
    expected = len(set(pyld.to_rdf(doc, {"format": "application/n-quads"}).splitlines()))
    load_bytes(store, json.dumps(REGISTRY_GRAPH).encode(), fmt="jsonld")
    assert store.triple_count() == expected


def test_envelope_loads_its_decoded_resource_with_provenance(store):
    envelope = {"envelope_community": "ce_registry", "envelope_id": "e-1",
                "envelope_ceterms_ctid": "ce-11111111-2222-4333-8444-555555555555",
                "envelope_ctdl_type": "ceterms:Certification", "resource": "eyJ...",
                "decoded_resource": REGISTRY_GRAPH,
                "node_headers": {"created_at": "2024-01-02T03:04:05Z", "updated_at": "2025-01-02T03:04:05Z"}}
    report = load_bytes(store, json.dumps([envelope]).encode(), fmt="jsonld")
    assert report.loaded == 1, report.errors()
    graph = REGISTRY_GRAPH["@id"]
    assert store.graph_sizes() == {graph: 13}
    meta = {(q.predicate.value, q.object.value)
            for q in store.inner.quads_for_pattern(ox.NamedNode(graph), None, None, ox.NamedNode(ids.META_GRAPH))}
    assert (ids.CG + "envelopeCtid", "ce-11111111-2222-4333-8444-555555555555") in meta
    assert (ids.CG + "envelopeType", "ceterms:Certification") in meta
    assert ("http://purl.org/dc/terms/modified", "2025-01-02T03:04:05Z") in meta
    assert store.sources()[0]["format"] == "registry-envelope"


def test_legacy_http_namespaces_and_context_are_normalised(store):
    doc = {"@context": "http://credreg.net/ctdl/schema/context/json",
           "@id": "http://credentialengineregistry.org/resources/ce-11111111-2222-4333-8444-555555555555",
           "@type": "http://purl.org/ctdl/terms/Certificate",
           "ceterms:name": {"en": "Old"}}
    load_bytes(store, json.dumps(doc).encode(), fmt="jsonld")
    rows = list(store.query("SELECT ?s ?t WHERE { ?s a ?t FILTER(?t != <https://w3id.org/credgraph/terms/LoadedSource>) }"))
    assert rows[0]["t"].value == "https://purl.org/ctdl/terms/Certificate"
    assert rows[0]["s"].value.startswith("https://credentialengineregistry.org/resources/")
    ttl = b"<http://purl.org/ctdl/terms/x> <http://purl.org/ctdl/terms/name> 'y' ."
    load_bytes(store, ttl, fmt="turtle")
    assert bool(store.query("ASK { <https://purl.org/ctdl/terms/x> <https://purl.org/ctdl/terms/name> 'y' }"))


def test_arrays_and_graph_documents_without_id(store):
    docs = [{"@context": {"ex": EX}, "@id": "ex:a", "ex:p": "1"},
            {"@context": {"ex": EX}, "@graph": [{"@id": "ex:b", "ex:p": "2"}]}]
    load_bytes(store, json.dumps(docs).encode(), fmt="jsonld")
    assert store.triple_count() == 2


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("credgraph tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_unknown_remote_context_is_refused_by_name(store, no_network):
    doc = {"@context": "https://example.org/other-context.jsonld", "@id": EX + "a"}
    report = load_bytes(store, json.dumps(doc).encode(), fmt="jsonld")
    [(_, error)] = report.errors()
    assert isinstance(error, ContextError)
    assert "https://example.org/other-context.jsonld" in str(error)
    assert "/@context" in error.where
    assert "--context" in str(error)
    assert store.triple_count() == 0


def test_remote_context_mapped_to_a_local_file(store, tmp_path, no_network):
    ctx = tmp_path / "ctx.jsonld"
    ctx.write_text(json.dumps({"@context": {"p": EX + "p"}}))
    doc = {"@context": "https://example.org/other-context.jsonld", "@id": EX + "a", "p": "x"}
    f = tmp_path / "doc.jsonld"
    f.write_text(json.dumps(doc))
    report = load(store, [f], context_map={"https://example.org/other-context.jsonld": ctx})
    assert report.loaded == 1, report.errors()
    assert store.triple_count() == 1


def test_keys_outside_the_context_are_reported_and_dropped_like_jsonld_does(store):
    doc = dict(REGISTRY_GRAPH)
    doc["@graph"] = [dict(REGISTRY_GRAPH["@graph"][0], **{"ceterms:financialAssistanceType ": [
        {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": "financialAid:Grant"}]})]
    report = load_bytes(store, json.dumps(doc).encode(), fmt="jsonld")
    assert report.loaded == 1
    assert any("financialAssistanceType " in w for w in report.warnings)
    # no orphan alignment object from under the dropped key (pyoxigraph alone would keep its type)
    rows = store.query("SELECT (COUNT(?x) AS ?n) WHERE { ?x a <https://purl.org/ctdl/terms/CredentialAlignmentObject> }")
    assert int(next(iter(rows))["n"].value) == 1  # only the status alignment object


# --------------------------------------------------------------------------- bad input
BAD_INPUTS = {
    "empty.ttl": (b"", "empty"),
    "blank.jsonld": (b"  \n\t ", "empty"),
    "junk.ttl": (bytes(range(256)) * 4, "binary data"),
    "latin1.ttl": ("<https://ex.org/a> <https://ex.org/p> 'caf\u00e9' .".encode("latin-1"), "not UTF-8"),
    "bad.json": (b'{"@context": {"ex": "https://ex.org/"},\n "ex:p": "x",,}', "line 2 column"),
    "dup.json": (b'{"@context": {"ex": "https://ex.org/"},\n "@id": "ex:a", "ex:p": "1", "ex:p": "2"}',
                 "duplicate key 'ex:p'"),
    "nan.json": (b'{"@context": {"ex": "https://ex.org/"}, "@id": "ex:a", "ex:p": NaN}', "NaN"),
    "nocontext.json": (b'{"name": "x"}', "no RDF statements"),
    "bad.ttl": (b"@prefix ex: <https://ex.org/> .\nex:a ex:p 'ok' .\nex:b ex:p \"unterminated .\n", "line 3"),
    "badiri.nt": (b"<not an iri> <https://ex.org/p> \"x\" .\n", "line 1"),
    "badlang.ttl": (b"<https://ex.org/a> <https://ex.org/p> 'x'@not_a_tag .\n", "line 1"),
    "xxe.rdf": (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "external entity"),
    "scalar.json": (b'"just a string"', "not a JSON-LD document"),
    # Found by the hostile-input tests: parsers quote the bad input, control characters included;
    # the error must still be one line.
    "newline-in-iri.nt": (b"<https://ex.org/a\n> <https://ex.org/p> \"x\" .\n", "line 1"),
    "bad-encoding.rdf": (b'<?xml version="1.0" encoding="U-F-8"?><rdf:RDF '
                         b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "unknown encoding"),
    "control-char.ttl": (b"<https://ex.org/a\x01b> <https://ex.org/p> 'x' .\n", "\\x01"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_refused_clearly_and_leaves_the_store_unchanged(store, tmp_path, name, no_network):
    data, expected = BAD_INPUTS[name]
    (tmp_path / "good.ttl").write_bytes(FORMATS["a.ttl"])
    load(store, [tmp_path / "good.ttl"])
    before = set(store.inner.quads_for_pattern(None, None, None, None))
    f = tmp_path / name
    f.write_bytes(data)
    report = load(store, [f])
    [(origin, error)] = report.errors()
    assert origin == str(f)
    message = str(error)
    assert expected in message, message
    assert str(f) in message and "\n" not in message
    assert set(store.inner.quads_for_pattern(None, None, None, None)) == before


def test_utf16_and_bom_prefixed_files_load(store, tmp_path):
    text = "<https://ex.org/a> <https://ex.org/p> \"\u00e9t\u00e9\" .\n"
    (tmp_path / "bom.nt").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    (tmp_path / "utf16.nt").write_bytes(text.encode("utf-16"))  # with its byte-order mark
    report = load(store, [tmp_path / "bom.nt", tmp_path / "utf16.nt"])
    assert report.loaded == 2, report.errors()
    assert any("UTF-16" in w for w in report.warnings)
    assert [r["o"].value for r in store.query("SELECT DISTINCT ?o WHERE { ?s <https://ex.org/p> ?o }")] == ["\u00e9t\u00e9"]


def test_wrong_extension_is_read_by_content(store, tmp_path):
    f = tmp_path / "actually-json.ttl"
    f.write_bytes(FORMATS["a.jsonld"])
    report = load(store, [f])
    assert report.loaded == 1, report.errors()
    assert any("looks like JSON-LD" in w for w in report.warnings)


def test_unknown_extension_without_recognisable_content(store, tmp_path):
    f = tmp_path / "data.xyz"
    f.write_bytes(b"<https://ex.org/a> <https://ex.org/p> 'x' .")
    [(_, error)] = load(store, [f]).errors()
    assert "--format" in str(error)
    assert load(store, [f], fmt="turtle").loaded == 1


def test_missing_file_is_reported(store, tmp_path):
    [(_, error)] = load(store, [tmp_path / "nope.ttl"]).errors()
    assert "no such file" in str(error)


@pytest.mark.slow
def test_a_100_mb_file_loads_in_bounded_memory(disk_store, tmp_path):
    import resource

    f = tmp_path / "big.nt"
    line = "<https://ex.org/r/{0}> <https://ex.org/p> \"a value of some length to fill the file {0}\" .\n"
    with f.open("w") as out:
        i = 0
        while out.tell() < 100 * 1024 * 1024:
            out.write("".join(line.format(i + k) for k in range(1000)))
            i += 1000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = load(disk_store, [f])
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert report.loaded == 1 and report.triples == i
    assert disk_store.triple_count() == i
    assert grown_mb < 1500, f"peak memory grew by {grown_mb:.0f} MB for a 100 MB file"


def test_truncated_rdfxml_is_refused_at_every_cut(tmp_path):
    """Regression (found by the hostile-input tests): pyoxigraph accepts RDF/XML cut off after any
    '>' and yields the triples before the cut; a truncated file must be refused instead."""
    triples = [ox.Triple(ox.NamedNode("https://ex.org/a"), ox.NamedNode("https://ex.org/p"),
                         ox.NamedNode(f"https://ex.org/{i}")) for i in range(5)]
    data = ox.serialize(triples, format=ox.RdfFormat.RDF_XML).rstrip()
    cuts = [i + 1 for i, byte in enumerate(data[:-1]) if byte == ord(">")]
    assert len(cuts) > 5
    for cut in cuts:
        store = open_store(":memory:")
        f = tmp_path / f"cut{cut}.rdf"
        f.write_bytes(data[:cut])
        report = load(store, [f])
        [(_, error)] = report.errors()
        assert "not well-formed XML" in str(error) and str(f) in str(error)
        assert store.triple_count() == 0
    whole = tmp_path / "whole.rdf"
    whole.write_bytes(data)
    store = open_store(":memory:")
    assert load(store, [whole]).loaded == 1 and store.triple_count() == 5


def test_a_counts_only_report_keeps_failures_and_totals_but_no_outcome_per_document(tmp_path):
    for i in range(30):
        (tmp_path / f"d{i:02}.ttl").write_text(f"<https://ex.org/{i}> <https://ex.org/p> {i}, {i + 1} .\n")
    (tmp_path / "broken.ttl").write_text("<https://ex.org/x> <https://ex.org/p> .\n")
    kept = load(open_store(":memory:"), [tmp_path], workers=0)
    counted = load(open_store(":memory:"), [tmp_path], workers=0, keep_outcomes=False)
    assert (counted.loaded, counted.triples, counted.failed) == (kept.loaded, kept.triples, kept.failed) == (30, 60, 1)
    assert len(kept.outcomes) == 31 and len(counted.outcomes) == 1  # only the failure is kept
    assert [o for o, _ in counted.errors()] == [str(tmp_path / "broken.ttl")]
    assert counted.exit_code == kept.exit_code == 2
