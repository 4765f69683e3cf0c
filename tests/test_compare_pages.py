"""The comparison pages (/compare, issue 10) on the real server over the real build, read with real
clients (requests, BeautifulSoup, csv, an XML parser).

Expected values come from the data: the same queries/compare/*.rq sent to the server's /sparql, and
independent SPARQL where the page's numbers can be counted another way. Also the test of the one query
these pages added, queries/compare/theme-items.rq (`test_c_theme_items`).
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup

from conftest import select
from fukudx_kg.browser.numbers import grouped

COMPARE = Path(__file__).resolve().parent.parent / "queries" / "compare"
JA = {"Accept-Language": "ja", "Accept": "text/html"}
EN = {"Accept-Language": "en", "Accept": "text/html"}
SVG = "{http://www.w3.org/2000/svg}"
PREFIXES = """PREFIX fdx: <https://w3id.org/fukudx/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
LEVELS_JA = {"full-list": "一覧の全体", "partial-items": "一部の項目", "plan-metadata-only": "計画の書誌のみ",
             "not-curated": "未収録"}
# Items of a prefecture in a theme, counted without the comparison queries: initiatives by their own
# fdx:theme, KPIs by theirs or (when they have none) by their initiative's.
ITEMS_BY_THEME = """SELECT DISTINCT ?theme ?code ?kind ?item WHERE {
  { ?item a fdx:Initiative ; fdx:theme ?theme ; fdx:listedIn/fdx:inPrefecture ?p BIND("initiative" AS ?kind) }
  UNION { ?item a fdx:KPI ; fdx:theme ?theme ; (^fdx:hasKPI/fdx:listedIn|fdx:listedIn)/fdx:inPrefecture ?p
          BIND("kpi" AS ?kind) }
  UNION { ?o fdx:hasKPI ?item ; fdx:theme ?theme . ?item a fdx:KPI ;
          (^fdx:hasKPI/fdx:listedIn|fdx:listedIn)/fdx:inPrefecture ?p
          FILTER NOT EXISTS { ?item fdx:theme ?x } BIND("kpi" AS ?kind) }
  ?p fdx:prefectureCode ?code }"""


def rq(name: str, **values) -> str:
    """queries/compare/<name>.rq with its VALUES clauses given other data (written here, not by the app)."""
    text = (COMPARE / f"{name}.rq").read_text(encoding="utf-8")
    for var, value in values.items():
        term = str(value) if isinstance(value, int) else f'"{value}"'
        text, n = re.subn(r"VALUES \?%s \{[^}]*\}" % var, f"VALUES ?{var} {{ {term} }}", text)
        assert n == 1, (name, var)
    return text


def sparql(server, query: str) -> list[dict[str, str]]:
    r = requests.post(server.sparql, data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                      timeout=60)
    r.raise_for_status()
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def get(server, path: str, headers=JA) -> requests.Response:
    r = requests.get(server.url(path), headers=headers, timeout=60)
    assert r.status_code == 200, (path, r.status_code, r.text[:400])
    return r


def page(server, path: str, headers=JA) -> BeautifulSoup:
    return BeautifulSoup(get(server, path, headers).text, "html.parser")


def csv_rows(server, path: str) -> list[list[str]]:
    r = get(server, path)
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))


def path_of(theme_iri: str) -> str:
    return theme_iri.split("/theme/", 1)[1]


def theme_with_most_kpis(server) -> str:
    rows = sparql(server, PREFIXES + f"SELECT ?theme (COUNT(DISTINCT ?item) AS ?n) WHERE {{ {{ {ITEMS_BY_THEME} }} "
                  'FILTER(?kind = "kpi") } GROUP BY ?theme ORDER BY DESC(?n) ?theme LIMIT 1')
    assert rows, "the data links some KPI to a theme"
    return path_of(rows[0]["theme"])


# ------------------------------------------------------------------------------ the query added here

