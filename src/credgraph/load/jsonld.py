"""JSON-LD input: plain documents, arrays, ``@graph`` documents, registry graph documents and
registry envelopes, with every context resolved offline.

A registry graph document puts ``@id`` beside ``@graph``: that is a JSON-LD *named graph*, and
its triples land in the graph with that IRI. An envelope's ``decoded_resource`` is such a
document; the envelope's CTID, CTDL type, id and dates are kept as provenance of its graph.

Known contexts (the CTDL and CTDL-ASN contexts, https and legacy http) are replaced by a
*minimal* copy of the project's generated context holding only the terms the document uses, which
keeps pyoxigraph's JSON-LD processing fast; any other remote context is refused with a
:class:`ContextError` naming it, unless the user maps it to a local file.

>>> raw = read_bytes(b'{"@context": "https://credreg.net/ctdl/schema/context/json",'
...                  b' "@id": "https://example.org/c", "@type": "ceterms:Certificate",'
...                  b' "ceterms:name": {"en-US": "A"}}', origin="c.json")
>>> parsed = parse_jsonld(raw)
>>> len(parsed.quads), parsed.quads[1].object
(2, <Literal value=A language=en-us>)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from credgraph import contexts, ids
from credgraph.errors import ContextError, InputError
from credgraph.load.rdf import normalise_quad, syntax_error
from credgraph.load.reading import RawInput, line_column, read_bytes  # noqa: F401

CG = ids.CG
XSD = "http://www.w3.org/2001/XMLSchema#"
KNOWN = {url: "ctdl" for url in contexts.CTDL_CONTEXT_URLS} | \
        {url: "ctdlasn" for url in contexts.CTDLASN_CONTEXT_URLS}


@dataclass
class ParsedJson:
    """What a JSON input yields: quads, per-graph provenance, and warnings worth showing."""

    quads: list[ox.Quad]
    graph_info: dict[str, dict[str, ox.Literal | ox.NamedNode]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    kind: str = "jsonld"  # "jsonld", "registry-graph" or "registry-envelope"


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _collecting(keys: set[str], pairs: list[tuple[str, Any]]) -> dict:
    obj = _no_duplicates(pairs)
    keys.update(obj)
    return obj


def load_json(raw: RawInput, keys: set[str] | None = None) -> Any:
    """Parse JSON, with line and column for syntax errors and refusal of duplicate keys
    (``keys``, when given, collects every object key met)."""
    text = raw.text.decode("utf-8")
    hook = _no_duplicates if keys is None else partial(_collecting, keys)
    try:
        obj = json.loads(text, object_pairs_hook=hook, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", where=f"{raw.origin} line {exc.lineno} column {exc.colno}",
                         fix="correct the JSON syntax there (a JSON linter shows the exact spot)") from None
    except _DuplicateKey as exc:
        key = str(exc)
        offset = _second_occurrence(raw.text, key)
        where = raw.origin
        if offset is not None:
            line, col = line_column(raw.text, offset)
            where = f"{raw.origin} line {line} column {col}"
        raise InputError(f"duplicate key {key!r} in one JSON object (which value is meant is ambiguous)",
                         where=where, fix="keep one of the two values") from None
    except InputError as exc:  # from parse_constant (NaN, Infinity)
        exc.where = raw.origin
        raise
    except RecursionError:
        raise InputError("JSON nested too deeply to read", where=raw.origin,
                         fix="flatten the document (registry documents nest a few levels only)") from None
    deep = _too_deep(obj)
    if deep is not None:
        raise InputError(f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)",
                         where=f"{raw.origin} at {deep}",
                         fix="flatten the document (registry documents nest a few levels only)")
    return obj


MAX_JSON_DEPTH = 100
"""Deepest JSON nesting read (registry documents nest about six levels; pyoxigraph's JSON-LD
parser overflows its stack on documents a few thousand levels deep)."""


def _too_deep(obj: Any, limit: int = MAX_JSON_DEPTH) -> str | None:
    """JSON pointer of the first value nested deeper than ``limit``, or ``None``.

    >>> _too_deep({"a": [{"b": 1}]}, limit=2)
    '/a/0'
    >>> _too_deep({"a": [1]}, limit=2) is None
    True
    """
    if _within_depth(obj, limit - 1):  # the common case, without building pointers
        return None
    stack: list[tuple[Any, int, tuple]] = [(obj, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, dict):
            children = node.items()
        elif isinstance(node, list):
            children = enumerate(node)
        else:
            continue
        for key, child in children:
            if isinstance(child, (dict, list)):
                if depth >= limit:
                    return _pointer(path + (key,))
                stack.append((child, depth + 1, path + (key,)))
    return None


def _within_depth(node: Any, room: int) -> bool:
    """Whether no container nests more than ``room`` levels below ``node`` (a quick yes/no;
    :func:`_too_deep` finds where when the answer is no).

    >>> _within_depth({"a": [{"b": 1}]}, 1), _within_depth({"a": [{"b": 1}]}, 2)
    (False, True)
    """
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        if isinstance(child, (dict, list)) and (room <= 0 or not _within_depth(child, room - 1)):
            return False
    return True


def _pointer(path: tuple) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _refuse_constant(name: str):
    raise InputError(f"{name} is not a JSON number", fix="write numbers as finite decimals")


def _second_occurrence(text: bytes, key: str) -> int | None:
    needle = json.dumps(key).encode()
    first = text.find(needle)
    second = text.find(needle, first + 1) if first >= 0 else -1
    return second if second >= 0 else None


def is_envelope(obj: Any) -> bool:
    return isinstance(obj, dict) and "decoded_resource" in obj


def _envelope_info(env: dict, pointer: str, origin: str) -> dict[str, ox.Literal | ox.NamedNode]:
    info: dict[str, ox.Literal | ox.NamedNode] = {}
    for key, prop in (("envelope_ceterms_ctid", "envelopeCtid"), ("envelope_ctdl_type", "envelopeType"),
                      ("envelope_id", "envelopeId"), ("envelope_community", "envelopeCommunity")):
        if isinstance(env.get(key), str):
            info[CG + prop] = ox.Literal(env[key])
    headers = env.get("node_headers") if isinstance(env.get("node_headers"), dict) else {}
    for key, prop in (("created_at", "http://purl.org/dc/terms/created"),
                      ("updated_at", "http://purl.org/dc/terms/modified")):
        if isinstance(headers.get(key), str):
            info[prop] = ox.Literal(headers[key])
    return info


def _unwrap(obj: Any, origin: str) -> list[tuple[str, Any, dict]]:
    """Split an input into JSON-LD documents: (pointer, document, envelope provenance)."""
    if is_envelope(obj):
        return [("/decoded_resource", _decoded(obj, "", origin), _envelope_info(obj, "", origin))]
    if isinstance(obj, list) and obj and all(is_envelope(e) for e in obj):
        return [(f"/{i}/decoded_resource", _decoded(e, f"/{i}", origin), _envelope_info(e, f"/{i}", origin))
                for i, e in enumerate(obj)]
    if isinstance(obj, list) and any(is_envelope(e) for e in obj):
        i = next(i for i, e in enumerate(obj) if not is_envelope(e))
        raise InputError("an array mixing registry envelopes and other JSON", where=f"{origin} at /{i}",
                         fix="put envelopes and plain JSON-LD documents in separate files")
    if not isinstance(obj, (dict, list)):
        raise InputError(f"a JSON {type(obj).__name__} is not a JSON-LD document", where=origin,
                         fix="a JSON-LD document is an object or an array of objects")
    return [("", obj, {})]


def _decoded(env: dict, pointer: str, origin: str) -> Any:
    decoded = env["decoded_resource"]
    if isinstance(decoded, str):  # some exports keep it as a JSON string
        try:
            decoded = json.loads(decoded)
        except json.JSONDecodeError as exc:
            raise InputError(f"decoded_resource is a string that is not JSON ({exc.msg})",
                             where=f"{origin} at {pointer}/decoded_resource") from None
    if not isinstance(decoded, dict):
        raise InputError("decoded_resource is not a JSON object", where=f"{origin} at {pointer}/decoded_resource",
                         fix="an envelope's decoded_resource holds the registry graph document")
    return decoded


class _Prepared:
    """A document with its contexts resolved; collects the keys the document uses."""

    def __init__(self, extra: Mapping[str, Path] | None, origin: str):
        self.extra = extra or {}
        self.origin = origin
        self.keys: set[str] = set()
        self.known: set[str] = set()  # names of known contexts in use ("ctdl", "ctdlasn")
        self.other = False  # some context is inline or user-mapped: keys cannot be checked

    def context(self, value: Any, pointer: str) -> Any:
        if isinstance(value, str):
            name = KNOWN.get(value.rstrip("/")) or KNOWN.get(value)
            if name:
                self.known.add(name)
                return {"@__known__": name}
            self.other = True
            try:
                return contexts.resolve_context(value, self.extra)
            except ContextError as exc:
                exc.where = f"{self.origin} at {pointer}"
                raise
        if isinstance(value, list):
            return [self.context(v, f"{pointer}/{i}") for i, v in enumerate(value)]
        self.other = True
        if isinstance(value, dict) and isinstance(value.get("@import"), str):
            imported = self.context(value["@import"], f"{pointer}/@import")
            rest = {k: v for k, v in value.items() if k != "@import"}
            return [imported, rest]
        return value

    def walk(self, node: Any, pointer: str) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                here = f"{pointer}/{_escape(key)}"
                if key == "@context":
                    out[key] = self.context(value, here)
                    continue
                self.keys.add(key)
                out[key] = self.walk(value, here)
            return out
        if isinstance(node, list):
            return [self.walk(v, f"{pointer}/{i}") for i, v in enumerate(node)]
        return node

    def finish(self, node: Any) -> Any:
        """Replace the known-context markers by minimal contexts for the keys used."""
        if isinstance(node, dict):
            return {k: (self._materialise(v) if k == "@context" else self.finish(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [self.finish(v) for v in node]
        return node

    def _materialise(self, value: Any) -> Any:
        if isinstance(value, dict) and "@__known__" in value:
            return minimal_context(value["@__known__"], frozenset(self.keys))
        if isinstance(value, list):
            return [self._materialise(v) for v in value]
        return value


_BAD_IRI_CHARS = re.compile(r'[\s<>"{}|\\^`]')


def _delete(node: Any, pointer: str) -> None:
    """Remove the member a JSON pointer names."""
    *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node.pop(last, None)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


@lru_cache(maxsize=256)
def minimal_context(name: str, keys: frozenset[str]) -> dict:
    """The known context cut down to its prefixes and the terms among ``keys``."""
    full = contexts.load_context(name)
    return {k: v for k, v in full.items() if isinstance(v, str) or k in keys or k.startswith("@")}


@lru_cache(maxsize=8)
def _vocabulary(name: str) -> tuple[frozenset[str], frozenset[str], dict[str, frozenset[str]]]:
    """A known context's term names, prefix names, and the prefixes each term definition uses."""
    full = contexts.load_context(name)
    prefixes = frozenset(k for k, v in full.items() if isinstance(v, str) and not k.startswith("@"))
    uses = {}
    for k, v in full.items():
        if isinstance(v, dict):
            found = {x.split(":", 1)[0] for x in v.values() if isinstance(x, str) and ":" in x}
            if found:
                uses[k] = frozenset(found)
    return frozenset(full), prefixes, uses


