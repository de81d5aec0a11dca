"""A registry-shaped synthetic corpus: JSON-LD graph documents, one per file, deterministic per seed.

Documents look like what the Credential Registry serves at ``/graph/<ctid>``: the CTDL (or, for
competency frameworks, CTDL-ASN) context as a URL string, ``@id`` the graph IRI, the main entity
first in ``@graph``, language maps, CredentialAlignmentObjects for concept values, nested
ConditionProfiles with ``targetCredential``/``targetLearningOpportunity`` and ``creditValue``
ValueProfiles, ``_:`` blank-node members (organizations not in the registry), competency
frameworks with all their competencies, pathways with components and ComponentConditions, and
organizations. Links follow the registry's shapes: hasPart/isPartOf stacks, ladders of
isAdvancedStandingFor/isPreparationFor ConditionProfiles, teaches/assesses alignments,
ownedBy/offeredBy to organization documents. A share of the files are registry envelopes.

A share of documents (``defect_rate``) carries exactly one defect that validation must find; the
``defects.json`` manifest beside the documents says which document, node, property and kind.

Layout (``Corpus.root``)::

    corpus.json        what was generated: parameters, counts by type, estimated triples
    defects.json       the defect manifest
    documents/0000/<ctid>.json ...   (Corpus.dir; shards of at most 10,000 files)

>>> import tempfile
>>> c = generate(tempfile.mkdtemp(), 40)
>>> c.docs, len(c.files), c.files[0].suffix, c.types["organization"] > 0
(40, 40, '.json', True)
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

#: Bump when the documents change: cached corpora with another version are regenerated.
GENERATOR_VERSION = 4
#: Where generated corpora are kept (``$CREDGRAPH_BENCH_CACHE`` overrides it).
CACHE = Path(os.environ.get("CREDGRAPH_BENCH_CACHE") or Path(__file__).resolve().parent / ".corpus")
SHARD = 10_000
BASE = "https://credentialengineregistry.org/"
CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"
CTDLASN_CONTEXT = "https://credreg.net/ctdlasn/schema/context/json"
CETERMS = "https://purl.org/ctdl/terms/"
CEASN = "https://purl.org/ctdlasn/terms/"

#: Share of each document type in a registry-like corpus (the registry's own mix, roughly:
#: learning opportunities and credentials dominate).
REGISTRY_MIX = {
    "credential": 0.32, "course": 0.24, "learning_program": 0.12, "learning_opportunity": 0.06,
    "assessment": 0.09, "organization": 0.08, "competency_framework": 0.05, "pathway": 0.04,
}
#: The mix of a corpus sized by credentials (``credentials=N``): mostly credentials, with the
#: organizations, courses, frameworks and pathways they link to.
CREDENTIAL_MIX = {
    "credential": 0.80, "course": 0.07, "learning_program": 0.03, "learning_opportunity": 0.01,
    "assessment": 0.02, "organization": 0.04, "competency_framework": 0.02, "pathway": 0.01,
}
SLOTS = 200  # type layout period: document i has type TABLE[i % SLOTS]
DEFECT_KINDS = ("missing-required", "bad-ctid", "ctid-mismatch", "literal-for-iri",
                "wrong-scheme", "dangling-reference")


@dataclass
class Corpus:
    """A generated corpus: where it is and what it holds."""

    dir: Path                     # the documents (load this folder)
    files: Sequence[Path]         # every document file, in index order (computed lazily)
    docs: int
    credentials: int              # credential documents (main entity a ceterms credential class)
    triples_estimate: int
    seed: int
    defect_rate: float = 0.05
    envelope_share: float = 0.1
    types: dict[str, int] = field(default_factory=dict)
    defect_count: int = 0
    root: Path | None = None      # corpus.json and defects.json live here

    @property
    def defects_path(self) -> Path:
        return self.root / "defects.json"

    def defects(self) -> list[dict]:
        """The defect manifest: one entry per defective document (see the module docstring)."""
        return json.loads(self.defects_path.read_text())["defects"]

    @property
    def label(self) -> str:
        """A short size label, e.g. ``10k`` or ``1M credentials``."""
        return size_label(self.docs) if not self.credentials_sized else f"{size_label(self.credentials)} credentials"

    credentials_sized: bool = False


def size_label(n: int) -> str:
    """``10000 -> '10k'``, ``1000000 -> '1M'``.

    >>> size_label(10_000), size_label(1_000_000), size_label(1234)
    ('10k', '1M', '1234')
    """
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def corpus_for(docs: str, credentials: str | None = None) -> "Corpus":
    """The cached corpus a benchmark's ``--docs`` / ``--credentials`` options name (credentials win)."""
    if credentials:
        return cached(credentials=parse_size(credentials), progress=True)
    return cached(parse_size(docs), progress=True)


def parse_size(text: str) -> int:
    """``'10k' -> 10000``, ``'1M' -> 1000000``, ``'250' -> 250``.

    >>> parse_size("10k"), parse_size("1M"), parse_size("2500")
    (10000, 1000000, 2500)
    """
    text = text.strip().lower().replace("_", "")
    mult = {"k": 1000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if mult > 1 else text) * mult)


class Files(Sequence):
    """Document paths computed from their index (no list of 400k paths in memory)."""

    def __init__(self, plan: "Plan", directory: Path):
        self.plan, self.directory = plan, directory

    def __len__(self) -> int:
        return self.plan.docs

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.directory / self.plan.relpath(i)


# ---------------------------------------------------------------------------------- identifiers
def _uuid(seed: int, key: str) -> str:
    h = hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=16).hexdigest()
    variant = "89ab"[int(h[16], 16) % 4]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


def _hash_int(seed: int, key: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest(), "big")