def test_c_theme_items(kg):
    expected: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for r in select(kg, ITEMS_BY_THEME):
        expected.setdefault((r["theme"], r["code"]), set()).add((r["kind"], r["item"]))
    assert expected, "some initiative or KPI is linked to a theme"
    levels = "SELECT ?code ?c WHERE { ?p fdx:prefectureCode ?code ; fdx:completeness/skos:notation ?c }"
    completeness = {r["code"]: r["c"] for r in select(kg, levels)}
    for (theme, code), items in expected.items():
        results = kg.query(rq("theme-items", code=code, themePath=path_of(theme)), use_default_graph_as_union=True)
        names = [v.value for v in results.variables]
        rows = [{n: (row[n].value if row[n] is not None else None) for n in names} for row in results]
        assert {(r["kind"], r["item"]) for r in rows} == items, (theme, code)
        assert {r["completeness"] for r in rows} == {completeness[code]}
        assert all(r["theme"] == theme and r["code"] == code and r["itemLabel"] for r in rows)
        for r in rows:  # the link that puts it there: its own, or its initiative's
            assert r["match"] in ("exact", "broader"), r
            assert (r["via"] == "initiative") == (r["owner"] is not None)


# ------------------------------------------------------------------------------ /compare

def test_overview_matrix_shows_the_query_with_completeness(live_server):
    soup = page(live_server, "/compare")
    rows = sparql(live_server, rq("themes-by-prefecture"))
    codes = sorted({r["code"] for r in rows})
    table = soup.select_one("table#theme-matrix")
    heads = table.select("thead th[data-code]")
    assert [th["data-code"] for th in heads] == codes
    level = {r["code"]: r["completeness"] for r in rows}
    for th in heads:
        assert th.select_one(".completeness")["data-completeness"] == level[th["data-code"]]
        assert th.select_one(".completeness").get_text(strip=True) == LEVELS_JA[level[th["data-code"]]]
    shown = {}
    for tr in table.select("tbody tr"):
        for code, td in zip(codes, tr.select("td"), strict=True):
            if td.has_attr("data-initiatives"):
                shown[(tr["data-theme"], code)] = (td["data-initiatives"], td["data-kpis"])
                assert "".join(td.get_text().split()) == f"{td['data-initiatives']}/{td['data-kpis']}"
            else:
                assert td.get_text(strip=True) == "—"
    assert shown == {(path_of(r["theme"]), r["code"]): (r["initiatives"], r["kpis"]) for r in rows}
    # the initiative counts, counted without the comparison query
    independent = sparql(live_server, PREFIXES + f"SELECT ?theme ?code (COUNT(DISTINCT ?item) AS ?n) "
                         f'WHERE {{ {{ {ITEMS_BY_THEME} }} FILTER(?kind = "initiative") }} GROUP BY ?theme ?code')
    assert {(path_of(r["theme"]), r["code"]): r["n"] for r in independent} == \
        {key: n for key, (n, _) in shown.items() if n != "0"}
    note = soup.select_one('p.not-curated[role="note"]').get_text()
    assert "計画がないという意味ではありません" in note


def _cell_lists(server, kind: str) -> list[tuple[str, int, int]]:
    """(cell link, count in the cell, rows of that kind on the page it links to) for every linked count."""
    soup = page(server, "/compare")
    out = []
    for a in soup.select(f"table#theme-matrix td a.{kind}"):
        listing = page(server, a["href"].split("#")[0])
        section = listing.select_one(f"section#{kind}")
        out.append((a["href"], int(a.get_text()), len(section.select("tbody tr"))))
        for link in section.select("tbody tr td:first-child a")[:3]:
            assert get(server, link["href"]).status_code == 200
    return out


def test_matrix_initiative_counts_link_to_lists_of_as_many(live_server):
    cells = _cell_lists(live_server, "initiatives")
    assert cells
    assert [(href, n) for href, n, _ in cells] == [(href, rows) for href, _, rows in cells]


