"""Credential Registry graph documents: shape, values, identifiers, selection, CLI."""

from __future__ import annotations

import json

import pytest
import rdflib
from rdflib.compare import isomorphic

from credgraph.export.registry import RegistryExport, format_language
from credgraph.export.select import Selection, mint_ctid
from credgraph.load import load_bytes
from credgraph.store import open_store

SANDBOX = "https://sandbox.credentialengineregistry.org/resources/"
CRED = "ce-00000000-0000-4000-8000-000000000001"
ORG = "ce-00000000-0000-4000-8000-000000000002"
FW = "ce-00000000-0000-4000-8000-000000000003"

TTL = f"""
@prefix ceterms: <https://purl.org/ctdl/terms/> .
@prefix ceasn: <https://purl.org/ctdlasn/terms/> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix credentialStat: <https://purl.org/ctdl/vocabs/credentialStat/> .
<{SANDBOX}{CRED}> a ceterms:Certification ; ceterms:ctid "{CRED}" ;
  ceterms:name "Welding"@en-US, "Soudage"@fr ;
  ceterms:keyword "b"@en-US, "a"@en-US ;
  ceterms:codedNotation "W-1" ;
  ceterms:inLanguage "en"^^xsd:language ;
  ceterms:credentialStatusType credentialStat:Active ;
  ceterms:ownedBy <{SANDBOX}{ORG}> ;
  ceterms:accreditedBy [ a ceterms:QACredentialOrganization ; ceterms:name "QA Body"@en-US ] ;
  ceterms:estimatedCost [ a ceterms:CostProfile ; ceterms:price 950.00 ; ceterms:currency "EUR" ;
      ceterms:description "Fee"@en-US ] ;
  ceterms:requires [ a ceterms:ConditionProfile ; ceterms:description "Pass the exam"@en-US ;
      ceterms:creditValue [ a ceterms:ValueProfile ; schema:value "3"^^xsd:float ] ] .
<{SANDBOX}{ORG}> a ceterms:CredentialOrganization ; ceterms:ctid "{ORG}" ; ceterms:name "Org"@en-US .
<{SANDBOX}{FW}> a ceasn:CompetencyFramework ; ceterms:ctid "{FW}" ; ceasn:name "Framework"@en-US ;
  ceasn:hasTopChild <{SANDBOX}ce-00000000-0000-4000-8000-000000000010> .
<{SANDBOX}ce-00000000-0000-4000-8000-000000000010> a ceasn:Competency ;
  ceterms:ctid "ce-00000000-0000-4000-8000-000000000010" ; ceasn:competencyText "Top"@en-US ;
  ceasn:isPartOf <{SANDBOX}{FW}> ; ceasn:hasChild <{SANDBOX}ce-00000000-0000-4000-8000-000000000011> .
<{SANDBOX}ce-00000000-0000-4000-8000-000000000011> a ceasn:Competency ;
  ceterms:ctid "ce-00000000-0000-4000-8000-000000000011" ; ceasn:competencyText "Child"@en-US .
<https://example.org/no-ctid> a ceterms:Certificate ; ceterms:name "Nameless ID"@en-US ;
  ceterms:ownedBy <{SANDBOX}{ORG}> .
"""


@pytest.fixture
def landscape():
    store = open_store(":memory:")
    load_bytes(store, TTL.encode(), fmt="turtle")
    return store


def _docs(store, **kwargs):
    export = RegistryExport(store, **kwargs)
    return export, {d.name: d for d in export.documents()}


def _graph(doc: dict) -> rdflib.Graph:
    from credgraph.contexts import load_context

    data = dict(doc)
    data["@context"] = dict(load_context("ctdlasn" if "ctdlasn" in doc["@context"] else "ctdl"))
    ds = rdflib.Dataset()
    ds.parse(data=json.dumps(data), format="json-ld")
    g = rdflib.Graph()
    for s, p, o, _ in ds.quads():
        g.add((s, p, o))
    return g


