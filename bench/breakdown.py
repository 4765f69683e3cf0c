"""Where one uncached request's time goes, step by step, in one process (µs per request).

    .venv/bin/python -m bench.breakdown [--build-dir DIR] [--n 3000]

Each step is timed alone in a loop, single-threaded: the query-text checks, pyoxigraph answering,
the query process's whole job, the round trip to a query process (pipes, JSON, two wake-ups),
Flask with every middleware around a trivial route and around the SPARQL route. The HTTP layers
(granian, the RSGI bridge) are measured over real sockets by `python -m bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench import stores
from bench.stores import ROOT

ASK = "ASK { ?m a <https://w3id.org/fukudx/ontology#Municipality> }"
JSON_RESULTS = "application/sparql-results+json"


def per_call(fn, n: int) -> float:
    for _ in range(min(200, n)):
        fn()
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", type=Path, help="a built dataset (default: build one into a temp dir)")
    parser.add_argument("--n", type=int, default=3000, help="calls per step")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    build_dir = args.build_dir or stores.build_dataset(Path(tempfile.mkdtemp(prefix="fukudx-breakdown-")))[0]
    os.environ["FUKUDX_BUILD_DIR"] = str(build_dir)

    from fukudx_kg.sparql.inspection import inspect_query
    from fukudx_kg.sparql.service_policy import ServicePolicy
    from fukudx_kg.sparql.worker import _execute
    from fukudx_kg.store.executors import open_executor
    from fukudx_kg.store.pool import Job, QueryPool
    from fukudx_kg.web.runtime import WORKER_MODULE
    from server import create_app

    app = create_app()
    runtime = app.extensions["fukudx"]
    spec = dict(runtime.backend.worker_spec(), isolate_network=True)
    executor = open_executor(spec)
    policy = ServicePolicy((), runtime.settings.base_iri)
    job = Job(ASK, media_type=JSON_RESULTS)
    pool = QueryPool(spec, WORKER_MODULE, size=1, timeout=30, queue_wait=10).start()
    pool.wait_ready(60)
    client = app.test_client()
    headers = {"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS}
    n = args.n
    steps = [
        ("inspect the query text (web process)", lambda: inspect_query(ASK)),
        ("SERVICE check (query process)", lambda: policy.check_query(ASK)),
        ("pyoxigraph answers the ASK", lambda: executor.run(ASK, None, None)),
        ("query process's whole job (check, run, write JSON)", lambda: _execute(executor, dict(job.__dict__), policy)),
        ("job to JSON and back", lambda: json.loads(json.dumps(job.__dict__).encode())),
        ("round trip to a query process (pool.run)", lambda: pool.run(job)),
        ("Flask + middlewares, trivial route (/healthz)", lambda: client.get("/healthz")),
        ("Flask + middlewares + round trip (/sparql ASK)", lambda: client.post("/sparql", data=ASK, headers=headers)),
    ]
    print(f"{n} calls per step, one thread, {os.cpu_count()} cores\n")
    print("| step | µs per request |\n|---|---|")
    try:
        for label, fn in steps:
            print(f"| {label} | {per_call(fn, n):.1f} |", flush=True)
    finally:
        pool.close()
        runtime.pool.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
