"""/download/dataset.nq, /download/<graph>.ttl and /.well-known/void (VoID + DCAT)."""

from __future__ import annotations

from pathlib import Path

from flask import Response, g, send_file

from fukudx_kg.browser.core import (
    HTML,
    RDF_TYPES,
    base_iri,
    bp,
    negotiate_page,
    overview,
    render_page,
    state,
    t,
    text_response,
)
from fukudx_kg.browser.describe import Describer, serialize
from fukudx_kg.browser.home import downloads, graph_files
from fukudx_kg.browser.void import void_triples
from fukudx_kg.sparql.description import public_base
from fukudx_kg.web.runtime import current


@bp.route("/download/dataset.nq")
def download_dataset():
    path = Path(current().settings.build_dir) / "dataset.nq"
    if not path.is_file():
        return text_response(404, "404 Not Found: this deployment has no local dataset file (remote backend); "
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
            triples = g.describer.reader.construct(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            return Response(serialize(triples, "text/turtle", base_iri()), content_type="text/turtle; charset=utf-8")
    return text_response(404, "404 Not Found: no such graph download; the home page lists them")


@bp.route("/.well-known/void")
def void():
    d: Describer = g.describer
    media = negotiate_page()
    if isinstance(media, Response):
        return media
    stats = state().stats.get(d.reader)
    root = public_base(current().settings) + "/"   # never the Host header: the answer is cached publicly
    docs = [doc["iri"] for doc in stats.documents] + [doc["publisher"] for doc in stats.documents if doc["publisher"]]
    d.load_labels(docs)
    labels = {i: d.label_pairs(i) for i in docs}
    files = [(root.rstrip("/") + x["url"], x["media"], x["title"], x["size"]) for x in downloads()]
    prefectures = [p.iri for p in overview().prefectures]
    schemes = [row["s"].value for row in d.reader.select(
        "SELECT DISTINCT ?s WHERE { ?s a skos:ConceptScheme ; fdx:schemeOf/fdx:inPrefecture ?p } ORDER BY ?s")]
    triples = void_triples(stats, root, base_iri(), labels, files, prefectures, schemes)
    if media == HTML:
        turtle = serialize(triples, "text/turtle", base_iri()).decode("utf-8")
        response = render_page("browser/void.html", title=t("void.title"), stats=stats, turtle=turtle,
                         classes=[(d.link(c), n) for c, n in stats.classes],
                         formats=[(name, f"?format={suffix}", m) for m, (suffix, name) in RDF_TYPES.items()])
    else:
        response = Response(serialize(triples, media, base_iri()), content_type=f"{media}; charset=utf-8")
    response.vary.add("Accept")
    return response
