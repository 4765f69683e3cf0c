"""Result formats and content negotiation over HTTP, with real clients: SPARQLWrapper (GET, POST
form, POST direct; with and without its format parameter), rdflib's SPARQLStore and requests.
Every body is parsed back with an independent parser (pyoxigraph / rdflib / csv / json)."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph
import pytest
import rdflib
import requests
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

from conftest import expected_graph_names

FDX = "https://w3id.org/fukudx/ontology#"
SELECT_MUNICIPALITIES = f"""PREFIX fdx: <{FDX}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?m ?label WHERE {{ ?m a fdx:Municipality ; rdfs:label ?label FILTER(lang(?label) = "ja") }} ORDER BY ?m"""
CONSTRUCT_MUNICIPALITIES = f"""PREFIX fdx: <{FDX}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {{ ?m a fdx:Municipality ; rdfs:label ?label }}
WHERE {{ ?m a fdx:Municipality ; rdfs:label ?label FILTER(lang(?label) = "ja") }}"""

METHODS = [("GET", GET, None), ("POST form", POST, URLENCODED), ("POST direct", POST, POSTDIRECTLY)]


def _client(endpoint: str, method, request_method, query: str, fmt, only_conneg: bool) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    if request_method:
        client.setRequestMethod(request_method)
    client.setOnlyConneg(only_conneg)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


@pytest.mark.parametrize("only_conneg", [False, True], ids=["format-param", "accept-only"])
@pytest.mark.parametrize("name,method,request_method", METHODS, ids=[m[0] for m in METHODS])
def test_sparqlwrapper_select_all_formats(live_server, name, method, request_method, only_conneg):
    for fmt in (JSON, XML, CSV, TSV):
        result = _client(live_server.sparql, method, request_method, SELECT_MUNICIPALITIES, fmt, only_conneg).query()
        content_type = result.info()["content-type"]
        converted = result.convert()
        if fmt == JSON:
            assert content_type == "application/sparql-results+json; charset=utf-8"
            rows = converted["results"]["bindings"]
            assert len(rows) == 59 and converted["truncated"] is False
            assert rows[0]["label"]["xml:lang"] == "ja"
        elif fmt == XML:
            assert content_type == "application/sparql-results+xml; charset=utf-8"
            assert len(converted.getElementsByTagName("result")) == 59
        elif fmt == CSV:
            assert content_type == "text/csv; charset=utf-8"
            rows = list(csv.reader(io.StringIO(converted.decode("utf-8"))))
            assert rows[0] == ["m", "label"] and len(rows) == 60
        else:
            assert content_type == "text/tab-separated-values; charset=utf-8"
            lines = converted.decode("utf-8").rstrip("\n").split("\n")
            assert lines[0] == "?m\t?label" and len(lines) == 60
            assert lines[1].startswith("<https://w3id.org/fukudx/id/municipality/") and lines[1].endswith('"@ja')


@pytest.mark.parametrize("name,method,request_method", METHODS, ids=[m[0] for m in METHODS])
def test_sparqlwrapper_construct_all_formats(live_server, name, method, request_method):
    expected = {"TURTLE": "text/turtle", "RDFXML": "application/rdf+xml", "JSONLD": "application/ld+json",
                "N3": "text/turtle"}
    for fmt_name, fmt in (("TURTLE", TURTLE), ("RDFXML", RDFXML), ("JSONLD", JSONLD), ("N3", N3)):
        result = _client(live_server.sparql, method, request_method, CONSTRUCT_MUNICIPALITIES, fmt, False).query()
        assert result.info()["content-type"] == f"{expected[fmt_name]}; charset=utf-8", fmt_name
        graph = result.convert()
        if not isinstance(graph, rdflib.Graph):
            parsed = rdflib.Graph()
            parsed.parse(data=graph, format={"TURTLE": "turtle", "N3": "turtle", "JSONLD": "json-ld"}[fmt_name])
            graph = parsed
        assert len(graph) == 59 * 2, fmt_name
        assert len(set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(FDX + "Municipality")))) == 59


def test_sparqlwrapper_ask(live_server):
    for method, request_method in ((GET, None), (POST, URLENCODED), (POST, POSTDIRECTLY)):
        for fmt in (JSON, XML):
            query = f"ASK {{ ?m a <{FDX}Municipality> }}"
            converted = _client(live_server.sparql, method, request_method, query, fmt, True).query().convert()
            if fmt == JSON:
                value = converted["boolean"]
            else:
                value = converted.getElementsByTagName("boolean")[0].firstChild.data
            assert value in (True, "true")


def test_rdflib_sparqlstore_client(live_server):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(live_server.sparql, returnFormat="xml"))
    rows = list(graph.query(SELECT_MUNICIPALITIES))
    assert len(rows) == 59
    assert all(row.label.language == "ja" for row in rows)


def test_graph_formats_by_accept(live_server):
    formats = {"text/turtle": pyoxigraph.RdfFormat.TURTLE, "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
               "application/n-quads": pyoxigraph.RdfFormat.N_QUADS, "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
               "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML, "application/trig": pyoxigraph.RdfFormat.TRIG}
    for media_type, fmt in formats.items():
        response = requests.get(live_server.sparql, params={"query": CONSTRUCT_MUNICIPALITIES},
                                headers={"Accept": media_type})
        assert response.status_code == 200, media_type
        assert response.headers["Content-Type"] == f"{media_type}; charset=utf-8"
        quads = list(pyoxigraph.parse(response.content, format=fmt))
        assert len(quads) == 118, media_type
    turtle = requests.get(live_server.sparql, params={"query": CONSTRUCT_MUNICIPALITIES},
                          headers={"Accept": "text/turtle"}).text
    assert "@prefix fdx: <https://w3id.org/fukudx/ontology#>" in turtle  # the query's prefixes are reused


def test_accept_header_negotiation(live_server):
    def negotiated(accept: str | None, query: str = "ASK {}", **params) -> requests.Response:
        headers = {"Accept": accept} if accept is not None else {}
        return requests.get(live_server.sparql, params={"query": query, **params}, headers=headers)

    cases = [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("application/json", "application/json"),
        ("text/tab-separated-values; charset=utf-8", "text/tab-separated-values"),
        ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
        ('application/x-foo;p="a,b", text/csv', "text/csv"),
    ]
    for accept, expected in cases:
        response = negotiated(accept)
        assert response.status_code == 200, accept
        assert response.headers["Content-Type"] == f"{expected}; charset=utf-8", accept
        assert "Accept" in response.headers["Vary"]
    # ?format= overrides Accept
    response = negotiated("application/sparql-results+json", format="tsv")
    assert response.headers["Content-Type"].startswith("text/tab-separated-values")
    response = negotiated("text/csv", query="CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", format="application/n-triples")
    assert response.headers["Content-Type"].startswith("application/n-triples")


def test_not_acceptable_and_unknown_format(live_server):
    response = requests.get(live_server.sparql, params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text and "text/csv" in response.text
    response = requests.get(live_server.sparql, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "csv"})
    assert response.status_code == 406 and "CONSTRUCT" in response.text and "text/turtle" in response.text
    response = requests.get(live_server.sparql, params={"query": "ASK {}", "format": "yaml"})
    assert response.status_code == 400 and "unknown format 'yaml'" in response.text
    response = requests.get(live_server.sparql, params={"query": "ASK {}"},
                            headers={"Accept": "text/csv; charset=iso-8859-1"})
    assert response.status_code == 406


def test_select_terms_roundtrip_in_every_format(live_server):
    """IRIs, blank nodes, language/datatyped literals and unbound values in JSON, XML, CSV, TSV."""
    query = """SELECT ?iri ?lang ?typed ?plain ?unbound ?bnode WHERE {
      VALUES (?iri ?lang ?typed ?plain) { (<https://example.org/a?b=c&d> "福島, \\"県\\"\\n"@ja 42 "tab\\there") }
      BIND(BNODE() AS ?bnode)
    }"""
    data = requests.get(live_server.sparql, params={"query": query},
                        headers={"Accept": "application/sparql-results+json"}).json()
    row = data["results"]["bindings"][0]
    assert row["iri"] == {"type": "uri", "value": "https://example.org/a?b=c&d"}
    assert row["lang"] == {"type": "literal", "value": '福島, "県"\n', "xml:lang": "ja"}
    assert row["typed"] == {"type": "literal", "value": "42", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert row["plain"] == {"type": "literal", "value": "tab\there"}
    assert "unbound" not in row and row["bnode"]["type"] == "bnode"
    xml = requests.get(live_server.sparql, params={"query": query, "format": "xml"}).content
    parsed = pyoxigraph.parse_query_results(xml, format=pyoxigraph.QueryResultsFormat.XML)
    (solution,) = list(parsed)
    assert solution["lang"] == pyoxigraph.Literal('福島, "県"\n', language="ja") and solution["unbound"] is None
    tsv = requests.get(live_server.sparql, params={"query": query, "format": "tsv"}).content
    (solution,) = list(pyoxigraph.parse_query_results(tsv, format=pyoxigraph.QueryResultsFormat.TSV))
    assert solution["plain"] == pyoxigraph.Literal("tab\there") and solution["typed"].value == "42"
    csv_text = requests.get(live_server.sparql, params={"query": query, "format": "csv"}).text
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0] == ["iri", "lang", "typed", "plain", "unbound", "bnode"]
    assert rows[1][:5] == ["https://example.org/a?b=c&d", '福島, "県"\n', "42", "tab\there", ""]
    assert rows[1][5].startswith("_:")


def test_service_description_formats(live_server):
    for media_type, fmt in (("text/turtle", "turtle"), ("application/rdf+xml", "xml"),
                            ("application/ld+json", "json-ld")):
        response = requests.get(live_server.sparql, headers={"Accept": media_type})
        assert response.status_code == 200
        assert response.headers["Content-Type"] == f"{media_type}; charset=utf-8"
        graph = rdflib.Graph().parse(data=response.text, format=fmt)
        sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
        service = graph.value(predicate=rdflib.RDF.type, object=sd.Service)
        assert graph.value(service, sd.endpoint) == rdflib.URIRef(live_server.sparql)
        assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
        formats = {str(o) for o in graph.objects(service, sd.resultFormat)}
        assert {"http://www.w3.org/ns/formats/SPARQL_Results_JSON", "http://www.w3.org/ns/formats/Turtle",
                "http://www.w3.org/ns/formats/SPARQL_Results_TSV", "http://www.w3.org/ns/formats/JSON-LD"} <= formats
        names = {str(o) for o in graph.objects(None, sd.name)}
        assert names == expected_graph_names()
        # no federation allowed by default, so no BasicFederatedQuery feature
        assert (service, sd.feature, sd.BasicFederatedQuery) not in graph
        assert (service, sd.feature, sd.UnionDefaultGraph) in graph


def test_html_query_page_for_browsers(live_server):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = requests.get(live_server.sparql, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<form" in response.text and 'name="query"' in response.text
    # the form's example query works as submitted by the page
    from html import unescape

    from fukudx_kg.examples import first_query

    example = first_query()  # the form is pre-filled with the first of queries/*.rq
    assert example.strip() and unescape(response.text).count(example.strip()) == 1
    result = requests.get(live_server.sparql, params={"query": example, "format": ""}, headers={"Accept": accept})
    assert result.status_code == 200
    assert result.headers["Content-Type"] == "text/html; charset=utf-8"
    # a machine client asking for anything still gets SPARQL JSON first, with the same rows
    plain = requests.get(live_server.sparql, params={"query": example}, headers={"Accept": "*/*"})
    rows = len(json.loads(plain.text)["results"]["bindings"])
    assert rows > 0 and result.text.count("<tr><td>") == rows


def test_native_and_own_writers_agree(live_server):
    """A SELECT whose LIMIT is within the row cap is written by pyoxigraph; others by our writer
    (which can cut at the cap). Both must give the same answers in every format."""
    inner = ("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && (lang(?o) != \"\" || datatype(?o) != "
             "<http://www.w3.org/2001/XMLSchema#string>)) } ORDER BY ?s ?p ?o LIMIT 300")
    native_query = inner                           # outermost LIMIT 300 ≤ cap
    own_query = f"SELECT ?s ?p ?o WHERE {{ {{ {inner} }} }} ORDER BY ?s ?p ?o"  # no outermost LIMIT
    for fmt, parser in (("json", pyoxigraph.QueryResultsFormat.JSON), ("xml", pyoxigraph.QueryResultsFormat.XML),
                        ("tsv", pyoxigraph.QueryResultsFormat.TSV)):
        answers = []
        for query in (native_query, own_query):
            response = requests.get(live_server.sparql, params={"query": query, "format": fmt})
            assert response.status_code == 200 and response.headers["X-Result-Truncated"] == "false"
            solutions = pyoxigraph.parse_query_results(response.content, format=parser)
            answers.append([tuple(solution) for solution in solutions])
        assert len(answers[0]) == 300 and answers[0] == answers[1], fmt
    for query in (native_query, own_query):
        body = requests.get(live_server.sparql, params={"query": query, "format": "json"}).json()
        assert body["truncated"] is False
    csv_native, csv_own = (requests.get(live_server.sparql, params={"query": q, "format": "csv"}).text
                           for q in (native_query, own_query))
    assert list(csv.reader(io.StringIO(csv_native))) == list(csv.reader(io.StringIO(csv_own)))
