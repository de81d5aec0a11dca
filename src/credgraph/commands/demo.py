"""credgraph demo: the README's main job."""

from __future__ import annotations

import sys

from credgraph.commands._common import add_store_argument

VERB = "demo"
ORDER = 90
SUMMARY = "Build a store from the project's ontology and data, validate it and show a short tour."
EXAMPLES = ["credgraph demo", "credgraph demo --store :memory:"]


def add_arguments(p) -> None:
    add_store_argument(p)


def run(args) -> int:
    from credgraph.demo import run_demo

    return run_demo(args.store, out=sys.stdout)
