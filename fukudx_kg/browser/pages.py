"""The linked-data browser: every data IRI dereferences, as HTML for people and RDF for machines.

Routes (blueprint "browse", registered by `register(app)` in server.py's create_app):

    /                         home: what the dataset is, counts, entry points, downloads, licence
    /id/<path>                a resource under the data base IRI (conneg; .ttl .jsonld .nt .rdf .nq .trig;
                              `/id/<path>/` redirects to `/id/<path>`)
    /resource?iri=…           any other IRI the dataset mentions (e.g. skos:Concept)
    /ontology, /ontology/<t>  the vocabulary (HTML documentation; OWL as Turtle/RDF-XML/… by Accept)
    /graph/<name>             a named graph (https://w3id.org/fukudx/graph/<name>) describing itself
    /search?q=…               NFKC substring search over labels and descriptions (HTML or JSON)
    /query, /yasgui           query page (plain form + YASGUI editor) with the example queries
    /charts/<name>.svg        the pictures as stand-alone SVG
    /download/dataset.nq, /download/<graph>.ttl, /.well-known/void

Content negotiation follows "Cool URIs for the Semantic Web" (same URI, `Vary: Accept`,
`Content-Location` and `Link: rel=alternate` to every format) with the endpoint's Accept parser;
every RDF type the endpoint serves is served here too (plus text/n3 and application/x-turtle as
Turtle). Security headers and compression are app-wide (security_headers, compression).
"""

from __future__ import annotations

from fukudx_kg import examples as example_queries
from fukudx_kg.examples import first_query
from fukudx_kg.namespaces import FDX_NS, GRAPH_BASE, ONTOLOGY_GRAPH, ONTOLOGY_IRI
from fukudx_kg.paths import NODE_MODULES

import hashlib
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from flask import (Blueprint, Flask, Response, current_app, g, redirect, render_template, request, send_file,
                   url_for)
from markupsafe import Markup

from fukudx_kg.browser import charts, query_ui
from fukudx_kg.web import i18n, security_headers
from fukudx_kg.browser.classviews import Views
from fukudx_kg.web.conneg import UnknownFormat, negotiate
from fukudx_kg.browser.describe import INCOMING_FULL_PAGE, Describer, curie, serialize, sort_key
from fukudx_kg.web.input_guard import Pager, page_number
from fukudx_kg.browser.reader import PREFIXES, StoreReader, is_safe_iri, sparql_iri
from fukudx_kg.web.runtime import current
from fukudx_kg.browser.search import SearchService
from fukudx_kg.sparql.description import public_base
from fukudx_kg.browser.void import StatsCache, graph_triples, summarize_graph, void_triples

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

VENDOR = {  # files served from node_modules (installed from the npm registry by setup; no CDN)
    "yasqe.min.js": "@zazuko/yasqe/build/yasqe.min.js",
    "yasqe.min.css": "@zazuko/yasqe/build/yasqe.min.css",
    "yasgui.min.js": "@zazuko/yasgui/build/yasgui.min.js",
    "yasgui.min.css": "@zazuko/yasgui/build/yasgui.min.css",
}
VENDOR_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}

bp = Blueprint("browse", __name__, template_folder="../templates", static_folder="../static",
               static_url_path="/assets")


class State:
    """Per web process: the reader, the search index and the statistics (built lazily)."""

    def __init__(self, backend):
        self.reader = StoreReader(backend)
        self.search = SearchService()
        self.stats = StatsCache()
        self.lock = threading.Lock()


def register(app: Flask) -> None:
    """Install the browser on `app` (after the runtime; see server.py)."""
    app.register_blueprint(bp)


def state() -> State:
    ext = current_app.extensions
    if "fukudx_browse" not in ext:
        ext.setdefault("fukudx_browse", State(current().backend))
    return ext["fukudx_browse"]


def base_iri() -> str:
    return current().settings.base_iri


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
    return response


@bp.app_template_global()
def t(key: str, **params) -> str:
    return i18n.t(key, getattr(g, "lang", i18n.DEFAULT_LANG), **params)


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


