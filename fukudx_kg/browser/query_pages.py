"""/query (plain form, results as a table), /yasgui (the YASGUI editor) and its vendored files."""

from __future__ import annotations

from flask import current_app, g, request, send_file

from fukudx_kg import examples as example_queries
from fukudx_kg.browser import query_ui
from fukudx_kg.browser.core import bp, render_page, t, text_response
from fukudx_kg.browser.describe import Describer
from fukudx_kg.examples import first_query
from fukudx_kg.paths import NODE_MODULES
from fukudx_kg.web import security_headers

VENDOR = {  # files served from node_modules (installed from the npm registry by setup; no CDN)
    "yasqe.min.js": "@zazuko/yasqe/build/yasqe.min.js",
    "yasqe.min.css": "@zazuko/yasqe/build/yasqe.min.css",
    "yasgui.min.js": "@zazuko/yasgui/build/yasgui.min.js",
    "yasgui.min.css": "@zazuko/yasgui/build/yasgui.min.css",
}
VENDOR_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}

@bp.route("/query", methods=["GET", "POST"])
def query_page():
    d: Describer = g.describer
    examples = example_queries.examples()
    source = request.form if request.method == "POST" else request.args
    text = source.get("query", "")
    chosen = None
    slug = source.get("example")
    if slug and not text:
        chosen = example_queries.example(slug)
        if chosen is None:
            return render_page("browser/query.html", 404, title=t("q.title"), examples=examples, text="", outcome=None,
                         chosen=None, error=f"no example query named {slug!r}")
        text = chosen.text
    outcome = None
    if text.strip():
        outcome = query_ui.run(current_app._get_current_object(), text)
        if outcome.kind == "table":
            iris = [c.value for row in outcome.rows for c in row if c.kind == "uri"]
            d.load_labels(iris)
    status = 200 if outcome is None or outcome.status == 200 else (outcome.status if outcome.status < 500 else 200)
    if not text.strip():
        text = first_query()
    response = render_page("browser/query.html", status, title=t("q.title"), examples=examples, text=text,
                           outcome=outcome, chosen=chosen, error=None, cell_link=_cell_link)
    return response




def _cell_link(value: str):
    d: Describer = g.describer
    return d.link(value)


@bp.route("/yasgui")
def yasgui():
    # YASGUI's table plugin adds <style> elements from script; yasgui-page.js gives them this
    # response's nonce, so the CSP still forbids every other inline style (and all inline script).
    response = render_page("browser/yasgui.html", title="YASGUI", examples=example_queries.examples(),
                     style_nonce=security_headers.style_nonce())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/assets/vendor/<name>")
def vendor(name: str):
    rel = VENDOR.get(name)
    path = NODE_MODULES / rel if rel else None
    if path is None or not path.is_file():
        return text_response(404, "404 Not Found: front-end package missing; run `npm ci` in the repository root")
    response = send_file(path, max_age=86400, conditional=True)
    response.headers["Content-Type"] = VENDOR_TYPES[path.suffix]
    return response
