"""The app-wide Content-Security-Policy in headless Chromium: no page it covers breaks under it.

YASGUI's table plugin adds `<style>` elements from script (blocked before: a console error and a
blank gap above the results); the /sparql query page and its `format=html` results style
themselves inline (allowed by hash); the named-graph page is new. Each is loaded, used, and
checked for CSP violations, both from the console and from `securitypolicyviolation` events.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import open_tab

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-output" / "screenshots"
pytestmark = pytest.mark.chromium

RECORD_VIOLATIONS = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.effectiveDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));"""


@pytest.fixture
def tab(browser, live_server):
    yield from open_tab(browser, live_server, "en-US", init_script=RECORD_VIOLATIONS)


def no_csp_violations(pg) -> None:
    logged = [p for p in pg.problems if "Content Security Policy" in p or "Refused to" in p]
    events = pg.evaluate("window.__csp || []")
    assert not logged and not events, (logged, events)


def test_yasgui_runs_a_query_without_csp_errors_or_a_gap(tab):
    tab.goto(tab.base + "/yasgui")
    tab.wait_for_selector(".yasgui .CodeMirror", state="attached")
    tab.locator(".yasqe_queryButton").click()
    tab.wait_for_selector(".yasr table tbody tr")
    assert tab.locator(".yasr table tbody tr").count() == 10
    # The resizer's own stylesheet applied: its grip container takes no room, so the table follows
    # the results header directly (blocked, it left a blank band of about 150 px).
    gap = tab.evaluate("""() => {
        const header = document.querySelector('.yasr .yasr_header').getBoundingClientRect();
        const table = document.querySelector('.yasr table').getBoundingClientRect();
        return table.top - header.bottom; }""")
    assert gap < 40, gap
    assert tab.evaluate("() => [...document.querySelectorAll('.grip-container')].every(e => e.offsetHeight === 0)")
    tab.locator(".yasr .select_response").click()                     # the other result view
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / "yasgui-results.png"), full_page=True)
    no_csp_violations(tab)


def test_endpoint_query_page_and_html_results_under_the_csp(tab):
    response = tab.goto(tab.base + "/sparql")
    assert response.status == 200 and "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert tab.evaluate("getComputedStyle(document.querySelector('textarea')).fontFamily").startswith("ui-monospace")
    tab.select_option("#format", "html")
    tab.locator("button[type=submit]").click()
    tab.wait_for_selector("table tr td")
    assert tab.locator("table tr").count() > 1
    assert tab.evaluate("getComputedStyle(document.querySelector('td')).borderTopStyle") == "solid"  # styled
    no_csp_violations(tab)


def test_named_graph_page_renders(tab):
    response = tab.goto(tab.base + "/graph/pref/07")
    assert response.status == 200
    assert "Fukushima Prefecture (named graph)" in tab.locator("h1").inner_text()
    tab.locator('a[href="/download/pref-07.ttl"]').wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / "named-graph.png"), full_page=True)
    no_csp_violations(tab)
