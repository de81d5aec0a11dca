"""Reading raw input: bytes from a file or stdin, checked to be text, normalised to UTF-8.

>>> raw = read_bytes(b"\\xef\\xbb\\xbf<a:b> <c:d> <e:f> .", origin="x.nt")
>>> raw.text[:5], raw.legacy
(b'<a:b>', False)
>>> read_bytes(b"", origin="empty.ttl")
Traceback (most recent call last):
...
credgraph.errors.InputError: empty.ttl: the file is empty, there is nothing to load (fix: check that the right file was given, or remove it)
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

from credgraph import ids
from credgraph.errors import InputError

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class RawInput:
    """One input's content: UTF-8 text without BOM, plus what identifies it."""

    origin: str          # what to call it in messages: a path, or "stdin"
    path: Path | None    # the file, when there is one
    text: bytes          # UTF-8, BOM removed
    sha256: str          # of the bytes as given (so an unchanged file is recognised)
    legacy: bool         # contains legacy http:// CTDL or registry IRIs to normalise
    encoding_note: str | None = None  # e.g. "decoded from UTF-16"
    uri: str | None = None  # the file's resolved file:// URI (its identity, default graph and base)


def line_column(text: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of a byte offset."""
    line = text.count(b"\n", 0, offset) + 1
    column = offset - (text.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def read_bytes(data: bytes, *, origin: str, path: Path | None = None, uri: str | None = None) -> RawInput:
    """Check and normalise raw bytes; raise :class:`InputError` when they are not usable text."""
    sha = hashlib.sha256(data).hexdigest()
    note = None
    for bom, encoding in BOMS:
        if data.startswith(bom):
            if encoding != "utf-8":
                try:
                    data = data[len(bom):].decode(encoding).encode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InputError(f"not valid {encoding.upper()} text despite its byte-order mark "
                                     f"({exc.reason} at byte {exc.start})", where=origin,
                                     fix="save the file as UTF-8") from None
                note = f"decoded from {encoding.upper()}"
            else:
                data = data[len(bom):]
            break
    if not data.strip():
        raise InputError("the file is empty, there is nothing to load", where=origin,
                         fix="check that the right file was given, or remove it")
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = line_column(data, nul)
        raise InputError(f"binary data (a NUL byte at line {line} column {col}), not an RDF or JSON "
                         "text format", where=origin,
                         fix="give a Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD or CSV file "
                             "(UTF-16 needs its byte-order mark)")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = line_column(data, exc.start)
        raise InputError(f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line} column {col}",
                         where=origin, fix="re-save the file as UTF-8") from None
    legacy = any(marker in data for marker in ids.LEGACY_MARKERS)
    if path is not None and uri is None:
        uri = path.resolve().as_uri()
    return RawInput(origin, path, data, sha, legacy, note, uri)


def read_file(path: Path, uri: str | None = None) -> RawInput:
    """Read a file from disk (see :func:`read_bytes`); ``uri``: its resolved ``file://`` URI, if
    the caller knows it already."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", where=str(path), fix="check the path") from None
    except IsADirectoryError:
        raise InputError("is a directory", where=str(path), fix="give the directory itself to "
                         "`credgraph load` (it is read recursively)") from None
    except PermissionError:
        raise InputError("permission denied", where=str(path),
                         fix="make the file readable for this user") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None
    return read_bytes(data, origin=str(path), path=path, uri=uri)
