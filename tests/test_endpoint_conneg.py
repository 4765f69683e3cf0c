"""The Accept parser and format selection (fukudx_kg.web.conneg), the query lexer and the SERVICE
allow-list matching, as plain functions."""

from __future__ import annotations

import pytest

from fukudx_kg.sparql.inspection import inspect_query
from fukudx_kg.sparql.service_policy import ServicePolicy, ServiceRefused, ServiceUnverifiable
from fukudx_kg.web.conneg import UnknownFormat, negotiate, parse_accept, parse_media_type, resolve_format

RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values", "application/json"]
GRAPHS = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]


@pytest.mark.parametrize("accept,expected", [
    (None, "application/sparql-results+json"),
    ("", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("*", "application/sparql-results+json"),
    ("text/csv", "text/csv"),
    ("TEXT/CSV", "text/csv"),
    ("text/*", "text/csv"),
    ("text/*;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.2, application/sparql-results+xml;q=0.8", "application/sparql-results+xml"),
    ("text/csv;q=0.8, */*;q=0.9", "application/sparql-results+json"),
    ("*/*;q=0.5, text/csv;q=0", "application/sparql-results+json"),
    ("text/csv;q=0, text/*", "text/tab-separated-values"),
    ("application/sparql-results+json,application/json,text/javascript,application/javascript",
     "application/sparql-results+json"),
    ("text/csv, text/tab-separated-values", "text/csv"),  # equal q: client order
    ("text/tab-separated-values, text/csv", "text/tab-separated-values"),
    ("text/csv;charset=utf-8", "text/csv"),
    ('text/csv;charset="UTF-8";q=0.9', "text/csv"),
    ("text/csv;charset=iso-8859-1", None),
    ("text/csv;q=1.5, text/tab-separated-values", "text/tab-separated-values"),  # invalid q: entry skipped
    ("text/csv;q=abc", "application/sparql-results+json"),  # the only entry is invalid: like no header
    ("garbage, ,;;", "application/sparql-results+json"),
    ('application/x;p="a,b;c", text/csv', "text/csv"),  # commas and semicolons inside quotes
    ("text/csv;q=0.5;ext=1", "text/csv"),  # accept-extension after q
    ("image/png", None),
    ("application/json;q=0.9, application/sparql-results+json;q=0", "application/json"),
])
def test_negotiate_results(accept, expected):
    assert negotiate(accept, RESULTS) == expected


def test_negotiate_graphs_and_parameters():
    assert negotiate("application/turtle,text/turtle", GRAPHS) == "text/turtle"
    expanded = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"'
    assert negotiate(expanded, GRAPHS) == "application/ld+json"
    assert negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", GRAPHS) == "text/turtle"
    assert negotiate("text/html,*/*;q=0.8", GRAPHS + ["text/html"]) == "text/html"
    # an offered type with a parameter is matched only by ranges with the same value
    assert negotiate("application/ld+json;profile=a", ["application/ld+json;profile=b"]) is None
    profile_b = "application/ld+json;profile=b"
    assert negotiate(profile_b, [profile_b]) == profile_b


def test_format_parameter_overrides_accept():
    assert negotiate("text/csv", RESULTS, "json") == "application/sparql-results+json"
    assert negotiate(None, RESULTS, "xml") == "application/sparql-results+xml"
    assert negotiate(None, GRAPHS, "xml") == "application/rdf+xml"
    assert negotiate(None, GRAPHS, "json") == "application/ld+json"
    assert negotiate(None, GRAPHS, "csv") is None  # known, but not offered for graphs → 406
    assert negotiate(None, RESULTS, "text/tab-separated-values") == "text/tab-separated-values"
    assert negotiate(None, GRAPHS, "application/ld json") == "application/ld+json"  # '+' decoded as space
    assert negotiate(None, GRAPHS, "application/ld+json,application/x-json+ld") == "application/ld+json"
    assert negotiate("text/csv", RESULTS, "  ") == "text/csv"  # blank format: Accept decides
    with pytest.raises(UnknownFormat, match="unknown format 'yaml'.*ttl"):
        negotiate(None, RESULTS, "yaml")
    assert resolve_format("TTL", GRAPHS) == "text/turtle"


def test_parse_helpers():
    ranges = parse_accept("text/*;q=0.3, text/csv;level=1;q=0.7, */*")
    assert [(r.essence, r.q, r.params) for r in ranges] == [
        ("text/*", 0.3, ()), ("text/csv", 0.7, (("level", "1"),)), ("*/*", 1.0, ())]
    assert parse_media_type("application/sparql-query; charset=UTF-8").param("charset") == "utf-8"
    assert parse_media_type("text/*") is None and parse_media_type("nonsense") is None


@pytest.mark.parametrize("query,form,update,services,dataset", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT", None, 0, False),
    ("PREFIX a: <urn:a#> BASE <http://x/> PREFIX : <urn:b> ask {}", "ASK", None, 0, False),
    ("# comment SELECT\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", None, 0, False),
    ("DESCRIBE <urn:x>", "DESCRIBE", None, 0, False),
    ("INSERT DATA { <a> <b> <c> }", None, "INSERT", 0, False),
    ("PREFIX a: <urn:a> DELETE WHERE { ?s ?p ?o }", None, "DELETE", 0, False),
    ("SELECT * {} ; DROP ALL", "SELECT", "DROP", 0, False),
    ("LOAD <http://example.org/>", None, "LOAD", 0, False),
    ("SELECT * { SERVICE <x> {} SERVICE ?v {} }", "SELECT", None, 2, False),
    ('SELECT * { ?s ?p "SERVICE" . ?s ex:service ?o . ?service ?p <http://service/> } # SERVICE',
     "SELECT", None, 0, False),
    ("SELECT * FROM <urn:g> { ?s ?p ?o }", "SELECT", None, 0, True),
    ("SELECT * { ?s ex:from ?o }", "SELECT", None, 0, False),
    ('SELECT * { ?s ?p """multi\nline SERVICE""" }', "SELECT", None, 0, False),
])
def test_inspect_query(query, form, update, services, dataset):
    info = inspect_query(query)
    assert (info.form, info.update, info.service_count, info.dataset_clause) == (form, update, services, dataset)


