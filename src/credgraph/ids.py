"""Identifiers credgraph mints or recognises: graph names, CTIDs, registry IRIs, legacy forms.

>>> is_ctid("ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec")
True
>>> is_ctid("ce-509682BB-658e-4eb6-87f2-ebff5d5e0aec")
False
>>> normalise_iri("http://purl.org/ctdl/terms/Certificate")
'https://purl.org/ctdl/terms/Certificate'
>>> registry_resource("ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec")
'https://credentialengineregistry.org/resources/ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec'
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

CG = "https://w3id.org/credgraph/terms/"
CG_ID = "https://w3id.org/credgraph/id/"
CG_GRAPH = "https://w3id.org/credgraph/graph/"

#: Where credgraph keeps what it knows about loaded sources.
META_GRAPH = CG_GRAPH + "meta"
#: Where OWL-RL inference writes the triples it derives.
INFERRED_GRAPH = CG_GRAPH + "inferred"
#: Graphs written during a load before it commits; never visible after a clean commit.
STAGING_PREFIX = "urn:credgraph:staging:"

CETERMS = "https://purl.org/ctdl/terms/"
CEASN = "https://purl.org/ctdlasn/terms/"

REGISTRY_BASE = "https://credentialengineregistry.org/"
SANDBOX_BASE = "https://sandbox.credentialengineregistry.org/"

CTID_PATTERN = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# Legacy http:// forms normalised to https:// on input (CTDL terms, concept vocabularies,
# registry resources). Order matters only for readability: none is a prefix of another.
LEGACY_PREFIXES = (
    ("http://purl.org/ctdl/", "https://purl.org/ctdl/"),
    ("http://purl.org/ctdlasn/", "https://purl.org/ctdlasn/"),
    ("http://credentialengineregistry.org/", "https://credentialengineregistry.org/"),
    ("http://sandbox.credentialengineregistry.org/", "https://sandbox.credentialengineregistry.org/"),
)
LEGACY_MARKERS = tuple(old.encode() for old, _ in LEGACY_PREFIXES)


def is_ctid(value: str) -> bool:
    """True for a well-formed CTID: ``ce-`` and a lower-case UUID (39 characters)."""
    return bool(CTID_PATTERN.match(value))


def normalise_iri(iri: str) -> str:
    """Rewrite a legacy ``http://`` CTDL or registry IRI to its ``https://`` form."""
    if iri.startswith("http://"):
        for old, new in LEGACY_PREFIXES:
            if iri.startswith(old):
                return new + iri[len(old):]
    return iri


def registry_resource(ctid: str, base: str = REGISTRY_BASE) -> str:
    """The registry IRI of a resource with this CTID."""
    return f"{base}resources/{ctid}"


def registry_graph(ctid: str, base: str = REGISTRY_BASE) -> str:
    """The registry IRI of the graph document of the resource with this CTID."""
    return f"{base}graph/{ctid}"


def ctid_of(iri: str) -> str | None:
    """The CTID at the tail of a registry-style IRI, if there is one.

    >>> ctid_of("https://sandbox.credentialengineregistry.org/resources/ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec")
    'ce-509682bb-658e-4eb6-87f2-ebff5d5e0aec'
    >>> ctid_of("https://example.org/x") is None
    True
    """
    tail = iri.rstrip("/").rsplit("/", 1)[-1]
    return tail if tail.lower().startswith("ce-") and len(tail) == 39 else None


def file_graph(path: Path) -> str:
    """The default graph name of a file source: its ``file://`` URI."""
    return path.resolve().as_uri()


def content_graph(kind: str, data: bytes) -> str:
    """A graph name for a source without a location (stdin), from its content."""
    return f"urn:credgraph:{kind}:{hashlib.sha256(data).hexdigest()}"
