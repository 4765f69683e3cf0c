"""SERVICE (federation) is refused before any connection unless the endpoint is allow-listed.

A local listener socket plays the victim of server-side request forgery: it records every
connection, and after all the refused queries it must have seen none. A control test shows
that pyoxigraph on its own does connect to it, so the listener would notice.
"""

from __future__ import annotations

import socket
import threading
import time

import pyoxigraph
import pytest
import requests

FDX = "https://w3id.org/fukudx/ontology#"


class Listener:
    """A TCP listener on 127.0.0.1 that records connections (and answers nothing)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            conn.settimeout(1)
            try:
                self.connections.append(conn.recv(4096))
            except OSError:
                self.connections.append(b"")
            conn.close()

    def quiet(self) -> bool:
        """True when nobody but our own marker connected so far. Connections are accepted in the
        order they arrived, so once the marker sent now is seen, any earlier one was seen too."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as marker:
            marker.sendall(b"MARKER")
            deadline = time.monotonic() + 10
            while b"MARKER" not in self.connections and time.monotonic() < deadline:
                time.sleep(0.01)
        seen = self.connections[:self.connections.index(b"MARKER")]
        self.connections.remove(b"MARKER")
        return not seen

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture()
def listener():
    victim = Listener()
    yield victim
    victim.close()


def _refused_queries(port: int) -> dict[str, str]:
    url = f"http://127.0.0.1:{port}/sparql"
    pattern = "{ ?s ?p ?o }"
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {pattern} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {pattern} }}",
        "lowercase": f"select * where {{ service silent <{url}> {pattern} }}",
        "localhost": f"SELECT * WHERE {{ SERVICE SILENT <http://localhost:{port}/sparql> {pattern} }}",
        "variable": f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE SILENT ?e {pattern} }}",
        "values variable": f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {pattern} }}",
        "escaped iri": f"SELECT * WHERE {{ SERVICE SILENT <http\\u003A//127.0.0.1:{port}/esc> {pattern} }}",
        "prefixed name": f"PREFIX v: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE SILENT v:sparql {pattern} }}",
        "relative to BASE": f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE SILENT <sparql> {pattern} }}",
        "decimal ip": f"SELECT * WHERE {{ SERVICE SILENT <http://2130706433:{port}/sparql> {pattern} }}",
        "ipv6 loopback": f"SELECT * WHERE {{ SERVICE SILENT <http://[::1]:{port}/sparql> {pattern} }}",
        "userinfo": f"SELECT * WHERE {{ SERVICE SILENT <http://example.org@127.0.0.1:{port}/sparql> {pattern} }}",
        "in optional": f"SELECT * WHERE {{ ?x a <{FDX}Municipality> OPTIONAL {{ SERVICE SILENT <{url}> {pattern} }} }}",
        "in union": f"SELECT * WHERE {{ {{ ?x a <{FDX}Municipality> }} UNION {{ SERVICE SILENT <{url}> {pattern} }} }}",
        "in minus": f"SELECT * WHERE {{ ?x a <{FDX}Municipality> MINUS {{ SERVICE SILENT <{url}> {pattern} }} }}",
        "in subquery": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE SILENT <{url}> {pattern} }} }} }}",
        "in exists": f"SELECT * WHERE {{ ?x ?y ?z FILTER EXISTS {{ SERVICE SILENT <{url}> {pattern} }} }}",
        "in not exists": f"ASK {{ FILTER NOT EXISTS {{ SERVICE SILENT <{url}> {pattern} }} }}",
        "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE SILENT <{url}> {pattern} }}",
        "describe": f"DESCRIBE ?s WHERE {{ SERVICE SILENT <{url}> {pattern} }}",
        "no space": f"SELECT*{{SERVICE SILENT<{url}>{pattern}}}",
        "after dot": f"SELECT * {{ ?a ?b ?c .SERVICE SILENT <{url}> {pattern} }}",
        "comment inside": f"SELECT * {{ SERVICE #x\n SILENT <{url}> {pattern} }}",
        "not allow-listed remote": f"SELECT * WHERE {{ SERVICE SILENT <http://example.org:{port}/sparql> {pattern} }}",
        "https": f"SELECT * WHERE {{ SERVICE SILENT <https://127.0.0.1:{port}/sparql> {pattern} }}",
        "escaped prefix": f"PREFIX v: <http\\u003A//127.0.0.1:{port}/> ASK {{ SERVICE SILENT v:x {pattern} }}",
        "after variable and dot": f"ASK {{ ?s ?p ?o.SERVICE SILENT <{url}> {pattern} }}",
        # too large for rdflib's recursive parser: the lexer alone must catch it
        "large query": "SELECT * { " + "?s ?p ?o . " * 3000 + f"SERVICE SILENT <{url}> {pattern} }}",
        **_glued_bypasses(port),
    }


