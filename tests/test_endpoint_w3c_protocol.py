"""The W3C SPARQL 1.1 Protocol query tests (protocol/manifest.ttl), adapted to our data and run
against the real production server over HTTP.

The W3C suite loads data0.rdf/data1.rdf/data2.rdf; here the dataset parts are our two named
graphs: the ontology (25 owl:Class) and Fukushima's graph (59 fdx:Municipality).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import requests

from conftest import ontology_class_count, raw_http

ONTOLOGY = "https://w3id.org/fukudx/graph/ontology"
PREF07 = "https://w3id.org/fukudx/graph/pref/07"
FDX = "https://w3id.org/fukudx/ontology#"
OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
ASK_CLASS = f"ASK {{ ?c a <{OWL_CLASS}> }}"
ASK_MUNICIPALITY = f"ASK {{ ?m a <{FDX}Municipality> }}"
JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"


def _ask(response: requests.Response) -> bool:
    assert response.status_code == 200, response.text
    return response.json()["boolean"]




# ------------------------------------------------------------------------------ query operation

def test_query_get(live_server):
    response = requests.get(live_server.sparql, params={"query": "ASK {}"}, headers={"Accept": JSON_RESULTS})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(JSON_RESULTS)
    assert response.json() == {"head": {}, "boolean": True}


def test_query_post_form(live_server):
    response = requests.post(live_server.sparql, data={"query": "ASK {}"}, headers={"Accept": XML_RESULTS})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{XML_RESULTS}; charset=utf-8"
    assert "<boolean>true</boolean>" in response.text


def test_query_post_direct(live_server):
    response = requests.post(live_server.sparql, data="ASK {}".encode(),
                             headers={"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS})
    assert response.status_code == 200
    assert response.json()["boolean"] is True


# ------------------------------------------------------------------- dataset by protocol

def test_query_dataset_default_graph(live_server):
    params = {"query": ASK_CLASS, "default-graph-uri": ONTOLOGY}
    assert _ask(requests.get(live_server.sparql, params=params)) is True
    params = {"query": ASK_MUNICIPALITY, "default-graph-uri": ONTOLOGY}
    assert _ask(requests.get(live_server.sparql, params=params)) is False


def test_query_dataset_default_graphs_get(live_server):
    query = f"ASK {{ ?c a <{OWL_CLASS}> . ?m a <{FDX}Municipality> }}"
    params = [("query", query), ("default-graph-uri", ONTOLOGY), ("default-graph-uri", PREF07)]
    assert _ask(requests.get(live_server.sparql, params=params)) is True
    assert _ask(requests.get(live_server.sparql, params=params[:2])) is False


def test_query_dataset_default_graphs_post(live_server):
    query = f"ASK {{ ?c a <{OWL_CLASS}> . ?m a <{FDX}Municipality> }}"
    body = [("query", query), ("default-graph-uri", ONTOLOGY), ("default-graph-uri", PREF07)]
    assert _ask(requests.post(live_server.sparql, data=body)) is True


def test_query_dataset_named_graphs_post(live_server):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    body = [("query", query), ("named-graph-uri", ONTOLOGY), ("named-graph-uri", PREF07)]
    response = requests.post(live_server.sparql, data=body, headers={"Accept": JSON_RESULTS})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [ONTOLOGY, PREF07]


def test_query_dataset_named_graphs_get(live_server):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = requests.get(live_server.sparql, params={"query": query, "named-graph-uri": PREF07})
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [PREF07]
    # With only named graphs given, the default graph is empty.
    empty = requests.get(live_server.sparql, params={"query": "ASK { ?s ?p ?o }", "named-graph-uri": PREF07})
    assert _ask(empty) is False


def test_query_dataset_full(live_server):
    query = (f"SELECT ?g (COUNT(DISTINCT ?c) AS ?classes) WHERE {{ ?c a <{OWL_CLASS}> "
             f"GRAPH ?g {{ ?m a <{FDX}Municipality> }} }} GROUP BY ?g")
    params = {"query": query, "default-graph-uri": ONTOLOGY, "named-graph-uri": PREF07}
    rows = requests.get(live_server.sparql, params=params).json()["results"]["bindings"]
    assert [(r["g"]["value"], r["classes"]["value"]) for r in rows] == [(PREF07, str(ontology_class_count()))]


def test_query_multiple_dataset(live_server):
    """The protocol dataset replaces the query's own FROM / FROM NAMED."""
    query = (f"SELECT (COUNT(*) AS ?n) FROM <{PREF07}> FROM NAMED <{ONTOLOGY}> "
             f"WHERE {{ ?c a <{OWL_CLASS}> }}")
    in_query = requests.get(live_server.sparql, params={"query": query}).json()
    assert in_query["results"]["bindings"][0]["n"]["value"] == "0"  # FROM honoured without protocol dataset
    overridden = requests.get(live_server.sparql, params={"query": query, "default-graph-uri": ONTOLOGY}).json()
    assert overridden["results"]["bindings"][0]["n"]["value"] == str(ontology_class_count())


def test_default_dataset_is_union_of_named_graphs(live_server):
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{OWL_CLASS}> . ?m a <{FDX}Municipality> }}"
    rows = requests.get(live_server.sparql, params={"query": query}).json()["results"]["bindings"]
    assert rows[0]["n"]["value"] == str(ontology_class_count() * 59)


# ------------------------------------------------------------------------------ content types

