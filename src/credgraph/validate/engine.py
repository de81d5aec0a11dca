"""Run compiled checks over a pyoxigraph store and turn the solutions into a :class:`Report`.

Document-scope checks run once for all documents at once: every pattern is evaluated inside
``GRAPH ?g { ... }``, so each named graph is validated on its own (exactly what validating the
documents one by one would give) while pyoxigraph does the work in one pass per check. Checks that
share a target share one query for their flags (``minCount``-like conditions, one row per focus
node); a check that looks for bad values runs alone first (one index lookup when nothing is wrong)
and meets its target only when it finds something; identical violation patterns of different
shapes run once. Store-scope checks (cross-document rules) run over the union of all graphs.
pyoxigraph holds the GIL while it iterates results, so threads cannot use a second core; worker
processes can (:func:`run_in_processes`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from credgraph import ids
from credgraph.store import is_storage_error, read_again
from credgraph.validate.compile import INFO, VIOLATION, WARNING, Check, compile_shapes
from credgraph.validate.profiles import shapes_graph
from credgraph.validate.report import Report, ResultCollector, ValidationResult

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OWL_ONTOLOGY = "http://www.w3.org/2002/07/owl#Ontology"
META = ox.NamedNode(ids.META_GRAPH)
LOADED_FROM = ox.NamedNode(ids.CG + "loadedFrom")
ORIGIN = ox.NamedNode(ids.CG + "origin")
NAME_PROPERTIES = [ox.NamedNode(i) for i in (
    ids.CETERMS + "name", ids.CEASN + "name", ids.CEASN + "competencyText", "https://schema.org/name",
    "http://www.w3.org/2004/02/skos/core#prefLabel", ids.CETERMS + "targetNodeName")]
CTID = ox.NamedNode(ids.CETERMS + "ctid")
SEVERITY_NAMES = {VIOLATION: "Violation", WARNING: "Warning", INFO: "Info"}
#: Graphs that never hold documents: stored validation reports and load staging graphs.
EXCLUDED_PREFIXES = ("urn:credgraph:report:", ids.STAGING_PREFIX)


@dataclass(slots=True)
class Raw:
    """One solution of a check: before enrichment."""

    check: Check
    graph: str | None
    focus: object                  # pyoxigraph term
    value: object | None
    path: str | None               # SPARQL path text
    severity: str | None = None    # overrides (pySHACL fallback results)
    component: str | None = None
    shape: str | None = None


@dataclass
class QueryGroup:
    """Checks sharing a target and scope.

    Flag checks run as one query over the focus nodes. A rows check's violation pattern binds
    ``?this`` itself, so it runs alone first; only when it finds something are its solutions kept
    for the focus nodes of the target (computed once per group, when first needed). Most checks
    find nothing, and then the target is never evaluated; nor is it when the violation pattern
    is the target's own (:attr:`Check.target_implied`).
    """

    scope: str
    target: str
    prefixes: str
    checks: list
    triggers: frozenset | None

    def focus(self, graph_clause: str, graph_filter: str) -> str:
        if self.scope == "document":
            return (f"{{ SELECT DISTINCT ?g ?this WHERE {{ {graph_clause} GRAPH ?g {{ {self.target} }} "
                    f"{graph_filter} }} }}")
        return f"{{ SELECT DISTINCT ?this WHERE {{ {self.target} }} }}"

    def head(self) -> str:
        return "?g ?this" if self.scope == "document" else "?this"

    def focus_query(self, graph_clause: str, graph_filter: str) -> str:
        return f"{self.prefixes}\nSELECT {self.head()} WHERE {{ {self.focus(graph_clause, graph_filter)} }}"

    def flag_query(self, graph_clause: str, graph_filter: str, flags: list) -> str:
        """One row per focus node that may fail a flag, with each flag's value (``?_f0``...).

        Focus nodes whose every flag is ``true`` are dropped in the query: returning them cost
        half the time of the query (at 100k documents, 99,447 conforming competencies decoded
        for nothing). The caller still decides from the values (unbound, false or odd: a result).
        """
        binds = " ".join(f"BIND(({c.condition}) AS ?_f{i})" for i, c in enumerate(flags))
        all_true = " && ".join(f"COALESCE(sameTerm(?_f{i}, true), false)" for i in range(len(flags)))
        names = " ".join(f"?_f{i}" for i in range(len(flags)))
        return (f"{self.prefixes}\nSELECT {self.head()} {names} WHERE "
                f"{{ {self.focus(graph_clause, graph_filter)} {binds} FILTER(!({all_true})) }}")

    def joined_query(self, check, graph_clause: str, graph_filter: str) -> str:
        """A rows check evaluated inside its target's focus nodes."""
        return (f"{self.prefixes}\nSELECT DISTINCT {self.head()} ?value ?path WHERE "
                f"{{ {self.focus(graph_clause, graph_filter)} {check.violation} }}")

    def rows_query(self, check, graph_clause: str, graph_filter: str) -> tuple[str, bool]:
        """The query of one non-flag check, and whether its solutions still need the target filter."""
        doc = self.scope == "document"
        head = f"SELECT DISTINCT {self.head()} ?value ?path WHERE"
        if check.kind == "rows":
            where = f"{graph_clause} {check.violation} {graph_filter}" if doc else check.violation
            return f"{self.prefixes}\n{head} {{ {where} }}", check.needs_target
        if check.kind == "joined":
            return f"{self.prefixes}\n{head} {{ {self.focus(graph_clause, graph_filter)} {check.violation} }}", False
        inner = f"{rename_apart(self.target)} {check.violation}"
        where = f"{graph_clause} GRAPH ?g {{ {inner} }} {graph_filter}" if doc else inner
        return f"{self.prefixes}\n{head} {{ {where} }}", False


