"""The canned query catalog: one ``.rq`` file per question under ``queries/``, with typed parameters.

Each catalog query starts with a comment header::

    # title: Credentials that stack into a credential
    # description: What a learner can bring into TARGET, ...
    #   (indented comment lines continue the field above)
    # param: target (ctid) — the credential stacked into (a CTID or the resource IRI)
    # param: unit (iri) [default: creditUnit:SemesterHour] — credit unit to total
    # param: state (literal) [optional] — only credentials available in this state
    # column: credential — a credential that stacks into the target
    # research: 5, 6

Parameter types: ``iri`` (an IRI, a prefixed name such as ``ceterms:Certification`` or a CTID),
``ctid`` (a registry resource given by CTID or IRI; a CTID is resolved to the resource that
carries it as ``ceterms:ctid``), ``literal``, ``integer``, ``decimal``, ``boolean``, ``date``
(``YYYY-MM-DD``) and ``language`` (a BCP 47 tag). ``iri list`` / ``ctid list`` take several values;
they are bound as ONE literal holding each IRI in angle brackets, separated by spaces, so a query
tests membership with ``CONTAINS(?list, CONCAT("<", STR(?x), ">"))``.

Values are bound as RDF terms, never pasted into the query as text: as a ``VALUES`` block whose
terms pyoxigraph writes in N-Triples syntax (escaped, so a value can only ever be one term), on
a remote endpoint and -- by default -- on the embedded store too; ``EmbeddedTarget(store,
binding="substitutions")`` binds through pyoxigraph's ``substitutions`` argument (SEP-0007)
instead, with the same answers (the manifest tests run both). Every parameter is in its query's
SELECT projection (SEP-0007 requires it; each row then also says which values produced it).

The block goes at the start of the query's WHERE group and of every sub-SELECT that projects a
parameter, which is where SEP-0007 binds; a *trailing* VALUES clause would be joined after GROUP
BY and HAVING (SPARQL 1.1, section 18.2.4) and could not parameterise an aggregate or a FILTER.
VALUES is the embedded default because Oxigraph's optimizer plans around a VALUES block (it
starts from the bound resource) but not around substituted variables: on a 10,000-credential
store the parameterised queries (stacks, ladders, pathways, competencies) answer in
milliseconds with VALUES and took seconds to minutes with substitutions. For the same reason the
parameterised queries are written as sub-SELECTs that each start again from the parameter.

>>> q = get_query("ecosystem/topic-definitions")
>>> q.title
'Definitions of a topic by source organization'
>>> [p.signature for p in q.params]
['topic (iri)']
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from credgraph.errors import QueryError, UsageError

XSD = "http://www.w3.org/2001/XMLSchema#"
CTID_PROPERTY = "https://purl.org/ctdl/terms/ctid"
PARAM_TYPES = ("iri", "ctid", "literal", "integer", "decimal", "boolean", "date", "language")
LIST_TYPES = ("iri", "ctid")
HEADER_KEYS = ("title", "description", "param", "column", "research")

_KEY_LINE = re.compile(r"^#\s*(?P<key>[a-z]+):\s*(?P<value>.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+\((?P<type>[a-z]+)(?P<list>\s+list)?\)\s*"
    r"(?:\[default:\s*(?P<default>[^\]]*?)\s*\]\s*)?(?P<optional>\[optional\]\s*)?"
    r"(?:—|--|-)\s*(?P<meaning>.+)$")
_COLUMN = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:—|--|-)\s*(?P<meaning>.+)$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z][\w.-]*)?:(?P<local>[\w.-]*)$")
_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>", re.IGNORECASE)
#: URI schemes written without "//" that are taken as IRIs rather than unknown prefixes.
_SCHEMES_WITHOUT_AUTHORITY = {"urn", "mailto", "tag", "did", "doi", "data", "info", "tel", "geo", "isbn"}
_BOOLEANS = {"true": "true", "yes": "true", "1": "true", "false": "false", "no": "false", "0": "false"}


# ---------------------------------------------------------------------------------------- model
@dataclass(frozen=True)
class Param:
    """One typed parameter of a catalog query; its name is the SPARQL variable it binds."""

    name: str
    type: str
    meaning: str
    default: str | None = None
    optional: bool = False
    is_list: bool = False

    @property
    def signature(self) -> str:
        """``name (type)``, as the header writes it."""
        return f"{self.name} ({self.type}{' list' if self.is_list else ''})"

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional

    def describe(self) -> str:
        """The signature plus default/optional, for listings and error messages."""
        extra = f" [default: {self.default}]" if self.default is not None else " [optional]" if self.optional else ""
        return self.signature + extra


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str


@dataclass(frozen=True)
class CatalogQuery:
    """A query of the catalog: its header fields and its SPARQL text."""

    name: str
    title: str
    description: str
    text: str
    params: tuple[Param, ...] = ()
    columns: tuple[Column, ...] = ()
    research: tuple[int, ...] = ()
    path: Path | None = None
    prefixes: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def group(self) -> str:
        return self.name.rpartition("/")[0]

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def params_summary(self) -> str:
        return ", ".join(p.describe() for p in self.params) or "none"

    def to_json(self) -> dict:
        """The header as plain data (``credgraph queries --format json``)."""
        return {"name": self.name, "group": self.group, "title": self.title,
                "description": self.description,
                "params": [{"name": p.name, "type": p.type, "list": p.is_list, "default": p.default,
                            "optional": p.optional, "required": p.required, "meaning": p.meaning}
                           for p in self.params],
                "columns": [{"name": c.name, "meaning": c.meaning} for c in self.columns],
                "research": list(self.research)}

    # ------------------------------------------------------------------ binding
    def bind(self, values: dict | None, resolver=None) -> dict[str, ox.NamedNode | ox.Literal]:
        """Check and convert parameter values to RDF terms: ``{variable name: term}``.

        ``values`` maps parameter names to strings (as typed on the command line), lists of
        strings (list parameters), or pyoxigraph terms. ``resolver`` turns CTIDs into resource
        IRIs (a target's ``resolve_ctid``); without one, CTIDs are refused. Raises
        :class:`UsageError` naming the parameter, its type and the query's parameters.

        >>> q = parse_query("t", "# title: T\\n# param: n (integer) — a number\\nSELECT ?n WHERE {}")
        >>> q.bind({"n": "42"})
        {'n': <Literal value=42 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>}
        >>> q.bind({"n": "4 2"})
        Traceback (most recent call last):
        ...
        credgraph.errors.UsageError: query t: parameter n (integer) expects a whole number such as 42, got '4 2' (parameters: n (integer)) ...
        """
        values = dict(values or {})
        unknown = sorted(set(values) - {p.name for p in self.params})
        if unknown:
            raise UsageError(f"query {self.name} has no parameter {unknown[0]!r} "
                             f"(parameters: {self.params_summary()})",
                             fix=f"see `credgraph queries {self.name}`")
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        for p in self.params:
            raw = values.get(p.name)
            blank = isinstance(raw, str) and (raw == "" if p.type == "literal" else not raw.strip())
            if raw is None or raw == [] or blank:
                if p.default is not None:
                    raw = p.default
                elif p.optional:
                    continue
                else:
                    raise UsageError(f"query {self.name} needs parameter {p.signature}: {p.meaning} "
                                     f"(parameters: {self.params_summary()})",
                                     fix=f"add --param {p.name}=VALUE")
            bound[p.name] = _convert(self, p, raw, resolver)
        return bound


# ---------------------------------------------------------------------------------------- parsing
def parse_query(name: str, text: str, path: Path | None = None, *, require_title: bool = True) -> CatalogQuery:
    """Read the comment header of a query's text (see the module docstring for its form)."""
    fields: dict[str, list[str]] = {k: [] for k in HEADER_KEYS}
    last: tuple[str, int] | None = None
    where = str(path or name)
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        match = _KEY_LINE.match(stripped)
        if match and match["key"] in HEADER_KEYS:
            fields[match["key"]].append(match["value"])
            last = (match["key"], len(fields[match["key"]]) - 1)
        elif match and not stripped[1:].startswith(" " * 2):
            raise QueryError(f"unknown header field {match['key']!r}", where=f"{where} line {number}",
                             fix=f"use one of {', '.join(HEADER_KEYS)}")
        elif stripped.lstrip("#").strip() and last:
            key, index = last
            fields[key][index] += " " + stripped.lstrip("#").strip()
    if len(fields["title"]) > 1 or (require_title and not fields["title"]):
        raise QueryError("a catalog query needs exactly one '# title:' line", where=where)
    params = tuple(_parse_param(v, where) for v in fields["param"])
    columns = []
    for value in fields["column"]:
        match = _COLUMN.match(value)
        if not match:
            raise QueryError(f"cannot read column line {value!r}", where=where,
                             fix="write '# column: name — meaning'")
        columns.append(Column(match["name"], match["meaning"].strip()))
    try:
        research = tuple(int(n) for n in re.split(r"[,\s]+", " ".join(fields["research"])) if n)
    except ValueError:
        raise QueryError("'# research:' lists question numbers, e.g. '# research: 5, 6'", where=where) from None
    prefixes = {m[1] or "": m[2] for m in _PREFIX_DECL.finditer(strip_comments(text))}
    return CatalogQuery(name=name, title=(fields["title"] or [""])[0], description=" ".join(fields["description"]),
                        text=text, params=params, columns=tuple(columns), research=research, path=path,
                        prefixes=prefixes)


def _parse_param(value: str, where: str) -> Param:
    match = _PARAM.match(value)
    if not match:
        raise QueryError(f"cannot read parameter line {value!r}", where=where,
                         fix="write '# param: name (type) [default: value] — meaning'")
    kind, is_list = match["type"], bool(match["list"])
    if kind not in PARAM_TYPES:
        raise QueryError(f"parameter {match['name']} has unknown type {kind!r}", where=where,
                         fix=f"use one of {', '.join(PARAM_TYPES)}")
    if is_list and kind not in LIST_TYPES:
        raise QueryError(f"parameter {match['name']}: only iri and ctid parameters can be lists", where=where)
    return Param(name=match["name"], type=kind, meaning=match["meaning"].strip(), default=match["default"],
                 optional=bool(match["optional"]), is_list=is_list)


# ---------------------------------------------------------------------------------------- values
def _fail(query: CatalogQuery, p: Param, expected: str, raw, fix: str | None = None):
    raise UsageError(f"query {query.name}: parameter {p.signature} expects {expected}, got {raw!r} "
                     f"(parameters: {query.params_summary()})",
                     fix=fix or f"see `credgraph queries {query.name}`")


def _convert(query: CatalogQuery, p: Param, raw, resolver) -> ox.NamedNode | ox.Literal:
    if isinstance(raw, (ox.NamedNode, ox.Literal)) and not p.is_list:
        return raw
    if p.is_list:
        given = raw if isinstance(raw, (list, tuple, set)) else [raw]
        items = [part for v in given for part in ([v] if isinstance(v, ox.NamedNode) else str(v).split())]
        iris = sorted({_resource(query, p, v, resolver).value for v in items})
        return ox.Literal(" ".join(f"<{iri}>" for iri in iris))
    text = str(raw)
    if p.type in ("iri", "ctid"):
        return _resource(query, p, text.strip(), resolver)
    if p.type == "literal":
        return ox.Literal(text)
    if p.type == "integer":
        if not _INTEGER.match(text.strip()):
            _fail(query, p, "a whole number such as 42", raw)
        return ox.Literal(str(int(text)), datatype=ox.NamedNode(XSD + "integer"))
    if p.type == "decimal":
        if not _DECIMAL.match(text.strip()):
            _fail(query, p, "a decimal number such as 0.5", raw)
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            _fail(query, p, "a decimal number such as 0.5", raw)
        return ox.Literal(format(number, "f"), datatype=ox.NamedNode(XSD + "decimal"))
    if p.type == "boolean":
        value = _BOOLEANS.get(text.strip().lower())
        if value is None:
            _fail(query, p, "true or false", raw)
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "boolean"))
    if p.type == "date":
        try:
            if not _DATE.match(text.strip()):
                raise ValueError
            _dt.date.fromisoformat(text.strip())
        except ValueError:
            _fail(query, p, "a date YYYY-MM-DD", raw)
        return ox.Literal(text.strip(), datatype=ox.NamedNode(XSD + "date"))
    if p.type == "language":
        if not _LANGUAGE.match(text.strip()):
            _fail(query, p, "a language tag such as en or en-US", raw)
        return ox.Literal(text.strip())
    raise AssertionError(p.type)  # parse_query only admits PARAM_TYPES