# ---------------------------------------------------------------------------------- vocabulary
FIELDS = [
    ("Welding Technology", "51-4121.00", "Welders, Cutters, Solderers, and Brazers", "48.0508"),
    ("Registered Nursing", "29-1141.00", "Registered Nurses", "51.3801"),
    ("Practical Nursing", "29-2061.00", "Licensed Practical and Licensed Vocational Nurses", "51.3901"),
    ("Cybersecurity", "15-1212.00", "Information Security Analysts", "11.1003"),
    ("Network Support", "15-1231.00", "Computer Network Support Specialists", "11.0901"),
    ("Data Analytics", "15-2051.00", "Data Scientists", "30.7001"),
    ("Software Development", "15-1252.00", "Software Developers", "11.0701"),
    ("HVAC Technology", "49-9021.00", "Heating, Air Conditioning, and Refrigeration Mechanics", "47.0201"),
    ("Electrical Technology", "47-2111.00", "Electricians", "46.0302"),
    ("Accounting", "13-2011.00", "Accountants and Auditors", "52.0301"),
    ("Business Management", "11-1021.00", "General and Operations Managers", "52.0201"),
    ("Early Childhood Education", "25-2011.00", "Preschool Teachers", "13.1210"),
    ("Medical Assisting", "31-9092.00", "Medical Assistants", "51.0801"),
    ("Pharmacy Technology", "29-2052.00", "Pharmacy Technicians", "51.0805"),
    ("Truck Driving", "53-3032.00", "Heavy and Tractor-Trailer Truck Drivers", "49.0205"),
    ("Automotive Technology", "49-3023.00", "Automotive Service Technicians and Mechanics", "47.0604"),
    ("Advanced Manufacturing", "51-4041.00", "Machinists", "48.0501"),
    ("Logistics and Supply Chain", "13-1081.00", "Logisticians", "52.0203"),
    ("Cloud Computing", "15-1244.00", "Network and Computer Systems Administrators", "11.0902"),
    ("Dental Hygiene", "29-1292.00", "Dental Hygienists", "51.0602"),
    ("Paralegal Studies", "23-2011.00", "Paralegals and Legal Assistants", "22.0302"),
    ("Culinary Arts", "35-1011.00", "Chefs and Head Cooks", "12.0503"),
    ("Construction Management", "11-9021.00", "Construction Managers", "52.2001"),
    ("Emergency Medical Services", "29-2042.00", "Emergency Medical Technicians", "51.0904"),
    ("Digital Marketing", "13-1161.00", "Market Research Analysts and Marketing Specialists", "52.1401"),
    ("Project Management", "13-1082.00", "Project Management Specialists", "52.0211"),
    ("Renewable Energy", "47-2231.00", "Solar Photovoltaic Installers", "15.0505"),
    ("Phlebotomy", "31-9097.00", "Phlebotomists", "51.1009"),
    ("Graphic Design", "27-1024.00", "Graphic Designers", "50.0409"),
    ("Human Resources", "13-1071.00", "Human Resources Specialists", "52.1001"),
]
ADJECTIVES = ["Foundations of", "Applied", "Advanced", "Introduction to", "Principles of", "Essentials of",
              "Professional", "Integrated", "Contemporary", "Practical"]
TOPICS = ["Safety", "Methods", "Systems", "Practice", "Analysis", "Design", "Operations", "Ethics",
          "Tools", "Communication", "Quality", "Regulations", "Troubleshooting", "Planning"]
PLACES = [("Columbus", "Ohio", "43215"), ("Austin", "Texas", "78701"), ("Sacramento", "California", "95814"),
          ("Albany", "New York", "12207"), ("Springfield", "Illinois", "62701"), ("Denver", "Colorado", "80202"),
          ("Atlanta", "Georgia", "30303"), ("Lansing", "Michigan", "48933"), ("Raleigh", "North Carolina", "27601"),
          ("Indianapolis", "Indiana", "46204"), ("Phoenix", "Arizona", "85004"), ("Boise", "Idaho", "83702")]
ORG_KINDS = [("Community College", ["orgType:TwoYear", "orgType:Postsecondary"], "agentSector:Public"),
             ("State University", ["orgType:FourYear", "orgType:Postsecondary"], "agentSector:Public"),
             ("Technical Institute", ["orgType:Technical"], "agentSector:PrivateNonProfit"),
             ("Certification Board", ["orgType:CertificationBody"], "agentSector:PrivateNonProfit"),
             ("Training Academy", ["orgType:TrainingProvider"], "agentSector:PrivateForProfit"),
             ("Professional Association", ["orgType:ProfessionalAssociation"], "agentSector:PrivateNonProfit"),
             ("Industry Alliance", ["orgType:BusinessAssociation"], "agentSector:PrivateNonProfit")]
ORG_NAMES = ["Riverbend", "Great Lakes", "Bluebonnet", "Cascade", "Prairie", "Summit", "Harbor", "Pioneer",
             "Redwood", "Keystone", "Magnolia", "Granite", "Lakeshore", "Frontier", "Heritage", "Silver Valley"]
PART_TYPES = ["MicroCredential", "DigitalBadge", "OpenBadge", "Certificate", "CertificateOfCompletion",
              "ProficiencyCertificate"]
LADDER_TYPES = ["TechnicalLevel1Certificate", "AssociateOfAppliedScienceDegree", "BachelorOfScienceDegree"]
STANDALONE_TYPES = ["Certification", "Certification", "License", "Certificate", "ProfessionalCertificate",
                    "ApprenticeshipCertificate", "AssociateDegree", "BachelorDegree", "MasterDegree",
                    "Diploma", "MicroCredential", "DigitalBadge"]
SCHEMES = {  # concept prefix -> (CAO framework page, framework name)
    "credentialStat": ("CredentialStatus", "Credential Status"),
    "audLevel": ("AudienceLevel", "Audience Level"),
    "deliveryType": ("Delivery", "Delivery Type"),
    "lifeCycle": ("LifeCycleStatus", "Life Cycle Status"),
    "costType": ("CostType", "Cost Type"),
    "creditUnit": ("CreditUnit", "Credit Unit"),
    "agentSector": ("AgentSector", "Agent Sector"),
    "orgType": ("OrganizationType", "Organization Type"),
    "learnMethod": ("LearningMethod", "Learning Method"),
    "assessMethod": ("AssessmentMethod", "Assessment Method"),
}
#: For each defect kind and type: the property the defect touches (CURIE) and the wrong value kind.
REQUIRED_DROPPED = {"credential": "ceterms:credentialStatusType", "course": "ceterms:description",
                    "learning_program": "ceterms:inLanguage", "learning_opportunity": "ceterms:name",
                    "assessment": "ceterms:description", "organization": "ceterms:agentSectorType",
                    "competency_framework": "ceasn:name", "pathway": "ceterms:name"}
