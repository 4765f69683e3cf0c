"""/search?q=…[&pref=NN]: NFKC substring search over labels and descriptions, as HTML or JSON.

Every hit says its prefecture (the prefecture graph it is stated in; "shared" for fiscal years,
themes and the vocabulary), and `pref=` keeps the hits of one prefecture.
"""

from __future__ import annotations

from flask import current_app, g, request, url_for

from fukudx_kg.browser.core import HTML, bp, overview, render_page, state, t, text_response
from fukudx_kg.browser.describe import Describer
from fukudx_kg.browser.reader import PREFIXES
from fukudx_kg.web.conneg import UnknownFormat, negotiate
from fukudx_kg.web.input_guard import Pager

SHARED = "shared"  # the pref= value for hits in no prefecture's graph


@bp.route("/search")
def search():
    d: Describer = g.describer
    q = request.args.get("q", "")[:200]
    ov = overview()
    hits = state().search.get(d.reader).search(q) if q.strip() else []
    prefs_of = {h.iri: ov.of_graphs(h.graphs) for h in hits}
    facets = [(p.code, p.iri, sum(1 for h in hits if p in prefs_of[h.iri])) for p in ov.prefectures]
    facets.append((SHARED, None, sum(1 for h in hits if not prefs_of[h.iri])))
    want = request.args.get("pref", "")
    if want == SHARED:
        hits = [h for h in hits if not prefs_of[h.iri]]
    elif want:
        hits = [h for h in hits if any(p.code == want for p in prefs_of[h.iri])]
    size = 50
    pager = Pager.current(len(hits), size)
    page = pager.page
    shown = hits[pager.offset: pager.offset + size]
    d.load_labels([h.iri for h in shown] + [tp for h in shown for tp in h.types] + [p.iri for p in ov.prefectures])
    results = []
    for h in shown:
        fdx_types = [tp for tp in h.types if tp.startswith(PREFIXES["fdx"])] or h.types[:1]
        results.append({"link": d.link(h.iri), "types": [d.link(tp) for tp in fdx_types], "field": d.link(h.field),
                        "segments": h.segments, "lang": h.lang, "score": round(h.score, 2),
                        "prefectures": [d.link(p.iri) for p in prefs_of[h.iri]]})
    try:
        media = negotiate(request.headers.get("Accept"), [HTML, "application/json"], request.args.get("format"))
    except UnknownFormat as exc:
        return text_response(400, f"400 Bad Request: {exc}")
    if media == "application/json":
        response = current_app.response_class(
            current_app.json.dumps({"q": q, "pref": want or None, "total": len(hits), "page": page, "results": [
                {"iri": r["link"].iri, "label": r["link"].label, "url": r["link"].href,
                 "types": [tp.iri for tp in r["types"]], "prefectures": [p.iri for p in r["prefectures"]],
                 "matched": "".join(s for s, _ in r["segments"]),
                 "field": r["field"].iri, "score": r["score"]} for r in results]}),
            mimetype="application/json")
        response.vary.add("Accept")
        return response
    pages = pager.pages
    here = {"q": q, "pref": want} if want else {"q": q}
    response = render_page("browser/search.html", title=t("search.title"), q=q, total=len(hits), results=results,
                           page=page, pages=pages, pref=want,
                           facets=[{"code": code, "label": d.label(iri) if iri else t("home.shared"), "n": n,
                                    "url": url_for("browse.search", q=q, pref=code)} for code, iri, n in facets if n],
                           all_url=url_for("browse.search", q=q),
                           prev=url_for("browse.search", **here, page=page - 1) if page > 1 else None,
                           next=url_for("browse.search", **here, page=page + 1) if page < pages else None)
    response.vary.add("Accept")
    return response