def _resource(query: CatalogQuery, p: Param, value, resolver) -> ox.NamedNode:
    """An IRI, a prefixed name or a CTID as a NamedNode (CTIDs resolved through the data)."""
    if isinstance(value, ox.NamedNode):
        return value
    expected = ("a CTID (ce-<uuid>), an absolute IRI or a prefixed name" if p.type == "ctid"
                else "an absolute IRI, a prefixed name such as ceterms:Certification, or a CTID")
    if value.lower().startswith("ce-") and _CTID.match(value.lower()):
        if resolver is None:
            _fail(query, p, "an IRI here (CTIDs need a store or endpoint to look them up in)", value)
        return resolver(value.lower(), lambda message: UsageError(
            f"query {query.name}: parameter {p.signature}: {message} (parameters: {query.params_summary()})",
            fix="check the CTID, load the data that describes it, or give the resource IRI"))
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]  # an IRI written as in SPARQL: taken as it is
    else:
        match = _PREFIXED.match(value)
        if match and "//" not in value:
            known = {**_known_prefixes(), **query.prefixes}
            prefix = match["prefix"] or ""
            if prefix in known:
                value = known[prefix] + match["local"]
            elif prefix.lower() not in _SCHEMES_WITHOUT_AUTHORITY:
                _fail(query, p, expected, value,
                      fix=f"'{prefix}:' is not a known prefix ({', '.join(sorted(known)[:12])}, ...); "
                          "write the full IRI, in <angle brackets> to take it as it is")
    try:
        return ox.NamedNode(value)
    except ValueError:
        _fail(query, p, expected, value)


