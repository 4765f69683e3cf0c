"""Private SPARQL stores and copies of our app, for the benchmarks and the scale-out test.

`start_virtuoso` runs Debian's Virtuoso (virtuoso-opensource: virtuoso-t, isql-vt) from a temporary
directory with a generated virtuoso.ini (free ports, modest buffers) and bulk-loads a built
dataset.nq into its named graphs; `start_oxigraph` runs `oxigraph serve-read-only` over the same
file; `start_app` runs `python server.py` with FUKUDX_BACKEND pointing at either. Each is started in
its own session so that `stop()` ends it and everything it started. Usable from tests (imported as
`bench.stores`) and from every `python -m bench…` part (`build_dataset` gives them their data).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent

# Virtuoso's own graphs (quad-map metadata, LDP and URIQA descriptions) would otherwise be part of its
# default graph and of GRAPH ?g: made private, so the endpoint's anonymous user sees only our graphs.
VIRTUOSO_SYSTEM_GRAPHS = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#",
                          "http://localuriqaserver/sparql")
_PRIVATE = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"

# Settings that matter for our app in front of Virtuoso: ResultSetMaxRows must exceed FUKUDX_ROW_CAP
# (Virtuoso cuts longer results silently, and our row cap could not see it); no refusal by cost
# estimate; its own execution limit stops what our app gave up on (FUKUDX_QUERY_TIMEOUT, 30 s).
_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxClientConnections = 32
MaxQueryMem = 256M
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 8

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 32
MaxClientConnections = 32
MaxKeepAlives = 32
KeepAliveTimeout = 10
EnabledDavVSP = 0
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {timeout}
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Running:
    """A started server: `url` is its SPARQL query endpoint; `stop()` ends its whole process group."""

    name: str
    process: subprocess.Popen
    base: str
    query_path: str
    log_path: Path

    @property
    def url(self) -> str:
        return self.base + self.query_path

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        stop_group(self.process)


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM the process group started with start_new_session=True, then SIGKILL whatever is left."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            pass


def wait_ready(running: Running, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise RuntimeError(f"{running.name} exited with {running.process.returncode}:\n{running.log()}")
        try:
            if requests.get(running.base + path, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    running.stop()
    raise RuntimeError(f"{running.name} not ready after {timeout}s:\n{running.log()}")


def spawn(name: str, argv: list[str], log_path: Path, base: str, query_path: str, **kwargs) -> Running:
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, **kwargs)
    return Running(name, process, base, query_path, log_path)


# ------------------------------------------------------------------------------------------ Virtuoso

def virtuoso_missing() -> str | None:
    """Why Virtuoso cannot be started here, or None when it can."""
    for tool in ("virtuoso-t", "isql-vt"):
        if not shutil.which(tool):
            return (f"{tool} not found: install Debian's virtuoso-opensource (scripts/ensure-virtuoso.sh, "
                    "run by `make test`) to check our app in front of Virtuoso")
    return None


def virtuoso_version() -> str:
    out = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True)
    for line in (out.stdout + out.stderr).splitlines():
        if line.startswith("Version"):
            return line.strip()
    return "virtuoso-t"


def _isql(sql_port: int, sql: str, workdir: Path) -> str:
    script = workdir / "load.sql"
    script.write_text(sql, encoding="utf-8")
    out = subprocess.run(["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", str(script)],
                         capture_output=True, text=True, timeout=300)
    text = out.stdout + out.stderr
    if out.returncode != 0 or "*** Error" in text:
        raise RuntimeError(f"isql-vt failed ({out.returncode}):\n{text[-3000:]}")
    return text


def start_virtuoso(dataset: Path, workdir: Path, timeout_s: int = 60) -> Running:
    """A private Virtuoso holding `dataset` (N-Quads) in its named graphs; query endpoint /sparql.

    Its SPARQL default graph is then the union of those graphs (Virtuoso's own graphs made private)."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    load_dir = workdir / "load"
    load_dir.mkdir(exist_ok=True)
    shutil.copyfile(dataset, load_dir / "dataset.nq")
    sql_port, http_port = free_port(), free_port()
    ini = workdir / "virtuoso.ini"
    ini.write_text(_INI.format(dir=workdir, sql_port=sql_port, http_port=http_port, timeout=timeout_s),
                   encoding="utf-8")
    running = spawn("virtuoso", ["virtuoso-t", "+foreground", "+configfile", str(ini)], workdir / "stdout.log",
                     f"http://127.0.0.1:{http_port}", "/sparql", cwd=workdir)
    try:
        wait_ready(running, "/sparql?query=ASK%7B%7D", 90)
        private = "".join(f"DB.DBA.RDF_GRAPH_GROUP_INS ('{_PRIVATE}', '{g}');\n" for g in VIRTUOSO_SYSTEM_GRAPHS)
        _isql(sql_port, (
            f"ld_dir ('{load_dir}', 'dataset.nq', 'urn:fukudx:no-default-graph');\n"
            "rdf_loader_run ();\n"
            "checkpoint;\n"
            f"DB.DBA.RDF_GRAPH_GROUP_CREATE ('{_PRIVATE}', 1);\n{private}"
            "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);\n"
            "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1, 0);\n"), workdir)
        errors = subprocess.run(["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba",
                                 "exec=SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;"],
                                capture_output=True, text=True).stdout
        if "0 Rows." not in errors:
            raise RuntimeError(f"Virtuoso's bulk loader reported errors:\n{errors[-3000:]}")
    except BaseException:
        running.stop()
        raise
    return running


# ------------------------------------------------------------------------------------------ Oxigraph

def oxigraph_binary() -> Path:
    """The `oxigraph` CLI of PyPI's oxigraph (same version as pyoxigraph), installed in the venv."""
    beside = Path(sys.executable).with_name("oxigraph")
    return beside if beside.exists() else Path(shutil.which("oxigraph") or "oxigraph")


def start_oxigraph(dataset: Path, workdir: Path, timeout_s: int | None = None) -> Running:
    """`oxigraph load` of `dataset` into `workdir`, then `serve_oxigraph` over it."""
    location = Path(workdir) / "store"
    location.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(oxigraph_binary()), "load", "--location", str(location), "--file", str(dataset)],
                   check=True, capture_output=True)
    return serve_oxigraph(location, Path(workdir), timeout_s)


