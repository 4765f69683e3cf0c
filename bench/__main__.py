"""`python -m bench` (also `make bench`): every benchmark in one run, each printing its own table.

1. throughput (`bench.throughput`): ours cached and uncached against oxigraph and rdflib-endpoint;
2. breakdown (`bench.breakdown`): where one uncached request's time goes;
3. scale (`bench.scale`): the real data and a SYNTHETIC one ~50× its size: load, cold start,
   the query mix, validation, memory;
4. scale-out (`bench.scale_out`): copies of the app in front of oxigraph serve and Virtuoso.

    .venv/bin/python -m bench [--only throughput|breakdown|scale|scale-out …]

Each part also runs alone (`python -m bench.scale --help`, …) with more options.
"""

import argparse
import sys
import time

from bench import breakdown, scale, scale_out, throughput

PARTS = {
    "throughput": lambda: throughput.main(["--concurrency", "16", "--json", "bench/last-throughput.json"]),
    "breakdown": lambda: breakdown.main([]),
    "scale": lambda: scale.main(["--requests", "1", "--prepared-only", "--json", "bench/last-scale.json",
                                 "--svg", "docs/images/scale.svg"]),
    "scale-out": lambda: scale_out.main(["--duration", "1", "--json", "bench/last-scale-out.json"]),
}

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--only", action="append", choices=list(PARTS), help="run only these parts")
args = parser.parse_args()
status = 0
for name in args.only or list(PARTS):
    started = time.monotonic()
    print(f"\n## {name}\n", flush=True)
    status = max(status, PARTS[name]() or 0)
    print(f"\n({name}: {time.monotonic() - started:.0f} s)", flush=True)
sys.exit(status)