@lru_cache(maxsize=1)
def _known_prefixes() -> dict[str, str]:
    from credgraph.namespaces import PREFIXES

    return {**PREFIXES, "topic": "https://w3id.org/credgraph/id/topic/",
            "role": "https://w3id.org/credgraph/id/role/",
            "organization": "https://w3id.org/credgraph/id/organization/",
            "initiative": "https://w3id.org/credgraph/id/initiative/"}


# ---------------------------------------------------------------------------------------- catalog
@lru_cache(maxsize=1)
def catalog() -> dict[str, CatalogQuery]:
    """Every canned query, by name (``group/file-stem``); ``queries/checks/`` is not part of it."""
    from credgraph.resources import resource_dir

    root = resource_dir("queries")
    out = {}
    for path in sorted(root.rglob("*.rq")):
        relative = path.relative_to(root).with_suffix("")
        if relative.parts[0] == "checks":
            continue
        name = relative.as_posix()
        out[name] = parse_query(name, path.read_text(encoding="utf-8"), path)
    return out


def get_query(name: str) -> CatalogQuery:
    """A catalog query by full name (``stackability/stacks-into``) or by a unique short name."""
    queries = catalog()
    name = name.strip().removesuffix(".rq")
    if name in queries:
        return queries[name]
    short = [q for q in queries.values() if q.name.rpartition("/")[2] == name]
    if len(short) == 1:
        return short[0]
    close = difflib.get_close_matches(name, list(queries) + [n.rpartition("/")[2] for n in queries], n=3)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise UsageError(f"no canned query named {name!r}" + (" (it is ambiguous)" if short else ""),
                     fix=f"{hint}run `credgraph queries` to list them")


