"""credgraph: a linked-data knowledge graph of the credential ecosystem, modelled on CTDL.

The Python API the CLI is built on::

    import credgraph
    store = credgraph.open_store(":memory:")
    report = credgraph.load(store, ["data/"])
    rows = credgraph.run_sparql(store, "SELECT ...").to_python()
"""

from credgraph.catalog import run_query
from credgraph.errors import CredgraphError
from credgraph.load import load
from credgraph.sparql import run_sparql
from credgraph.store import open_store

__all__ = ["CredgraphError", "load", "open_store", "run_query", "run_sparql"]
