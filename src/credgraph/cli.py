"""The ``credgraph`` command: a thin shell over the Python API.

Each verb lives in its own module under :mod:`credgraph.commands`. Exit codes: 0 success /
conforms, 1 data does not conform or a check failed, 2 unreadable input or wrong usage. Errors
print one line to stderr (``--debug`` shows the traceback); results go to stdout, diagnostics to
stderr.
"""

from __future__ import annotations

import argparse
import os
import sys

from credgraph import errors
from credgraph.commands import verb_modules
from credgraph.errors import CredgraphError

PROG = "credgraph"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="credgraph: a linked-data knowledge graph of the credential ecosystem (CTDL).",
        epilog="Exit codes: 0 success/conforms, 1 does not conform, 2 unreadable input or wrong usage.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")
    for module in verb_modules():
        sub = verbs.add_parser(module.VERB, help=module.SUMMARY, description=module.SUMMARY,
                               epilog="examples:\n" + "\n".join(f"  {e}" for e in module.EXAMPLES),
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(sub)
        sub.set_defaults(func=module.run)
    return parser


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("credgraph")
    except Exception:  # noqa: BLE001 (not installed: running from a checkout)
        return "0+unknown"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return errors.EXIT_USAGE
    try:
        return args.func(args)
    except CredgraphError as exc:
        if args.debug:
            raise
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        print("; ".join([f"{PROG}: interrupted", *getattr(exc, "__notes__", ())]), file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return errors.EXIT_OK
    except Exception as exc:  # noqa: BLE001 (a bug: say so in one line, never a bare traceback)
        if args.debug:
            raise
        print(f"{PROG}: internal error: {type(exc).__name__}: {exc} (run again with --debug and report it)",
              file=sys.stderr)
        return errors.EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
