"""Running queries in killable processes, so a runaway query can be stopped at the timeout.

pyoxigraph's `Store.query` cannot be interrupted (oxigraph issue 1926), so no query runs in the
web process. Each web process owns a `QueryPool` of N query processes
(`python -m <worker module>`, in this service `fukudx_kg.sparql.worker`), each holding its own
executor (read-only on-disk store or remote client, see `executors`). A request borrows an idle
process, sends the job, and waits for the answer until the deadline; past it the process is
SIGKILLed, a supervisor thread starts a
replacement, and the caller gets `QueryTimeout` (→ 503). A process that dies (e.g. over its
memory limit) is replaced the same way (`WorkerFailed` → 503). When no process is free within
`queue_wait`, the caller gets `PoolBusy` (→ 503 with Retry-After).

The worker module does all query-dependent work (checks, execution, writing results), so the
web process only relays bytes. Wire format, both directions: 4-byte big-endian length + payload; a job is a
JSON object, an answer is a JSON header frame, then (when ok) a body frame.

Query processes die with their parent (PR_SET_PDEATHSIG, set by the child, tied to the
supervisor thread that started them, which lives as long as the pool).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from fukudx_kg.paths import REPO_ROOT

log = logging.getLogger(__name__)

_LEN = struct.Struct(">I")
_PACKAGE_ROOT = str(REPO_ROOT)


class QueryTimeout(Exception):
    """The query ran past the timeout (or the quick lane's) and its process was killed."""

    def __init__(self, elapsed: float, quick_lane: bool = False):
        super().__init__(f"query stopped after {elapsed:.1f}s")
        self.elapsed = elapsed
        self.quick_lane = quick_lane


class PoolBusy(Exception):
    """No query process became free in time (all busy, or still starting)."""


class WorkerFailed(Exception):
    """The query process died while running the query (e.g. over its memory limit)."""


class QueryFailed(Exception):
    """The query was rejected or failed in a way the client should hear about (status + message)."""

    def __init__(self, status: int, kind: str, message: str):
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


@dataclass
class Job:
    query: str
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    media_type: str | None = None       # None → the default type of whatever form the query has
    row_cap: int = 100_000
    prefixes: dict[str, str] = field(default_factory=dict)
    union_default_graph: bool = True    # False when the query's own FROM / FROM NAMED define the dataset
    within_cap: bool = False            # a SELECT whose outermost LIMIT ≤ row_cap: cannot be truncated
    partial: bool = False               # the client accepts a result cut at the row cap (else: refused)


@dataclass
class Outcome:
    body: bytes
    media_type: str
    kind: str            # "solutions" | "boolean" | "triples"
    rows: int
    truncated: bool
    elapsed: float


# --------------------------------------------------------------------------------- wire format

def write_frame(fd: int, payload: bytes) -> None:
    data = memoryview(_LEN.pack(len(payload)) + payload)
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                raise TimeoutError
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float | None = None) -> bytes:
    (size,) = _LEN.unpack(_read_exact(fd, _LEN.size, deadline))
    return _read_exact(fd, size, deadline)


# ------------------------------------------------------------------------------------ the pool

class _Worker:
    def __init__(self, proc: subprocess.Popen, quick: bool = False):
        self.proc = proc
        self.quick = quick
        self.pid = proc.pid
        self.stdin = proc.stdin.fileno()
        self.stdout = proc.stdout.fileno()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> int | None:
        try:
            self.proc.kill()
        except OSError:
            pass
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not wait for the process
            code = None
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        return code