def test_matrix_kpi_counts_link_to_lists_of_as_many(live_server):
    cells = _cell_lists(live_server, "kpis")
    assert cells
    assert [(href, n) for href, n, _ in cells] == [(href, rows) for href, _, rows in cells]


def test_coverage_lists_all_47_prefectures_with_their_completeness(live_server):
    soup = page(live_server, "/compare")
    expected = {r["code"]: r for r in sparql(live_server, rq("coverage-by-prefecture"))}
    rows = soup.select("table#coverage-table tbody tr")
    assert [tr["data-code"] for tr in rows] == [f"{n:02d}" for n in range(1, 48)] == sorted(expected)
    initiatives = {r["code"]: r["n"] for r in sparql(live_server, PREFIXES + """SELECT ?code (COUNT(DISTINCT ?i) AS ?n)
        WHERE { ?i a fdx:Initiative ; fdx:listedIn/fdx:inPrefecture/fdx:prefectureCode ?code } GROUP BY ?code""")}
    for tr in rows:
        row = expected[tr["data-code"]]
        cells = [td.get_text(strip=True) for td in tr.select("td")]
        assert cells[1] == row["prefecture"]
        assert tr.select_one(".completeness")["data-completeness"] == row["completeness"]
        assert cells[2] == LEVELS_JA[row["completeness"]]
        assert cells[3:8] == [row[k] for k in ("plans", "initiatives", "kpis", "kpiValues", "themeLinks")]
        assert cells[4] == initiatives.get(tr["data-code"], "0")
        assert tr.select_one("td:nth-of-type(2) a")["href"] == f"/id/pref/{tr['data-code']}"
    assert "未収録" in {td.get_text(strip=True) for td in soup.select("#coverage-table td")}


# ------------------------------------------------------------------------------ /compare/kpis

def test_kpis_of_a_theme_side_by_side_one_table_per_unit(live_server):
    path = theme_with_most_kpis(live_server)
    expected = sparql(live_server, rq("kpis-of-theme", themePath=path))
    soup = page(live_server, f"/compare/kpis?theme={path}")
    groups = soup.select("section.unit-group")
    assert [g["data-unit"] for g in groups] == list(dict.fromkeys(r["unit"] for r in expected))
    shown = []
    for group in groups:
        for tr in group.select("tbody tr"):
            cells = [td.get_text(" ", strip=True) for td in tr.select("td")]
            assert cells[3] == group["data-unit"], "never two units in one table"
            assert tr.select_one("td:nth-of-type(3) a")["href"].startswith("/id/")
            assert tr.select_one(".completeness")["data-completeness"]
            shown.append((tr["data-kpi"], tr["data-code"], cells[8].replace("—", ""), cells[9]))
    assert shown == [(r["kpi"], r["code"], grouped(r.get("target", "")), r.get("targetYear", "")) for r in expected]
    themes = sparql(live_server, PREFIXES + "SELECT ?t WHERE { ?t a fdx:Theme }")
    assert {a["data-theme"] for a in soup.select("nav.theme-picker a")} == {path_of(r["t"]) for r in themes}


def test_kpis_page_without_a_theme_is_the_picker(live_server):
    soup = page(live_server, "/compare/kpis")
    links = soup.select("nav.theme-picker a[data-theme]")
    assert links and not soup.select("section.unit-group")
    assert get(live_server, links[0]["href"]).status_code == 200


# ------------------------------------------------------------------------------ /compare/plans

def _inline_svg(html: str) -> ET.Element:
    match = re.search(r"<svg\b.*?</svg>", html, re.S)
    assert match, "an inline SVG"
    return ET.fromstring(match.group(0))


