"""Benchmark: our endpoint (python server.py, gunicorn) against `oxigraph serve` on the same data.

    .venv/bin/python -m bench [--duration 5] [--concurrency 1,8] [--query NAME …] [--json FILE]

Builds the dataset into a temporary directory, starts both servers on loopback (oxigraph
`serve-read-only --union-default-graph`, the PyPI `oxigraph` matching pyoxigraph), checks that
both give the same number of results for every query, then for each query and concurrency
level runs closed-loop clients (persistent HTTP/1.1 connections, one per client thread) for the
given duration against each server in turn, and prints requests/s, p50/p95 latency and the
ratios ours ÷ oxigraph. Not part of the test run.
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
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

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

    def request_path(self, query: str) -> str:
        return f"{self.path}?{urlencode({'query': query})}"


@dataclass
class Measurement:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _one(conn: http.client.HTTPConnection, path: str, accept: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    return response.status, response.read()


def run_load(target: Target, query: str, accept: str, clients: int, duration: float) -> Measurement:
    path = target.request_path(query)
    stop_at = time.monotonic() + duration
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
        local, ok, errors = [], 0, 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status, _ = _one(conn, path, accept)
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
                continue
            local.append(time.perf_counter() - started)
            if status == 200:
                ok += 1
            else:
                errors += 1
        conn.close()
        with lock:
            latencies.extend(local)
            counts["ok"] += ok
            counts["errors"] += errors

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Measurement(counts["ok"], counts["errors"], time.monotonic() - started, latencies)


def _result_size(target: Target, query: str, accept: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
    status, body = _one(conn, target.request_path(query), accept)
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
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per query, level and server")
    parser.add_argument("--concurrency", default="1,8", help="comma-separated client counts")
    parser.add_argument("--query", action="append", choices=sorted(QUERIES), help="run only these queries")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    names = args.query or list(QUERIES)

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
        print(f"ours: python server.py (gunicorn, defaults); oxigraph: {version} serve-read-only", flush=True)

        targets = [Target("ours", ours_port, "/sparql"), Target("oxigraph", ox_port, "/query")]
        results = []
        header = ("| query | clients | ours req/s | oxigraph req/s | ratio req/s | ours p50 ms | oxigraph p50 ms "
                  "| ours p95 ms | oxigraph p95 ms | errors |")
        print("\n" + header + "\n" + "|---" * 10 + "|", flush=True)
        for name in names:
            query, accept = QUERIES[name]
            sizes = {t.name: _result_size(t, query, accept) for t in targets}
            if sizes["ours"] != sizes["oxigraph"]:
                raise RuntimeError(f"{name}: result sizes differ: {sizes}")
            for clients in levels:
                for target in targets:  # warm-up
                    run_load(target, query, accept, clients, min(1.0, args.duration / 5))
                measured = {t.name: run_load(t, query, accept, clients, args.duration) for t in targets}
                ours_m, ox_m = measured["ours"], measured["oxigraph"]
                row = {
                    "query": name, "clients": clients, "result_size": sizes["ours"],
                    "ours_rps": round(ours_m.rps, 1), "oxigraph_rps": round(ox_m.rps, 1),
                    "ratio_rps": round(ours_m.rps / ox_m.rps, 3) if ox_m.rps else None,
                    "ours_p50_ms": round(ours_m.percentile(0.5) * 1000, 2),
                    "oxigraph_p50_ms": round(ox_m.percentile(0.5) * 1000, 2),
                    "ours_p95_ms": round(ours_m.percentile(0.95) * 1000, 2),
                    "oxigraph_p95_ms": round(ox_m.percentile(0.95) * 1000, 2),
                    "errors": ours_m.errors + ox_m.errors,
                }
                results.append(row)
                print(f"| {name} | {clients} | {row['ours_rps']} | {row['oxigraph_rps']} | {row['ratio_rps']} "
                      f"| {row['ours_p50_ms']} | {row['oxigraph_p50_ms']} | {row['ours_p95_ms']} "
                      f"| {row['oxigraph_p95_ms']} | {row['errors']} |", flush=True)
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