# ---------------------------------------------------------------------------------------- targets
class EmbeddedTarget:
    """Runs queries on the embedded store.

    ``binding="values"`` (the default) binds parameters with the same VALUES block a remote
    endpoint gets; ``binding="substitutions"`` uses pyoxigraph's SEP-0007 substitutions. Both give
    the same answers (the manifest tests check every case both ways), but Oxigraph's optimizer
    plans around a VALUES block and not around substituted variables: on a 10k-credential corpus
    the VALUES binding answered some parameterised queries two to three orders of magnitude faster
    (see benchmarks/bench_query.py).
    """

    BINDINGS = ("values", "substitutions")
    #: ``kept="use"``: answer from the answers the store keeps, keep slow ones
    #: (:mod:`credgraph.answers`); ``"fresh"``: compute again (and keep); ``"off"``: neither.
    KEPT = ("use", "fresh", "off")

    def __init__(self, store, binding: str = "values", kept: str = "use"):
        if binding not in self.BINDINGS:
            raise ValueError(f"binding must be one of {self.BINDINGS}")
        if kept not in self.KEPT:
            raise ValueError(f"kept must be one of {self.KEPT}")
        self.store = store
        self.binding = binding
        self.kept = kept

    def run(self, text: str, bindings: dict | None = None):
        text, subs = self._bound(text, bindings)
        try:
            return self._run(text, subs)
        except QueryError as exc:
            if "SELECT projection" in exc.message:
                raise QueryError(f"{exc.message}: every parameter must be in the SELECT projection",
                                 fix="add the parameter's variable to the SELECT clause") from None
            raise

    def is_kept(self, text: str, bindings: dict | None = None) -> bool:
        """Whether the store keeps the answer :meth:`run` would give (:mod:`credgraph.answers`)."""
        from credgraph.answers import is_kept

        return is_kept(self.store, *self._bound(text, bindings))

    def _bound(self, text: str, bindings: dict | None) -> tuple[str, dict | None]:
        """The query text and substitutions that bind ``bindings`` the target's way."""
        if not bindings:
            return text, None
        if self.binding == "values":
            return with_values(text, bindings), None
        return text, {ox.Variable(k): v for k, v in bindings.items()}

    def _run(self, text: str, substitutions: dict | None = None):
        from credgraph.answers import answer
        from credgraph.sparql import run_sparql

        if self.kept == "off":
            return run_sparql(self.store, text, substitutions=substitutions)
        return answer(self.store, text, substitutions=substitutions, fresh=self.kept == "fresh")

    def resolve_ctid(self, ctid: str, error) -> ox.NamedNode:
        return resolve_ctid(self, ctid, error)


