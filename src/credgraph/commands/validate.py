"""credgraph validate: check files or the store against SHACL profiles and report what to fix."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from credgraph.commands._common import StepProgress, add_store_argument, say
from credgraph.errors import UsageError

VERB = "validate"
ORDER = 25
SUMMARY = "Validate files or the store against SHACL profiles (registry minimum data, CTDL structure, ...)."
EXAMPLES = ["credgraph validate credential.json",
            "credgraph validate registry-documents/ --profile all --format json > report.json",
            "credgraph validate --store ./mystore --profile quality --profile eu-microcredential",
            "credgraph validate pathway.jsonld --profile pathways --format turtle"]
FORMATS = ("text", "json", "turtle")


def add_arguments(p) -> None:
    from credgraph.validate import profile_choices

    p.add_argument("inputs", nargs="*", metavar="FILE|DIR",
                   help="files or directories to validate (any format `load` reads); none: validate the store")
    add_store_argument(p)
    p.add_argument("--profile", action="append", choices=profile_choices(), metavar="PROFILE",
                   help="registry | structure | quality | eu-microcredential | pathways | all (repeatable; "
                        "default: registry and structure, the profiles for publishing)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (grouped by resource), json, or turtle (a SHACL sh:ValidationReport)")
    p.add_argument("--out", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--severity", choices=("violation", "warning", "info"), default="info",
                   help="the lowest severity to check and report (default info: everything; violation: only "
                        "what decides conformance, fastest on large stores)")


def run(args) -> int:
    from credgraph.validate import validate, validate_store

    if args.inputs and args.store:
        raise UsageError("give files to validate or --store, not both",
                         fix="validate files on their own, or load them into the store first")
    with _Output(args.out) as out:  # opened first: a bad --out fails before a long validation
        if args.inputs:
            missing = [i for i in args.inputs if i != "-" and not Path(i).exists()]
            report = validate(args.inputs, profiles=args.profile, severity=args.severity)
            for path in missing:
                if not any(path in e for e in report.errors):
                    report.errors.append(f"{path}: no such file or directory")
        else:
            from credgraph.store import open_store, resolve_store_path

            location = resolve_store_path(args.store)
            if location != ":memory:" and not Path(location).is_dir():
                raise UsageError(f"there is no store at {location}",
                                 fix="load data first (credgraph load ...), pass --store, or name files to validate")
            store = open_store(location)
            shown = StepProgress(f"validating {location}")
            try:
                report = validate_store(store, profiles=args.profile or (), severity=args.severity, progress=shown)
            finally:
                shown.close()
        try:
            for error in report.errors:
                say(f"error: {error}")
            # written as the results are read: a large store's report is not held in memory
            {"json": report.write_json, "turtle": report.write_turtle}.get(args.format, report.write_text)(out.file)
            summary, code = report.summary(), report.exit_code
        finally:
            report.close()
    if args.format != "text" or args.out:
        say(summary)
    return code


class _Output:
    """Where the report goes: stdout, or ``--out FILE`` written through a temporary file beside
    it that replaces FILE only when the report is complete (a FILE that is not a regular file,
    such as /dev/null or a named pipe, is written directly)."""

    def __init__(self, path: str | None):
        self.path = Path(path) if path else None
        self.file = sys.stdout
        self.partial: Path | None = None

    def __enter__(self) -> "_Output":
        if self.path is not None:
            special = self.path.exists() and not self.path.is_file()
            self.partial = None if special else self.path.with_name(f".{self.path.name}.partial")
            try:
                self.file = (self.partial or self.path).open("w", encoding="utf-8", newline="")
            except OSError as exc:
                raise UsageError(f"cannot write the report to {self.path}: {exc.strerror or exc}",
                                 fix="give --out a file in a folder that exists and that you can write to") from None
        return self

    def __exit__(self, kind, error, trace) -> None:
        if self.file is sys.stdout:
            self.file.flush()
            return
        self.file.close()
        if self.partial is None:
            return
        if kind is None:
            os.replace(self.partial, self.path)
        else:
            self.partial.unlink(missing_ok=True)