SCHEME_PROPERTY = {"credential": ("ceterms:credentialStatusType", "lifeCycle:Active"),
                   "course": ("ceterms:lifeCycleStatusType", "credentialStat:Active"),
                   "learning_program": ("ceterms:lifeCycleStatusType", "credentialStat:Active"),
                   "learning_opportunity": ("ceterms:lifeCycleStatusType", "credentialStat:Active"),
                   "assessment": ("ceterms:lifeCycleStatusType", "credentialStat:Active"),
                   "organization": ("ceterms:agentSectorType", "orgType:Business"),
                   "competency_framework": ("ceasn:publicationStatusType", "credentialStat:Active"),
                   "pathway": ("ceterms:lifeCycleStatusType", "credentialStat:Active")}


def _cao(concept: str, name: str | None = None) -> dict:
    prefix, term = concept.split(":")
    page, label = SCHEMES[prefix]
    return {"@type": "ceterms:CredentialAlignmentObject",
            "ceterms:framework": f"https://credreg.net/ctdl/terms/{page}",
            "ceterms:frameworkName": {"en-US": label},
            "ceterms:targetNode": concept,
            "ceterms:targetNodeName": {"en-US": name or _words(term)}}


def _words(camel: str) -> str:
    out = "".join(" " + c if c.isupper() and i else c for i, c in enumerate(camel))
    return out.strip()


def _lang(rng: random.Random, text: str, spanish: str | None = None) -> dict:
    if spanish is not None:
        return {"en-US": text, "es": spanish}
    return {"en-US": text} if rng.random() < 0.85 else {"en": text}


# ---------------------------------------------------------------------------------- the plan
def _layout(mix: dict[str, float], seed: int) -> list[str]:
    """SLOTS type names in a seeded order, proportional to ``mix``, every type at least once."""
    counts = {t: max(1, int(share * SLOTS)) for t, share in mix.items()}
    while sum(counts.values()) < SLOTS:
        t = max(mix, key=lambda k: mix[k] * SLOTS - counts[k])
        counts[t] += 1
    while sum(counts.values()) > SLOTS:
        t = max(counts, key=lambda k: counts[k])
        counts[t] -= 1
    table = [t for t, n in counts.items() for _ in range(n)]
    random.Random(seed).shuffle(table)
    # the first document is an organization, so even a tiny corpus has owners to link to
    first_org = table.index("organization")
    table[0], table[first_org] = table[first_org], table[0]
    return table