def rename_apart(pattern: str) -> str:
    """A target pattern with every variable but ?this renamed, so it cannot meet a body's variables."""
    return re.sub(r"[?$](?!this\b)(\w+)", r"?_t_\1", pattern)


SEVERITY_RANK = {VIOLATION: 0, WARNING: 1, INFO: 2}
#: A violation pattern run on its own that finds more solutions than this is run joined with its
#: target instead (it is not selective on its own, e.g. a constraint on rdf:type).
ALONE_LIMIT = 20_000


class Engine:
    """The compiled checks of some profiles, ready to run on any store."""

    def __init__(self, profiles: tuple[str, ...]):
        self.profiles = tuple(profiles)
        self.checks: list[Check] = []
        for profile in self.profiles:
            self.checks.extend(compiled(profile))
        self.fallbacks = [c for c in self.checks if c.fallback]
        groups: dict[tuple, QueryGroup] = {}
        for check in self.checks:
            if check.fallback:
                continue
            key = (check.scope, check.target)
            group = groups.get(key)
            if group is None:
                group = groups[key] = QueryGroup(check.scope, check.target, "", [], check.triggers)
            group.checks.append(check)
        for group in groups.values():
            lines = set()
            for check in group.checks:
                lines |= set(filter(None, check.prefixes.split("\n")))
            group.prefixes = "\n".join(sorted(lines))
        self.groups = list(groups.values())

    # ------------------------------------------------------------------ running
    def plan(self, store_inner: ox.Store, graphs: list[str] | None = None, *, filter_triggers: bool = False,
             min_severity: str = INFO, inventory: dict | None = None) -> "Plan":
        """The queries to run for some document graphs (``graphs``, default every document graph).

        ``min_severity`` skips checks of a lower severity (e.g. ``sh:Violation``: violations only).
        ``inventory`` (:func:`take_inventory` of the same store) skips the checks whose
        preconditions it shows cannot hold.
        """
        excluded = excluded_graphs(store_inner)
        if graphs is None:
            graph_clause = ""
            # Terms compare as stored ids; a string function on ?g would decode the graph name of every
            # row (on disk a lookup each: 20x the cost of the scan). Report and staging graphs, known by
            # a name prefix, are dropped from the (few) solutions instead: Runner.solutions.
            graph_filter = "FILTER(?g NOT IN (%s))" % ", ".join(f"<{g}>" for g in sorted(excluded))
        else:
            graph_clause = "VALUES ?g { " + " ".join(f"<{g}>" for g in graphs) + " }" if graphs else "VALUES ?g { }"
            graph_filter = ""
        groups = self.groups
        if filter_triggers:
            present = used_terms(store_inner)
            groups = [g for g in groups if g.triggers is None or g.triggers & present]
        floor = SEVERITY_RANK.get(min_severity, 2)

        def keep(check) -> bool:
            if SEVERITY_RANK.get(check.severity, 0) > floor:
                return False
            return inventory is None or preconditions_hold(check, inventory)
        jobs = []
        shared: dict[tuple, list] = {}   # one query for every check with the same violation pattern
        for group in groups:
            flags = [c for c in group.checks if c.kind == "flag" and keep(c)]
            if flags:
                jobs.append(("flag", group, flags))
            for check in group.checks:
                if check.kind == "flag" or not keep(check):
                    continue
                text, needs_target = group.rows_query(check, graph_clause, graph_filter)
                if needs_target:
                    members = shared.setdefault((group.scope, check.violation, group.prefixes), [])
                    if not members:
                        jobs.append(("rows", text, members))
                    members.append((group, check))
                else:
                    jobs.append(("rows", text, [(group, check)]))
        fallbacks = [c for c in self.fallbacks if keep(c)]
        return Plan(jobs, graph_clause, graph_filter, excluded, graphs, fallbacks)

    def inventories(self) -> tuple[str, ...]:
        """The inventories the preconditions of these checks read."""
        return tuple(sorted({name for check in self.checks for name, _, _ in check.preconditions}))

    def run(self, store_inner: ox.Store, graphs: list[str] | None = None, *,
            filter_triggers: bool = False, min_severity: str = INFO, preconditions: bool = False,
            progress=None, collect=None) -> list[Raw]:
        """All results (unenriched) on the document graphs; queries run one after the other.

        ``preconditions``: take the store's inventory first and skip the checks it rules out (only
        for whole-store runs: the inventory covers every graph). ``progress(done, total)`` is called
        after each query. ``collect(raws)`` (when given) takes each query's results instead of the
        returned list.
        """
        inventory = take_inventory(store_inner, self.inventories()) if preconditions and graphs is None else None
        plan = self.plan(store_inner, graphs, filter_triggers=filter_triggers, min_severity=min_severity,
                         inventory=inventory)
        runner = Runner(store_inner, plan)
        results: list[Raw] = []
        collect = results.extend if collect is None else collect
        for done, job in enumerate(plan.jobs, 1):
            collect(runner.run_job(job))
            if progress is not None:
                progress(done, len(plan.jobs))
        if plan.fallbacks:
            collect(self.run_fallbacks(store_inner, graphs, plan.excluded, plan.fallbacks))
        return results

    def run_fallbacks(self, store_inner: ox.Store, graphs, excluded, fallbacks) -> list[Raw]:
        """Shapes the compiler does not translate, run by pySHACL per document (or on the union)."""
        from credgraph.validate.reference import graph_of, run_pyshacl  # noqa: PLC0415

        documents = graphs if graphs is not None else document_graphs(store_inner, excluded)
        out = []
        for check in fallbacks:
            shapes = shapes_graph(check.profile)
            runs = [(None, documents)] if check.scope == "store" else [(g, [g]) for g in documents]
            for graph, members in runs:
                data = graph_of(store_inner, members)
                for res in run_pyshacl(data, shapes, use_shapes=[check.node_shape]):
                    out.append(Raw(check, graph, from_key(res.focus), from_key(res.value) if res.value else None,
                                   res.path, severity=res.severity, component=res.component,
                                   shape=res.shape or check.shape))
        return out


