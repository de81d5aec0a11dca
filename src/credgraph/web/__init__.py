"""``credgraph serve``: the web face of a store (see docs/serve.md).

Kept light on purpose: query worker processes import :mod:`credgraph.web.runner` and
:mod:`credgraph.web.protocol` only, not the web framework.

>>> from credgraph.store import open_store
>>> app = create_app(open_store(":memory:"))
>>> type(app).__name__
'Starlette'
"""

from __future__ import annotations


def create_app(store, settings=None, catalog=None):
    """The ASGI application (Starlette) serving ``store``; see :func:`credgraph.web.app.create_app`."""
    from credgraph.web.app import create_app as build

    return build(store, settings, catalog)


def __getattr__(name):
    if name == "Settings":
        from credgraph.web.app import Settings

        return Settings
    raise AttributeError(name)


__all__ = ["Settings", "create_app"]