_CTID_LOOKUP = ("SELECT ?ctid ?resource WHERE { ?resource <" + CTID_PROPERTY + "> ?ctid . "
                "FILTER(isIRI(?resource)) } ORDER BY ?resource")


def resolve_ctid(target, ctid: str, error) -> ox.NamedNode:
    """The resource whose ``ceterms:ctid`` is ``ctid`` (looked up in the data, never built)."""
    found = {row["resource"].value for row in target.run(_CTID_LOOKUP, {"ctid": ox.Literal(ctid)}).rows}
    if not found:
        found = {row["resource"].value
                 for row in target.run(_CTID_LOOKUP, {"ctid": ox.Literal(ctid.upper())}).rows}
    if not found:
        raise error(f"no resource has ceterms:ctid {ctid!r}")
    if len(found) > 1:
        resources = sorted(found)
        preferred = [r for r in resources if "/resources/" in r]
        if len(preferred) != 1:
            raise error(f"CTID {ctid!r} is carried by {len(found)} resources ({', '.join(resources[:3])})")
        return ox.NamedNode(preferred[0])
    return ox.NamedNode(found.pop())


def as_target(store_or_endpoint):
    """An object with ``run(text, bindings)`` and ``resolve_ctid``: embedded store or endpoint."""
    from credgraph.store import Store

    if store_or_endpoint is None or isinstance(store_or_endpoint, (str, Path)):
        text = str(store_or_endpoint) if store_or_endpoint is not None else None
        if text and re.match(r"^https?://", text):
            from credgraph.remote import Endpoint

            return Endpoint(text)
        from credgraph.store import open_store

        return EmbeddedTarget(open_store(text))
    if isinstance(store_or_endpoint, Store):
        return EmbeddedTarget(store_or_endpoint)
    if isinstance(store_or_endpoint, ox.Store):
        return EmbeddedTarget(Store(store_or_endpoint, None))
    if hasattr(store_or_endpoint, "run") and hasattr(store_or_endpoint, "resolve_ctid"):
        return store_or_endpoint
    raise TypeError(f"expected a credgraph Store, a remote Endpoint, a store path or an endpoint URL, "
                    f"got {type(store_or_endpoint).__name__}")


