"""Helpers the verb modules share: the store option, output, prefixes, progress display."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def add_store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="PATH",
                        help="store folder (default $CREDGRAPH_STORE or ./.credgraph/store; "
                             "':memory:' for a throwaway one)")


def open_store_from(args):
    from credgraph.store import open_store

    return open_store(args.store)


def add_endpoint_arguments(parser: argparse.ArgumentParser, what: str):
    """--endpoint URL and its authentication and timeout options (``what``: "query"/"load into")."""
    remote = parser.add_argument_group("remote endpoint")
    remote.add_argument("--endpoint", metavar="URL", help=f"{what} this SPARQL 1.1 endpoint instead of the store")
    remote.add_argument("--user", metavar="U", help="basic-auth user name")
    remote.add_argument("--password", metavar="P",
                        help="basic-auth password (default $CREDGRAPH_ENDPOINT_PASSWORD)")
    remote.add_argument("--token", metavar="T", help="bearer token (default $CREDGRAPH_ENDPOINT_TOKEN)")
    remote.add_argument("--timeout", metavar="S", type=float, help="give up on a request after S seconds")
    return remote


def endpoint_from(args):
    """The :class:`~credgraph.remote.Endpoint` the options name, or ``None`` without --endpoint."""
    import os

    from credgraph.errors import UsageError

    remote_options = [o for o in ("user", "password", "token", "timeout") if getattr(args, o) is not None]
    if not args.endpoint:
        if remote_options:
            raise UsageError(f"--{remote_options[0]} applies to a remote endpoint", fix="add --endpoint URL")
        return None
    if args.store:
        raise UsageError("give either --store or --endpoint, not both")
    from credgraph.remote import TOKEN_ENV, Endpoint

    token = args.token if args.token is not None else (None if args.user else os.environ.get(TOKEN_ENV))
    return Endpoint(args.endpoint, user=args.user, password=args.password, token=token, timeout=args.timeout)


def write_out(text: str | bytes, out: str | None = None) -> None:
    """Write a result to ``out`` (a file path) or stdout."""
    if out:
        Path(out).write_bytes(text if isinstance(text, bytes) else text.encode())
        return
    if isinstance(text, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(text)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(text)


def prefixes() -> dict[str, str]:
    from credgraph.namespaces import PREFIXES

    return dict(PREFIXES)


def say(message: str) -> None:
    """A diagnostic line on stderr."""
    print(message, file=sys.stderr)


class TerminalLine:
    """A status line rewritten in place on a terminal (at most every ``every`` seconds); silent in
    pipes and files unless ``enabled``. Subclasses say what the line shows."""

    def __init__(self, label: str, stream=None, enabled: bool | None = None, every: float = 0.2):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.every = every
        self.start = time.monotonic()
        self.last = 0.0
        self.width = 0

    def show(self, text: str, *, now: float, force: bool = False) -> None:
        if self.enabled and (force or now - self.last >= self.every):
            self.last = now
            line = f"\r{self.label}: {text} "
            self.stream.write(line)
            self.stream.flush()
            self.width = max(self.width, len(line))

    def close(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


class Progress(TerminalLine):
    """Loading: "N sources (R/s), T triples (R/s), F failed" on a terminal; silent in pipes and files."""

    done = triples = failed = 0

    def __call__(self, outcome, origin: str) -> None:
        self.done += 1
        if outcome is None or not outcome.ok:
            self.failed += 1
        else:
            self.triples += outcome.triples
        now = time.monotonic()
        elapsed = max(now - self.start, 1e-9)
        self.show(f"{self.done:,} sources ({self.done / elapsed:,.0f}/s), {self.triples:,} triples "
                  f"({self.triples / elapsed:,.0f}/s), {self.failed} failed", now=now)


class StepProgress(TerminalLine):
    """A one-line "label: done/total checks (P%), elapsed" display on a terminal; silent elsewhere.

    For work done in steps over all documents at once (validation runs each check over every
    document), where a count of documents done would not mean anything until the end.

    >>> import io
    >>> out = io.StringIO()
    >>> shown = StepProgress("validating 10 documents", stream=out, enabled=True, every=0.0)
    >>> shown(3, 4)
    >>> "validating 10 documents: 3/4 checks (75%)" in out.getvalue()
    True
    """

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        elapsed = int(now - self.start)
        self.show(f"{done:,}/{total:,} checks ({100 * done // max(total, 1)}%), {elapsed // 60}m{elapsed % 60:02d}s",
                  now=now, force=done == total)


class CountProgress(TerminalLine):
    """A one-line "N documents (R/s)" display on a terminal; silent in pipes and files.

    >>> import io
    >>> out = io.StringIO()
    >>> shown = CountProgress("exporting", stream=out, enabled=True, every=0.0)
    >>> for _ in range(3):
    ...     shown.step()
    >>> shown.done, "exporting: 3 documents" in out.getvalue()
    (3, True)
    """

    done = 0

    def step(self) -> None:
        self.done += 1
        now = time.monotonic()
        self.show(f"{self.done:,} documents ({self.done / max(now - self.start, 1e-9):,.0f}/s)", now=now)
