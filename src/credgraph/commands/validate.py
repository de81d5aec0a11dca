"""credgraph validate: check files or the store against SHACL profiles and report what to fix."""

from __future__ import annotations

from pathlib import Path

from credgraph.commands._common import StepProgress, add_store_argument, say, write_out
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
    for error in report.errors:
        say(f"error: {error}")
    if args.format == "json":
        text = report.to_json()
    elif args.format == "turtle":
        text = report.to_turtle()
    else:
        text = report.to_text()
    write_out(text, args.out)
    if args.format != "text" or args.out:
        say(report.summary())
    return report.exit_code
