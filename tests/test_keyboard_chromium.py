"""A keyboard-only walk in headless Chromium: Tab, Shift-Tab, typing and Enter, never the mouse.

home → section tree → policy section → initiative → KPI → department → search (typed into the
header's search field) → query page → run the query → a result. At every key press an element has
focus and shows it (an outline or a box shadow, never `outline: none` alone), and every step reaches
the next page by pressing Enter on a link or a button that was reached by Tab or Shift-Tab.
"""

from __future__ import annotations

import pytest

from conftest import open_tab

pytestmark = pytest.mark.chromium

# The focused element (for the query editor's text field: the editor box, which shows its focus), and
# whether its focus is visible: a real outline or box shadow, inside the window.
FOCUS = """() => {
  let el = document.activeElement;
  if (!el || el === document.body) return {ok: false, what: 'nothing focused'};
  const editor = el.matches('textarea') && el.closest('.CodeMirror');
  const shown = editor || el;
  const style = getComputedStyle(shown);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
  const box = shown.getBoundingClientRect();
  const inView = box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight;
  const what = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.textContent || el.value || '')
    .trim().slice(0, 30)}" ${el.getAttribute('href') || ''}`;
  return {ok: ring && inView, ring, inView, what};
}"""


@pytest.fixture
def tab(browser, live_server):
    yield from open_tab(browser, live_server, "ja-JP", extra_http_headers={"Accept-Language": "ja"})


def focus_shown(page) -> str:
    state = page.evaluate(FOCUS)
    assert state["ok"], f"focus not visible: {state}"
    return state["what"]


def press(page, key: str) -> str:
    page.keyboard.press(key)
    return focus_shown(page)


def tab_to(page, selector: str, backwards: bool = False, limit: int = 600) -> int:
    """Press Tab (Shift-Tab) until the focused element matches `selector`; every stop shows its focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, limit + 1):
        press(page, key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached with {limit} × {key} on {page.url}")


def follow(page, selector: str, url_glob: str, backwards: bool = False) -> int:
    """Tab to a link, check Shift-Tab and Tab move off and back onto it, press Enter, land on the next page."""
    presses = tab_to(page, selector, backwards)
    target = page.evaluate("() => document.activeElement.getAttribute('href')")
    press(page, "Shift+Tab" if not backwards else "Tab")
    press(page, "Tab" if not backwards else "Shift+Tab")
    assert page.evaluate("(s) => document.activeElement.matches(s)", selector), "Shift-Tab/Tab did not come back"
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == target
    page.keyboard.press("Enter")
    page.wait_for_url(url_glob)
    page.wait_for_load_state("domcontentloaded")
    return presses


def test_keyboard_walk_from_home_to_a_query_result(tab):
    walk = []
    tab.goto(tab.base + "/")
    # The first Tab reaches the skip link; Enter moves to the content, so the header is passed in one key.
    assert press(tab, "Tab").startswith('a "本文へ移動"')
    tab.keyboard.press("Enter")
    assert tab.evaluate("() => document.activeElement.id") == "main"
    scheme = '#prefectures section[data-code="07"] a[href$="/policy/2021/scheme"]'
    walk.append(("home → section tree", follow(tab, scheme, "**/policy/2021/scheme")))
    walk.append(("section tree → section", follow(tab, 'main a[href$="/policy/2021/sec-5.5.5"]', "**/sec-5.5.5")))
    assert tab.locator("nav.crumbs a").all_inner_texts() == ["第5", "5", "5(5)"]
    walk.append(("section → initiative", follow(tab, 'table.initiatives a[href*="/initiative/"]', "**/initiative/**")))
    walk.append(("initiative → KPI", follow(tab, 'table.kpis a[href*="/kpi/"]', "**/kpi/**")))
    assert tab.locator(".big-target").count() == 1
    walk.append(("KPI → department", follow(tab, 'section.summary dd a[href*="/org/"]', "**/org/**")))
    assert tab.locator("table.kpis tbody tr").count() >= 1
    # Search: Shift-Tab back up from the content to the header's search field, type, Enter.
    tab_to(tab, "main a")
    walk.append(("department → search field", tab_to(tab, 'header.site input[type="search"]', backwards=True)))
    tab.keyboard.type("ICT")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/search?q=ICT")
    assert tab.locator("ol.results > li").count() >= 1
    walk.append(("search → query page", follow(tab, 'header.site nav a[href$="/query"]', "**/query")))
    tab.wait_for_selector(".CodeMirror", state="attached")
    # Into the editor (its box shows the focus), on through its scrolling view to Run, and Enter runs it.
    tab_to(tab, ".CodeMirror textarea")
    assert tab.evaluate("() => document.querySelector('.CodeMirror').classList.contains('CodeMirror-focused')")
    walk.append(("query page → Run", tab_to(tab, "button#run")))
    tab.keyboard.press("Enter")
    tab.wait_for_selector("table.results-table tbody tr")
    assert tab.locator("table.results-table tbody tr").count() >= 1
    walk.append(("results → first result", tab_to(tab, "table.results-table a")))
    print("\nkeyboard walk (Tab presses per step):", walk)
    assert not [p for p in tab.problems if "Content Security Policy" in p]


def test_every_focus_stop_on_a_page_is_visible(tab):
    """Every Tab stop of the initiative page and of the comparison timeline shows its focus, in order
    and back again with Shift-Tab, and Tab order ends in the footer (no trap)."""
    for path in ("/id/pref/07/initiative/r4/5.5.5-1", "/compare/plans"):
        tab.goto(tab.base + path)
        stops = []
        for _ in range(400):
            stops.append(press(tab, "Tab"))
            if tab.evaluate("() => !!document.activeElement.closest('footer')"):
                break
        else:
            raise AssertionError(f"Tab never reached the footer of {path}")
        for _ in range(min(len(stops) - 1, 40)):
            press(tab, "Shift+Tab")