@dataclass
class Plan:
    jobs: list
    graph_clause: str
    graph_filter: str
    excluded: set
    graphs: list | None
    fallbacks: list


class Runner:
    """Runs the jobs of a plan on one store (in this process or in a worker)."""

    def __init__(self, store_inner: ox.Store, plan: Plan):
        self.store = store_inner
        self.plan = plan
        self.targets: dict[int, set] = {}

    def solutions(self, text: str, document: bool):
        """The solutions of one query, without those in report and staging graphs: a whole-store
        query does not filter them out (see :meth:`Engine.plan`), so document-scope solutions are
        dropped here when their graph has one of :data:`EXCLUDED_PREFIXES`."""
        solutions = self.store.query(text, use_default_graph_as_union=True)
        if not document or self.plan.graphs is not None:
            return solutions
        return (sol for sol in solutions if not sol["g"].value.startswith(EXCLUDED_PREFIXES))

    def target_set(self, group: QueryGroup) -> set:
        key = id(group)
        if key not in self.targets:
            doc = group.scope == "document"
            query = group.focus_query(self.plan.graph_clause, self.plan.graph_filter)
            self.targets[key] = {((sol["g"].value if doc else None), sol["this"]) for sol in self.solutions(query, doc)}
        return self.targets[key]

    @staticmethod
    def flag_fails(flag) -> bool:
        """Whether a flag value of :meth:`QueryGroup.flag_query` is a result: unbound (an error),
        false, or anything but true."""
        return flag is None or flag.value not in ("true", "1")

    @staticmethod
    def raw(check, graph, focus, value, path_term) -> Raw:
        if value is None and check.value_is_focus:
            value = focus
        path = check.path_text
        if check.dynamic_path and path_term is not None:
            path = str(path_term)
        return Raw(check, graph, focus, value, path)

    def run_job(self, job) -> list[Raw]:
        plan, raw = self.plan, self.raw
        out = []
        if job[0] == "flag":
            _, group, checks = job
            doc = group.scope == "document"
            text = group.flag_query(plan.graph_clause, plan.graph_filter, checks)
            for sol in self.solutions(text, doc):
                graph = sol["g"].value if doc else None
                focus = sol["this"]
                for i, check in enumerate(checks):
                    if self.flag_fails(sol[f"_f{i}"]):
                        out.append(Raw(check, graph, focus, focus if check.value_is_focus else None,
                                       check.path_text))
            return out
        _, text, members = job
        doc = members[0][0].scope == "document"
        if len(members) == 1 and not members[0][1].needs_target:
            group, check = members[0]
            for sol in self.solutions(text, doc):
                out.append(raw(check, sol["g"].value if doc else None, sol["this"], sol["value"], sol["path"]))
            return out
        solutions = []
        for sol in self.solutions(text, doc):
            solutions.append(sol)
            if len(solutions) > ALONE_LIMIT:
                break
        if len(solutions) > ALONE_LIMIT:
            # unselective on its own: evaluate it joined with each target instead
            for group, check in members:
                joined = group.joined_query(check, plan.graph_clause, plan.graph_filter)
                for sol in self.solutions(joined, doc):
                    out.append(raw(check, sol["g"].value if doc else None, sol["this"], sol["value"], sol["path"]))
            return out
        for group, check in members:
            if not solutions:
                break
            allowed = self.target_set(group)
            for sol in solutions:
                graph = sol["g"].value if doc else None
                if (graph, sol["this"]) in allowed:
                    out.append(raw(check, graph, sol["this"], sol["value"], sol["path"]))
        return out