def test_plans_timeline_svg_one_bar_per_plan_and_the_same_table(live_server):
    html = get(live_server, "/compare/plans").text
    plans = sparql(live_server, rq("plans-timeline"))
    svg = _inline_svg(html)
    assert svg.find(f"{SVG}title").text and svg.find(f"{SVG}desc").text
    bars = svg.findall(f".//{SVG}g[@class='plan']")
    assert [g.get("data-plan") for g in bars] == [r["plan"] for r in plans]
    per_year = []
    for g, row in zip(bars, plans, strict=True):
        assert row["title"] in g.find(f"{SVG}title").text
        rect = g.find(f".//{SVG}rect")
        assert "bar" in rect.get("class")
        first, last = row.get("firstFY"), row.get("lastFY")
        assert (g.get("data-first"), g.get("data-last")) == (first or "", last or "")
        if first and last:
            assert g.get("data-kind") == "known" and not g.findall(f"{SVG}text[@class='marker']")
            per_year.append(float(rect.get("width")) / (int(last) - int(first) + 1))
        else:  # drawn apart, and said in words
            assert "open" in rect.get("class") and rect.get("stroke-dasharray")
            marker = g.find(f"{SVG}text[@class='marker']").text
            assert ("開始年度不明" if last else "終了年度不明" if first else "期間不明") in marker
    assert per_year and max(per_year) - min(per_year) < 0.1, "one width per fiscal year on the shared axis"
    soup = BeautifulSoup(html, "html.parser")
    table = soup.select("table#plans-table tbody tr")
    assert [tr["data-plan"] for tr in table] == [r["plan"] for r in plans]
    for tr, row in zip(table, plans, strict=True):
        assert tr.select_one(".completeness")["data-completeness"] == row["completeness"]
    groups = svg.findall(f".//{SVG}g[@class='prefecture']")
    assert [g.get("data-code") for g in groups] == list(dict.fromkeys(r["code"] for r in plans))


@pytest.mark.parametrize("fy", [2024, 2016, 2031])
def test_plans_covering_a_fiscal_year(live_server, fy):
    soup = page(live_server, f"/compare/plans?fy={fy}")
    expected = sparql(live_server, rq("plans-covering-fy", fy=fy))
    form = soup.select_one("form.fy-form")
    assert form["method"] == "get" and form.select_one("input[name=fy]")["value"] == str(fy)
    rows = soup.select("table#covering-table tbody tr")
    assert [(tr["data-plan"], tr["data-covers"]) for tr in rows] == [(r["plan"], r["covers"]) for r in expected]
    for r in expected:  # what "covers" means, checked on the numbers
        first, last = int(r.get("firstFY") or 0), int(r.get("lastFY") or 9999)
        assert first <= fy <= last
        assert (r["covers"] == "yes") == ("firstFY" in r and "lastFY" in r)
    assert f"{fy}年度を含む計画：{len(expected)}件" in soup.select_one("#covering-summary").get_text()


# ------------------------------------------------------------------------------ CSV

