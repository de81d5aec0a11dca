"""Compile SHACL shapes into SPARQL SELECT queries that find violations in a pyoxigraph store.

Every (shape, constraint) pair with targets becomes a :class:`Check`: a *target* pattern that binds
``?this`` and a *violation* pattern that, for a bound ``?this``, yields one solution per result
(``?value`` and, for SPARQL constraints, ``?path`` when the result has them). The engine joins the
two, runs them per document (``GRAPH ?g { ... }``) or over the whole store, and returns the same
results pySHACL reports for the same shapes and data (``tests/test_validate_parity.py``).

Supported SHACL features: targets (``sh:targetClass`` with ``rdfs:subClassOf*``, ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, SPARQL-based ``sh:target``); property paths
(predicate, sequence, alternative, inverse, zero-or-more, one-or-more, zero-or-one); the
constraint components ``sh:minCount``, ``sh:maxCount``, ``sh:nodeKind``, ``sh:datatype``, ``sh:in``,
``sh:hasValue``, ``sh:class``, ``sh:pattern`` (with ``sh:flags``), ``sh:minLength``, ``sh:maxLength``,
``sh:minInclusive``/``sh:maxInclusive``/``sh:minExclusive``/``sh:maxExclusive``, ``sh:languageIn``,
``sh:uniqueLang``, ``sh:node``, ``sh:property``, ``sh:or``, ``sh:and``, ``sh:not``, ``sh:xone`` (over shapes built from
these), and SPARQL-based constraints (``sh:sparql`` with ``sh:select``, ``$this``, ``$PATH``, message
templates ``{?var}``). Anything else (e.g. ``sh:closed``, ``sh:equals``, ``sh:lessThan``,
``sh:qualifiedValueShape``) makes :func:`compile_shapes` mark that shape ``fallback``: the engine
then runs pySHACL for it.

>>> import rdflib
>>> g = rdflib.Graph().parse(data='''
...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://ex.org/> .
...   ex:S a sh:NodeShape ; sh:targetClass ex:C ;
...     sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "needs a name" ] .''', format="turtle")
>>> [(c.component_curie, c.path_text) for c in compile_shapes(g, "demo")]
[('sh:MinCountConstraintComponent', '<https://ex.org/name>')]
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import rdflib
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.collection import Collection

from credgraph.sparql import QUOTED

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
CGV = rdflib.Namespace("https://w3id.org/credgraph/shapes/vocab#")
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")

VIOLATION, WARNING, INFO = str(SH.Violation), str(SH.Warning), str(SH.Info)

#: Lexical forms rdflib (and so pySHACL) accepts for the datatypes it checks strictly.
WELL_FORMED = {
    str(XSD.integer): r"^[+-]?[0-9]+$",
    str(XSD.decimal): r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$",
    str(XSD.boolean): r"^(true|false|1|0)$",
    str(XSD.date): r"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$",
    str(XSD.dateTime): r"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$",
    str(XSD.float): r"^([+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    str(XSD.double): r"^([+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    str(XSD.duration): r"^-?P([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+([.][0-9]+)?S)?)?$",
}

VALUE_COMPONENTS = {
    "class": SH.ClassConstraintComponent, "datatype": SH.DatatypeConstraintComponent,
    "nodeKind": SH.NodeKindConstraintComponent, "minLength": SH.MinLengthConstraintComponent,
    "maxLength": SH.MaxLengthConstraintComponent, "pattern": SH.PatternConstraintComponent,
    "in": SH.InConstraintComponent, "node": SH.NodeConstraintComponent, "or": SH.OrConstraintComponent,
    "and": SH.AndConstraintComponent, "not": SH.NotConstraintComponent, "xone": SH.XoneConstraintComponent,
    "minInclusive": SH.MinInclusiveConstraintComponent, "maxInclusive": SH.MaxInclusiveConstraintComponent,
    "minExclusive": SH.MinExclusiveConstraintComponent, "maxExclusive": SH.MaxExclusiveConstraintComponent,
    "languageIn": SH.LanguageInConstraintComponent,
}
UNSUPPORTED = ("closed", "equals", "disjoint", "lessThan", "lessThanOrEquals",
               "qualifiedValueShape", "expression", "rule")
TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isIRI({v}) || isBlank({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}


class Unsupported(Exception):
    """A SHACL feature the compiler does not translate (the engine falls back to pySHACL)."""


@dataclass
class Check:
    """One constraint of one shape, compiled.

    ``kind`` says how the engine runs it, always joined with the shape's ``target`` (a pattern
    binding ``?this``) so that each result is about one focus node:

    * ``flag``: ``condition`` is a boolean expression over ``?this`` (and ``?g``); a result when false;
    * ``rows``: ``violation`` is a pattern binding ``?this`` (and ``?g``) itself, one solution per
      result, with ``?value`` and, for SPARQL constraints, ``?path``;
    * ``joined``: ``violation`` must share a group with the target subquery (counts);
    * ``inline``: a SPARQL body that relies on ``$this`` being pre-bound; the engine puts the target
      pattern (variables renamed apart) in the same group, inside ``GRAPH ?g`` in document scope.

    In document scope every data access is inside ``GRAPH ?g``; in store scope there is none.
    """

    key: str                       # stable identifier, unique within a profile
    profile: str
    shape: str                     # the shape holding the constraint (IRI, or its node shape's IRI)
    node_shape: str                # the shape holding the targets
    component: str                 # constraint component IRI
    severity: str
    message: str
    fix: str | None
    path_text: str | None          # SPARQL syntax of the static result path (None: node-level)
    scope: str                     # "document" (per named graph) or "store" (whole store)
    kind: str = "rows"             # "flag", "rows", "joined" or "inline"
    target: str = ""               # SPARQL group pattern binding ?this (no GRAPH)
    condition: str = ""            # flag checks: true when the focus node conforms
    violation: str = ""            # rows / query checks
    value_is_focus: bool = False   # node-level constraints report the focus node as value
    dynamic_path: bool = False     # the violation pattern binds ?path
    triggers: frozenset | None = None   # IRIs one of which the data must use for the target to match
    #: necessary conditions (cgv:precondition): (inventory, property IRI, allowed class IRIs); the
    #: check can only find something if the inventory shows the property used outside those classes
    preconditions: tuple = ()
    #: rows checks whose violation pattern is the target's own (same_pattern): every solution is
    #: about a focus node, so the target's focus nodes are never computed to filter them
    target_implied: bool = False
    fallback: str | None = None    # why the shape runs on pySHACL instead
    prefixes: str = ""             # PREFIX declarations the patterns need
    see_also: tuple = ()

    @property
    def component_curie(self) -> str:
        return "sh:" + self.component.rsplit("#", 1)[-1]

    @property
    def needs_target(self) -> bool:
        """Whether the solutions of the violation pattern must still be kept to the target's focus nodes."""
        return self.kind == "rows" and not self.target_implied