# ---------------------------------------------------------------------------------------------------
# Both cores: pyoxigraph holds the GIL while it iterates results, so threads do not run queries in
# parallel. Worker processes do: forked children share the in-memory store copy-on-write (no copy);
# a store on disk is opened read-only in each worker. Each worker runs whole jobs and describes
# their results, so only finished results travel back.
# ---------------------------------------------------------------------------------------------------
_WORKER: dict = {}


#: Attempts at a job whose read-only store handle fails to read (see :func:`_reading`).
STORAGE_ATTEMPTS = 4


def _worker_start(store_path: str | None) -> None:
    _WORKER["path"] = store_path
    _open_worker_store()


def _open_worker_store() -> None:
    if _WORKER.get("path") is not None:
        _WORKER["store"] = ox.Store.read_only(_WORKER["path"])
    if "plan" in _WORKER:
        _WORKER["runner"] = Runner(_WORKER["store"], _WORKER["plan"])
        _WORKER["describer"] = Describer(_WORKER["store"], _WORKER["plan"].excluded)


def _reading(work):
    """Run ``work()`` in a worker; reopen the store and run it again when a read fails because the
    process holding the store read-write compacted it meanwhile (:func:`credgraph.store.read_again`)."""
    def storage_error(exc: Exception) -> bool:
        return isinstance(exc, (OSError, RuntimeError)) and is_storage_error(exc) and _WORKER.get("path") is not None

    return read_again(work, _open_worker_store, attempts=STORAGE_ATTEMPTS, pause=0.05, retry=storage_error)


def _worker_job(index: int) -> list:
    job = _WORKER["plan"].jobs[index]
    described = _reading(lambda: describe_raws(_WORKER["runner"].run_job(job), _WORKER["describer"]))
    _WORKER["describer"].trim()
    return described


def _inventory_job(name: str) -> tuple[str, dict]:
    return name, _reading(lambda: take_inventory(_WORKER["store"], (name,))[name])


