"""Validation profiles: names, the shapes file of each, and the shapes graphs (parsed once).

>>> resolve_profiles(["registry", "structure"])
('registry-minimum', 'ctdl-structure')
>>> resolve_profiles(["all"])[:2]
('registry-minimum', 'ctdl-structure')
>>> DEFAULT_PROFILES
('registry-minimum', 'ctdl-structure')
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from credgraph.errors import UsageError
from credgraph.resources import resource_dir

#: Short names (as ``--profile`` takes them) -> shapes file stem in shapes/.
PROFILES = {
    "registry": "registry-minimum",
    "structure": "ctdl-structure",
    "quality": "quality-ndc",
    "eu-microcredential": "eu-microcredential",
    "pathways": "pathways",
}
#: The profiles that apply to publishing: what `credgraph validate` and `load --validate` use by default.
DEFAULT_PROFILES = ("registry-minimum", "ctdl-structure")
ALL = "all"


def profile_choices() -> list[str]:
    return sorted(PROFILES) + [ALL]


def resolve_profiles(names) -> tuple[str, ...]:
    """Profile file stems for short names, file stems or ``all``; default when empty."""
    if not names:
        return DEFAULT_PROFILES
    out: list[str] = []
    for name in names:
        if name == ALL:
            stems = list(PROFILES.values())
        elif name in PROFILES:
            stems = [PROFILES[name]]
        elif name in PROFILES.values():
            stems = [name]
        else:
            raise UsageError(f"unknown validation profile {name!r}",
                             fix=f"use one of {', '.join(profile_choices())}")
        out.extend(s for s in stems if s not in out)
    return tuple(out)


def shapes_file(stem: str) -> Path:
    path = resource_dir("shapes") / f"{stem}.ttl"
    if not path.is_file():
        raise UsageError(f"the shapes file for profile {stem!r} is missing ({path})",
                         fix="reinstall credgraph, or regenerate shapes with tools/build_shapes.py")
    return path


@lru_cache(maxsize=None)
def shapes_graph(stem: str):
    """The rdflib graph of one profile's shapes (cached per process)."""
    import rdflib  # noqa: PLC0415

    return rdflib.Graph().parse(shapes_file(stem), format="turtle")
