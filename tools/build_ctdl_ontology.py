"""Build ``ontology/ctdl.ttl``, the CTDL + CTDL-ASN term base, from the official encodings.

Reads the four files Credential Engine publishes (schema encodings and JSON-LD contexts of CTDL
and CTDL-ASN) from a local folder, never from the network, and writes a sorted, byte-stable
Turtle file holding facts only: kinds, English labels, domain/range, subclass/subproperty,
inverses, term status, concept schemes and concepts, and each term's *value form* taken from the
official context (``cg:valueType``). Prose (comments, definitions, usage notes) is left out.

Usage (from the repository root)::

    python tools/build_ctdl_ontology.py                      # reads ../shared/reference/ctdl/schema
    python tools/build_ctdl_ontology.py path/to/schema-dir   # or another copy of the four files
    python tools/build_ctdl_ontology.py --check              # exit 1 if ontology/ctdl.ttl is stale

Python use::

    >>> text = build(DEFAULT_SCHEMA_DIR)                      # doctest: +SKIP
    >>> "ceterms:Certification a rdfs:Class" in text          # doctest: +SKIP
    True

How the encodings are read (all CURIEs are expanded with the prefixes of the context the
encoding names, because the official context does not coerce e.g. ``rdfs:subPropertyOf``):

* term IRIs keep the form the official context gives them, except that ``http://purl.org/ctdl``
  is normalised to ``https://purl.org/ctdl`` (DESIGN.md); schema.org terms used *in data*
  (``schema:value``...) therefore stay ``https://schema.org/...`` as the contexts expand them;
* schema.org is ``https://schema.org/`` throughout, as the contexts spell it (so
  ``schema:domainIncludes`` here and ``schema:value`` in registry data share one namespace);
  ``vs:term_status`` uses the canonical ``http://www.w3.org/2003/06/sw-vocab-status/ns#``;
* the official CTDL-ASN context defines ``owl:inverseOf`` & co. without declaring the ``owl``
  prefix, so JSON-LD expands them to the bogus IRI ``owl:inverseOf``; the term base records the
  ``owl`` prefix for that context too (the generated context is fixed, not bug-compatible).
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCHEMA_DIR = ROOT.parent / "shared" / "reference" / "ctdl" / "schema"
DEFAULT_OUTPUT = ROOT / "ontology" / "ctdl.ttl"

#: name -> (encoding file, context file, encoding URL, context URL)
SOURCES = {
    "ctdl": (
        "ctdl-schema.jsonld",
        "ctdl-context.jsonld",
        "https://credreg.net/ctdl/schema/encoding/json",
        "https://credreg.net/ctdl/schema/context/json",
    ),
    "ctdlasn": (
        "ctdlasn-schema.jsonld",
        "ctdlasn-context.jsonld",
        "https://credreg.net/ctdlasn/schema/encoding/json",
        "https://credreg.net/ctdlasn/schema/context/json",
    ),
}

ONTOLOGY_IRI = "https://w3id.org/credgraph/ontology/ctdl"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
SH = "http://www.w3.org/ns/shacl#"
CG = "https://w3id.org/credgraph/terms/"
META = "http://credreg.net/meta/terms/"
VS = "http://www.w3.org/2003/06/sw-vocab-status/ns#"
SCHEMA = "https://schema.org/"  # one schema.org namespace everywhere: the form CTDL data uses

#: Namespaces of the CTDL vocabularies themselves; every other namespace is "external".
CTDL_NAMESPACES = ("https://purl.org/ctdl/", "https://purl.org/ctdlasn/")

#: Encoding keys with IRI values -> the predicate written to the term base.
IRI_KEYS = {
    "schema:domainIncludes": SCHEMA + "domainIncludes",
    "schema:rangeIncludes": SCHEMA + "rangeIncludes",
    "rdfs:subClassOf": RDFS + "subClassOf",
    "rdfs:subPropertyOf": RDFS + "subPropertyOf",
    "owl:inverseOf": OWL + "inverseOf",
    "meta:targetScheme": META + "targetScheme",
    "meta:hasConcept": META + "hasConcept",
    "skos:inScheme": SKOS + "inScheme",
    "skos:broader": SKOS + "broader",
    "skos:hasTopConcept": SKOS + "hasTopConcept",
}
#: Encoding keys holding language maps -> predicate (English value only).
LABEL_KEYS = {"rdfs:label": RDFS + "label", "skos:prefLabel": SKOS + "prefLabel"}
#: Encoding keys deliberately left out, with the reason.
SKIPPED_KEYS = {
    "rdfs:comment": "prose",
    "dct:description": "prose",
    "skos:definition": "prose",
    "vann:usageNote": "prose",
    "meta:changeHistory": "link to a web page of edits",
    "meta:domainFor": "inverse of schema:domainIncludes (a subset of it in these files)",
    "skos:topConceptOf": "inverse of skos:hasTopConcept (identical in these files)",
    "skos:narrower": "inverse of skos:broader",
    "owl:equivalentClass": "mapping to other vocabularies (kept out of OWL-RL inference)",
    "owl:equivalentProperty": "mapping to other vocabularies (kept out of OWL-RL inference)",
    "skos:narrowMatch": "mapping to other vocabularies",
    "skos:relatedMatch": "mapping to other vocabularies",
}
#: Prefixes a context lacks although its own term definitions use them (see module docstring).
MISSING_CONTEXT_PREFIXES = {"ctdlasn": {"owl": OWL}}

KIND_SECTIONS = [
    (RDFS + "Class", "Classes"),
    (RDF + "Property", "Properties"),
    (SKOS + "ConceptScheme", "Concept schemes"),
    (SKOS + "Concept", "Concepts"),
]


class BuildError(Exception):
    """Something in the input files this script does not understand."""


def normalise(iri: str) -> str:
    """Normalise legacy CTDL IRIs to https.

    >>> normalise("http://purl.org/ctdlasn/vocabs/publicationStatus/Draft")
    'https://purl.org/ctdlasn/vocabs/publicationStatus/Draft'
    """
    if iri.startswith("http://purl.org/ctdl"):
        return "https://" + iri[len("http://") :]
    return iri


def expand(curie: str, prefixes: dict[str, str]) -> str:
    """Expand a CURIE (or keep an absolute IRI) with a context's prefixes.

    >>> expand("ceterms:Badge", {"ceterms": "https://purl.org/ctdl/terms/"})
    'https://purl.org/ctdl/terms/Badge'
    """
    prefix, sep, local = curie.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        return normalise(prefixes[prefix] + local)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", curie):
        return normalise(curie)
    raise BuildError(f"cannot expand {curie!r}: prefix {prefix!r} is not declared in the context")


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise BuildError(f"{path} line {err.lineno} column {err.colno}: {err.msg}") from None


def read_context(name: str, path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(prefixes, {term IRI: value type IRI}) of one official context."""
    ctx = read_json(path)["@context"]
    prefixes = {k: normalise(v) for k, v in ctx.items() if isinstance(v, str)}
    prefixes.update(MISSING_CONTEXT_PREFIXES.get(name, {}))
    value_types = {}
    for key, definition in ctx.items():
        if isinstance(definition, str):
            continue
        if definition == {"@type": "@id"}:
            value_type = CG + "Reference"
        elif definition == {"@container": "@language"}:
            value_type = RDF + "langString"
        elif set(definition) == {"@type"}:
            value_type = expand(definition["@type"], prefixes)
        else:
            raise BuildError(f"{path.name}: term {key!r} has a definition this script does not "
                             f"understand: {json.dumps(definition)}")
        value_types[expand(key, prefixes)] = value_type
    return prefixes, value_types