def run_in_processes(engine: "Engine", store, graphs, *, workers: int, filter_triggers: bool,
                     min_severity: str, preconditions: bool = False, progress=None,
                     collect=None) -> tuple[list, list]:
    """(described results, raw results of pySHACL fallbacks) using ``workers`` processes.

    ``progress(done, total)`` is called as the workers finish queries; ``collect(results)`` (when
    given) takes the described results of each query instead of the returned list.
    """
    import multiprocessing  # noqa: PLC0415

    path = str(store.path) if store.path is not None else None
    if path is not None:
        store.flush()
    inventory = None
    names = engine.inventories()
    if preconditions and graphs is None and names:
        _WORKER.clear()
        _WORKER.update(store=store.inner)
        try:
            with multiprocessing.get_context("fork").Pool(min(workers, len(names)), initializer=_worker_start,
                                                          initargs=(path,)) as pool:
                inventory = dict(pool.map(_inventory_job, names))
        finally:
            _WORKER.clear()
    plan = engine.plan(store.inner, graphs, filter_triggers=filter_triggers, min_severity=min_severity,
                       inventory=inventory)
    _WORKER.clear()
    _WORKER.update(plan=plan, store=store.inner)
    # costly jobs first, so the pool ends evenly
    order = sorted(range(len(plan.jobs)), key=lambda i: plan.jobs[i][0] != "flag")
    results: list = []
    collect = results.extend if collect is None else collect
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start, initargs=(path,)) as pool:
            for done, part in enumerate(pool.imap_unordered(_worker_job, order, chunksize=4), 1):
                collect(part)
                if progress is not None:
                    progress(done, len(order))
    finally:
        _WORKER.clear()
    fallbacks = engine.run_fallbacks(store.inner, graphs, plan.excluded, plan.fallbacks) if plan.fallbacks else []
    return results, fallbacks


#: Inventories of the whole store that cgv:precondition reads: for each property, the classes of its
#: subjects (or of its values) typed in the same graph. Each is one hash join over the store, where the
#: ~700 domain and range checks would each look up the types of every use of their property (on a
#: store on disk, ~100k documents: ~30 CPU-s for both against ~135 for the checks; docs/validation.md).
INVENTORIES = {
    "subjectTypes": f"SELECT DISTINCT ?p ?type WHERE {{ GRAPH ?g {{ ?s ?p ?o . ?s <{RDF_TYPE.value}> ?type }} }}",
    "valueTypes": f"SELECT DISTINCT ?p ?type WHERE {{ GRAPH ?g {{ ?s ?p ?o . ?o <{RDF_TYPE.value}> ?type }} }}",
}


def take_inventory(store_inner: ox.Store, names) -> dict[str, dict[str, frozenset]]:
    """The named inventories of a store: ``{name: {property IRI: classes}}`` (IRIs as text)."""
    out = {}
    for name in names:
        found: dict[str, set] = {}
        for sol in store_inner.query(INVENTORIES[name]):
            kind = sol["type"]   # a literal or blank node "class" is never an allowed one: keep it too
            found.setdefault(sol["p"].value, set()).add(kind.value if isinstance(kind, ox.NamedNode) else str(kind))
        out[name] = {p: frozenset(types) for p, types in found.items()}
    return out


def preconditions_hold(check: Check, inventory: dict) -> bool:
    """False when the inventory shows that a check cannot find anything (see :data:`INVENTORIES`).

    >>> from credgraph.validate.compile import Check
    >>> check = Check("k", "p", "s", "s", "c", "v", "m", None, None, "document",
    ...               preconditions=(("subjectTypes", "urn:p", frozenset({"urn:A"})),))
    >>> preconditions_hold(check, {"subjectTypes": {"urn:p": frozenset({"urn:A"})}})
    False
    >>> preconditions_hold(check, {"subjectTypes": {"urn:p": frozenset({"urn:A", "urn:B"})}})
    True
    """
    if check.scope != "document":   # the inventory pairs a use with types in the same graph only
        return True
    for name, prop, allowed in check.preconditions:
        if name not in inventory:
            continue
        if not (inventory[name].get(prop, frozenset()) - allowed):
            return False
    return True


@lru_cache(maxsize=None)
def compiled(profile: str) -> tuple[Check, ...]:
    return tuple(compile_shapes(shapes_graph(profile), profile))


@lru_cache(maxsize=None)
def engine_for(profiles: tuple[str, ...]) -> Engine:
    return Engine(profiles)