class QueryPool:
    """N killable query processes for one web process, plus a quick lane. Thread-safe.

    The quick lane (`quick_lane` processes, `quick_timeout` seconds) takes a query only when
    every regular process is busy, and stops it at the short deadline: runaway queries can fill
    the regular processes but never the lane, so a cheap query is still answered while they run.
    """

    def __init__(self, spec: dict[str, Any], worker: str, size: int, timeout: float, queue_wait: float,
                 memory_mb: int = 0, startup_timeout: float = 120.0, quick_lane: int = 0,
                 quick_timeout: float = 2.0):
        self.spec = dict(spec, memory_mb=memory_mb)
        self.worker = worker  # the module run as `python -m` in each query process
        self.size = size
        self.quick_lane = quick_lane
        self.timeout = timeout
        self.quick_timeout = min(quick_timeout, timeout)
        self.queue_wait = queue_wait
        self.startup_timeout = startup_timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._quick_idle: queue.Queue[_Worker] = queue.Queue()
        self._spawn_requests: queue.Queue[bool | None] = queue.Queue()
        self._lock = threading.Lock()
        self._alive: set[_Worker] = set()
        self._closed = False
        self._supervisor: threading.Thread | None = None
        self.stats = {"queries": 0, "quick_lane": 0, "timeouts": 0, "failures": 0, "busy": 0, "restarts": 0,
                      "spawn_errors": 0}
        self.last_spawn_error: str | None = None
        self.network: str | None = None  # as the query processes report it: "isolated" or "host (…)"

    # -- lifecycle
    def start(self) -> "QueryPool":
        with self._lock:
            if self._supervisor is None:
                self._supervisor = threading.Thread(target=self._supervise, name="query-pool-supervisor", daemon=True)
                self._supervisor.start()
                for quick in [False] * self.size + [True] * self.quick_lane:
                    self._spawn_requests.put(quick)
        return self

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._alive)
            self._alive.clear()
        self._spawn_requests.put(None)
        for worker in workers:
            worker.kill()

    def status(self) -> dict[str, Any]:
        with self._lock:
            alive = sum(1 for w in self._alive if w.alive())
        return {"size": self.size, "quick_lane": self.quick_lane, "alive": alive,
                "idle": self._idle.qsize() + self._quick_idle.qsize(), "network": self.network,
                "stats": dict(self.stats), "last_spawn_error": self.last_spawn_error}

    def ready(self) -> bool:
        return self.status()["alive"] > 0

    def wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._idle.qsize() >= self.size and self._quick_idle.qsize() >= self.quick_lane:
                return True
            time.sleep(0.02)
        return False

    # -- supervisor: the only thread that starts query processes (PDEATHSIG is tied to it)
    def _supervise(self) -> None:
        backoff = 0.5
        while True:
            quick = self._spawn_requests.get()
            if quick is None or self._closed:
                return
            try:
                worker = self._spawn(quick)
            except Exception as exc:  # keep trying: the pool must heal itself
                self.stats["spawn_errors"] += 1
                self.last_spawn_error = str(exc)
                log.error("could not start a query process: %s (retrying in %.1fs)", exc, backoff)
                time.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                self._spawn_requests.put(quick)
                continue
            backoff = 0.5
            self.last_spawn_error = None
            with self._lock:
                if self._closed:
                    worker.kill()
                    return
                self._alive.add(worker)
            (self._quick_idle if quick else self._idle).put(worker)

    def _spawn(self, quick: bool) -> _Worker:
        env = dict(os.environ)
        env["FUKUDX_QUERY_SPEC"] = json.dumps(self.spec)
        env["FUKUDX_QUERY_PARENT"] = str(os.getpid())
        env["PYTHONPATH"] = _PACKAGE_ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        proc = subprocess.Popen([sys.executable, "-m", self.worker], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, env=env, close_fds=True, bufsize=0)
        worker = _Worker(proc, quick)
        try:
            hello = json.loads(read_frame(worker.stdout, time.monotonic() + self.startup_timeout))
        except (TimeoutError, EOFError, ValueError, OSError) as exc:
            worker.kill()
            raise RuntimeError(f"query process {worker.pid} did not start ({type(exc).__name__})") from None
        if not hello.get("ready"):
            worker.kill()
            raise RuntimeError(hello.get("error") or "query process failed to start")
        network = hello.get("network", "host")
        if network != self.network:
            self.network = network
            if self.spec.get("isolate_network") and network != "isolated":
                log.error("SECURITY: query processes could not be cut off from the network: %s. Only the "
                          "SERVICE checks stand between queries and the network.", network)
        return worker

    def _retire(self, worker: _Worker) -> int | None:
        code = worker.kill()
        with self._lock:
            self._alive.discard(worker)
            closed = self._closed
        if not closed:
            self.stats["restarts"] += 1
            self._spawn_requests.put(worker.quick)
        return code

    def _release(self, worker: _Worker) -> None:
        (self._quick_idle if worker.quick else self._idle).put(worker)

    # -- running queries
    def _borrow(self) -> _Worker:
        """An idle regular process; the quick lane only while every regular one is busy."""
        deadline = time.monotonic() + self.queue_wait
        while True:
            worker = None
            for lane in (self._idle, self._quick_idle):
                try:
                    worker = lane.get_nowait()
                    break
                except queue.Empty:
                    continue
            if worker is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.stats["busy"] += 1
                    raise PoolBusy()
                try:  # wake up for a regular process at once, and look at the lane every 20 ms
                    worker = self._idle.get(timeout=min(remaining, 0.02))
                except queue.Empty:
                    continue
            if worker.alive():
                return worker
            self._retire(worker)  # died while idle (killed from outside): replace, try the next one

    def run(self, job: Job) -> Outcome:
        """Run one query; raises QueryFailed, QueryTimeout, WorkerFailed or PoolBusy."""
        if self._supervisor is None:
            self.start()
        worker = self._borrow()
        started = time.monotonic()
        deadline = started + (self.quick_timeout if worker.quick else self.timeout)
        self.stats["queries"] += 1
        self.stats["quick_lane"] += worker.quick
        try:
            write_frame(worker.stdin, json.dumps(job.__dict__).encode("utf-8"))
            header = json.loads(read_frame(worker.stdout, deadline))
            body = read_frame(worker.stdout, deadline) if header.get("ok") else b""
        except TimeoutError:
            self.stats["timeouts"] += 1
            self._retire(worker)
            raise QueryTimeout(time.monotonic() - started, quick_lane=worker.quick) from None
        except (EOFError, OSError, ValueError):
            self.stats["failures"] += 1
            code = self._retire(worker)
            raise WorkerFailed(_describe_exit(code)) from None
        self._release(worker)
        if not header.get("ok"):
            raise QueryFailed(int(header.get("status", 500)), header.get("kind", "error"), header.get("message", ""))
        return Outcome(body, header["media_type"], header["kind"], int(header["rows"]), bool(header["truncated"]),
                       time.monotonic() - started)


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "the query process stopped"
    if code == -signal.SIGABRT or code == 134:
        return "the query process ran out of its share of the memory budget (FUKUDX_MEMORY_BUDGET_MB)"
    if code < 0:
        return f"the query process was stopped by signal {-code}"
    return f"the query process exited with status {code}"
