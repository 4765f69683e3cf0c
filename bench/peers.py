"""`rdflib-endpoint` (PyPI; the Python server a researcher would pick instead of ours), installed on
first use into its own virtual environment, since it brings FastAPI and uvicorn that the service
does not use, and started like the other stores (`bench.stores`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.stores import ROOT, Running, free_port, spawn, wait_ready

RDFLIB_ENDPOINT = "rdflib-endpoint[cli]==0.6.3"
PEER_VENV = ROOT / ".venv-bench-peers"


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


def start_rdflib_endpoint(dataset: Path, log_dir: Path) -> Running | None:
    """rdflib-endpoint serving `dataset` with its default (in-memory rdflib) store, at its root path."""
    binary = rdflib_endpoint_binary()
    if binary is None:
        return None
    port = free_port()
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    running = spawn("rdflib-endpoint", [str(binary), "serve", "--host", "127.0.0.1", "--port", str(port),
                                        str(dataset)],
                    Path(log_dir) / f"rdflib-endpoint-{port}.log", f"http://127.0.0.1:{port}", "/")
    wait_ready(running, "/?query=ASK%7B%7D", 300)
    return running