def from_key(text: str):
    """A pyoxigraph term from its N-Triples form."""
    triple = next(iter(ox.parse(f"<urn:x:s> <urn:x:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES)))
    return triple.object


def excluded_graphs(store_inner: ox.Store) -> set[str]:
    """Graphs that are not documents: the metadata and inference graphs, vocabularies (owl:Ontology)."""
    out = {ids.META_GRAPH, ids.INFERRED_GRAPH}
    for sol in store_inner.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?o a <{OWL_ONTOLOGY}> }} }}"):
        out.add(sol["g"].value)
    return out


def document_graphs(store_inner: ox.Store, excluded: set[str] | None = None) -> list[str]:
    excluded = excluded_graphs(store_inner) if excluded is None else excluded
    return sorted(g.value for g in store_inner.named_graphs()
                  if isinstance(g, ox.NamedNode) and g.value not in excluded and not g.value.startswith(EXCLUDED_PREFIXES))


def used_terms(store_inner: ox.Store) -> frozenset:
    """Predicates and classes used in the store (to skip checks whose targets cannot match)."""
    found = set()
    for sol in store_inner.query("SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"):
        found.add(sol["p"].value)
    for sol in store_inner.query(f"SELECT DISTINCT ?c WHERE {{ GRAPH ?g {{ ?s <{RDF_TYPE.value}> ?c }} }}"):
        if isinstance(sol["c"], ox.NamedNode):
            found.add(sol["c"].value)
    return frozenset(found)


# ---------------------------------------------------------------------------------------------------
# From solutions to results a person can read
# ---------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _prefixes() -> tuple:
    from credgraph.namespaces import PREFIXES  # noqa: PLC0415

    return tuple(sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])))


@lru_cache(maxsize=65536)
def compact(iri: str) -> str:
    """A CURIE for an IRI when a project prefix fits, else ``<iri>``."""
    best = None
    for prefix, ns in _prefixes():
        if iri.startswith(ns) and (best is None or len(ns) > len(best[1])):
            local = iri[len(ns):]
            if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*", local or "-") and not local.endswith("."):
                best = (prefix, ns)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else f"<{iri}>"


@lru_cache(maxsize=65536)
def compact_path(sparql_path: str | None) -> str | None:
    if sparql_path is None:
        return None
    text = re.sub(r"<([^>]*)>", lambda m: compact(m.group(1)), sparql_path)
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1]
    return text