def same_pattern(a: str, b: str) -> bool:
    """Whether two group patterns are the same up to layout and the names of variables other
    than ``?this`` (a SPARQL target and a constraint written alike: the constraint's solutions
    are then all focus nodes of the target).

    >>> same_pattern("?this ?p ?v . FILTER(isIRI(?v))", "$this  ?path ?value .  FILTER(isIRI(?value))")
    True
    >>> same_pattern("?this ?p ?v . FILTER(isIRI(?v))", "?this ?p ?v . FILTER(isIRI(?p))")
    False
    >>> same_pattern('?this ?p "?v"', '?this ?p "?w"')
    False
    """
    return _canonical_pattern(a) == _canonical_pattern(b)


#: Strings, IRIs and comments (kept as written) and variables (renamed) of a SPARQL pattern.
_PATTERN_TOKENS = re.compile(rf"{QUOTED.pattern}|[?$]\w+", re.DOTALL)


def _canonical_pattern(pattern: str) -> str:
    names: dict[str, str] = {}

    def rename(m: re.Match) -> str:
        token = m.group(0)
        if token[0] not in "?$":
            return token  # a string, an IRI or a comment: kept as written
        name = token[1:]
        return "?this" if name == "this" else "?" + names.setdefault(name, f"_{len(names)}")
    return " ".join(_PATTERN_TOKENS.sub(rename, pattern).split())


def n3(term) -> str:
    """A term in SPARQL syntax."""
    if isinstance(term, Literal):
        return term.n3()
    if isinstance(term, URIRef):
        return f"<{term}>"
    raise Unsupported(f"blank node {term} used as a constant")