def test_document_has_the_registry_envelope_shape(landscape):
    _, docs = _docs(landscape)
    doc = docs[CRED].data
    assert list(doc) == ["@context", "@id", "@graph"]
    assert doc["@context"] == "https://credreg.net/ctdl/schema/context/json"
    assert doc["@id"] == f"https://sandbox.credentialengineregistry.org/graph/{CRED}"
    main = doc["@graph"][0]
    assert main["@id"] == SANDBOX + CRED and main["@type"] == "ceterms:Certification"
    assert list(main)[:2] == ["@id", "@type"]
    keys = list(main)[2:]
    assert keys == sorted(keys)


def test_values_are_written_as_the_registry_writes_them(landscape):
    _, docs = _docs(landscape)
    main = docs[CRED].data["@graph"][0]
    assert main["ceterms:name"] == {"en-US": "Welding", "fr": "Soudage"}      # language map, BCP 47 case
    assert main["ceterms:keyword"] == {"en-US": ["a", "b"]}                   # multi-valued, sorted
    assert main["ceterms:credentialStatusType"] == "credentialStat:Active"    # concept CURIE
    assert main["ceterms:ownedBy"] == SANDBOX + ORG                          # reference by IRI
    assert main["ceterms:inLanguage"] == "en"
    cost = main["ceterms:estimatedCost"]                                      # nested profile
    assert cost["@type"] == "ceterms:CostProfile" and cost["ceterms:price"] == 950.0
    value = main["ceterms:requires"]["ceterms:creditValue"]["schema:value"]
    assert value == 3.0


def test_secondary_entities_without_ctid_are_blank_members(landscape):
    _, docs = _docs(landscape)
    graph = docs[CRED].data["@graph"]
    [qa] = [n for n in graph if n.get("@type") == "ceterms:QACredentialOrganization"]
    assert qa["@id"].startswith("_:")
    assert graph[0]["ceterms:accreditedBy"] == qa["@id"]


def test_framework_document_holds_all_its_competencies(landscape):
    _, docs = _docs(landscape)
    doc = docs[FW].data
    assert doc["@context"] == "https://credreg.net/ctdlasn/schema/context/json"
    ids_ = [n["@id"] for n in doc["@graph"]]
    assert ids_[0] == SANDBOX + FW
    assert ids_[1:] == sorted([SANDBOX + "ce-00000000-0000-4000-8000-000000000010",
                               SANDBOX + "ce-00000000-0000-4000-8000-000000000011"])


def test_exported_document_is_the_same_graph_as_the_store(landscape):
    _, docs = _docs(landscape)
    exported = _graph(docs[CRED].data)
    names = {str(o) for o in exported.objects(rdflib.URIRef(SANDBOX + CRED),
                                              rdflib.URIRef("https://purl.org/ctdl/terms/name"))}
    assert names == {"Welding", "Soudage"}
    # reload the exported document: the same graph comes back (blank nodes included)
    again = open_store(":memory:")
    load_bytes(again, docs[CRED].text().encode(), fmt="jsonld")
    _, docs_again = _docs(again)
    assert isomorphic(exported, _graph(docs_again[CRED].data))


def test_export_is_deterministic_across_loads(landscape):
    _, first = _docs(landscape)
    other = open_store(":memory:")
    load_bytes(other, TTL.encode(), fmt="turtle")
    _, second = _docs(other)
    assert {k: d.text() for k, d in first.items()} == {k: d.text() for k, d in second.items()}


def test_resource_without_ctid_is_reported_not_exported(landscape):
    export, docs = _docs(landscape)
    assert all("no-ctid" not in d.iri for d in docs.values())
    [problem] = export.problems
    assert "https://example.org/no-ctid" in problem and "--mint-ctids" in problem


