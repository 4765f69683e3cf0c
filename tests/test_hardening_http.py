"""Issue 7, parts 5 and 6, on live servers with real clients (requests, rdflib, raw sockets):

- security headers on every response, not only the browse pages; OPTIONS without Content-Type;
- odd input (huge or malformed page numbers, undecodable paths and query strings, NUL bytes,
  absurd Accept headers, a malformed chunked body) gets a 4xx with a plain message, never 500;
- the service description, VoID and graph descriptions use FUKUDX_PUBLIC_URL, not the Host header;
- every RDF type /sparql serves on every dereferenceable path (rdflib's own Accept headers);
- named-graph IRIs and trailing-slash forms dereference; a graph describes itself;
- gzip for large answers, with Vary and its own ETag.
"""

from __future__ import annotations

import gzip
import socket
from pathlib import Path
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
import requests

from conftest import raw_http

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/fukudx/id/"
FDX = "https://w3id.org/fukudx/ontology#"
GRAPH = "https://w3id.org/fukudx/graph/"
DCT, VOID, DCAT = "http://purl.org/dc/terms/", "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
INITIATIVE = "pref/07/initiative/r4/5.5.5-1"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
SELECT = quote("SELECT ?s WHERE { ?s a <https://w3id.org/fukudx/ontology#Municipality> } LIMIT 3")
CONSTRUCT_5000 = quote("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5000")


def get(server, path, accept=None, **kw):
    headers = dict(kw.pop("headers", {}))
    if accept:
        headers["Accept"] = accept
    return requests.get(server.url(path), headers=headers, timeout=60, **kw)


# ============================================================================ part 5: headers

@pytest.mark.parametrize("path, accept, status", [
    ("/", BROWSER, 200),
    ("/sparql", BROWSER, 200),                                   # the endpoint's query page
    (f"/sparql?query={SELECT}&format=html", None, 200),          # results as an HTML table
    ("/id/no/such/thing", BROWSER, 404),                         # the browser's 404 page
    ("/yasgui", BROWSER, 200),
    ("/graph/pref/07", BROWSER, 200),
])
def test_html_responses_carry_csp_frame_ancestors_and_referrer_policy(live_server, path, accept, status):
    r = get(live_server, path, accept)
    assert r.status_code == status
    assert r.headers["Content-Type"].startswith("text/html")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("method, path, accept", [
    ("GET", "/sparql", "text/turtle"),                            # service description
    ("GET", f"/sparql?query={SELECT}", None),                     # SPARQL JSON
    ("GET", "/nowhere", BROWSER),                                 # 404 (plain text)
    ("POST", "/id/pref/07", BROWSER),                             # 405 (plain text)
    ("DELETE", "/sparql", None),                                  # 405
    ("GET", "/healthz", None),
    ("GET", "/id/pref/07", "text/turtle"),
    ("GET", "/charts/kpi-by-unit.svg", None),
    ("GET", "/assets/style.css", None),
    ("HEAD", "/download/dataset.nq", None),
    ("OPTIONS", "/sparql", None),
])
def test_every_response_is_nosniff_unframable_and_without_referrer_leaks(live_server, method, path, accept):
    headers = {"Accept": accept} if accept else {}
    r = requests.request(method, live_server.url(path), headers=headers, timeout=60)
    assert r.status_code < 500
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path, headers", [
    ("/sparql", {}),
    ("/id/pref/07", {}),
    ("/sparql", {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}),  # CORS preflight
    ("/nowhere", {"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}),
])
def test_options_answers_have_no_content_type(live_server, path, headers):
    status, response_headers, body = raw_http(live_server, "OPTIONS", path, headers=headers)
    assert status in (200, 204)
    assert body == b""
    assert "content-type" not in response_headers, response_headers.get("content-type")


# ============================================================================ part 5: odd input

IN_PREFECTURE = quote(FDX + "inPrefecture", safe="")


