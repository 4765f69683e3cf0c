"""Labels of other vocabularies' terms are data (ontology/external-labels.ttl, in the ontology
graph): SPARQL users read the same ja/en labels the pages show."""

import requests

from conftest import select

ONTOLOGY_GRAPH = "https://w3id.org/fukudx/graph/ontology"


def test_external_terms_have_ja_and_en_labels_in_the_ontology_graph(kg):
    rows = select(kg, f"""SELECT ?l WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ rdf:type rdfs:label ?l }} }} ORDER BY ?l""")
    assert sorted(r["l"] for r in rows) == ["type", "種類"]
    unlabelled = select(kg, """SELECT DISTINCT ?p WHERE { ?s ?p ?o
        FILTER(!STRSTARTS(STR(?p), "https://w3id.org/fukudx/"))
        FILTER NOT EXISTS { ?p rdfs:label ?ja FILTER(LANG(?ja) = "ja") } }""")
    assert unlabelled == [], "every predicate the data uses has a Japanese label"


def test_pages_show_those_labels(live_server):
    en = requests.get(live_server.url("/id/pref/07"), params={"lang": "en"}).text
    ja = requests.get(live_server.url("/id/pref/07"), params={"lang": "ja"}).text
    assert ">type<" in en.replace(" ", "") or "type" in en
    assert "種類" in ja
