"""/search?q=…: NFKC substring search over labels and descriptions, as HTML or JSON."""

from __future__ import annotations

from flask import current_app, g, request, url_for

from fukudx_kg.browser.core import HTML, bp, render_page, state, t, text_response
from fukudx_kg.browser.describe import Describer
from fukudx_kg.browser.reader import PREFIXES
from fukudx_kg.web.conneg import UnknownFormat, negotiate
from fukudx_kg.web.input_guard import Pager


@bp.route("/search")
def search():
    d: Describer = g.describer
    q = request.args.get("q", "")[:200]
    hits = state().search.index(d.reader).search(q) if q.strip() else []
    size = 50
    pager = Pager.current(len(hits), size)
    page = pager.page
    shown = hits[pager.offset: pager.offset + size]
    d.load_labels([h.iri for h in shown] + [tp for h in shown for tp in h.types])
    results = []
    for h in shown:
        fdx_types = [tp for tp in h.types if tp.startswith(PREFIXES["fdx"])] or h.types[:1]
        results.append({"link": d.link(h.iri), "types": [d.link(tp) for tp in fdx_types], "field": d.link(h.field),
                        "segments": h.segments, "lang": h.lang, "score": round(h.score, 2)})
    try:
        media = negotiate(request.headers.get("Accept"), [HTML, "application/json"], request.args.get("format"))
    except UnknownFormat as exc:
        return text_response(400, f"400 Bad Request: {exc}")
    if media == "application/json":
        response = current_app.response_class(
            current_app.json.dumps({"q": q, "total": len(hits), "page": page, "results": [
                {"iri": r["link"].iri, "label": r["link"].label, "url": r["link"].href,
                 "types": [tp.iri for tp in r["types"]], "matched": "".join(s for s, _ in r["segments"]),
                 "field": r["field"].iri, "score": r["score"]} for r in results]}),
            mimetype="application/json")
        response.vary.add("Accept")
        return response
    pages = pager.pages
    response = render_page("browser/search.html", title=t("search.title"), q=q, total=len(hits), results=results,
                     page=page, pages=pages,
                     prev=url_for("browse.search", q=q, page=page - 1) if page > 1 else None,
                     next=url_for("browse.search", q=q, page=page + 1) if page < pages else None)
    response.vary.add("Accept")
    return response