def _text(status: int, message: str, headers: dict | None = None) -> Response:
    response = Response(message.rstrip() + "\n", status=status, content_type="text/plain; charset=utf-8")
    for k, v in (headers or {}).items():
        response.headers[k] = v
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(template: str, status: int = 200, **context) -> Response:
    response = Response(render_template(template, **context), status=status, content_type="text/html; charset=utf-8")
    return response


def not_found_page(iri: str | None, media: str | None = HTML) -> Response:
    if media and media != HTML:
        return _text(404, f"404 Not Found: this dataset has no resource {iri or request.path}. "
                          "Search at /search?q=… or see / for entry points.")
    response = _page("browser/not_found.html", 404, iri=iri or request.path, title=t("res.not_found"))
    response.headers["Cache-Control"] = "no-store"
    return response


def _negotiate(fixed: str | None = None) -> str | Response:
    """The media type to answer with, or an error response (400 bad ?format=, 406 nothing acceptable)."""
    if fixed:
        return fixed
    try:
        media = negotiate(request.headers.get("Accept"), OFFERED, request.args.get("format"))
    except UnknownFormat as exc:
        return _text(400, f"400 Bad Request: {exc}")
    if media is None:
        names = ", ".join(OFFERED)
        suffixes = [suffix for suffix, _ in RDF_TYPES.values()]
        return _text(406, f"406 Not Acceptable: this resource is available as {names}; ask in Accept, with "
                          f"?format={'|'.join(suffixes)}|html, or with a suffix {' '.join('.' + x for x in suffixes)}")
    return media


def _alternates(page_url: str) -> str:
    links = [f'<{page_url}>; rel="alternate"; type="text/html"']
    for media, (suffix, _) in RDF_TYPES.items():
        links.append(f'<{page_url}.{suffix}>; rel="alternate"; type="{media}"')
    return ", ".join(links)


def _rdf_response(triples, media: str, page_url: str, negotiated: bool) -> Response:
    body = serialize(triples, media, base_iri())
    response = Response(body, content_type=f"{media}; charset=utf-8")
    _conneg_headers(response, page_url, media, negotiated)
    return response


def _conneg_headers(response: Response, page_url: str, media: str, negotiated: bool) -> None:
    response.headers["Link"] = _alternates(page_url)
    if negotiated:
        response.vary.add("Accept")
        suffix = "" if media == HTML else "." + RDF_TYPES[RDF_ALIASES.get(media, media)][0]
        response.headers["Content-Location"] = page_url + suffix


def _split_suffix(rest: str, exists) -> tuple[str, str | None]:
    """`x.ttl` → (`x`, text/turtle) when `x.ttl` is not itself a resource but `x` is."""
    for suffix, media in SUFFIX_TYPES.items():
        if rest.endswith(suffix) and len(rest) > len(suffix):
            stem = rest[: -len(suffix)]
            if not exists(rest) and exists(stem):
                return stem, media
    return rest, None


# ----------------------------------------------------------------------------- resources

def _dereference(namespace: str, rest: str, endpoint: str, arg: str, exists=None):
    """Resolve `namespace + rest` (a format suffix allowed) to (iri, media, page URL, negotiated),
    or the response to send instead (301 from a trailing-slash form, 406, or 404 in the negotiated
    format)."""
    d: Describer = g.describer
    exists = exists or d.exists
    if rest.endswith("/") and rest.strip("/") and not exists(namespace + rest) and exists(namespace + rest.rstrip("/")):
        target = url_for(endpoint, **{arg: rest.rstrip("/")})
        query = request.query_string.decode("latin-1")
        return redirect(target + ("?" + query if query else ""), code=301)
    rest, fixed = _split_suffix(rest, lambda r: exists(namespace + r))
    iri = namespace + rest
    media = _negotiate(fixed)
    if isinstance(media, Response):
        return media
    if not is_safe_iri(iri) or not exists(iri):
        response = not_found_page(iri, media)
        response.vary.add("Accept")
        return response
    return iri, media, url_for(endpoint, **{arg: rest}), fixed is None


