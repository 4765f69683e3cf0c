"""Fail-closed hardening of the endpoint (issue 7): query processes without a network, refusals
that say nothing about the other side, no update ever reaching a remote backend, queries the
checks cannot read refused, and resource limits that add up (memory budget, nesting, quick lane).

Everything runs against real servers on loopback ports with real clients; the "victims" are real
listeners that record what reaches them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests

from conftest import ROOT, free_port
from test_endpoint_runaway import CARTESIAN, FAST, _children
from test_endpoint_service import Listener

FDX = "https://w3id.org/fukudx/ontology#"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{FDX}Municipality> }}"


@pytest.fixture()
def listener():
    victim = Listener()
    yield victim
    victim.close()


# ------------------------------------------------------------------------ no network for queries

def _query_process_pids(server) -> list[int]:
    return [pid for pid, cmd in _children(server.process.pid).items() if "fukudx_kg.sparql.worker" in cmd]


def test_query_processes_live_in_their_own_network_namespace(live_server):
    assert requests.get(live_server.url("/readyz")).json()["query_network"] == "isolated"
    ours = os.readlink("/proc/self/ns/net")
    deadline = time.monotonic() + 30
    while True:  # a process still starting up has not left yet; it takes no query before it has
        pids = _query_process_pids(live_server)
        shared = [pid for pid in pids if os.readlink(f"/proc/{pid}/ns/net") == ours]
        if pids and not shared or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert pids and not shared, f"query processes {shared} share the host's network"
    web = [pid for pid, cmd in _children(live_server.process.pid).items() if "sparql.worker" not in cmd]
    assert all(os.readlink(f"/proc/{pid}/ns/net") == ours for pid in web)  # the web tier still serves


def test_sandbox_stops_the_engine_even_without_any_check(listener):
    """The layer under the SERVICE checks: pyoxigraph asked directly, inside the sandbox, to call the
    listener (no lexer, no allow-list involved) cannot reach it."""
    script = (
        "import pyoxigraph, sys\n"
        "from fukudx_kg.store.sandbox import enter_network_sandbox\n"
        "failure = enter_network_sandbox()\n"
        "assert failure is None, failure\n"
        "try:\n"
        "    list(pyoxigraph.Store().query("
        f"'SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}/x> {{ ?s ?p ?o }} }}'))\n"
        "except OSError as exc:\n"
        "    print('refused by the kernel:', exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Network is unreachable" in result.stdout
    assert listener.quiet()


def test_federating_server_keeps_the_network_and_says_so(server_factory, oxigraph_server):
    server = server_factory(env={"FUKUDX_SERVICE_ALLOWLIST": oxigraph_server.url("/query"), "FUKUDX_WORKERS": "1",
                                 "FUKUDX_QUERY_WORKERS": "1", "FUKUDX_QUICK_LANE": "0"})
    assert requests.get(server.url("/readyz")).json()["query_network"].startswith("host (federation allow-list")


# ---------------------------------------------------------------- refusals tell nothing about the other side

class _Recorder(ThreadingHTTPServer):
    """A fake HTTP service on loopback that records every request and answers as told."""

    def __init__(self, answer):
        self.requests: list[dict] = []
        self.answer = answer
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.requests.append({"method": self.command, "path": self.path, "body": body,
                                          "content_type": self.headers.get("Content-Type", "")})
                status, headers, payload = recorder.answer(self.command, self.path, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _handle

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self):
        self.shutdown()
        self.server_close()


def test_failed_federation_leaks_nothing(server_factory):
    secret = _Recorder(lambda method, path, body: (
        (302, {"Location": "http://secret-target.internal/admin"}, b"SECRET-REDIRECT-BODY")
        if path.startswith("/redirect")
        else (500, {"Content-Type": "text/plain"}, b"SECRET-ERROR-BODY at /srv/secret/path")))
    closed = f"http://127.0.0.1:{free_port()}/closed"
    try:
        allowed = f"{secret.url}/redirect {secret.url}/error {closed}"
        server = server_factory(env={"FUKUDX_SERVICE_ALLOWLIST": allowed, "FUKUDX_WORKERS": "1",
                                     "FUKUDX_QUERY_WORKERS": "1", "FUKUDX_QUICK_LANE": "0"})
        for target in (f"{secret.url}/redirect", f"{secret.url}/error", closed):
            query = f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
            response = requests.get(server.sparql, params={"query": query})
            assert response.status_code == 502, (target, response.text)
            for leak in ("SECRET", "secret-target", "refused", "os error", "Connection", "302", "500"):
                assert leak not in response.text, (target, leak, response.text)
            assert "server log" in response.text
        assert len(secret.requests) >= 2  # the allow-listed calls were made; only their outcome is hidden
        assert "secret-target.internal" in server.log() or "SECRET" in server.log()  # the operator can see why
    finally:
        secret.close()


# ---------------------------------------------------------------- no update ever reaches a remote backend

UPDATES = [
    "INSERTDATA{<urn:a> <urn:b> <urn:c>}",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "insert data { <urn:a> <urn:b> <urn:c> }",
    "DELETEWHERE{?s ?p ?o}",
    "DELETE WHERE { ?s ?p ?o }",
    "LOADSILENT<http://example.org/data.ttl>",
    "LOAD <http://example.org/data.ttl> INTO GRAPH <urn:g>",
    "CLEARALL",
    "DROP ALL",
    "CREATE GRAPH <urn:g>",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX ex: <urn:ex:> INSERTDATA{ex:a ex:b ex:c}",
    "PREFIXex:<urn:ex:>INSERT DATA{ex:a ex:b ex:c}",
    "# comment\nINSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "ASK {} ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "ASK {};INSERTDATA{<urn:a> <urn:b> <urn:c>}",
    "COPY DEFAULT TO <urn:g>", "MOVE DEFAULT TO <urn:g>", "ADD DEFAULT TO <urn:g>",
]


def _send_every_way(server, text: str) -> list[requests.Response]:
    return [requests.get(server.sparql, params={"query": text}),
            requests.post(server.sparql, data={"query": text}),
            requests.post(server.sparql, data=text.encode(), headers={"Content-Type": "application/sparql-query"}),
            requests.post(server.sparql, data={"update": text}),
            requests.post(server.sparql, data=text.encode(), headers={"Content-Type": "application/sparql-update"})]


def test_remote_backend_never_receives_an_update(server_factory):
    def answer(method, path, body):
        return 200, {"Content-Type": "application/sparql-results+json"}, json.dumps(
            {"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "1"}}]}}).encode()

    backend = _Recorder(answer)
    try:
        server = server_factory(env={"FUKUDX_BACKEND": backend.url + "/sparql", "FUKUDX_WORKERS": "1",
                                     "FUKUDX_QUERY_WORKERS": "1", "FUKUDX_QUICK_LANE": "0"}, ready_path="/healthz")
        for text in UPDATES:
            for response in _send_every_way(server, text):
                assert response.status_code in (400, 403), (text, response.status_code, response.text)
        for seen in backend.requests:  # only the readiness probes and statistics queries arrived
            form = parse_qs(seen["body"].decode())
            assert seen["method"] == "POST" and seen["content_type"] == "application/x-www-form-urlencoded", seen
            assert set(form) <= {"query", "default-graph-uri", "named-graph-uri"}, seen
            text = form["query"][0].upper()
            assert not any(word in text for word in ("INSERT", "DELETE", "LOAD", "DROP", "CLEAR")), seen
        # a real query is sent as query=, by our own POST
        before = len(backend.requests)
        assert requests.get(server.sparql, params={"query": COUNT}).status_code == 200
        sent = backend.requests[before:]
        assert len(sent) == 1 and parse_qs(sent[0]["body"].decode())["query"][0].endswith(COUNT)
    finally:
        backend.close()


def test_writable_oxigraph_backend_is_unchanged(server_factory, built, tmp_path):
    oxigraph = Path(sys.executable).with_name("oxigraph")
    location = tmp_path / "store"
    subprocess.run([str(oxigraph), "load", "--location", str(location), "--file", str(built / "dataset.nq")],
                   check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([str(oxigraph), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    count_all = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(base + "/query", params={"query": "ASK {}"}, timeout=2).raise_for_status()
                break
            except requests.RequestException:
                assert time.monotonic() < deadline
                time.sleep(0.1)

        def quads() -> str:
            answer = requests.get(base + "/query", params={"query": count_all},
                                  headers={"Accept": "application/sparql-results+json"})
            return answer.json()["results"]["bindings"][0]["n"]["value"]

        before = quads()
        # the store itself would accept updates at /update, and SPARQLWrapper-style clients at "/"
        for endpoint in (base + "/query", base + "/"):
            server = server_factory(env={"FUKUDX_BACKEND": endpoint, "FUKUDX_WORKERS": "1",
                                         "FUKUDX_QUERY_WORKERS": "1", "FUKUDX_QUICK_LANE": "0"}, ready_path="/healthz")
            for text in UPDATES:
                for response in _send_every_way(server, text):
                    assert response.status_code in (400, 403), (text, response.status_code)
            server.stop()
        assert quads() == before
    finally:
        process.kill()
        process.wait(timeout=10)


# ---------------------------------------------------------------- what the checks cannot read is refused

@pytest.mark.parametrize("text,status,says", [
    ("{" * 5000, 400, "expected SELECT"),
    ("SELECT * WHERE " + "{" * 5000 + "}" * 5000, 400, "levels deep"),
    ("SELECT * WHERE { FILTER(" + "(" * 100_000 + "1" + ")" * 100_000 + ") }", 400, "levels deep"),
    ("SELECT * WHERE { ?s ?p " + "[ ?a " * 300 + "?b" + " ]" * 300 + " }", 400, "levels deep"),
    ("FOO { ?s ?p ?o }", 400, "expected SELECT, CONSTRUCT, DESCRIBE or ASK"),
    ("PREFIX ex: <urn:ex:> ex:a ex:b ex:c", 400, "expected SELECT"),
    ("<urn:x> SERVICE <http://127.0.0.1:1/> {}", 400, "expected SELECT"),
    ("SELECT * WHERE { ?s <urn:service> ?o } # SERVICE", 200, ""),
    # mentions "service" in a name the second parser cannot read: refused, never run
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o = 'x')SERVICE_ex }", 400, "second SPARQL parser"),
])
def test_unreadable_queries_are_refused(live_server, text, status, says):
    response = requests.post(live_server.sparql, data=text.encode(),
                             headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == status, response.text
    assert says in response.text
    assert requests.get(live_server.url("/healthz")).status_code == 200


def test_names_containing_service_still_work(live_server):
    for query in (f"PREFIX fdx: <{FDX}> SELECT (COUNT(*) AS ?n) {{ ?s a fdx:DigitalService }}",
                  f"PREFIX fdx: <{FDX}> SELECT ?service "
                  "{ VALUES ?c { fdx:DigitalService fdx:Meeting } ?service a ?c }",
                  "SELECT ?x { BIND('SERVICE <http://127.0.0.1:1/>' AS ?x) }"):
        response = requests.get(live_server.sparql, params={"query": query})
        assert response.status_code == 200, (query, response.text)


# ---------------------------------------------------------------- memory budget and the quick lane

def _data_limit(pid: int) -> int | None:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max data size"):
            soft = line.split()[3]
            return None if soft == "unlimited" else int(soft)
    raise AssertionError("no data limit line")


def test_memory_budget_is_shared_by_all_query_processes(server_factory):
    server = server_factory(env={"FUKUDX_WORKERS": "2", "FUKUDX_QUERY_WORKERS": "2", "FUKUDX_QUICK_LANE": "1",
                                 "FUKUDX_MEMORY_BUDGET_MB": "3000"})
    deadline = time.monotonic() + 30
    while True:  # processes still starting have not set their limit yet (and take no query before)
        pids = _query_process_pids(server)
        limits = [_data_limit(pid) for pid in pids]
        if len(pids) == 6 and None not in limits or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(pids) == 6  # 2 web processes × (2 + 1)
    assert set(limits) == {500 * 1024 * 1024}  # 3000 MiB ÷ 6


def test_default_budget_is_half_the_machine():
    from fukudx_kg.settings import Settings

    settings = Settings.from_env({})
    physical_mb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // (1024 * 1024)
    assert abs(settings.memory_budget_mb - physical_mb // 2) <= 1
    processes = settings.workers * (settings.query_workers + settings.quick_lane)
    assert settings.query_memory_mb * processes <= settings.memory_budget_mb


@pytest.mark.slow
def test_cheap_query_answered_while_runaways_hold_every_regular_process(server_factory):
    server = server_factory(env={"FUKUDX_WORKERS": "1", "FUKUDX_QUERY_WORKERS": "2", "FUKUDX_QUICK_LANE": "1",
                                 # the runaways must outlast the cheap query and the third one's 3 s in the lane
                                 "FUKUDX_QUERY_TIMEOUT": "8", "FUKUDX_QUICK_LANE_TIMEOUT": "3"})
    statuses: list[int] = []

    def runaway():
        statuses.append(requests.get(server.sparql, params={"query": CARTESIAN}, timeout=60).status_code)

    deadline = time.monotonic() + 30
    while requests.get(server.url("/readyz")).json()["query_processes"]["idle"] < 3:
        # all three processes up first, or a runaway could land in the lane while a regular one starts
        assert time.monotonic() < deadline, "the query processes never all started"
        time.sleep(0.05)
    runaways = [threading.Thread(target=runaway) for _ in range(2)]
    for thread in runaways:
        thread.start()
    deadline = time.monotonic() + 10
    while requests.get(server.url("/readyz")).json()["query_processes"]["idle"] > 1:
        assert time.monotonic() < deadline, "the runaways never started"
        time.sleep(0.05)
    cheap = requests.get(server.sparql, params={"query": FAST}, timeout=30)
    assert cheap.status_code == 200 and cheap.json()["results"]["bindings"][0]["n"]["value"] == "59"
    assert all(thread.is_alive() for thread in runaways), "answered only after a runaway ended"
    # a third runaway gets the lane too, and is stopped there with a busy answer
    third = requests.get(server.sparql, params={"query": CARTESIAN}, timeout=30)
    assert third.status_code == 503 and "FUKUDX_QUICK_LANE_TIMEOUT" in third.text and third.headers["Retry-After"]
    assert all(thread.is_alive() for thread in runaways), "the lane took the third only after a runaway ended"
    for thread in runaways:
        thread.join()
    assert statuses == [503, 503]
    assert requests.get(server.sparql, params={"query": FAST}).status_code == 200


def test_engine_alone_crashes_on_deep_nesting():
    """Why the nesting limit exists: the engine's recursive parser dies on such input (a control)."""
    script = "import pyoxigraph; pyoxigraph.Store().query('SELECT * WHERE ' + '{' * 5000 + '}' * 5000)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert result.returncode == -11  # SIGSEGV
