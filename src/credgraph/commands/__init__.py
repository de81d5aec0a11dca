"""One module per CLI verb, discovered automatically.

A verb module defines ``VERB`` (its name), ``ORDER`` (position in ``--help``), ``SUMMARY`` (one
sentence), ``EXAMPLES`` (lines of example commands), ``add_arguments(parser)`` and
``run(args) -> int`` (the exit code). Adding a verb is adding a module here; nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def verb_modules() -> list[ModuleType]:
    """Every verb module of this package, in ``--help`` order."""
    modules = [importlib.import_module(f"{__name__}.{info.name}")
               for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]
    return sorted((m for m in modules if hasattr(m, "VERB")), key=lambda m: (m.ORDER, m.VERB))
