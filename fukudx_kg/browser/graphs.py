"""/graph/<name>: each named graph describes itself (title, sources, licence, counts, downloads)."""

from __future__ import annotations

from flask import Response, g, url_for

from fukudx_kg.browser.core import HTML, RDF_TYPES, bp, conneg_headers, overview, rdf_response, render_page, state, t
from fukudx_kg.browser.describe import Describer
from fukudx_kg.browser.home import graph_files
from fukudx_kg.browser.resources import dereference
from fukudx_kg.browser.void import graph_triples, summarize_graph
from fukudx_kg.namespaces import GRAPH_BASE, NATIONAL_GRAPH, ONTOLOGY_GRAPH, ONTOLOGY_IRI, SHARED_GRAPH
from fukudx_kg.sparql.description import public_base
from fukudx_kg.web import i18n
from fukudx_kg.web.runtime import current


def _graph_exists(iri: str) -> bool:
    return iri in current().backend.info().graphs


@bp.route("/graph/<path:name>")
def graph(name: str):
    found = dereference(GRAPH_BASE, name, "browse.graph", "name", exists=_graph_exists)
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
        return rdf_response(graph_triples(summary, root), media, page_url, negotiated)
    chosen = i18n.pick(summary.titles, g.lang)
    response = render_page("browser/graph.html", title=chosen[0] if chosen else iri, iri=iri, summary=summary,
                     sources=d.links(summary.sources), classes=[(d.link(c), n) for c, n in summary.classes],
                     downloads=[(url[len(root) - 1:], media, f"{t('home.graph_ttl')}: {iri}", size)
                                for url, media, _, size in summary.downloads],
                     formats=[(n, f"{page_url}.{suffix}", m) for m, (suffix, n) in RDF_TYPES.items()],
                     query_url=url_for("browse.query_page", query=GRAPH_QUERY.format(graph=iri)))
    conneg_headers(response, page_url, HTML, negotiated)
    return response


GRAPH_QUERY = """SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH <{graph}> {{ ?s a ?class }}
}}
GROUP BY ?class ORDER BY DESC(?n)
"""


def _graph_titles(iri: str) -> list[tuple[str, str]]:
    """A named graph is titled after what it holds: a prefecture's data, the shared data, or the ontology."""
    name = iri[len(GRAPH_BASE):]
    pref = overview().by_graph(iri)
    subject = ONTOLOGY_IRI if iri == ONTOLOGY_GRAPH else pref.iri if pref else None
    if iri in (SHARED_GRAPH, NATIONAL_GRAPH):
        key = "graph.shared" if iri == SHARED_GRAPH else "graph.national"
        pairs = [(i18n.t(key, lang), lang) for lang in i18n.LANGS]
    else:
        labels = g.describer.label_pairs(subject) if subject else []
        pairs = [(text, lang) for text, lang in labels if lang in i18n.LANGS]
    titles = [(f"{text}（名前付きグラフ）" if lang == "ja" else f"{text} (named graph)", lang) for text, lang in pairs]
    return titles or [(f"名前付きグラフ {name}", "ja"), (f"named graph {name}", "en")]
