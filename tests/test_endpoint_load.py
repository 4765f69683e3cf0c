"""Load: 32 concurrent clients for 10 seconds on loopback against the production server, with a
mix of GET/POST queries in several formats, conditional requests and health checks. Zero errors."""

from __future__ import annotations

import itertools
import statistics
import threading
import time

import pytest
import requests

pytestmark = pytest.mark.slow

CLIENTS = 32
DURATION_S = 10.0  # thousands of requests over every kind below; longer adds time, not coverage
FDX = "https://w3id.org/fukudx/ontology#"
PREFIXES = f"PREFIX fdx: <{FDX}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
SELECT = PREFIXES + 'SELECT ?m ?l WHERE { ?m a fdx:Municipality ; rdfs:label ?l FILTER(lang(?l) = "ja") } ORDER BY ?m'
COUNT = PREFIXES + "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n)"
CONSTRUCT = PREFIXES + "CONSTRUCT { ?m rdfs:label ?l } WHERE { ?m a fdx:Municipality ; rdfs:label ?l }"
ASK = PREFIXES + "ASK { ?m a fdx:Municipality }"
DESCRIBE = "DESCRIBE <https://w3id.org/fukudx/id/municipality/072010>"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


def _requests(base: str):
    sparql = base + "/sparql"
    return [
        ("GET select json", lambda s: s.get(sparql, params={"query": SELECT}, headers=JSON_RESULTS), 59),
        ("POST form csv", lambda s: s.post(sparql, data={"query": COUNT}, headers={"Accept": "text/csv"}), None),
        ("POST direct turtle", lambda s: s.post(sparql, data=CONSTRUCT.encode(), headers={
            "Content-Type": "application/sparql-query", "Accept": "text/turtle"}), None),
        ("GET ask xml", lambda s: s.get(sparql, params={"query": ASK, "format": "xml"}), None),
        ("GET describe", lambda s: s.get(sparql, params={"query": DESCRIBE}), None),
        ("GET healthz", lambda s: s.get(base + "/healthz"), None),
    ]


def test_32_clients_10_seconds_zero_errors(live_server, record_property):
    calls = _requests(live_server.base)
    stop_at = time.monotonic() + DURATION_S
    lock = threading.Lock()
    counts: dict[str, int] = {}
    errors: list[str] = []
    latencies: list[float] = []
    etag_hits = [0]
    answers_per_client = [0] * CLIENTS

    def client(index: int):
        with requests.Session() as session:
            etag = None
            for n in itertools.count(index):
                if time.monotonic() >= stop_at:
                    return
                name, call, expected_rows = calls[n % len(calls)]
                started = time.monotonic()
                try:
                    if n % 7 == 0 and etag:  # a revalidating cache
                        response = session.get(live_server.sparql, params={"query": SELECT},
                                               headers={**JSON_RESULTS, "If-None-Match": etag})
                        ok = response.status_code == 304
                        name = "GET conditional"
                        if ok:
                            with lock:
                                etag_hits[0] += 1
                    else:
                        response = call(session)
                        ok = response.status_code == 200 and len(response.content) > 0
                        if ok and expected_rows is not None:
                            ok = len(response.json()["results"]["bindings"]) == expected_rows
                            etag = response.headers.get("ETag")
                except requests.RequestException as exc:
                    with lock:
                        errors.append(f"{name}: {exc!r}")
                    continue
                elapsed = time.monotonic() - started
                with lock:
                    latencies.append(elapsed)
                    counts[name] = counts.get(name, 0) + 1
                    answers_per_client[index] += 1
                    if not ok:
                        errors.append(f"{name}: HTTP {response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started

    total = sum(counts.values())
    latencies.sort()
    summary = {
        "requests": total, "errors": len(errors), "requests_per_s": round(total / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1), "not_modified": etag_hits[0], "by_kind": counts,
    }
    print(f"\nload: {summary}")
    for key, value in summary.items():
        record_property(key, value)
    assert errors == [], errors[:10]
    assert min(answers_per_client) >= 20, answers_per_client  # every client got many answers, none starved
    assert etag_hits[0] > 0
    assert requests.get(live_server.url("/readyz")).status_code == 200