def _glued_bypasses(port: int) -> dict[str, str]:
    """Keywords glued to their neighbours: pyoxigraph's grammar reads all of these as SERVICE
    (issue 7: each of the first five made an earlier version connect to the listener)."""
    base = f"http://127.0.0.1:{port}"
    rdf = "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
    municipality = f"<{FDX}Municipality>"
    return {
        "SERVICESILENT<iri>": f"SELECT * WHERE {{ SERVICESILENT<{base}/x> {{ ?x ?y ?z }} }}",
        "SERVICEex:x": f"PREFIX ex: <{base}/> SELECT * WHERE {{ SERVICEex:x {{ ?x ?y ?z }} }}",
        "colon earlier, ?o.SERVICE": f"{rdf}SELECT * WHERE {{ ?a rdf:type?o.SERVICE <{base}/x> {{ ?x ?y ?z }} }}",
        "1SERVICE after a path": f"SELECT * WHERE {{ ?a <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>* 1SERVICE "
                                 f"<{base}/x> {{ ?x ?y ?z }} }}",
        "BASE + SERVICESILENT<rel>": f"BASE <{base}/> SELECT * WHERE {{ SERVICESILENT<rel> {{ ?x ?y ?z }} }}",
        # found while fixing them
        "prefix named silent": f"PREFIX silent: <{base}/> "
                               f"SELECT * WHERE {{ ?m a {municipality} SERVICE silent:x {{}} }}",
        "PREFIXex: glued": f"PREFIXex:<{base}/> SELECT * WHERE {{ ?m a {municipality} SERVICE ex:x {{}} }}",
        "langtag.SERVICE": f'SELECT * {{ ?s ?p "x"@en.SERVICE <{base}/z> {{}} }}',
        "after a comment, glued": f"SELECT * {{ ?m a {municipality} #x\nSERVICE<{base}/c>{{}} }}",
        "FILTER(...)SERVICE": f"SELECT * {{ ?m a {municipality} FILTER(true)SERVICE<{base}/f>{{}} }}",
        "[] .SERVICE": f"SELECT * {{ [] a {municipality} .SERVICE<{base}/g>{{}} }}",
        "a1SERVICE": f"SELECT * {{ ?m a1SERVICE<{base}/h>{{}} }}",
        "service: as a prefix": f"PREFIX : <{base}/> SELECT * {{ ?m a {municipality} SERVICE:x {{}} }}",
        "mixed case glued": f"SELECT * {{ ?m a {municipality} sErViCeSiLeNt<{base}/m>{{}} }}",
        "CONSTRUCTWHERE": f"CONSTRUCTWHERE{{ ?m a {municipality} SERVICESILENT<{base}/n>{{}} }}",
    }