def path_sparql(g: rdflib.Graph, node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in g:
        return "(" + " / ".join(path_sparql(g, p) for p in Collection(g, node)) + ")"
    for pred, fmt in ((SH.alternativePath, None), (SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                      (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = g.value(node, pred)
        if inner is not None:
            if fmt is None:
                return "(" + " | ".join(path_sparql(g, p) for p in Collection(g, inner)) + ")"
            return fmt.format(f"({path_sparql(g, inner)})" if not isinstance(inner, URIRef) else path_sparql(g, inner))
    raise Unsupported(f"unknown property path {node}")


class Compiler:
    """Turns the shapes of one shapes graph into checks."""

    def __init__(self, g: rdflib.Graph, profile: str):
        self.g = g
        self.profile = profile
        self.counter = itertools.count()
        self.scope = "document"

    def G(self, pattern: str) -> str:
        """A pattern over the data: inside the current document's graph, or over the whole store."""
        return f"GRAPH ?g {{ {pattern} }}" if self.scope == "document" else pattern

    # ------------------------------------------------------------------ helpers
    def var(self, stem: str = "v") -> str:
        return f"?_{stem}{next(self.counter)}"

    def one(self, node, pred):
        return self.g.value(node, pred)

    def values(self, node, pred) -> list:
        return sorted(self.g.objects(node, pred), key=lambda t: (isinstance(t, BNode), str(t)))

    def name(self, node, parent: str | None = None) -> str:
        if isinstance(node, URIRef):
            return str(node)
        return parent or f"_:{node}"

    def text(self, node, pred) -> str | None:
        """A literal annotation, English (or untagged) preferred."""
        found = [o for o in self.g.objects(node, pred) if isinstance(o, Literal)]
        found.sort(key=lambda o: (o.language not in (None, "en"), str(o)))
        return str(found[0]) if found else None

    def prefixes(self, node) -> str:
        lines = []
        for ont in self.g.objects(node, SH.prefixes):
            for decl in self.g.objects(ont, SH.declare):
                prefix, ns = self.one(decl, SH.prefix), self.one(decl, SH.namespace)
                if prefix is not None and ns is not None:
                    lines.append(f"PREFIX {prefix}: <{ns}>")
        return "\n".join(sorted(set(lines)))

    # ------------------------------------------------------------------ shapes
    def shapes_with_targets(self) -> list:
        found = set()
        for pred in TARGET_PREDICATES:
            found |= {s for s in self.g.subjects(pred, None)}
        return sorted(found, key=lambda s: (isinstance(s, BNode), str(s)))

    def deactivated(self, shape) -> bool:
        return self.one(shape, SH.deactivated) == Literal(True)

    def scope_of(self, shape) -> str:
        return "store" if self.one(shape, CGV.scope) == CGV.Store else "document"

    def target_pattern(self, shape) -> tuple[str, frozenset | None, str]:
        """SPARQL group binding ?this to every focus node, the trigger IRIs, and prefix lines."""
        branches, triggers, prefix_lines = [], set(), []
        exact = True
        for cls in self.values(shape, SH.targetClass):
            branches.append(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {n3(cls)} .")
            exact = False  # a subclass may be declared in the data
        for node in self.values(shape, SH.targetNode):
            branches.append(f"VALUES ?this {{ {n3(node)} }}")
            exact = False
        for prop in self.values(shape, SH.targetSubjectsOf):
            branches.append(f"?this {n3(prop)} ?_t .")
            triggers.add(str(prop))
        for prop in self.values(shape, SH.targetObjectsOf):
            branches.append(f"?_t {n3(prop)} ?this .")
            triggers.add(str(prop))
        for target in self.values(shape, SH.target):
            if (target, RDF.type, SH.SPARQLTarget) not in self.g or self.one(target, SH.select) is None:
                raise Unsupported(f"custom target {target}")
            body, _, modifiers = split_select(str(self.one(target, SH.select)))
            if modifiers:
                branches.append("{ " + str(self.one(target, SH.select)).replace("$this", "?this") + " }")
            else:
                branches.append(body.replace("$this", "?this"))
            prefix_lines.append(self.prefixes(target))
            exact = False
        if not branches:
            raise Unsupported("no targets")
        pattern = branches[0] if len(branches) == 1 else " UNION ".join("{ " + b + " }" for b in branches)
        return pattern, (frozenset(triggers) if exact else None), "\n".join(prefix_lines)

    # ------------------------------------------------------------------ value conditions
    def ok_value(self, kind: str, param, v: str) -> str:
        """A SPARQL expression true when value ``v`` satisfies one value-based constraint."""
        if kind == "class":
            return f"EXISTS {{ {self.G(f'{v} <{RDF.type}>/<{RDFS.subClassOf}>* {n3(param)}')} }}"
        if kind == "datatype":
            if param == RDF.langString:
                return f'(isLiteral({v}) && LANG({v}) != "")'
            cond = f"(isLiteral({v}) && DATATYPE({v}) = {n3(param)}"
            if str(param) in WELL_FORMED:
                cond += f' && REGEX(STR({v}), "{WELL_FORMED[str(param)]}")'
            return cond + ")"
        if kind == "nodeKind":
            if param not in NODE_KINDS:
                raise Unsupported(f"node kind {param}")
            return NODE_KINDS[param].format(v=v)
        if kind == "minLength":
            return f"(!isBlank({v}) && STRLEN(STR({v})) >= {int(param)})"
        if kind == "maxLength":
            return f"(!isBlank({v}) && STRLEN(STR({v})) <= {int(param)})"
        if kind == "pattern":
            pattern, flags = param
            lit = Literal(str(pattern)).n3()
            flag_arg = f", {Literal(str(flags)).n3()}" if flags else ""
            return f"(!isBlank({v}) && REGEX(STR({v}), {lit}{flag_arg}))"
        if kind == "in":
            items = list(Collection(self.g, param))
            if not items:
                return "false"
            if all(isinstance(i, URIRef) for i in items):
                return f"({v} IN ({', '.join(n3(i) for i in items)}))"
            return "(" + " || ".join(f"sameTerm({v}, {n3(i)})" for i in items) + ")"
        if kind in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            op = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}[kind]
            return f"({v} {op} {n3(param)})"
        if kind == "languageIn":
            tags = list(Collection(self.g, param))
            return f"(isLiteral({v}) && (" + " || ".join(f"langMatches(LANG({v}), {n3(t)})" for t in tags) + "))"
        if kind == "node":
            return self.conforms(param, v)
        if kind in ("or", "and", "xone"):
            members = [self.conforms(s, v) for s in Collection(self.g, param)]
            if kind == "xone":
                return "((" + " + ".join(f"IF(COALESCE({m}, false), 1, 0)" for m in members) + ") = 1)"
            joiner = " || " if kind == "or" else " && "
            return "(" + joiner.join(f"COALESCE({m}, false)" for m in members) + ")" if members else \
                ("false" if kind == "or" else "true")
        if kind == "not":
            return f"(!COALESCE({self.conforms(param, v)}, false))"
        raise Unsupported(kind)

    def constraints(self, shape) -> list[tuple[str, object]]:
        """(kind, parameter) for each constraint of a shape, in a stable order."""
        for name in UNSUPPORTED:
            if self.one(shape, SH[name]) is not None:
                raise Unsupported(f"sh:{name}")
        out = []
        for kind in ("minCount", "maxCount"):
            value = self.one(shape, SH[kind])
            if value is not None:
                out.append((kind, int(value)))
        for kind in VALUE_COMPONENTS:
            if kind == "pattern":
                for pattern in self.values(shape, SH.pattern):
                    out.append(("pattern", (pattern, self.one(shape, SH.flags))))
                continue
            for value in self.values(shape, SH[kind]):
                out.append((kind, value))
        for value in self.values(shape, SH.hasValue):
            out.append(("hasValue", value))
        if self.one(shape, SH.uniqueLang) == Literal(True):
            out.append(("uniqueLang", True))
        return out

    @staticmethod
    def same_language(a: str, b: str) -> str:
        """Two distinct literals with the same (case-insensitive) non-empty language tag."""
        return (f"isLiteral({a}) && isLiteral({b}) && LANG({a}) != \"\" && LCASE(LANG({a})) = LCASE(LANG({b})) "
                f"&& !sameTerm({a}, {b})")

    def conforms(self, shape, v: str) -> str:
        """A SPARQL expression true when node ``v`` conforms to ``shape`` (targets and severity ignored)."""
        if self.deactivated(shape):
            return "true"
        if self.one(shape, SH.sparql) is not None:
            raise Unsupported("sh:sparql inside a logical constraint")
        parts = []
        path = self.one(shape, SH.path)
        p = path_sparql(self.g, path) if path is not None else None
        for kind, param in self.constraints(shape):
            if p is None:
                if kind in ("minCount", "maxCount", "uniqueLang"):
                    raise Unsupported(f"sh:{kind} on a node shape")
                if kind == "hasValue":
                    parts.append(f"sameTerm({v}, {n3(param)})")
                else:
                    parts.append(f"COALESCE({self.ok_value(kind, param, v)}, false)")
                continue
            y = self.var("y")
            if kind == "minCount":
                if param > 1:
                    raise Unsupported("sh:minCount above 1 inside a logical constraint")
                if param == 1:
                    parts.append(f"EXISTS {{ {self.G(f'{v} {p} {y}')} }}")
            elif kind == "maxCount":
                if param == 0:
                    parts.append(f"NOT EXISTS {{ {self.G(f'{v} {p} {y}')} }}")
                elif param == 1:
                    y2 = self.var("y")
                    parts.append(f"NOT EXISTS {{ {self.G(f'{v} {p} {y} . {v} {p} {y2} . FILTER(!sameTerm({y}, {y2}))')} }}")
                else:
                    raise Unsupported("sh:maxCount above 1 inside a logical constraint")
            elif kind == "hasValue":
                parts.append(f"EXISTS {{ {self.G(f'{v} {p} {n3(param)}')} }}")
            elif kind == "uniqueLang":
                y2 = self.var("y")
                parts.append(f"NOT EXISTS {{ {self.G(f'{v} {p} {y} . {v} {p} {y2}')} "
                             f"FILTER({self.same_language(y, y2)}) }}")
            else:
                ok = self.ok_value(kind, param, y)
                parts.append(f"NOT EXISTS {{ {self.G(f'{v} {p} {y}')} FILTER(!COALESCE({ok}, false)) }}")
        for prop in self.values(shape, SH.property):
            parts.append(self.conforms(prop, v))
        return "(" + " && ".join(parts) + ")" if parts else "true"

    # ------------------------------------------------------------------ checks
    def compile(self) -> list[Check]:
        checks: list[Check] = []
        for shape in self.shapes_with_targets():
            if self.deactivated(shape):
                continue
            node_name = self.name(shape)
            scope = self.scope = self.scope_of(shape)
            try:
                target, triggers, target_prefixes = self.target_pattern(shape)
                found = self.shape_checks(shape, node_name, scope)
                for prop in self.values(shape, SH.property):
                    if not self.deactivated(prop):
                        found += self.shape_checks(prop, node_name, scope)
            except Unsupported as exc:
                checks.append(self.fallback_check(shape, node_name, scope, str(exc)))
                continue
            for check in found:
                check.target = target
                check.target_implied = check.kind == "rows" and same_pattern(self.G(target), check.violation)
                check.triggers = triggers
                check.prefixes = "\n".join(sorted(set(filter(None, (target_prefixes + "\n" + check.prefixes).split("\n")))))
                checks.append(check)
        return checks

    def fallback_check(self, shape, node_name: str, scope: str, reason: str) -> Check:
        return Check(key=f"{node_name}#fallback", profile=self.profile, shape=node_name, node_shape=node_name,
                     component="", severity=str(self.one(shape, SH.severity) or SH.Violation),
                     message=self.text(shape, SH.message) or "", fix=self.text(shape, CGV.fix), path_text=None,
                     scope=scope, fallback=reason)

    def base_check(self, shape, node_name: str, scope: str, component, index: int, path) -> Check:
        name = self.name(shape, node_name)
        see = tuple(sorted(str(o) for o in self.g.objects(shape, RDFS.seeAlso)))
        return Check(
            key=f"{name}#{index}", profile=self.profile, shape=name, node_shape=node_name, component=str(component),
            severity=str(self.one(shape, SH.severity) or SH.Violation),
            message=self.text(shape, SH.message) or "", fix=self.text(shape, CGV.fix),
            path_text=path_sparql(self.g, path) if path is not None else None, scope=scope, see_also=see)

    def shape_checks(self, shape, node_name: str, scope: str) -> list[Check]:
        """Checks for the constraints of one shape (a node shape, or a property shape with a path)."""
        path = self.one(shape, SH.path)
        p = path_sparql(self.g, path) if path is not None else None
        G = self.G
        checks = []
        for index, (kind, param) in enumerate(self.constraints(shape)):
            component = SH.UniqueLangConstraintComponent if kind == "uniqueLang" else \
                SH.HasValueConstraintComponent if kind == "hasValue" else \
                SH.MinCountConstraintComponent if kind == "minCount" else \
                SH.MaxCountConstraintComponent if kind == "maxCount" else VALUE_COMPONENTS[kind]
            check = self.base_check(shape, node_name, scope, component, index, path)
            if p is None:
                if kind in ("minCount", "maxCount", "uniqueLang"):
                    raise Unsupported(f"sh:{kind} on a node shape")
                check.kind, check.value_is_focus = "flag", True
                check.condition = f"sameTerm(?this, {n3(param)})" if kind == "hasValue" else \
                    f"COALESCE({self.ok_value(kind, param, '?this')}, false)"
                if kind == "hasValue":
                    check.value_is_focus = False
            elif kind == "minCount":
                if param == 0:
                    continue
                if param == 1:
                    check.kind, check.condition = "flag", f"EXISTS {{ {G(f'?this {p} ?_any')} }}"
                else:
                    check.kind = "joined"
                    inner = G(f"?this {p} ?_m")
                    group = "?g ?this" if scope == "document" else "?this"
                    check.violation = (f"OPTIONAL {{ SELECT {group} (COUNT(DISTINCT ?_m) AS ?_count) WHERE {{ {inner} }} "
                                       f"GROUP BY {group} }} FILTER(!BOUND(?_count) || ?_count < {param})")
            elif kind == "maxCount":
                inner = G(f"?this {p} ?_m")
                group = "?g ?this" if scope == "document" else "?this"
                check.violation = (f"{{ SELECT {group} (COUNT(DISTINCT ?_m) AS ?_count) WHERE {{ {inner} }} "
                                   f"GROUP BY {group} HAVING (COUNT(DISTINCT ?_m) > {param}) }}")
            elif kind == "hasValue":
                check.kind, check.condition = "flag", f"EXISTS {{ {G(f'?this {p} {n3(param)}')} }}"
            elif kind == "uniqueLang":
                check.violation = f"{G(f'?this {p} ?_a . ?this {p} ?_b')} FILTER({self.same_language('?_a', '?_b')})"
            else:
                ok = self.ok_value(kind, param, "?value")
                check.violation = f"{G(f'?this {p} ?value')} FILTER(!COALESCE({ok}, false))"
            checks.append(check)
        for index, constraint in enumerate(self.values(shape, SH.sparql)):
            checks.append(self.sparql_check(shape, constraint, node_name, scope, 100 + index, path, p))
        return checks

    def sparql_check(self, shape, constraint, node_name: str, scope: str, index: int, path, p: str | None) -> Check:
        if self.deactivated(constraint):
            raise Unsupported("deactivated SPARQL constraint")  # pragma: no cover - not used by our shapes
        select = self.one(constraint, SH.select)
        if select is None:
            raise Unsupported("SPARQL constraint without sh:select")
        text = str(select)
        if "$currentShape" in text or "$shapesGraph" in text:
            raise Unsupported("$currentShape / $shapesGraph")
        if p is not None:
            text = text.replace("$PATH", p)
        text = text.replace("$this", "?this")
        check = self.base_check(shape, node_name, scope, SH.SPARQLConstraintComponent, index, path)
        message = self.text(constraint, SH.message)
        if message:
            check.message = message
        fix = self.text(constraint, CGV.fix)
        if fix:
            check.fix = fix
        body, projection, modifiers = split_select(text)
        star = projection.strip() == "*"
        check.dynamic_path = star or "?path" in projection.split()
        binds_value = star or "?value" in projection.split()
        if modifiers:
            if scope == "document" or not (star or "?this" in projection.split()):
                raise Unsupported("SPARQL constraint with solution modifiers (runs on pySHACL per document)")
            check.kind, check.violation = "rows", "{ " + strip_prologue(text) + " }"
        elif scope == "document" and re.search(r"\bSELECT\b", body, re.IGNORECASE):
            raise Unsupported("SPARQL constraint with a subquery (oxigraph does not scope it to GRAPH ?g)")
        elif binds_this(body):
            check.kind, check.violation = "rows", self.G(body)
        else:
            check.kind, check.violation = "inline", body  # the engine puts the target in the same group
        if not binds_value:
            check.value_is_focus = p is None
        check.prefixes = self.prefixes(constraint)
        check.preconditions = tuple(self.precondition(node) for node in self.values(constraint, CGV.precondition))
        return check

    def precondition(self, node) -> tuple[str, str, frozenset]:
        """(inventory, property, allowed classes) of a cgv:precondition node."""
        inventory, prop, types = (self.one(node, CGV.inventory), self.one(node, CGV.property),
                                  self.one(node, CGV.typesOutside))
        if inventory not in (CGV.subjectTypes, CGV.valueTypes) or not isinstance(prop, URIRef) or types is None:
            raise ValueError(f"malformed cgv:precondition on {self.name(node)}: needs cgv:inventory "
                             "(cgv:subjectTypes or cgv:valueTypes), cgv:property and cgv:typesOutside")
        return (str(inventory).rsplit("#", 1)[-1], str(prop),
                frozenset(str(c) for c in self.values(types, CGV.member)))


_SELECT = re.compile(r"^\s*SELECT\s+(?P<proj>.*?)\s*(WHERE\s*)?\{", re.IGNORECASE | re.DOTALL)


def binds_this(body: str) -> bool:
    """True when ?this occurs in a triple pattern of the body (outside FILTER, BIND and EXISTS).

    >>> binds_this("?this <p> ?value . FILTER(?value > 1)")
    True
    >>> binds_this("FILTER NOT EXISTS { ?this <p> ?v }")
    False
    """
    text = re.sub(r"<[^<>\s]*>", "<>", body)
    out, i = [], 0
    while i < len(text):
        m = re.match(r"(?i)(FILTER|BIND|(NOT\s+)?EXISTS|MINUS|OPTIONAL)\b", text[i:])
        if m:
            j = i + m.end()
            while j < len(text) and text[j].isspace():
                j += 1
            if j < len(text) and text[j] in "({":
                close = {"(": ")", "{": "}"}[text[j]]
                depth, k = 0, j
                while k < len(text):
                    depth += text[k] == text[j]
                    depth -= text[k] == close
                    if depth == 0:
                        break
                    k += 1
                i = k + 1
                continue
        out.append(text[i])
        i += 1
    return "?this" in "".join(out)


def strip_prologue(text: str) -> str:
    """A query without its PREFIX/BASE lines (they go to the top of the assembled query)."""
    return "\n".join(ln for ln in text.strip().splitlines() if not ln.strip().upper().startswith(("PREFIX", "BASE")))


def split_select(text: str) -> tuple[str, str, str]:
    """(WHERE body, projection, trailing solution modifiers) of a simple SPARQL SELECT.

    >>> split_select("SELECT $this ?value WHERE { $this <p#x> ?value } ")
    (' $this <p#x> ?value ', '$this ?value', '')
    >>> split_select("SELECT ?this (COUNT(*) AS ?n) WHERE { ?this ?p '}' } GROUP BY ?this")[2]
    'GROUP BY ?this'
    """
    text = strip_prologue(text)
    m = _SELECT.match(text)
    if not m:
        raise Unsupported("SPARQL query that is not a plain SELECT")
    start = m.end()
    depth, i, end = 1, start, None
    in_string = None
    while i < len(text):
        ch = text[i]
        if in_string:
            if len(in_string) == 1 and ch == "\\":
                i += 2
            elif text.startswith(in_string, i):
                i += len(in_string)
                in_string = None
            else:
                i += 1
            continue
        if text.startswith('"""', i) or text.startswith("'''", i):
            in_string = text[i:i + 3]
            i += 3
            continue
        if ch in "\"'":
            in_string = ch
        elif ch == "<" and re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]):
            i += re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]).end()
            continue
        elif ch == "#":
            nl = text.find("\n", i)
            i = len(text) if nl < 0 else nl
            continue
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                end = i
                break
        i += 1
    if end is None:
        raise Unsupported("unbalanced braces in a SPARQL query")
    projection = re.sub(r"(?i)\bDISTINCT\b|\bREDUCED\b", "", m.group("proj")).strip()
    return text[start:end], projection, text[end + 1:].strip()


def compile_shapes(g: rdflib.Graph, profile: str) -> list[Check]:
    """All checks of one shapes graph, in a stable order."""
    return Compiler(g, profile).compile()
