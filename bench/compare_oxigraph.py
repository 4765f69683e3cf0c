"""Benchmark: our endpoint (python server.py, production mode) against `oxigraph serve` on the same data.

    .venv/bin/python -m bench [--duration 3] [--concurrency 1,16] [--query NAME …] [--no-rq] [--json FILE]

Builds the dataset into a temporary directory, starts both servers on loopback (oxigraph
`serve-read-only --union-default-graph`, the PyPI `oxigraph` matching pyoxigraph), checks that
both give the same number of results for every query (the built-in ones and every queries/**/*.rq),
then for each query and connection count runs `wrk` (a native load generator, `bench.wrk`)
alternating A B A B between the servers, and prints requests/s, p50/p99 latency, the ratio
ours ÷ oxigraph and the load generator's CPU share. Not part of the test run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import wrk

ROOT = Path(__file__).resolve().parent.parent
FDX = "https://w3id.org/fukudx/ontology#"
PREFIXES = f"PREFIX fdx: <{FDX}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
JSON_RESULTS = "application/sparql-results+json"

QUERIES: dict[str, tuple[str, str]] = {
    "ask": (PREFIXES + "ASK { ?m a fdx:Municipality }", JSON_RESULTS),
    "count": (PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?m a fdx:Municipality }", JSON_RESULTS),
    "labels-59": (PREFIXES + 'SELECT ?m ?l WHERE { ?m a fdx:Municipality ; rdfs:label ?l '
                              'FILTER(lang(?l) = "ja") } ORDER BY ?m',
                  JSON_RESULTS),
    "group-by": (PREFIXES + "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n)", JSON_RESULTS),
    "rows-5000": ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5000", JSON_RESULTS),
    "rows-5000-csv": ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5000", "text/csv"),
    "construct-turtle": (PREFIXES + "CONSTRUCT { ?m rdfs:label ?l } WHERE { ?m a fdx:Municipality ; rdfs:label ?l }",
                         "text/turtle"),
    "describe": ("DESCRIBE <https://w3id.org/fukudx/id/municipality/072010>", "application/n-triples"),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url_host: str, port: int, path: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection(url_host, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} not ready")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class Target:
    name: str
    port: int
    path: str  # query endpoint path


def _one(conn: http.client.HTTPConnection, path: str, query: str, accept: str) -> tuple[int, bytes]:
    conn.request("POST", path, body=query.encode("utf-8"),
                 headers={"Accept": accept, "Content-Type": "application/sparql-query"})
    response = conn.getresponse()
    return response.status, response.read()


def _example_queries() -> dict[str, tuple[str, str]]:
    """Every queries/*.rq and queries/*/*.rq, as SELECT/ASK results in JSON."""
    found = {}
    for path in sorted((ROOT / "queries").glob("*.rq")) + sorted((ROOT / "queries").glob("*/*.rq")):
        name = path.stem if path.parent.name == "queries" else f"{path.parent.name}.{path.stem}"
        found[f"rq:{name}"] = (path.read_text(encoding="utf-8"), JSON_RESULTS)
    return found


def measure(target: Target, query: str, accept: str, connections: int, duration: float) -> wrk.WrkResult:
    return wrk.run(f"http://127.0.0.1:{target.port}{target.path}", query, accept, connections, duration)


def alternate(targets: list[Target], query: str, accept: str, connections: int, duration: float,
              rounds: int = 2) -> dict[str, wrk.WrkResult]:
    """A B A B: each server measured `rounds` times, interleaved, so drift hits both alike."""
    runs: dict[str, list[wrk.WrkResult]] = {t.name: [] for t in targets}
    for _ in range(rounds):
        for target in targets:
            runs[target.name].append(measure(target, query, accept, connections, duration))
    return {name: wrk.WrkResult(statistics.mean(r.rps for r in rs), statistics.median(r.p50_ms for r in rs),
                                max(r.p99_ms for r in rs), sum(r.errors for r in rs),
                                max(r.client_cpu_share for r in rs))
            for name, rs in runs.items()}


def _result_size(target: Target, query: str, accept: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
    status, body = _one(conn, target.path, query, accept)
    conn.close()
    if status != 200:
        raise RuntimeError(f"{target.name}: HTTP {status}: {body[:300]!r}")
    if accept == JSON_RESULTS:
        data = json.loads(body)
        return len(data["results"]["bindings"]) if "results" in data else 1
    if accept == "text/csv":
        return len(body.decode().splitlines()) - 1
    import pyoxigraph

    formats = {"text/turtle": pyoxigraph.RdfFormat.TURTLE, "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES}
    return len(list(pyoxigraph.parse(body, format=formats[accept])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per wrk run (each server runs twice)")
    parser.add_argument("--concurrency", default="1,16", help="comma-separated connection counts")
    parser.add_argument("--query", action="append", help="run only these queries (names as printed)")
    parser.add_argument("--no-rq", action="store_true", help="only the built-in queries, not queries/**/*.rq")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    if not wrk.available():
        print("wrk is not installed (Debian: apt-get install wrk); it is the load generator", file=sys.stderr)
        return 2
    queries = dict(QUERIES) if args.no_rq else {**QUERIES, **_example_queries()}
    names = args.query or list(queries)

    sys.path.insert(0, str(ROOT))
    from fukudx_kg.build.pipeline import build

    work = Path(tempfile.mkdtemp(prefix="fukudx-bench-"))
    processes: list[subprocess.Popen] = []
    try:
        build_dir = work / "build"
        release = build(build_dir)
        print(f"dataset: {release['quads']} quads, release {release['release'][:12]}", flush=True)

        ours_port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("FUKUDX_")}
        env.update(FUKUDX_BUILD_DIR=str(build_dir), FUKUDX_ACCESS_LOG="")
        ours = subprocess.Popen([sys.executable, str(ROOT / "server.py"), "--port", str(ours_port)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        processes.append(ours)

        oxigraph_bin = Path(sys.executable).with_name("oxigraph")
        oxigraph_bin = oxigraph_bin if oxigraph_bin.exists() else Path(shutil.which("oxigraph") or "oxigraph")
        location = work / "oxigraph"
        subprocess.run([str(oxigraph_bin), "load", "--location", str(location),
                        "--file", str(build_dir / "dataset.nq")],
                       check=True, capture_output=True)
        ox_port = _free_port()
        oxigraph = subprocess.Popen([str(oxigraph_bin), "serve-read-only", "--location", str(location), "--bind",
                                     f"127.0.0.1:{ox_port}", "--union-default-graph"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        processes.append(oxigraph)
        _wait("127.0.0.1", ours_port, "/readyz", ours)
        _wait("127.0.0.1", ox_port, "/query?query=ASK%7B%7D", oxigraph)
        version = subprocess.run([str(oxigraph_bin), "--version"], capture_output=True, text=True).stdout.strip()
        print(f"ours: python server.py (granian, defaults); oxigraph: {version} serve-read-only; "
              f"load: {subprocess.run(['wrk', '--version'], capture_output=True, text=True).stdout.split()[1]} "
              f"(wrk, A B A B); machine: {os.cpu_count()} cores", flush=True)

        targets = [Target("ours", ours_port, "/sparql"), Target("oxigraph", ox_port, "/query")]
        results = []
        header = ("| query | conns | ours req/s | oxigraph req/s | ratio | ours p50 ms | oxigraph p50 ms "
                  "| ours p99 ms | oxigraph p99 ms | errors | wrk CPU share |")
        print("\n" + header + "\n" + "|---" * 11 + "|", flush=True)
        for name in names:
            query, accept = queries[name]
            sizes = {t.name: _result_size(t, query, accept) for t in targets}
            if sizes["ours"] != sizes["oxigraph"]:
                raise RuntimeError(f"{name}: result sizes differ: {sizes}")
            for clients in levels:
                for target in targets:  # warm-up
                    measure(target, query, accept, clients, 1)
                measured = alternate(targets, query, accept, clients, args.duration)
                ours_m, ox_m = measured["ours"], measured["oxigraph"]
                row = {
                    "query": name, "connections": clients, "result_size": sizes["ours"],
                    "ours_rps": round(ours_m.rps, 1), "oxigraph_rps": round(ox_m.rps, 1),
                    "ratio_rps": round(ours_m.rps / ox_m.rps, 3) if ox_m.rps else None,
                    "ours_p50_ms": round(ours_m.p50_ms, 2), "oxigraph_p50_ms": round(ox_m.p50_ms, 2),
                    "ours_p99_ms": round(ours_m.p99_ms, 2), "oxigraph_p99_ms": round(ox_m.p99_ms, 2),
                    "errors": ours_m.errors + ox_m.errors,
                    "client_cpu_share": round(max(ours_m.client_cpu_share, ox_m.client_cpu_share), 3),
                }
                results.append(row)
                print(f"| {name} | {clients} | {row['ours_rps']} | {row['oxigraph_rps']} | {row['ratio_rps']} "
                      f"| {row['ours_p50_ms']} | {row['oxigraph_p50_ms']} | {row['ours_p99_ms']} "
                      f"| {row['oxigraph_p99_ms']} | {row['errors']} | {row['client_cpu_share']} |", flush=True)
        ratios = [r["ratio_rps"] for r in results if r["ratio_rps"]]
        if ratios:
            geo = statistics.geometric_mean(ratios)
            print(f"\ngeometric mean of throughput ratios (ours ÷ oxigraph): {geo:.3f}")
        if args.json:
            args.json.write_text(json.dumps({"release": release["release"], "duration_s": args.duration,
                                             "results": results}, indent=2) + "\n", encoding="utf-8")
    finally:
        for process in processes:
            _stop(process)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