def test_mint_ctids_gives_stable_ctid_and_records_it(landscape):
    export, docs = _docs(landscape, mint=True)
    ctid = mint_ctid("https://example.org/no-ctid")
    assert export.minted == {"https://example.org/no-ctid": ctid}
    main = docs[ctid].data["@graph"][0]
    assert main["ceterms:ctid"] == ctid
    assert main["@id"] == f"https://credentialengineregistry.org/resources/{ctid}"
    assert export.problems == []


def test_registry_base_rewrites_registry_iris(landscape):
    _, docs = _docs(landscape, base="https://credentialengineregistry.org/")
    doc = docs[CRED].data
    assert doc["@id"] == f"https://credentialengineregistry.org/graph/{CRED}"
    assert doc["@graph"][0]["ceterms:ownedBy"] == f"https://credentialengineregistry.org/resources/{ORG}"


@pytest.mark.parametrize("selection, expected", [
    (Selection(ctids=(CRED.upper(),)), {CRED}),
    (Selection(types=("ceterms:Certification",)), {CRED}),
    (Selection(types=("ceterms:Credential",)), {CRED}),
    (Selection(types=("ceasn:CompetencyFramework",)), {FW}),
    (Selection(owners=(ORG,)), {CRED}),
    (Selection(owners=(SANDBOX + ORG,), types=("ceterms:Organization",)), set()),
])
def test_selection(landscape, selection, expected):
    _, docs = _docs(landscape, selection=selection)
    assert set(docs) == expected


@pytest.mark.parametrize("tag, expected", [("en-us", "en-US"), ("en", "en"), ("ar-sa", "ar-SA"),
                                           ("zh-hant-tw", "zh-Hant-TW"), ("es-419", "es-419"),
                                           ("en-x-private", "en-x-private")])
def test_language_tags_are_written_in_bcp47_case(tag, expected):
    assert format_language(tag) == expected


