"""/ : what the dataset is, its prefectures and their sources, counts, entry points, charts and downloads;
and the charts as SVG."""

from __future__ import annotations

from pathlib import Path

from flask import Response, g, request, url_for

from fukudx_kg import examples as example_queries
from fukudx_kg.browser import charts
from fukudx_kg.browser.classviews import Views
from fukudx_kg.browser.core import base_iri, bp, overview, render_page, state, t, text_response
from fukudx_kg.browser.describe import FDX, Describer
from fukudx_kg.browser.prefectures import Prefecture, documents
from fukudx_kg.browser.reader import PREFIXES, is_safe_iri
from fukudx_kg.browser.timeline import roadmap_timeline
from fukudx_kg.namespaces import GRAPH_BASE
from fukudx_kg.web.runtime import current


@bp.route("/")
def home():
    d: Describer = g.describer
    stats = state().stats.get(d.reader)
    ov = overview()
    prefs = ov.prefectures
    return render_page("browser/home.html", title=t("home.title"), stats=stats, prefectures=prefecture_cards(prefs),
                       counts=class_table(prefs), shared=shared_entries(), license=stats.license,
                       downloads=downloads(),
                       chart_dept=[(pref.code, d.label(pref.iri), kpi_by_department(pref)) for pref in prefs],
                       chart_unit=kpi_by_unit(), examples=example_queries.examples()[:8], base=base_iri())


def prefecture_cards(prefs: list[Prefecture]) -> list[dict]:
    """One card per prefecture: label, code, source documents (with coverage notes), entry points."""
    d: Describer = g.describer
    docs = documents(d, [p.iri for p in prefs])
    rows = d.reader.select("""SELECT DISTINCT ?g ?kind ?s WHERE { GRAPH ?g {
          { ?s a skos:ConceptScheme ; fdx:schemeOf ?doc BIND("schemes" AS ?kind) }
          UNION { ?s a fdx:Roadmap BIND("schemes" AS ?kind) }
          UNION { ?x a fdx:Region ; skos:inScheme ?s BIND("regions" AS ?kind) }
          UNION { ?s a fdx:Meeting BIND("meetings" AS ?kind) }
          UNION { ?s a fdx:DigitalService BIND("services" AS ?kind) } } } ORDER BY ?g ?kind ?s""")
    found: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        found.setdefault((row["g"].value, row["kind"].value), []).append(row["s"].value)
    d.load_labels([p.iri for p in prefs] + [s for iris in found.values() for s in iris])
    counts = overview().class_counts
    cards = []
    for pref in prefs:
        card = {"link": d.link(pref.iri), "code": pref.code, "graph": d.link(pref.graph), "documents": docs[pref.iri],
                "departments": counts.get((pref.graph, FDX + "Department"), 0),
                "municipalities": counts.get((pref.graph, FDX + "Municipality"), 0)}
        for kind in ("schemes", "regions", "meetings", "services"):
            card[kind] = d.links(dict.fromkeys(found.get((pref.graph, kind), [])))
        cards.append(card)
    return cards


def shared_entries() -> dict:
    """What belongs to no prefecture: fiscal years and theme schemes (each once, whatever graphs hold them)."""
    d: Describer = g.describer
    years = [row["y"].value for row in d.reader.select(
        "SELECT DISTINCT ?y ?n WHERE { ?y a fdx:FiscalYear ; fdx:fiscalYearNumber ?n } ORDER BY ?n ?y")]
    themes = [row["s"].value for row in d.reader.select(
        "SELECT DISTINCT ?s WHERE { ?x fdx:theme ?t . ?t skos:inScheme ?s } ORDER BY ?s")]
    return {"years": d.links(dict.fromkeys(years)), "themes": d.links(themes)}


