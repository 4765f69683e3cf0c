"""/ontology and /ontology/<term>: the vocabulary as documentation for people and OWL for machines."""

from __future__ import annotations

from flask import Response, g, redirect, url_for

from fukudx_kg.browser.core import (
    HTML,
    ONTOLOGY_NS,
    RDF_TYPES,
    bp,
    conneg_headers,
    negotiate_page,
    rdf_response,
    render_page,
    state,
    t,
)
from fukudx_kg.browser.describe import INCOMING_FULL_PAGE, Describer, sort_key
from fukudx_kg.browser.reader import PREFIXES, sparql_iri
from fukudx_kg.browser.resources import dereference, describe_response
from fukudx_kg.namespaces import ONTOLOGY_GRAPH, ONTOLOGY_IRI
from fukudx_kg.web import i18n
from fukudx_kg.web.input_guard import Pager


@bp.route("/ontology", defaults={"suffix": None})
@bp.route("/ontology.<any(ttl, jsonld, nt, rdf, nq, trig, owl, html):suffix>")
def ontology(suffix: str | None):
    d: Describer = g.describer
    fixed = ({s: m for m, (s, _) in RDF_TYPES.items()} | {"owl": "application/rdf+xml", "html": HTML}).get(suffix or "")
    media = negotiate_page(fixed)
    if isinstance(media, Response):
        return media
    page_url = url_for("browse.ontology")
    if media != HTML:
        triples = d.reader.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}")
        return rdf_response(triples, media, page_url, negotiated=fixed is None)
    context = ontology_context()
    response = render_page("browser/ontology.html", **context)
    conneg_headers(response, page_url, HTML, negotiated=fixed is None)
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
        term["comment"], term["comment_lang"] = i18n.pick(term["comments"], g.lang) or ("", "")
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
            "comment_lang": comment[1] if comment else "",
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
    found = dereference(ONTOLOGY_NS, name, "browse.ontology_term", "name")
    if isinstance(found, Response):
        return found
    iri, media, page_url, negotiated = found
    extra = {"term": term_context(iri)} if media == HTML else None
    return describe_response(iri, media, page_url, negotiated=negotiated, extra=extra)


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
