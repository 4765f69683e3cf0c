"""The browser as a person uses it, in headless Debian Chromium driven by Playwright.

Clicks from the home page through a policy section to an initiative, its department and a KPI;
runs an example query from the query page; switches language; and saves a screenshot of every
page type under test-output/screenshots/. Skips with the reason when Chromium or Playwright is
missing, except in CI (scripts/ensure-chromium.sh installs Chromium; see the `browser` fixture).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import open_tab

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-output" / "screenshots"
pytestmark = pytest.mark.chromium


@pytest.fixture
def tab(browser, live_server):
    yield from open_tab(browser, live_server, "ja-JP", extra_http_headers={"Accept-Language": "ja"})


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_csp_violations(pg) -> None:
    bad = [p for p in pg.problems if "Content Security Policy" in p or "Refused to" in p]
    assert not bad, bad


def test_click_through_section_initiative_department_kpi(tab):
    tab.goto(tab.base + "/")
    assert tab.locator("html").get_attribute("lang") == "ja"
    shot(tab, "home")
    tab.locator('#prefectures section[data-code="07"] a[href$="/policy/2021/scheme"]').click()  # a section tree
    tab.wait_for_url("**/policy/2021/scheme")
    shot(tab, "concept-scheme")
    tab.locator('a[href$="/policy/2021/sec-5.5.5"]').first.click()
    tab.wait_for_url("**/sec-5.5.5")
    assert tab.locator("nav.crumbs a").all_inner_texts() == ["第5", "5", "5(5)"]
    shot(tab, "policy-section")
    tab.locator('table.initiatives a[href*="/initiative/"]').first.click()
    tab.wait_for_url("**/initiative/**")
    assert tab.locator("table.kpis tbody tr").count() >= 1
    assert tab.locator("section#provenance pre").first.inner_text().strip()
    assert tab.locator("header.res-head dd.prefecture").inner_text() == "福島県"
    shot(tab, "initiative")
    tab.locator("section.summary dd div a").last.click()      # the responsible unit (課), not its 部
    tab.wait_for_url("**/org/**")
    assert tab.locator("table.kpis tbody tr").count() >= 1
    shot(tab, "department")
    tab.locator('table.kpis a[href*="/kpi/"]').first.click()
    tab.wait_for_url("**/kpi/**")
    assert tab.locator(".big-target").count() == 1
    shot(tab, "kpi")
    no_csp_violations(tab)


def test_run_an_example_query(tab):
    tab.goto(tab.base + "/query")
    tab.wait_for_selector(".CodeMirror", state="attached")    # the YASQE editor loaded from node_modules
    shot(tab, "query-page")
    example = tab.locator("a.example").first
    slug = example.get_attribute("data-slug")
    example.click()
    tab.wait_for_url(f"**/query?example={slug}")
    tab.wait_for_selector("table.results-table tbody tr")
    assert tab.locator("table.results-table tbody tr").count() >= 1
    shot(tab, "query-results")
    # The editor's text is what the form submits: edit, run with the button.
    tab.evaluate("""() => { const cm = document.querySelector('.CodeMirror').CodeMirror;
        cm.setValue('SELECT ?m WHERE { ?m a <https://w3id.org/fukudx/ontology#Meeting> }'); }""")
    tab.locator("#run").click()
    tab.wait_for_selector("table.results-table tbody tr")
    assert tab.locator("table.results-table tbody tr").count() >= 2
    tab.locator('table.results-table a[href^="/id/"]').first.click()
    tab.wait_for_url("**/meeting/**")
    shot(tab, "meeting")
    no_csp_violations(tab)


def test_switch_language(tab):
    tab.goto(tab.base + "/id/municipality/072010")
    assert tab.locator("h1").inner_text() == "福島市"
    shot(tab, "municipality")
    tab.locator("#lang-switch").click()
    tab.wait_for_url("**lang=en**")
    assert tab.locator("html").get_attribute("lang") == "en"
    assert tab.locator("h1").inner_text() == "Fukushima-shi"
    assert "Home" in tab.locator("header.site nav").inner_text()
    shot(tab, "municipality-en")
    tab.goto(tab.base + "/id/fy/2022")                           # the choice is remembered
    assert tab.locator("html").get_attribute("lang") == "en"
    shot(tab, "fiscal-year-en")
    tab.locator("#lang-switch").click()
    assert tab.locator("html").get_attribute("lang") == "ja"
    no_csp_violations(tab)


def test_home_shows_each_prefecture_and_a_partial_coverage(tab):
    tab.goto(tab.base + "/")
    assert tab.locator("#prefectures section.card.prefecture").count() >= 2
    note = tab.locator('#prefectures section[data-code="24"] p.coverage')
    assert note.is_visible() and "一部のみ" in note.inner_text()
    tab.locator('#prefectures section[data-code="24"] details.parts summary').click()   # the plan's pages
    assert tab.locator('#prefectures section[data-code="24"] details.parts a.web').first.is_visible()
    no_csp_violations(tab)


@pytest.mark.parametrize("name, path", [
    ("search", "/search?q=ICT"), ("ontology", "/ontology"), ("ontology-class", "/ontology/Initiative"),
    ("roadmap", "/id/pref/07/policy/2024/roadmap-5"), ("section-2024-roadmap", "/id/pref/07/policy/2024/sec-4"),
    ("prefecture", "/id/pref/07"), ("program", "/id/pref/07/initiative/r4/5.5.5-1"), ("void", "/.well-known/void"),
    ("yasgui", "/yasgui"), ("not-found", "/id/no/such/thing"),
    ("mie-initiative", "/id/pref/24/initiative/midejiplan/3-1-1"), ("mie-prefecture", "/id/pref/24"),
])
def test_page_types_render(tab, name, path):
    response = tab.goto(tab.base + path)
    assert response.status == (404 if name == "not-found" else 200)
    if name == "yasgui":
        tab.wait_for_selector(".yasgui .CodeMirror", state="attached")
    if name == "program":  # reach the program page the way a reader would
        tab.locator('section.summary a[href*="/program/"]').first.click()
        tab.wait_for_url("**/program/**")
    shot(tab, name)
    assert tab.locator("h1").count() >= 1
    no_csp_violations(tab)