def serve_oxigraph(location: Path, log_dir: Path, timeout_s: int | None = None) -> Running:
    """`oxigraph serve-read-only --union-default-graph` over a loaded store; query endpoint /query.

    With `timeout_s` it starts a timer thread per query that lives that long: at thousands of
    queries a second the threads run out and it aborts (EAGAIN), so the benchmark passes none."""
    port = free_port()
    limit = ["--timeout-s", str(timeout_s)] if timeout_s else []
    running = spawn("oxigraph", [str(oxigraph_binary()), "serve-read-only", "--location", str(location), "--bind",
                                 f"127.0.0.1:{port}", "--union-default-graph", *limit],
                    Path(log_dir) / f"oxigraph-{port}.log", f"http://127.0.0.1:{port}", "/query")
    wait_ready(running, "/query?query=ASK%7B%7D", 60)
    return running


# ------------------------------------------------------------------------------------------ our app

def start_app(build_dir: Path, log_dir: Path, backend: str = "oxigraph", env: dict | None = None,
              ready: bool = True) -> Running:
    """`python server.py` on a free port over `build_dir` (its release.json; dataset.nq for the
    embedded store) with FUKUDX_BACKEND=`backend`; with `ready`, returned once /readyz answers 200
    (without, at once: for timing a cold start)."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FUKUDX_")}
    full_env.update({"FUKUDX_BUILD_DIR": str(build_dir), "FUKUDX_BACKEND": backend, "FUKUDX_ACCESS_LOG": "",
                     "PYTHONUNBUFFERED": "1", **(env or {})})
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    running = spawn("app", [sys.executable, str(ROOT / "server.py"), "--host", "127.0.0.1", "--port", str(port)],
                    Path(log_dir) / f"app-{port}.log", f"http://127.0.0.1:{port}", "/sparql", cwd=ROOT,
                    env=full_env)
    if ready:
        wait_ready(running, "/readyz", 90)
    return running


def build_dataset(work: Path) -> tuple[Path, dict]:
    """The real dataset built into `work`/build (as `make build` would), and its release; says which."""
    from fukudx_kg.build.pipeline import build

    build_dir = Path(work) / "build"
    release = build(build_dir)
    print(f"dataset: {release['quads']} quads, release {release['release'][:12]}", flush=True)
    return build_dir, release
