"""WCAG 2.1 AA (JIS X 8341-3:2016) on every page kind, in Japanese and English, in headless Chromium.

axe-core (npm, exact version in package.json; injected from node_modules, no CDN) runs the WCAG 2.0/2.1
A and AA rules on each page kind. Then what axe cannot judge: one h1 and no skipped heading level;
`lang` on the page and on every Japanese text of an English page (and on the other-language labels of a
Japanese page); a caption and scoped header cells on every table; a title, a description and the same
data as a table for every SVG picture; no page wider than a 640 px viewport (200 % zoom), whose
screenshots go to test-output/screenshots-200/.

The one exception: YASGUI's tab bar (`#yasgui .tabsList`, role=tablist) holds its "add tab" button,
which a tablist may not contain (aria-required-children). It is the widget's own markup, rebuilt on
every tab change; we cannot move the button from outside without breaking the widget. Only that rule on
that element is waived; the plain form of /query carries the same function and passes everything.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from conftest import open_tab
from fukudx_kg.browser import numbers
from fukudx_kg.examples import examples

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-output" / "screenshots-200"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WAIVED = {"aria-required-children": "#yasgui .tabsList"}   # see the module docstring

# One page of every kind the browser has (each class view, the generic resource page, the comparison
# pages, the query pages with and without the editor, 404). `wait` is a selector that must be there.
PAGES = [
    ("home", "/", None), ("concept-scheme", "/id/pref/07/policy/2021/scheme", None),
    ("section", "/id/pref/07/policy/2021/sec-5.5.5", None),
    ("section-roadmap", "/id/pref/07/policy/2024/sec-4", None),
    ("roadmap", "/id/pref/07/policy/2024/roadmap-5", None),
    ("initiative", "/id/pref/07/initiative/r4/5.5.5-1", None), ("program", "/id/pref/07/program/r4-4-1.1.4-1", None),
    ("kpi", "/id/pref/07/kpi/r4/4.5.6-2-1", None), ("kpi-value", "/id/pref/07/kpi/r4/5.4.2.i-4-1/target-2022", None),
    ("department", "/id/pref/07/org/kiki-kanri-bu", None), ("municipality", "/id/municipality/072010", None),
    ("region", "/id/pref/07/region/kenpoku", None), ("municipality-group", "/id/pref/07/group/evacuation-12", None),
    ("meeting", "/id/pref/07/meeting/2024-03-25", None),
    ("statement", "/id/pref/07/meeting/2024-03-25/statement/5", None),
    ("service", "/id/pref/07/service/bousai-app", None), ("fiscal-year", "/id/fy/2022", None),
    ("theme", "/id/theme/domain/digital-divide", None), ("prefecture", "/id/pref/07", None),
    ("not-curated-prefecture", "/id/pref/05", None), ("plan", "/id/pref/07/doc/r4-initiatives", None),
    ("source-excerpt", "/id/pref/07/source/002_83cdc51f1d24fcbc/L574-576", None),
    ("theme-link", "/id/pref/07/theme-link/initiative/r4/5.2.1-3/domain/work-styles", None),
    ("mie-initiative", "/id/pref/24/initiative/midejiplan/3-1-1", None),
    ("mie-kpi", "/id/pref/24/kpi/midejiplan/3-1-1-1", None),
    ("graph", "/graph/pref/07", None), ("void", "/.well-known/void", None),
    ("other-vocabulary-term", "/resource?iri=http%3A%2F%2Fwww.w3.org%2Fns%2Forg%23FormalOrganization", None),
    ("ontology", "/ontology", None), ("ontology-class", "/ontology/Initiative", None),
    ("ontology-property", "/ontology/hasKPI", None),
    ("search", "/search?q=ICT", None), ("search-empty", "/search", None),
    ("query", "/query", ".CodeMirror"), ("query-plain", "/query", "textarea#query"),
    ("query-results", "/query?example=kpis-by-unit", ".CodeMirror"),
    ("yasgui", "/yasgui", "#yasgui .CodeMirror"), ("yasgui-results", "/yasgui", "#yasgui .yasr table"),
    ("not-found", "/id/no/such/thing", None),
    ("compare", "/compare", None), ("compare-kpis", "/compare/kpis", None),
    ("compare-kpis-theme", "/compare/kpis?theme=domain/construction-infrastructure", None),
    ("compare-theme", "/compare/theme?theme=domain/digital-divide&pref=07", None),
    ("compare-plans", "/compare/plans", None),
]
SHOW_PART = {"section-roadmap": "section#roadmap", "department": "figure.chart", "compare-plans": "section#timeline"}
MAIN_PAGES = ["home", "section-roadmap", "initiative", "kpi", "department", "search", "query-results", "compare",
              "compare-plans"]

# What axe cannot see, checked in the page: problems as readable lines.
STRUCTURE = r"""(lang) => {
  const out = [];
  const mine = (el) => !el.closest('#yasgui, .CodeMirror');
  if (document.documentElement.lang !== lang) out.push(`html lang is ${document.documentElement.lang}`);
  const hs = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].filter(mine);
  if (hs.filter(h => h.tagName === 'H1').length !== 1) out.push(`${hs.filter(h => h.tagName === 'H1').length} h1`);
  if (hs.length && hs[0].tagName !== 'H1') out.push(`first heading is ${hs[0].tagName}`);
  hs.forEach((h, i) => { if (i && +h.tagName[1] > +hs[i - 1].tagName[1] + 1)
    out.push(`heading skips a level: ${hs[i - 1].tagName} → ${h.tagName} "${h.textContent.trim().slice(0, 40)}"`); });
  for (const t of [...document.querySelectorAll('table')].filter(mine)) {
    const name = (t.id || t.className || 'table');
    if (!t.caption || !t.caption.textContent.trim()) out.push(`table ${name} has no caption`);
    if (!t.querySelector('th')) out.push(`table ${name} has no header cell`);
    t.querySelectorAll('th:not([scope])')
      .forEach(th => out.push(`th without scope in ${name}: ${th.textContent.trim().slice(0, 30)}`));
  }
  for (const s of document.querySelectorAll('svg.chart')) {
    const title = s.querySelector(':scope > title'), desc = s.querySelector(':scope > desc');
    if (!title || !title.textContent.trim()) out.push('svg without title');
    if (!desc || !desc.textContent.trim()) out.push(`svg without desc: ${title && title.textContent}`);
    if (!['img', 'group'].includes(s.getAttribute('role'))) out.push('svg without role');
    const ids = (s.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
    if (!ids.length || ids.some(id => !document.getElementById(id))) out.push('svg not labelled by its title');
    const home = s.closest('figure.chart');
    const next = home && home.nextElementSibling;
    const table = home && (home.querySelector('table') || (next && next.querySelector('table'))
      || home.closest('section').querySelector('table'));
    if (!table) out.push(`svg without the same data as a table: ${title && title.textContent}`);
  }
  const japanese = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff66-\uff9f]/;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !mine(el) || el.closest('script,style,textarea') || !n.textContent.trim()) continue;
    // An SVG title or desc is plain text: one mixing languages cannot mark its Japanese words (the
    // figure's caption, which can, says the same).
    if (el.closest('svg title, svg desc') && /[A-Za-z]{2}/.test(n.textContent)) continue;
    const tagged = (el.closest('[lang]') || document.documentElement).getAttribute('lang') || '';
    if (lang !== 'ja' && japanese.test(n.textContent) && !tagged.startsWith('ja'))
      out.push(`Japanese text without lang=ja: "${n.textContent.trim().slice(0, 40)}" in ${el.tagName}`);
  }
  document.querySelectorAll('.alt:not([lang])')
    .forEach(el => out.push(`other-language label without lang: ${el.textContent}`));
  return out;
}"""

AXE_RUN = """async ([tags, waived]) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, elementRef: true});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
      nodes: v.nodes.filter(n => !(waived[v.id] && n.element && n.element.matches(waived[v.id])))
                    .map(n => `${n.target.join(' ')}\\n      ${(n.failureSummary || '').replace(/\\n/g, ' ')}`)}))
    .filter(v => v.nodes.length);
}"""


def readable(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['url']}")
        lines += [f"    {n}" for n in v["nodes"][:8]]
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def open_page(tab, name: str, path: str, wait: str | None, lang: str):
    """Go to the page in `lang` (as ?lang= would set it) and wait until what it needs is there."""
    if name == "query-plain":   # the editor's files do not arrive: the plain form must stand alone
        tab.route("**/assets/vendor/**", lambda route: route.abort())
    response = tab.goto(tab.base + path + ("&" if "?" in path else "?") + f"lang={lang}")
    if name == "yasgui-results":
        tab.wait_for_selector("#yasgui .yasqe_queryButton")
        tab.click("#yasgui .yasqe_queryButton")
    if wait:
        tab.wait_for_selector(wait, state="attached")
    return response


@pytest.fixture
def tab(request, browser, live_server):
    if not AXE.is_file():
        pytest.fail(f"axe-core missing at {AXE}: run `npm ci` (package.json lists it)")
    callspec = getattr(request.node, "callspec", None)
    lang = callspec.params.get("lang", "ja") if callspec else "ja"
    # axe-core is injected as an inline script; the pages' CSP rightly forbids that, so this
    # browser context (and only it) bypasses the CSP. The other Chromium tests keep it.
    yield from open_tab(browser, live_server, lang, bypass_csp=True)


@pytest.mark.chromium
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("name, path, wait", PAGES, ids=[p[0] for p in PAGES])
def test_page_meets_wcag_21_aa(tab, lang, name, path, wait):
    response = open_page(tab, name, path, wait, lang)
    assert response.status == (404 if name == "not-found" else 200)
    if name == "query-plain":
        assert tab.locator("textarea#query").is_visible() and not tab.locator(".CodeMirror").count()
    tab.add_script_tag(path=str(AXE))
    violations = tab.evaluate(AXE_RUN, [TAGS, WAIVED])
    problems = tab.evaluate(STRUCTURE, lang)
    assert not violations and not problems, (f"{name} ({lang}) {path}\n" + readable(violations) + "\n"
                                             + "\n".join(problems))


@pytest.mark.chromium
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("name", MAIN_PAGES)
def test_main_pages_at_200_percent_zoom(browser, live_server, lang, name):
    """1280 px at 200 %: a 640 px wide viewport at device scale 2. Nothing but a wide table or picture's
    own scrolling region may be wider than the window (WCAG 1.4.10 reflow)."""
    path, wait = next((p, w) for n, p, w in PAGES if n == name)
    context = browser.new_context(locale=lang, viewport={"width": 640, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(live_server.base + path + ("&" if "?" in path else "?") + f"lang={lang}")
        if wait:
            page.wait_for_selector(wait, state="attached")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} ({lang}) is {overflow}px wider than a 640px window"
        if name == "home":                 # the skip link, as the first Tab shows it
            page.keyboard.press("Tab")
        elif name in SHOW_PART:            # the part of the page the picture is about, tables opened
            page.evaluate("(s) => { document.querySelectorAll('details.as-table').forEach(d => d.open = true); "
                          "document.querySelector(s).scrollIntoView(); }", SHOW_PART[name])
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{lang}.png"), full_page=False)
    finally:
        context.close()


@pytest.mark.chromium
def test_nothing_is_told_by_colour_alone(tab, live_server):
    tab.goto(tab.base + "/?lang=ja")
    # numeric vs qualitative KPIs: the qualitative series (and its legend key) is hatched, and the table says it
    chart = tab.locator('figure.chart[data-pref="07"]')
    fills = chart.locator("svg rect").evaluate_all("els => els.map(e => e.getAttribute('fill'))")
    assert any(f.startswith("url(#") for f in fills) and any(f.startswith("#") and f != "#ffffff" for f in fills)
    assert chart.locator("details.as-table th[scope=col]").all_text_contents()[1:3] == ["数値目標", "定性的な目標"]
    # KPI tables say "qualitative" in words where a number would be
    tab.goto(tab.base + "/id/pref/07/org/kiki-kanri-bu?lang=ja")
    assert tab.locator("table.kpis td.num", has_text="定性的な目標").count() >= 1
    # placed vs unplaced roadmap texts: two tables named by their captions, and the picture's panel in words
    tab.goto(tab.base + "/id/pref/07/policy/2024/roadmap-5?lang=ja")
    assert tab.locator("table.placed caption").text_content() == "年度に配置された記載"
    assert tab.locator("table.unplaced caption").text_content() == "年度・行を特定できない記載"
    assert tab.locator("table.unplaced tbody tr").count() >= 1
    assert "年度・行を特定できない記載" in tab.locator("section#roadmap svg").text_content()
    # plans with a bound not given: dashed and marked in words
    tab.goto(tab.base + "/compare/plans?lang=ja")
    assert "終了年度不明" in tab.locator('g.plan[data-kind="open-end"]').first.text_content() or \
        tab.locator('g.plan[data-kind="unknown"] text.marker').first.text_content().strip()


@pytest.mark.chromium
def test_skip_link_and_visible_focus(tab):
    tab.goto(tab.base + "/id/pref/07/initiative/r4/5.5.5-1?lang=ja")
    tab.keyboard.press("Tab")
    skip = tab.evaluate("() => [document.activeElement.className, document.activeElement.textContent]")
    assert skip == ["skip", "本文へ移動"]
    box = tab.locator("a.skip").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the skip link is shown when focused"
    assert tab.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    tab.keyboard.press("Enter")
    assert tab.evaluate("() => document.activeElement.id") == "main"
    tab.keyboard.press("Tab")   # the next stop is inside the content, not back in the header
    assert tab.evaluate("() => document.getElementById('main').contains(document.activeElement)")
    tab.goto(tab.base + "/?lang=en")
    tab.keyboard.press("Tab")
    assert tab.locator("a.skip").inner_text() == "Skip to content"


# ------------------------------------------------------------------------------ Japanese-first reading

def test_every_example_query_asks_its_question_in_japanese_too():
    found = examples()
    assert len(found) >= 30
    for ex in found:
        lines = ex.text.splitlines()
        assert lines[0].startswith("# Question: ") and lines[1].startswith("# 質問: "), ex.slug
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ex.question_ja) and ex.question_ja.endswith("？"), ex.slug
        assert ex.question_in("ja") == ex.question_ja and ex.question_in("en") == ex.question


def test_questions_are_shown_in_the_page_language(live_server):
    ja = BeautifulSoup(requests.get(live_server.url("/query?lang=ja"), timeout=30).text, "html.parser")
    en = BeautifulSoup(requests.get(live_server.url("/query?lang=en"), timeout=30).text, "html.parser")
    by_slug = {ex.slug: ex for ex in examples()}
    for soup, lang in ((ja, "ja"), (en, "en")):
        links = soup.select("aside.examples a.example")
        assert len(links) == len(by_slug)
        for a in links:
            assert a.get_text() == by_slug[a["data-slug"]].question_in(lang)
    # Japanese words inside an English question are marked as Japanese
    kpis = en.select_one('a.example[data-slug="kpis-of-department"]')
    assert kpis.select_one('span[lang="ja"]').get_text() == "デジタル変革課"
    home = BeautifulSoup(requests.get(live_server.url("/?lang=ja"), timeout=30).text, "html.parser")
    assert all(re.search(r"[\u3040-\u30ff]", a.get_text()) for a in home.select("#downloads a[href*='example=']"))


def test_japanese_numbers():
    assert numbers.japanese(1_100_000, "110万") == "110万"
    assert numbers.japanese(86_158, "8万6158") == "8万6,158"
    assert numbers.japanese(3_700_000_000, "37億") == "37億"
    assert numbers.japanese(80_300_000, "8,030万") == "8,030万"
    assert numbers.japanese(11_400, "11,400") is None          # printed plainly: never rewritten into 万
    assert numbers.japanese(12.5, "12.5万") is None             # not a whole number: stays exact
    assert numbers.grouped("1100000") == "1,100,000" and numbers.grouped("61.0") == "61"


def test_kpi_pages_show_man_where_the_source_printed_it(live_server):
    query = """PREFIX fdx: <https://w3id.org/fukudx/ontology#>
        SELECT ?k WHERE { ?k fdx:valueAsPrinted "110万" ; fdx:targetValue ?v } LIMIT 1"""
    kpi = requests.post(live_server.sparql, data={"query": query},
                        headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    iri = kpi["results"]["bindings"][0]["k"]["value"]
    path = "/id/" + iri.split("/id/", 1)[1]
    ja = BeautifulSoup(requests.get(live_server.url(path + "?lang=ja"), timeout=30).text, "html.parser")
    shown = ja.select_one(".big-target .num-ja")
    assert shown.get_text() == "110万" and shown["title"] == "1,100,000"
    en = BeautifulSoup(requests.get(live_server.url(path + "?lang=en"), timeout=30).text, "html.parser")
    assert en.select_one(".big-target .num").get_text(strip=True) == "1,100,000" and not en.select(".num-ja")
