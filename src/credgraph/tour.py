"""The short tour ``credgraph demo`` prints: what the graph holds, told through canned queries.

Each section runs a query of the catalog (``credgraph queries`` lists them), so every number the
tour shows can be reproduced with ``credgraph query NAME --param ...``.
"""

from __future__ import annotations

import re
import textwrap
from typing import TextIO

import pyoxigraph as ox

from credgraph.results import short
from credgraph.stats import stats

#: What the tour shows from the project's data: a topic and the start of a ladder.
TOUR_TOPIC = "topic:non-degree-credentials"
TOUR_LADDER_START = "ce-f449a794-5a0d-59f0-ac69-e9c9f7f007a7"  # Phlebotomy Technician Training COC


def tour(store, out: TextIO) -> None:
    """Print classes, credentials by type, a topic's definitions and one stack ladder."""
    from credgraph.namespaces import PREFIXES

    classes = stats(store)["classes"]
    out.write("Instances by class (top 10)\n")
    for iri, count in list(classes.items())[:10]:
        out.write(f"  {short(ox.NamedNode(iri), PREFIXES, 60):<45} {count:>6,}\n")
    for section in (credentials_by_type, topic_definitions, ladder):
        out.write("\n")
        section(store, out)


def _run(name: str, params: dict, store):
    from credgraph.catalog import run_query

    return run_query(name, params, store).to_python()


def credentials_by_type(store, out: TextIO) -> None:
    rows = _run("landscape/credentials-by-type", {}, store)
    families: dict[str, int] = {}
    for row in rows:
        families[row["family"]] = families.get(row["family"], 0) + row["credentials"]
    total = sum(families.values())
    out.write(f"Credentials by type ({total} in all; query landscape/credentials-by-type)\n")
    for family in sorted(families, key=lambda f: (-families[f], f)):
        out.write(f"  {family:<12} {families[family]:>5}\n")
        for row in (r for r in rows if r["family"] == family):
            out.write(f"    {row['type_label'] or row['type']:<40} {row['credentials']:>5}\n")


def topic_definitions(store, out: TextIO) -> None:
    rows = _run("ecosystem/topic-definitions", {"topic": TOUR_TOPIC}, store)
    if not rows:
        return
    out.write(f"'{rows[0]['topic_label']}' as each organization defines it "
              f"(query ecosystem/topic-definitions, topic={TOUR_TOPIC})\n")
    for row in rows:
        who = row["organization_name"] or row["organization"]
        when = f" ({row['date']})" if row.get("date") else ""
        out.write(textwrap.fill(row["definition"], 100, initial_indent=f"  {who}{when}: ",
                                subsequent_indent="      ", max_lines=3, placeholder=" …") + "\n")


def ladder(store, out: TextIO) -> None:
    rows = _run("stackability/ladders", {"start": TOUR_LADDER_START}, store)
    if not rows:
        return
    out.write(f"A stack ladder up to a bachelor's degree (query stackability/ladders, start={TOUR_LADDER_START})\n")
    for row in rows:
        credit = ""
        if row.get("credit") is not None:
            unit = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", (row.get("unit") or "").rsplit("/", 1)[-1])
            credit = f", {row['credit']:g} {unit}"
        out.write(f"  {row['step']}. {row['from_name']}\n"
                  f"       --{row['connection']}{credit}--> {row['to_name']}\n")
