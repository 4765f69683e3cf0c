"""/ : what the dataset is, counts, entry points, charts and downloads; and the charts as SVG."""

from __future__ import annotations

from pathlib import Path

from flask import Response, g, request, url_for
from markupsafe import Markup

from fukudx_kg import examples as example_queries
from fukudx_kg.browser import charts
from fukudx_kg.browser.classviews import Views
from fukudx_kg.browser.core import base_iri, bp, render_page, state, t, text_response
from fukudx_kg.browser.describe import Describer
from fukudx_kg.browser.reader import PREFIXES, is_safe_iri
from fukudx_kg.browser.timeline import roadmap_timeline
from fukudx_kg.namespaces import GRAPH_BASE
from fukudx_kg.web.runtime import current


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
    return render_page("browser/home.html", title=t("home.title"), classes=fdx_classes, stats=stats,
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
            return text_response(404, "404 Not Found: give ?iri= of a roadmap or a policy section")
        views = Views(d)
        types = d.types(iri)
        roadmap = PREFIXES["fdx"] + "Roadmap" in types
        picture = roadmap_timeline(views, roadmap=iri) if roadmap else roadmap_timeline(views, section=iri)
        if picture is None:
            return text_response(404, "404 Not Found: no roadmap rows for this resource")
        svg = picture["svg"]
    return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + str(svg), content_type="image/svg+xml; charset=utf-8")