@pytest.mark.parametrize("target, status, hint", [
    ("/ontology/Initiative?page=9223372036854775807", 400, "page"),
    ("/ontology/Initiative?page=-1", 400, "page"),
    ("/ontology/Initiative?page=0", 400, "page"),
    ("/ontology/Initiative?page=abc", 400, "page"),
    ("/ontology/Initiative?page=1e3", 400, "page"),
    ("/ontology/Initiative?page=%EF%BC%92", 400, "page"),              # full-width ２
    ("/ontology/Initiative?page=99", 404, "page"),                     # past the last page
    ("/id/pref/07?page=99999999999999999999999", 400, "page"),
    (f"/id/pref/07?in={IN_PREFECTURE}&page=99999999999999999999", 400, "page"),
    (f"/id/pref/07?in={IN_PREFECTURE}&page=999", 404, "page"),
    ("/search?q=ICT&page=99999999999999999999", 400, "page"),
    ("/search?q=ICT&page=-3", 400, "page"),
    ("/search?q=ICT&page=999", 404, "page"),
    ("/id/%ff", 400, "UTF-8"),
    ("/ontology/%ff", 400, "UTF-8"),
    ("/graph/%C0%AF", 400, "UTF-8"),
    ("/id/%EF%BF%BD", 400, "UTF-8"),                                   # U+FFFD: what undecodable bytes become
    ("/search?q=%ff", 400, "UTF-8"),
    ("/id/pref/07?lang=%ff%fe", 400, "UTF-8"),
    ("/resource?iri=http%3A%2F%2Fexample.org%2F%ff", 400, "UTF-8"),
])
def test_odd_input_is_a_4xx_with_a_plain_message(live_server, target, status, hint):
    got, headers, body = raw_http(live_server, "GET", target, headers={"Accept": BROWSER})
    assert got == status, body[:300]
    assert headers["content-type"].startswith("text/plain")
    assert hint.encode() in body


@pytest.mark.parametrize("target", [
    "/id/pref/07%00", "/id/%00%00", "/resource?iri=%00", "/search?q=%00", "/id/pref/07?in=%00",
    "/id/pref/07?in=http%3A%2F%2Fx%2F%25zz", "/resource?iri=http%3A%2F%2Fx%2F%EF%BF%BF", "/id/pref/07?format=%00",
    "/charts/roadmap.svg?iri=http%3A%2F%2Fx%2F%EF%BF%BF", "/download/%00.ttl", "/graph/pref/07%00",
    "/query?example=%00", "/ontology/Initiative?lang=%00&page=1",
])
def test_nul_bytes_and_non_iris_never_fail(live_server, target):
    status, _, body = raw_http(live_server, "GET", target, headers={"Accept": BROWSER})
    assert status < 500, body[:300]


@pytest.mark.parametrize("accept", [
    "text/html;q=2", "*/*;q=abc", ";;;,,,;", "text/turtle;q=0.5;q=0.9", "*/html", 'text/html; charset="open',
    "application/ld+json;profile=\"http://www.w3.org/ns/json-ld#compacted\"", "text/*;q=0.000001",
    ", ".join(f"application/x-{i};q=0.{i % 10}" for i in range(300)), "a/b/c, */*;q=0", "*/*;q=0",
])
@pytest.mark.parametrize("path", ["/id/pref/07", "/graph/pref/07", "/ontology", f"/sparql?query={SELECT}"])
def test_absurd_accept_headers_never_fail(live_server, accept, path):
    status, _, body = raw_http(live_server, "GET", path, headers={"Accept": accept})
    assert status in (200, 406), (status, body[:300])


def _raw_exchange(server, data: bytes, timeout: float = 20) -> bytes:
    parts = urlsplit(server.base)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except socket.timeout:
            pass
    return received


@pytest.mark.parametrize("body", [b"zz\r\nASK{}\r\n0\r\n\r\n", b"-5\r\nASK{}\r\n0\r\n\r\n"])
def test_malformed_chunked_body_is_a_4xx(live_server, body):
    head = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    answer = _raw_exchange(live_server, head + body)
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500, answer[:400]
    assert b"text/plain" in answer.split(b"\r\n\r\n", 1)[0].lower()


@pytest.fixture(scope="module")
def dev_server(server_factory):
    """Flask's own server (`server.py --dev`), which hands body-reading errors to the app."""
    return server_factory(args=("--dev",), env={"FUKUDX_QUERY_WORKERS": "1"})


def test_malformed_chunked_body_is_a_4xx_with_a_message_under_the_dev_server(dev_server):
    head = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    answer = _raw_exchange(dev_server, head + b"zz\r\nASK{}\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400"), answer[:400]
    assert b"chunked" in answer


# ============================================================================ part 5: public URL

