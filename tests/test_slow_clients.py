"""Slow clients must not take the service down (issue 7).

Against the real production server (`python server.py`) on loopback: while 20 connections trickle
their request headers (slowloris) or their request bodies, one line or byte every ~1.5 s for 10 s,
`/healthz` and a small query still answer within 2 s each, again and again; a client that stops
sending in the middle of its headers or of its body is disconnected after the read timeout.

Every loop here is bounded in time and count, every socket is closed in `finally`, and all traffic
goes to 127.0.0.1.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Callable
from urllib.parse import urlsplit

import pytest
import requests

pytestmark = pytest.mark.slow

SLOW_CLIENTS = 20
DURATION_S = 10.0
TRICKLE_EVERY_S = 1.5
ANSWER_WITHIN_S = 2.0  # the bound for /healthz and a small query while slow clients trickle
PROBE_PAUSE_S = 0.5


def _address(server) -> tuple[str, int]:
    parts = urlsplit(server.base)
    return parts.hostname, parts.port


class Trickler(threading.Thread):
    """Keeps `count` raw connections open; each sends `opening`, then one `piece` every `every`
    seconds, until `stop()` or `duration` has passed. A connection the server closed is counted and
    opened again on the next round, as a real slowloris client would."""

    def __init__(self, address: tuple[str, int], count: int, opening: bytes, piece: Callable[[int], bytes],
                 every: float, duration: float):
        super().__init__(name="trickler", daemon=True)
        self.address, self.count, self.opening, self.piece = address, count, opening, piece
        self.every, self.deadline = every, time.monotonic() + duration
        self._stop_event = threading.Event()
        self.opened = 0
        self.dropped = 0
        self.ready = threading.Event()  # set once every connection has sent its opening

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        socks: list[socket.socket | None] = [None] * self.count
        round_ = 0
        try:
            while not self._stop_event.is_set() and time.monotonic() < self.deadline:
                for i in range(self.count):
                    try:
                        if socks[i] is None:
                            socks[i] = socket.create_connection(self.address, timeout=2)
                            socks[i].sendall(self.opening)
                            self.opened += 1
                        else:
                            socks[i].sendall(self.piece(round_))
                    except OSError:  # closed by the server (read timeout), or refused
                        if socks[i] is not None:
                            socks[i].close()
                        socks[i] = None
                        self.dropped += 1
                self.ready.set()
                round_ += 1
                self._stop_event.wait(self.every)
        finally:
            self.ready.set()
            for sock in socks:
                if sock is not None:
                    sock.close()


def _probe_while(server, trickler: Trickler) -> tuple[list[str], list[float]]:
    """Ask /healthz and a small query, each on a fresh connection, until the trickler's time is up.
    Returns the failures (slow, refused or wrong answers) and every latency."""
    failures: list[str] = []
    latencies: list[float] = []
    probes = [
        ("/healthz", lambda: requests.get(server.url("/healthz"), timeout=ANSWER_WITHIN_S)),
        ("ASK {}", lambda: requests.get(server.sparql, params={"query": "ASK {}"},
                                        headers={"Accept": "application/sparql-results+json"},
                                        timeout=ANSWER_WITHIN_S)),
    ]
    while time.monotonic() < trickler.deadline - ANSWER_WITHIN_S:
        for name, call in probes:
            started = time.monotonic()
            try:
                response = call()
            except requests.RequestException as exc:
                failures.append(f"{name}: no answer within {ANSWER_WITHIN_S} s ({type(exc).__name__})")
                continue
            elapsed = time.monotonic() - started
            latencies.append(elapsed)
            if response.status_code != 200:
                failures.append(f"{name}: HTTP {response.status_code}")
            elif elapsed > ANSWER_WITHIN_S:
                failures.append(f"{name}: answered after {elapsed:.2f} s")
            elif name == "ASK {}" and response.json().get("boolean") is not True:
                failures.append(f"{name}: wrong answer {response.text[:100]!r}")
        time.sleep(PROBE_PAUSE_S)
    return failures, latencies


def _run_against(server, opening: bytes, piece: Callable[[int], bytes]) -> None:
    trickler = Trickler(_address(server), SLOW_CLIENTS, opening, piece, TRICKLE_EVERY_S, DURATION_S)
    trickler.start()
    try:
        assert trickler.ready.wait(10), "the slow connections could not be opened"
        failures, latencies = _probe_while(server, trickler)
    finally:
        trickler.stop()
        trickler.join(timeout=10)
    assert trickler.opened >= SLOW_CLIENTS
    assert len(latencies) >= 6, f"too few answers while slow clients trickled: {failures}"
    assert not failures, f"{len(failures)} probes failed while {SLOW_CLIENTS} slow clients trickled: {failures}"
    print(f"{len(latencies)} answers while {SLOW_CLIENTS} clients trickled, slowest {max(latencies) * 1000:.1f} ms; "
          f"slow connections opened {trickler.opened}, dropped by the server {trickler.dropped}")
    # the server is still healthy afterwards
    assert requests.get(server.url("/healthz"), timeout=ANSWER_WITHIN_S).status_code == 200


@pytest.fixture(scope="module")
def default_server(server_factory):
    """The production server with its default HTTP settings (1 query process per web process keeps it light)."""
    return server_factory(env={"FUKUDX_QUERY_WORKERS": "1"})


def test_slowloris_headers_do_not_block_others(default_server):
    """20 connections that each send one more header line every 1.5 s, for 10 s."""
    opening = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    _run_against(default_server, opening, lambda n: b"X-Slow-%d: %d\r\n" % (n, n))


def test_slow_bodies_do_not_block_others(default_server):
    """20 POSTs that announce a 4 kB query body and send one byte of it every 1.5 s, for 10 s."""
    opening = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
               b"Content-Length: 4096\r\n\r\n")
    _run_against(default_server, opening, lambda n: b"#")


def test_oversized_head_is_refused_and_closed(default_server):
    """A 150 kB head is refused by granian itself (431, empty body) and the connection closed."""
    with socket.create_connection(_address(default_server), timeout=5) as sock:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         + b"".join(b"X-Big-%d: %s\r\n" % (i, b"v" * 2500) for i in range(60)) + b"\r\n")
        except OSError:
            pass  # answered and closed before the whole head was sent
        data, seconds, closed = _read_until_closed(sock, 10)
    assert data.startswith(b"HTTP/1.1 431"), data[:200]
    assert closed


# ------------------------------------------------------------------------------------------------
# Read timeouts: a client that stops sending is disconnected (short timeouts keep this fast).

HEADER_TIMEOUT_S = 2
BODY_TIMEOUT_S = 2


@pytest.fixture(scope="module")
def short_timeouts_server(server_factory):
    return server_factory(env={"FUKUDX_QUERY_WORKERS": "1", "FUKUDX_WORKERS": "1",
                               "FUKUDX_HEADER_TIMEOUT": str(HEADER_TIMEOUT_S),
                               "FUKUDX_BODY_TIMEOUT": str(BODY_TIMEOUT_S)})


def _read_until_closed(sock: socket.socket, limit_s: float) -> tuple[bytes, float, bool]:
    """Everything the server sends until it closes the connection: (data, seconds, closed)."""
    started = time.monotonic()
    data = b""
    sock.settimeout(0.5)
    while time.monotonic() - started < limit_s:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return data, time.monotonic() - started, True
        if not chunk:
            return data, time.monotonic() - started, True
        data += chunk
    return data, time.monotonic() - started, False


def assert_closed_by_the_timeout(seconds: float, timeout_s: float) -> None:
    """Closed because the timeout ran out: not at once (the server's clock starts when it accepts,
    a little before ours), and not much later (seconds of slack for a loaded machine; without the
    timeout the connection would stay open until we give up at timeout + 8 s)."""
    assert timeout_s - 0.5 <= seconds < timeout_s + 5, seconds


def test_stalled_headers_are_disconnected_after_the_header_timeout(short_timeouts_server):
    with socket.create_connection(_address(short_timeouts_server), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
        data, seconds, closed = _read_until_closed(sock, HEADER_TIMEOUT_S + 8)
    assert closed, f"still open after {seconds:.1f} s"
    assert_closed_by_the_timeout(seconds, HEADER_TIMEOUT_S)
    assert b"200 OK" not in data


def test_idle_connection_is_disconnected_after_the_header_timeout(short_timeouts_server):
    """A connection that never sends a byte does not hold anything for longer than the header timeout."""
    with socket.create_connection(_address(short_timeouts_server), timeout=5) as sock:
        data, seconds, closed = _read_until_closed(sock, HEADER_TIMEOUT_S + 8)
    assert closed and data == b"", (seconds, data)
    assert_closed_by_the_timeout(seconds, HEADER_TIMEOUT_S)


def test_stalled_body_gets_408_after_the_body_timeout(short_timeouts_server):
    with socket.create_connection(_address(short_timeouts_server), timeout=5) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 100\r\n\r\nASK")
        data, seconds, closed = _read_until_closed(sock, BODY_TIMEOUT_S + 8)
    assert closed, f"still open after {seconds:.1f} s: {data[:200]!r}"
    assert_closed_by_the_timeout(seconds, BODY_TIMEOUT_S)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), data[:300]
    assert b"text/plain; charset=utf-8" in head.lower()
    assert b"FUKUDX_BODY_TIMEOUT" in body


def test_a_slow_but_steady_body_within_the_timeout_is_answered(short_timeouts_server):
    body = b"ASK {}"
    with socket.create_connection(_address(short_timeouts_server), timeout=5) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                     b"Accept: application/sparql-results+json\r\nConnection: close\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body))
        for byte in body[:3], body[3:]:
            sock.sendall(byte)
            time.sleep(0.3)
        data, seconds, closed = _read_until_closed(sock, 10)
    assert data.startswith(b"HTTP/1.1 200"), data[:300]
    assert b'"boolean":true' in data.replace(b" ", b"")


# ------------------------------------------------------------------------------------------------
# The server model: worker processes never outlive the main process.

def _live_members(pgid: int) -> list[int]:
    """Processes of a process group that are still running (zombies left unreaped do not count)."""
    import os
    from pathlib import Path

    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return [pid for pid in members if pid != os.getpid()]


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_workers_and_query_processes_stop_when_the_main_process_is_killed(server_factory):
    import os
    import signal

    server = server_factory(env={"FUKUDX_QUERY_WORKERS": "1"})
    pgid = server.process.pid
    assert len(_live_members(pgid)) >= 3  # main, 2 workers, their query processes
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    deadline = time.monotonic() + 15
    while _live_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _live_members(pgid) == [], "processes outlived the killed main process"


def _describe(pid: int) -> str:
    """A surviving process's command line and parent, for the failure message."""
    from pathlib import Path

    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        status = dict(line.split(":\t", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                      if ":\t" in line)
    except OSError:
        return "gone"
    sig = " ".join(f"{k}={status.get(k, '?').strip()}" for k in ("SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt"))
    parent, threads = status.get("PPid", "?").strip(), status.get("Threads", "?").strip()
    return f"{cmd.strip()} (parent {parent}, threads {threads}, {sig})"


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
@pytest.mark.parametrize("delay", [0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5])
def test_workers_still_starting_stop_when_the_main_process_is_killed(server_build_dir, tmp_path, delay):
    """A worker forked from the main process inherits its signal handlers until the server loop
    installs its own; SIGTERM from the main process's death then reached a handler with nothing
    to stop, and the worker served on as an orphan (seen in CI, where a loaded machine makes the
    window wide). Kill the main process while its workers are loading the app."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from conftest import free_port

    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUKUDX_")}
    env.update({"FUKUDX_BUILD_DIR": str(server_build_dir), "FUKUDX_ACCESS_LOG": "", "FUKUDX_WORKERS": "2",
                "FUKUDX_QUERY_WORKERS": "1"})
    with open(tmp_path / "server.log", "wb") as log:
        process = subprocess.Popen([sys.executable, str(root / "server.py"), "--host", "127.0.0.1",
                                    "--port", str(free_port())], cwd=root, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while len(_live_members(process.pid)) < 3 and time.monotonic() < deadline:  # main + 2 forked workers
            time.sleep(0.02)
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 20
        while _live_members(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = {pid: _describe(pid) for pid in _live_members(process.pid)}
        assert left == {}, "processes outlived the killed main process"
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
