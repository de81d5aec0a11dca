"""Reading one resource's description the way the crosswalk exporters need it (Open Badges, ELM,
schema.org): texts in a preferred language, IRIs, nested profiles, concept values.

A :class:`View` wraps a node of the store; properties are CURIEs (``ceterms:name``) or IRIs.
Concept values may be a concept IRI (``credentialStat:Active``) or the registry's
CredentialAlignmentObject; :meth:`View.concepts` reads both as :class:`Concept`, with labels from
the CAO or, for concept IRIs, from ``ontology/ctdl.ttl``.

>>> from credgraph.store import open_store
>>> from credgraph.load import load_bytes
>>> from credgraph.export.select import Reader
>>> import pyoxigraph as ox
>>> store = open_store(":memory:")
>>> _ = load_bytes(store, b'''@prefix ceterms: <https://purl.org/ctdl/terms/> .
... <https://example.org/c> ceterms:name "Soudage"@fr, "Welding"@en-US ;
...   ceterms:learningDeliveryType <https://purl.org/ctdl/vocabs/deliveryType/OnlineOnly> .''', fmt="turtle")
>>> view = View(Reader(store), ox.NamedNode("https://example.org/c"))
>>> view.text("ceterms:name")
'Welding'
>>> [(c.iri, c.label) for c in view.concepts("ceterms:learningDeliveryType")]
[('https://purl.org/ctdl/vocabs/deliveryType/OnlineOnly', 'Online Only')]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyoxigraph as ox

from credgraph.export.select import Reader
from credgraph.export.vocab import RDF_TYPE, SKOS, expand_curie, subclass_edges  # noqa: F401
from credgraph.resources import resource_dir

#: Language preference for single-valued text targets (OB3 name, schema.org name ...).
PREFERRED_LANGUAGES = ("en-us", "en", "en-gb")


def _rank(lit: ox.Literal) -> tuple:
    lang = lit.language or ""
    base = lang.split("-")[0]
    if lang in PREFERRED_LANGUAGES:
        order = PREFERRED_LANGUAGES.index(lang)
    elif base == "en":
        order = len(PREFERRED_LANGUAGES)
    elif not lang:
        order = len(PREFERRED_LANGUAGES) + 1
    else:
        order = len(PREFERRED_LANGUAGES) + 2
    return (order, lang, lit.value)


@functools.cache
def concept_labels() -> dict[str, str]:
    """Concept IRI -> its English skos:prefLabel, from ``ontology/ctdl.ttl``."""
    labels: dict[str, tuple] = {}
    pref = SKOS + "prefLabel"
    for t in ox.parse(path=str(resource_dir("ontology") / "ctdl.ttl"), format=ox.RdfFormat.TURTLE):
        if t.predicate.value == pref and isinstance(t.object, ox.Literal):
            rank = _rank(t.object)
            if t.subject.value not in labels or rank < labels[t.subject.value][0]:
                labels[t.subject.value] = (rank, t.object.value)
    return {k: v[1] for k, v in labels.items()}


@dataclass(frozen=True)
class Concept:
    """A concept value: its IRI (if any), label, code and framework (CAO ``framework``)."""

    iri: str | None
    label: str | None
    code: str | None = None
    framework: str | None = None
    framework_name: str | None = None


class View:
    """Read access to one node's properties."""

    def __init__(self, reader: Reader, node):
        self.reader = reader
        self.node = node
        self._out = None

    @property
    def iri(self) -> str | None:
        return self.node.value if isinstance(self.node, ox.NamedNode) else None

    def _pairs(self):
        if self._out is None:
            self._out = {}
            for p, o in self.reader.outgoing(self.node):
                self._out.setdefault(p, []).append(o)
        return self._out

    def values(self, prop: str) -> list:
        return list(self._pairs().get(expand_curie(prop), ()))

    def types(self) -> list[str]:
        return sorted(o.value for o in self._pairs().get(RDF_TYPE, ()) if isinstance(o, ox.NamedNode))

    def literals(self, prop: str) -> list[ox.Literal]:
        return sorted((v for v in self.values(prop) if isinstance(v, ox.Literal)), key=_rank)

    def text(self, prop: str) -> str | None:
        """The value in the most preferred language (en-US, en ... untagged, others)."""
        found = self.literals(prop)
        return found[0].value if found else None

    def texts(self, prop: str) -> list[str]:
        """All values in the most preferred language present, sorted."""
        found = self.literals(prop)
        if not found:
            return []
        lang = found[0].language
        return sorted({lit.value for lit in found if lit.language == lang})

    def languages(self, prop: str) -> dict[str, str]:
        """language tag (lower case, '' for none) -> one value."""
        out: dict[str, str] = {}
        for lit in self.literals(prop):
            out.setdefault(lit.language or "", lit.value)
        return out

    def iris(self, prop: str) -> list[str]:
        return sorted(v.value for v in self.values(prop) if isinstance(v, ox.NamedNode))

    def first_iri(self, prop: str) -> str | None:
        found = self.iris(prop)
        return found[0] if found else None

    def nodes(self, prop: str) -> list["View"]:
        """Views of the node values (IRIs and blank nodes), in a stable order."""
        nodes = [v for v in self.values(prop) if isinstance(v, (ox.NamedNode, ox.BlankNode))]
        views = [View(self.reader, n) for n in nodes]
        return sorted(views, key=lambda v: v.sort_key())

    def sort_key(self) -> str:
        if isinstance(self.node, ox.NamedNode):
            return "0" + self.node.value
        pairs = sorted(f"{p} {o}" for p, os_ in self._pairs().items() for o in os_
                       if not isinstance(o, ox.BlankNode))
        return "1" + "\n".join(pairs)

    def concepts(self, prop: str) -> list[Concept]:
        """Concept values, whether concept IRIs or CredentialAlignmentObjects."""
        out = []
        labels = concept_labels()
        for value in self.values(prop):
            if isinstance(value, ox.NamedNode) and not self.reader.types(value):
                out.append(Concept(value.value, labels.get(value.value)))
            elif isinstance(value, (ox.NamedNode, ox.BlankNode)):
                cao = View(self.reader, value)
                target = cao.first_iri("ceterms:targetNode")
                label = cao.text("ceterms:targetNodeName") or (labels.get(target) if target else None)
                framework = cao.first_iri("ceterms:framework")
                if target is None and label is None and value.__class__ is ox.NamedNode:
                    target = value.value
                out.append(Concept(target, label, cao.text("ceterms:codedNotation"), framework,
                                   cao.text("ceterms:frameworkName")))
        return sorted(out, key=lambda c: (c.iri or "", c.label or "", c.code or ""))