@lru_cache(maxsize=4096)
def _tight_context_json(name: str, terms: frozenset[str], prefixes: frozenset[str]) -> str:
    """The known context cut down to ``terms`` and ``prefixes`` (plus what their definitions
    use), as JSON text: the smallest context that expands a document exactly as the full one."""
    full = contexts.load_context(name)
    _, _, uses = _vocabulary(name)
    needed = set(prefixes)
    for term in terms:
        needed |= uses.get(term, frozenset())
    ctx = {k: v for k, v in full.items() if k.startswith("@") or k in terms or k in needed}
    return json.dumps(ctx, ensure_ascii=False)


@lru_cache(maxsize=8)
def _terms(names: frozenset[str]) -> dict[str, Any]:
    terms: dict[str, Any] = {}
    for name in sorted(names):
        terms.update(contexts.load_context(name))
    return terms


def _unmapped_keys(doc: Any, context_names: set[str], pointer: str = "") -> list[str]:
    """Keys JSON-LD would silently drop: not keywords, not terms, not CURIEs, not IRIs.

    Only meaningful for documents whose contexts are all known ones (the caller checks).
    """
    terms = _terms(frozenset(context_names))
    found: list[str] = []

    def expands(key: str) -> bool:
        if key in terms or key.startswith("@"):
            return True
        prefix, sep, rest = key.partition(":")
        if not sep or _BAD_IRI_CHARS.search(key):
            return False
        return prefix in terms or rest.startswith("//") or prefix in ("urn", "_")

    def visit(node: Any, here: str) -> None:
        if isinstance(node, list):
            for i, v in enumerate(node):
                visit(v, f"{here}/{i}")
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            path = f"{here}/{_escape(key)}"
            if key == "@context":
                continue
            if not expands(key):
                found.append(path)
                continue
            definition = terms.get(key)
            if isinstance(definition, dict) and definition.get("@container") == "@language":
                continue  # a language map: its keys are language tags
            visit(value, path)

    visit(doc, pointer)
    return found