def test_public_url_setting_and_its_default():
    from fukudx_kg.settings import Settings, SettingsError, settings_table
    from fukudx_kg.sparql.description import public_base

    assert public_base(Settings()) == "http://127.0.0.1:8000"
    assert public_base(Settings.from_env({"FUKUDX_HOST": "::1", "FUKUDX_PORT": "9000"})) == "http://[::1]:9000"
    settings = Settings.from_env({"FUKUDX_PUBLIC_URL": "https://fukudx.example.org/"})
    assert public_base(settings) == "https://fukudx.example.org"
    for bad in ("fukudx.example.org", "ftp://fukudx.example.org", "https://user:pw@fukudx.example.org"):
        with pytest.raises(SettingsError, match="FUKUDX_PUBLIC_URL"):
            Settings.from_env({"FUKUDX_PUBLIC_URL": bad})
    row = next(line for line in settings_table().splitlines() if "`FUKUDX_PUBLIC_URL`" in line)
    assert row in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def public_server(server_factory):
    return server_factory(env={"FUKUDX_PUBLIC_URL": "https://fukudx.example.org", "FUKUDX_WORKERS": "1",
                               "FUKUDX_QUERY_WORKERS": "1"})


@pytest.mark.parametrize("path", ["/sparql", "/.well-known/void", "/graph/pref/07"])
def test_host_header_never_reaches_cached_descriptions(public_server, path):
    status, headers, body = raw_http(public_server, "GET", path, headers={"Host": "evil.example",
                                                                         "Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    assert b"evil.example" not in body
    assert b"<https://fukudx.example.org/sparql>" in body


def test_void_download_links_use_the_public_url(public_server):
    status, _, body = raw_http(public_server, "GET", "/.well-known/void", headers={"Host": "evil.example",
                                                                                   "Accept": "application/n-triples"})
    dumps = [t.object.value for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
             if t.predicate.value == VOID + "dataDump"]
    assert "https://fukudx.example.org/download/dataset.nq" in dumps


def test_without_public_url_the_configured_host_and_port_are_used(live_server):
    status, _, body = raw_http(live_server, "GET", "/sparql", headers={"Host": "evil.example", "Accept": "text/turtle"})
    assert status == 200 and b"evil.example" not in body
    assert f"<{live_server.base}/sparql>".encode() in body


# ============================================================================ part 6: content negotiation

SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"
DEREFERENCEABLE = [  # (path, an IRI the answer must mention)
    ("/id/" + INITIATIVE, BASE + INITIATIVE),
    ("/ontology", "https://w3id.org/fukudx/ontology"),
    ("/ontology/KPI", FDX + "KPI"),
    ("/graph/pref/07", GRAPH + "pref/07"),
    ("/graph/ontology", GRAPH + "ontology"),
    ("/resource?iri=" + quote(SKOS_CONCEPT, safe=""), SKOS_CONCEPT),
    ("/.well-known/void", None),
]
MEDIA = {  # every RDF type /sparql serves for graphs, plus the old names rdflib and others send
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "text/n3": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def _mentions(terms, iri: str | None) -> bool:
    return iri is None or any(getattr(term, "value", str(term)) == iri for term in terms)


def test_every_rdf_type_of_the_endpoint_is_offered():
    from fukudx_kg.browser.core import OFFERED
    from fukudx_kg.sparql.results import GRAPH_TYPES

    assert set(GRAPH_TYPES) <= set(OFFERED)
    assert set(MEDIA) <= set(OFFERED)


@pytest.mark.parametrize("media", list(MEDIA))
@pytest.mark.parametrize("path, iri", DEREFERENCEABLE)
def test_each_rdf_media_type_by_accept(live_server, path, iri, media):
    r = get(live_server, path, media)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"].split(";")[0] == media
    assert "Accept" in r.headers["Vary"]
    quads = list(ox.parse(r.content, format=MEDIA[media]))
    assert quads and _mentions([t for q in quads for t in (q.subject, q.object)], iri)


RDFLIB_FORMATS = ["xml", "turtle", "n3", "nt", "json-ld", "trig"]


@pytest.mark.parametrize("fmt", RDFLIB_FORMATS)
@pytest.mark.parametrize("path, iri", DEREFERENCEABLE)
def test_rdflib_graph_parse_of_every_dereferenceable_url(live_server, path, iri, fmt):
    """rdflib's own Accept header for each format (e.g. format="nt" sends text/plain)."""
    dataset = rdflib.Dataset()
    dataset.parse(live_server.url(path), format=fmt)
    terms = [str(t) for quad in dataset.quads((None, None, None, None)) for t in (quad[0], quad[2])]
    assert terms and (iri is None or iri in terms)


@pytest.mark.parametrize("path, iri", [(p, i) for p, i in DEREFERENCEABLE if "?" not in p and "well-known" not in p])
def test_rdflib_nquads_by_suffix(live_server, path, iri):
    """rdflib's Accept for format="nquads" lists every RDF type with equal weight, RDF/XML first,
    so N-Quads is asked for by URL: the `.nq` suffix."""
    dataset = rdflib.Dataset()
    dataset.parse(live_server.url(path + ".nq"), format="nquads")
    assert iri in [str(t) for quad in dataset.quads((None, None, None, None)) for t in (quad[0], quad[2])]


@pytest.mark.parametrize("path, iri", DEREFERENCEABLE)
def test_406_only_when_nothing_fits(live_server, path, iri):
    r = get(live_server, path, "image/png, application/x-unknown")
    assert r.status_code == 406
    assert "text/plain" in r.text and "application/trig" in r.text
    assert get(live_server, path, "image/png, text/plain;q=0.1").status_code == 200


def test_alternates_list_every_format(live_server):
    r = get(live_server, "/id/" + INITIATIVE, BROWSER)
    types = {link["type"] for link in requests.utils.parse_header_links(r.headers["Link"])}
    assert {"application/n-quads", "application/trig", "text/turtle", "application/ld+json"} <= types
    for suffix, media in (("nq", "application/n-quads"), ("trig", "application/trig")):
        by_suffix = get(live_server, f"/id/{INITIATIVE}.{suffix}", BROWSER)
        assert by_suffix.status_code == 200 and by_suffix.headers["Content-Type"].startswith(media)
        assert get(live_server, f"/ontology.{suffix}").headers["Content-Type"].startswith(media)


# ============================================================================ part 6: graphs, slashes

def _count_in_graph(server, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    r = requests.get(server.sparql, params={"query": query},
                     headers={"Accept": "application/sparql-results+json"}, timeout=60)
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("name", ["pref/07", "ontology"])
def test_named_graph_iri_describes_itself(live_server, name):
    iri = GRAPH + name
    html = get(live_server, "/graph/" + name, BROWSER)
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    assert iri in html.text and "/download/" in html.text
    ttl = get(live_server, "/graph/" + name, "text/turtle")
    assert ttl.status_code == 200
    triples = [q.triple for q in ox.parse(ttl.content, format=ox.RdfFormat.TURTLE)]
    me = ox.NamedNode(iri)
    own: dict[str, list] = {}
    for t in triples:
        if t.subject == me:
            own.setdefault(t.predicate.value, []).append(t.object)
    assert {o.value for o in own[RDF_TYPE]} >= {VOID + "Dataset", DCAT + "Dataset"}
    assert {o.language for o in own[DCT + "title"]} == {"ja", "en"}
    assert own[DCT + "source"] and own[DCT + "license"]
    count = int(own[VOID + "triples"][0].value)
    assert count == _count_in_graph(live_server, iri) > 0
    dump = own[VOID + "dataDump"][0].value
    assert dump.startswith(live_server.base + "/download/")
    download = requests.get(dump, timeout=60)
    assert download.status_code == 200
    assert len(list(ox.parse(download.content, format=ox.RdfFormat.TURTLE))) == count


def test_resource_pages_link_their_graph_to_its_page(live_server):
    page = get(live_server, "/id/pref/07", BROWSER)
    assert 'href="/graph/pref/07"' in page.text


@pytest.mark.parametrize("path, target", [
    ("/id/pref/07/", "/id/pref/07"),
    (f"/id/{INITIATIVE}/", f"/id/{INITIATIVE}"),
    ("/id/pref/07/?lang=en", "/id/pref/07?lang=en"),
    ("/graph/pref/07/", "/graph/pref/07"),
    ("/ontology/KPI/", "/ontology/KPI"),
    ("/ontology/", "/ontology"),
])
def test_trailing_slash_forms_redirect_to_the_resource(live_server, path, target):
    r = get(live_server, path, "text/turtle", allow_redirects=False)
    assert r.status_code == 301
    assert r.headers["Location"].endswith(target)
    followed = get(live_server, path, "text/turtle")
    assert followed.status_code == 200 and followed.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph()
    graph.parse(live_server.url(path), format="nt")
    assert len(graph) > 0


# ============================================================================ part 6: compression

def test_dump_is_gzipped_with_vary_and_its_own_etag(live_server):
    status, zipped_headers, zipped = raw_http(live_server, "GET", "/download/dataset.nq",
                                              headers={"Accept-Encoding": "gzip"})
    assert status == 200 and zipped_headers["content-encoding"] == "gzip"
    assert "accept-encoding" in zipped_headers["vary"].lower()
    status, plain_headers, plain = raw_http(live_server, "GET", "/download/dataset.nq",
                                            headers={"Accept-Encoding": "identity"})
    assert status == 200 and "content-encoding" not in plain_headers
    assert "accept-encoding" in plain_headers["vary"].lower()
    assert gzip.decompress(zipped) == plain == (live_server.build_dir / "dataset.nq").read_bytes()
    assert zipped_headers["etag"] != plain_headers["etag"]
    assert int(zipped_headers["content-length"]) == len(zipped) < len(plain) / 8
    print(f"dataset.nq: {len(plain):,} bytes plain, {len(zipped):,} gzipped")
    r = requests.get(live_server.url("/download/dataset.nq"), timeout=60)   # requests asks for and decodes gzip
    assert r.headers["Content-Encoding"] == "gzip" and r.content == plain


def test_big_construct_results_are_gzipped(live_server):
    target = f"/sparql?query={CONSTRUCT_5000}"
    status, headers, body = raw_http(live_server, "GET", target, headers={"Accept": "application/n-triples",
                                                                        "Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert len(list(ox.parse(gzip.decompress(body), format=ox.RdfFormat.N_TRIPLES))) == 5000
    r = get(live_server, target, "application/n-triples")
    assert r.headers["Content-Encoding"] == "gzip" and len(r.text.splitlines()) == 5000


def test_large_pages_are_gzipped_and_small_answers_are_not(live_server):
    status, headers, body = raw_http(live_server, "GET", "/ontology", headers={"Accept": BROWSER,
                                                                              "Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body).startswith(b"<!DOCTYPE html>")
    status, headers, body = raw_http(live_server, "GET", "/healthz", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and "content-encoding" not in headers
    assert "accept-encoding" not in headers.get("vary", "").lower()


@pytest.mark.parametrize("accept_encoding, compressed", [
    ("gzip;q=0, identity", False), ("*", True), ("*;q=0", False), ("br;q=1, gzip;q=0.5", True),
    ("x-gzip", True), ("deflate", False), ("gzip;q=abc", False), ("", False),
])
def test_accept_encoding_is_honoured(live_server, accept_encoding, compressed):
    status, headers, _ = raw_http(live_server, "GET", "/ontology", headers={"Accept": BROWSER,
                                                                           "Accept-Encoding": accept_encoding})
    assert status == 200
    assert (headers.get("content-encoding") == "gzip") is compressed


@pytest.mark.parametrize("path, accept", [("/ontology", BROWSER), ("/download/dataset.nq", None),
                                          (f"/sparql?query={CONSTRUCT_5000}", "text/turtle")])
def test_compressed_variant_revalidates_with_its_own_etag(live_server, path, accept):
    headers = {"Accept-Encoding": "gzip", **({"Accept": accept} if accept else {})}
    status, first, _ = raw_http(live_server, "GET", path, headers=headers)
    assert status == 200 and first["etag"].endswith('-gzip"')
    status, again, body = raw_http(live_server, "GET", path, headers={**headers, "If-None-Match": first["etag"]})
    assert status == 304 and body == b""
    assert again["etag"] == first["etag"]
    # The same tag from a client that cannot take gzip any more is not a match.
    status, _, _ = raw_http(live_server, "GET", path, headers={**headers, "Accept-Encoding": "identity",
                                                               "If-None-Match": first["etag"]})
    assert status == 200


def test_ranges_and_head_requests(live_server):
    status, headers, body = raw_http(live_server, "GET", "/download/dataset.nq",
                                     headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert status == 206 and "content-encoding" not in headers and len(body) == 100
    status, head, body = raw_http(live_server, "HEAD", "/ontology", headers={"Accept": BROWSER,
                                                                            "Accept-Encoding": "gzip"})
    status_get, got, _ = raw_http(live_server, "GET", "/ontology", headers={"Accept": BROWSER,
                                                                           "Accept-Encoding": "gzip"})
    assert status == status_get == 200 and body == b""
    assert head["content-encoding"] == got["content-encoding"] == "gzip" and head["etag"] == got["etag"]
