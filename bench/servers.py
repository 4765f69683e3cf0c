"""Our server as the scale benchmark runs it: spawned on a build directory, timed to its first
SPARQL answer, and weighed with every process it starts (granian workers, query processes).

Port, spawning, stopping and the oxigraph binary come from `bench.peers`, shared by the benchmarks.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import peers


def start_ours(build_dir: Path, port: int, **env_extra: str) -> subprocess.Popen:
    """python server.py (granian, production defaults unless `env_extra` says otherwise)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUKUDX_")}
    env.update(FUKUDX_BUILD_DIR=str(build_dir), FUKUDX_ACCESS_LOG="", **env_extra)
    return peers.spawn([sys.executable, str(peers.ROOT / "server.py"), "--port", str(port)], cwd=peers.ROOT, env=env)


def first_answer(port: int, path: str, query: str, process: subprocess.Popen, timeout: float = 600) -> float:
    """Seconds until a POSTed query on `path` answers 200: what a client waiting on a cold start sees."""
    started = time.monotonic()
    headers = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("POST", path, body=query.encode("utf-8"), headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"no answer on port {port} after {timeout:.0f} s")


def _parents() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    return children


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (VmRSS from /proc, summed)."""
    children, total, todo = _parents(), 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            with open(f"/proc/{current}/status", encoding="utf-8") as handle:
                total += next((int(line.split()[1]) * 1024 for line in handle if line.startswith("VmRSS:")), 0)
        except OSError:
            continue
    return total