def class_table(prefs: list[Prefecture]) -> list[dict]:
    """fdx: classes with their instances per prefecture, elsewhere (shared graphs) and in all."""
    d: Describer = g.describer
    stats = state().stats.get(d.reader)
    counts = overview().class_counts
    graphs = {p.graph for p in prefs}
    rows = []
    for cls, total in stats.classes:
        if not cls.startswith(FDX):
            continue
        shared = sum(n for (graph, c), n in counts.items() if c == cls and graph not in graphs)
        rows.append({"link": d.link(cls), "total": total, "shared": shared,
                     "per_prefecture": [counts.get((p.graph, cls), 0) for p in prefs]})
    return rows


def kpi_by_department(pref: Prefecture | None = None) -> charts.Chart:
    """KPIs per top department of one prefecture (or of all, each bar naming its prefecture)."""
    d: Describer = g.describer
    only = f"VALUES ?pref {{ {d.reader.values([pref.iri])} }}" if pref else ""
    rows = d.reader.select(f"""SELECT DISTINCT ?pref ?top ?k ?q WHERE {{ {only}
        ?i fdx:hasKPI ?k ; fdx:responsibleUnit ?u . ?u org:subOrganizationOf* ?top .
        ?top a fdx:Department ; org:subOrganizationOf ?pref . ?pref a fdx:Prefecture .
        OPTIONAL {{ ?k fdx:qualitative ?q }} }}""")
    counts: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        slot = 1 if row.get("q") is not None and row["q"].value == "true" else 0
        counts.setdefault((row["pref"].value, row["top"].value), [0, 0])[slot] += 1
    d.load_labels([k for key in counts for k in key])
    bars = [charts.Bar(d.label(top) if pref else f"{d.label(top)}（{d.label(p)}）", d.link(top).href,
                       [(v[0], 0), (v[1], 1)], lang=d.link(top).lang) for (p, top), v in counts.items()]
    bars.sort(key=lambda b: (-sum(v for v, _ in b.segments), b.label))
    legend = [(t("v.numeric"), 0), (t("v.qualitative"), 1)]
    title = t("v.chart_kpi_by_dept_of", pref=d.label(pref.iri)) if pref else t("v.chart_kpi_by_dept")
    # Qualitative targets are hatched: numeric and qualitative differ by pattern, not by colour alone.
    return charts.bar_chart(title, bars, legend, desc=t("v.chart_desc_dept", n=len(bars)), hatched=frozenset({1}))


def kpi_by_unit() -> charts.Chart:
    """Numeric targets per unit, one coloured segment per prefecture (the legend names them)."""
    d: Describer = g.describer
    prefs = overview().prefectures
    rows = d.reader.select("""SELECT ?u ?g (COUNT(DISTINCT ?k) AS ?n) WHERE { GRAPH ?g { ?k a fdx:KPI ; fdx:unit ?u ;
        fdx:targetValue ?v } } GROUP BY ?u ?g""")
    slot = {p.graph: i for i, p in enumerate(prefs)}
    per_unit: dict[str, list[tuple[float, int]]] = {}
    for row in rows:
        graph = row["g"].value
        per_unit.setdefault(row["u"].value, []).append((int(row["n"].value), slot.get(graph, len(prefs))))
    bars = [charts.Bar(unit, url_for("browse.search", q=unit), sorted(segments, key=lambda s: s[1]))
            for unit, segments in per_unit.items()]
    bars.sort(key=lambda b: (-sum(v for v, _ in b.segments), b.label))
    d.load_labels(p.iri for p in prefs)
    legend = [(d.label(p.iri), i) for i, p in enumerate(prefs)]
    if any(s[1] == len(prefs) for b in bars for s in b.segments):
        legend.append((t("home.shared"), len(prefs)))
    return charts.bar_chart(t("v.chart_kpi_by_unit"), bars, legend, width=760, label_width=120,
                            desc=t("v.chart_desc_unit", n=len(bars)))


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
        code = request.args.get("pref")
        pref = overview().by_code(code) if code else None
        if code and pref is None:
            return text_response(404, "404 Not Found: no prefecture with this ?pref= code (the home page lists them)")
        svg = kpi_by_department(pref).svg
    elif name == "kpi-by-unit":
        svg = kpi_by_unit().svg
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
