"""The browser's pages on a live server: class views, search, query page, languages, pictures.

Expected numbers come from SPARQL against the same server, so the tests follow the data.
"""

from __future__ import annotations

import json
import statistics
import time
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/fukudx/id/"
FDX = "https://w3id.org/fukudx/ontology#"
PREFIXES = """PREFIX fdx: <https://w3id.org/fukudx/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
JA = {"Accept-Language": "ja", "Accept": "text/html"}
EN = {"Accept-Language": "en", "Accept": "text/html"}


def sparql(server, query: str) -> list[dict[str, str]]:
    r = requests.post(server.sparql, data={"query": PREFIXES + query},
                      headers={"Accept": "application/sparql-results+json"}, timeout=30)
    r.raise_for_status()
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def count(server, where: str, var: str = "x") -> int:
    return int(sparql(server, f"SELECT (COUNT(DISTINCT ?{var}) AS ?n) WHERE {{ {where} }}")[0]["n"])


def page(server, path: str, headers=JA, status: int = 200) -> BeautifulSoup:
    r = requests.get(server.url(path), headers=headers, timeout=30)
    assert r.status_code == status, (path, r.status_code, r.text[:500])
    assert r.headers["Content-Type"].startswith("text/html")
    return BeautifulSoup(r.text, "html.parser")


def path_of(iri: str) -> str:
    return "/id/" + iri[len(BASE):]


def generic_parts(soup: BeautifulSoup) -> None:
    """What every resource page has: title, types, all properties, incoming links, provenance."""
    assert soup.h1 and soup.h1.get_text(strip=True)
    assert soup.select("p.types .type")
    assert soup.select("table.props tr")
    assert soup.select_one("section#incoming")
    assert soup.select_one("section#provenance")


# ------------------------------------------------------------------------------ class views

def test_initiative_view(live_server):
    soup = page(live_server, "/id/pref/07/initiative/r4/5.5.5-1")
    generic_parts(soup)
    crumbs = [a.get_text(strip=True) for a in soup.select("nav.crumbs a")]
    assert crumbs == ["第5", "5", "5(5)"]
    kpi_rows = soup.select("table.kpis tbody tr")
    expected = count(live_server, f"<{BASE}pref/07/initiative/r4/5.5.5-1> fdx:hasKPI ?x")
    assert len(kpi_rows) == expected >= 1
    cells = [td.get_text(strip=True) for td in kpi_rows[0].select("td")]
    assert cells[1] == "68,441" and cells[2] == "件" and cells[3] == "令和4年度"
    summary = soup.select_one("section.summary")
    assert summary.select_one('a[href*="/program/"]')
    assert [a.get_text() for a in summary.select('a[href*="/org/"]')][-1] == "健康づくり推進課"
    prov = soup.select_one("section#provenance")
    assert "002_83cdc51f1d24fcbc.txt" in prov.get_text()
    # line breaks as printed
    assert "ふくしま健民アプリのダウンロード数" in prov.select_one("pre").get_text().replace("\n", "")
    assert prov.select_one('a[href*="/doc/"]')  # the source document, linked


def test_initiative_lists_the_other_rows_of_its_program(live_server):
    rows = sparql(live_server, """SELECT ?p (COUNT(DISTINCT ?i) AS ?n) (SAMPLE(?i) AS ?one) WHERE {
        ?i a fdx:Initiative ; fdx:program ?p } GROUP BY ?p HAVING(COUNT(DISTINCT ?i) > 1) ORDER BY ?p LIMIT 1""")
    assert rows, "the data has programs listed in several rows"
    program, n, one = rows[0]["p"], int(rows[0]["n"]), rows[0]["one"]
    soup = page(live_server, path_of(one))
    other = soup.find("h2", id="rows-h").find_next("table")
    assert len(other.select("tbody tr")) == n - 1
    prog = page(live_server, path_of(program))
    generic_parts(prog)
    assert len(prog.find("h2", id="pr-h").find_next("table").select("tbody tr")) == n


def test_kpi_view(live_server):
    initiative = f"{BASE}pref/07/initiative/r4/5.5.5-1"
    kpi = sparql(live_server, f"SELECT ?k WHERE {{ <{initiative}> fdx:hasKPI ?k }} LIMIT 1")[0]["k"]
    soup = page(live_server, path_of(kpi))
    generic_parts(soup)
    assert soup.select_one(".big-target .num").get_text() == "68,441"
    assert soup.select_one(".big-target .unit").get_text() == "件"
    assert [a.get_text() for a in soup.select("nav.crumbs a")] == ["第5", "5", "5(5)"]
    assert soup.select_one('table.initiatives a[href$="/initiative/r4/5.5.5-1"]')
    provenance = soup.select_one("section#provenance pre").get_text()
    assert "ふくしま健民アプリのダウンロード数" in provenance.replace("\n", "")


def test_department_view_tree_initiatives_kpis(live_server):
    dept = BASE + "pref/07/org/kikaku-chosei-bu"
    soup = page(live_server, path_of(dept))
    generic_parts(soup)
    subunits = count(live_server, f"?x org:subOrganizationOf+ <{dept}>")
    assert len(soup.select("section.summary ul.tree ul.tree li")) == subunits > 0
    inits = count(live_server, f"?x a fdx:Initiative ; fdx:responsibleUnit/org:subOrganizationOf* <{dept}>")
    assert len(soup.find("h2", id="di-h").find_next("table").select("tbody tr")) == inits > 0
    kpis = count(live_server, f"?i fdx:responsibleUnit/org:subOrganizationOf* <{dept}> ; fdx:hasKPI ?x")
    assert len(soup.find("h2", id="dk-h").find_next("table", class_="kpis").select("tbody tr")) == kpis > 0
    assert soup.find("h2", id="dk-h").find_next("svg")  # targets by unit, drawn on the server


def test_policy_section_view_children_and_initiatives(live_server):
    section = BASE + "pref/07/policy/2021/sec-5.5"
    soup = page(live_server, path_of(section))
    generic_parts(soup)
    assert [a.get_text() for a in soup.select("nav.crumbs a")] == ["第5", "5"]
    children = count(live_server, f"?x skos:broader <{section}>")
    assert len(soup.find("h2", id="ch-h").find_next("ul").find_all("li", recursive=False)) == children > 0
    inits = count(live_server, f"?x a fdx:Initiative ; fdx:underSection/skos:broader* <{section}>")
    assert len(soup.find("h2", id="si-h").find_next("table").select("tbody tr")) == inits > 0
    assert soup.select_one("section#roadmap")


def test_policy_section_roadmap_timeline(live_server):
    roadmap = sparql(live_server, "SELECT ?r ?s WHERE { ?r a fdx:Roadmap ; fdx:roadmapOf ?s } ORDER BY ?r LIMIT 1")[0]
    soup = page(live_server, path_of(roadmap["s"]))
    svg = soup.select_one("section#roadmap svg")
    text = svg.get_text(" ")
    for year in ("令和3年度", "令和4年度", "令和5年度", "令和6年度", "令和7年度"):
        assert year in text
    placed = sparql(live_server, f"""SELECT ?ph WHERE {{ ?e a fdx:RoadmapEntry ; fdx:inRoadmap <{roadmap['r']}> ;
        fdx:phase ?ph }}""")
    for row in placed:
        assert row["ph"] in text
    unplaced = count(live_server, f"?x a fdx:UnplacedRoadmapText ; fdx:inRoadmap <{roadmap['r']}>")
    if unplaced:
        assert "年度・行を特定できない記載" in text   # listed beside the grid, marked as not placeable
        assert len(soup.select("table.unplaced tbody tr")) == unplaced
    whole = page(live_server, path_of(roadmap["r"]))
    assert whole.select_one("section#roadmap svg")
    svg_file = requests.get(live_server.url("/charts/roadmap.svg"), params={"iri": roadmap["r"]}, timeout=30)
    assert svg_file.headers["Content-Type"].startswith("image/svg+xml")
    assert ET.fromstring(svg_file.content).tag.endswith("svg")


def test_municipality_view(live_server):
    soup = page(live_server, "/id/municipality/072010")
    generic_parts(soup)
    assert soup.h1.get_text(strip=True) == "福島市"
    facts = soup.select_one("section.summary").get_text(" ")
    assert "072010" in facts
    assert soup.select_one('section.summary a[href*="/region/"]')
    assert soup.select_one('section.summary a[href^="http://data.e-stat.go.jp/"]')
    groups = count(live_server, f"?x fdx:hasMember <{BASE}municipality/072010>")
    assert len(soup.select_one("section.summary").select('a[href*="/group/"]')) == groups


@pytest.mark.parametrize("cls, where", [("MunicipalityGroup", "<{iri}> fdx:hasMember ?x"),
                                        ("Region", "?x fdx:region <{iri}>")])
def test_group_and_region_member_tables(live_server, cls, where):
    iri = sparql(live_server, f"SELECT ?g WHERE {{ ?g a fdx:{cls} }} ORDER BY ?g LIMIT 1")[0]["g"]
    soup = page(live_server, path_of(iri))
    generic_parts(soup)
    assert len(soup.find("h2", id="mem-h").find_next("table").select("tbody tr")) == count(
        live_server, where.format(iri=iri)) > 0


def test_fiscal_year_view(live_server):
    fy = BASE + "fy/2022"
    soup = page(live_server, path_of(fy))
    generic_parts(soup)
    kpis = count(live_server, f"?x fdx:targetFiscalYear <{fy}>")
    assert len(soup.find("h2", id="fk-h").find_next("table", class_="kpis").select("tbody tr")) == kpis > 0
    entries = count(live_server, f"?x a fdx:RoadmapEntry ; fdx:fiscalYear <{BASE}fy/2024>")
    fy24 = page(live_server, "/id/fy/2024")
    rows = fy24.find("h2", id="fe-h").find_next("table")
    assert (len(rows.select("tbody tr")) if rows else 0) == entries > 0


def test_meeting_view(live_server):
    meeting = BASE + "pref/07/meeting/2024-03-25"
    soup = page(live_server, path_of(meeting))
    generic_parts(soup)
    text = soup.get_text(" ")
    for heading in ("決定事項", "報告事項", "関係するサービス", "発言"):
        assert heading in text
    services = sparql(live_server, f"""SELECT DISTINCT ?s ?d WHERE {{ <{meeting}> fdx:decided|fdx:reported ?a .
        ?a fdx:concerns ?s . ?s a fdx:DigitalService OPTIONAL {{ ?s fdx:launchDate ?d }} }}""")
    table = soup.find("h2", id="ms-h").find_next("table")
    assert len(table.select("tbody tr")) == len(services) > 0
    assert any(row.get("d", "") in table.get_text() for row in services if row.get("d"))
    statements = count(live_server, f"<{meeting}> fdx:hasStatement ?x")
    assert len(soup.select("ol.statements > li")) == statements > 0


def test_prefecture_and_scheme_entry_points(live_server):
    soup = page(live_server, "/id/pref/07")
    generic_parts(soup)
    munis = count(live_server, f"?x a fdx:Municipality ; fdx:inPrefecture <{BASE}pref/07>")
    assert len(soup.select("section#municipalities li")) == munis == 59
    depts = count(live_server, f"?x a fdx:Department ; org:subOrganizationOf+ <{BASE}pref/07>")
    assert len(soup.select("section#departments li")) == depts > 0
    scheme = page(live_server, "/id/pref/07/policy/2021/scheme")
    concepts = count(live_server, f"?x skos:inScheme <{BASE}pref/07/policy/2021/scheme>")
    assert len(scheme.select("ul.tree li")) == concepts > 100


def test_ontology_class_page_lists_instances(live_server):
    soup = page(live_server, "/ontology/Initiative")
    total = count(live_server, "?x a fdx:Initiative")
    instances = soup.find("h2", id="inst-h")
    assert instances.select_one(".count").get_text() == str(total)
    assert len(instances.find_next("ul").select("li")) == min(total, 100)
    assert soup.select_one('section.summary a[href="/ontology/program"]')  # fdx:program has this domain


def test_incoming_links_are_counted_and_paged(live_server):
    fy = BASE + "fy/2022"
    soup = page(live_server, path_of(fy))
    groups = soup.select("section#incoming .in-group")
    expected = {row["p"]: int(row["n"]) for row in sparql(
        live_server, f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p <{fy}> }} GROUP BY ?p")}
    shown = {g.select_one("h3 a")["title"]: int(g.select_one("h3 .count").get_text()) for g in groups}
    assert shown == expected
    big = max(expected, key=expected.get)
    assert expected[big] > 100, "fy/2022 is linked from more than one page of initiatives"
    more = soup.select_one("section#incoming a.more")
    assert more is not None
    seen, url = [], urljoin(live_server.url(path_of(fy)), f"?in={requests.utils.quote(big, safe='')}")
    while url:
        r = requests.get(url, headers=JA, timeout=30)
        s = BeautifulSoup(r.text, "html.parser")
        seen += [a["href"] for a in s.select("section#incoming ul.cols a")]
        nxt = s.select_one('section#incoming a[rel="next"]')
        url = urljoin(url, nxt["href"]) if nxt else None
    assert len(seen) == len(set(seen)) == expected[big]


# ------------------------------------------------------------------------------ home, search, query

def test_home(live_server):
    soup = page(live_server, "/")
    assert soup.h1.get_text(strip=True) == "都道府県DX政策ナレッジグラフ"
    counts = {row.select_one("th a").get_text(strip=True): int(row.select_one("td.total").get_text(strip=True)
                                                                  .replace(",", ""))
              for row in soup.select("table.counts tbody tr")}
    assert counts["関連事業・取組"] == count(live_server, "?x a fdx:Initiative")
    assert counts["市町村"] == count(live_server, "?x a fdx:Municipality")
    columns = [th.get_text(strip=True) for th in soup.select("table.counts thead th")]
    assert "福島県" in columns and columns[-2:] == ["共通", "合計"]
    hrefs = [a["href"] for a in soup.select("a")]
    for must in ("/download/dataset.nq", "/.well-known/void", "/id/pref/07/policy/2021/scheme",
                 "/id/pref/07#departments", "/id/fy/2022", "/query"):
        assert any(h == must or h.startswith(must) for h in hrefs), must
    assert soup.select_one('#licence a[rel~="license"]')
    assert "各都道府県の公表資料" in soup.select_one("footer").get_text()
    prefectures = count(live_server, "GRAPH ?g { ?x a fdx:Prefecture ; fdx:prefectureCode ?c } "
                                     "FILTER(STRENDS(STR(?g), CONCAT('/graph/pref/', ?c)))")  # curated ones
    assert len(soup.select("figure.chart svg")) == prefectures + 1  # KPIs by department per prefecture; by unit


def test_home_lists_each_prefecture_with_its_documents(live_server):
    soup = page(live_server, "/")
    expected = sparql(live_server, """SELECT DISTINCT ?p ?code ?label WHERE { GRAPH ?g { ?p a fdx:Prefecture }
        ?p fdx:prefectureCode ?code ; rdfs:label ?label FILTER(lang(?label) = "ja")
        FILTER(STRENDS(STR(?g), CONCAT("/graph/pref/", ?code))) } ORDER BY ?code""")
    cards = soup.select("#prefectures section.card.prefecture")
    assert [(c["data-code"], c.select_one(".pref-name a").get_text(strip=True)) for c in cards] == \
        [(row["code"], row["label"]) for row in expected] and expected
    for card, row in zip(cards, expected, strict=True):
        docs = count(live_server, f"?x a fdx:PolicyDocument ; fdx:inPrefecture <{row['p']}>")
        listed = [a["href"] for a in card.select('ul.documents a[href^="/id/"]')]
        assert len(listed) == len(set(listed)) == docs > 0, row
        assert card.select_one(f'a[href="{path_of(row["p"])}"]')
    fukushima = next(c for c in cards if c["data-code"] == "07")
    assert "福島県デジタル変革（ＤＸ）推進基本方針" in fukushima.get_text()
    years = [a["href"] for a in soup.select("ul.years a")]
    assert len(years) == len(set(years)) == count(live_server, "?x a fdx:FiscalYear")  # each year once


@pytest.mark.parametrize("q", ["ICT", "ｉｃｔ", "ＩＣＴ"])
def test_search_nfkc_finds_full_width(live_server, q):
    soup = page(live_server, f"/search?q={requests.utils.quote(q)}")
    results = soup.select("ol.results > li")
    assert results, q
    texts = [unicodedata.normalize("NFKC", li.get_text()).casefold() for li in results]
    assert all("ict" in t for t in texts)
    assert any("ＩＣＴ" in li.get_text() for li in results)  # the data writes it full-width
    assert all(li.select_one(".hit-title a")["href"].startswith(("/id/", "/ontology")) for li in results)
    assert all(li.select_one("mark") for li in results)


def test_search_substring_ranked(live_server):
    soup = page(live_server, "/search?q=福島市")
    first = soup.select_one("ol.results > li .hit-title a")
    assert first["href"] == "/id/municipality/072010"  # the exact label ranks first
    soup = page(live_server, "/search?q=健民")  # inside a word: no word boundaries in Japanese
    hrefs = [a["href"] for a in soup.select("ol.results .hit-title a")]
    assert "/id/pref/07/initiative/r4/5.5.5-1" in hrefs
    both = page(live_server, "/search?q=ICT 推進")
    for li in both.select("ol.results > li"):
        assert li.select_one("mark")
    empty = page(live_server, "/search?q=zzzz-nothing-like-this")
    assert not empty.select("ol.results > li")


def test_query_page_lists_every_example_and_runs_one(live_server):
    soup = page(live_server, "/query")
    assert soup.select_one("form#query-form textarea[name=query]")
    files = [p.stem for p in sorted((ROOT / "queries").glob("*.rq"))] + [
        f"{p.parent.name}.{p.stem}" for p in sorted((ROOT / "queries").glob("*/*.rq"))]
    listed = [a["data-slug"] for a in soup.select("a.example")]
    assert listed == files
    ran_with_links = 0
    for slug in files[:6]:
        result = page(live_server, f"/query?example={slug}")
        table = result.select_one("table.results-table")
        assert table is not None, slug
        rows = table.select("tbody tr")
        assert rows, slug
        links = table.select('a[href^="/id/"], a[href^="/ontology"]')
        ran_with_links += bool(links)
        downloads = {f.select_one("input[name=format]")["value"] for f in result.select("form.dl")}
        assert downloads & {"csv", "ttl"}
    assert ran_with_links, "IRIs in results link to their pages"


def test_query_page_plain_form_post_and_errors(live_server):
    meetings = "SELECT ?s WHERE { ?s a <https://w3id.org/fukudx/ontology#Meeting> }"
    r = requests.post(live_server.url("/query"), data={"query": meetings}, headers=JA, timeout=30)
    soup = BeautifulSoup(r.text, "html.parser")
    assert r.status_code == 200
    assert len(soup.select("table.results-table tbody tr")) == count(live_server, "?x a fdx:Meeting")
    bad = requests.post(live_server.url("/query"), data={"query": "SELECT WHERE {"}, headers=JA, timeout=30)
    assert bad.status_code == 400
    assert BeautifulSoup(bad.text, "html.parser").select_one(".error pre")
    update = requests.post(live_server.url("/query"), data={"query": "DROP ALL"}, headers=JA, timeout=30)
    assert update.status_code == 403
    csv = requests.post(live_server.sparql, data={"query": meetings, "format": "csv"}, timeout=30)
    assert csv.headers["Content-Type"].startswith("text/csv")


# ------------------------------------------------------------------------------ languages

def test_language_by_accept_language_param_and_cookie(live_server):
    ja = page(live_server, "/id/municipality/072010", JA)
    en = page(live_server, "/id/municipality/072010", EN)
    assert ja.html["lang"] == "ja" and en.html["lang"] == "en"
    assert ja.h1.get_text(strip=True) == "福島市" and en.h1.get_text(strip=True) == "Fukushima-shi"
    assert ja.select_one(".alt-title").get_text(strip=True) == "Fukushima-shi"
    # A label only in Japanese falls back to Japanese in the English UI.
    init_en = page(live_server, "/id/pref/07/initiative/r4/5.5.5-1", EN)
    assert init_en.h1["lang"] == "ja"
    assert "Initiative" in init_en.select_one("p.types").get_text()
    session = requests.Session()
    r = session.get(live_server.url("/?lang=en"), headers={"Accept-Language": "ja"}, timeout=30)
    assert BeautifulSoup(r.text, "html.parser").html["lang"] == "en"
    again = session.get(live_server.url("/search?q=ICT"), headers={"Accept-Language": "ja"}, timeout=30)
    assert BeautifulSoup(again.text, "html.parser").html["lang"] == "en"  # remembered in a cookie
    assert "Accept-Language" in again.headers["Vary"]


def test_charts_are_svg(live_server):
    for name in ("kpi-by-department", "kpi-by-unit"):
        r = requests.get(live_server.url(f"/charts/{name}.svg"), timeout=30)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("image/svg+xml")
        root = ET.fromstring(r.content)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert len(root.findall(".//{http://www.w3.org/2000/svg}rect")) > 3


def test_page_latency(live_server):
    """Every page type answers; its median time (warm) is written to test-output/browse-latency.json."""
    paths = {"home": "/", "initiative": "/id/pref/07/initiative/r4/5.5.5-1",
             "initiative-mie": "/id/pref/24/initiative/midejiplan/3-1-1", "section": "/id/pref/07/policy/2021/sec-5",
             "department": "/id/pref/07/org/kikaku-chosei-bu", "municipality": "/id/municipality/072010",
             "fiscal-year": "/id/fy/2022", "meeting": "/id/pref/07/meeting/2024-03-25",
             "scheme": "/id/pref/07/policy/2021/scheme", "search": "/search?q=ICT", "ontology": "/ontology",
             "turtle": "/id/pref/07/initiative/r4/5.5.5-1.ttl", "query-example": "/query?example=" + sorted(
                 p.stem for p in (ROOT / "queries").glob("*.rq"))[0]}
    results = {}
    for name, path in paths.items():
        times = []
        for _ in range(5):
            started = time.perf_counter()
            r = requests.get(live_server.url(path), headers=JA, timeout=30)
            times.append(time.perf_counter() - started)
            assert r.status_code == 200, path
        results[name] = {"path": path, "median_ms": round(statistics.median(times[1:]) * 1000, 1),
                         "max_ms": round(max(times) * 1000, 1)}
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    (out / "browse-latency.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    # Recorded, not judged: a wall-clock bound breaks on a loaded machine; `make bench` compares speed
    # against a reference measured in the same run.
    assert set(results) == set(paths)