def test_query_content_type_select(live_server):
    query = f"SELECT ?m WHERE {{ ?m a <{FDX}Municipality> }} ORDER BY ?m LIMIT 3"
    for accept, expected in [(JSON_RESULTS, JSON_RESULTS), (XML_RESULTS, XML_RESULTS), ("text/csv", "text/csv"),
                             ("text/tab-separated-values", "text/tab-separated-values")]:
        response = requests.get(live_server.sparql, params={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200, accept
        assert response.headers["Content-Type"] == f"{expected}; charset=utf-8"


def test_query_content_type_ask(live_server):
    response = requests.get(live_server.sparql, params={"query": ASK_CLASS}, headers={"Accept": XML_RESULTS})
    assert response.headers["Content-Type"].startswith(XML_RESULTS)
    assert "<boolean>true</boolean>" in response.text


def test_query_content_type_describe(live_server):
    query = "DESCRIBE <https://w3id.org/fukudx/id/municipality/072010>"
    response = requests.get(live_server.sparql, params={"query": query}, headers={"Accept": "application/rdf+xml"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/rdf+xml; charset=utf-8"
    assert "rdf:RDF" in response.text and "072010" in response.text


def test_query_content_type_construct(live_server):
    query = f"CONSTRUCT {{ ?m a <{FDX}Municipality> }} WHERE {{ ?m a <{FDX}Municipality> }}"
    response = requests.get(live_server.sparql, params={"query": query}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    import pyoxigraph

    triples = list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.TURTLE))
    assert len(triples) == 59


# ------------------------------------------------------------------------------ bad requests

def test_bad_query_method(live_server):
    response = requests.put(live_server.sparql, data="ASK {}", headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert "use" in response.text and "GET" in response.text


def test_bad_multiple_queries(live_server):
    response = requests.get(live_server.sparql, params=[("query", "ASK {}"), ("query", "ASK { ?s ?p ?o }")])
    assert response.status_code == 400
    assert "'query' parameter was given 2 times" in response.text


def test_bad_query_wrong_media_type(live_server):
    status, headers, body = raw_http(live_server, "POST", "/sparql", b"ASK {}", {"Content-Type": "text/plain"})
    assert status == 415
    assert b"application/sparql-query" in body and b"application/x-www-form-urlencoded" in body


def test_bad_query_missing_form_type(live_server):
    status, _, body = raw_http(live_server, "POST", "/sparql", urlencode({"query": "ASK {}"}).encode())
    assert status == 415
    assert b"no Content-Type" in body


def test_bad_query_missing_direct_type(live_server):
    status, _, body = raw_http(live_server, "POST", "/sparql", b"ASK {}")
    assert status == 415


def test_bad_query_non_utf8(live_server):
    # As in the W3C test: a UTF-16 body declared as such.
    status, _, body = raw_http(live_server, "POST", "/sparql", "ASK {}".encode("utf-16"),
                           {"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert status == 415 and b"UTF-8" in body
    # Undeclared non-UTF-8 bytes (ISO-8859-1 "é" in a literal), direct and form-encoded.
    latin1 = 'ASK { ?s ?p "café" }'.encode("latin-1")
    status, _, body = raw_http(live_server, "POST", "/sparql", latin1, {"Content-Type": "application/sparql-query"})
    assert status == 400 and b"not valid UTF-8" in body and b"0xE9" in body
    status, _, body = raw_http(live_server, "POST", "/sparql", b"query=ASK%20%7B%20%3Fs%20%3Fp%20%22caf%E9%22%20%7D",
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and b"not valid UTF-8" in body
    status, _, body = raw_http(live_server, "GET", "/sparql?query=ASK%20%7B%22%E9%22%7D")
    assert status == 400 and b"not valid UTF-8" in body


def test_bad_query_syntax(live_server):
    query = "SELECT * WHERE {\n  ?s ?p ?o\n  FILTER(?o = )\n}"
    response = requests.get(live_server.sparql, params={"query": query})
    assert response.status_code == 400
    text = response.text
    assert "SPARQL syntax error at line 4, column 2" in text  # where the engine's parser stopped
    assert "starts at line 3, column 3" in text  # where the failing construct begins
    assert "  FILTER(?o = )\n  ^" in text  # the offending line with a caret under it
    assert "Traceback" not in text


def test_bad_query_undeclared_prefix(live_server):
    response = requests.get(live_server.sparql, params={"query": "SELECT * WHERE { ?s ex:p ?o }"})
    assert response.status_code == 400
    assert "prefix 'ex:' is used but not declared; add PREFIX ex: <…>" in response.text


def test_bad_query_update_in_query_param(live_server):
    response = requests.get(live_server.sparql, params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert response.status_code == 403
    assert "read-only" in response.text


def test_update_operation_refused(live_server):
    for kwargs in ({"data": {"update": "DROP ALL"}},
                   {"data": b"CLEAR DEFAULT", "headers": {"Content-Type": "application/sparql-update"}}):
        response = requests.post(live_server.sparql, **kwargs)
        assert response.status_code == 403, kwargs
        assert "read-only" in response.text
    # and nothing changed
    municipalities = f"SELECT (COUNT(*) AS ?n) {{ ?m a <{FDX}Municipality> }}"
    count = requests.get(live_server.sparql, params={"query": municipalities})
    assert json.loads(count.text)["results"]["bindings"][0]["n"]["value"] == "59"