class Describer:
    """Names, CTIDs, owning resources and stable labels for the nodes results talk about."""

    def __init__(self, store_inner: ox.Store, excluded: set[str]):
        self.store = store_inner
        self.excluded = excluded
        self._hash: dict = {}
        self._up: dict = {}
        self._origin: dict = {}
        self._literal: dict = {}
        self._type: dict = {}
        self.focus_info: dict = {}
        self.value_info: dict = {}

    #: Entries a cache of the describer may hold before it starts over (a registry-sized store has
    #: millions of focus nodes; a query's results mostly repeat a few thousand of them).
    CACHE_LIMIT = 200_000

    def trim(self) -> None:
        """Empty the caches that outgrew :attr:`CACHE_LIMIT` (call between queries)."""
        for cache in (self._hash, self._up, self._origin, self._literal, self._type, self.focus_info,
                      self.value_info):
            if len(cache) > self.CACHE_LIMIT:
                cache.clear()

    def graphs_of(self, node) -> list[str]:
        found = {q.graph_name.value for q in self.store.quads_for_pattern(node, None, None)
                 if isinstance(q.graph_name, ox.NamedNode)}
        if not found:
            found = {q.graph_name.value for q in self.store.quads_for_pattern(None, None, node)
                     if isinstance(q.graph_name, ox.NamedNode)}
        return sorted(g for g in found if g not in self.excluded and not g.startswith(EXCLUDED_PREFIXES))

    def graphs_stating(self, focus, path: str | None, value) -> list[str]:
        """Document graphs holding the triple a store-scope result is about (simple paths only)."""
        if not path or value is None or not re.fullmatch(r"<[^<>]*>", path):
            return []
        found = {q.graph_name.value for q in self.store.quads_for_pattern(focus, ox.NamedNode(path[1:-1]), value)
                 if isinstance(q.graph_name, ox.NamedNode)}
        return sorted(g for g in found if g not in self.excluded and not g.startswith(EXCLUDED_PREFIXES))

    def content_hash(self, node, graph, depth: int = 0) -> str:
        """A hash of a blank node's description (nested blank nodes included, to a depth)."""
        key = (node, graph, depth)
        if key in self._hash:
            return self._hash[key]
        g = ox.NamedNode(graph) if graph else None
        parts = []
        for q in self.store.quads_for_pattern(node, None, None, g):
            obj = q.object
            if isinstance(obj, ox.BlankNode):
                obj_text = "[" + (self.content_hash(obj, graph, depth + 1) if depth < 4 else "") + "]"
            else:
                obj_text = str(obj)
            parts.append(f"{q.predicate} {obj_text}")
        digest = hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:20]
        self._hash[key] = digest
        return digest

    def owner(self, node, graph) -> tuple[object, tuple]:
        """The nearest IRI above a blank node, and the properties leading down to it."""
        key = (node, graph)
        if key in self._up:
            return self._up[key]
        chain: list[str] = []
        current, seen = node, set()
        g = ox.NamedNode(graph) if graph else None
        while isinstance(current, ox.BlankNode) and current not in seen and len(chain) < 12:
            seen.add(current)
            incoming = [q for q in self.store.quads_for_pattern(None, None, current, g)
                        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(EXCLUDED_PREFIXES))]
            if not incoming:
                break
            incoming.sort(key=lambda q: (isinstance(q.subject, ox.BlankNode), q.predicate.value,
                                         q.subject.value if isinstance(q.subject, ox.NamedNode) else
                                         self.content_hash(q.subject, graph)))
            chain.append(compact(incoming[0].predicate.value))
            current = incoming[0].subject
        result = (current if isinstance(current, ox.NamedNode) else None, tuple(reversed(chain)))
        self._up[key] = result
        return result

    def label(self, node, graph) -> str:
        """N-Triples text of a node; blank nodes get a label from their place and content."""
        if not isinstance(node, ox.BlankNode):
            return str(node)
        resource, chain = self.owner(node, graph)
        seed = f"{resource.value if resource else ''}|{'/'.join(chain)}|{self.content_hash(node, graph)}"
        return "_:b" + hashlib.sha256(seed.encode()).hexdigest()[:16]

    def first_literal(self, node, predicates, graph) -> str | None:
        key = (node, tuple(predicates), graph)
        if key not in self._literal:
            self._literal[key] = self._first_literal(node, predicates, graph)
        return self._literal[key]

    def _first_literal(self, node, predicates, graph) -> str | None:
        g = ox.NamedNode(graph) if graph else None
        for pred in predicates:
            values = [q.object for q in self.store.quads_for_pattern(node, pred, None, g)
                      if isinstance(q.object, ox.Literal)]
            if values:
                rank = {"en-us": 0, "en": 1, "": 2}
                values.sort(key=lambda v: (rank.get((v.language or "").lower(), 3), v.value))
                return values[0].value
        return None

    def type_of(self, node, graph) -> str | None:
        key = (node, graph)
        if key not in self._type:
            self._type[key] = self._type_of(node, graph)
        return self._type[key]

    def _type_of(self, node, graph) -> str | None:
        g = ox.NamedNode(graph) if graph else None
        types = sorted(q.object.value for q in self.store.quads_for_pattern(node, RDF_TYPE, None, g)
                       if isinstance(q.object, ox.NamedNode))
        return compact(types[0]) if types else None

    def display(self, term, graph) -> str:
        if isinstance(term, ox.NamedNode):
            return compact(term.value)
        if isinstance(term, ox.BlankNode):
            kind = self.type_of(term, graph)
            return f"[{kind}]" if kind else "[blank node]"
        text = term.value
        if len(text) > 80:
            text = text[:77] + "..."
        text = '"' + text.replace('"', '\\"') + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return f"{text}^^{compact(term.datatype.value)}"
        return text

    def origin(self, graph: str | None) -> str | None:
        if graph is None:
            return None
        if graph not in self._origin:
            origin = None
            for q in self.store.quads_for_pattern(ox.NamedNode(graph), LOADED_FROM, None, META):
                for o in self.store.quads_for_pattern(q.object, ORIGIN, None, META):
                    origin = o.object.value
            self._origin[graph] = origin
        return self._origin[graph]


