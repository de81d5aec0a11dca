"""Generate code and contexts from ``ontology/ctdl.ttl`` (and nothing else).

Writes, relative to the repository root:

* ``src/credgraph/contexts/ctdl.jsonld`` and ``ctdlasn.jsonld``: JSON-LD contexts equivalent to
  the official CTDL / CTDL-ASN contexts (same prefixes and term definitions, IRIs https);
* ``src/credgraph/namespaces.py``: rdflib ``DefinedNamespace`` classes ``CETERMS`` and ``CEASN``,
  plain namespaces for the other prefixes, and the ``PREFIXES`` dict.

Usage (from the repository root)::

    python tools/generate_code.py            # rewrite the generated files
    python tools/generate_code.py --check    # exit 1 if a committed file is stale

Python use::

    >>> outputs = render(ROOT / "ontology" / "ctdl.ttl")       # doctest: +SKIP
    >>> sorted(outputs)                                          # doctest: +SKIP
    ['src/credgraph/contexts/ctdl.jsonld', 'src/credgraph/contexts/ctdlasn.jsonld', 'src/credgraph/namespaces.py']
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS

ROOT = Path(__file__).resolve().parents[1]
CG = "https://w3id.org/credgraph/terms/"
CONTEXT_URLS = {
    "ctdl": "https://credreg.net/ctdl/schema/context/json",
    "ctdlasn": "https://credreg.net/ctdlasn/schema/context/json",
}
CONTEXT_FILES = {name: f"src/credgraph/contexts/{name}.jsonld" for name in CONTEXT_URLS}
NAMESPACES_FILE = "src/credgraph/namespaces.py"

#: Prefixes of the project that do not come from ctdl.ttl (canonical namespace IRIs).
STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "cg": CG,
    "meta": "http://credreg.net/meta/terms/",
    "vs": "http://www.w3.org/2003/06/sw-vocab-status/ns#",
}
#: Context prefixes that go into PREFIXES besides the concept-scheme ones.
CTDL_PREFIXES = ("ceterms", "ceasn", "qdata", "asn")
CONCEPT_NAMESPACES = ("https://purl.org/ctdl/vocabs/", "https://purl.org/ctdlasn/vocabs/")
KIND_NAMES = {
    RDFS.Class: "class",
    RDF.Property: "property",
    SKOS.ConceptScheme: "concept scheme",
    SKOS.Concept: "concept",
}


def context_prefixes(graph: Graph, name: str) -> dict[str, str]:
    """The prefixes ctdl.ttl declares for one official context (``sh:declare``)."""
    node = URIRef(CONTEXT_URLS[name])
    prefixes = {}
    for decl in graph.objects(node, SH.declare):
        prefixes[str(graph.value(decl, SH.prefix))] = str(graph.value(decl, SH.namespace))
    if not prefixes:
        raise SystemExit(f"generate_code: ctdl.ttl declares no prefixes for {node}")
    return prefixes


def value_types(graph: Graph) -> dict[str, str]:
    """{term IRI: cg:valueType IRI} for every term of the official contexts."""
    return {str(s): str(o) for s, o in graph.subject_objects(URIRef(CG + "valueType"))}


def compact(iri: str, prefixes: dict[str, str]) -> str:
    """A CURIE for ``iri`` with the longest matching namespace (or the IRI itself).

    >>> compact("https://purl.org/ctdl/terms/name", {"ceterms": "https://purl.org/ctdl/terms/"})
    'ceterms:name'
    """
    matches = [(len(ns), p) for p, ns in prefixes.items() if iri.startswith(ns) and iri != ns]
    if not matches:
        return iri
    _, prefix = min(matches, key=lambda m: (-m[0], m[1]))  # longest namespace, then a-z
    return f"{prefix}:{iri[len(prefixes[prefix]):]}"


def term_definition(value_type: str, prefixes: dict[str, str]) -> dict[str, str]:
    if value_type == CG + "Reference":
        return {"@type": "@id"}
    if value_type == str(RDF.langString):
        return {"@container": "@language"}
    return {"@type": compact(value_type, prefixes)}


def render_context(graph: Graph, name: str) -> str:
    """The generated JSON-LD context for ``name`` ("ctdl" or "ctdlasn") as text."""
    prefixes = context_prefixes(graph, name)
    context: dict[str, object] = dict(prefixes)
    for iri, value_type in value_types(graph).items():
        key = compact(iri, prefixes)
        if key in context:
            raise SystemExit(f"generate_code: {iri} compacts to {key!r}, which is already used")
        context[key] = term_definition(value_type, prefixes)
    return json.dumps({"@context": context}, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def constant_name(prefix: str) -> str:
    """Python constant for a prefix: ``credentialStat`` -> ``CREDENTIAL_STAT``.

    >>> constant_name("lrEvidence")
    'LR_EVIDENCE'
    """
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", prefix).upper()


def defined_namespace(graph: Graph, class_name: str, namespace: str, doc: str) -> list[str]:
    terms = sorted({str(s)[len(namespace):] for s in graph.subjects()
                    if isinstance(s, URIRef) and str(s).startswith(namespace)
                    and "/" not in str(s)[len(namespace):]})
    plain = [t for t in terms if t.isidentifier() and not keyword.iskeyword(t)]
    extras = [t for t in terms if t not in plain]
    lines = [f"class {class_name}(DefinedNamespace):", f'    """{doc}"""', "",
             f'    _NS = Namespace("{namespace}")', "    _fail = True"]
    if extras:
        lines.append(f"    _extras = {extras!r}")
    lines.append("")
    for term in plain:
        iri = URIRef(namespace + term)
        kinds = sorted(KIND_NAMES[k] for k in graph.objects(iri, RDF.type) if k in KIND_NAMES)
        label = graph.value(iri, RDFS.label) or graph.value(iri, SKOS.prefLabel)
        note = f"{label} ({', '.join(kinds)})" if kinds else "term of the official context only"
        lines.append(f"    {term}: URIRef  # {note}")
    return lines


def render_namespaces(graph: Graph) -> str:
    """The text of ``src/credgraph/namespaces.py``."""
    declared = {}
    for name in CONTEXT_URLS:
        declared.update(context_prefixes(graph, name))
    vocab_prefixes = sorted((p for p, ns in declared.items() if ns.startswith(CONCEPT_NAMESPACES)),
                            key=str.lower)
    prefixes = dict(STANDARD_PREFIXES)
    for prefix in list(CTDL_PREFIXES) + vocab_prefixes:
        prefixes[prefix] = declared[prefix]
    extra_names = {"cg": "CG", "meta": "META", "vs": "VS", "schema": "SCHEMA",
                   "qdata": "QDATA", "asn": "ASN"}
    lines = [
        '"""Namespaces of CTDL, CTDL-ASN and credgraph, for rdflib code, Turtle and SPARQL.',
        "",
        "GENERATED by tools/generate_code.py from ontology/ctdl.ttl -- do not edit by hand.",
        "",
        "``CETERMS`` and ``CEASN`` are closed: every term of the term base is an attribute, and a",
        "misspelt term raises ``AttributeError``. Concept schemes have plain namespaces named after",
        "their prefix (``credentialStat`` -> ``CREDENTIAL_STAT``). ``PREFIXES`` maps each project",
        "prefix to its namespace IRI, for Turtle and SPARQL output.",
        "",
        "``SCHEMA`` is ``https://schema.org/``, the form the CTDL contexts give schema.org terms in",
        "data; the project uses it everywhere (``SCHEMA_HTTPS`` is the same namespace, kept as an alias).",
        "",
        ">>> CETERMS.Certification",
        "rdflib.term.URIRef('https://purl.org/ctdl/terms/Certification')",
        ">>> CETERMS.Certificaton",
        "Traceback (most recent call last):",
        "...",
        "AttributeError: term 'Certificaton' not in namespace 'https://purl.org/ctdl/terms/'",
        ">>> CREDENTIAL_STAT.Active",
        "rdflib.term.URIRef('https://purl.org/ctdl/vocabs/credentialStat/Active')",
        '>>> PREFIXES["ceasn"]',
        "'https://purl.org/ctdlasn/terms/'",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from rdflib import Namespace, URIRef",
        "from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD, DefinedNamespace",
        "",
        "__all__ = [",
    ]
    names = ["CETERMS", "CEASN", "PREFIXES", "SCHEMA_HTTPS"] + sorted(extra_names.values())
    names += [constant_name(p) for p in vocab_prefixes]
    names += ["DCTERMS", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "XSD"]
    lines += [f'    "{n}",' for n in names] + ["]", "", ""]
    lines += defined_namespace(graph, "CETERMS", declared["ceterms"],
                               "CTDL terms (prefix ``ceterms``): classes, properties, concept schemes.")
    lines += ["", ""]
    lines += defined_namespace(graph, "CEASN", declared["ceasn"],
                               "CTDL-ASN terms (prefix ``ceasn``): competency frameworks and more.")
    lines += ["", ""]
    for prefix, const in sorted(extra_names.items(), key=lambda kv: kv[1]):
        lines.append(f'{const} = Namespace("{prefixes[prefix]}")')
    lines.append('SCHEMA_HTTPS = Namespace("https://schema.org/")')
    lines += ["", "# Concept schemes (https://purl.org/ctdl/vocabs/<scheme>/ and the CTDL-ASN ones)"]
    for prefix in vocab_prefixes:
        lines.append(f'{constant_name(prefix)} = Namespace("{prefixes[prefix]}")')
    lines += ["", "#: prefix -> namespace IRI, for Turtle and SPARQL output.",
              "PREFIXES: dict[str, str] = {"]
    lines += [f'    "{p}": "{ns}",' for p, ns in prefixes.items()]
    lines += ["}", ""]
    return "\n".join(lines)


def render(ttl_path: Path) -> dict[str, str]:
    """{path relative to the repository root: generated text} for every generated file."""
    graph = Graph().parse(ttl_path, format="turtle")
    outputs = {CONTEXT_FILES[name]: render_context(graph, name) for name in CONTEXT_URLS}
    outputs[NAMESPACES_FILE] = render_namespaces(graph)
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ontology", type=Path, default=ROOT / "ontology" / "ctdl.ttl")
    parser.add_argument("--root", type=Path, default=ROOT, help="where to write the files")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a generated file is not up to date")
    args = parser.parse_args(argv)
    if not args.ontology.is_file():
        print(f"generate_code: {args.ontology} not found (run tools/build_ctdl_ontology.py)",
              file=sys.stderr)
        return 2
    stale = []
    for rel, text in render(args.ontology).items():
        path = args.root / rel
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {path}", file=sys.stderr)
    if stale:
        print(f"generate_code: out of date: {', '.join(stale)}; rerun tools/generate_code.py",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
