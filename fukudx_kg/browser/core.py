"""The browser's shared plumbing: the blueprint, per-process state, languages, page rendering and
content negotiation ("Cool URIs for the Semantic Web": same URI, `Vary: Accept`, `Content-Location`,
`Link: rel=alternate`). The page families are the sibling modules; `register` installs them all.
"""

from __future__ import annotations

import hashlib
import time
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, g, render_template, request, url_for
from markupsafe import Markup, escape

from fukudx_kg.browser import numbers, prefectures, search, void
from fukudx_kg.browser.describe import Describer, serialize
from fukudx_kg.browser.reader import PREFIXES, PerRelease, StoreReader
from fukudx_kg.namespaces import FDX_NS, GRAPH_BASE, ONTOLOGY_IRI
from fukudx_kg.web import i18n, response_cache
from fukudx_kg.web.conneg import UnknownFormat, negotiate
from fukudx_kg.web.input_guard import page_number
from fukudx_kg.web.runtime import current

ONTOLOGY_NS = FDX_NS

HTML = "text/html"
RDF_TYPES = {  # media type → (suffix, name): the formats listed as alternates
    "text/turtle": ("ttl", "Turtle"),
    "application/ld+json": ("jsonld", "JSON-LD"),
    "application/n-triples": ("nt", "N-Triples"),
    "application/rdf+xml": ("rdf", "RDF/XML"),
    "application/n-quads": ("nq", "N-Quads"),
    "application/trig": ("trig", "TriG"),
}
# Other names clients ask by (rdflib: text/plain for N-Triples, text/n3; old Turtle clients).
RDF_ALIASES = {"text/plain": "application/n-triples", "text/n3": "text/turtle", "application/x-turtle": "text/turtle"}
OFFERED = [HTML, *RDF_TYPES, *RDF_ALIASES]
SUFFIX_TYPES = {"." + suffix: media for media, (suffix, _) in RDF_TYPES.items()} | {".html": HTML}

# Namespaces whose terms get a page here (what the dataset says about them), not an outside link.
BROWSABLE = [PREFIXES[p] for p in ("rdf", "rdfs", "owl", "skos", "org", "prov", "dcterms", "time", "schema")]


bp = Blueprint("browse", __name__, template_folder="../templates", static_folder="../static",
               static_url_path="/assets")


class State:
    """Per web process: the reader, the search index, the statistics and the prefectures (built lazily)."""

    def __init__(self, backend):
        self.reader = StoreReader(backend)
        self.search = PerRelease(search.Index.build)
        self.stats = PerRelease(void.compute)
        self.overview = PerRelease(prefectures.compute)


def register(app: Flask) -> None:
    """Install the browser on `app` (after the runtime; see server.py): every page family's routes."""
    from fukudx_kg.browser import (  # noqa: F401
        compare,
        downloads,
        graphs,
        home,
        ontology,
        query_pages,
        resources,
        search_page,
    )

    app.register_blueprint(bp)


def state() -> State:
    ext = current_app.extensions
    if "fukudx_browse" not in ext:
        ext.setdefault("fukudx_browse", State(current().backend))
    return ext["fukudx_browse"]


def base_iri() -> str:
    return current().settings.base_iri


def overview():
    """The prefectures in the data and instances per graph (per release)."""
    return state().overview.get(state().reader)


# ----------------------------------------------------------------------------- request plumbing

@bp.before_request
def _before():
    g.started = time.perf_counter()
    g.lang = i18n.choose(request.args.get("lang"), request.cookies.get(i18n.COOKIE),
                         request.headers.get("Accept-Language"))
    g.describer = Describer(state().reader, g.lang, href_for)
    page_number()  # a bad ?page= is refused (400) on every page, paged or not


@bp.after_request
def _after(response: Response) -> Response:
    lang_arg = request.args.get("lang", "")
    if lang_arg.lower() in i18n.LANGS:
        response.set_cookie(i18n.COOKIE, lang_arg.lower(), max_age=365 * 86400, samesite="Lax")
    if response.mimetype == HTML:
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    if hasattr(g, "started"):
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - g.started) * 1000:.1f}"
    if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.direct_passthrough \
            and "ETag" not in response.headers:
        tag = hashlib.sha256(b"\x00".join([state().reader.release.encode(), response.get_data()])).hexdigest()[:32]
        response.set_etag(tag, weak=True)
        response.headers.setdefault("Cache-Control", f"public, max-age={current().settings.cache_max_age}")
        response.make_conditional(request)
        # A page depends on the release and the request alone; not the query page (a query may federate).
        if response.headers["Cache-Control"].startswith("public") and request.endpoint != "browse.query_page":
            response_cache.keep(current().backend.release_id)
    return response


@bp.app_template_global()
def t(key: str, **params) -> str:
    return i18n.t(key, getattr(g, "lang", i18n.DEFAULT_LANG), **params)


@bp.app_template_global()
def lang_attr(text, tagged: str = "") -> Markup:
    """` lang="…"` for a text in another language than the page (see i18n.text_lang), else nothing."""
    lang = i18n.text_lang(text, getattr(g, "lang", i18n.DEFAULT_LANG), tagged or "")
    return Markup(f' lang="{escape(lang)}"') if lang else Markup("")


