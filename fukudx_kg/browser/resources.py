"""/id/<path> and /resource?iri=…: every data IRI as an HTML page or RDF, with incoming links paged."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, g, redirect, request, url_for

from fukudx_kg.browser.classviews import Views
from fukudx_kg.browser.core import (
    HTML,
    RDF_TYPES,
    base_iri,
    bp,
    conneg_headers,
    href_for,
    negotiate_page,
    not_found_page,
    overview,
    rdf_response,
    render_page,
    split_suffix,
)
from fukudx_kg.browser.describe import INCOMING_FULL_PAGE, Describer, curie, serialize
from fukudx_kg.browser.prefectures import coverage_notes
from fukudx_kg.browser.reader import PREFIXES, is_safe_iri
from fukudx_kg.web import i18n
from fukudx_kg.web.input_guard import Pager


def dereference(namespace: str, rest: str, endpoint: str, arg: str, exists=None):
    """Resolve `namespace + rest` (a format suffix allowed) to (iri, media, page URL, negotiated),
    or the response to send instead (301 from a trailing-slash form, 406, or 404 in the negotiated
    format)."""
    d: Describer = g.describer
    exists = exists or d.exists
    if rest.endswith("/") and rest.strip("/") and not exists(namespace + rest) and exists(namespace + rest.rstrip("/")):
        target = url_for(endpoint, **{arg: rest.rstrip("/")})
        query = request.query_string.decode("latin-1")
        return redirect(target + ("?" + query if query else ""), code=301)
    rest, fixed = split_suffix(rest, lambda r: exists(namespace + r))
    iri = namespace + rest
    media = negotiate_page(fixed)
    if isinstance(media, Response):
        return media
    if not is_safe_iri(iri) or not exists(iri):
        response = not_found_page(iri, media)
        response.vary.add("Accept")
        return response
    return iri, media, url_for(endpoint, **{arg: rest}), fixed is None


@bp.route("/id/<path:rest>")
def resource(rest: str):
    found = dereference(base_iri(), rest, "browse.resource", "rest")
    if isinstance(found, Response):
        return found
    iri, media, page_url, negotiated = found
    return describe_response(iri, media, page_url, negotiated=negotiated)


@bp.route("/resource")
def any_resource():
    iri = request.args.get("iri", "")
    d: Describer = g.describer
    media = negotiate_page()
    if isinstance(media, Response):
        return media
    own, external = href_for(iri) if iri else (None, True)
    if iri and own and not external and not own.startswith("/resource"):
        return redirect(own, code=303)   # it has its own page
    if not iri or not is_safe_iri(iri) or not d.exists(iri):
        response = not_found_page(iri or "", media)
        response.vary.add("Accept")
        return response
    page_url = url_for("browse.any_resource", iri=iri)
    if media != HTML:
        response = Response(serialize(d.rdf(iri), media, base_iri()), content_type=f"{media}; charset=utf-8")
        response.vary.add("Accept")
        return response
    return describe_response(iri, media, page_url, negotiated=True, alternates=False)


def describe_response(iri: str, media: str, page_url: str, negotiated: bool, alternates: bool = True,
              extra: dict | None = None) -> Response:
    d: Describer = g.describer
    if media != HTML:
        return rdf_response(d.rdf(iri), media, page_url, negotiated)
    context = describe_context(iri)
    if extra:
        context.update(extra)
    context["formats"] = ([(name, f"{page_url}.{suffix}", m) for m, (suffix, name) in RDF_TYPES.items()]
                          if alternates else [])
    response = render_page("browser/resource.html", **context)
    if alternates:
        conneg_headers(response, page_url, HTML, negotiated)
    else:
        response.vary.add("Accept")
    return response


def describe_context(iri: str) -> dict:
    d: Describer = g.describer
    out_pairs = d.outgoing(iri)
    types = [o.value for p, o in out_pairs if p.value == PREFIXES["rdf"] + "type" and hasattr(o, "value")]
    props = d.properties(out_pairs)
    title_pairs = d.label_pairs(iri)
    chosen = i18n.pick(title_pairs, g.lang)
    alt = i18n.other(title_pairs, chosen)
    incoming_prop = request.args.get("in")
    incoming, incoming_page = [], None
    if incoming_prop and is_safe_iri(incoming_prop):
        incoming_page = _incoming_page(iri, incoming_prop)
    else:
        incoming = d.incoming(iri)
    view = Views(d).for_types(iri, types)
    provenance = d.provenance(iri)
    graphs = d.graphs(iri)
    prefectures = overview().of_graphs(graphs)
    notes = coverage_notes(d, [doc["link"].iri for doc in provenance["documents"]] + [iri])
    for doc in provenance["documents"]:
        doc["coverage"] = notes.get(doc["link"].iri)
    return {
        "iri": iri,
        "title": chosen[0] if chosen else (curie(iri) or iri.rsplit("/", 1)[-1]),
        "title_lang": chosen[1] if chosen else "",
        "title_alt": alt[0] if alt else None,
        "title_alt_lang": alt[1] if alt else "",
        "types": d.links(types),
        "properties": props,
        "incoming": incoming,
        "incoming_page": incoming_page,
        "view": view[0] if view else None,
        "v": view[1] if view else None,
        "provenance": provenance,
        "graphs": d.links(graphs),
        "prefectures": d.links(p.iri for p in prefectures),
        "shared": bool(graphs) and not prefectures,   # fiscal years, themes, the vocabulary …
        "coverage": notes.get(iri),
        "is_excerpt": PREFIXES["fdx"] + "SourceExcerpt" in types,
    }


def _incoming_page(iri: str, prop: str) -> dict:
    d: Describer = g.describer
    counts = dict(d.incoming_counts(iri))
    total = counts.get(prop, 0)
    pager = Pager.current(total, INCOMING_FULL_PAGE)
    page, pages = pager.page, pager.pages
    subjects = d.incoming_subjects(iri, prop, pager.offset, INCOMING_FULL_PAGE)
    links = d.links(subjects)

    def page_url(n: int) -> str:
        args = {k: v for k, v in request.args.items()}
        args.update({"in": prop, "page": str(n)})
        return request.path + "?" + urlencode(args)

    return {"prop": d.link(prop), "total": total, "subjects": links, "page": page, "pages": pages,
            "first": (page - 1) * INCOMING_FULL_PAGE + 1 if links else 0,
            "last": (page - 1) * INCOMING_FULL_PAGE + len(links),
            "prev": page_url(page - 1) if page > 1 else None, "next": page_url(page + 1) if page < pages else None,
            "all_url": request.path}
