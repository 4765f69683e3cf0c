"""The remote backend (FUKUDX_BACKEND=<endpoint URL>) against a real `oxigraph serve` started by
the test: the same protocol, formats, dataset parameters, row cap, SERVICE policy and timeout as
the embedded store, with SPARQLWrapper between our server and the store."""

from __future__ import annotations

import time

import pyoxigraph
import pytest
import requests
from SPARQLWrapper import JSON, POST, URLENCODED, SPARQLWrapper

from conftest import expected_graph_names, free_port

FDX = "https://w3id.org/fukudx/ontology#"
ONTOLOGY = "https://w3id.org/fukudx/graph/ontology"
PREF07 = "https://w3id.org/fukudx/graph/pref/07"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{FDX}Municipality> }}"


@pytest.fixture(scope="module")
def remote_server(server_factory, oxigraph_server):
    return server_factory(env={"FUKUDX_BACKEND": oxigraph_server.url("/query"), "FUKUDX_WORKERS": "1",
                               "FUKUDX_QUERY_WORKERS": "2", "FUKUDX_QUERY_TIMEOUT": "3",
                               "FUKUDX_ROW_CAP": "1000"})


def test_remote_select_with_sparqlwrapper(remote_server):
    for method, request_method in (("GET", None), (POST, URLENCODED)):
        client = SPARQLWrapper(remote_server.sparql)
        client.setMethod(method)
        if request_method:
            client.setRequestMethod(request_method)
        client.setQuery(COUNT)
        client.setReturnFormat(JSON)
        assert client.query().convert()["results"]["bindings"][0]["n"]["value"] == "59"


def test_remote_formats_and_dataset(remote_server):
    construct = f"CONSTRUCT {{ ?m a <{FDX}Municipality> }} WHERE {{ ?m a <{FDX}Municipality> }}"
    for media_type, fmt in (("text/turtle", pyoxigraph.RdfFormat.TURTLE),
                            ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
                            ("application/rdf+xml", pyoxigraph.RdfFormat.RDF_XML)):
        response = requests.get(remote_server.sparql, params={"query": construct}, headers={"Accept": media_type})
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(media_type)
        assert len(list(pyoxigraph.parse(response.content, format=fmt))) == 59
    for fmt, first_line in (("csv", "n\r\n"), ("tsv", "?n\n")):
        response = requests.get(remote_server.sparql, params={"query": COUNT, "format": fmt})
        assert response.text.startswith(first_line) and "59" in response.text
    ask = "ASK { ?c a <http://www.w3.org/2002/07/owl#Class> }"
    for graph, classes in ((ONTOLOGY, True), (PREF07, False)):
        answer = requests.get(remote_server.sparql, params={"query": ask, "default-graph-uri": graph}).json()
        assert answer["boolean"] is classes, graph
    graphs = requests.get(remote_server.sparql, params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                                       "named-graph-uri": PREF07}).json()
    assert [b["g"]["value"] for b in graphs["results"]["bindings"]] == [PREF07]


def test_remote_row_cap_errors_and_policy(remote_server):
    big = "SELECT * WHERE { ?a ?p ?o . ?b ?q ?r } LIMIT 1005"
    assert requests.get(remote_server.sparql, params={"query": big}).status_code == 422
    cut = requests.get(remote_server.sparql, params={"query": big, "partial": "true"})
    assert cut.headers["X-Result-Truncated"] == "true" and len(cut.json()["results"]["bindings"]) == 1000
    syntax = requests.get(remote_server.sparql, params={"query": "SELECT * WHERE { ?s ?p }"})
    assert syntax.status_code == 400 and "syntax error" in syntax.text.lower()
    update = requests.get(remote_server.sparql, params={"query": "DROP ALL"})
    assert update.status_code == 403
    service = requests.get(remote_server.sparql, params={"query": "ASK { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"})
    assert service.status_code == 403


@pytest.mark.slow
def test_remote_timeout(remote_server):
    cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    response = requests.get(remote_server.sparql, params={"query": cartesian}, timeout=30)
    assert response.status_code == 503 and "3 s limit" in response.text
    assert requests.get(remote_server.sparql, params={"query": COUNT}).status_code == 200


def test_remote_version_and_description(remote_server):
    version = requests.get(remote_server.url("/version")).json()
    assert version["backend"]["kind"] == "remote"
    assert set(version["graphs"]) == expected_graph_names() and {ONTOLOGY, PREF07} <= set(version["graphs"])
    assert version["triples"] > 10000 and version["release"]
    description = requests.get(remote_server.sparql, headers={"Accept": "text/turtle"}).text
    assert f"<{PREF07}>" in description


def test_remote_unreachable_is_not_ready(server_factory):
    dead = f"http://127.0.0.1:{free_port()}/query"
    server = server_factory(env={"FUKUDX_BACKEND": dead, "FUKUDX_WORKERS": "1", "FUKUDX_QUERY_WORKERS": "1"},
                            ready_path="/healthz")
    deadline = time.monotonic() + 20
    while True:  # the query process starts first, then the probe reports the backend
        ready = requests.get(server.url("/readyz"))
        assert ready.status_code == 503
        if "backend_error" in ready.json() or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert "could not be reached" in ready.json()["backend_error"]
    response = requests.get(server.sparql, params={"query": COUNT})
    assert response.status_code == 503 and "could not be reached" in response.text