def run_query(name: str | CatalogQuery, params: dict | None = None, store_or_endpoint=None):
    """Run a canned query with parameters on a store or endpoint; returns a :class:`Result`.

    >>> from credgraph.store import open_store
    >>> store = open_store(":memory:")
    >>> run_query("ecosystem/topic-definitions", {"topic": "topic:microcredentials"}, store).rows
    []
    """
    query = name if isinstance(name, CatalogQuery) else get_query(name)
    target = as_target(store_or_endpoint)
    bindings = query.bind(params, resolver=target.resolve_ctid)
    return target.run(query.text, bindings)


# ---------------------------------------------------------------------------------------- VALUES
def with_values(text: str, bindings: dict) -> str:
    """The query with a VALUES block binding ``bindings`` where SEP-0007 substitution would.

    The block opens the top-level WHERE group, and every sub-SELECT whose projection names one
    of the variables gets its own block for those variables. Terms are written with
    pyoxigraph's ``str()`` (N-Triples syntax, escaped), so a value can never become query text.

    >>> with_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": ox.NamedNode("http://ex.org/a")})
    'SELECT ?x WHERE { VALUES (?x) { (<http://ex.org/a>) }\\n ?x ?p ?o }'
    """
    if not bindings:
        return text
    groups = where_groups(text)
    if not groups:
        raise QueryError("cannot bind parameters: the query has no WHERE clause",
                         fix="write the query as SELECT ... WHERE { ... }")
    inserts = []
    for depth, brace, projected in groups:
        names = [n for n in bindings if depth == 0 or n in projected or "*" in projected]
        if names:
            row = " ".join(str(bindings[n]) for n in names)
            inserts.append((brace + 1, f" VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }}\n"))
    for position, block in sorted(inserts, reverse=True):
        text = text[:position] + block + text[position:]
    return text


def strip_comments(text: str) -> str:
    """The query with comments blanked out (strings and IRIs kept), same length and offsets."""
    out = list(text)
    for kind, start, end in _lex(text):
        if kind == "comment":
            out[start:end] = " " * (end - start)
    return "".join(out)


#: Query texts up to this many characters have their WHERE groups remembered (a catalog query is
#: 1-8k); longer ones, which only arrive from users, are lexed each time so the cache stays small.
REMEMBERED_TEXT = 32_000


