"""Errors a user can act on.

Every error credgraph raises on purpose is a :class:`CredgraphError`: it carries *what* went
wrong, *where* (a file with line/column, or a JSON pointer) and *how to fix it*, and knows the
process exit code the CLI should use. The CLI prints ``str(error)`` as one line, never a
traceback (unless ``--debug``).

>>> err = InputError("expected ',' or '}'", where="data.json line 3 column 7",
...                  fix="check the JSON syntax near that place")
>>> str(err)
"data.json line 3 column 7: expected ',' or '}' (fix: check the JSON syntax near that place)"
>>> err.exit_code
2
"""

from __future__ import annotations

#: Exit codes used everywhere (see README "Exit codes").
EXIT_OK = 0
EXIT_NONCONFORMANT = 1
EXIT_USAGE = 2


class CredgraphError(Exception):
    """Base class: a message, an optional location and an optional fix."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.fix = fix

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.fix:
            text += f" (fix: {self.fix})"
        return one_line(text)


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7f]} | {0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t"}


def one_line(text: str) -> str:
    """``text`` with control characters written as escapes, so an error stays one line even when
    it quotes the bad input (parsers quote what they met, newlines and NULs included).

    >>> one_line("Invalid IRI code point '\\n' in <a\\x01b>")
    "Invalid IRI code point '\\\\n' in <a\\\\x01b>"
    """
    return text.translate(_CONTROL)


class InputError(CredgraphError):
    """Input that cannot be read: bad syntax, wrong encoding, unknown format, missing file."""


class ContextError(InputError):
    """A JSON-LD document names a context credgraph will not fetch (no network at run time)."""


class UsageError(CredgraphError):
    """Wrong command-line usage or a bad parameter value."""


class StoreError(CredgraphError):
    """The store cannot be opened or written (locked, corrupt, not writable)."""


class QueryError(CredgraphError):
    """A SPARQL query that does not parse or fails to evaluate."""


class EndpointError(CredgraphError):
    """A remote SPARQL endpoint that cannot be reached or answers with an error."""


class NonConformance(CredgraphError):
    """Data that was read fine but does not conform (exit code 1)."""

    exit_code = EXIT_NONCONFORMANT