def english(lang_map: dict, where: str) -> tuple[str, str] | None:
    """The English (text, language tag) of a language map, or None."""
    tags = sorted(t for t in lang_map if t.lower() == "en" or t.lower().startswith("en-"))
    if len(tags) > 1:
        raise BuildError(f"{where}: more than one English label {tags}")
    return (lang_map[tags[0]], tags[0]) if tags else None


def vocabulary_of(iri: str, prefixes: dict[str, str]) -> str:
    """The declared namespace an IRI belongs to (longest match)."""
    matches = [ns for ns in prefixes.values() if iri.startswith(ns) and len(iri) > len(ns)]
    if not matches:
        raise BuildError(f"no declared namespace for {iri}")
    return max(matches, key=len)


def collect(schema_dir: Path):
    """Read the four files; return (facts, prefixes per context, sha256 per file)."""
    facts: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    context_prefixes: dict[str, dict[str, str]] = {}
    digests: dict[str, str] = {}
    value_types_seen: dict[str, dict[str, str]] = {}
    for name, (schema_file, context_file, _, context_url) in SOURCES.items():
        for file in (schema_file, context_file):
            path = schema_dir / file
            if not path.is_file():
                raise FileNotFoundError(errno.ENOENT, "not found", str(path))
            digests[file] = hashlib.sha256(path.read_bytes()).hexdigest()
        prefixes, value_types = read_context(name, schema_dir / context_file)
        context_prefixes[name] = prefixes
        value_types_seen[name] = value_types
        encoding = read_json(schema_dir / schema_file)
        if encoding.get("@context") != context_url:
            raise BuildError(f"{schema_file}: expected @context {context_url}, "
                             f"found {encoding.get('@context')!r}")
        for node in encoding["@graph"]:
            iri = expand(node["@id"], prefixes)
            where = f"{schema_file} {node['@id']}"
            term = facts[iri]
            for key, value in node.items():
                if key == "@id" or key in SKIPPED_KEYS:
                    continue
                if key == "@type":
                    term[RDF + "type"].update(("iri", expand(t, prefixes)) for t in as_list(value))
                elif key in IRI_KEYS:
                    term[IRI_KEYS[key]].update(("iri", expand(v, prefixes)) for v in as_list(value))
                elif key in LABEL_KEYS:
                    label = english(value, where)
                    if label:
                        term[LABEL_KEYS[key]].add(("lang",) + label)
                elif key == "vs:term_status":
                    status = expand(value, prefixes).rsplit("#", 1)[1]
                    term[VS + "term_status"].add(("iri", VS + status))
                else:
                    raise BuildError(f"{where}: key {key!r} is neither used nor skipped by this "
                                     f"script; decide what it means and add it")
            if not iri.startswith(CTDL_NAMESPACES):
                term[RDFS + "isDefinedBy"].add(("iri", vocabulary_of(iri, prefixes)))
    # Both official contexts define the same terms; they differ only in prefixes.
    if value_types_seen["ctdl"] != value_types_seen["ctdlasn"]:
        diff = set(value_types_seen["ctdl"].items()) ^ set(value_types_seen["ctdlasn"].items())
        raise BuildError(f"the two contexts define different terms: {sorted(diff)[:5]}; "
                         f"ctdl.ttl records one set of term definitions for both")
    for iri, value_type in value_types_seen["ctdl"].items():
        facts[iri][CG + "valueType"].add(("iri", value_type))
        if not iri.startswith(CTDL_NAMESPACES):
            vocab = vocabulary_of(iri, context_prefixes["ctdl"])
            facts[iri][RDFS + "isDefinedBy"].add(("iri", vocab))
    return facts, context_prefixes, digests


