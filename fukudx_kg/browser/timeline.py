"""The roadmap picture of a policy section's subtree or of a whole roadmap: entries placed in a
fiscal year on an SVG timeline, texts that cannot be placed listed apart (never placed by guess)."""

from __future__ import annotations

from fukudx_kg.browser import charts
from fukudx_kg.browser.describe import sort_key
from fukudx_kg.browser.reader import sparql_iri, value_of

YEARS = [2021, 2022, 2023, 2024, 2025]  # 令和3–7年度, the policy period


def roadmap_timeline(view, section: str | None = None, roadmap: str | None = None) -> dict | None:
    """The roadmap picture for a section's subtree (its rows) or for a whole roadmap."""
    if roadmap:
        row_where = f"?row fdx:inRoadmap {sparql_iri(roadmap)} . BIND({sparql_iri(roadmap)} AS ?rm)"
    else:
        s = sparql_iri(section)
        row_where = (f"{{ ?row fdx:inRoadmap ?rm . ?row skos:broader* {s} }} UNION "
                     f"{{ ?rm fdx:roadmapOf {s} . ?row fdx:inRoadmap ?rm }}")
    rows = view.reader.select(f"""SELECT DISTINCT ?row ?rm WHERE {{ {row_where} ?row a fdx:PolicySection }}""")
    if not rows:
        return None
    row_iris = list(dict.fromkeys(value_of(r, "row") for r in rows))
    maps = list(dict.fromkeys(value_of(r, "rm") for r in rows))
    vrows, vmaps = view.reader.values(row_iris), view.reader.values(maps)
    placed = view.reader.select(f"""SELECT ?e ?row ?y ?ph WHERE {{ VALUES ?row {{ {vrows} }}
        ?e a fdx:RoadmapEntry ; fdx:forSection ?row ; fdx:fiscalYear ?fy . ?fy fdx:fiscalYearNumber ?y .
        OPTIONAL {{ ?e fdx:phase ?ph }} }} ORDER BY ?y ?e""")
    unplaced = view.reader.select(f"""SELECT ?u ?row ?ph ?l WHERE {{ VALUES ?rm {{ {vmaps} }}
        ?u a fdx:UnplacedRoadmapText ; fdx:inRoadmap ?rm . OPTIONAL {{ ?u fdx:forSection ?row }}
        OPTIONAL {{ ?u fdx:phase ?ph }} OPTIONAL {{ ?u rdfs:label ?l }} }}""")
    if section and not roadmap:
        # Only texts of these rows, or texts whose row the source does not say.
        unplaced = [u for u in unplaced if "row" not in u or value_of(u, "row") in row_iris]
    bounds = view.reader.select(f"""SELECT (MIN(?a) AS ?first) (MAX(?b) AS ?last) WHERE {{ VALUES ?rm {{ {vmaps} }}
        OPTIONAL {{ ?rm fdx:firstFiscalYear/fdx:fiscalYearNumber ?a }}
        OPTIONAL {{ ?rm fdx:lastFiscalYear/fdx:fiscalYearNumber ?b }} }}""")
    first = int(value_of(bounds[0], "first") or YEARS[0]) if bounds else YEARS[0]
    last = int(value_of(bounds[0], "last") or YEARS[-1]) if bounds else YEARS[-1]
    years = list(range(min(first, YEARS[0]), max(last, YEARS[-1]) + 1))
    year_iris = {y: f"{_fiscal_year_base(view.reader)}fy/{y}" for y in years}
    view.describer.load_labels(row_iris + maps + [value_of(p, "e") for p in placed] + list(year_iris.values()) +
                       [value_of(u, "u") for u in unplaced])
    year_labels = [(y, view.describer.label(year_iris[y]) if view.describer.label_pairs(year_iris[y]) else f"FY{y}")
                   for y in years]
    trows = {}
    for iri in sorted(row_iris, key=lambda i: sort_key(i.rsplit("/", 1)[-1])):
        link = view.describer.link(iri)
        trows[iri] = charts.TimelineRow(link.label, link.href)
    entries = []
    for p in placed:
        row = trows.get(value_of(p, "row"))
        year = int(value_of(p, "y"))
        phase = value_of(p, "ph") or view.describer.label(value_of(p, "e"))
        if row is not None:
            row.placed.setdefault(year, []).append((phase, view.describer.link(value_of(p, "e")).href))
        entries.append({"link": view.describer.link(value_of(p, "e")), "row": view.describer.link(value_of(p, "row")),
                        "year": year, "phase": phase})
    items = []
    for u in sorted(unplaced, key=lambda u: sort_key(value_of(u, "u").rsplit("/", 1)[-1])):
        link = view.describer.link(value_of(u, "u"))
        row_label = view.describer.label(value_of(u, "row")) if "row" in u else None
        items.append(charts.Unplaced(value_of(u, "ph") or value_of(u, "l") or link.label, link.href, row_label))
    picture = charts.roadmap_timeline(view.t("v.roadmap"), year_labels, list(trows.values()), items,
                                      view.t("v.unplaced"), view.t("v.unplaced_note"), view.t("v.row_unknown"))
    return {"svg": picture, "roadmaps": [view.describer.link(m) for m in maps], "entries": entries,
            "unplaced": items, "rows": [view.describer.link(i) for i in trows]}


def _fiscal_year_base(reader) -> str:
    rows = reader.select("SELECT ?fy WHERE { ?fy a fdx:FiscalYear } LIMIT 1")
    if rows:
        return value_of(rows[0], "fy").rsplit("fy/", 1)[0]
    return ""
