"""Shared fixtures: one real build of the dataset per test session, and a store holding it."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph
import pytest
import requests

from fukudx_kg.build.pipeline import build

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = """
PREFIX fdx: <https://w3id.org/fukudx/ontology#>
PREFIX fdxid: <https://w3id.org/fukudx/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX schema: <https://schema.org/>
"""


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A fresh build of the real data into a temporary directory."""
    out = tmp_path_factory.mktemp("build")
    build(out)
    return out


@pytest.fixture(scope="session")
def kg(built) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.bulk_load(path=str(built / "dataset.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def select(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the union of all graphs, values as plain strings."""
    results = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in results.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in results]


def ask(store: pyoxigraph.Store, query: str) -> bool:
    return bool(store.query(PREFIXES + query, use_default_graph_as_union=True))


# ------------------------------------------------------------------------------------------------
# Live servers: the real `python server.py` (granian) on a free loopback port, queried over HTTP.
# `live_server` is one shared production server for the session; `server_factory(env=…)` starts
# more with other settings (stopped at the end of the session); `oxigraph_server` is a real
# `oxigraph serve-read-only` over the same data (the remote backend and federation tests use it).


def raw_http(server, method: str, target: str, body: bytes = b"", headers: dict | None = None,
             timeout: float = 60) -> tuple[int, dict, bytes]:
    """A request with exactly these headers (no client-added Content-Type): status, headers, body."""
    parts = urlsplit(server.base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url: str, process: subprocess.Popen, timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = log_path.read_text(errors="replace")[-4000:]
            raise RuntimeError(f"server exited with {process.returncode}:\n{log}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not ready at {url} after {timeout}s:\n{log_path.read_text(errors='replace')[-4000:]}")


def _stop_group(process: subprocess.Popen) -> None:
    """Stop a process started with start_new_session=True, and everything it started."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:  # query processes or workers that outlived the master
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if process.poll() is None:
        process.wait(timeout=5)


@dataclass
class LiveServer:
    """A running server process; `url("/sparql")` gives absolute URLs."""

    base: str
    process: subprocess.Popen
    log_path: Path
    env: dict = field(default_factory=dict)
    build_dir: Path | None = None

    def url(self, path: str = "/") -> str:
        return self.base + path

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        _stop_group(self.process)


def copy_build(source: Path, target: Path) -> Path:
    """A private copy of a built dataset (the server adds its query store beside it)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("dataset.nq", "release.json"):
        shutil.copy2(source / name, target / name)
    return target


def start_server(build_dir: Path, log_dir: Path, env: dict | None = None, args: tuple = (),
                 ready_timeout: float = 90.0, ready_path: str = "/readyz") -> LiveServer:
    """Start `python server.py` on a free port with FUKUDX_BUILD_DIR=build_dir and wait until
    `ready_path` answers 200."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FUKUDX_")}
    full_env.update({"FUKUDX_BUILD_DIR": str(build_dir), "FUKUDX_ACCESS_LOG": "", "PYTHONUNBUFFERED": "1"})
    full_env.update(env or {})
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"server-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, str(ROOT / "server.py"), "--host", "127.0.0.1", "--port", str(port),
                                    *args], cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path, full_env, Path(build_dir))
    try:
        _wait_http(server.url(ready_path), process, ready_timeout, log_path)
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def server_build_dir(built, tmp_path_factory) -> Path:
    return copy_build(built, tmp_path_factory.mktemp("server-build"))


@pytest.fixture(scope="session")
def server_factory(server_build_dir, tmp_path_factory):
    """`server_factory(env={...}, args=(), build_dir=None)` → a started LiveServer (stopped at session end)."""
    servers: list[LiveServer] = []
    logs = tmp_path_factory.mktemp("server-logs")

    def start(env: dict | None = None, args: tuple = (), build_dir: Path | None = None, **kwargs) -> LiveServer:
        server = start_server(build_dir or server_build_dir, logs, env, args, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def live_server(server_factory) -> LiveServer:
    """The shared production server (granian, 2 workers × 8 threads, 2 query processes each)."""
    return server_factory(env={"FUKUDX_WORKERS": "2", "FUKUDX_THREADS": "8", "FUKUDX_QUERY_WORKERS": "2"})


@pytest.fixture(scope="session")
def oxigraph_server(built, tmp_path_factory):
    """A real `oxigraph serve-read-only` (PyPI oxigraph) over the same dataset, union default graph
    (its own 10 s timeout stops queries our server gave up on)."""
    oxigraph = Path(sys.executable).with_name("oxigraph")
    if not oxigraph.exists():
        oxigraph = Path(shutil.which("oxigraph") or "oxigraph")
    location = tmp_path_factory.mktemp("oxigraph-serve")
    subprocess.run([str(oxigraph), "load", "--location", str(location), "--file", str(built / "dataset.nq")],
                   check=True, capture_output=True)
    port = free_port()
    log_path = location.parent / f"oxigraph-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([str(oxigraph), "serve-read-only", "--location", str(location),
                                    "--bind", f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", "10"],
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base + "/query?query=ASK%7B%7D", process, 60, log_path)
    except BaseException:
        _stop_group(process)
        raise
    yield LiveServer(base, process, log_path)
    _stop_group(process)


# ------------------------------------------------------------------------------------------------
# Headless Chromium (Playwright) for the browser tests, one per test module.

CHROMIUM = os.environ.get("FUKUDX_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright. Where Chromium or Playwright is missing the browser
    tests skip and say why; in CI (CI=true) scripts/ensure-chromium.sh has installed both, so a
    missing browser fails instead of skipping."""
    problem = None
    if not Path(CHROMIUM).exists():
        problem = (f"Chromium not found at {CHROMIUM}: install Debian's chromium (scripts/ensure-chromium.sh) "
                   "to run the browser tests")
    else:
        try:
            from playwright import sync_api
        except ImportError:
            problem = "playwright is not installed (pip install -r requirements.txt)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def open_tab(browser, live_server, locale: str, init_script: str | None = None, **context_options):
    """A page in a fresh browser context that records console errors and page errors in
    `page.problems` (yield it from a fixture; the context closes after the test)."""
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900}, **context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if init_script:
        page.add_init_script(init_script)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    page.base = live_server.base
    yield page
    context.close()


def expected_graph_names() -> set[str]:
    """The named graphs a build of data/ holds: the ontology, shared and national graphs and one per folder."""
    from fukudx_kg.build.pipeline import prefecture_folders
    codes = [folder.name.split("-")[0] for folder in prefecture_folders(ROOT / "data")]
    names = ["ontology", "shared", "national", *(f"pref/{code}" for code in codes)]
    return {f"https://w3id.org/fukudx/graph/{name}" for name in names}


def ontology_class_count() -> int:
    """owl:Class resources the ontology file defines (what the ontology graph types as classes)."""
    from rdflib import OWL, RDF, Graph
    return len(set(Graph().parse(ROOT / "ontology" / "fukudx.ttl").subjects(RDF.type, OWL.Class)))
