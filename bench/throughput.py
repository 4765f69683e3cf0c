"""Throughput: our endpoint (python server.py, production mode) against `oxigraph serve-read-only`
(the native limit) and `rdflib-endpoint` (the Python peer), on the same N-Quads, in one run.

    .venv/bin/python -m bench [--duration 1] [--concurrency 1,16] [--query NAME …] [--no-rq]
                              [--no-rdflib] [--json FILE]

Builds the dataset into a temporary directory, starts the three servers on loopback, checks that
they give the same number of results for every query (the built-in ones and every queries/**/*.rq),
then for each query and connection count runs `wrk` (`bench.wrk`) alternating A B A B over:
ours with repeated identical requests (answered from the per-release cache after the first),
ours with a distinct text per request (every one answered by a query process: the real cost),
oxigraph and rdflib-endpoint. Prints requests/s, p50/p99, the ratios and wrk's CPU share, and the
resource page (HTML) rate. Not part of the test run: only ratios measured in one run count.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import peers, stores, wrk

ROOT = stores.ROOT
FDX = "https://w3id.org/fukudx/ontology#"
PREFIXES = f"PREFIX fdx: <{FDX}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
JSON_RESULTS = "application/sparql-results+json"
MUNICIPALITY = "https://w3id.org/fukudx/id/municipality/072010"
PAGE = "/id/municipality/072010"  # the resource page measured as HTML

QUERIES: dict[str, tuple[str, str]] = {
    "lookup": (PREFIXES + f"SELECT ?l WHERE {{ <{MUNICIPALITY}> rdfs:label ?l }}", JSON_RESULTS),
    "ask": (PREFIXES + "ASK { ?m a fdx:Municipality }", JSON_RESULTS),
    "count": (PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?m a fdx:Municipality }", JSON_RESULTS),
    "describe": (f"DESCRIBE <{MUNICIPALITY}>", "application/n-triples"),
    "aggregate": (PREFIXES + "SELECT ?unit (COUNT(?i) AS ?n) WHERE { ?i a fdx:Initiative ; fdx:responsibleUnit ?unit }"
                  " GROUP BY ?unit ORDER BY DESC(?n) ?unit", JSON_RESULTS),
    "join": (PREFIXES + "SELECT ?i ?dept ?kpi ?target WHERE { ?i a fdx:Initiative ; fdx:responsibleUnit ?dept ; "
             "fdx:hasKPI ?kpi . ?kpi fdx:targetValue ?target } ORDER BY ?i ?kpi", JSON_RESULTS),
    "group-by": (PREFIXES + "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n)", JSON_RESULTS),
    "construct-turtle": (PREFIXES + "CONSTRUCT { ?m rdfs:label ?l } WHERE { ?m a fdx:Municipality ; rdfs:label ?l }",
                         "text/turtle"),
}
TINY = ("lookup", "ask", "count", "describe")


@dataclass
class Target:
    name: str
    port: int
    path: str              # query endpoint path
    distinct: bool = False  # a different query text per request (defeats answer caches)


def example_queries() -> dict[str, tuple[str, str]]:
    """Every queries/*.rq and queries/*/*.rq, as SELECT/ASK results in JSON."""
    found = {}
    for path in sorted((ROOT / "queries").glob("*.rq")) + sorted((ROOT / "queries").glob("*/*.rq")):
        name = path.stem if path.parent.name == "queries" else f"{path.parent.name}.{path.stem}"
        found[f"rq:{name}"] = (path.read_text(encoding="utf-8"), JSON_RESULTS)
    return found


def result_size(target: Target, query: str, accept: str) -> tuple[int, float]:
    """How many results one request gives, and how long it took."""
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=120)
    started = time.monotonic()
    conn.request("POST", target.path, body=query.encode("utf-8"),
                 headers={"Accept": accept, "Content-Type": "application/sparql-query"})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.monotonic() - started
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{target.name}: HTTP {response.status}: {body[:300]!r}")
    if accept == JSON_RESULTS:
        data = json.loads(body)
        return (len(data["results"]["bindings"]) if "results" in data else 1), elapsed
    import pyoxigraph

    formats = {"text/turtle": pyoxigraph.RdfFormat.TURTLE, "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES}
    return len(list(pyoxigraph.parse(body, format=formats[accept]))), elapsed


def _checked_size(target: Target, query: str, accept: str) -> tuple[int | None, float]:
    """`result_size`, or None when the answer was an error or unreadable (that target sits out the row)."""
    try:
        return result_size(target, query, accept)
    except (RuntimeError, ValueError, SyntaxError, OSError) as exc:
        print(f"<!-- {target.name}: {str(exc)[:200]} -->", flush=True)
        return None, 0.0


def alternate(targets: list[Target], query: str | None, accept: str, connections: int, duration: float,
              rounds: int = 2, path: str | None = None) -> dict[str, wrk.WrkResult]:
    """A B A B: each target measured `rounds` times, interleaved, so drift hits all alike."""
    runs: dict[str, list[wrk.WrkResult]] = {t.name: [] for t in targets}
    for _ in range(rounds):
        for t in targets:
            url = f"http://127.0.0.1:{t.port}{path or t.path}"
            runs[t.name].append(wrk.run(url, query, accept, connections, duration, distinct=t.distinct))
    return {name: wrk.WrkResult(statistics.mean(r.rps for r in rs), statistics.median(r.p50_ms for r in rs),
                                max(r.p99_ms for r in rs), sum(r.errors for r in rs),
                                max(r.client_cpu_share for r in rs))
            for name, rs in runs.items()}


def _ratio(a: float, b: float | None) -> float | None:
    return round(a / b, 3) if b else None


# The table's columns: (header, key of a result row), in the order printed.
COLUMNS = (("query", "query"), ("conns", "connections"), ("ours cached", "ours_cached_rps"),
           ("ours uncached", "ours_uncached_rps"), ("oxigraph", "oxigraph_rps"), ("rdflib-endpoint", "rdflib_rps"),
           ("cached ÷ ox", "cached_vs_oxigraph"), ("uncached ÷ ox", "uncached_vs_oxigraph"),
           ("uncached ÷ rdflib", "uncached_vs_rdflib"), ("ours p50 ms (uncached)", "ours_p50_ms"),
           ("ox p50 ms", "oxigraph_p50_ms"), ("ours p99 ms (uncached)", "ours_p99_ms"),
           ("ox p99 ms", "oxigraph_p99_ms"), ("errors", "errors"), ("wrk CPU", "client_cpu_share"))


def _row(name: str, clients: int, m: dict[str, wrk.WrkResult]) -> dict:
    cached, uncached, ox = m.get("ours-cached"), m["ours-uncached"], m["oxigraph"]
    rdf = m.get("rdflib-endpoint")
    return {
        "query": name, "connections": clients, "ours_cached_rps": round(cached.rps, 1) if cached else None,
        "ours_uncached_rps": round(uncached.rps, 1), "oxigraph_rps": round(ox.rps, 1),
        "rdflib_rps": round(rdf.rps, 1) if rdf else None,
        "cached_vs_oxigraph": _ratio(cached.rps, ox.rps) if cached else None,
        "uncached_vs_oxigraph": _ratio(uncached.rps, ox.rps),
        "uncached_vs_rdflib": _ratio(uncached.rps, rdf.rps) if rdf else None,
        "ours_p50_ms": round(uncached.p50_ms, 2), "oxigraph_p50_ms": round(ox.p50_ms, 2),
        "ours_p99_ms": round(uncached.p99_ms, 2), "oxigraph_p99_ms": round(ox.p99_ms, 2),
        "errors": sum(r.errors for r in m.values()),
        "client_cpu_share": round(max(r.client_cpu_share for r in m.values()), 3),
    }


def _print_row(row: dict) -> None:
    if row.get("rdflib_estimated"):
        row = dict(row, rdflib_rps=f"~{row['rdflib_rps']}")
    print("| " + " | ".join("—" if row[k] is None else str(row[k]) for _, k in COLUMNS) + " |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=1.0, help="seconds per wrk run (each target runs twice)")
    parser.add_argument("--concurrency", default="1,16", help="connection counts; 1 is run for the built-in queries")
    parser.add_argument("--query", action="append", help="run only these queries (names as printed)")
    parser.add_argument("--no-rq", action="store_true", help="only the built-in queries, not queries/**/*.rq")
    parser.add_argument("--no-rdflib", action="store_true", help="leave rdflib-endpoint out")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    if not wrk.available():
        print("wrk is not installed (Debian: apt-get install wrk); it is the load generator", file=sys.stderr)
        return 2
    queries = dict(QUERIES) if args.no_rq else {**QUERIES, **example_queries()}
    names = args.query or list(queries)

    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="fukudx-bench-"))
    running: list[stores.Running] = []
    try:
        build_dir, release = stores.build_dataset(work)
        dataset = build_dir / "dataset.nq"
        running.append(ours := stores.start_app(build_dir, work / "logs"))
        running.append(oxigraph := stores.start_oxigraph(dataset, work / "oxigraph"))
        version = subprocess.run([str(stores.oxigraph_binary()), "--version"], capture_output=True,
                                 text=True).stdout.strip()
        targets = [Target("ours-cached", ours.port, ours.query_path),
                   Target("ours-uncached", ours.port, ours.query_path, True),
                   Target("oxigraph", oxigraph.port, oxigraph.query_path)]
        peer = None if args.no_rdflib else peers.start_rdflib_endpoint(dataset, work / "logs")
        if peer is not None:
            running.append(peer)
            targets.append(Target("rdflib-endpoint", peer.port, peer.query_path))
        print(f"ours: python server.py (granian, default settings); oxigraph: {version} serve-read-only; "
              f"rdflib-endpoint: {peers.RDFLIB_ENDPOINT if peer else 'left out'}; load: wrk "
              f"{subprocess.run(['wrk', '--version'], capture_output=True, text=True).stdout.split()[1]} "
              f"(A B A B, {args.duration:g} s runs); machine: {os.cpu_count()} cores", flush=True)

        results = []
        print("\n| " + " | ".join(h for h, _ in COLUMNS) + " |\n" + "|---" * len(COLUMNS) + "|", flush=True)
        for name in names:
            query, accept = queries[name]
            sizes = {t.name: _checked_size(t, query, accept) for t in targets}
            counted = {n: s for n, (s, _) in sizes.items()}
            if counted["ours-cached"] is None or counted["ours-cached"] != counted["oxigraph"]:
                raise RuntimeError(f"{name}: ours and oxigraph disagree: {counted}")
            if len(set(counted.values())) > 1:
                print(f"<!-- {name}: result sizes differ {counted}; rdflib-endpoint left out of this row -->")
            row_targets = [t for t in targets if counted[t.name] == counted["oxigraph"]
                           and (t.name != "ours-cached" or name in QUERIES)]  # cached: the built-in ones
            # rdflib-endpoint (one Python process: one query at a time) on queries/**/*.rq, and on any
            # query it needs over a second for: its rate is taken from one answer (marked "~"), which
            # keeps `make bench` within 10 minutes; the built-in queries get wrk runs as the others.
            estimated = {t.name: 1 / sizes[t.name][1] for t in row_targets
                         if t.name == "rdflib-endpoint" and (name not in QUERIES or sizes[t.name][1] > 1.0)}
            row_targets = [t for t in row_targets if t.name not in estimated]
            # A slow query gets longer runs, so that each run completes a few requests.
            slowest = max(sizes[n][1] for n in ("ours-uncached", "oxigraph"))
            duration = min(max(args.duration, 8 * slowest), 4.0)
            for clients in levels:
                if clients == 1 and name not in QUERIES:
                    continue
                measured = alternate(row_targets, query, accept, clients, duration)
                measured.update({n: wrk.WrkResult(rate, 0.0, 0.0, 0, 0.0) for n, rate in estimated.items()})
                row = _row(name, clients, measured)
                row["rdflib_estimated"] = bool(estimated)
                results.append(row)
                _print_row(row)
        pages = alternate(targets[:2], None, "text/html", 16, args.duration, path=PAGE)
        for name, page in pages.items():
            print(f"\nresource page {PAGE} as HTML, 16 connections, {name}: {page.rps:.0f} pages/s, "
                  f"p50 {page.p50_ms:.2f} ms, p99 {page.p99_ms:.2f} ms, errors {page.errors}", end="")
        print()
        summary(results)
        if args.json:
            report = {"release": release["release"], "duration_s": args.duration, "results": results,
                      "page_rps": {name: page.rps for name, page in pages.items()}}
            args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    finally:
        for server in running:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def summary(results: list[dict]) -> None:
    """Geometric means of the ratios at 16 connections, by kind of query."""
    def geo(rows, key):
        values = [r[key] for r in rows if r[key]]
        return f"{statistics.geometric_mean(values):.3f}" if values else "—"

    at16 = [r for r in results if r["connections"] == 16]
    tiny = [r for r in at16 if r["query"] in TINY]
    rest = [r for r in at16 if r["query"] not in TINY]
    print("\ngeometric means at 16 connections (ours ÷ reference):")
    for label, rows in (("tiny lookups, ASK, COUNT, DESCRIBE", tiny), ("aggregates, joins, queries/**/*.rq", rest)):
        print(f"- {label}: cached ÷ oxigraph {geo(rows, 'cached_vs_oxigraph')}, uncached ÷ oxigraph "
              f"{geo(rows, 'uncached_vs_oxigraph')}, uncached ÷ rdflib-endpoint {geo(rows, 'uncached_vs_rdflib')}")


if __name__ == "__main__":
    sys.exit(main())
