"""What the scale benchmark measures of a running server (`bench.stores` starts it): the time to its
first SPARQL answer, and its weight with every process it starts (granian workers, query processes).
"""

from __future__ import annotations

import http.client
import os
import subprocess
import time


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