def where_groups(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """``(brace depth, offset of '{', projected variables)`` of each WHERE group of a query.

    The first is the top-level query's WHERE group (depth 0); the others belong to sub-SELECTs.
    A group counts only when introduced by the keyword WHERE (catalog queries always write it).
    Remembered per query text up to :data:`REMEMBERED_TEXT` characters: lexing in Python took
    0.4 ms of a 1 ms catalog query.

    >>> where_groups("SELECT ?x WHERE { ?x ?p ?o }")
    ((0, 16, frozenset({'x'})),)
    """
    if len(text) <= REMEMBERED_TEXT:
        return _remembered_where_groups(text)
    return _where_groups(text)


@lru_cache(maxsize=256)
def _remembered_where_groups(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    return _where_groups(text)


def _where_groups(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    tokens = [t for t in _tokens(text)]
    groups = []
    for i, (kind, value, pos, depth) in enumerate(tokens):
        if kind != "word" or value.upper() != "WHERE":
            continue
        j = i + 1
        if j >= len(tokens) or tokens[j][1] != "{":
            continue
        projected = set()
        k = i - 1
        while k >= 0 and not (tokens[k][0] == "word" and tokens[k][1].upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
                              and tokens[k][3] == depth):
            k -= 1
        if k >= 0 and tokens[k][1].upper() == "SELECT":
            projected = _projection(tokens[k + 1:i])
        groups.append((depth, tokens[j][2], frozenset(projected)))
    return tuple(groups)


def projected_variables(text: str) -> list[str] | None:
    """The top-level SELECT's projected variables in order (None for ASK/CONSTRUCT/DESCRIBE)."""
    tokens = list(_tokens(text))
    for i, (kind, value, _pos, depth) in enumerate(tokens):
        if kind == "word" and depth == 0 and value.upper() in ("ASK", "CONSTRUCT", "DESCRIBE"):
            return None
        if kind == "word" and depth == 0 and value.upper() == "SELECT":
            end = next(k for k in range(i + 1, len(tokens))
                       if (tokens[k][0] == "word" and tokens[k][1].upper() == "WHERE") or tokens[k][1] == "{")
            return _projection(tokens[i + 1:end], ordered=True)
    return None


def _projection(tokens, ordered: bool = False):
    names: list[str] = []
    paren = 0
    after_as = False
    for kind, value, _pos, _depth in tokens:
        if value == "(":
            paren += 1
        elif value == ")":
            paren -= 1
        elif kind == "word" and value.upper() == "AS":
            after_as = True
            continue
        elif kind == "var" and (paren == 0 or after_as):
            names.append(value[1:])
        elif value == "*":
            names.append("*")
        after_as = False
    return names if ordered else set(names)


def _tokens(text: str):
    """``(kind, value, offset, brace depth)`` for words, variables, braces, parentheses and '*'."""
    skip = {start: end for _kind, start, end in _lex(text)}
    depth, i, n = 0, 0, len(text)
    while i < n:
        if i in skip:
            i = skip[i]
            continue
        ch = text[i]
        if ch == "{":
            yield ("brace", "{", i, depth)
            depth += 1
        elif ch == "}":
            depth -= 1
            yield ("brace", "}", i, depth)
        elif ch in "()*":
            yield ("punct", ch, i, depth)
        elif ch in "?$" and i + 1 < n and (text[i + 1].isalnum() or text[i + 1] == "_"):
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            yield ("var", "?" + text[i + 1:j], i, depth)
            i = j
            continue
        elif ch.isalpha() or ch == ":":
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_-.:"):
                j += 1
            word = text[i:j].rstrip(".")
            if ":" not in word:  # prefixed names are not keywords
                yield ("word", word, i, depth)
            i = i + max(len(word), 1)
            continue
        i += 1


_IRI_CHAR = re.compile(r'[^<>"{}|^`\\\x00-\x20]*>')


def _lex(text: str):
    """Spans of comments, strings and IRIs: ``(kind, start, end)``."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            yield ("comment", i, end)
            i = end
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            end = min(n, j + len(quote))
            yield ("string", i, end)
            i = end
        elif ch == "<":
            match = _IRI_CHAR.match(text, i + 1)
            if match:
                yield ("iri", i, match.end())
                i = match.end()
            else:
                i += 1
        else:
            i += 1
