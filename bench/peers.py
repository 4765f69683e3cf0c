"""The reference servers the benchmark measures us against, started on loopback over the same N-Quads:
`oxigraph serve-read-only` (the native limit; PyPI `oxigraph`, the same version as pyoxigraph) and
`rdflib-endpoint` (PyPI; the Python server a researcher would pick instead), installed on first use
into its own virtual environment, since it brings FastAPI and uvicorn that the service does not use.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RDFLIB_ENDPOINT = "rdflib-endpoint[cli]==0.6.3"
PEER_VENV = ROOT / ".venv-bench-peers"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def spawn(argv: list[str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            **kwargs)


def oxigraph_binary() -> str:
    local = Path(sys.executable).with_name("oxigraph")
    return str(local) if local.exists() else (shutil.which("oxigraph") or "oxigraph")


def start_oxigraph(dataset: Path, work: Path) -> tuple[subprocess.Popen, int, str]:
    """oxigraph serve-read-only on an on-disk store loaded from `dataset`; (process, port, version)."""
    binary = oxigraph_binary()
    location = work / "oxigraph"
    subprocess.run([binary, "load", "--location", str(location), "--file", str(dataset)], check=True,
                   capture_output=True)
    port = free_port()
    process = spawn([binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                     "--union-default-graph"])
    wait(port, "/query?query=ASK%7B%7D", process)
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    return process, port, version


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
