"""Where the project's data files are: ontology/, shapes/, queries/ and data/.

In an installed wheel they ship inside the package (``credgraph/_data/<name>``, see
``pyproject.toml``); in a source checkout (including editable installs) they are the top-level
folders of the repository. Code never builds these paths by hand; it asks here.

>>> (resource_dir("ontology") / "ctdl.ttl").is_file()
True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

KINDS = ("ontology", "shapes", "queries", "data")


def resource_dir(kind: str) -> Path:
    """The folder holding one kind of project data file."""
    if kind not in KINDS:
        raise ValueError(f"unknown resource kind {kind!r}; expected one of {KINDS}")
    packaged = resources.files("credgraph") / "_data" / kind
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / kind
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"credgraph's {kind}/ folder is missing from this installation")


def resource_files(kind: str, pattern: str = "*") -> list[Path]:
    """Files of one kind matching a glob pattern, recursively, in a stable order."""
    return sorted(p for p in resource_dir(kind).rglob(pattern) if p.is_file())
