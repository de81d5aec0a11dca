"""Preparing inputs in worker processes while the main process writes to the store.

Parsing a registry document (JSON, context, JSON-LD to RDF) costs more than writing its quads, and
the store has one writer: so the loader reads and parses files in forked worker processes, which
send back N-Quads bytes, and the main process bulk-loads them in input order. At most ``window``
chunks of ``chunk`` inputs are in flight, so memory stays bounded however many files there are.

A worker that dies (a parser crashing on hostile input, the kernel killing it) does not stop the
load: the inputs it had are prepared again one per task in fresh workers, and an input that kills
its worker again gets ``on_crash(item)`` as its result.

>>> list(ordered_map(str.upper, iter(["a", "b"]), workers=2, local=str.upper))  # too few: in-process
[('a', 'A'), ('b', 'B')]
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

#: Returned by a worker function for an input the main process must prepare itself.
DEFER = "__credgraph_defer__"
#: Environment variable: number of worker processes (0 parses in the main process).
ENV_VAR = "CREDGRAPH_WORKERS"


def default_workers() -> int:
    """Workers to use: ``$CREDGRAPH_WORKERS``, else one per core but one (at most 4; the main process writes); 0 where processes
    cannot be forked (the main process then parses, as on a single core)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    value = os.environ.get(ENV_VAR, "").strip()
    if value.isdigit():
        return int(value)
    return max(0, min((os.cpu_count() or 1) - 1, 4))


def _run_chunk(fn: Callable[[Any], Any], items: list) -> list:
    return [fn(item) for item in items]


def _die_with(parent: int) -> None:
    """Worker initializer: end this worker when the process that started it dies, even by
    SIGKILL (a killed loader's workers would otherwise wait for work forever)."""
    try:
        import ctypes  # noqa: PLC0415
        import signal  # noqa: PLC0415

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):  # elsewhere: watch the parent
        import threading  # noqa: PLC0415
        import time  # noqa: PLC0415

        def watch():
            while os.getppid() == parent:
                time.sleep(1)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # it died before the signal was armed
        os._exit(1)


class _Pool:
    """A process pool that can be replaced when one of its workers dies."""

    def __init__(self, workers: int):
        self.workers = workers
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_die_with, initargs=(os.getpid(),))

    def submit(self, fn, items):
        return self.executor.submit(_run_chunk, fn, items)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def ordered_map(fn: Callable[[Any], Any], items: Iterator, *, workers: int, local: Callable[[Any], Any],
                on_crash: Callable[[Any], Any] | None = None, chunk: int = 16, window: int = 128,
                min_items: int = 64) -> Iterator[tuple[Any, Any]]:
    """``(item, result)`` for each item, in order: ``fn`` runs in ``workers`` forked processes
    (``local`` in this one when ``fn`` returns :data:`DEFER`, or for everything when there are
    fewer than ``min_items`` items or no workers). ``fn`` must be a module-level function (or a
    ``functools.partial`` of one) returning picklable results; it should return errors rather
    than raise them. ``on_crash(item)`` is the result of an input whose worker died twice.
    """
    head = list(itertools.islice(items, min_items))
    if workers < 1 or len(head) < min_items:
        for item in itertools.chain(head, items):
            yield item, local(item)
        return
    source = itertools.chain(head, items)
    pool = _Pool(workers)
    pending: deque = deque()

    def submit() -> bool:
        batch = list(itertools.islice(source, chunk))
        if batch:
            pending.append((batch, pool.submit(fn, batch)))
        return bool(batch)

    def one_by_one(batch: list) -> list:
        results = []
        for item in batch:
            try:
                results.append(pool.submit(fn, [item]).result()[0])
            except BrokenProcessPool:
                pool.restart()
                if on_crash is None:
                    raise
                results.append(on_crash(item))
        return results

    try:
        while len(pending) < window and submit():
            pass
        while pending:
            batch, future = pending.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:  # a worker died: find which input did it, redo the rest
                pool.restart()
                waiting = [b for b, _ in pending]
                pending.clear()
                results = one_by_one(batch)
                for b in waiting:
                    pending.append((b, pool.submit(fn, b)))
            submit()
            for item, result in zip(batch, results):
                yield item, (local(item) if isinstance(result, str) and result == DEFER else result)
    finally:
        pool.close()
