"""Scale mode: how each cost grows from the real release to a SYNTHETIC one ~50× its size.

    .venv/bin/python -m bench.scale [--factor 50] [--requests 20] [--pyshacl-at-scale] [--json F] [--svg F]

For the real release (data/release, copied) and the synthetic dataset of `bench.synthetic`
(47 prefectures shaped like Fukushima's graph, marked synthetic, written to a temporary directory
and deleted afterwards): load time into our store (`prepare_store`, what the server does) and
`oxigraph load`; cold start of `python server.py` to its first answer on /sparql, with the store
not yet made and already made; the query mix (the benchmark's built-in queries and every
queries/**/*.rq, label and IRI literals adapted to the synthetic data) as p50 of sequential POSTs,
A B alternating, ours (answer cache off, so the store is measured) against `oxigraph
serve-read-only`; full SHACL validation with each engine; resident memory of each server's whole
process tree. Prints markdown tables; `--svg` draws the growth chart.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import servers, stores, synthetic
from bench.throughput import JSON_RESULTS, QUERIES, example_queries

ROOT = stores.ROOT
BASE = "https://w3id.org/fukudx/id/"
ASK = "ASK { ?s ?p ?o }"
TIMEOUT = 60  # seconds a client waits for one answer (our server stops a query after 30 s, oxigraph never)
TARGETS = {"load_ours_s": 60, "p50_max_ms": 50, "validate_rudof_s": 90}
LOAD = ("import sys, time\nfrom pathlib import Path\nfrom fukudx_kg.release import read_release\n"
        "from fukudx_kg.store.backends import prepare_store\nr = read_release(Path(sys.argv[1]))\n"
        "t = time.monotonic()\nprepare_store(r, Path(sys.argv[2]))\nprint(time.monotonic() - t)\n")


def adapt(query: str) -> str:
    """The same question of the synthetic data: its IRIs and labels carry the synthetic mark."""
    query = query.replace(BASE, f"{BASE}{synthetic.SEGMENT}/")
    return re.sub(r'((?:rdfs:label|skos:prefLabel|skos:altLabel|dcterms:title)\s+")',
                  lambda m: m.group(1) + synthetic.LABEL_PREFIX, query)


def _post(conn: http.client.HTTPConnection, path: str, query: str, accept: str) -> tuple[int, bytes, float]:
    """(status, body, ms); status 0 when the client gave up after TIMEOUT seconds (the connection is reset)."""
    started = time.perf_counter()
    try:
        conn.request("POST", path, body=query.encode("utf-8"),
                     headers={"Accept": accept, "Content-Type": "application/sparql-query"})
        response = conn.getresponse()
        body = response.read()
    except OSError:
        conn.close()
        return 0, b"", (time.perf_counter() - started) * 1000
    return response.status, body, (time.perf_counter() - started) * 1000


def _size(body: bytes, accept: str) -> int:
    if accept == JSON_RESULTS:
        data = json.loads(body)
        return len(data["results"]["bindings"]) if "results" in data else 1
    return len([line for line in body.decode("utf-8").splitlines() if line.strip()])


def _timed(argv: list[str]) -> tuple[float, int]:
    started = time.monotonic()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    return time.monotonic() - started, done.returncode


def query_mix(queries: dict, ours: int, ox: int, pids: tuple[int, int], requests: int) -> tuple[list[dict], dict]:
    """p50 of sequential POSTs per query, A B alternating; peak RSS of both process trees between queries."""
    conns = {"ours": (http.client.HTTPConnection("127.0.0.1", ours, timeout=TIMEOUT), "/sparql"),
             "oxigraph": (http.client.HTTPConnection("127.0.0.1", ox, timeout=TIMEOUT), "/query")}
    rows, peak = [], {"ours": 0, "oxigraph": 0}
    for name, (query, accept) in queries.items():
        row = {"query": name}
        first = {}
        for who, (conn, path) in conns.items():
            status, body, ms = _post(conn, path, query, accept)
            first[who] = ms
            row[f"{who}_size"] = _size(body, accept) if status == 200 else f"HTTP {status or 'timeout'}"
        # a slow query gets fewer rounds, one that times out none more
        slowest = max(first.values())
        n = min(requests, requests if slowest < 2000 else 3 if slowest < 20_000 else 1)
        times: dict[str, list[float]] = {"ours": [], "oxigraph": []}
        errors = 0
        for _ in range(n):
            for who, (conn, path) in conns.items():
                status, _, ms = _post(conn, path, query, accept)
                errors += status != 200
                if status == 200:  # a refusal (503) or a timeout is no answer time
                    times[who].append(ms)
        row.update(n=n, errors=errors, **{f"{who}_p50_ms": round(statistics.median(ts), 2) if ts else None
                                          for who, ts in times.items()})
        rows.append(row)
        print(f"  {name}: {json.dumps(row)}", flush=True)
        for who, pid in zip(("ours", "oxigraph"), pids, strict=True):
            peak[who] = max(peak[who], servers.tree_rss(pid))
    return rows, peak


def measure(name: str, data: Path, work: Path, queries: dict, requests: int, pyshacl: bool,
            unprepared: bool = True) -> dict:
    release = json.loads((data / "release.json").read_text(encoding="utf-8"))
    out: dict = {"dataset": name, "quads": release["quads"]}
    # Timed load into a scratch store; with `unprepared` False, into the store the server will open.
    from fukudx_kg.store.backends import STORE_DIR

    store_root = work / f"{name}-load" if unprepared else data / STORE_DIR
    seconds, _ = _timed([sys.executable, "-c", LOAD, str(data), str(store_root)])
    out["load_ours_s"] = round(seconds, 1)
    if unprepared:
        shutil.rmtree(store_root, ignore_errors=True)
    out["load_oxigraph_s"] = round(_timed([stores.oxigraph_binary(), "load", "--location", str(work / f"{name}-ox"),
                                           "--file", str(data / "dataset.nq")])[0], 1)
    running: list[stores.Running] = []
    try:
        keys = ("cold_start_unprepared_s", "cold_start_prepared_s") if unprepared else ("cold_start_prepared_s",)
        for key in keys:  # the first run makes the store
            running.append(ours := stores.start_app(data, work / "logs", env={"FUKUDX_RESPONSE_CACHE_MB": "0"},
                                                    ready=False))
            out[key] = round(servers.first_answer(ours.port, ours.query_path, ASK, ours.process), 2)
            if key == "cold_start_unprepared_s":
                ours.stop()
        running.append(oxigraph := stores.serve_oxigraph(work / f"{name}-ox", work / "logs"))
        rows, peak = query_mix(queries, ours.port, oxigraph.port, (ours.process.pid, oxigraph.process.pid), requests)
        out.update(queries=rows, rss_ours_mb=round(peak["ours"] / 2**20),
                   rss_oxigraph_mb=round(peak["oxigraph"] / 2**20))
    finally:
        for server in running:
            server.stop()
    engines = ["rudof"] + (["pyshacl"] if pyshacl or name == "real" else [])
    for engine in engines:  # no server running: validation has the machine
        seconds, code = _timed([sys.executable, "-m", "fukudx_kg", "validate", "--engine", engine, "--format", "json",
                                "--output", str(work / f"{name}-{engine}.json"), str(data / "dataset.nq")])
        out[f"validate_{engine}_s"] = round(seconds, 1)
        out[f"validate_{engine}_exit"] = code
    def slowest(who: str) -> float:  # a query never answered counts as the client's whole wait
        return [r[f"{who}_p50_ms"] if r[f"{who}_p50_ms"] is not None else TIMEOUT * 1000 for r in rows]
    p50s = slowest("ours")
    out.update(p50_median_ms=round(statistics.median(p50s), 2), p50_max_ms=max(p50s),
               p50_max_query=rows[p50s.index(max(p50s))]["query"],
               ox_p50_median_ms=round(statistics.median(slowest("oxigraph")), 2),
               ox_p50_max_ms=max(slowest("oxigraph")))
    return out


SUMMARY = [("quads", "quads", None), ("load into our store (s)", "load_ours_s", None),
           ("`oxigraph load` (s)", "load_oxigraph_s", None),
           ("cold start to first answer, store made (s)", "cold_start_prepared_s", None),
           ("cold start to first answer, store not made (s)", "cold_start_unprepared_s", None),
           ("query mix p50, median of queries, ours (ms)", "p50_median_ms", None),
           ("query mix p50, median of queries, oxigraph (ms)", "ox_p50_median_ms", None),
           ("query mix p50, slowest query, ours (ms)", "p50_max_ms", None),
           ("query mix p50, slowest query, oxigraph (ms)", "ox_p50_max_ms", None),
           ("full SHACL validation, pyrudof engine (s)", "validate_rudof_s", None),
           ("full SHACL validation, pySHACL (s)", "validate_pyshacl_s", None),
           ("resident memory, ours, all processes (MB)", "rss_ours_mb", None),
           ("resident memory, oxigraph (MB)", "rss_oxigraph_mb", None)]


def tables(results: list[dict]) -> str:
    real, syn = results[0], results[-1]
    lines = ["| | real | synthetic | growth |", "|---|---:|---:|---:|"]
    for label, key, _ in SUMMARY:
        a, b = real.get(key), syn.get(key)
        growth = f"{b / a:.1f}×" if a and b else "—"
        lines.append(f"| {label} | {'—' if a is None else a} | {'—' if b is None else b} | {growth} |")
    lines += ["", "| query | real rows | real ours p50 ms | real oxigraph p50 ms | synthetic rows "
              "| synthetic ours p50 ms | synthetic oxigraph p50 ms |", "|---|---:|---:|---:|---:|---:|---:|"]
    by_name = {r["query"]: r for r in syn.get("queries", [])}
    for r in real.get("queries", []):
        s = by_name.get(r["query"], {})
        lines.append(f"| {r['query']} | {r['ours_size']} | {r['ours_p50_ms']} | {r['oxigraph_p50_ms']} "
                     f"| {s.get('ours_size', '—')} | {s.get('ours_p50_ms', '—')} | {s.get('oxigraph_p50_ms', '—')} |")
    return "\n".join(lines)


def svg(results: list[dict]) -> str:
    """Grouped bars on a log scale: each cost at synthetic size ÷ at real size, beside the data's growth."""
    import math
    real, syn = results[0], results[-1]
    bars = [("load", "load_ours_s", "load_oxigraph_s"), ("cold start (store made)", "cold_start_prepared_s", None),
            ("cold start (store not made)", "cold_start_unprepared_s", None),
            ("query p50 (median)", "p50_median_ms", "ox_p50_median_ms"),
            ("query p50 (slowest; 60 s = none)", "p50_max_ms", "ox_p50_max_ms"),
            ("validation", "validate_rudof_s", None), ("memory", "rss_ours_mb", "rss_oxigraph_mb")]
    bars = [bar for bar in bars if syn.get(bar[1]) is not None]  # e.g. no store-making start at scale
    growth = syn["quads"] / real["quads"]
    width, height, left, top, bottom = 760, 360, 60, 40, 90
    plot_h, group_w = height - top - bottom, (width - left - 20) / len(bars)

    def y(v: float) -> float:  # log10 scale from 0.1× to 1000×
        return top + plot_h * (1 - (math.log10(max(v, 0.1)) + 1) / 4)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
           f'font-size="11"><rect width="100%" height="100%" fill="white"/>',
           f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="14">How each cost grows from the real '
           f'data to SYNTHETIC data {growth:.0f}× its size</text>',
           f'<text transform="translate(14 {top + plot_h / 2}) rotate(-90)" text-anchor="middle">cost at synthetic '
           f'size ÷ cost at real size (log)</text>']
    for tick in (0.1, 1, 10, 100, 1000):
        out.append(f'<line x1="{left}" x2="{width - 20}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g}×</text>')
    out.append(f'<line x1="{left}" x2="{width - 20}" y1="{y(growth):.1f}" y2="{y(growth):.1f}" stroke="#c00" '
               f'stroke-dasharray="5 3"/><text x="{width - 22}" y="{y(growth) - 4:.1f}" text-anchor="end" '
               f'fill="#c00">data {growth:.0f}× (linear growth)</text>')
    for i, (label, ours_key, ox_key) in enumerate(bars):
        x0 = left + i * group_w + group_w * 0.15
        for j, (key, colour) in enumerate(((ours_key, "#1f6fb2"), (ox_key, "#999"))):
            if key and real.get(key) and syn.get(key):
                ratio = syn[key] / real[key]
                bx, top_y = x0 + j * group_w * 0.35, y(ratio)
                base = y(1)
                out.append(f'<rect x="{bx:.1f}" y="{min(top_y, base):.1f}" width="{group_w * 0.33:.1f}" '
                           f'height="{abs(base - top_y):.1f}" fill="{colour}"/><text x="{bx + group_w * 0.165:.1f}" '
                           f'y="{min(top_y, base) - 3:.1f}" text-anchor="middle" font-size="9">{ratio:.1f}×</text>')
        cx, (first, _, second) = left + (i + 0.5) * group_w, label.partition(" (")
        out.append(f'<text x="{cx:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="10">{first}'
                   f'<tspan x="{cx:.1f}" dy="13">{"(" + second if second else ""}</tspan></text>')
    out.append(f'<rect x="{left}" y="{height - 30}" width="10" height="10" fill="#1f6fb2"/><text x="{left + 14}" '
               f'y="{height - 21}">ours</text><rect x="{left + 60}" y="{height - 30}" width="10" height="10" '
               f'fill="#999"/><text x="{left + 74}" y="{height - 21}">oxigraph serve-read-only</text>'
               f'<text x="{width - 20}" y="{height - 21}" text-anchor="end">bench/scale.py, '
               f'{time.strftime("%Y-%m-%d")}, {os.cpu_count()}-core machine</text></svg>')
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=float, default=50.0, help="synthetic size as a multiple of the real quads")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--requests", type=int, default=20, help="sequential POSTs per query and server")
    parser.add_argument("--pyshacl-at-scale", action="store_true", help="also time pySHACL on the synthetic data "
                        "(minutes)")
    parser.add_argument("--no-rq", action="store_true", help="only the built-in queries")
    parser.add_argument("--prepared-only", action="store_true", help="at scale, time the cold start only with the "
                        "store already made (making it takes as long as the load, measured anyway)")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--svg", type=Path, help="draw the growth chart here (docs/images/scale.svg in the README)")
    args = parser.parse_args(argv)
    queries = dict(QUERIES) if args.no_rq else {**QUERIES, **example_queries()}
    work = Path(tempfile.mkdtemp(prefix="fukudx-scale-"))
    try:
        real = work / "real"
        real.mkdir()
        for name in ("dataset.nq", "release.json"):
            shutil.copy(ROOT / "data" / "release" / name, real / name)
        results = [measure("real", real, work, queries, args.requests, args.pyshacl_at_scale)]
        print(f"real: {json.dumps({k: v for k, v in results[0].items() if k != 'queries'})}", flush=True)
        started = time.monotonic()
        release = synthetic.generate(work / "synthetic", factor=args.factor, seed=args.seed)
        print(f"SYNTHETIC data: {release['quads']} quads, generated in {time.monotonic() - started:.1f} s", flush=True)
        adapted = {name: (adapt(q), accept) for name, (q, accept) in queries.items()}
        results.append(measure("synthetic", work / "synthetic", work, adapted, args.requests, args.pyshacl_at_scale,
                               unprepared=not args.prepared_only))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n" + tables(results))
    syn, ratio = results[-1], results[-1]["rss_ours_mb"] / max(results[-1]["rss_oxigraph_mb"], 1)
    met = {key: syn.get(key) is not None and syn[key] <= limit for key, limit in TARGETS.items()}
    print(f"\ntargets at scale: load ≤ 60 s {met['load_ours_s']}; every query p50 ≤ 50 ms {met['p50_max_ms']} "
          f"(slowest {syn['p50_max_query']} {syn['p50_max_ms']} ms); validation ≤ 90 s {met['validate_rudof_s']}; "
          f"memory ≤ 2× oxigraph {ratio <= 2} ({ratio:.2f}×)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.svg:
        args.svg.parent.mkdir(parents=True, exist_ok=True)
        args.svg.write_text(svg(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