def fill_message(message: str, raw: Raw, describe: Describer, graph) -> str:
    """Substitute SHACL-SPARQL message templates ({?value}, {$this}, {?path})."""
    def sub(m):
        name = m.group(1)
        if name == "this":
            return describe.display(raw.focus, graph)
        if name == "value" and raw.value is not None:
            return describe.display(raw.value, graph)
        if name == "path" and raw.path:
            return compact_path(raw.path)
        return m.group(0)
    return re.sub(r"\{[?$](\w+)\}", sub, message)


def build_report(store_inner: ox.Store, raws: list[Raw], profiles: tuple, documents: int,
                 errors: list | None = None, notes: list | None = None,
                 described: "list | ResultCollector | None" = None) -> Report:
    """A report from raw results (described here) and results already described (by workers, or
    gathered in a :class:`~credgraph.validate.report.ResultCollector`, which may have spilled them)."""
    collector = described if isinstance(described, ResultCollector) else ResultCollector()
    if isinstance(described, list):
        collector.extend(described)
    if raws:
        collector.extend(describe_raws(raws, Describer(store_inner, excluded_graphs(store_inner))))
    return Report(collector.finish(), profiles=profiles, documents=documents, errors=list(errors or []),
                  notes=list(notes or []))


def describe_raws(raws: list[Raw], describe: "Describer") -> list[ValidationResult]:
    """Results a person can read: each focus described once (its resource, CTID, name, place)."""
    focus_info = describe.focus_info
    value_info = describe.value_info
    results = []
    for raw in raws:
        check = raw.check
        graph = raw.graph
        if graph is None:
            candidates = describe.graphs_stating(raw.focus, raw.path, raw.value) or describe.graphs_of(raw.focus)
            graph = candidates[0] if candidates else None
        key = (raw.focus, graph)
        info = focus_info.get(key)
        if info is None:
            if isinstance(raw.focus, ox.NamedNode):
                resource, chain = raw.focus, ()
            else:
                resource, chain = describe.owner(raw.focus, graph)
            info = focus_info[key] = (
                describe.label(raw.focus, graph), resource.value if resource is not None else None,
                describe.first_literal(resource, [CTID], graph) if resource is not None else None,
                describe.first_literal(resource, NAME_PROPERTIES, graph) if resource is not None else None,
                describe.type_of(resource if resource is not None else raw.focus, graph), chain,
                describe.origin(graph))
        focus_label, resource_iri, ctid, name, resource_type, chain, source = info
        if raw.value is None:
            value, value_display = None, None
        else:
            vkey = (raw.value, graph)
            if vkey not in value_info:
                value_info[vkey] = (describe.label(raw.value, graph), describe.display(raw.value, graph))
            value, value_display = value_info[vkey]
        fix = check.fix
        message = fill_message(check.message, raw, describe, graph) if "{" in check.message else check.message
        if check.shape.endswith("#unknown-property") and raw.path:
            suggestion = suggest(raw.path)
            if suggestion:
                fix = f"did you mean {suggestion}? ({fix})" if fix else f"did you mean {suggestion}?"
        results.append(ValidationResult(
            SEVERITY_NAMES.get(raw.severity or check.severity, "Violation"), focus_label, resource_iri, ctid, name,
            resource_type, chain, compact_path(raw.path), raw.path, value, value_display, message, fix,
            raw.shape or check.shape, raw.component or check.component, check.profile, graph, source,
            check.see_also))
    return results


@lru_cache(maxsize=1)
def _known_terms() -> tuple[str, ...]:
    from credgraph.namespaces import CEASN, CETERMS  # noqa: PLC0415

    names = []
    for ns in (CETERMS, CEASN):
        names += [str(ns._NS) + n for n in getattr(ns, "__annotations__", {}) if not n.startswith("_")]
    return tuple(sorted(set(names)))


def suggest(path: str) -> str | None:
    """The closest CTDL term to a misspelt one (for the fix of an unknown property)."""
    import difflib  # noqa: PLC0415

    iri = path.strip("<>")
    if not iri.startswith((ids.CETERMS, ids.CEASN)):
        return None
    local = iri.rsplit("/", 1)[-1]
    known = [t for t in _known_terms() if t.startswith(iri[: len(iri) - len(local)])]
    match = difflib.get_close_matches(local, [t.rsplit("/", 1)[-1] for t in known], n=1, cutoff=0.8)
    return compact(iri[: len(iri) - len(local)] + match[0]) if match else None
