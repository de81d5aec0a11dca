"""Query runners: where user SPARQL runs, with a deadline, a result-size limit and a bounded pool.

pyoxigraph cannot cancel a running query, and some queries (an unbounded property path, a
cartesian product) spend all their time inside one engine call. So:

* :class:`ProcessRunner` (a store on disk): N worker processes, each with the store opened
  read-only (RocksDB lets readers in beside the server's read-write handle). A query that passes
  its deadline gets its worker **killed** and replaced; the client gets 503. Workers reopen the
  store when the server has applied an update, so answers always reflect it.
* :class:`ThreadRunner` (an in-memory store, which other processes cannot see): N threads. A
  query that passes its deadline is answered 503 at once and stops at its next result row; one
  stuck inside the engine keeps its thread (and its slot) until the engine returns.

In both, a request that finds every slot busy until its own deadline gets 503 instead of queueing
forever, and the event loop never blocks (pyoxigraph releases the GIL while it evaluates).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from credgraph.store import read_again
from credgraph.web.protocol import Job, Reply, StorageError, execute, text_reply

log = logging.getLogger("credgraph.serve")


def timeout_reply(seconds: float) -> Reply:
    return text_reply(503, f"query stopped: it ran longer than {seconds:g} s, the server's limit "
                           "(--query-timeout); narrow it (bound a property path, add LIMIT)",
                      **{"Credgraph-Limit": "timeout"})


def busy_reply(workers: int) -> Reply:
    return text_reply(503, f"all {workers} query workers stayed busy until this query's time limit; "
                           "try again shortly", **{"Credgraph-Limit": "busy", "Retry-After": "1"})


# ------------------------------------------------------------------------------------ processes
#: Attempts at a query whose read-only store handle fails to read (see worker_main).
STORAGE_ATTEMPTS = 5


def worker_main(path: str, conn) -> None:
    """A query worker process: opens the store read-only and answers jobs until told to stop.

    A read-only RocksDB handle sees the store as it was when opened, so the worker reopens it when
    the server says the store changed (the job's generation). The server's background compaction
    may also delete files an older handle still needs; reading then fails with an I/O error, and
    the worker reopens the store and runs the query again (:func:`credgraph.store.read_again`).
    """
    import pyoxigraph as ox

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C is the server's to handle
    store, generation = None, -1

    def answer(job: Job) -> Reply:
        nonlocal store, generation
        if store is None or job.generation != generation:
            store = None
            store = ox.Store.read_only(path)
            generation = job.generation
        return execute(store, job, raise_storage=True)

    def reopen() -> None:
        nonlocal store
        store = None

    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = read_again(lambda: answer(job), reopen, attempts=STORAGE_ATTEMPTS, pause=0.02,
                               retry=lambda exc: isinstance(exc, (StorageError, OSError, RuntimeError)))
        except (StorageError, OSError, RuntimeError) as exc:
            store = None
            reply = text_reply(500, f"query worker could not read the store: {exc}")
        except Exception as exc:  # noqa: BLE001 (report, never die silently)
            reply = text_reply(500, f"query worker error: {type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (OSError, ValueError) as exc:  # e.g. a body too big to pickle
            conn.send(text_reply(500, f"query worker could not send the result: {exc}"))


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.Process
    conn: object


class ProcessRunner:
    """Runs queries in worker processes that can be killed at their deadline."""

    kind = "processes"

    def __init__(self, path: str, workers: int = 2, start_timeout: float = 60.0):
        self.path = path
        self.workers = max(1, workers)
        self.start_timeout = start_timeout
        self.generation = 0
        self.context = multiprocessing.get_context("spawn")
        self.idle: asyncio.Queue[_Worker] | None = None
        self.all: set[_Worker] = set()
        self.killed = 0  # workers killed at a deadline (for tests and the log)

    async def start(self) -> None:
        self.idle = asyncio.Queue()
        started = await asyncio.gather(*(self._spawn() for _ in range(self.workers)))
        for worker in started:
            self.idle.put_nowait(worker)

    async def _spawn(self) -> _Worker:
        parent, child = self.context.Pipe(duplex=True)
        process = self.context.Process(target=worker_main, args=(self.path, child), daemon=True,
                                       name="credgraph-query-worker")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        if not await _readable(parent, self.start_timeout) or parent.recv() != "ready":
            process.kill()
            raise RuntimeError("a query worker did not start")
        self.all.add(worker)
        return worker

    async def _replace(self, worker: _Worker) -> None:
        self._kill(worker)
        try:
            self.idle.put_nowait(await self._spawn())
        except Exception as exc:  # noqa: BLE001 (the pool shrinks; every later query says busy)
            log.error("could not start a replacement query worker: %s", exc)

    def _kill(self, worker: _Worker) -> None:
        self.all.discard(worker)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()

    def updated(self) -> None:
        """The store changed: workers reopen it before their next query."""
        self.generation += 1

    async def run(self, job: Job, timeout: float) -> Reply:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker = await asyncio.wait_for(self.idle.get(), timeout)
        except TimeoutError:
            return busy_reply(self.workers)
        returned = False
        try:
            worker.conn.send(replace(job, generation=self.generation, cancelled=None))
            if not await _readable(worker.conn, deadline - loop.time()):
                self.killed += 1
                log.warning("query passed its %.1f s limit; worker %s killed", timeout, worker.process.pid)
                returned = True
                await asyncio.shield(self._replace(worker))
                return timeout_reply(timeout)
            reply = await asyncio.to_thread(worker.conn.recv)
            self.idle.put_nowait(worker)
            returned = True
            return reply
        except (EOFError, OSError):
            returned = True
            await asyncio.shield(self._replace(worker))
            return text_reply(500, "the query worker died while answering (out of memory?); "
                                   "the query may be too large for this server")
        finally:
            if not returned:  # the client went away mid-query: do not leak the worker
                self._kill(worker)
                asyncio.ensure_future(self._respawn_later())

    async def _respawn_later(self) -> None:
        try:
            self.idle.put_nowait(await self._spawn())
        except Exception as exc:  # noqa: BLE001
            log.error("could not start a replacement query worker: %s", exc)

    async def close(self) -> None:
        for worker in list(self.all):
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in list(self.all):
            worker.process.join(timeout=2)
            self._kill(worker)


async def _readable(conn, timeout: float) -> bool:
    """Wait (without blocking the event loop) until ``conn`` has data or EOF; False on timeout."""
    if conn.poll():
        return True
    if timeout <= 0:
        return False
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, lambda: ready.done() or ready.set_result(True))
    try:
        await asyncio.wait_for(ready, timeout)
        return True
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)


# ------------------------------------------------------------------------------------ threads
class ThreadRunner:
    """Runs queries in threads; a late query is answered 503 and abandoned (not killed)."""

    kind = "threads"

    def __init__(self, store, workers: int = 2):
        self.store = store  # a pyoxigraph.Store
        self.workers = max(1, workers)
        self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="credgraph-query")
        self.slots: asyncio.Semaphore | None = None
        self.generation = 0
        self.killed = 0

    async def start(self) -> None:
        self.slots = asyncio.Semaphore(self.workers)

    def updated(self) -> None:
        self.generation += 1

    async def run(self, job: Job, timeout: float) -> Reply:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            await asyncio.wait_for(self.slots.acquire(), timeout)
        except TimeoutError:
            return busy_reply(self.workers)
        job = replace(job, cancelled=threading.Event())
        future = loop.run_in_executor(self.pool, execute, self.store, job)
        future.add_done_callback(lambda _: self.slots.release())
        try:
            return await asyncio.wait_for(asyncio.shield(future), max(0.0, deadline - loop.time()))
        except TimeoutError:
            job.cancelled.set()
            return timeout_reply(timeout)
        except asyncio.CancelledError:
            job.cancelled.set()
            raise

    async def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def default_workers() -> int:
    """CPU count + 2, at least 4: two runaway queries cannot starve the pool on a 2-core machine."""
    return max(4, (os.cpu_count() or 2) + 2)


def make_runner(store, workers: int | None = None):
    """A :class:`ProcessRunner` for a store on disk, a :class:`ThreadRunner` for one in memory."""
    # More workers than cores: a runaway query holds a worker until its deadline, and the pool must
    # still have room for everyone else (ordinary queries take milliseconds, so they share CPU fine).
    workers = workers or default_workers()
    if store.path is not None:
        return ProcessRunner(str(store.path), workers)
    return ThreadRunner(store.inner, workers)