def _query(href: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(href)
    return parts.path, sorted(parse_qsl(parts.query))


def _html_keys(soup: BeautifulSoup, selector: str, attr: str) -> list[str]:
    return [tr[attr] for tr in soup.select(selector)]


def test_every_table_downloads_as_csv_with_the_rows_of_the_page(live_server):
    theme = theme_with_most_kpis(live_server)
    code = sparql(live_server, PREFIXES + f"SELECT ?code WHERE {{ {{ {ITEMS_BY_THEME} }} "
                  f'FILTER(STRENDS(STR(?theme), "/theme/{theme}")) }} ORDER BY ?code LIMIT 1')[0]["code"]
    cases = [  # page, CSV, rows of the HTML table, their key, the CSV column with the same key
        ("/compare", "/compare?format=csv&table=coverage", "#coverage-table tbody tr", "data-code", "code"),
        (f"/compare/kpis?theme={theme}", f"/compare/kpis?theme={theme}&format=csv", "section.unit-group tbody tr",
         "data-kpi", "kpi"),
        (f"/compare/theme?theme={theme}&pref={code}", f"/compare/theme?theme={theme}&pref={code}&format=csv",
         "table.items tbody tr", "data-item", "item"),
        ("/compare/plans", "/compare/plans?format=csv&table=plans", "#plans-table tbody tr", "data-plan", "plan"),
        ("/compare/plans?fy=2025", "/compare/plans?fy=2025&format=csv&table=covering", "#covering-table tbody tr",
         "data-plan", "plan"),
    ]
    for html_path, csv_path, selector, attr, column in cases:
        soup = page(live_server, html_path)
        header, *rows = csv_rows(live_server, csv_path)
        assert column in header and "completeness" in header, csv_path
        assert [r[header.index(column)] for r in rows] == _html_keys(soup, selector, attr), csv_path
        assert len({len(r) for r in rows} | {len(header)}) == 1
        assert _query(csv_path) in [_query(a["href"]) for a in soup.select("a.csv")], f"the page links {csv_path}"


def test_matrix_csv_has_the_cells_of_the_page(live_server):
    soup = page(live_server, "/compare")
    header, *rows = csv_rows(live_server, "/compare?format=csv")
    codes = [th["data-code"] for th in soup.select("#theme-matrix thead th[data-code]")]
    assert header[:2] == ["theme", "themeLabel"]
    assert header[2:] == [f"{k}:{c}" for c in codes for k in ("initiatives", "kpis", "completeness")]
    html_rows = soup.select("#theme-matrix tbody tr")
    assert [path_of(r[0]) for r in rows] == [tr["data-theme"] for tr in html_rows]
    for row, tr in zip(rows, html_rows, strict=True):
        for i, td in enumerate(tr.select("td")):
            initiatives, kpis, level = row[2 + 3 * i: 5 + 3 * i]
            assert (initiatives, kpis) == (td.get("data-initiatives", ""), td.get("data-kpis", ""))
            assert level in LEVELS_JA
    assert _query("/compare?format=csv&table=themes") in [_query(a["href"]) for a in soup.select("a.csv")]


# ------------------------------------------------------------------------------ parameters and languages

@pytest.mark.parametrize("path, says", [
    ("/compare/kpis?theme=no-such-theme", "theme="),
    ('/compare/kpis?theme=online-procedures"}%20?s%20?p%20?o%20{', "theme="),
    ("/compare/kpis?theme=&format=csv", "theme="),
    ("/compare/theme?pref=07", "theme="),
    ("/compare/theme?theme=online-procedures&pref=7", "pref="),
    ("/compare/theme?theme=online-procedures&pref=0x", "pref="),
    ("/compare/theme?theme=online-procedures&pref=99", "pref="),
    ("/compare/theme?theme=online-procedures", "pref="),
    ("/compare/plans?fy=abc", "fy="),
    ("/compare/plans?fy=1800", "fy="),
    ("/compare/plans?fy=20245", "fy="),
    ("/compare/plans?fy=2024%20UNION", "fy="),
    ("/compare?format=xml", "format="),
    ("/compare?table=nothing", "table="),
    ("/compare/plans?format=csv&table=coverage", "table="),
])
def test_bad_parameters_give_400_with_a_message(live_server, path, says):
    r = requests.get(live_server.url(path), headers=JA, timeout=30)
    assert r.status_code == 400, (path, r.status_code)
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.text.startswith("400 Bad Request: ") and says in r.text
    assert "Traceback" not in r.text and "SELECT" not in r.text


def test_pages_in_english_and_linked_from_the_navigation(live_server):
    soup = page(live_server, "/compare", EN)
    assert soup.select_one("h1").get_text(strip=True) == "Comparing prefectures"
    assert "not that it has no plan" in soup.select_one("p.not-curated").get_text()
    assert {t.get_text(strip=True) for t in soup.select(".completeness")} <= {
        "full list", "partial items", "plan metadata only", "not curated"}
    home = page(live_server, "/")
    assert home.select_one('header nav a[href="/compare"]').get_text(strip=True) == "比較"
    plans = _inline_svg(get(live_server, "/compare/plans", EN).text)
    assert plans.find(f"{SVG}title").text == "Plan periods (fiscal years)"