def test_inspect_query_prefixes():
    info = inspect_query("PREFIX fdx: <https://w3id.org/fukudx/ontology#>\nPREFIX : <urn:x#> SELECT * {}")
    assert info.prefixes == {"fdx": "https://w3id.org/fukudx/ontology#", "": "urn:x#"}


def test_service_policy_matching():
    policy = ServicePolicy(("https://query.wikidata.org/sparql", "http://data.example.org/sparql/"))
    assert policy.allows("https://query.wikidata.org/sparql")
    assert policy.allows("HTTPS://Query.Wikidata.org:443/sparql")
    assert policy.allows("http://data.example.org/sparql/ds1")
    for bad in ("https://query.wikidata.org/sparql/x", "https://query.wikidata.org/sparqlx",
                "http://query.wikidata.org/sparql", "https://query.wikidata.org.evil.com/sparql",
                "https://query.wikidata.org@evil.com/sparql", "https://evil.com/?https://query.wikidata.org/sparql",
                "http://data.example.org/sparql", "http://data.example.org:8080/sparql/ds1", "ftp://x/"):
        assert not policy.allows(bad), bad
    with pytest.raises(ServiceRefused, match="local or private network address"):
        policy.check_iri("http://10.0.0.8/sparql")
    with pytest.raises(ServiceRefused, match="not on the federation allow-list"):
        policy.check_iri("https://example.com/sparql")


def test_service_policy_parses_queries():
    policy = ServicePolicy((), base_iri="https://w3id.org/fukudx/id/")
    assert policy.check_query("SELECT * {}") == []
    with pytest.raises(ServiceRefused, match="FUKUDX_SERVICE_ALLOWLIST is empty"):
        policy.check_query("SELECT * { SERVICE <https://example.com/sparql> { ?s ?p ?o } }")
    with pytest.raises(ServiceRefused, match="absolute IRI"):
        policy.check_query("SELECT * { SERVICE <sparql> { ?s ?p ?o } }")
    with pytest.raises(ServiceRefused, match=r"SERVICE \?e \(line 2, column 3\) refused"):
        policy.check_query("SELECT * {\n  SERVICE ?e { ?s ?p ?o } }")
    with pytest.raises(ServiceUnverifiable, match="not followed by an endpoint IRI"):
        policy.check_query("SELECT * { SERVICE undeclared:x { ?s ?p ?o } }")
    with pytest.raises(ServiceRefused, match="local or private"):  # prefixes and \u escapes resolved
        policy.check_query("PREFIX v: <http\\u003A//127.0.0.1:9/> SELECT * { SERVICE SILENT v:sparql {} }")
    allowed = ServicePolicy(("https://query.wikidata.org/sparql",))
    assert allowed.check_query("SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }") == [
        "https://query.wikidata.org/sparql"]
    # large queries (beyond rdflib's default recursion limit) are still read by both parsers
    big = "SELECT * { " + "?s ?p ?o . " * 500 + "SERVICE <https://query.wikidata.org/sparql> { ?a ?b ?c } }"
    assert allowed.check_query(big) == ["https://query.wikidata.org/sparql"]
    with pytest.raises(ServiceRefused):
        allowed.check_query(big.replace("https://query.wikidata.org/sparql", "http://169.254.169.254/"))


def test_service_policy_rejects_dot_segments_under_a_prefix_entry():
    policy = ServicePolicy(("http://data.example.org/sparql/",))
    assert policy.allows("http://data.example.org/sparql/ds1")
    assert not policy.allows("http://data.example.org/sparql/../admin")
    assert not policy.allows("http://data.example.org/sparql/%2e%2e/admin")