_CONTEXT_KEY = b'"@context"'
_TOP_CONTEXT = re.compile(rb'"@context"\s*:\s*"[^"\\]*"')


def _single_known_context(raw: RawInput, doc: Any) -> str | None:
    """The known context's name when it is the document's only context, given as a URL string at
    its top (the shape of every registry document); ``None`` sends the document the general way."""
    if not isinstance(doc, dict):
        return None
    value = doc.get("@context")
    if not isinstance(value, str):
        return None
    name = KNOWN.get(value.rstrip("/")) or KNOWN.get(value)
    if name is None or raw.text.count(_CONTEXT_KEY) != 1:
        return None
    return name


_PREFIXED = re.compile(rb'"([A-Za-z_][A-Za-z0-9_.\-]*):')
_DROP, _DESCEND, _TEXT = 0, 1, 2


@lru_cache(maxsize=8)
def _actions(name: str) -> dict[str, int]:
    """Per key, under a known context: drop it (JSON-LD would), descend into its value, or skip
    its value (a language map). Filled as keys are met; keys repeat across documents."""
    return {}


def _action(actions: dict[str, int], terms: dict[str, Any], key: str) -> int:
    if key.startswith("@"):
        return _DESCEND
    definition = terms.get(key)
    if definition is None:
        prefix, sep, rest = key.partition(":")
        if not sep or _BAD_IRI_CHARS.search(key):
            return _DROP
        if not (prefix in terms or rest.startswith("//") or prefix in ("urn", "_")):
            return _DROP
    if isinstance(definition, dict) and definition.get("@container") == "@language":
        return _TEXT
    return _DESCEND