@bp.route("/id/<path:rest>")
def resource(rest: str):
    found = _dereference(base_iri(), rest, "browse.resource", "rest")
    if isinstance(found, Response):
        return found
    iri, media, page_url, negotiated = found
    return _describe(iri, media, page_url, negotiated=negotiated)


@bp.route("/resource")
def any_resource():
    iri = request.args.get("iri", "")
    d: Describer = g.describer
    media = _negotiate()
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
    return _describe(iri, media, page_url, negotiated=True, alternates=False)


def _describe(iri: str, media: str, page_url: str, negotiated: bool, alternates: bool = True,
              extra: dict | None = None) -> Response:
    d: Describer = g.describer
    if media != HTML:
        return _rdf_response(d.rdf(iri), media, page_url, negotiated)
    context = describe_context(iri)
    if extra:
        context.update(extra)
    context["formats"] = ([(name, f"{page_url}.{suffix}", m) for m, (suffix, name) in RDF_TYPES.items()]
                          if alternates else [])
    response = _page("browser/resource.html", **context)
    if alternates:
        _conneg_headers(response, page_url, HTML, negotiated)
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
        "graphs": d.links(d.graphs(iri)),
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


# ----------------------------------------------------------------------------- ontology

@bp.route("/ontology", defaults={"suffix": None})
@bp.route("/ontology.<any(ttl, jsonld, nt, rdf, nq, trig, owl, html):suffix>")
def ontology(suffix: str | None):
    d: Describer = g.describer
    fixed = ({s: m for m, (s, _) in RDF_TYPES.items()} | {"owl": "application/rdf+xml", "html": HTML}).get(suffix or "")
    media = _negotiate(fixed)
    if isinstance(media, Response):
        return media
    page_url = url_for("browse.ontology")
    if media != HTML:
        triples = d.reader.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}")
        return _rdf_response(triples, media, page_url, negotiated=fixed is None)
    context = ontology_context()
    response = _page("browser/ontology.html", **context)
    _conneg_headers(response, page_url, HTML, negotiated=fixed is None)
    return response


