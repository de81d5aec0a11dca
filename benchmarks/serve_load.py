"""Load a running `credgraph serve` from this (separate) process: concurrent SPARQL and page requests.

Bounded in time and in count. Prints one JSON object: requests, statuses, p50/p95 latency per
kind, and the outcome of any pathological queries sent alongside.

    python -m benchmarks.serve_load http://127.0.0.1:8000 --seconds 10 --clients 8 --max-requests 5000
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict

CETERMS = "https://purl.org/ctdl/terms/"
SPARQL = [
    f"SELECT ?c ?name WHERE {{ ?c a <{CETERMS}Certification> ; <{CETERMS}name> ?name }}",
    f"SELECT ?t (COUNT(?c) AS ?n) WHERE {{ ?c a ?t }} GROUP BY ?t ORDER BY DESC(?n) LIMIT 20",
    f"ASK {{ ?c <{CETERMS}isPartOf> ?d }}",
]
PAGES = ["/", "/search?q=certificate", "/queries",
         "/resource?iri=" + urllib.parse.quote("https://w3id.org/credgraph/id/topic/non-degree-credentials")]
# Unbounded path over everything x a cartesian product: minutes of work if nothing stops it.
PATHOLOGICAL = ("SELECT (COUNT(*) AS ?n) WHERE { ?a (<https://ex.org/p>|!<https://ex.org/p>)* ?b . "
                "?c ?p ?d . ?e ?q ?f }")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def request(url: str, kind: str, target: str, timeout: float) -> tuple[str, int, float]:
    start = time.monotonic()
    if kind == "sparql":
        data = urllib.parse.urlencode({"query": target}).encode()
        req = urllib.request.Request(url + "/sparql", data=data, method="POST",
                                     headers={"Accept": "application/sparql-results+json",
                                              "Content-Type": "application/x-www-form-urlencoded"})
    else:
        req = urllib.request.Request(url + target, headers={"Accept": "text/html"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        e.read()
        status = e.code
    except OSError:
        status = 0  # connection refused/reset: counted as a failure
    return kind, status, (time.monotonic() - start) * 1000


def run(url: str, seconds: float, clients: int, max_requests: int, pathological: int = 1,
        timeout: float = 30) -> dict:
    url = url.rstrip("/")
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    sent = 0
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter] = defaultdict(Counter)

    def client(i: int) -> None:
        nonlocal sent
        n = 0
        while time.monotonic() < deadline:
            with lock:
                if sent >= max_requests:
                    return
                sent += 1
            kind, target = ("sparql", SPARQL[n % len(SPARQL)]) if (i + n) % 2 else ("page", PAGES[n % len(PAGES)])
            n += 1
            kind, status, ms = request(url, kind, target, timeout)
            with lock:
                latencies[kind].append(ms)
                statuses[kind][status] += 1

    def attacker() -> None:
        kind, status, ms = request(url, "sparql", PATHOLOGICAL, timeout)
        with lock:
            latencies["pathological"].append(ms)
            statuses["pathological"][status] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    threads += [threading.Thread(target=attacker) for _ in range(pathological)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {kind: {"requests": len(latencies[kind]), "statuses": dict(statuses[kind]),
                   "p50_ms": round(statistics.median(latencies[kind]), 1) if latencies[kind] else None,
                   "p95_ms": round(percentile(latencies[kind], 95), 1)}
            for kind in sorted(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=5000)
    parser.add_argument("--pathological", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(run(args.url, args.seconds, args.clients, args.max_requests, args.pathological), indent=1))


if __name__ == "__main__":
    main()
