"""The CTDL term base (ontology/ctdl.ttl), the generated contexts and namespaces, offline contexts.

Tests marked ``reference`` read the official encodings from ``../shared/reference/ctdl/schema``
and skip cleanly in a fresh clone; the others need only the repository.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import socket
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from credgraph.contexts import (
    CTDL_CONTEXT_URLS,
    CTDLASN_CONTEXT_URLS,
    context_map_from_env,
    load_context,
    resolve_context,
)
from credgraph.errors import ContextError, UsageError
from credgraph.namespaces import CEASN, CETERMS, CG, CREDENTIAL_STAT, META, PREFIXES, SCHEMA, VS

ROOT = Path(__file__).resolve().parents[1]
TTL = ROOT / "ontology" / "ctdl.ttl"
REFERENCE = ROOT.parent / "shared" / "reference" / "ctdl" / "schema"
ENCODINGS = {"ctdl": "ctdl-schema.jsonld", "ctdlasn": "ctdlasn-schema.jsonld"}
CONTEXTS = {"ctdl": "ctdl-context.jsonld", "ctdlasn": "ctdlasn-context.jsonld"}
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # rdflib's XSD warns when pytest probes it


def load_tool(name: str):
    """Import tools/<name>.py (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_tool_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph().parse(TTL, format="turtle")


@pytest.fixture(scope="module")
def reference() -> Path:
    if not (REFERENCE / ENCODINGS["ctdl"]).is_file():
        pytest.skip("../shared/reference is absent (fresh clone)")
    return REFERENCE


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def refuse_loader(url, options=None):
    raise AssertionError(f"PyLD tried to load {url}")


# --- reading the official files independently of the build script -------------------------

def normalise(iri: str) -> str:
    return "https://" + iri[len("http://"):] if iri.startswith("http://purl.org/ctdl") else iri


def official_context(reference: Path, name: str) -> dict:
    return json.loads((reference / CONTEXTS[name]).read_text(encoding="utf-8"))["@context"]


def official_prefixes(reference: Path, name: str) -> dict[str, str]:
    prefixes = {k: v for k, v in official_context(reference, name).items() if isinstance(v, str)}
    prefixes.setdefault("owl", str(OWL))  # the CTDL-ASN context uses owl: terms without the prefix
    return prefixes


def encoding_nodes(reference: Path):
    """(name, node, expand) for every node of both encodings."""
    for name, file in ENCODINGS.items():
        prefixes = official_prefixes(reference, name)

        def expand(curie: str, prefixes=prefixes) -> URIRef:
            prefix, _, local = curie.partition(":")
            return URIRef(normalise(prefixes[prefix] + local))

        for node in json.loads((reference / file).read_text(encoding="utf-8"))["@graph"]:
            yield name, node, expand


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# --- the term base ------------------------------------------------------------------------

def test_ctdl_ttl_parses_and_describes_itself(graph):
    ontologies = list(graph.subjects(RDF.type, OWL.Ontology))
    assert ontologies == [URIRef("https://w3id.org/credgraph/ontology/ctdl")]
    onto = ontologies[0]
    assert graph.value(onto, URIRef("http://purl.org/dc/terms/license")) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    sources = set(graph.objects(onto, URIRef("http://purl.org/dc/terms/source")))
    assert URIRef("https://credreg.net/ctdl/schema/encoding/json") in sources
    header = TTL.read_text(encoding="utf-8")[:2000]
    assert "tools/build_ctdl_ontology.py" in header and "sha256" in header and "CC BY 4.0" in header
    # facts only: no prose
    for prose in (RDFS.comment, SKOS.definition):
        assert not list(graph.triples((None, prose, None)))


def test_known_facts(graph):
    """Spot checks (verified against the encodings by hand; see NOTES.md sections 1, 4, 5)."""
    facts = [
        (CETERMS.ApprenticeshipCertificate, RDFS.subClassOf, CETERMS.WorkBasedLearningCertificate),
        (CETERMS.Certification, RDFS.subClassOf, CETERMS.Credential),
        (CETERMS.hasPart, OWL.inverseOf, CETERMS.isPartOf),
        (CETERMS.isPartOf, OWL.inverseOf, CETERMS.hasPart),
        (CEASN.hasChild, OWL.inverseOf, CEASN.isChildOf),
        (CETERMS.precedes, OWL.inverseOf, CETERMS.precededBy),
        (CETERMS.prerequisite, RDFS.subPropertyOf, CETERMS.requires),
        (CEASN.CompetencyFramework, RDFS.subClassOf, CETERMS.Collection),
        (CETERMS.credentialStatusType, META.targetScheme, CETERMS.CredentialStatus),
        (CETERMS.credentialStatusType, SCHEMA.domainIncludes, CETERMS.Certification),
        (CETERMS.ownedBy, SCHEMA.rangeIncludes, CETERMS.CredentialOrganization),
        (CREDENTIAL_STAT.TeachOut, SKOS.inScheme, CETERMS.CredentialStatus),
        (CETERMS.CredentialStatus, SKOS.hasTopConcept, CREDENTIAL_STAT.Active),
        (CETERMS.CredentialStatus, RDF.type, SKOS.ConceptScheme),
        (CREDENTIAL_STAT.Active, RDF.type, SKOS.Concept),
        (CREDENTIAL_STAT.Active, SKOS.prefLabel, Literal("Active", lang="en-US")),
        (CETERMS.Certification, RDFS.label, Literal("Certification", lang="en-US")),
        (CETERMS.Certification, VS.term_status, VS.stable),
        # value forms from the official context
        (CETERMS.subjectWebpage, CG.valueType, CG.Reference),
        (CETERMS.name, CG.valueType, RDF.langString),
        (CETERMS.dateEffective, CG.valueType, XSD.date),
        (CETERMS.ctid, CG.valueType, XSD.string),
        (CETERMS.renewalFrequency, CG.valueType, URIRef("https://schema.org/Duration")),
        # CTDL-ASN concepts normalised to https
        (URIRef("https://purl.org/ctdlasn/vocabs/publicationStatus/Published"), SKOS.inScheme,
         CEASN.PublicationStatus),
        # terms of other vocabularies are marked as such
        (SKOS.Concept, RDFS.isDefinedBy, URIRef(str(SKOS))),
        (URIRef("https://schema.org/about"), RDFS.isDefinedBy, URIRef("https://schema.org/")),
    ]
    missing = [f for f in facts if f not in graph]
    assert not missing, "\n".join(" ".join(t.n3() for t in f) for f in missing)
    assert (CETERMS.hasDestinationComponent, OWL.inverseOf, None) not in graph  # NOTES.md 5


@pytest.mark.reference
def test_counts_match_the_encodings(graph, reference):
    expected = defaultdict(set)
    for _, node, expand in encoding_nodes(reference):
        expected[expand(node["@type"])].add(expand(node["@id"]))
    for kind, count in [(RDFS.Class, 150), (RDF.Property, 501), (SKOS.ConceptScheme, 36),
                        (SKOS.Concept, 456)]:
        in_ttl = set(graph.subjects(RDF.type, kind))
        assert in_ttl == expected[kind], kind
        assert len(in_ttl) == count, kind  # 139+11 / 411+101 (11 shared) / 34+2 / 448+8
    assert set(expected) == {RDFS.Class, RDF.Property, SKOS.ConceptScheme, SKOS.Concept}


IRI_KEYS = {
    "schema:domainIncludes": SCHEMA.domainIncludes,
    "schema:rangeIncludes": SCHEMA.rangeIncludes,
    "rdfs:subClassOf": RDFS.subClassOf,
    "rdfs:subPropertyOf": RDFS.subPropertyOf,
    "owl:inverseOf": OWL.inverseOf,
    "meta:targetScheme": META.targetScheme,
    "meta:hasConcept": META.hasConcept,
    "skos:inScheme": SKOS.inScheme,
    "skos:broader": SKOS.broader,
    "skos:hasTopConcept": SKOS.hasTopConcept,
}


@pytest.mark.reference
def test_every_fact_of_the_encodings_is_in_the_term_base(graph, reference):
    """For every term: label, domain, range, subclass, subproperty, inverse, ... exactly."""
    expected = defaultdict(set)
    for _, node, expand in encoding_nodes(reference):
        s = expand(node["@id"])
        expected[s, RDF.type].add(expand(node["@type"]))
        for key, predicate in [("rdfs:label", RDFS.label), ("skos:prefLabel", SKOS.prefLabel)]:
            for tag, text in node.get(key, {}).items():
                expected[s, predicate].add(Literal(text, lang=tag))
        if "vs:term_status" in node:
            expected[s, VS.term_status].add(VS[node["vs:term_status"].split(":")[1]])
        for key, predicate in IRI_KEYS.items():
            expected[s, predicate].update(expand(v) for v in as_list(node.get(key, [])))
    problems = []
    subjects = {s for s, _ in expected}
    for s in sorted(subjects):
        for predicate in [RDF.type, RDFS.label, SKOS.prefLabel, VS.term_status, *IRI_KEYS.values()]:
            want = expected.get((s, predicate), set())
            have = set(graph.objects(s, predicate))
            if want != have:
                problems.append(f"{s} {predicate}: missing {sorted(want - have)[:3]} "
                                f"extra {sorted(have - want)[:3]}")
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:40])