def ontology_context() -> dict:
    d: Describer = g.describer
    r = d.reader
    rows = r.select(f"""SELECT ?t ?kind WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?t a ?kind
        VALUES ?kind {{ owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }} }}
        FILTER(isIRI(?t)) }}""")
    details = r.select(f"""SELECT ?t ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?t ?p ?o
        VALUES ?p {{ rdfs:comment rdfs:subClassOf rdfs:subPropertyOf rdfs:domain rdfs:range owl:deprecated
                    dcterms:isReplacedBy }} }} }}""")
    stats = state().stats.get(r)
    uses = dict(stats.classes) | dict(stats.properties)
    by_term: dict[str, dict] = {}
    for row in rows:
        term = row["t"].value
        by_term.setdefault(term, {"iri": term, "kinds": [], "comments": [], "links": {}})
        by_term[term]["kinds"].append(row["kind"].value.rsplit("#", 1)[-1])
    linked = []
    for row in details:
        term = by_term.get(row["t"].value)
        if term is None:
            continue
        p = row["p"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if p == "comment":
            term["comments"].append((row["o"].value, row["o"].language or ""))
        else:
            term["links"].setdefault(p, []).append(row["o"].value)
            if hasattr(row["o"], "language"):
                continue
            linked.append(row["o"].value)
    d.load_labels(list(by_term) + linked)
    classes, properties = [], []
    for term in sorted(by_term.values(), key=lambda x: x["iri"].lower()):
        term["link"] = d.link(term["iri"])
        term["anchor"] = term["iri"].rsplit("#", 1)[-1]
        term["comment"] = (i18n.pick(term["comments"], g.lang) or ("", ""))[0]
        term["related"] = {k: [d.link(v) if v.startswith("http") else None for v in vals]
                           for k, vals in term["links"].items()}
        term["uses"] = uses.get(term["iri"], 0)
        (classes if "Class" in term["kinds"] else properties).append(term)
    head = r.select(f"""SELECT ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <{ONTOLOGY_IRI}> ?p ?o }} }}""")
    meta = {}
    for row in head:
        meta.setdefault(row["p"].value, []).append(row["o"])
    comment = i18n.pick([(o.value, o.language or "") for o in meta.get(PREFIXES["rdfs"] + "comment", [])], g.lang)
    version = meta.get(PREFIXES["owl"] + "versionInfo", [None])[0]
    license_ = meta.get(PREFIXES["dcterms"] + "license", [None])[0]
    return {"title": t("o.title"), "classes": classes, "properties": properties,
            "ontology": d.link(ONTOLOGY_IRI), "comment": comment[0] if comment else "",
            "version": version.value if version is not None else "",
            "license": license_.value if license_ is not None else "",
            "formats": [(name, f"{url_for('browse.ontology')}.{suffix}", m) for m, (suffix, name) in RDF_TYPES.items()]}


@bp.route("/ontology/")
def ontology_slash():
    return redirect(url_for("browse.ontology"), code=301)


@bp.route("/ontology/<name>/")
def ontology_term_slash(name: str):
    return redirect(url_for("browse.ontology_term", name=name), code=301)


@bp.route("/ontology/<name>")
def ontology_term(name: str):
    found = _dereference(ONTOLOGY_NS, name, "browse.ontology_term", "name")
    if isinstance(found, Response):
        return found
    iri, media, page_url, negotiated = found
    extra = {"term": term_context(iri)} if media == HTML else None
    return _describe(iri, media, page_url, negotiated=negotiated, extra=extra)


def term_context(iri: str) -> dict:
    """Class: super/subclasses, properties by domain and range, instances (paged). Property: usage."""
    d: Describer = g.describer
    r = d.reader
    s = sparql_iri(iri)
    is_class = r.ask(f"ASK {{ {s} a owl:Class }}")
    out: dict = {"is_class": is_class}
    if is_class:
        def col(q: str, var: str = "x") -> list:
            return d.links([row[var].value for row in r.select(q) if hasattr(row[var], "value")])
        out["superclasses"] = col(f"SELECT ?x WHERE {{ {s} rdfs:subClassOf ?x FILTER(isIRI(?x)) }}")
        out["subclasses"] = col(f"SELECT ?x WHERE {{ ?x rdfs:subClassOf {s} }}")
        out["domain_of"] = col(f"SELECT ?x WHERE {{ ?x rdfs:domain {s} }} ORDER BY ?x")
        out["range_of"] = col(f"SELECT ?x WHERE {{ ?x rdfs:range {s} }} ORDER BY ?x")
        total = int(r.select(f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ ?i a {s} }}")[0]["n"].value)
        size = INCOMING_FULL_PAGE
        pager = Pager.current(total, size)
        page, pages = pager.page, pager.pages
        rows = r.select(f"SELECT DISTINCT ?i WHERE {{ ?i a {s} }} ORDER BY ?i LIMIT {size} OFFSET {pager.offset}")
        instances = d.links([row["i"].value for row in rows])
        instances.sort(key=lambda link: sort_key(link.label))
        out["instances"] = {"total": total, "links": instances, "page": page, "pages": pages,
                            "prev": f"?page={page - 1}" if page > 1 else None,
                            "next": f"?page={page + 1}" if page < pages else None}
    else:
        uses = r.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a {s} ?b }}")
        out["uses"] = int(uses[0]["n"].value) if uses else 0
    return out


# ----------------------------------------------------------------------------- named graphs

def _graph_exists(iri: str) -> bool:
    return iri in current().backend.info().graphs


