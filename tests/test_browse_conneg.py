"""Dereferencing on a live server: one IRI, HTML for browsers and RDF for machines (Cool URIs)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import requests

BASE = "https://w3id.org/fukudx/id/"
INITIATIVE = "pref/07/initiative/r4/5.5.5-1"
RDF_FORMATS = {  # media type → (suffix, pyoxigraph format)
    "text/turtle": ("ttl", ox.RdfFormat.TURTLE),
    "application/ld+json": ("jsonld", ox.RdfFormat.JSON_LD),
    "application/n-triples": ("nt", ox.RdfFormat.N_TRIPLES),
    "application/rdf+xml": ("rdf", ox.RdfFormat.RDF_XML),
}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def get(server, path, accept=None, **kw):
    headers = {"Accept": accept} if accept else {}
    return requests.get(server.url(path), headers=headers, timeout=30, **kw)


def triples_of(response, fmt) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(response.content, format=fmt)]


def test_browser_gets_html_with_vary_and_alternates(live_server):
    r = get(live_server, "/id/" + INITIATIVE, BROWSER_ACCEPT)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert "Accept" in r.headers["Vary"]
    links = requests.utils.parse_header_links(r.headers["Link"])
    types = {link["type"]: link["url"] for link in links if link.get("rel") == "alternate"}
    assert set(types) == {"text/html", *RDF_FORMATS, "application/n-quads", "application/trig"}
    assert types["text/turtle"].endswith(INITIATIVE + ".ttl")


@pytest.mark.parametrize("media", list(RDF_FORMATS))
def test_each_rdf_format_by_accept_parses_and_describes_the_resource(live_server, media):
    r = get(live_server, "/id/" + INITIATIVE, media)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == media
    assert "Accept" in r.headers["Vary"]
    suffix, fmt = RDF_FORMATS[media]
    assert r.headers["Content-Location"].endswith(f"{INITIATIVE}.{suffix}")
    triples = triples_of(r, fmt)
    subject = ox.NamedNode(BASE + INITIATIVE)
    own = {(t.predicate.value, t.object) for t in triples if t.subject == subject}
    fdx = "https://w3id.org/fukudx/ontology#"
    assert (("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(fdx + "Initiative")) in own
    assert any(p == fdx + "hasKPI" for p, _ in own)
    # Bounded description: labels of linked resources and the source excerpt come along.
    kpis = [o for p, o in own if p == fdx + "hasKPI"]
    labelled = {t.subject for t in triples if t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label"}
    assert all(k in labelled for k in kpis)
    assert any(t.predicate.value == fdx + "sourceText" for t in triples)


@pytest.mark.parametrize("media", list(RDF_FORMATS))
def test_suffix_and_format_parameter_select_the_same_format(live_server, media):
    suffix, fmt = RDF_FORMATS[media]
    by_suffix = get(live_server, f"/id/{INITIATIVE}.{suffix}", BROWSER_ACCEPT)
    by_param = get(live_server, f"/id/{INITIATIVE}?format={suffix}", BROWSER_ACCEPT)
    for r in (by_suffix, by_param):
        assert r.status_code == 200
        assert r.headers["Content-Type"].split(";")[0] == media
    assert set(map(str, triples_of(by_suffix, fmt))) == set(map(str, triples_of(by_param, fmt)))


@pytest.mark.parametrize("accept, expected", [
    ("application/rdf+xml;q=0.5, text/turtle;q=0.9", "text/turtle"),
    ("text/turtle;q=0.2, application/ld+json", "application/ld+json"),
    ("application/n-triples, text/html;q=0.1", "application/n-triples"),
    ("text/*;q=0.9, application/rdf+xml", "application/rdf+xml"),
    ("application/json;q=0.1, application/ld+json;q=0.8, */*;q=0.01", "application/ld+json"),
    ("text/html;q=0, */*", "text/turtle"),
    ("*/*", "text/html"),
    (None, "text/html"),
    ("application/x-unknown, text/turtle; charset=utf-8", "text/turtle"),
])
def test_combined_accept_headers_and_q_values(live_server, accept, expected):
    r = get(live_server, "/id/" + INITIATIVE, accept)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == expected


def test_nothing_acceptable_is_406_and_bad_format_is_400(live_server):
    r = get(live_server, "/id/" + INITIATIVE, "image/png")
    assert r.status_code == 406
    assert "text/turtle" in r.text
    r = get(live_server, f"/id/{INITIATIVE}?format=bogus")
    assert r.status_code == 400
    assert "bogus" in r.text


@pytest.mark.parametrize("path", ["/id/pref/07/initiative/r4/no-such-row", "/id/nope.ttl",
                                  "/id/pref/..%2F..%2F..%2Fetc%2Fpasswd", "/id/a%3Eb%20c", "/id/%00",
                                  "/ontology/NoSuchTerm", "/resource?iri=http://example.org/x",
                                  "/resource?iri=%3Cscript%3E"])
def test_unknown_resources_are_404_for_html_and_rdf(live_server, path):
    html = get(live_server, path, BROWSER_ACCEPT)
    assert html.status_code == 404, html.text[:300]
    assert html.headers["Content-Type"].startswith("text/html")
    assert "404" in html.text
    rdf = get(live_server, path, "text/turtle")
    assert rdf.status_code == 404
    assert not rdf.headers["Content-Type"].startswith("text/html")


def test_ontology_documentation_and_owl_by_accept(live_server):
    html = get(live_server, "/ontology", BROWSER_ACCEPT)
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    assert 'id="Initiative"' in html.text and 'id="hasKPI"' in html.text
    for media, (suffix, fmt) in RDF_FORMATS.items():
        r = get(live_server, "/ontology", media)
        assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media
        assert "Accept" in r.headers["Vary"]
        triples = triples_of(r, fmt)
        owl_classes = {t.subject.value for t in triples
                       if t.predicate.value.endswith("#type") and t.object.value.endswith("owl#Class")}
        assert "https://w3id.org/fukudx/ontology#Initiative" in owl_classes
        assert get(live_server, f"/ontology.{suffix}").headers["Content-Type"].split(";")[0] == media
    term = get(live_server, "/ontology/KPI", "text/turtle")
    assert term.status_code == 200
    assert any(t.subject.value == "https://w3id.org/fukudx/ontology#KPI" for t in triples_of(term, ox.RdfFormat.TURTLE))


def test_every_class_instance_dereferences_in_turtle(live_server):
    """One instance of every class in the data: HTML 200 and Turtle that parses."""
    r = requests.post(live_server.sparql, data={"query": """
        SELECT ?c (SAMPLE(?s) AS ?x) WHERE { ?s a ?c FILTER(STRSTARTS(STR(?s), "https://w3id.org/fukudx/")) }
        GROUP BY ?c"""}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    rows = r.json()["results"]["bindings"]
    assert len(rows) > 20
    for row in rows:
        iri = row["x"]["value"]
        if iri.startswith(BASE):
            path = "/id/" + iri[len(BASE):]
        elif "#" in iri:
            path = "/ontology/" + iri.rsplit("#", 1)[-1]
        else:
            path = "/ontology"
        page = get(live_server, path, BROWSER_ACCEPT)
        assert page.status_code == 200, (iri, page.status_code)
        ttl = get(live_server, path, "text/turtle")
        assert ttl.status_code == 200, iri
        assert any(t.subject.value == iri for t in triples_of(ttl, ox.RdfFormat.TURTLE)), iri


def test_search_json_twin(live_server):
    r = get(live_server, "/search?q=ICT", "application/json")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    data = json.loads(r.text)
    assert data["total"] > 0 and all(x["url"] for x in data["results"])


def test_security_headers_on_pages(live_server):
    r = get(live_server, "/", BROWSER_ACCEPT)
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in r.text  # no inline script anywhere: JS lives in static files


def test_pages_are_cacheable_with_etag_and_304(live_server):
    first = get(live_server, "/id/" + INITIATIVE, BROWSER_ACCEPT)
    tag = first.headers["ETag"]
    again = requests.get(live_server.url("/id/" + INITIATIVE), timeout=30,
                         headers={"Accept": BROWSER_ACCEPT, "If-None-Match": tag})
    assert again.status_code == 304
    ttl = get(live_server, "/id/" + INITIATIVE, "text/turtle")
    assert ttl.headers["ETag"] != tag  # each representation has its own validator


def test_jsonld_is_compacted_with_a_context(live_server):
    data = json.loads(get(live_server, "/id/" + INITIATIVE, "application/ld+json").text)
    assert data["@context"]["fdx"] == "https://w3id.org/fukudx/ontology#"
    nodes = data.get("@graph", [data])
    me = next(n for n in nodes if n["@id"] == BASE + INITIATIVE)
    assert "fdx:hasKPI" in me and "fdx:Initiative" in me["@type"]