# --- Turtle output -------------------------------------------------------------------------

def turtle_prefixes(context_prefixes: dict[str, dict[str, str]]) -> dict[str, str]:
    """Prefixes used to write ctdl.ttl: the canonical ones, then the contexts' where they agree."""
    canonical = {"rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dct": DCT,
                 "sh": SH, "cg": CG, "meta": META, "vs": VS, "schema": SCHEMA}
    merged = dict(canonical)
    for prefixes in context_prefixes.values():
        for prefix, ns in prefixes.items():
            merged.setdefault(prefix, ns)
    return dict(sorted(merged.items(), key=lambda kv: kv[0].lower()))


LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def iri_text(iri: str, prefixes: dict[str, str]) -> str:
    best = None
    for prefix, ns in prefixes.items():
        local = iri[len(ns):]
        if iri.startswith(ns) and LOCAL_NAME.match(local) and (best is None or len(ns) > best[1]):
            best = (f"{prefix}:{local}", len(ns))
    return best[0] if best else f"<{iri}>"


def literal_text(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def object_text(obj: tuple, prefixes: dict[str, str]) -> str:
    if obj[0] == "iri":
        return iri_text(obj[1], prefixes)
    return f"{literal_text(obj[1])}@{obj[2]}"


PREDICATE_ORDER = [RDF + "type", RDFS + "label", SKOS + "prefLabel"]


def node_text(subject: str, predicates: dict[str, set], prefixes: dict[str, str]) -> str:
    def order(p: str):
        return (PREDICATE_ORDER.index(p) if p in PREDICATE_ORDER else len(PREDICATE_ORDER),
                iri_text(p, prefixes))

    lines = []
    for predicate in sorted(predicates, key=order):
        objects = sorted(object_text(o, prefixes) for o in predicates[predicate])
        name = "a" if predicate == RDF + "type" else iri_text(predicate, prefixes)
        lines.append(f"    {name} {', '.join(objects)}")
    head = iri_text(subject, prefixes)
    return head + "\n" + " ;\n".join(lines) + " .\n"


def declarations(prefixes: dict[str, str], indent: str) -> str:
    items = [f'[ sh:prefix "{p}" ; sh:namespace "{ns}"^^xsd:anyURI ]'
             for p, ns in sorted(prefixes.items(), key=lambda kv: kv[0].lower())]
    return (",\n" + indent).join(items)


def build(schema_dir: Path) -> str:
    """The text of ctdl.ttl built from the four official files in ``schema_dir``."""
    facts, context_prefixes, digests = collect(schema_dir)
    prefixes = turtle_prefixes(context_prefixes)
    out = [
        "# CTDL and CTDL-ASN term base: FACTS ONLY (no definitions or comments).",
        "# GENERATED by tools/build_ctdl_ontology.py -- do not edit by hand; rerun the script.",
        "# Sources (Credential Engine, https://credreg.net; licence CC BY 4.0, Credential Engine):",
    ]
    for name, (schema_file, context_file, schema_url, context_url) in SOURCES.items():
        out.append(f"#   {schema_file}  sha256 {digests[schema_file]}  ({schema_url})")
        out.append(f"#   {context_file}  sha256 {digests[context_file]}  ({context_url})")
    out += [
        "# Conventions:",
        "#   - term IRIs as the official contexts expand them, http://purl.org/ctdl... made https;",
        "#     schema.org terms used in CTDL data keep the contexts' https://schema.org/ form;",
        "#   - schema.org is https://schema.org/ throughout (as in CTDL data); vs:term_status uses",
        "#     http://www.w3.org/2003/06/sw-vocab-status/ns# (the contexts spell it with https);",
        "#   - cg:valueType = how the official context writes the value: cg:Reference (@type @id),",
        "#     rdf:langString (@container @language) or a datatype; every IRI with a cg:valueType",
        "#     is a term definition of both official contexts (they define the same terms);",
        "#   - the prefixes of each context are its sh:declare values; the CTDL-ASN context gets the",
        "#     owl prefix its own owl: terms need but the official file lacks;",
        "#   - rdfs:isDefinedBy marks terms of other vocabularies (schema.org, SKOS, qdata, ...).",
        "",
    ]
    out += [f"@prefix {p}: <{ns}> ." for p, ns in prefixes.items()]
    out.append("")

    out.append(iri_text(ONTOLOGY_IRI, prefixes))
    sources = sorted(f"<{s[i]}>" for s in SOURCES.values() for i in (2, 3))
    out += [
        "    a owl:Ontology ;",
        '    dct:title "CTDL and CTDL-ASN term base (facts from the official encodings)"@en ;',
        "    dct:source " + ", ".join(sources) + " ;",
        f"    dct:license <{LICENSE}> ;",
        '    dct:rightsHolder "Credential Engine" .',
        "",
    ]
    for name, (_, _, _, context_url) in SOURCES.items():
        out += [
            f"<{context_url}>",
            f'    dct:title "Official {"CTDL" if name == "ctdl" else "CTDL-ASN"} JSON-LD context"@en ;',
            "    sh:declare " + declarations(context_prefixes[name], "        ") + " .",
            "",
        ]

    def kind(iri: str) -> str | None:
        kinds = {o[1] for o in facts[iri].get(RDF + "type", set())}
        for k, _ in KIND_SECTIONS:
            if k in kinds:
                return k
        return None

    for kind_iri, title in KIND_SECTIONS + [(None, "Terms of the official contexts only")]:
        members = sorted(iri for iri in facts if kind(iri) == kind_iri)
        out.append(f"# ---- {title} ({len(members)}) ----")
        out.append("")
        for iri in members:
            out.append(node_text(iri, facts[iri], prefixes))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("schema_dir", nargs="?", type=Path, default=DEFAULT_SCHEMA_DIR,
                        help="folder holding ctdl-schema.jsonld, ctdl-context.jsonld, "
                             "ctdlasn-schema.jsonld, ctdlasn-context.jsonld")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the output file is not up to date")
    args = parser.parse_args(argv)
    try:
        text = build(args.schema_dir)
    except FileNotFoundError as err:
        print(f"build_ctdl_ontology: {err.filename} not found (pass the folder holding the four "
              f"official CTDL files as the first argument)", file=sys.stderr)
        return 2
    except BuildError as err:
        print(f"build_ctdl_ontology: {err}", file=sys.stderr)
        return 2
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else None
        if current != text:
            print(f"build_ctdl_ontology: {args.output} is out of date; rerun the script",
                  file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