@bp.route("/graph/<path:name>")
def graph(name: str):
    found = _dereference(GRAPH_BASE, name, "browse.graph", "name", exists=_graph_exists)
    if isinstance(found, Response):
        return found
    iri, media, page_url, negotiated = found
    d: Describer = g.describer
    root = public_base(current().settings) + "/"
    files = [(root.rstrip("/") + url_for("browse.download_graph", name=file_name), "text/turtle",
              f"{graph_iri} (Turtle)", path.stat().st_size if path else None)
             for file_name, graph_iri, path in graph_files() if graph_iri == iri]
    summary = summarize_graph(d.reader, iri, state().stats.get(d.reader), _graph_titles(iri), files)
    if media != HTML:
        return _rdf_response(graph_triples(summary, root), media, page_url, negotiated)
    chosen = i18n.pick(summary.titles, g.lang)
    response = _page("browser/graph.html", title=chosen[0] if chosen else iri, iri=iri, summary=summary,
                     sources=d.links(summary.sources), classes=[(d.link(c), n) for c, n in summary.classes],
                     downloads=[(url[len(root) - 1:], media, f"{t('home.graph_ttl')}: {iri}", size)
                                for url, media, _, size in summary.downloads],
                     formats=[(n, f"{page_url}.{suffix}", m) for m, (suffix, n) in RDF_TYPES.items()],
                     query_url=url_for("browse.query_page", query=GRAPH_QUERY.format(graph=iri)))
    _conneg_headers(response, page_url, HTML, negotiated)
    return response


GRAPH_QUERY = """SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH <{graph}> {{ ?s a ?class }}
}}
GROUP BY ?class ORDER BY DESC(?n)
"""


def _graph_titles(iri: str) -> list[tuple[str, str]]:
    """A named graph is titled after what it holds: a prefecture's data, or the ontology."""
    name = iri[len(GRAPH_BASE):]
    subject = ONTOLOGY_IRI if iri == ONTOLOGY_GRAPH else base_iri() + name
    pairs = [(text, lang) for text, lang in g.describer.label_pairs(subject) if lang in ("ja", "en")]
    titles = [(f"{text}（名前付きグラフ）" if lang == "ja" else f"{text} (named graph)", lang) for text, lang in pairs]
    return titles or [(f"名前付きグラフ {name}", "ja"), (f"named graph {name}", "en")]


# ----------------------------------------------------------------------------- home

@bp.route("/")
def home():
    d: Describer = g.describer
    r = d.reader
    stats = state().stats.get(r)
    base = base_iri()
    fdx_classes = [(d.link(c), n) for c, n in stats.classes if c.startswith(PREFIXES["fdx"])]
    schemes = [row["s"].value for row in r.select(
        "SELECT ?s WHERE { ?s a skos:ConceptScheme ; fdx:schemeOf ?doc } ORDER BY ?s")]
    prefectures = [row["p"].value for row in r.select("SELECT ?p WHERE { ?p a fdx:Prefecture } ORDER BY ?p")]
    region_schemes = [row["s"].value for row in r.select(
        "SELECT DISTINCT ?s WHERE { ?x a fdx:Region ; skos:inScheme ?s } ORDER BY ?s")]
    years = [row["y"].value for row in r.select(
        "SELECT ?y WHERE { ?y a fdx:FiscalYear ; fdx:fiscalYearNumber ?n } ORDER BY ?n")]
    meetings = [row["m"].value for row in r.select("SELECT ?m WHERE { ?m a fdx:Meeting } ORDER BY ?m")]
    roadmaps = [row["m"].value for row in r.select("SELECT ?m WHERE { ?m a fdx:Roadmap } ORDER BY ?m")]
    services = [row["m"].value for row in r.select("SELECT ?m WHERE { ?m a fdx:DigitalService } ORDER BY ?m")]
    publishers = sorted({doc["publisher"] for doc in stats.documents if doc["publisher"]})
    return _page("browser/home.html", title=t("home.title"), classes=fdx_classes, stats=stats,
                 schemes=d.links(schemes), prefectures=d.links(prefectures), region_schemes=d.links(region_schemes),
                 years=d.links(years), meetings=d.links(meetings), roadmaps=d.links(roadmaps),
                 services=d.links(services), documents=d.links([doc["iri"] for doc in stats.documents]),
                 publishers=d.links(publishers), license=stats.license, downloads=downloads(),
                 chart_dept=kpi_by_department(), chart_unit=kpi_by_unit(),
                 examples=example_queries.examples()[:8], base=base)