def _has_unmapped_keys(doc: dict, name: str) -> bool:
    """Whether some key of ``doc`` would be dropped by JSON-LD (see :func:`_unmapped_keys`, which
    then says where); one cheap pass, descending only into objects and arrays."""
    terms = _terms(frozenset([name]))
    actions = _actions(name)

    def visit(node: dict) -> bool:
        for key, value in node.items():
            action = actions.get(key)
            if action is None:
                action = actions[key] = _action(actions, terms, key)
            if action == _DESCEND and key != "@context":
                if type(value) is dict:
                    if visit(value):
                        return True
                elif type(value) is list and visit_list(value):
                    return True
            elif action == _DROP:
                return True
        return False

    def visit_list(items: list) -> bool:
        for value in items:
            if type(value) is dict:
                if visit(value):
                    return True
            elif type(value) is list and visit_list(value):
                return True
        return False

    return visit(doc)


def _text_prefixes(text: bytes) -> set[str] | None:
    """Every ``prefix:`` a JSON string of ``text`` starts with; ``None`` when escapes make that
    unreliable (then every prefix is kept). A superset is harmless."""
    if b"\\u" in text:
        return None
    return {m.decode() for m in _PREFIXED.findall(text)}


def _fast_text(raw: RawInput, doc: dict, keys: set[str], name: str, pointer: str,
               whole: bool) -> tuple[bytes | str, list[str]]:
    """The JSON-LD text to parse, with the known context replaced by the tightest equivalent one
    for ``keys`` (every key of the input), and the keys JSON-LD would drop removed (``whole``:
    the document is the whole input, so its text is reused as it is)."""
    all_terms, all_prefixes, _ = _vocabulary(name)
    prefixes = _text_prefixes(raw.text)
    used_prefixes = all_prefixes if prefixes is None else prefixes & all_prefixes
    context = _tight_context_json(name, frozenset(keys & all_terms), frozenset(used_prefixes))
    dropped = _unmapped_keys(doc, {name}, pointer) if _has_unmapped_keys(doc, name) else []
    if whole and not dropped:
        text, n = _TOP_CONTEXT.subn(lambda _: b'"@context":' + context.encode(), raw.text, count=1)
        if n == 1:
            return text, dropped
    resolved = dict(doc)
    resolved["@context"] = "__context__"
    for path in reversed(dropped):
        _delete(resolved, path[len(pointer):])
    text = json.dumps(resolved, ensure_ascii=False).replace('"@context": "__context__"', '"@context": ' + context, 1)
    return text, dropped


