"""Processes for the benchmark: spawned in a session of their own, waited for, stopped (the stores
themselves, oxigraph serve and Virtuoso, are started by `bench.stores`); and `rdflib-endpoint`
(PyPI; the Python server a researcher would pick instead of ours), installed on first use into its
own virtual environment, since it brings FastAPI and uvicorn that the service does not use.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from pathlib import Path

# Defined once in bench.stores; the other benchmark modules reach them through here too.
from bench.stores import ROOT, free_port, oxigraph_binary  # noqa: F401
from bench.stores import stop_group as stop  # noqa: F401

RDFLIB_ENDPOINT = "rdflib-endpoint[cli]==0.6.3"
PEER_VENV = ROOT / ".venv-bench-peers"


def wait(port: int, path: str, process: subprocess.Popen, timeout: float = 180) -> float:
    """Seconds until GET `path` answers 200 (raises if the process exits or it never does)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server on port {port} not ready after {timeout:.0f} s")


def spawn(argv: list[str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            **kwargs)


def rdflib_endpoint_binary() -> Path | None:
    """The rdflib-endpoint command, installed into PEER_VENV on first use; None when that fails."""
    binary = PEER_VENV / "bin" / "rdflib-endpoint"
    if binary.exists():
        return binary
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True, capture_output=True)
        subprocess.run([str(PEER_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", RDFLIB_ENDPOINT], check=True, capture_output=True, timeout=600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        print(f"rdflib-endpoint could not be installed ({exc}); it is left out", file=sys.stderr)
        return None
    return binary if binary.exists() else None


def start_rdflib_endpoint(dataset: Path) -> tuple[subprocess.Popen, int] | None:
    """rdflib-endpoint serving `dataset` with its default (in-memory rdflib) store; (process, port)."""
    binary = rdflib_endpoint_binary()
    if binary is None:
        return None
    port = free_port()
    process = spawn([str(binary), "serve", "--host", "127.0.0.1", "--port", str(port), str(dataset)])
    wait(port, "/?query=ASK%7B%7D", process, timeout=300)
    return process, port