class Plan:
    """Everything about document ``i`` that other documents need, computable without generating it."""

    def __init__(self, docs: int, seed: int, defect_rate: float, mix: dict[str, float],
                 envelope_share: float):
        self.docs, self.seed, self.defect_rate = docs, seed, defect_rate
        self.envelope_share = envelope_share
        self.table = _layout(mix, seed)
        self.slots: dict[str, list[int]] = {}
        for slot, t in enumerate(self.table):
            self.slots.setdefault(t, []).append(slot)
        self.position = {slot: k for t, s in self.slots.items() for k, slot in enumerate(s)}
        self.count = {t: self._count(t) for t in mix}

    def _count(self, t: str) -> int:
        s = self.slots.get(t, [])
        full, rest = divmod(self.docs, SLOTS)
        return full * len(s) + sum(1 for slot in s if slot < rest)

    # indices and ordinals
    def type_of(self, i: int) -> str:
        return self.table[i % SLOTS]

    def ordinal(self, i: int) -> int:
        s = self.slots[self.type_of(i)]
        return (i // SLOTS) * len(s) + self.position[i % SLOTS]

    def index(self, t: str, k: int) -> int:
        s = self.slots[t]
        return (k // len(s)) * SLOTS + s[k % len(s)]

    # identity
    def ctid(self, i: int) -> str:
        return "ce-" + _uuid(self.seed, str(i))

    def resource(self, i: int) -> str:
        return f"{BASE}resources/{self.ctid(i)}"

    def relpath(self, i: int) -> str:
        return f"{i // SHARD:04d}/{self.ctid(i)}.json"

    def defect(self, i: int) -> str | None:
        """The defect kind document ``i`` carries, if any."""
        h = _hash_int(self.seed, f"defect:{i}")
        if (h % 1_000_000) / 1_000_000 >= self.defect_rate:
            return None
        t = self.type_of(i)
        kinds = [k for k in DEFECT_KINDS if not (k == "dangling-reference" and t == "organization")]
        return kinds[(h >> 24) % len(kinds)]

    def linkable(self, i: int) -> bool:
        """Other documents may point at ``i`` (not if its IRI carries a malformed CTID)."""
        return self.defect(i) != "bad-ctid"

    def pick(self, rng: random.Random, t: str, avoid: int = -1) -> int | None:
        """A random linkable document of type ``t`` (None if the corpus has none)."""
        n = self.count.get(t, 0)
        for _ in range(8):
            if n == 0:
                return None
            i = self.index(t, rng.randrange(n))
            if i != avoid and self.linkable(i):
                return i
        return None

    def competencies(self, framework: int) -> int:
        return 8 + _hash_int(self.seed, f"fw:{framework}") % 25

    def competency_iri(self, framework: int, k: int) -> str:
        return f"{BASE}resources/ce-{_uuid(self.seed, f'{framework}:c{k}')}"

    def field_of(self, i: int) -> tuple:
        return FIELDS[_hash_int(self.seed, f"field:{i}") % len(FIELDS)]

    # stacks: credentials grouped in triplets of groups of 5 (a ladder: cert -> associate -> bachelor)
    def stack(self, k: int) -> tuple[int, int, bool]:
        """(group, role, is_stack) for credential ordinal ``k``; role 0 is the stack's parent."""
        group, role = divmod(k, 5)
        is_stack = _hash_int(self.seed, f"ladder:{group // 3}") % 10 < 5
        return group, role, is_stack

    def envelope(self, i: int) -> bool:
        return (_hash_int(self.seed, f"env:{i}") % 1000) / 1000 < self.envelope_share


# ---------------------------------------------------------------------------------- documents
class Builder:
    """Builds document ``i`` as plain dicts (fast, deterministic)."""

    def __init__(self, plan: Plan):
        self.plan = plan

    def build(self, i: int) -> tuple[dict, dict | None]:
        """The graph document and, when it carries one, its defect manifest entry."""
        p = self.plan
        rng = random.Random(p.seed * 1_000_003 + i)
        t = p.type_of(i)
        ctid = p.ctid(i)
        main = getattr(self, t)(i, rng)
        graph = main.pop("__graph__", [])
        context = main.pop("__context__", CTDL_CONTEXT)
        head = {"@id": f"{BASE}resources/{ctid}", "@type": main.pop("@type"), "ceterms:ctid": ctid}
        head.update(main)
        doc = {"@context": context, "@id": f"{BASE}graph/{ctid}", "@graph": [head] + graph}
        kind = p.defect(i)
        entry = self.inject(doc, head, i, t, kind, rng) if kind else None
        return doc, entry

    # --- shared pieces
    def org_ref(self, i: int, rng: random.Random) -> str | None:
        o = self.plan.pick(rng, "organization", avoid=i)
        return self.plan.resource(o) if o is not None else None

    def owners(self, i: int, rng: random.Random, node: dict) -> None:
        owner = self.org_ref(i, rng)
        if owner:
            node["ceterms:ownedBy"] = [owner]
            node["ceterms:offeredBy"] = [owner if rng.random() < 0.8 else (self.org_ref(i, rng) or owner)]

    def place(self, rng: random.Random) -> dict:
        city, region, postal = rng.choice(PLACES)
        return {"@type": "ceterms:Place", "ceterms:streetAddress": {"en-US": f"{rng.randint(10, 9999)} Main Street"},
                "ceterms:addressLocality": {"en-US": city}, "ceterms:addressRegion": {"en-US": region},
                "ceterms:postalCode": postal, "ceterms:addressCountry": {"en-US": "United States"}}

    def alignments(self, rng: random.Random, fld: tuple) -> dict:
        name, soc, occupation, cip = fld
        return {
            "ceterms:occupationType": [{
                "@type": "ceterms:CredentialAlignmentObject", "ceterms:codedNotation": soc,
                "ceterms:framework": "https://www.onetcenter.org/taxonomy.html",
                "ceterms:frameworkName": {"en-US": "Standard Occupational Classification"},
                "ceterms:targetNode": f"https://www.onetonline.org/link/summary/{soc}",
                "ceterms:targetNodeName": {"en-US": occupation}}],
            "ceterms:instructionalProgramType": [{
                "@type": "ceterms:CredentialAlignmentObject", "ceterms:codedNotation": cip,
                "ceterms:framework": "https://nces.ed.gov/ipeds/cipcode/search.aspx?y=56",
                "ceterms:frameworkName": {"en-US": "Classification of Instructional Programs"},
                "ceterms:targetNodeName": {"en-US": name}}],
        }

    def cost(self, rng: random.Random, label: str) -> dict:
        return {"@type": "ceterms:CostProfile", "ceterms:description": {"en-US": f"Estimated tuition for {label}."},
                "ceterms:costDetails": f"https://example.org/costs/{rng.randrange(10**6)}",
                "ceterms:currency": "USD", "ceterms:price": rng.randrange(50, 20000),
                "ceterms:directCostType": _cao(rng.choice(["costType:Tuition", "costType:Application",
                                                           "costType:TechnologyFee"]))}

    def teaches(self, i: int, rng: random.Random, n: int) -> list[dict]:
        out = []
        for _ in range(n):
            fw = self.plan.pick(rng, "competency_framework", avoid=i)
            if fw is None:
                break
            k = rng.randrange(self.plan.competencies(fw))
            out.append({"@type": "ceterms:CredentialAlignmentObject",
                        "ceterms:framework": self.plan.resource(fw),
                        "ceterms:targetNode": self.plan.competency_iri(fw, k),
                        "ceterms:targetNodeName": {"en-US": f"Competency {k + 1} of framework {self.plan.ordinal(fw) + 1}"}})
        return out

    def credit(self, rng: random.Random, amount: int) -> list[dict]:
        unit = rng.choice(["creditUnit:SemesterHour", "creditUnit:SemesterHour", "creditUnit:QuarterHour",
                           "creditUnit:ContinuingEducationUnit"])
        return [{"@type": "ceterms:ValueProfile", "schema:value": amount, "ceterms:creditUnitType": [_cao(unit)]}]

    def learning_basics(self, i: int, rng: random.Random, kind: str, label: str) -> dict:
        fld = self.plan.field_of(i)
        title = f"{rng.choice(ADJECTIVES)} {fld[0]} {rng.choice(TOPICS)}"
        node = {"@type": kind, "ceterms:name": _lang(rng, title),
                "ceterms:description": {"en-US": f"A {label} covering {title.lower()} for learners entering {fld[0].lower()}."},
                "ceterms:subjectWebpage": f"https://example.org/{label.replace(' ', '-')}/{self.plan.ctid(i)[3:11]}",
                "ceterms:inLanguage": ["en-US"],
                "ceterms:lifeCycleStatusType": _cao("lifeCycle:Active" if rng.random() < 0.9 else "lifeCycle:Developing"),
                "ceterms:deliveryType": [_cao(rng.choice(["deliveryType:InPerson", "deliveryType:OnlineOnly",
                                                          "deliveryType:BlendedDelivery"]))]}
        self.owners(i, rng, node)
        if rng.random() < 0.6:
            node["ceterms:availableAt"] = [self.place(rng)]
        else:
            node["ceterms:availableOnlineAt"] = [f"https://learn.example.org/{self.plan.ctid(i)[3:11]}"]
        return node

    # --- document types
    def credential(self, i: int, rng: random.Random) -> dict:
        p = self.plan
        k = p.ordinal(i)
        group, role, is_stack = p.stack(k)
        fld = p.field_of(p.index("credential", group * 5) if is_stack else i)
        if is_stack and role == 0:
            ctype = LADDER_TYPES[group % 3]
        elif is_stack:
            ctype = PART_TYPES[_hash_int(p.seed, f"ptype:{i}") % len(PART_TYPES)]
        else:
            ctype = STANDALONE_TYPES[_hash_int(p.seed, f"stype:{i}") % len(STANDALONE_TYPES)]
        title = f"{fld[0]} {_words(ctype)}" if role == 0 else f"{rng.choice(ADJECTIVES)} {fld[0]} {_words(ctype)}"
        multilingual = rng.random() < 0.03
        node = {"@type": f"ceterms:{ctype}",
                "ceterms:name": _lang(rng, title, f"{_words(ctype)} en {fld[0]}" if multilingual else None),
                "ceterms:description": _lang(rng, f"The {title} recognises people who can work in {fld[0].lower()}; "
                                                  f"it is earned by meeting the requirements below."),
                "ceterms:subjectWebpage": f"https://example.org/credentials/{p.ctid(i)[3:11]}",
                "ceterms:inLanguage": ["en-US"] if not multilingual else ["en-US", "es"],
                "ceterms:credentialStatusType": _cao("credentialStat:Active" if rng.random() < 0.92
                                                     else rng.choice(["credentialStat:Deprecated", "credentialStat:TeachOut"])),
                "ceterms:audienceLevelType": [_cao(rng.choice(["audLevel:BeginnerLevel", "audLevel:IntermediateLevel",
                                                               "audLevel:LowerDivisionLevel", "audLevel:ProfessionalLevel"]))],
                "ceterms:learningDeliveryType": [_cao(rng.choice(["deliveryType:InPerson", "deliveryType:OnlineOnly",
                                                                  "deliveryType:BlendedDelivery"]))],
                "ceterms:keyword": {"en-US": [fld[0].lower(), rng.choice(TOPICS).lower(), "stackable" if is_stack else "industry"]},
                "ceterms:dateEffective": f"20{rng.randint(10, 25):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
        self.owners(i, rng, node)
        node.update(self.alignments(rng, fld))
        node["ceterms:estimatedCost"] = [self.cost(rng, title)]
        node["ceterms:estimatedDuration"] = [{"@type": "ceterms:DurationProfile",
                                             "ceterms:exactDuration": f"P{rng.choice([4, 8, 16, 32, 64])}W"}]
        # requirements: courses, an assessment, competencies, credit
        requires = {"@type": "ceterms:ConditionProfile",
                    "ceterms:description": {"en-US": f"Complete the required learning for the {title}."},
                    "ceterms:creditValue": self.credit(rng, rng.choice([3, 6, 9, 12, 15, 30, 60]))}
        los = [x for x in (p.pick(rng, rng.choice(["course", "course", "learning_program"]), avoid=i)
                           for _ in range(rng.randint(1, 3))) if x is not None]
        if los:
            requires["ceterms:targetLearningOpportunity"] = [p.resource(x) for x in dict.fromkeys(los)]
        if rng.random() < 0.4:
            a = p.pick(rng, "assessment", avoid=i)
            if a is not None:
                requires["ceterms:targetAssessment"] = [p.resource(a)]
        comps = self.teaches(i, rng, rng.randint(0, 3))
        if comps:
            requires["ceterms:targetCompetency"] = comps
        node["ceterms:requires"] = [requires]
        # stacks and ladders
        n = p.count["credential"]
        if is_stack and role == 0:
            parts = [p.index("credential", group * 5 + r) for r in range(1, 5) if group * 5 + r < n]
            parts = [x for x in parts if p.linkable(x)]
            if parts:
                node["ceterms:hasPart"] = [p.resource(x) for x in parts]
            nxt = (group + 1) * 5
            if group % 3 < 2 and nxt < n and p.linkable(p.index("credential", nxt)):
                node["ceterms:isAdvancedStandingFor"] = [{
                    "@type": "ceterms:ConditionProfile",
                    "ceterms:description": {"en-US": "Holders receive advanced standing toward the next credential of the ladder."},
                    "ceterms:targetCredential": [p.resource(p.index("credential", nxt))],
                    "ceterms:creditValue": self.credit(rng, 30 if group % 3 == 0 else 60)}]
        elif is_stack:
            parent = p.index("credential", group * 5)
            if p.linkable(parent):
                node["ceterms:isPartOf"] = [p.resource(parent)]
        if rng.random() < 0.25:
            target = p.pick(rng, "credential", avoid=i)
            if target is not None:
                node["ceterms:isPreparationFor"] = [{
                    "@type": "ceterms:ConditionProfile",
                    "ceterms:description": {"en-US": "Good preparation for this related credential."},
                    "ceterms:targetCredential": [p.resource(target)]}]
        # a quality assurance body outside the registry, as a blank-node member
        graph = []
        if rng.random() < 0.3:
            bnode = f"_:{_uuid(p.seed, f'{i}:qa')}"
            node["ceterms:accreditedBy"] = [bnode]
            city, region, _ = rng.choice(PLACES)
            graph.append({"@id": bnode, "@type": "ceterms:QACredentialOrganization",
                          "ceterms:name": {"en-US": f"{region} Accreditation Council"},
                          "ceterms:description": {"en-US": f"An accreditation body based in {city}, {region}."},
                          "ceterms:subjectWebpage": f"https://accreditor.example.org/{region.lower().replace(' ', '-')}"})
        node["__graph__"] = graph
        return node

    def course(self, i: int, rng: random.Random) -> dict:
        node = self.learning_basics(i, rng, "ceterms:Course", "course")
        node["ceterms:codedNotation"] = f"{self.plan.field_of(i)[0][:3].upper()} {rng.randint(100, 299)}"
        node["ceterms:creditValue"] = self.credit(rng, rng.choice([1, 2, 3, 4]))
        comps = self.teaches(i, rng, rng.randint(1, 4))
        if comps:
            node["ceterms:teaches"] = comps
        if rng.random() < 0.3:
            pre = self.plan.pick(rng, "course", avoid=i)
            if pre is not None:
                node["ceterms:prerequisite"] = [self.plan.resource(pre)]
        return node

    def learning_program(self, i: int, rng: random.Random) -> dict:
        node = self.learning_basics(i, rng, "ceterms:LearningProgram", "program")
        node["ceterms:estimatedCost"] = [self.cost(rng, "the program")]
        node["ceterms:estimatedDuration"] = [{"@type": "ceterms:DurationProfile",
                                             "ceterms:exactDuration": f"P{rng.choice([8, 16, 32])}W"}]
        node["ceterms:learningMethodType"] = [_cao(rng.choice(["learnMethod:Applied", "learnMethod:Lecture",
                                                               "learnMethod:WorkBased"]))]
        parts = [x for x in (self.plan.pick(rng, "course", avoid=i) for _ in range(rng.randint(2, 5))) if x is not None]
        if parts:
            node["ceterms:hasPart"] = [self.plan.resource(x) for x in dict.fromkeys(parts)]
        node.update(self.alignments(rng, self.plan.field_of(i)))
        comps = self.teaches(i, rng, rng.randint(1, 3))
        if comps:
            node["ceterms:teaches"] = comps
        return node

    def learning_opportunity(self, i: int, rng: random.Random) -> dict:
        node = self.learning_basics(i, rng, "ceterms:LearningOpportunityProfile", "training")
        node["ceterms:estimatedCost"] = [self.cost(rng, "the training")]
        node["ceterms:entryCondition"] = [{"@type": "ceterms:ConditionProfile",
                                          "ceterms:description": {"en-US": "Applicants need a high school diploma or equivalent."},
                                          "ceterms:condition": {"en-US": ["High school diploma or GED", "Interview"]}}]
        graph = []
        if rng.random() < 0.5:  # offered by an organization outside the registry (blank node)
            bnode = f"_:{_uuid(self.plan.seed, f'{i}:org')}"
            node["ceterms:offeredBy"] = [bnode]
            graph.append({"@id": bnode, "@type": "ceterms:CredentialOrganization",
                          "ceterms:name": {"en-US": f"{rng.choice(ORG_NAMES)} Training Partners"},
                          "ceterms:subjectWebpage": f"https://partners.example.org/{rng.randrange(10**5)}"})
        node["__graph__"] = graph
        return node

    def assessment(self, i: int, rng: random.Random) -> dict:
        node = self.learning_basics(i, rng, "ceterms:AssessmentProfile", "assessment")
        node["ceterms:assessmentMethodType"] = [_cao(rng.choice(["assessMethod:Exam", "assessMethod:Performance",
                                                                 "assessMethod:Artifact"]))]
        comps = self.teaches(i, rng, rng.randint(1, 5))
        if comps:
            node["ceterms:assesses"] = comps
        return node

    def organization(self, i: int, rng: random.Random) -> dict:
        kind, types, sector = ORG_KINDS[_hash_int(self.plan.seed, f"org:{i}") % len(ORG_KINDS)]
        city, region, postal = rng.choice(PLACES)
        name = f"{rng.choice(ORG_NAMES)} {kind}"
        slug = self.plan.ctid(i)[3:11]
        return {"@type": "ceterms:QACredentialOrganization" if kind == "Certification Board" and rng.random() < 0.2
                else "ceterms:CredentialOrganization",
                "ceterms:name": _lang(rng, f"{name} of {city}"),
                "ceterms:description": {"en-US": f"{name} serves learners and employers in {region}."},
                "ceterms:subjectWebpage": f"https://org-{slug}.example.org/",
                "ceterms:agentType": [_cao(t) for t in types],
                "ceterms:agentSectorType": _cao(sector),
                "ceterms:email": [f"info@org-{slug}.example.org"],
                "ceterms:address": [{"@type": "ceterms:Place", "ceterms:streetAddress": {"en-US": f"{rng.randint(1, 999)} College Avenue"},
                                     "ceterms:addressLocality": {"en-US": city}, "ceterms:addressRegion": {"en-US": region},
                                     "ceterms:postalCode": postal, "ceterms:addressCountry": {"en-US": "United States"}}],
                "ceterms:socialMedia": [f"https://social.example.org/{slug}"],
                "ceterms:foundingDate": str(rng.randint(1850, 2020))}

    def competency_framework(self, i: int, rng: random.Random) -> dict:
        p = self.plan
        fw_iri = p.resource(i)
        n = p.competencies(i)
        fld = p.field_of(i)
        tops = max(2, n // 6)
        iris = [p.competency_iri(i, k) for k in range(n)]
        publisher = self.org_ref(i, rng)
        node = {"@type": "ceasn:CompetencyFramework", "__context__": CTDLASN_CONTEXT,
                "ceasn:name": {"en-US": f"{fld[0]} Competency Framework"},
                "ceasn:description": {"en-US": f"The knowledge and skills expected of people working in {fld[0].lower()}."},
                "ceasn:inLanguage": ["en-US"],
                "ceasn:publicationStatusType": "https://purl.org/ctdlasn/vocabs/publicationStatus/Published",
                "ceasn:license": "https://creativecommons.org/licenses/by/4.0/",
                "ceasn:dateCreated": f"20{rng.randint(10, 25):02d}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "ceasn:hasTopChild": iris[:tops]}
        if publisher:
            node["ceasn:publisher"] = [publisher]
            node["ceasn:creator"] = [publisher]
        graph = []
        for k, iri in enumerate(iris):
            comp = {"@id": iri, "@type": "ceasn:Competency", "ceterms:ctid": iri.rsplit("/", 1)[1],
                    "ceasn:competencyText": {"en-US": f"Apply {rng.choice(TOPICS).lower()} in {fld[0].lower()} (item {k + 1})."},
                    "ceasn:codedNotation": f"{p.ordinal(i) + 1}.{k + 1}",
                    "ceasn:isPartOf": fw_iri}
            if k < tops:
                comp["ceasn:isTopChildOf"] = fw_iri
                children = iris[tops + k::tops]
                if children:
                    comp["ceasn:hasChild"] = children
            else:
                comp["ceasn:isChildOf"] = [iris[(k - tops) % tops]]
            if rng.random() < 0.15:
                other = p.pick(rng, "competency_framework", avoid=i)
                if other is not None:
                    comp["ceasn:narrowAlignment"] = [p.competency_iri(other, rng.randrange(p.competencies(other)))]
            graph.append(comp)
        node["__graph__"] = graph
        return node

    def pathway(self, i: int, rng: random.Random) -> dict:
        p = self.plan
        pw = p.resource(i)
        n = rng.randint(5, 12)
        iris = [f"{BASE}resources/ce-{_uuid(p.seed, f'{i}:p{k}')}" for k in range(n)]
        fld = p.field_of(i)
        node = {"@type": "ceterms:Pathway", "ceterms:name": {"en-US": f"{fld[0]} Career Pathway"},
                "ceterms:description": {"en-US": f"Steps from first credential to a career in {fld[0].lower()}."},
                "ceterms:subjectWebpage": f"https://example.org/pathways/{p.ctid(i)[3:11]}",
                "ceterms:lifeCycleStatusType": _cao("lifeCycle:Active"),
                "ceterms:hasDestinationComponent": [iris[0]],
                "ceterms:hasPart": iris}
        self.owners(i, rng, node)
        graph = []
        level1 = iris[1:1 + max(1, (n - 1) // 2)]
        level2 = iris[1 + len(level1):]
        for k, iri in enumerate(iris):
            if k == 0:
                kind, target = "CredentialComponent", p.pick(rng, "credential", avoid=i)
            else:
                kind = rng.choice(["CourseComponent", "CourseComponent", "CredentialComponent", "AssessmentComponent"])
                target = p.pick(rng, {"CourseComponent": "course", "CredentialComponent": "credential",
                                      "AssessmentComponent": "assessment"}[kind], avoid=i)
            comp = {"@id": iri, "@type": f"ceterms:{kind}", "ceterms:ctid": iri.rsplit("/", 1)[1],
                    "ceterms:name": {"en-US": f"{fld[0]} step {k + 1}"},
                    "ceterms:description": {"en-US": f"Component {k + 1} of the {fld[0].lower()} pathway."},
                    "ceterms:isPartOf": [pw]}
            if target is not None:
                comp["ceterms:proxyFor"] = p.resource(target)
            if kind == "CredentialComponent":
                comp["ceterms:credentialType"] = f"{CETERMS}Certificate"
            if kind == "CourseComponent":
                comp["ceterms:creditValue"] = self.credit(rng, 3)
            if k == 0:
                comp["ceterms:isDestinationComponentOf"] = [pw]
                children = level1
            elif k <= len(level1):
                children = level2[k - 1::len(level1)]
            else:
                children = []
            if children:
                comp["ceasn:hasChild"] = children
                required = max(1, len(children) - (1 if rng.random() < 0.4 else 0))
                comp["ceterms:hasCondition"] = [{
                    "@type": "ceterms:ComponentCondition",
                    "ceterms:description": {"en-US": f"Complete {required} of the {len(children)} steps below."},
                    "ceterms:requiredNumber": required,
                    "ceterms:logicalOperator": "logic:And" if required == len(children) else "logic:Or",
                    "ceterms:targetComponent": children}]
            if 0 < k < n - 1 and k != len(level1):
                comp["ceterms:precedes"] = [iris[k + 1]]
            graph.append(comp)
        node["__graph__"] = graph
        return node

    # --- defects
    def inject(self, doc: dict, head: dict, i: int, t: str, kind: str, rng: random.Random) -> dict:
        p = self.plan
        entry = {"index": i, "file": p.relpath(i), "type": t, "graph": doc["@id"], "node": head["@id"],
                 "kind": kind}
        if kind == "missing-required":
            prop = REQUIRED_DROPPED[t]
            head.pop(prop, None)
            entry.update(property=prop, value=None)
        elif kind == "bad-ctid":
            good = p.ctid(i)
            bad = "ce-" + good[3:].upper() if rng.random() < 0.5 else good[:-1]  # upper case / one digit short
            head["ceterms:ctid"] = bad
            head["@id"] = f"{BASE}resources/{bad}"
            doc["@id"] = f"{BASE}graph/{bad}"
            entry.update(property="ceterms:ctid", value=bad, graph=doc["@id"], node=head["@id"])
        elif kind == "ctid-mismatch":
            other = "ce-" + _uuid(p.seed, f"{i}:mismatch")
            head["ceterms:ctid"] = other
            entry.update(property="ceterms:ctid", value=other)
        elif kind == "literal-for-iri":
            prop = "ceasn:publisher" if t == "competency_framework" else "ceterms:subjectWebpage"
            value = "Published by the framework's author" if t == "competency_framework" else "www.example.org/see-our-site"
            head[prop] = [{"@value": value}] if t == "competency_framework" else {"@value": value}
            entry.update(property=prop, value=value)
        elif kind == "wrong-scheme":
            prop, concept = SCHEME_PROPERTY[t]
            if prop.startswith("ceasn:"):
                value = f"https://purl.org/ctdl/vocabs/{concept.replace(':', '/')}"
                head[prop] = value
            else:
                value = concept
                cao = _cao(concept)
                head[prop] = cao if prop in ("ceterms:credentialStatusType", "ceterms:agentSectorType", "ceterms:lifeCycleStatusType") else [cao]
            entry.update(property=prop, value=value)
        elif kind == "dangling-reference":
            missing = f"{BASE}resources/ce-{_uuid(p.seed, f'{i}:missing')}"
            prop = "ceasn:publisher" if t == "competency_framework" else "ceterms:ownedBy"
            head[prop] = [missing]
            entry.update(property=prop, value=missing)
        prefix, local = entry["property"].split(":")
        entry["path"] = (CEASN if prefix == "ceasn" else CETERMS) + local
        return entry

    def envelope(self, doc: dict, i: int) -> dict:
        p = self.plan
        created = f"20{18 + i % 7}-0{1 + i % 9}-1{i % 10} 12:00:00 UTC"
        return {"envelope_community": "ce_registry", "envelope_id": _uuid(p.seed, f"{i}:envelope"),
                "envelope_ceterms_ctid": doc["@graph"][0]["ceterms:ctid"],
                "envelope_ctdl_type": doc["@graph"][0]["@type"], "envelope_type": "resource_data",
                "envelope_version": "1.0.0", "resource_format": "json", "resource_encoding": "jwt",
                "decoded_resource": doc, "publisher_id": None, "secondary_publisher_id": None,
                "node_headers": {"resource_digest": hashlib.sha256(str(i).encode()).hexdigest()[:44],
                                 "revision_history": [{"head": True, "event": "create", "created_at": created,
                                                       "actor": None}],
                                 "created_at": created, "updated_at": created, "deleted_at": None}}


def estimate_triples(node, key: str | None = None) -> int:
    """Triples a JSON-LD value yields under the CTDL contexts (exact for this generator's shapes).

    >>> estimate_triples({"@id": "x", "@type": "T", "ceterms:name": {"en-US": "a"}, "ceterms:keyword": {"en-US": ["a", "b"]}})
    4
    """
    if isinstance(node, list):
        return sum(estimate_triples(v, key) for v in node)
    if isinstance(node, dict):
        if "@value" in node:
            return 1
        if key is not None and "@type" not in node and "@id" not in node:  # a language map
            return sum(len(v) if isinstance(v, list) else 1 for v in node.values())
        n = 1 if key is not None else 0  # the link from the parent
        for k, v in node.items():
            if k in ("@id", "@context"):
                continue
            if k == "@type":
                n += len(v) if isinstance(v, list) else 1
            elif k == "@graph":
                n += estimate_triples(v)
            else:
                n += estimate_triples(v, k)
        return n
    return 1 if node is not None else 0


# ---------------------------------------------------------------------------------- writing
def _write_range(args) -> tuple[Counter, int, list[dict]]:
    plan, directory, start, stop = args
    builder = Builder(plan)
    types: Counter = Counter()
    triples = 0
    defects = []
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    made: set[str] = set()
    for i in range(start, stop):
        doc, entry = builder.build(i)
        types[plan.type_of(i)] += 1
        triples += estimate_triples(doc)
        if entry:
            defects.append(entry)
        body = builder.envelope(doc, i) if plan.envelope(i) else doc
        path = directory / plan.relpath(i)
        if path.parent.name not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent.name)
        with open(path, "wb") as f:
            f.write(dumps(body).encode())
    return types, triples, defects


def params_name(docs: int, seed: int, defect_rate: float, credentials: int | None, envelope_share: float) -> str:
    """The cache folder name for these parameters."""
    size = f"c{credentials}" if credentials else f"d{docs}"
    return f"{size}-s{seed}-r{defect_rate:g}-e{envelope_share:g}-v{GENERATOR_VERSION}"


def generate(out_dir: str | os.PathLike | None, docs: int | None = None, seed: int = 7,
             defect_rate: float = 0.05, credentials: int | None = None, *, envelope_share: float = 0.1,
             workers: int | None = None, progress: bool = False) -> Corpus:
    """Generate (or reuse, when ``out_dir`` already holds the same corpus) a synthetic corpus.

    ``docs`` documents of the registry's type mix; or, with ``credentials=N``, a corpus of N
    credential documents plus the organizations, learning opportunities, frameworks and pathways
    they link to (``docs`` is then derived). ``out_dir=None`` uses the cache
    ``benchmarks/.corpus/<params>/``. Same parameters, same bytes.
    """
    if credentials:
        mix = CREDENTIAL_MIX
        slots_cred = int(CREDENTIAL_MIX["credential"] * SLOTS)
        docs = -(-credentials * SLOTS // slots_cred)
    else:
        mix = REGISTRY_MIX
    if not docs or docs < 1:
        raise ValueError("give docs (a positive number) or credentials")
    name = params_name(docs, seed, defect_rate, credentials, envelope_share)
    root = Path(out_dir) if out_dir is not None else CACHE / name
    plan = Plan(docs, seed, defect_rate, mix, envelope_share)
    summary_path = root / "corpus.json"
    if summary_path.exists():
        summary = json.loads(summary_path.read_text())
        if summary.get("params") == name:
            return _corpus(root, plan, summary)
    documents = root / "documents"
    if documents.exists():
        shutil.rmtree(documents)
    documents.mkdir(parents=True)
    started = time.monotonic()
    step = 2000
    ranges = [(plan, documents, s, min(s + step, docs)) for s in range(0, docs, step)]
    workers = workers or (min(os.cpu_count() or 1, 4) if docs > 5000 else 1)
    types: Counter = Counter()
    triples = 0
    defects: list[dict] = []
    if workers > 1:
        with get_context("fork").Pool(workers) as pool:
            results = pool.imap(_write_range, ranges)
            for done, (t, n, d) in enumerate(results, 1):
                types.update(t)
                triples += n
                defects.extend(d)
                if progress:
                    print(f"\rgenerating: {min(done * step, docs):,}/{docs:,} documents", end="", flush=True)
    else:
        for r in ranges:
            t, n, d = _write_range(r)
            types.update(t)
            triples += n
            defects.extend(d)
    if progress:
        print(f"\rgenerated {docs:,} documents in {time.monotonic() - started:.1f} s" + " " * 20)
    credential_docs = types["credential"]
    (root / "defects.json").write_text(json.dumps({
        "params": name, "seed": seed, "docs": docs, "defect_rate": defect_rate,
        "kinds": dict(sorted(Counter(d["kind"] for d in defects).items())),
        "defects": defects}, indent=0))
    summary = {"params": name, "docs": docs, "seed": seed, "defect_rate": defect_rate,
               "envelope_share": envelope_share, "credentials": credential_docs,
               "credentials_sized": bool(credentials), "types": dict(sorted(types.items())),
               "triples_estimate": triples, "defects": len(defects),
               "generator_version": GENERATOR_VERSION}
    summary_path.write_text(json.dumps(summary, indent=1))  # written last: marks the corpus complete
    return _corpus(root, plan, summary)


def _corpus(root: Path, plan: Plan, summary: dict) -> Corpus:
    documents = root / "documents"
    return Corpus(dir=documents, files=Files(plan, documents), docs=summary["docs"],
                  credentials=summary["credentials"], triples_estimate=summary["triples_estimate"],
                  seed=summary["seed"], defect_rate=summary["defect_rate"],
                  envelope_share=summary["envelope_share"], types=summary["types"],
                  defect_count=summary["defects"], root=root, credentials_sized=summary["credentials_sized"])


def open_corpus(root: str | os.PathLike) -> Corpus:
    """The corpus generated earlier in ``root`` (its ``corpus.json`` says how)."""
    root = Path(root)
    summary = json.loads((root / "corpus.json").read_text())
    mix = CREDENTIAL_MIX if summary["credentials_sized"] else REGISTRY_MIX
    plan = Plan(summary["docs"], summary["seed"], summary["defect_rate"], mix, summary["envelope_share"])
    return _corpus(root, plan, summary)


def cached(docs: int | None = None, *, credentials: int | None = None, seed: int = 7,
           defect_rate: float = 0.05, progress: bool = False) -> Corpus:
    """The corpus of these parameters from ``benchmarks/.corpus/``, generated on first use."""
    return generate(None, docs, seed=seed, defect_rate=defect_rate, credentials=credentials, progress=progress)


def iter_documents(corpus: Corpus) -> Iterator[tuple[Path, dict]]:
    """Each file and its registry graph document (envelopes unwrapped), one at a time."""
    for path in corpus.files:
        obj = json.loads(path.read_bytes())
        yield path, obj["decoded_resource"] if "decoded_resource" in obj else obj


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus",
                                     description="Generate (or find in the cache) a synthetic registry corpus.")
    parser.add_argument("--docs", default="10k", help="documents, e.g. 10k, 100k, 400k")
    parser.add_argument("--credentials", help="size by credentials instead, e.g. 1M")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--defect-rate", type=float, default=0.05)
    parser.add_argument("--out", help="folder (default: the cache under benchmarks/.corpus/)")
    args = parser.parse_args(argv)
    corpus = generate(args.out, parse_size(args.docs), seed=args.seed, defect_rate=args.defect_rate,
                      credentials=parse_size(args.credentials) if args.credentials else None, progress=True)
    summary = {k: v for k, v in asdict(corpus).items() if k not in ("files",)}
    print(json.dumps(summary, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
