"""Pages know the prefecture (issue 9), on a real server over the real dataset plus a small second
prefecture (tests/fixtures/pref-99.trig: code 99, テスト県, cited by web page, coverage partial, its
fiscal years repeated in its own graph as before the shared graph existed).

Expected values come from SPARQL against the same server wherever the data decides them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from extra_data import FIXTURES, extended_build, nquads

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/fukudx/id/"
FDX = "https://w3id.org/fukudx/ontology#"
JA = {"Accept-Language": "ja", "Accept": "text/html"}
EN = {"Accept-Language": "en", "Accept": "text/html"}
TEST_PAGE = "https://www.pref.test.example/plan/index.html"
TEST_ITEM = "https://www.pref.test.example/plan/item-3-1.html"
SVG = "{http://www.w3.org/2000/svg}"
# The prefectures with data of their own (a graph named after them); the others are listed nationally.
CURATED_CODES = """SELECT ?code WHERE { GRAPH ?g { ?p a fdx:Prefecture ; fdx:prefectureCode ?code }
    FILTER(STRENDS(STR(?g), CONCAT("/graph/pref/", ?code))) } ORDER BY ?code"""


@pytest.fixture(scope="module")
def two(built, tmp_path_factory, server_factory):
    """A server over the real dataset plus the second prefecture of the fixture."""
    target = extended_build(built, tmp_path_factory.mktemp("two-prefectures"), nquads(FIXTURES / "pref-99.trig"))
    return server_factory(build_dir=target, env={"FUKUDX_WORKERS": "1", "FUKUDX_QUERY_WORKERS": "1"})


def page(server, path: str, headers=JA) -> BeautifulSoup:
    r = requests.get(server.url(path), headers=headers, timeout=30)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return BeautifulSoup(r.text, "html.parser")


PREFIXES = f"""PREFIX fdx: <{FDX}>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
"""


def sparql(server, query: str) -> list[dict[str, str]]:
    r = requests.post(server.sparql, data={"query": PREFIXES + query},
                      headers={"Accept": "application/sparql-results+json"}, timeout=30)
    r.raise_for_status()
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


# ------------------------------------------------------------------------------ home

def test_home_lists_every_prefecture_with_its_sources_and_coverage(two):
    soup = page(two, "/")
    prefectures = sparql(two, CURATED_CODES)
    cards = {c["data-code"]: c for c in soup.select("#prefectures section.card.prefecture")}
    assert list(cards) == [row["code"] for row in prefectures] and {"07", "99"} <= set(cards)
    test = cards["99"]
    assert test.select_one(".pref-name a").get_text(strip=True) == "テスト県"
    assert test.select_one(".pref-name code").get_text() == "99"
    assert test.select_one('ul.documents a[href="/id/pref/99/doc/plan"]').get_text(strip=True) == "テスト県デジタル計画"
    assert test.select_one(f'ul.documents a.web[href="{TEST_PAGE}"][rel~="external"]')
    note = test.select_one('p.coverage[role="note"]')
    assert "40項目のうち1項目" in note.get_text() and note.select_one('a[href="/id/pref/99/doc/plan"]')
    assert "全行" in cards["07"].select_one("p.coverage").get_text()  # Fukushima's plan: every row of its lists
    english = page(two, "/", EN).select_one('#prefectures section[data-code="99"] p.coverage')
    assert "Only 1 of about 40 items" in english.get_text() and english.select_one('span[lang="en"]')


def test_home_shows_each_fiscal_year_once(two):
    copies = sparql(two, 'SELECT (COUNT(*) AS ?n) WHERE { <%sfy/2022> a fdx:FiscalYear }' % BASE)
    assert int(copies[0]["n"]) >= 2, "the fixture repeats the fiscal years in a second graph"
    years = [a["href"] for a in page(two, "/").select("ul.years a")]
    expected = sparql(two, "SELECT (COUNT(DISTINCT ?y) AS ?n) WHERE { ?y a fdx:FiscalYear }")
    assert len(years) == len(set(years)) == int(expected[0]["n"])


def test_home_counts_per_prefecture(two):
    soup = page(two, "/")
    prefectures = sparql(two, """SELECT ?code ?label WHERE { GRAPH ?g { ?p a fdx:Prefecture ; fdx:prefectureCode ?code }
        ?p <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(lang(?label) = "ja")
        FILTER(STRENDS(STR(?g), CONCAT("/graph/pref/", ?code))) } ORDER BY ?code""")
    head = [th.get_text(strip=True) for th in soup.select("table.counts thead th")]
    assert head[1:] == [row["label"] for row in prefectures] + ["共通", "合計"]
    rows = {row.select_one("th a")["href"]: [td.get_text(strip=True) for td in row.select("td")]
            for row in soup.select("table.counts tbody tr")}
    expected = []
    for row in prefectures:
        n = int(sparql(two, "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { GRAPH <https://w3id.org/fukudx/graph/pref/%s> "
                            "{ ?i a fdx:Initiative } }" % row["code"])[0]["n"])
        expected.append(f"{n:,}" if n else "—")
    total = sparql(two, "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a fdx:Initiative }")[0]["n"]
    assert rows["/ontology/Initiative"] == expected + ["—", f"{int(total):,}"]
    assert expected[[row["code"] for row in prefectures].index("99")] == "1"


# ------------------------------------------------------------------------------ resource pages

@pytest.mark.parametrize("path, prefecture", [
    ("/id/pref/99/initiative/3-1", "テスト県"), ("/id/pref/99/kpi/3-1-1", "テスト県"),
    ("/id/pref/07/initiative/r4/5.5.5-1", "福島県"), ("/id/pref/07/org/kikaku-chosei-bu", "福島県"),
    ("/id/theme/fixture-shared", "共通（特定の都道府県に属さないデータ）"),
])
def test_resource_page_says_its_prefecture(two, path, prefecture):
    head = page(two, path).select_one("header.res-head")
    assert head.select_one("dl.context dd.prefecture").get_text(strip=True) == prefecture


def test_resource_page_shows_its_own_source_with_web_page(two):
    soup = page(two, "/id/pref/99/initiative/3-1")
    context = soup.select_one("header.res-head dl.context")
    assert context.select_one('dd.sources a[href="/id/pref/99/doc/plan"]')
    item = context.select_one(f'dd.pages a.web[href="{TEST_ITEM}"]')
    assert item is not None and "external" in item["rel"]
    assert "40項目のうち1項目" in soup.select_one("header.res-head p.coverage").get_text()
    excerpt = soup.select_one("section#provenance article.excerpt")
    assert excerpt.select_one(f'a[href="{TEST_ITEM}"]') and excerpt.select_one('a[href="/id/pref/99/doc/plan"]')
    fukushima = page(two, "/id/pref/07/initiative/r4/5.5.5-1").select_one("header.res-head dl.context")
    doc = sparql(two, f"""SELECT ?d WHERE {{ <{BASE}pref/07/initiative/r4/5.5.5-1>
        <http://www.w3.org/ns/prov#wasDerivedFrom>/<http://purl.org/dc/terms/source> ?d }}""")
    assert fukushima.select_one(f'dd.sources a[href="/id/{doc[0]["d"][len(BASE):]}"]')


def test_prefecture_page_lists_its_documents(two):
    soup = page(two, "/id/pref/99")
    docs = soup.select_one("section#documents")
    assert docs.select_one('a[href="/id/pref/99/doc/plan"]') and docs.select_one(f'a[href="{TEST_PAGE}"]')
    assert docs.select_one("p.coverage")
    assert soup.select_one("section#departments a[href='/id/pref/99/org/digital-bu']")
    assert not soup.select("section#municipalities")  # none in the data: no empty section


# ------------------------------------------------------------------------------ roadmap period

def test_roadmap_shows_the_plans_own_period(two):
    soup = page(two, "/id/pref/99/roadmap")
    assert soup.select_one("#rm-h").get_text(strip=True) == "ロードマップ（令和4年度〜令和8年度）"
    svg = ET.fromstring(str(soup.select_one("#roadmap svg")))
    heads = [t.text for t in svg.iter(SVG + "text") if t.text and t.text.startswith("FY")]
    assert heads == [f"FY{y}" for y in range(2022, 2027)]
    assert page(two, "/id/pref/99/roadmap", EN).select_one("#rm-h").get_text(strip=True) == \
        "Roadmap (FY2022–FY2026)"
    bounds = sparql(two, f"""SELECT ?a ?b WHERE {{ <{BASE}pref/07/policy/2024/roadmap-5>
        fdx:firstFiscalYear/fdx:fiscalYearNumber ?a ; fdx:lastFiscalYear/fdx:fiscalYearNumber ?b }}""")[0]
    fukushima = page(two, "/id/pref/07/policy/2024/roadmap-5", EN).select_one("#rm-h").get_text(strip=True)
    assert fukushima == f"Roadmap (FY{bounds['a']}–FY{bounds['b']})"


# ------------------------------------------------------------------------------ search

def test_search_results_say_their_prefecture_and_filter(two):
    soup = page(two, "/search?q=デジタル")
    results = soup.select("ol.results > li")
    assert results and all(li.select_one(".hit-title .pref") for li in results)
    assert "福島県" in {li.select_one(".pref").get_text() for li in results}
    facets = {a["data-pref"]: int(a.find_next_sibling("span").get_text()) for a in soup.select(".facets a[data-pref]")}
    assert facets["99"] == 7 and facets["07"] > 0
    only = page(two, "/search?q=デジタル&pref=99")
    named = {li.select_one(".hit-title a[href]")["href"]: li.select_one(".pref").get_text()
             for li in only.select("ol.results > li")}
    assert set(named.values()) == {"テスト県"} and len(named) == facets["99"]
    assert "/id/pref/99/initiative/3-1" in named
    shared = requests.get(two.url("/search"), params={"q": "試験", "pref": "shared", "format": "json"}, timeout=30)
    body = shared.json()
    assert [r["iri"] for r in body["results"]] == [BASE + "theme/fixture-shared"]
    assert body["results"][0]["prefectures"] == []
    both = requests.get(two.url("/search"), params={"q": "試験", "format": "json"}, timeout=30).json()
    assert {tuple(r["prefectures"]) for r in both["results"]} == {(BASE + "pref/99",), ()}


# ------------------------------------------------------------------------------ charts

def test_charts_are_per_prefecture(two):
    soup = page(two, "/")
    codes = [row["code"] for row in sparql(two, CURATED_CODES)]
    assert [f["data-pref"] for f in soup.select("figure.chart[data-pref]")] == codes and "99" in codes
    r = requests.get(two.url("/charts/kpi-by-department.svg"), params={"pref": "99"}, timeout=30)
    root = ET.fromstring(r.content)
    assert root.find(SVG + "title").text.startswith("テスト県")
    labels = [t.text for t in root.iter(SVG + "title")]
    assert "デジタル推進部" in labels and "企画調整部" not in labels
    assert requests.get(two.url("/charts/kpi-by-department.svg"), params={"pref": "05"}, timeout=30).status_code == 404
    units = ET.fromstring(requests.get(two.url("/charts/kpi-by-unit.svg"), timeout=30).content)
    legend = {t.text for t in units.iter(SVG + "text")}
    assert {"福島県", "テスト県"} <= legend


def test_fiscal_year_chart_names_the_prefecture_of_each_bar(two):
    soup = page(two, "/id/fy/2026")
    labels = [t.get_text() for t in soup.select("figure.chart svg a text title")]
    assert "デジタル推進部（テスト県）" in labels
    assert all(re.search(r"（.+）$", label) for label in labels)


def test_graph_pages_are_titled_by_prefecture(two):
    assert page(two, "/graph/pref/99").h1.get_text(strip=True) == "テスト県（名前付きグラフ）"
    assert page(two, "/graph/shared").h1.get_text(strip=True).startswith("共通データ")


# ------------------------------------------------------------------------------ the real second prefecture: Mie

MIE = BASE + "pref/24"
MIE_GRAPH = "https://w3id.org/fukudx/graph/pref/24"


def test_home_lists_mie_and_fukushima_and_says_mies_coverage(live_server):
    cards = {c["data-code"]: c for c in page(live_server, "/").select("#prefectures section.card.prefecture")}
    assert cards["07"].select_one(".pref-name a").get_text(strip=True) == "福島県"
    mie = cards["24"]
    assert mie.select_one(".pref-name a").get_text(strip=True) == "三重県"
    plan = sparql(live_server, f"""SELECT ?doc ?url ?note WHERE {{ ?doc a fdx:PolicyDocument ;
        fdx:inPrefecture <{MIE}> ; schema:url ?url ; fdx:coverageNote ?note FILTER(lang(?note) = "ja") }}""")
    assert len(plan) == 1
    note = mie.select_one('p.coverage[role="note"]')
    assert plan[0]["note"] in note.get_text() and note.select_one(f'a[href="/id/{plan[0]["doc"][len(BASE):]}"]')
    assert mie.select_one(f'ul.documents a.web[href="{plan[0]["url"]}"]')
    parts = sparql(live_server, f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d dcterms:isPartOf <{plan[0]['doc']}> }}")
    assert len(mie.select("details.parts ul.documents > li")) == int(parts[0]["n"]) > 0


def test_mie_initiative_page_shows_mie_and_its_page_address(live_server):
    rows = sparql(live_server, f"""SELECT ?i ?url WHERE {{ GRAPH <{MIE_GRAPH}> {{ ?i a fdx:Initiative ;
        fdx:underSection/skos:notation "3-1" ; prov:wasDerivedFrom/dcterms:source/schema:url ?url }} }}""")
    assert rows == [{"i": MIE + "/initiative/midejiplan/3-1-1", "url": "https://www.pref.mie.lg.jp/DIGITAL/HP/000270620.htm"}]
    head = page(live_server, "/id/pref/24/initiative/midejiplan/3-1-1").select_one("header.res-head")
    assert head.select_one("dd.prefecture").get_text(strip=True) == "三重県"
    link = head.select_one('dl.context a.web[href="https://www.pref.mie.lg.jp/DIGITAL/HP/000270620.htm"]')
    assert link is not None and "external" in link["rel"]
    assert "一部のみ" in head.select_one("p.coverage").get_text()  # the page belongs to a partially captured plan
    english = page(live_server, "/id/pref/24/initiative/midejiplan/3-1-1", EN).select_one("header.res-head")
    assert english.select_one("dd.prefecture").get_text(strip=True) == "Mie Prefecture"


def test_mie_in_search_and_charts(live_server):
    soup = page(live_server, "/search?q=建設DX")
    named = {li.select_one(".hit-title a[href]")["href"]: li.select_one(".pref").get_text()
             for li in soup.select("ol.results > li")}
    assert named["/id/pref/24/initiative/midejiplan/2-3-1"] == named["/id/pref/24/doc/page-000270606"] == "三重県"
    chart = ET.fromstring(requests.get(live_server.url("/charts/kpi-by-department.svg"), params={"pref": "24"},
                                       timeout=30).content)
    labels = {t.text for t in chart.iter(SVG + "title")}
    departments = sparql(live_server, f"""SELECT DISTINCT ?label WHERE {{ GRAPH <{MIE_GRAPH}> {{ ?i fdx:hasKPI ?k ;
        fdx:responsibleUnit ?d . ?d org:subOrganizationOf <{MIE}> ; skos:prefLabel ?label }} }}""")
    assert {row["label"] for row in departments} <= labels and departments


def test_kpi_values_over_time_on_the_kpi_page(live_server):
    kpi = MIE + "/kpi/midejiplan/3-1-1-1"
    expected = sparql(live_server, f"""SELECT ?role ?v ?year WHERE {{ <{kpi}> fdx:hasValue ?x . ?x fdx:valueRole ?r ;
        fdx:value ?v ; fdx:valueYear ?year . ?r <http://www.w3.org/2000/01/rdf-schema#label> ?role
        FILTER(lang(?role) = "ja") }} ORDER BY ?year""")
    assert [row["role"] for row in expected] == ["現状値", "目標値"]
    soup = page(live_server, "/id/pref/24/kpi/midejiplan/3-1-1-1")
    rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in soup.select("table.values tbody tr")]
    assert rows == [[row["role"], row["year"], row["v"], "%", row["v"]] for row in expected]
    initiative = page(live_server, "/id/pref/24/initiative/midejiplan/3-1-1")
    cells = [td.get_text(strip=True) for td in initiative.select("table.kpis tbody tr")[0].select("td")]
    assert cells[1:] == [expected[-1]["v"], "%", f"{expected[-1]['year']}年"]  # a target year given as a year
