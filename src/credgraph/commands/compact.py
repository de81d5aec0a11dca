"""credgraph compact: rewrite the store's files so that queries read fewer of them."""

from __future__ import annotations

from credgraph.commands._common import add_store_argument, open_store_from, say

VERB = "compact"
ORDER = 12
SUMMARY = "Compact the store after a big load: the same data in fewer files, so queries read less."
EXAMPLES = ["credgraph load registry-documents/ --store ./registry && credgraph compact --store ./registry"]


def add_arguments(p) -> None:
    add_store_argument(p)


def run(args) -> int:
    store = open_store_from(args)
    if store.path is None:
        say("an in-memory store has nothing to compact")
        return 0
    from credgraph.store import COMPACT_SECONDS_PER_GIB, format_size

    say(f"compacting {store.path} (measured here: about {COMPACT_SECONDS_PER_GIB} s per GiB; needs about "
        "the store's size free on disk) ...")
    done = store.compact()
    say(f"compacted {store.path} in {done.seconds:.1f} s: {done.files_before:,} table files -> "
        f"{done.files_after:,}, {format_size(done.bytes_before)} -> {format_size(done.bytes_after)}; "
        "the data and the answers the store keeps are unchanged")
    return 0