def _assert_refused(server, listener, extra_allowed: str | None = None):
    for name, query in _refused_queries(listener.port).items():
        page = (requests.get(server.url("/query"), params={"query": query}) if len(query) < 4000  # the HTML page
                else requests.post(server.url("/query"), data={"query": query}))
        assert page.status_code in (400, 403) and "SERVICE" in page.text, (name, page.status_code)
        for send in ("GET", "POST form", "POST direct"):
            if send == "GET" and len(query) > 4000:
                continue  # longer than a request line may be; POST carries it
            if send == "GET":
                response = requests.get(server.sparql, params={"query": query})
            elif send == "POST form":
                response = requests.post(server.sparql, data={"query": query})
            else:
                response = requests.post(server.sparql, data=query.encode(),
                                         headers={"Content-Type": "application/sparql-query"})
            assert response.status_code in (400, 403), (name, send, response.status_code, response.text)
            assert "SERVICE" in response.text, (name, response.text)
            if response.status_code == 403:
                assert "refused" in response.text
                if extra_allowed:
                    assert extra_allowed in response.text  # says which endpoints are allowed
                else:
                    assert "FUKUDX_SERVICE_ALLOWLIST is empty" in response.text
    assert listener.quiet(), "the server connected to the listener"


def test_control_pyoxigraph_alone_would_connect(listener):
    """Without our checks, pyoxigraph fetches SERVICE IRIs itself: the listener sees it."""
    target = f"http://127.0.0.1:{listener.port}/sparql"
    pyoxigraph.Store().query(f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}")
    deadline = time.monotonic() + 5
    while not listener.connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.connections and listener.connections[0].startswith(b"POST /sparql")


def test_service_refused_before_any_connection(live_server, listener):
    _assert_refused(live_server, listener)


def test_service_messages(live_server, listener):
    url = f"http://127.0.0.1:{listener.port}/sparql"
    loopback = requests.get(live_server.sparql, params={"query": f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"})
    assert loopback.status_code == 403
    assert "local or private network address" in loopback.text and "Remove the SERVICE clause" in loopback.text
    variable = requests.get(live_server.sparql, params={"query": "ASK { SERVICE ?e { ?s ?p ?o } }"})
    assert variable.status_code == 403
    assert "SERVICE ?e (line 1, column 7) refused" in variable.text and "fixed IRI" in variable.text
    wikidata = "ASK { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    remote = requests.get(live_server.sparql, params={"query": wikidata})
    assert remote.status_code == 403 and "not on the federation allow-list" in remote.text
    # a prefixed name containing "service" is not the keyword and is fine
    ok = requests.get(live_server.sparql, params={"query": "PREFIX ex: <http://example.org/> ASK { ?s ex:service ?o }"})
    assert ok.status_code == 200
    assert listener.quiet()


def test_from_clause_does_not_fetch(live_server, listener):
    query = f"SELECT * FROM <http://127.0.0.1:{listener.port}/data.ttl> WHERE {{ ?s ?p ?o }}"
    response = requests.get(live_server.sparql, params={"query": query})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []
    assert listener.quiet()


def test_allow_listed_federation(server_factory, oxigraph_server, listener):
    """With the oxigraph server allow-listed, SERVICE to it works; everything else is still refused."""
    allowed = oxigraph_server.url("/query")
    server = server_factory(env={"FUKUDX_SERVICE_ALLOWLIST": allowed, "FUKUDX_WORKERS": "1",
                                 "FUKUDX_QUERY_WORKERS": "1"})
    query = f"""PREFIX fdx: <{FDX}>
    SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ SERVICE <{allowed}> {{ ?m a fdx:Municipality }} }}"""
    response = requests.get(server.sparql, params={"query": query})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "59"
    # the service description advertises federation and the allowed endpoint
    description = requests.get(server.sparql, headers={"Accept": "text/turtle"}).text
    assert "sd:BasicFederatedQuery" in description and f"<{allowed}>" in description
    # look-alikes of the allowed endpoint are refused
    for lookalike in (allowed + "x", allowed + "/../update", allowed.replace("127.0.0.1", "localhost"),
                      allowed.replace("http://", "https://"), allowed + "?x=1"):
        query = f"ASK {{ SERVICE SILENT <{lookalike}> {{ ?s ?p ?o }} }}"
        refused = requests.get(server.sparql, params={"query": query})
        assert refused.status_code == 403, lookalike
    _assert_refused(server, listener, extra_allowed=allowed)