def kpi_by_department() -> Markup:
    d: Describer = g.describer
    rows = d.reader.select("""SELECT DISTINCT ?top ?k ?q WHERE {
        ?i fdx:hasKPI ?k ; fdx:responsibleUnit ?u . ?u org:subOrganizationOf* ?top .
        ?top a fdx:Department ; org:subOrganizationOf ?pref . ?pref a fdx:Prefecture .
        OPTIONAL { ?k fdx:qualitative ?q } }""")
    counts: dict[str, list[int]] = {}
    for row in rows:
        slot = 1 if row.get("q") is not None and row["q"].value == "true" else 0
        counts.setdefault(row["top"].value, [0, 0])[slot] += 1
    d.load_labels(counts)
    bars = [charts.Bar(d.label(k), d.link(k).href, [(v[0], 0), (v[1], 1)]) for k, v in counts.items()]
    bars.sort(key=lambda b: (-sum(v for v, _ in b.segments), b.label))
    legend = [("数値目標", 0), ("定性的な目標", 1)] if g.lang == "ja" else [("numeric", 0), ("qualitative", 1)]
    return charts.bar_chart(t("v.chart_kpi_by_dept"), bars, legend)


def kpi_by_unit() -> Markup:
    d: Describer = g.describer
    rows = d.reader.select("""SELECT ?u (COUNT(DISTINCT ?k) AS ?n) WHERE { ?k a fdx:KPI ; fdx:unit ?u ;
        fdx:targetValue ?v } GROUP BY ?u ORDER BY DESC(?n) ?u""")
    bars = [charts.Bar(row["u"].value, url_for("browse.search", q=row["u"].value), [(int(row["n"].value), 2)])
            for row in rows]
    return charts.bar_chart(t("v.chart_kpi_by_unit"), bars, width=760, label_width=120)


def downloads() -> list[dict]:
    rt = current()
    build = Path(rt.settings.build_dir)
    out = []
    dataset = build / "dataset.nq"
    info = rt.backend.info()
    if dataset.is_file():
        out.append({"name": "dataset.nq", "url": url_for("browse.download_dataset"), "media": "application/n-quads",
                    "title": t("home.dump"), "size": dataset.stat().st_size, "quads": info.quads})
    for name, graph, path in graph_files():
        out.append({"name": name + ".ttl", "url": url_for("browse.download_graph", name=name), "media": "text/turtle",
                    "title": f"{t('home.graph_ttl')}: {graph}", "size": path.stat().st_size if path else None,
                    "quads": info.graphs.get(graph)})
    return out


def graph_files() -> list[tuple[str, str, Path | None]]:
    """(name, graph IRI, Turtle file in the build directory or None) for every named graph."""
    rt = current()
    build = Path(rt.settings.build_dir)
    out = []
    for graph in sorted(rt.backend.info().graphs):
        if not graph.startswith(GRAPH_BASE):
            continue
        name = graph[len(GRAPH_BASE):].replace("/", "-")
        path = build / f"{name}.ttl"
        out.append((name, graph, path if path.is_file() else None))
    return out


# ----------------------------------------------------------------------------- downloads and VoID

@bp.route("/download/dataset.nq")
def download_dataset():
    path = Path(current().settings.build_dir) / "dataset.nq"
    if not path.is_file():
        return _text(404, "404 Not Found: this deployment has no local dataset file (remote backend); "
                          "use /sparql with CONSTRUCT { GRAPH ?g { ?s ?p ?o } } or the backend's own dump")
    response = send_file(path, mimetype="application/n-quads", as_attachment=False, etag=state().reader.release,
                         conditional=True, max_age=current().settings.cache_max_age)
    response.headers["Content-Type"] = "application/n-quads; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="dataset.nq"'
    return response


@bp.route("/download/<name>.ttl")
def download_graph(name: str):
    for file_name, graph, path in graph_files():
        if file_name == name:
            if path is not None:
                response = send_file(path, mimetype="text/turtle", etag=f"{state().reader.release}-{name}",
                                     conditional=True, max_age=current().settings.cache_max_age)
                response.headers["Content-Type"] = "text/turtle; charset=utf-8"
                return response
            triples = g.describer.reader.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            return Response(serialize(triples, "text/turtle", base_iri()), content_type="text/turtle; charset=utf-8")
    return _text(404, "404 Not Found: no such graph download; the home page lists them")


