"""credgraph infer: materialise OWL-RL conclusions into their own graph."""

from __future__ import annotations

from credgraph import ids
from credgraph.commands._common import add_store_argument, open_store_from, say

VERB = "infer"
ORDER = 15
SUMMARY = "Materialise OWL-RL inference over the loaded vocabulary and data into its own named graph."
EXAMPLES = ["credgraph load ontology/ data/ && credgraph infer",
            "credgraph query --sparql 'SELECT ?c WHERE { ?c a <https://w3id.org/credgraph/terms/NonDegreeCredential> }'"]


def add_arguments(p) -> None:
    add_store_argument(p)


def run(args) -> int:
    from credgraph.infer import infer

    result = infer(open_store_from(args))
    if result.unchanged:
        say(f"inference is up to date ({ids.INFERRED_GRAPH})")
    else:
        say(f"inferred {result.added:,} triples from {result.input_triples:,} into {ids.INFERRED_GRAPH}")
    return 0
