"""credgraph export: write the store's data out, as RDF dumps or as documents other systems accept.

Dumps (``--to turtle|ntriples|nquads|trig|jsonld``) write the whole store or one ``--graph``.
Document targets write one JSON-LD document per selected resource:

- ``registry``: Credential Registry graph documents (:mod:`credgraph.export.registry`);
- ``openbadges``: an Open Badges 3.0 Achievement and an unsigned AchievementCredential template
  per credential (:mod:`credgraph.export.openbadges`);
- ``elm``: European Learning Model qualifications / learning achievement specifications
  (:mod:`credgraph.export.elm`);
- ``schemaorg``: schema.org JSON-LD to embed in web pages (:mod:`credgraph.export.schemaorg`);
- ``csv``: the Credential Publisher bulk-upload layout for credentials (``credgraph.export.csv``).

With ``--out DIR`` each document is a file ``DIR/<ctid>[.<part>].json`` (pretty-printed); without
it the documents go to stdout as JSON Lines, one document per line, in a stable order.
Resources that cannot be exported (no CTID for the registry) are listed on stderr and the exit
code is 1; the others are still written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from credgraph.commands._common import CountProgress, add_store_argument, open_store_from, prefixes, say, write_out
from credgraph.errors import UsageError

VERB = "export"
ORDER = 70
SUMMARY = "Write the store's data out: RDF dumps, registry graph documents, Open Badges, ELM, schema.org, CSV."
EXAMPLES = [
    "credgraph export --to trig > all.trig",
    "credgraph export --to turtle --out all.ttl",
    "credgraph export --to registry --out registry-docs/",
    "credgraph export --to registry --ctid ce-a1975914-e9b8-5d22-a1ee-b1969fb3956d --registry-base sandbox",
    "credgraph export --to openbadges --type ceterms:MicroCredential --out badges/",
    "credgraph export --to elm --owner ce-90ac1e9e-0060-5ab2-a7df-6a3d7efad0a7 > elm.jsonl",
    "credgraph export --to schemaorg --type ceterms:Credential --out web/",
    "credgraph export --to registry --mint-ctids --ctid-map minted.csv --out docs/",
]
DUMP_FORMATS = ["turtle", "ntriples", "nquads", "trig", "jsonld"]
DOCUMENT_TARGETS = ["registry", "openbadges", "elm", "schemaorg"]
TARGETS = DUMP_FORMATS + DOCUMENT_TARGETS + ["csv"]
BASES = {"sandbox": "https://sandbox.credentialengineregistry.org/",
         "production": "https://credentialengineregistry.org/"}


def add_arguments(p) -> None:
    add_store_argument(p)
    p.add_argument("--to", required=True, choices=TARGETS,
                   help="target: an RDF dump (turtle and ntriples merge the graphs; nquads, trig and "
                        "jsonld keep them) or documents (registry, openbadges, elm, schemaorg, csv)")
    p.add_argument("--graph", metavar="IRI", help="only this graph")
    p.add_argument("--out", metavar="PATH",
                   help="dumps and csv: write to this FILE; documents: write one file per document "
                        "into this DIR (default: stdout, documents as JSON Lines)")
    p.add_argument("--ctid", action="append", default=[], metavar="CTID",
                   help="only the resource with this CTID (repeatable, or comma-separated)")
    p.add_argument("--type", action="append", default=[], metavar="CLASS",
                   help="only resources of this class or its subclasses, e.g. ceterms:Certification (repeatable)")
    p.add_argument("--owner", action="append", default=[], metavar="ORG",
                   help="only resources owned by this organization (IRI or CTID; ceterms:ownedBy, "
                        "ceasn:publisher or ceasn:creator) (repeatable)")
    p.add_argument("--mint-ctids", action="store_true",
                   help="registry: give resources without a CTID a stable one (uuid5 of the IRI) "
                        "instead of leaving them out; the mapping is recorded (see --ctid-map)")
    p.add_argument("--ctid-map", metavar="FILE",
                   help="where --mint-ctids records IRI,CTID pairs (default: DIR/minted-ctids.csv "
                        "with --out DIR, else stderr)")
    p.add_argument("--registry-base", metavar="URL",
                   help="registry: write registry IRIs under this base, e.g. "
                        "https://sandbox.credentialengineregistry.org/ ('sandbox' and 'production' "
                        "are shorthands)")


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def run(args) -> int:
    selection_given = args.ctid or args.type or args.owner
    if args.to in DUMP_FORMATS:
        if selection_given or args.mint_ctids or args.registry_base:
            raise UsageError(f"--ctid, --type, --owner, --mint-ctids and --registry-base do not apply to --to {args.to}",
                             fix="use them with --to registry|openbadges|elm|schemaorg|csv, or "
                                 "--graph IRI to dump one graph")
        from credgraph.export.dump import dump

        store = open_store_from(args)
        try:
            write_out(dump(store, args.to, graph=args.graph, prefixes=prefixes()), args.out)
        finally:
            store.close()
        return 0
    if args.to != "registry" and (args.mint_ctids or args.registry_base):
        raise UsageError("--mint-ctids and --registry-base apply to --to registry only",
                         fix="drop them, or export with --to registry")
    from credgraph.export.select import Selection

    selection = Selection(ctids=_split(args.ctid), types=_split(args.type), owners=_split(args.owner),
                          graph=args.graph)
    store = open_store_from(args)
    try:
        return _documents(args, store, selection, bool(selection_given))
    finally:
        store.close()


def _documents(args, store, selection, selection_given: bool) -> int:
    if args.to == "csv":
        return _csv(store, selection, args.out)
    exporter = _exporter(args, store, selection)
    out_dir = _out_dir(args.out) if args.out else None
    written = write_documents(exporter.documents(), out_dir, CountProgress(f"exporting {args.to}"))
    for warning in dict.fromkeys(getattr(exporter, "warnings", [])):
        say(f"warning: {warning}")
    for problem in exporter.problems:
        say(problem)
    _record_minted(getattr(exporter, "minted", {}), args.ctid_map, out_dir)
    if written == 0 and not exporter.problems:
        say(f"nothing to export: no {args.to} document matches the selection"
            + ("" if selection_given or args.graph else " (is the store empty?)"))
        return 1
    return 1 if exporter.problems else 0


def _exporter(args, store, selection):
    if args.to == "registry":
        from credgraph.export.registry import RegistryExport

        base = BASES.get(args.registry_base, args.registry_base) if args.registry_base else None
        if base and not base.startswith(("https://", "http://")):
            raise UsageError(f"--registry-base {args.registry_base!r} is not an http(s) URL",
                             fix="give e.g. https://sandbox.credentialengineregistry.org/ or 'sandbox'")
        return RegistryExport(store, selection, base=base, mint=args.mint_ctids)
    if args.to == "openbadges":
        from credgraph.export.openbadges import OpenBadgesExport

        return OpenBadgesExport(store, selection)
    if args.to == "elm":
        from credgraph.export.elm import ElmExport

        return ElmExport(store, selection)
    from credgraph.export.schemaorg import SchemaOrgExport

    return SchemaOrgExport(store, selection)


def _out_dir(out: str) -> Path:
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise UsageError(f"--out {out} is a file; document exports write one file per document into a folder",
                         fix="give a folder path (it is created if missing), or leave --out out for JSON Lines on stdout")
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_documents(documents, out_dir: Path | None, progress: CountProgress | None = None) -> int:
    """Write documents as files in ``out_dir`` or as JSON Lines on stdout; returns how many.
    ``progress`` (shown on a terminal's stderr) counts documents as they are written."""
    count = 0
    stream = sys.stdout
    for doc in documents:
        count += 1
        if out_dir is None:
            stream.write(doc.text(indent=None) + "\n")
        else:
            (out_dir / f"{doc.name}.json").write_text(doc.text(), encoding="utf-8")
        if progress is not None:
            progress.step()
    stream.flush()
    if progress is not None:
        progress.close()
    return count


def _record_minted(minted: dict[str, str], ctid_map: str | None, out_dir: Path | None) -> None:
    if not minted:
        return
    lines = ["iri,ctid"] + [f"{iri},{ctid}" for iri, ctid in sorted(minted.items())]
    target = Path(ctid_map) if ctid_map else (out_dir / "minted-ctids.csv" if out_dir else None)
    if target is None:
        for iri, ctid in sorted(minted.items()):
            say(f"minted {ctid} for {iri}")
        return
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    say(f"minted {len(minted)} CTID(s); mapping written to {target}")


def _csv(store, selection, out: str | None) -> int:
    try:
        from credgraph.export.csv import export_csv
    except ImportError:
        raise UsageError("the CSV export is not available in this installation (credgraph.export.csv is missing)",
                         fix="use --to registry, or update credgraph") from None
    write_out(export_csv(store, selection), out)
    return 0
