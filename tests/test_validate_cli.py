"""`credgraph validate` and `credgraph load --validate/--force/--profile`: exit codes, formats, output
that is the same byte for byte, the report stored with a forced document, a refused document's
reasons on stderr."""

from __future__ import annotations

import json
import shutil

import pytest
import rdflib

from conftest import TESTS

VALID = TESTS / "shapes" / "valid"
CLEAN = VALID / "registry.ttl"
PATHWAY = VALID / "pathway.ttl"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
BROKEN = b"""@prefix ceterms: <https://purl.org/ctdl/terms/> .
<https://credentialengineregistry.org/resources/ce-5e3de882-3b49-421b-b623-695c63587f4f> a ceterms:Certification ;
    ceterms:ctid "ce-5e3de882-3b49-421b-b623-695c63587f4f" ;
    ceterms:name "Widget Safety"@en ;
    ceterms:description "Short"@en .
"""


@pytest.fixture
def broken(tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_bytes(BROKEN)
    return path


def test_conforming_file_exits_0_with_counts(cli):
    result = cli("validate", CLEAN)
    assert result.code == 0, result.out + result.err
    assert result.out.rstrip().splitlines()[-1].endswith("-- conforms")
    assert "0 violations" in result.out


def test_violations_exit_1_and_text_is_grouped_by_resource(cli, broken):
    result = cli("validate", broken)
    assert result.code == 1
    lines = result.out.splitlines()
    heading = next(i for i, line in enumerate(lines) if "ce-5e3de882-3b49-421b-b623-695c63587f4f" in line)
    assert '"Widget Safety"' in lines[heading] and "(ceterms:Certification)" in lines[heading]
    assert any("VIOLATION ceterms:description" in line for line in lines)   # the 5-character description
    assert any(line.strip().startswith("fix: add ceterms:description") for line in lines)
    assert "does not conform" in lines[-1]


def test_unreadable_input_exits_2(cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"@context": "https://credreg.net/ctdl/schema/context/json", "@id": ')
    result = cli("validate", bad)
    assert result.code == 2
    assert "bad.json" in result.err and "Traceback" not in result.err


def test_missing_file_exits_2(cli, tmp_path):
    result = cli("validate", tmp_path / "nope.ttl")
    assert result.code == 2
    assert "nope.ttl" in result.err


def test_unknown_profile_is_a_usage_error(cli):
    result = cli("validate", CLEAN, "--profile", "nonsense")
    assert result.code == 2


def test_profiles_are_selectable(cli):
    assert cli("validate", PATHWAY, "--profile", "pathways").code == 0
    result = cli("validate", PATHWAY, "--profile", "all", "--format", "json")
    assert json.loads(result.out)["profiles"] == ["registry-minimum", "ctdl-structure", "quality-ndc",
                                                  "eu-microcredential", "pathways"]


@pytest.mark.parametrize("fmt", ["text", "json", "turtle"])
def test_same_input_same_output(cli, fmt, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("registry.ttl", "pathway.ttl", "registry-document.json"):
        shutil.copy(VALID / name, folder / name)
    (folder / "broken.ttl").write_bytes(BROKEN)
    first = cli("validate", folder, "--profile", "all", "--format", fmt)
    second = cli("validate", folder, "--profile", "all", "--format", fmt)
    assert first.code == second.code == 1
    assert first.out == second.out and first.out


def test_json_report_fields(cli, broken):
    report = json.loads(cli("validate", broken, "--format", "json").out)
    assert report["conforms"] is False and report["counts"]["Violation"] >= 1
    short = next(r for r in report["results"] if r["component"] == "sh:MinLengthConstraintComponent")
    assert short["ctid"] == "ce-5e3de882-3b49-421b-b623-695c63587f4f"
    assert short["name"] == "Widget Safety"
    assert short["path"] == "ceterms:description" and short["value"] == '"Short"@en'
    assert short["severity"] == "Violation" and short["fix"] and short["message"]
    assert short["shape"].startswith("https://w3id.org/credgraph/shapes/registry-minimum#")
    assert short["source"].endswith("broken.ttl")


def test_turtle_report_is_a_shacl_validation_report(cli, broken):
    text = cli("validate", broken, "--format", "turtle").out
    g = rdflib.Graph().parse(data=text, format="turtle")
    report = next(g.subjects(rdflib.RDF.type, SH.ValidationReport))
    assert g.value(report, SH.conforms) == rdflib.Literal(False)
    results = list(g.objects(report, SH.result))
    assert results and all(g.value(r, SH.focusNode) is not None and g.value(r, SH.resultSeverity) is not None
                           for r in results)


def test_validate_the_store(cli, tmp_path, broken):
    store = tmp_path / "store"
    assert cli("load", CLEAN, "--store", store).code == 0
    assert cli("validate", "--store", store).code == 0
    assert cli("load", broken, "--store", store).code == 0
    assert cli("validate", "--store", store).code == 1


def test_validate_a_missing_store_is_a_usage_error(cli, tmp_path):
    assert cli("validate", "--store", tmp_path / "none").code == 2


def test_files_and_store_together_is_a_usage_error(cli, tmp_path):
    assert cli("validate", CLEAN, "--store", tmp_path / "store").code == 2


# ----------------------------------------------------------------------------- load --validate
def count_sources(cli, store) -> int:
    return len([line for line in cli("sources", "--store", store).out.splitlines() if line.strip()])


def test_load_validate_refuses_a_document_with_violations_and_says_why(cli, tmp_path, broken):
    store = tmp_path / "store"
    result = cli("load", broken, CLEAN, "--store", store, "--validate")
    assert result.code == 1
    assert "refused: " in result.err and "broken.ttl" in result.err
    assert "VIOLATION ceterms:description" in result.err          # the reasons, grouped by resource
    assert "WARNING" not in result.err.split("refused:")[1].split("error:")[0]   # violations only
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p 'Short'@en }"
    assert "0" in cli("query", "--store", store, "--sparql", query, "--format", "csv").out.split()
    assert count_sources(cli, store) == 1                          # the clean file was admitted


def test_load_validate_admits_warnings(cli, tmp_path):
    store = tmp_path / "store"
    result = cli("load", CLEAN, "--store", store, "--validate")
    assert result.code == 0, result.err
    assert "warning(s)" in result.err and "admitted" in result.err


def test_load_force_admits_and_stores_the_report(cli, tmp_path, broken):
    store = tmp_path / "store"
    result = cli("load", broken, "--store", store, "--force")
    assert result.code == 0, result.err
    query = ("PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT (COUNT(?r) AS ?n) WHERE { GRAPH ?g { "
             "?report a sh:ValidationReport ; sh:result ?r . ?r sh:resultSeverity sh:Violation } }")
    rows = cli("query", "--store", store, "--sparql", query, "--format", "csv").out.split()
    assert int(rows[-1]) >= 2
    verdict = ("SELECT ?v WHERE { GRAPH <https://w3id.org/credgraph/graph/meta> { "
               "?s <https://w3id.org/credgraph/terms/validationVerdict> ?v } }")
    assert "violations" in cli("query", "--store", store, "--sparql", verdict, "--format", "csv").out
    # the stored report is not validated as a document
    assert cli("validate", "--store", store, "--format", "json").out.count('"source"') >= 2


def test_load_profile_implies_validate(cli, tmp_path):
    store = tmp_path / "store"
    pathway = tmp_path / "pathway.ttl"
    pathway.write_text(PATHWAY.read_text().replace(
        "ceterms:hasDestinationComponent res:ce-9fe5f431-1aa8-4521-859c-38aeb856ea44 ;", ""))
    result = cli("load", pathway, "--store", store, "--profile", "pathways")
    assert result.code == 1 and "hasDestinationComponent" in result.err


def test_severity_violation_checks_only_what_decides_conformance(cli, broken):
    full = json.loads(cli("validate", broken, "--format", "json").out)
    only = json.loads(cli("validate", broken, "--format", "json", "--severity", "violation").out)
    assert full["counts"]["Warning"] > 0 and only["counts"]["Warning"] == only["counts"]["Info"] == 0
    assert only["counts"]["Violation"] == full["counts"]["Violation"]
    assert [r for r in full["results"] if r["severity"] == "Violation"] == only["results"]