@bp.route("/.well-known/void")
def void():
    d: Describer = g.describer
    media = _negotiate()
    if isinstance(media, Response):
        return media
    stats = state().stats.get(d.reader)
    root = public_base(current().settings) + "/"   # never the Host header: the answer is cached publicly
    docs = [doc["iri"] for doc in stats.documents] + [doc["publisher"] for doc in stats.documents if doc["publisher"]]
    d.load_labels(docs)
    labels = {i: d.label_pairs(i) for i in docs}
    files = [(root.rstrip("/") + x["url"], x["media"], x["title"], x["size"]) for x in downloads()]
    triples = void_triples(stats, root, base_iri(), labels, files)
    if media == HTML:
        turtle = serialize(triples, "text/turtle", base_iri()).decode("utf-8")
        response = _page("browser/void.html", title=t("void.title"), stats=stats, turtle=turtle,
                         classes=[(d.link(c), n) for c, n in stats.classes],
                         formats=[(name, f"?format={suffix}", m) for m, (suffix, name) in RDF_TYPES.items()])
    else:
        response = Response(serialize(triples, media, base_iri()), content_type=f"{media}; charset=utf-8")
    response.vary.add("Accept")
    return response


# ----------------------------------------------------------------------------- search

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
        return _text(400, f"400 Bad Request: {exc}")
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
    response = _page("browser/search.html", title=t("search.title"), q=q, total=len(hits), results=results,
                     page=page, pages=pages,
                     prev=url_for("browse.search", q=q, page=page - 1) if page > 1 else None,
                     next=url_for("browse.search", q=q, page=page + 1) if page < pages else None)
    response.vary.add("Accept")
    return response


# ----------------------------------------------------------------------------- query page

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
            return _page("browser/query.html", 404, title=t("q.title"), examples=examples, text="", outcome=None,
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
    response = _page("browser/query.html", status, title=t("q.title"), examples=examples, text=text, outcome=outcome,
                     chosen=chosen, error=None, cell_link=_cell_link)
    return response




def _cell_link(value: str):
    d: Describer = g.describer
    return d.link(value)


@bp.route("/yasgui")
def yasgui():
    # YASGUI's table plugin adds <style> elements from script; yasgui-page.js gives them this
    # response's nonce, so the CSP still forbids every other inline style (and all inline script).
    response = _page("browser/yasgui.html", title="YASGUI", examples=example_queries.examples(),
                     style_nonce=security_headers.style_nonce())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/assets/vendor/<name>")
def vendor(name: str):
    rel = VENDOR.get(name)
    path = NODE_MODULES / rel if rel else None
    if path is None or not path.is_file():
        return _text(404, "404 Not Found: front-end package missing; run `npm ci` in the repository root")
    response = send_file(path, max_age=86400, conditional=True)
    response.headers["Content-Type"] = VENDOR_TYPES[path.suffix]
    return response


# ----------------------------------------------------------------------------- charts

@bp.route("/charts/<any('kpi-by-department', 'kpi-by-unit', 'roadmap'):name>.svg")
def chart(name: str):
    if name == "kpi-by-department":
        svg = kpi_by_department()
    elif name == "kpi-by-unit":
        svg = kpi_by_unit()
    else:
        iri = request.args.get("iri", "")
        d: Describer = g.describer
        if not is_safe_iri(iri) or not d.exists(iri):
            return _text(404, "404 Not Found: give ?iri= of a roadmap or a policy section")
        views = Views(d)
        types = d.types(iri)
        picture = views.timeline(roadmap=iri) if PREFIXES["fdx"] + "Roadmap" in types else views.timeline(section=iri)
        if picture is None:
            return _text(404, "404 Not Found: no roadmap rows for this resource")
        svg = picture["svg"]
    return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + str(svg), content_type="image/svg+xml; charset=utf-8")