def parse_jsonld(raw: RawInput, context_map: Mapping[str, Path] | None = None) -> ParsedJson:
    """Quads of a JSON-LD input (plain, registry graph document, envelope, or arrays of them)."""
    keys: set[str] = set()
    obj = load_json(raw, keys)
    documents = _unwrap(obj, raw.origin)
    kind = "registry-envelope" if documents[0][2] or is_envelope(obj) else "jsonld"
    result = ParsedJson([], kind=kind)
    base = raw.uri
    for pointer, doc, provenance in documents:
        name = _single_known_context(raw, doc)
        if name is not None:  # the registry's shape: one pass, the input text reused
            text, dropped = _fast_text(raw, doc, keys, name, pointer, whole=doc is obj)
        else:
            prepared = _Prepared(context_map, raw.origin)
            resolved = prepared.finish(prepared.walk(doc, pointer))
            # Keys that expand to no IRI are dropped by JSON-LD with everything under them; drop
            # them here too (pyoxigraph would still emit the types of nodes below them) and say so.
            dropped = [] if prepared.other or not prepared.known else _unmapped_keys(doc, prepared.known, pointer)
            for path in reversed(dropped):
                _delete(resolved, path[len(pointer):])
            text = None
        if kind == "jsonld" and isinstance(doc, dict) and "@graph" in doc and "@id" in doc:
            result.kind = "registry-graph"
        try:
            if text is None:
                text = json.dumps(resolved, ensure_ascii=False)
            quads = list(ox.parse(text, ox.RdfFormat.JSON_LD, base_iri=base, rename_blank_nodes=True))
        except SyntaxError as exc:
            message = str(exc)
            if "LoadDocumentCallback" in message:
                raise ContextError("the document loads a remote context credgraph does not know",
                                   where=f"{raw.origin} at {pointer or '/'}",
                                   fix="map it to a local file with --context URL=FILE") from None
            err = syntax_error(exc, raw.origin, "jsonld")
            err.where = f"{raw.origin} at {pointer or '/'}"
            raise err from None
        except (ValueError, RecursionError) as exc:
            raise InputError(f"not valid JSON-LD: {exc}", where=f"{raw.origin} at {pointer or '/'}",
                             fix="check the document against the JSON-LD 1.1 syntax") from None
        if raw.legacy:
            quads = [normalise_quad(q) for q in quads]
        if not quads:
            raise InputError("this JSON yields no RDF statements (no @context, or nothing mapped to IRIs)",
                             where=f"{raw.origin} at {pointer or '/'}",
                             fix='add "@context": "https://credreg.net/ctdl/schema/context/json" '
                                 "or use full IRIs as keys")
        if dropped:
            more = f" and {len(dropped) - 3} more" if len(dropped) > 3 else ""
            result.warnings.append(f"{raw.origin}: {len(dropped)} key(s) not in the context were ignored "
                                   f"by JSON-LD, e.g. {', '.join(dropped[:3])}{more}")
        graph = doc.get("@id") if isinstance(doc, dict) and "@graph" in doc else None
        if provenance:
            target = ids.normalise_iri(graph) if isinstance(graph, str) else None
            key = target if target else "__default__"
            result.graph_info[key] = provenance
        result.quads.extend(quads)
    return result