@pytest.mark.reference
def test_every_official_context_term_has_its_value_form(graph, reference):
    problems = []
    for name in CONTEXTS:
        prefixes = official_prefixes(reference, name)
        for key, definition in official_context(reference, name).items():
            if isinstance(definition, str):
                continue
            prefix, _, local = key.partition(":")
            iri = URIRef(normalise(prefixes[prefix] + local))
            if definition == {"@type": "@id"}:
                want = CG.Reference
            elif definition == {"@container": "@language"}:
                want = RDF.langString
            else:
                p, _, l = definition["@type"].partition(":")
                want = URIRef(prefixes[p] + l)
            if set(graph.objects(iri, CG.valueType)) != {want}:
                problems.append(f"{name} {key}: want {want}, have {list(graph.objects(iri, CG.valueType))}")
    assert not problems, "\n".join(problems)


@pytest.mark.reference
def test_ctdl_ttl_is_up_to_date(reference):
    build = load_tool("build_ctdl_ontology")
    assert build.build(reference) == TTL.read_text(encoding="utf-8"), (
        "ontology/ctdl.ttl is stale: run python tools/build_ctdl_ontology.py")


def test_build_fails_with_one_clear_line_without_the_files(tmp_path, capsys):
    build = load_tool("build_ctdl_ontology")
    assert build.main([str(tmp_path / "absent"), "--output", str(tmp_path / "x.ttl")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not found" in err
    assert str(tmp_path / "absent" / "ctdl-schema.jsonld") in err
    assert not (tmp_path / "x.ttl").exists()


# --- generated contexts ---------------------------------------------------------------------

def probe_document(context: dict, official: dict) -> dict:
    """One document using every key of ``official`` (terms and prefixes) in several ways."""
    nodes = []
    for i, (key, definition) in enumerate(sorted(official.items())):
        base = f"https://example.org/probe/{i}"
        if isinstance(definition, str):  # a prefix: as a property and as a type
            nodes.append({"@id": f"{base}/p", f"{key}:someProperty": "text",
                          "@type": f"{key}:SomeClass"})
            continue
        nodes.append({"@id": f"{base}/iri", key: "https://example.org/value"})
        nodes.append({"@id": f"{base}/curie", key: ["ceterms:Certification", "credentialStat:Active"]})
        nodes.append({"@id": f"{base}/text", key: "some text"})
        if definition.get("@container") == "@language":
            nodes.append({"@id": f"{base}/lang", key: {"en-US": "hello", "fr": ["a", "b"]}})
    return {"@context": context, "@graph": nodes}


def normalise_expanded(value):
    """Normalise IRIs in an expanded document: CTDL https, owl: (CTDL-ASN context bug) -> OWL."""
    if isinstance(value, dict):
        return {normalise_expanded(k): normalise_expanded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise_expanded(v) for v in value]
    if isinstance(value, str):
        if value.startswith("owl:"):
            return str(OWL) + value[4:]
        return normalise(value)
    return value


@pytest.mark.reference
@pytest.mark.parametrize("name", ["ctdl", "ctdlasn"])
def test_generated_context_expands_like_the_official_one(name, reference, no_network):
    official = official_context(reference, name)
    generated = load_context(name)
    options = {"documentLoader": refuse_loader}
    want = jsonld.expand(probe_document(official, official), options)
    have = jsonld.expand(probe_document(generated, official), options)
    want = {n["@id"]: n for n in normalise_expanded(want)}
    have = {n["@id"]: n for n in have}
    mismatches = [f"{i}:\n  official  {json.dumps(want.get(i), sort_keys=True)}\n"
                  f"  generated {json.dumps(have.get(i), sort_keys=True)}"
                  for i in sorted(set(want) | set(have)) if want.get(i) != have.get(i)]
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches)
    # same prefixes (http purl.org/ctdl normalised; CTDL-ASN also gets owl) and same terms
    official_keys = set(official) | ({"owl"} if name == "ctdlasn" else set())
    assert set(generated) == official_keys
    for key, value in generated.items():
        if isinstance(value, str):
            assert value == normalise(official.get(key, str(OWL))), key
            assert not value.startswith("http://purl.org/ctdl"), key


def test_generated_files_are_up_to_date():
    generate = load_tool("generate_code")
    outputs = generate.render(TTL)
    assert set(outputs) == {"src/credgraph/contexts/ctdl.jsonld",
                            "src/credgraph/contexts/ctdlasn.jsonld", "src/credgraph/namespaces.py"}
    stale = [rel for rel, text in outputs.items()
             if (ROOT / rel).read_bytes() != text.encode("utf-8")]
    assert not stale, f"stale generated files {stale}: run python tools/generate_code.py"


def test_generate_code_writes_into_another_root(tmp_path):
    generate = load_tool("generate_code")
    assert generate.main(["--root", str(tmp_path)]) == 0
    for rel in ("src/credgraph/contexts/ctdl.jsonld", "src/credgraph/namespaces.py"):
        assert (tmp_path / rel).read_bytes() == (ROOT / rel).read_bytes()


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_generated_context_works_with_rdflib_offline(no_network):
    doc = {
        "@context": "https://credreg.net/ctdl/schema/context/json",
        "@id": "https://credentialengineregistry.org/resources/ce-00000000-0000-4000-8000-000000000000",
        "@type": "ceterms:Certification",
        "ceterms:name": {"en-US": "Example"},
        "ceterms:subjectWebpage": "https://example.org/",
        "ceterms:credentialStatusType": {"@type": "ceterms:CredentialAlignmentObject",
                                         "ceterms:targetNode": "credentialStat:Active"},
    }
    doc["@context"] = resolve_context(doc["@context"])
    g = Graph().parse(data=json.dumps(doc), format="json-ld")
    subject = URIRef(doc["@id"])
    assert (subject, RDF.type, CETERMS.Certification) in g
    assert (subject, CETERMS.subjectWebpage, URIRef("https://example.org/")) in g
    assert (subject, CETERMS.name, Literal("Example", lang="en-US")) in g
    assert (None, CETERMS.targetNode, CREDENTIAL_STAT.Active) in g


# --- offline context resolution ---------------------------------------------------------------

def test_known_context_urls_resolve_offline(no_network):
    assert "https://credreg.net/ctdl/schema/context/json" in CTDL_CONTEXT_URLS
    assert "http://credreg.net/ctdl/schema/context/json" in CTDL_CONTEXT_URLS
    assert "https://credreg.net/ctdlasn/schema/context/json" in CTDLASN_CONTEXT_URLS
    assert "http://credreg.net/ctdlasn/schema/context/json" in CTDLASN_CONTEXT_URLS
    for url in CTDL_CONTEXT_URLS:
        assert resolve_context(url) is load_context("ctdl")
    for url in CTDLASN_CONTEXT_URLS:
        assert resolve_context(url) is load_context("ctdlasn")
    assert load_context("ctdl")["ceterms:subjectWebpage"] == {"@type": "@id"}
    assert load_context("ctdlasn")["ceasn:competencyText"] == {"@container": "@language"}
    assert load_context("ctdlasn")["publicationStatus"].startswith("https://purl.org/ctdlasn/")


def test_unknown_context_url_is_an_error_naming_it(no_network):
    url = "https://example.org/some/context.jsonld"
    with pytest.raises(ContextError) as caught:
        resolve_context(url)
    assert url in str(caught.value) and "--context URL=FILE" in str(caught.value)
    assert caught.value.exit_code == 2
    with pytest.raises(ValueError):
        load_context("schema.org")


def test_contexts_are_read_only():
    ctx = load_context("ctdl")
    with pytest.raises(TypeError):
        ctx["ceterms"] = "https://example.org/"
    with pytest.raises(TypeError):
        ctx["ceterms:name"]["@container"] = "@set"
    with pytest.raises(TypeError):
        ctx.update({})
    mutable = copy.deepcopy(ctx)
    mutable["ceterms:name"]["@container"] = "@set"
    assert type(mutable) is dict and load_context("ctdl")["ceterms:name"] == {"@container": "@language"}
    assert json.loads(json.dumps(ctx)) == ctx


def test_extra_mapping_and_environment(tmp_path, monkeypatch, no_network):
    local = tmp_path / "ctx.jsonld"
    local.write_text(json.dumps({"@context": {"ex": "https://example.org/ns#",
                                              "ex:tags": {"@container": "@set"}}}))
    url = "https://example.org/ctx?version=2"
    assert resolve_context(url, {url: local})["ex"] == "https://example.org/ns#"
    # a user mapping wins over the bundled copy
    official = "https://credreg.net/ctdl/schema/context/json"
    assert "ceterms" not in resolve_context(official, {official: local})
    # environment variable
    monkeypatch.setenv("CREDGRAPH_CONTEXTS", f"{url}={local} ; https://example.org/b=b.json;")
    mapping = context_map_from_env()
    assert mapping == {url: local, "https://example.org/b": Path("b.json")}
    assert resolve_context(url, mapping)["ex:tags"] == {"@container": "@set"}
    monkeypatch.delenv("CREDGRAPH_CONTEXTS")
    assert context_map_from_env() == {}
    with pytest.raises(UsageError) as caught:
        context_map_from_env({"CREDGRAPH_CONTEXTS": "https://example.org/no-file"})
    assert "CREDGRAPH_CONTEXTS" in str(caught.value)


def test_bad_local_context_files_are_clear_errors(tmp_path, no_network):
    url = "https://example.org/ctx"
    missing = tmp_path / "missing.jsonld"
    with pytest.raises(ContextError) as caught:
        resolve_context(url, {url: missing})
    assert str(missing) in str(caught.value)
    broken = tmp_path / "broken.jsonld"
    broken.write_text('{"@context": {"a": }')
    with pytest.raises(ContextError) as caught:
        resolve_context(url, {url: broken})
    assert "line 1 column" in str(caught.value)
    bare = tmp_path / "bare.jsonld"
    bare.write_text('{"ex": "https://example.org/"}')
    with pytest.raises(ContextError, match="@context"):
        resolve_context(url, {url: bare})


# --- namespaces -------------------------------------------------------------------------------

def test_defined_namespaces_are_closed(graph):
    assert CETERMS.Certification == URIRef("https://purl.org/ctdl/terms/Certification")
    with pytest.raises(AttributeError):
        CETERMS.Certificaton  # noqa: B018
    with pytest.raises(AttributeError):
        CEASN.hasChildren  # noqa: B018
    ceterms = {s for s in graph.subjects() if str(s).startswith(str(CETERMS))}
    assert ceterms and all(s in CETERMS for s in ceterms)
    assert CEASN.competencyText == URIRef("https://purl.org/ctdlasn/terms/competencyText")


def test_prefixes():
    for prefix in ("rdf", "rdfs", "owl", "xsd", "skos", "dct", "prov", "schema", "sh", "ceterms",
                   "ceasn", "cg", "meta", "vs", "credentialStat", "audLevel", "deliveryType",
                   "lifeCycle", "logic", "orgType", "agentSector", "publicationStatus"):
        assert prefix in PREFIXES, prefix
    assert PREFIXES["cg"] == str(CG) == "https://w3id.org/credgraph/terms/"
    assert PREFIXES["schema"] == "https://schema.org/"  # as CTDL data spells it
    assert PREFIXES["credentialStat"] == "https://purl.org/ctdl/vocabs/credentialStat/"
    assert all(ns.startswith("https://") for p, ns in PREFIXES.items() if "purl.org/ctdl" in ns)


def test_module_doctests():
    import doctest

    import credgraph.contexts
    import credgraph.namespaces

    for module in (credgraph.contexts, credgraph.namespaces):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0, module.__name__
