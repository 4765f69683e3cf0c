"""HTTP behaviour of /sparql on the real production server: CORS, HEAD/OPTIONS, ETag/304,
Cache-Control, the row cap, size limits, and a message (never a 500 or traceback) for bad input."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

import pyoxigraph
import pytest
import rdflib
import requests

from conftest import raw_http

FDX = "https://w3id.org/fukudx/ontology#"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{FDX}Municipality> }}"
BIG = "SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?q ?r } LIMIT 1005"  # more rows than small_cap_server's 1,000
DIRECT = {"Content-Type": "application/sparql-query"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_cors_simple_and_preflight(live_server):
    response = requests.get(live_server.sparql, params={"query": COUNT}, headers={"Origin": "https://yasgui.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = response.headers["Access-Control-Expose-Headers"]
    assert "ETag" in exposed and "X-Result-Truncated" in exposed
    preflight = requests.options(live_server.sparql, headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert {"GET", "POST"} <= {m.strip() for m in preflight.headers["Access-Control-Allow-Methods"].split(",")}
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert int(preflight.headers["Access-Control-Max-Age"]) > 0
    # errors carry CORS headers too, so browser apps can read the message
    error = requests.get(live_server.sparql, params={"query": "SELECT"}, headers={"Origin": "https://yasgui.example"})
    assert error.status_code == 400 and error.headers["Access-Control-Allow-Origin"] == "*"


def test_options_and_head(live_server):
    options = requests.options(live_server.sparql)
    assert options.status_code in (200, 204)
    assert {"GET", "POST", "HEAD", "OPTIONS"} <= {m.strip() for m in options.headers["Allow"].split(",")}
    get = requests.get(live_server.sparql, params={"query": COUNT})
    head = requests.head(live_server.sparql, params={"query": COUNT})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.content))
    sd_head = requests.head(live_server.sparql, headers={"Accept": "text/turtle"})
    assert sd_head.status_code == 200 and sd_head.headers["Content-Type"].startswith("text/turtle")


def test_etag_304_and_cache_control(live_server):
    release = requests.get(live_server.url("/version")).json()["release"]
    first = requests.get(live_server.sparql, params={"query": COUNT})
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.headers["X-Release"] == release
    again = requests.get(live_server.sparql, params={"query": COUNT}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag and "Accept" in again.headers["Vary"]
    star = requests.get(live_server.sparql, params={"query": COUNT}, headers={"If-None-Match": "*"})
    assert star.status_code == 304
    # another representation, query or dataset → another ETag
    csv = requests.get(live_server.sparql, params={"query": COUNT}, headers={"Accept": "text/csv"})
    other = requests.get(live_server.sparql, params={"query": COUNT + " "})
    graph = requests.get(live_server.sparql, params={"query": COUNT, "default-graph-uri": "https://w3id.org/fukudx/graph/pref/07"})
    assert len({etag, csv.headers["ETag"], other.headers["ETag"], graph.headers["ETag"]}) == 4
    stale = requests.get(live_server.sparql, params={"query": COUNT}, headers={"If-None-Match": csv.headers["ETag"]})
    assert stale.status_code == 200
    # the service description is cacheable too
    sd = requests.get(live_server.sparql, headers={"Accept": "text/turtle"})
    sd_again = requests.get(live_server.sparql, headers={"Accept": "text/turtle", "If-None-Match": sd.headers["ETag"]})
    assert sd_again.status_code == 304
    # POST answers are not cached
    post = requests.post(live_server.sparql, data={"query": COUNT})
    assert post.headers["Cache-Control"] == "no-store" and "ETag" not in post.headers


@pytest.fixture(scope="module")
def small_cap_server(server_factory):
    return server_factory(env={"FUKUDX_ROW_CAP": "1000", "FUKUDX_WORKERS": "1", "FUKUDX_QUERY_WORKERS": "1"})


def test_result_over_the_cap_is_refused_unless_partial_is_asked_for(small_cap_server):
    server = small_cap_server
    refused = requests.get(server.sparql, params={"query": BIG})
    assert refused.status_code == 422
    assert "1,000" in refused.text and "/download/dataset.nq" in refused.text and "partial=true" in refused.text
    construct = requests.get(server.sparql, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "ttl"})
    assert construct.status_code == 422
    description = requests.get(server.sparql, headers={"Accept": "text/turtle"}).text
    assert "At most 1000 result rows" in description and "partial=true" in description  # documented where clients look
    exact = requests.get(server.sparql, params={"query": BIG.replace("1005", "1000")})
    assert exact.status_code == 200 and exact.headers["X-Result-Truncated"] == "false"  # at the cap is complete


def test_partial_results_say_so_in_band(small_cap_server):
    server = small_cap_server
    data = requests.get(server.sparql, params={"query": BIG, "partial": "true"},
                        headers={"Accept": "application/sparql-results+json"})
    assert data.status_code == 200
    assert data.headers["X-Result-Truncated"] == "true"
    assert data.headers["X-Row-Cap"] == "1000" and data.headers["X-Result-Rows"] == "1000"
    body = data.json()
    assert body["truncated"] is True and len(body["results"]["bindings"]) == 1000
    # strict streaming parsers (Oxigraph's) accept the flag: it comes before "results"
    assert len(list(pyoxigraph.parse_query_results(data.content, format=pyoxigraph.QueryResultsFormat.JSON))) == 1000
    csv = requests.get(server.sparql, params={"query": BIG, "format": "csv", "partial": "1"})
    assert csv.headers["X-Result-Truncated"] == "true" and csv.text.count("\r\n") == 1001
    xml = requests.get(server.sparql, params={"query": BIG, "format": "xml", "partial": "true"})
    assert xml.text.count("<result>") == 1000 and "<!-- truncated" in xml.text
    assert len(list(pyoxigraph.parse_query_results(xml.content, format=pyoxigraph.QueryResultsFormat.XML))) == 1000
    for fmt, comment in (("nt", "# truncated"), ("ttl", "# truncated"), ("nq", "# truncated"), ("trig", "# truncated"),
                         ("rdf", "<!-- truncated")):
        construct = requests.get(server.sparql, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": fmt,
                                                        "partial": "true"})
        assert construct.headers["X-Result-Truncated"] == "true"
        assert construct.text.rstrip().endswith("-->" if fmt == "rdf" else ")")
        assert comment in construct.text, fmt
        graph = rdflib.Graph().parse(data=construct.content, format={"nt": "nt", "ttl": "turtle", "nq": "nquads",
                                                                    "trig": "trig", "rdf": "xml"}[fmt])
        assert len(graph) == 1000, fmt  # the marker is a comment: still valid RDF
    bad = requests.get(server.sparql, params={"query": BIG, "partial": "maybe"})
    assert bad.status_code == 400 and "partial=true" in bad.text


def test_everything_asked_for_is_everything(live_server):
    """CONSTRUCT of the whole graph comes back whole, in Turtle and through rdflib's SPARQLStore."""
    triples = requests.get(live_server.url("/version")).json()["triples"]
    response = requests.get(live_server.sparql, params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"},
                            headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["X-Result-Truncated"] == "false"
    assert len(rdflib.Graph().parse(data=response.content, format="turtle")) == triples
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = rdflib.Graph(store=SPARQLStore(live_server.sparql, returnFormat="json"))
    assert len(store) == triples == sum(1 for _ in store.triples((None, None, None)))


def test_csv_for_excel(live_server):
    query = ("SELECT ?label WHERE { <https://w3id.org/fukudx/id/pref/07> "
             "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")
    plain = requests.get(live_server.sparql, params={"query": query, "format": "csv"})
    assert not plain.content.startswith(b"\xef\xbb\xbf") and "Content-Disposition" not in plain.headers
    excel = requests.get(live_server.sparql, params={"query": query, "format": "csv", "bom": "1"})
    assert excel.content.startswith(b"\xef\xbb\xbflabel\r\n")
    assert excel.content[3:].decode("utf-8") == plain.text and "福島県" in plain.text
    assert excel.headers["Content-Disposition"] == 'attachment; filename="results.csv"'
    assert excel.headers["ETag"] != plain.headers["ETag"]
    tsv = requests.get(live_server.sparql, params={"query": query, "format": "tsv", "bom": "true"})
    assert tsv.content.startswith(b"\xef\xbb\xbf?label\n")
    json_answer = requests.get(live_server.sparql, params={"query": query, "bom": "1"})
    assert json_answer.content.startswith(b"{")  # only CSV and TSV get the mark


def test_query_size_limits(live_server):
    padding = "#" + "x" * 1_000_000 + "\n"
    big_query = padding + "ASK {}"
    direct = requests.post(live_server.sparql, data=big_query.encode(), headers=DIRECT)
    assert direct.status_code == 413 and "at most 1,000,000 bytes" in direct.text
    form = requests.post(live_server.sparql, data={"query": big_query})
    assert form.status_code == 413 and "FUKUDX_MAX_QUERY_BYTES" in form.text
    huge = requests.post(live_server.sparql, data=b"x" * 3_200_000, headers=DIRECT)
    assert huge.status_code == 413 and "larger than this server accepts" in huge.text
    # just under the limit is fine
    ok = requests.post(live_server.sparql, data=("#" + "x" * 900_000 + "\nASK {}").encode(),
                       headers={"Content-Type": "application/sparql-query"})
    assert ok.status_code == 200
    # GET URLs are limited by the HTTP server's request line; the answer says so
    long_get = requests.get(live_server.sparql + "?query=" + quote("#" + "x" * 9000 + "\nASK {}"))
    assert long_get.status_code == 414
    assert long_get.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "send long queries with POST" in long_get.text and "<html" not in long_get.text


def test_every_bad_input_gets_a_message(live_server):
    cases = [
        ("GET", "/sparql?query=", b"", {}, 400, "empty"),
        ("POST", "/sparql", b"", {"Content-Type": "application/x-www-form-urlencoded"}, 400, "missing 'query'"),
        ("POST", "/sparql", b"query=ASK%7B%7D&query=ASK%7B%7D", FORM, 400, "2 times"),
        ("POST", "/sparql?query=ASK%7B%7D", b"ASK {}", DIRECT, 400, "given twice"),
        ("GET", "/sparql?default-graph-uri=https://w3id.org/fukudx/graph/ontology", b"", {}, 400, "missing 'query'"),
        ("GET", "/sparql?query=ASK%7B%7D&default-graph-uri=not%20an%20iri", b"", {}, 400, "not an absolute IRI"),
        ("POST", "/sparql", b"ASK {}", {"Content-Type": "application/sparql-query; charset=latin-1"}, 415, "UTF-8"),
        ("POST", "/sparql", b"ASK {}", {"Content-Type": "multipart/form-data; boundary=x"}, 415,
         "application/sparql-query"),
        ("POST", "/sparql", b"ASK {}", {"Content-Type": "garbage"}, 415, "not a valid media type"),
        ("DELETE", "/sparql", b"", {}, 405, "use"),
        ("PATCH", "/sparql", b"x", {"Content-Type": "application/sparql-query"}, 405, "use"),
        ("GET", "/nothing-here", b"", {}, 404, "/sparql"),
        ("GET", "/sparql?query=LOAD%20%3Chttp%3A%2F%2Fexample.org%2F%3E", b"", {}, 403, "read-only"),
        ("GET", "/sparql?query=PREFIX%20a%3A%20%3Curn%3Ax%3E%20DELETE%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D", b"", {}, 403,
         "read-only"),
        ("GET", "/sparql?query=SELECT%20*%20%7B%7D%20LIMIT%20-1", b"", {}, 400, "syntax error"),
        ("GET", "/sparql?query=%00%01%02", b"", {}, 400, "syntax error"),
        ("GET", "/sparql?query=SELECT%20*%20%7B%20%3Fs%20%3Fp%20%22%F0%9F%98%80%22%20", b"", {}, 400, "syntax error"),
        ("GET", "/sparql?query=ASK%7B%7D&format=csv&format=json", b"", {}, 400, "different formats"),
        ("GET", "/sparql?query=%25", b"", {}, 400, "syntax error"),
        ("GET", "/sparql?query=ASK%7B%7D%26", b"", {}, 400, "syntax error"),
    ]
    for method, target, body, headers, status, needle in cases:
        got, response_headers, text = raw_http(live_server, method, target, body, headers)
        decoded = text.decode("utf-8")
        assert got == status, (method, target, got, decoded)
        assert needle in decoded, (target, decoded)
        assert response_headers["content-type"] == "text/plain; charset=utf-8", target
        assert "Traceback" not in decoded and "<html" not in decoded.lower()
        assert response_headers.get("cache-control") == "no-store"


def test_odd_but_valid_queries(live_server):
    queries = {
        "unicode": 'SELECT ?l WHERE { ?m <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(?l = "福島市"@ja) }',
        "relative IRIs resolve against the base IRI": "ASK { <municipality/072010> ?p ?o }",
        "comment with service word": "# SERVICE <http://127.0.0.1/> would be refused\nASK {}",
        "string with service word": 'SELECT ("SERVICE <http://127.0.0.1/>" AS ?x) WHERE {}',
        "from named": f"SELECT ?g WHERE {{ GRAPH ?g {{ ?m a <{FDX}Municipality> }} }} LIMIT 1",
        "describe": "DESCRIBE <https://w3id.org/fukudx/id/municipality/072010>",
    }
    for name, query in queries.items():
        response = requests.get(live_server.sparql, params={"query": query})
        assert response.status_code == 200, (name, response.text)
    label = requests.get(live_server.sparql, params={"query": queries["unicode"]}).json()
    assert label["results"]["bindings"][0]["l"]["value"] == "福島市"
    relative = queries["relative IRIs resolve against the base IRI"]
    assert requests.get(live_server.sparql, params={"query": relative}).json()["boolean"]


def test_service_description_without_and_with_trailing_slash(live_server):
    for url in (live_server.sparql, live_server.sparql + "/"):
        response = requests.get(url, headers={"Accept": "text/turtle"})
        assert response.status_code == 200 and "sd:Service" in response.text
    assert json.loads(requests.get(live_server.sparql + "/", params={"query": "ASK {}"}).text)["boolean"] is True


def test_malformed_http_gets_400_and_is_closed(live_server):
    """Requests that are not HTTP get 400 and the connection is closed.

    Changed with the move from gunicorn to granian (issue 7, slow clients): granian's HTTP parser
    (hyper) answers a malformed request line or header itself, before any Python code runs, with a
    bare `400 Bad Request` (`content-length: 0`, no page and no hint) and closes the connection;
    gunicorn used to let us write a plain-text hint. The status is the same; the body is now empty
    (still never an HTML page). Errors the service itself raises keep their plain-text messages."""
    import socket

    host, port = urlsplit(live_server.base).hostname, urlsplit(live_server.base).port
    for raw in (b"GARBAGE\r\n\r\n", b"GET /sparql HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"):
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(raw)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400"), answer
        assert b"connection: close" in head.lower()
        assert body == b"" and b"<html" not in answer.lower()