@bp.app_template_filter("mark_ja")
def mark_ja(text, lang: str = "") -> Markup:
    """A text in another language than Japanese (the page's, or `lang`) with Japanese words inside (an
    English question naming デジタル変革課): each Japanese run is wrapped in `<span lang="ja">`."""
    if (lang or getattr(g, "lang", i18n.DEFAULT_LANG)).startswith("ja"):
        return escape(text)
    return Markup("").join(Markup('<span lang="ja">{}</span>').format(part) if i18n.text_lang(part, "en") else
                           escape(part) for part in i18n.JAPANESE_RUN.split(str(text)) if part)


@bp.app_template_filter("grouped")
def _grouped(value) -> str:
    return numbers.grouped(value)


@bp.context_processor
def _context():
    return {"lang": g.get("lang", i18n.DEFAULT_LANG), "switch_url": _switch_url(), "other_lang": _other_lang()}


def _other_lang() -> str:
    return "en" if g.get("lang") == "ja" else "ja"


def _switch_url() -> str:
    args = request.args.to_dict(flat=False)
    args["lang"] = [_other_lang()]
    return request.path + "?" + urlencode(args, doseq=True)


def href_for(iri: str) -> tuple[str | None, bool]:
    """The URL of `iri`'s page here, and whether it is an outside link."""
    base = base_iri()
    if iri.startswith(base) and len(iri) > len(base) and base.endswith("/"):
        return url_for("browse.resource", rest=iri[len(base):]), False
    if iri in (ONTOLOGY_IRI, ONTOLOGY_NS):
        return url_for("browse.ontology"), False
    if iri.startswith(ONTOLOGY_NS) and len(iri) > len(ONTOLOGY_NS):
        return url_for("browse.ontology_term", name=iri[len(ONTOLOGY_NS):]), False
    if iri.startswith(GRAPH_BASE) and len(iri) > len(GRAPH_BASE):
        return url_for("browse.graph", name=iri[len(GRAPH_BASE):]), False
    if any(iri.startswith(ns) for ns in BROWSABLE):
        return url_for("browse.any_resource", iri=iri), False
    if iri.startswith(("http://", "https://")):
        return iri, True
    return None, True


def text_response(status: int, message: str, headers: dict | None = None) -> Response:
    response = Response(message.rstrip() + "\n", status=status, content_type="text/plain; charset=utf-8")
    for k, v in (headers or {}).items():
        response.headers[k] = v
    response.headers["Cache-Control"] = "no-store"
    return response


def render_page(template: str, status: int = 200, **context) -> Response:
    response = Response(render_template(template, **context), status=status, content_type="text/html; charset=utf-8")
    return response


def not_found_page(iri: str | None, media: str | None = HTML) -> Response:
    if media and media != HTML:
        return text_response(404, f"404 Not Found: this dataset has no resource {iri or request.path}. "
                          "Search at /search?q=… or see / for entry points.")
    response = render_page("browser/not_found.html", 404, iri=iri or request.path, title=t("res.not_found"))
    response.headers["Cache-Control"] = "no-store"
    return response


def negotiate_page(fixed: str | None = None) -> str | Response:
    """The media type to answer with, or an error response (400 bad ?format=, 406 nothing acceptable)."""
    if fixed:
        return fixed
    try:
        media = negotiate(request.headers.get("Accept"), OFFERED, request.args.get("format"))
    except UnknownFormat as exc:
        return text_response(400, f"400 Bad Request: {exc}")
    if media is None:
        names = ", ".join(OFFERED)
        suffixes = [suffix for suffix, _ in RDF_TYPES.values()]
        return text_response(406, f"406 Not Acceptable: this resource is available as {names}; ask in Accept, with "
                          f"?format={'|'.join(suffixes)}|html, or with a suffix {' '.join('.' + x for x in suffixes)}")
    return media


def alternates(page_url: str) -> str:
    links = [f'<{page_url}>; rel="alternate"; type="text/html"']
    for media, (suffix, _) in RDF_TYPES.items():
        links.append(f'<{page_url}.{suffix}>; rel="alternate"; type="{media}"')
    return ", ".join(links)


def rdf_response(triples, media: str, page_url: str, negotiated: bool) -> Response:
    body = serialize(triples, media, base_iri())
    response = Response(body, content_type=f"{media}; charset=utf-8")
    conneg_headers(response, page_url, media, negotiated)
    return response


def conneg_headers(response: Response, page_url: str, media: str, negotiated: bool) -> None:
    response.headers["Link"] = alternates(page_url)
    if negotiated:
        response.vary.add("Accept")
        suffix = "" if media == HTML else "." + RDF_TYPES[RDF_ALIASES.get(media, media)][0]
        response.headers["Content-Location"] = page_url + suffix


def split_suffix(rest: str, exists) -> tuple[str, str | None]:
    """`x.ttl` → (`x`, text/turtle) when `x.ttl` is not itself a resource but `x` is."""
    for suffix, media in SUFFIX_TYPES.items():
        if rest.endswith(suffix) and len(rest) > len(suffix):
            stem = rest[: -len(suffix)]
            if not exists(rest) and exists(stem):
                return stem, media
    return rest, None
