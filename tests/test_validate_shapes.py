"""The shapes files: generated ones are current, every check compiles to SPARQL pyoxigraph accepts,
every rule tells a publisher what is wrong, how to fix it and where the rule comes from, and the
hand-written class lists match the term base."""

from __future__ import annotations

import sys

import pytest
import rdflib

from conftest import ROOT, reference

PROFILES = ("registry-minimum", "ctdl-structure", "quality-ndc", "eu-microcredential", "pathways")


def test_generated_shapes_are_current():
    reference("ctdl", "policy", "policyBrowserData.json")
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_shapes
    finally:
        sys.path.pop(0)
    for path, text in build_shapes.render_all().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run python tools/build_shapes.py"


@pytest.mark.parametrize("profile", PROFILES)
def test_every_check_compiles_and_pyoxigraph_accepts_its_queries(profile):
    from credgraph.store import open_store
    from credgraph.validate.engine import Engine

    engine = Engine((profile,))
    assert engine.checks and not engine.fallbacks, [c.fallback for c in engine.fallbacks]
    inner = open_store(":memory:").inner
    for group in engine.groups:
        list(inner.query(group.focus_query("", ""), use_default_graph_as_union=True))
        if [c for c in group.checks if c.kind == "flag"]:
            list(inner.query(group.flag_query("", "", [c for c in group.checks if c.kind == "flag"])))
        for check in group.checks:
            if check.kind != "flag":
                list(inner.query(group.rows_query(check, "", "")[0], use_default_graph_as_union=True))


@pytest.mark.parametrize("profile", PROFILES)
def test_every_rule_says_what_is_wrong_how_to_fix_it_and_where_it_comes_from(profile):
    from credgraph.validate.engine import compiled
    from credgraph.validate.profiles import shapes_graph

    g = shapes_graph(profile)
    for check in compiled(profile):
        assert len(check.message) > 30, check.key
        assert check.fix, check.key
        assert check.severity.rsplit("#", 1)[-1] in ("Violation", "Warning", "Info")
        node = rdflib.URIRef(check.node_shape)
        see = set(g.objects(rdflib.URIRef(check.shape), rdflib.RDFS.seeAlso)) | set(g.objects(node, rdflib.RDFS.seeAlso))
        assert see, f"{check.shape}: no rdfs:seeAlso to the rule's source"


def closure(g: rdflib.Graph, roots) -> set:
    out, todo = set(roots), list(roots)
    while todo:
        for sub in g.subjects(rdflib.RDFS.subClassOf, todo.pop()):
            if sub not in out:
                out.add(sub)
                todo.append(sub)
    return out


def sparql_target_classes(profile: str, target: str) -> set:
    import re

    from credgraph.validate.profiles import shapes_graph

    g = shapes_graph(profile)
    text = str(g.value(rdflib.URIRef(target), rdflib.URIRef("http://www.w3.org/ns/shacl#select")))
    return {rdflib.URIRef("https://purl.org/ctdl/terms/" + name) for name in re.findall(r"ceterms:(\w+)", text)}


def test_quality_targets_are_the_non_degree_credentials_of_the_term_base():
    g = rdflib.Graph().parse(ROOT / "ontology" / "ctdl.ttl").parse(ROOT / "ontology" / "credgraph.ttl")
    non_degree = rdflib.URIRef("https://w3id.org/credgraph/terms/NonDegreeCredential")
    expected = closure(g, [non_degree]) - {non_degree}
    found = sparql_target_classes("quality-ndc", "https://w3id.org/credgraph/shapes/quality-ndc#NonDegreeCredential-target")
    assert found == expected


def test_registry_credential_targets_cover_every_credential_class_but_the_abstract_ones():
    g = rdflib.Graph().parse(ROOT / "ontology" / "ctdl.ttl")
    cred = rdflib.URIRef("https://purl.org/ctdl/terms/Credential")
    expected = closure(g, [cred]) - {cred}
    found = sparql_target_classes("registry-minimum", "https://w3id.org/credgraph/shapes/registry-minimum#Credential-1-target")
    assert found == expected   # ceterms:Degree is a policy row too; AbstractCredentialType flags it


@pytest.mark.parametrize("profile", PROFILES)
def test_sparql_constraints_pass_pyshacls_restrictions(profile):
    """SHACL forbids VALUES, MINUS and SERVICE in SPARQL constraints; pySHACL checks with regular
    expressions (which also catch a term ending in "Service" followed by a space)."""
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    from credgraph.validate.profiles import shapes_graph

    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    g = shapes_graph(profile)
    for constraint in g.objects(None, sh.sparql):
        text = str(g.value(constraint, sh.select))
        for regex in (SPARQLQueryHelper.has_minus_regex, SPARQLQueryHelper.has_values_regex,
                      SPARQLQueryHelper.has_service_regex):
            assert not regex.search(text), f"{regex.pattern} matches a constraint of {profile}:\n{text[:400]}"
