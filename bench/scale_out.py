"""Scale-out throughput: stateless copies of our app in front of one store, against the store alone.

    .venv/bin/python -m bench.scale_out [--duration 3] [--connections 16] [--rounds 2] [--same-text]
                                        [--query NAME …] [--json FILE]

Builds the dataset into a temporary directory and starts, on loopback: our app with its embedded
store; `oxigraph serve-read-only` and Debian's Virtuoso (when installed) loaded with the same
dataset.nq (`bench.stores`); and two copies of our app (defaults: 2 web workers, 2+1 query processes
each) with FUKUDX_BACKEND pointing at each store. For an ASK, the aggregate 'group-by', a join from
queries/ and a DESCRIBE it checks that every setup gives the same number of results, then measures
with wrk (`bench.wrk`) at 16 connections, alternating the setups A B C … A B C …: the embedded app;
each store alone; 1 copy in front of it; 2 copies (two wrk processes at once, one per copy, half the
connections each, their rates added). Every request's text differs (a comment with a counter) so
that no answer cache serves it, unless --same-text (Virtuoso alone always gets the same text, see
`Setup.form`). Prints a markdown table. Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

import pyoxigraph as ox
import requests

from bench import stores, wrk

ROOT = stores.ROOT
JSON = "application/sparql-results+json"
NT = "application/n-triples"
PREFIXES = "PREFIX fdx: <https://w3id.org/fukudx/ontology#>\n"
QUERIES: dict[str, tuple[str, str]] = {
    "ask": (PREFIXES + "ASK { ?m a fdx:Municipality }", JSON),
    "group-by": ("SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n)", JSON),
    "join (kpis-of-department.rq)": ((ROOT / "queries" / "kpis-of-department.rq").read_text(encoding="utf-8"), JSON),
    "describe": ("DESCRIBE <https://w3id.org/fukudx/id/municipality/072010>", NT),
}


@dataclass
class Setup:
    """One column of the table: wrk sends to every URL at once, the connections split between them."""

    name: str
    urls: list[str]
    # POST the query URL-encoded, always the same text: Virtuoso 7.2 never answers an
    # application/sparql-query POST, and takes the raw newline of wrk's distinct suffix in a form body
    # for the end of the request (the rest gets 501). It keeps no answers, only compiled plans.
    form: bool = False


def measure(setup: Setup, query: str, accept: str, connections: int, duration: float,
            distinct: bool) -> wrk.WrkResult:
    """One timed run of `setup`; with several URLs, their rates added (each wrk gets its share)."""
    share = max(1, connections // len(setup.urls))
    body, content_type = query, "application/sparql-query"
    if setup.form:
        body, content_type, distinct = "query=" + quote_plus(query), "application/x-www-form-urlencoded", False
    with ThreadPoolExecutor(len(setup.urls)) as pool:
        runs = list(pool.map(lambda url: wrk.run(url, body, accept, share, duration, content_type, distinct=distinct),
                             setup.urls))
    # wrk's CPU share is read from this process's finished children: the last run to finish sees all.
    return wrk.WrkResult(sum(r.rps for r in runs), statistics.mean(r.p50_ms for r in runs),
                         max(r.p99_ms for r in runs), sum(r.errors for r in runs),
                         max(r.client_cpu_share for r in runs))


def result_size(url: str, query: str, accept: str) -> int | str:
    """How many results one request gives (the boolean for ASK), or the HTTP status when it fails."""
    response = requests.post(url, data={"query": query}, headers={"Accept": accept}, timeout=120)
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    if accept == NT:
        return len(list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)))
    data = response.json()
    return data["boolean"] if "boolean" in data else len(data["results"]["bindings"])


def _cell(result: wrk.WrkResult | None) -> str:
    if result is None:
        return "—"
    errors = f", {result.errors} errors" if result.errors else ""
    return f"{result.rps:,.0f} ({result.p50_ms:.1f} / {result.p99_ms:.0f} ms{errors})"


def run(setups: list[Setup], names: list[str], connections: int, duration: float, rounds: int,
        distinct: bool) -> list[dict]:
    """Every query on every setup, the setups interleaved round by round; prints the table as it goes."""
    print("\n| query | " + " | ".join(s.name for s in setups) + " | wrk CPU share |")
    print("|---" * (len(setups) + 2) + "|", flush=True)
    rows = []
    for name in names:
        query, accept = QUERIES[name]
        sizes = {s.name: result_size(s.urls[0], query, accept) for s in setups}
        reference = sizes[setups[0].name]
        usable = [s for s in setups if sizes[s.name] == reference]
        for s in setups:
            if s not in usable:
                print(f"  {name}: {s.name} answers {sizes[s.name]!r}, ours {reference!r}: not measured", flush=True)
        for s in usable:  # warm-up
            measure(s, query, accept, connections, 1, distinct)
        runs: dict[str, list[wrk.WrkResult]] = {s.name: [] for s in usable}
        for _ in range(rounds):
            for s in usable:
                runs[s.name].append(measure(s, query, accept, connections, duration, distinct))
        merged = {n: wrk.WrkResult(statistics.mean(r.rps for r in rs), statistics.median(r.p50_ms for r in rs),
                                   max(r.p99_ms for r in rs), sum(r.errors for r in rs),
                                   max(r.client_cpu_share for r in rs)) for n, rs in runs.items()}
        cpu = max(m.client_cpu_share for m in merged.values())
        print(f"| {name} | " + " | ".join(_cell(merged.get(s.name)) for s in setups) + f" | {cpu:.2f} |", flush=True)
        rows.append({"query": name, "results": reference, "connections": connections,
                     **{s.name: None if s.name not in merged else
                        {"rps": round(merged[s.name].rps, 1), "p50_ms": round(merged[s.name].p50_ms, 2),
                         "p99_ms": round(merged[s.name].p99_ms, 2), "errors": merged[s.name].errors}
                        for s in setups}})
    print("\ncells: requests/s (p50 / p99 latency); '2 copies' = two wrk processes at once, one per copy, "
          f"{connections // 2} connections each, rates added")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each setup, interleaved")
    parser.add_argument("--same-text", action="store_true",
                        help="repeat the identical query text (our app's answer cache then serves it)")
    parser.add_argument("--query", action="append", choices=list(QUERIES), help="only these queries")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    if not wrk.available():
        print("wrk is not installed (Debian: apt-get install wrk); it is the load generator", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="fukudx-scale-out-"))
    started: list[stores.Running] = []
    try:
        build_dir, release = stores.build_dataset(work)
        dataset = build_dir / "dataset.nq"
        started.append(ours := stores.start_app(build_dir, work / "logs"))
        setups = [Setup("ours (embedded)", [ours.url])]
        started.append(oxigraph := stores.start_oxigraph(dataset, work / "oxigraph"))
        backends = [("oxigraph", oxigraph)]
        missing = stores.virtuoso_missing()
        if missing:
            print(f"Virtuoso not measured: {missing}", flush=True)
        else:
            started.append(virtuoso := stores.start_virtuoso(dataset, work / "virtuoso"))
            backends.append(("Virtuoso", virtuoso))
            print(f"Virtuoso: {stores.virtuoso_version()}", flush=True)
        for label, store in backends:
            copies = [stores.start_app(build_dir, work / "logs", store.url) for _ in range(2)]
            started += copies
            alone = f"{label} alone" + (" (same text)" if label == "Virtuoso" else "")
            setups += [Setup(alone, [store.url], form=label == "Virtuoso"),
                       Setup(f"1 copy → {label}", [copies[0].url]),
                       Setup(f"2 copies → {label}", [c.url for c in copies])]
        print(f"machine: {os.cpu_count()} cores, shared by every server and wrk; "
              f"{'identical texts' if args.same_text else 'a distinct text per request'}", flush=True)
        rows = run(setups, args.query or list(QUERIES), args.connections, args.duration, args.rounds,
                   not args.same_text)
        if args.json:
            args.json.write_text(json.dumps({"release": release["release"], "duration_s": args.duration,
                                             "results": rows}, indent=2, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
    finally:
        for server in started:
            if server.process.poll() is not None:
                print(f"{server.name} {server.base} had exited ({server.process.returncode}):\n{server.log()}")
        for server in reversed(started):
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
