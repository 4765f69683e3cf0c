"""Load from a native generator: `wrk` (Debian), so the client is never the bottleneck.

Each run POSTs one SPARQL query (application/sparql-query), or GETs one page, over persistent
connections for a fixed time and reports requests/s, p50/p99 latency, non-2xx answers and the share
of the machine's CPU that wrk itself used, so a reader can see whether the client limited the result.
With `distinct=True` every request's query text differs (a comment with a per-thread counter), so no
answer cache can serve it: the cost of actually answering.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    client_cpu_share: float  # wrk's CPU seconds ÷ (wall seconds × cores)


def available() -> str | None:
    return shutil.which("wrk")


# Each wrk thread numbers its requests; the thread's own id keeps the texts of two threads apart. A
# query gets the number as a comment; a page as a query string (pages ignore parameters they do not know).
_DISTINCT = """
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
local n = 0
function request()
  n = n + 1
  return {request}
end
"""
_DISTINCT_POST = _DISTINCT.replace("{request}",
                                   'wrk.format(nil, nil, nil, wrk.body .. "\\n# distinct " .. tid .. "-" .. n)')
_DISTINCT_GET = _DISTINCT.replace("{request}", 'wrk.format(nil, wrk.path .. "?bench=" .. tid .. "-" .. n)')


def _script(body: str | None, content_type: str, accept: str, distinct: bool) -> str:
    if body is None:
        return f'wrk.method = "GET"\nwrk.headers["Accept"] = "{accept}"\n' + (_DISTINCT_GET if distinct else "")
    fence = "=" * 8
    return (f'wrk.method = "POST"\nwrk.body = [{fence}[{body}]{fence}]\n'
            f'wrk.headers["Content-Type"] = "{content_type}"\nwrk.headers["Accept"] = "{accept}"\n'
            + (_DISTINCT_POST if distinct else ""))


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run(url: str, body: str | None, accept: str, connections: int, duration: float,
        content_type: str = "application/sparql-query", threads: int = 2, distinct: bool = False) -> WrkResult:
    """One wrk run of whole seconds; `url` is the endpoint, `body` the query (None: GET `url`)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as handle:
        handle.write(_script(body, content_type, accept, distinct))
        script = Path(handle.name)
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        seconds = max(1, round(duration))
        out = subprocess.run(["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s",
                              "--latency", "-s", str(script), url], capture_output=True, text=True, check=True).stdout
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        script.unlink()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _seconds(re.search(r"^\s+50%\s+(\S+)", out, flags=re.M).group(1))
    p99 = _seconds(re.search(r"^\s+99%\s+(\S+)", out, flags=re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(errors.group(1)) if errors else 0
    if socket_errors:
        failed += sum(int(x) for x in socket_errors.groups())
    return WrkResult(rps, p50 * 1000, p99 * 1000, failed, cpu / (wall * (os.cpu_count() or 1)))
