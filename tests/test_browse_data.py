"""Downloads, VoID, and escaping, on live servers (one of them over a dataset with hostile labels)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from bs4 import BeautifulSoup
from rdflib import Graph, Literal, Namespace, URIRef

from extra_data import extended_build
from fukudx_kg.build.pipeline import build

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
FDX = "https://w3id.org/fukudx/ontology#"
BASE = "https://w3id.org/fukudx/id/"
GRAPH_BASE = "https://w3id.org/fukudx/graph/"


def store_count(server, query: str) -> int:
    r = requests.post(server.sparql, data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                      timeout=60)
    r.raise_for_status()
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def store_values(server, query: str) -> list[str]:
    r = requests.post(server.sparql, data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                      timeout=60)
    r.raise_for_status()
    return [b["x"]["value"] for b in r.json()["results"]["bindings"]]


def test_dump_has_the_stores_quad_count(live_server):
    r = requests.get(live_server.url("/download/dataset.nq"), timeout=60)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/n-quads")
    assert r.headers.get("ETag")
    quads = list(ox.parse(r.content, format=ox.RdfFormat.N_QUADS))
    in_store = store_count(live_server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert len(quads) == in_store > 10_000
    out = Path(__file__).resolve().parent.parent / "test-output"
    out.mkdir(exist_ok=True)
    (out / "browse-dump-count.json").write_text(json.dumps({"dump_quads": len(quads), "store_quads": in_store}),
                                                encoding="utf-8")
    cached = requests.get(live_server.url("/download/dataset.nq"), headers={"If-None-Match": r.headers["ETag"]},
                          timeout=30)
    assert cached.status_code == 304


def test_turtle_per_graph_matches_the_graphs(live_server):
    home = BeautifulSoup(requests.get(live_server.url("/"), timeout=30).text, "html.parser")
    links = [a["href"] for a in home.select('#downloads a[href$=".ttl"]') if a["href"].startswith("/download/")]
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    graphs = requests.post(live_server.sparql, data={"query": per_graph},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    expected = {b["g"]["value"]: int(b["n"]["value"]) for b in graphs["results"]["bindings"]}
    assert len(links) == len(expected) >= 2
    for graph, n in expected.items():
        name = graph.rsplit("/graph/", 1)[1].replace("/", "-")
        r = requests.get(live_server.url(f"/download/{name}.ttl"), timeout=60)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
        assert len(list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))) == n
    assert requests.get(live_server.url("/download/..%2Frelease.json.ttl"), timeout=30).status_code == 404
    assert requests.get(live_server.url("/download/../release.json"), timeout=30).status_code == 404


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                         ("application/n-triples", "nt"), ("application/rdf+xml", "xml")])
def test_void_parses_and_states_the_numbers(live_server, accept, fmt):
    r = requests.get(live_server.url("/.well-known/void"), headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == accept
    g = Graph().parse(data=r.content, format=fmt)
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    datasets = list(g.subjects(predicate=rdf_type, object=VOID.Dataset))
    ds = next(d for d in datasets if (d, DCT.license, None) in g)
    assert (ds, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), DCAT.Dataset) in g
    triples = store_count(live_server, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    assert int(g.value(ds, VOID.triples)) == triples
    assert int(g.value(ds, VOID.entities)) == store_count(
        live_server, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    classes = store_count(live_server, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }")
    assert int(g.value(ds, VOID.classes)) == classes == len(list(g.objects(ds, VOID.classPartition)))
    initiative_part = next(p for p in g.objects(ds, VOID.classPartition)
                           if g.value(p, VOID["class"]) == URIRef(FDX + "Initiative"))
    assert int(g.value(initiative_part, VOID.entities)) == store_count(
        live_server, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{FDX}Initiative> }}")
    subsets = [s for s in g.objects(ds, VOID.subset) if (s, rdf_type, VOID.Linkset) not in g]
    assert sum(int(g.value(s, VOID.triples)) for s in subsets) == store_count(
        live_server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert str(g.value(ds, VOID.sparqlEndpoint)).endswith("/sparql")
    dumps = [str(d) for d in g.objects(ds, VOID.dataDump)]
    assert any(d.endswith("/download/dataset.nq") for d in dumps)
    sources = list(g.objects(ds, DCT.source))
    assert len(sources) >= 5
    query = f"SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ ?x a <{FDX}Prefecture> }} FILTER(CONTAINS(STR(?g), '/pref/')) }}"
    prefectures = {URIRef(iri) for iri in store_values(live_server, query)}
    assert {g.value(s, DCT.publisher) for s in sources} == prefectures  # each prefecture publishes its own
    assert set(g.objects(ds, VOID.rootResource)) == set(g.objects(ds, DCT.spatial)) == prefectures
    assert Literal("福島県", lang="ja") in set(g.objects(URIRef(BASE + "pref/07"), FOAF.name))
    titles = {str(x) for x in g.objects(ds, DCT.title)}
    assert titles == {"都道府県DX政策ナレッジグラフ", "Prefectural DX policy knowledge graph"}
    assert str(g.value(ds, DCT.license)).startswith("https://creativecommons.org/")


def test_void_html_for_browsers(live_server):
    r = requests.get(live_server.url("/.well-known/void"), headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200 and "void:triples" in r.text


# ------------------------------------------------------------------------------ escaping

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def hostile_server(built, tmp_path_factory, server_factory):
    """A server over the real dataset plus one initiative whose literals are HTML/JS."""
    target = tmp_path_factory.mktemp("hostile-build")
    graph = "<https://w3id.org/fukudx/graph/pref/07>"
    s = f"<{BASE}pref/07/initiative/test/xss>"
    esc = HOSTILE.replace('"', '\\"')
    extra = [
        f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{FDX}Initiative> {graph} .",
        f'{s} <http://www.w3.org/2000/01/rdf-schema#label> "{esc}"@ja {graph} .',
        f'{s} <http://purl.org/dc/terms/description> "ICT {esc}"@ja {graph} .',
        f"{s} <{FDX}fiscalYear> <{BASE}fy/2022> {graph} .",
    ]
    extended_build(built, target, extra)
    return server_factory(build_dir=target, env={"FUKUDX_WORKERS": "1", "FUKUDX_QUERY_WORKERS": "1"})


@pytest.mark.parametrize("path", ["/id/pref/07/initiative/test/xss", "/search?q=ICT alert", "/id/fy/2022",
                                  f"/search?q={HOSTILE}", "/ontology/Initiative"])
def test_literals_are_escaped(hostile_server, path):
    r = requests.get(hostile_server.url(path), headers={"Accept": "text/html", "Accept-Language": "ja"}, timeout=30)
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    soup = BeautifulSoup(r.text, "html.parser")
    assert not [tag for tag in soup.find_all("script") if not tag.get("src")]  # no inline script at all
    assert not soup.find_all("img")
    if "xss" in path or "q=ICT" in path:
        assert "<script>alert" in soup.get_text()  # shown as text


def test_hostile_iri_in_query_page_is_escaped(hostile_server):
    query = f'SELECT ?x WHERE {{ BIND("{HOSTILE.replace(chr(34), "")}" AS ?x) }}'
    r = requests.post(hostile_server.url("/query"), data={"query": query}, timeout=30)
    assert r.status_code == 200
    assert "<script>alert" not in r.text
    assert "<script>alert" in BeautifulSoup(r.text, "html.parser").select_one("table.results-table").get_text()


# ------------------------------------------------------------------------------ another base IRI

OTHER_BASE = "https://data.example.org/kg/id/"


@pytest.fixture(scope="module")
def other_base_server(tmp_path_factory, server_factory):
    """A deployment whose data base IRI is not w3id.org, with the dataset built for that base."""
    target = tmp_path_factory.mktemp("other-base-build")
    build(target, base_iri=OTHER_BASE)
    return server_factory(build_dir=target, env={"FUKUDX_BASE_IRI": OTHER_BASE, "FUKUDX_WORKERS": "1",
                                                 "FUKUDX_QUERY_WORKERS": "1"})


def test_configured_base_iri_maps_to_id_paths(other_base_server):
    r = requests.get(other_base_server.url("/id/pref/07/initiative/r4/5.5.5-1"), headers={"Accept": "text/turtle"},
                     timeout=30)
    assert r.status_code == 200
    subjects = {t.subject.value for t in (q.triple for q in ox.parse(r.content, format=ox.RdfFormat.TURTLE))}
    assert OTHER_BASE + "pref/07/initiative/r4/5.5.5-1" in subjects
    html = BeautifulSoup(requests.get(other_base_server.url("/id/pref/07/initiative/r4/5.5.5-1"), timeout=30).text,
                         "html.parser")
    assert html.select_one("p.iri code").get_text() == OTHER_BASE + "pref/07/initiative/r4/5.5.5-1"
    assert html.select_one('section.summary a[href^="/id/pref/07/program/"]')  # links stay on this server


def test_void_has_a_dataset_per_prefecture_and_counted_linksets(live_server):
    """One VoID/DCAT dataset per prefecture graph (its prefecture as dcterms:spatial) and void:Linksets
    out of each: to e-Stat's areas, to the shared themes and years, to other graphs, with counts
    that the store confirms."""
    r = requests.get(live_server.url("/.well-known/void"), headers={"Accept": "text/turtle"}, timeout=30)
    g = Graph().parse(data=r.content, format="turtle")
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    sd_name = URIRef("http://www.w3.org/ns/sparql-service-description#name")
    graph_of = {sub: str(g.value(sub, sd_name)) for sub in g.subjects(sd_name, None)}
    per_prefecture = {graph_of[sub]: g.value(sub, DCT.spatial) for sub in graph_of if g.value(sub, DCT.spatial)}
    assert per_prefecture[GRAPH_BASE + "pref/07"] == URIRef(BASE + "pref/07")
    assert per_prefecture[GRAPH_BASE + "pref/24"] == URIRef(BASE + "pref/24")
    assert all((sub, rdf_type, DCAT.Dataset) in g for sub in graph_of)
    linksets = list(g.subjects(rdf_type, VOID.Linkset))
    assert linksets
    seen = set()
    for ls in linksets:
        subject_graph = graph_of[g.value(ls, VOID.subjectsTarget)]
        predicate = str(g.value(ls, VOID.linkPredicate))
        target = g.value(ls, VOID.objectsTarget)
        if target in graph_of:  # resources typed in the target graph
            kind = "theme" if predicate == FDX + "theme" else "graph"
            query = (f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT DISTINCT ?o WHERE {{ GRAPH <{graph_of[target]}> "
                     f"{{ ?o a ?t }} }} }} GRAPH <{subject_graph}> {{ ?s <{predicate}> ?o }} }}")
        else:
            assert str(g.value(target, VOID.uriSpace)) == "http://data.e-stat.go.jp/lod/sac/"
            kind = "e-stat"
            query = (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{subject_graph}> {{ ?s <{predicate}> ?o }} "
                     "FILTER(STRSTARTS(STR(?o), 'http://data.e-stat.go.jp/lod/sac/')) }")
        count = store_count(live_server, query)
        assert int(g.value(ls, VOID.triples)) == count, (subject_graph, predicate, target)
        seen.add((subject_graph.rsplit("/", 1)[-1], kind))
    assert {("07", "e-stat"), ("24", "e-stat"), ("07", "theme"), ("24", "theme")} <= seen