def test_literals_a_term_cannot_carry_keep_their_datatype():
    store = open_store(":memory:")
    load_bytes(store, f"""@prefix ceterms: <https://purl.org/ctdl/terms/> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <{SANDBOX}{CRED}> a ceterms:Certification ; ceterms:ctid "{CRED}" ;
      ceterms:name 5 ;                                  # not a langString under a language map
      ceterms:subjectWebpage "not an IRI" ;             # a literal under an @id term
      ceterms:price "12.50"^^xsd:decimal .              # a non-integral decimal
    """.encode(), fmt="turtle")
    [doc] = RegistryExport(store).documents()
    main = doc.data["@graph"][0]
    assert main["https://purl.org/ctdl/terms/name"] == 5
    assert main["ceterms:subjectWebpage"] == {"@value": "not an IRI"}
    assert main["ceterms:price"] == "12.5"  # a string: as a JSON number it would become "1.25E1"
    again = open_store(":memory:")
    load_bytes(again, doc.text().encode(), fmt="jsonld")
    assert {(str(q.predicate), str(q.object)) for q in again.inner.quads_for_pattern(None, None, None, None)} >= {
        ("<https://purl.org/ctdl/terms/name>", '"5"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        ("<https://purl.org/ctdl/terms/subjectWebpage>", '"not an IRI"')}


def test_cli_writes_one_file_per_document(cli, tmp_path):
    store = tmp_path / "store"
    source = tmp_path / "landscape.ttl"
    source.write_text(TTL)
    assert cli("load", source, "--store", store).code == 0
    result = cli("export", "--to", "registry", "--store", store, "--out", tmp_path / "docs")
    assert result.code == 1 and "no CTID: https://example.org/no-ctid" in result.err   # reported, exit 1
    files = sorted(p.name for p in (tmp_path / "docs").iterdir())
    assert files == sorted(f"{c}.json" for c in (CRED, ORG, FW))
    minted = cli("export", "--to", "registry", "--store", store, "--out", tmp_path / "m", "--mint-ctids")
    assert minted.code == 0
    assert (tmp_path / "m" / "minted-ctids.csv").read_text().splitlines() == [
        "iri,ctid", f"https://example.org/no-ctid,{mint_ctid('https://example.org/no-ctid')}"]


def test_cli_streams_json_lines_in_stable_order(cli, tmp_path):
    store = tmp_path / "store"
    source = tmp_path / "landscape.ttl"
    source.write_text(TTL)
    cli("load", source, "--store", store)
    first = cli("export", "--to", "registry", "--store", store, "--type", "ceterms:Certification,ceterms:Organization")
    assert first.code == 0
    lines = first.out.splitlines()
    assert [json.loads(line)["@graph"][0]["@id"] for line in lines] == [SANDBOX + CRED, SANDBOX + ORG]
    assert cli("export", "--to", "registry", "--store", store, "--type", "ceterms:Certification,ceterms:Organization").out == first.out


@pytest.mark.parametrize("args, message", [
    (["--to", "turtle", "--ctid", CRED], "do not apply"),
    (["--to", "elm", "--mint-ctids"], "apply to --to registry only"),
    (["--to", "registry", "--registry-base", "ftp://x"], "not an http(s) URL"),
    (["--to", "registry", "--type", "nonsense"], "not a CURIE or IRI"),
])
def test_cli_usage_errors_exit_2(cli, tmp_path, args, message):
    result = cli("export", "--store", ":memory:", *args)
    assert result.code == 2 and message in result.err and "Traceback" not in result.err


def test_cli_nothing_selected_exits_1(cli):
    result = cli("export", "--to", "registry", "--store", ":memory:", "--ctid", CRED)
    assert result.code == 1 and "nothing to export" in result.err


def test_cli_out_must_be_a_folder_for_documents(cli, tmp_path):
    target = tmp_path / "file.json"
    target.write_text("x")
    result = cli("export", "--to", "registry", "--store", ":memory:", "--out", target)
    assert result.code == 2 and "is a file" in result.err


def test_cli_csv_target_is_wired(cli, tmp_path):
    pytest.importorskip("credgraph.export.csv", reason="the CSV exporter (credgraph.export.csv) is written separately")
    result = cli("export", "--to", "csv", "--store", ":memory:")
    assert result.code in (0, 1) and "Traceback" not in result.err


def test_member_resources_reached_from_profiles_join_the_document():
    store = open_store(":memory:")
    load_bytes(store, f"""@prefix ceterms: <https://purl.org/ctdl/terms/> .
    @prefix qdata: <https://credreg.net/qdata/terms/> .
    <{SANDBOX}{CRED}> a ceterms:Certification ; ceterms:ctid "{CRED}" ;
      ceterms:aggregateData [ a ceterms:AggregateDataProfile ;
          qdata:relevantDataSet <{SANDBOX}ce-00000000-0000-4000-8000-0000000000d1> ] .
    <{SANDBOX}ce-00000000-0000-4000-8000-0000000000d1> a qdata:DataSetProfile ;
      ceterms:ctid "ce-00000000-0000-4000-8000-0000000000d1" ; ceterms:name "Outcomes 2024"@en .
    """.encode(), fmt="turtle")
    [doc] = RegistryExport(store).documents()        # the dataset profile is no document of its own
    assert [n["@id"] for n in doc.data["@graph"]] == [SANDBOX + CRED, SANDBOX + "ce-00000000-0000-4000-8000-0000000000d1"]


def test_progress_counts_every_document_written(landscape, tmp_path):
    import io

    from credgraph.commands._common import CountProgress
    from credgraph.commands.export import write_documents

    shown = io.StringIO()
    progress = CountProgress("exporting registry", stream=shown, enabled=True, every=0.0)
    written = write_documents(RegistryExport(landscape, Selection()).documents(), tmp_path, progress)
    assert written == progress.done == len(list(tmp_path.glob("*.json"))) > 1
    assert f"exporting registry: {written:,} documents" in shown.getvalue()
