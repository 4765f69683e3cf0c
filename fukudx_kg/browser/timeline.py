"""The roadmap picture of a policy section's subtree or of a whole roadmap: entries placed in a
fiscal year on an SVG timeline, texts that cannot be placed listed apart (never placed by guess).

The columns are the plan's own period: from the roadmaps' `fdx:firstFiscalYear` to their
`fdx:lastFiscalYear` (widened to any year an entry is placed in), labelled by those FiscalYear
resources; a roadmap that states no period spans the years its entries are placed in.
"""

from __future__ import annotations

from fukudx_kg.browser import charts
from fukudx_kg.browser.describe import sort_key
from fukudx_kg.browser.reader import sparql_iri, value_of


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
    placed = view.reader.select(f"""SELECT DISTINCT ?e ?row ?y ?ph WHERE {{ VALUES ?row {{ {vrows} }}
        ?e a fdx:RoadmapEntry ; fdx:forSection ?row ; fdx:fiscalYear ?fy . ?fy fdx:fiscalYearNumber ?y .
        OPTIONAL {{ ?e fdx:phase ?ph }} }} ORDER BY ?y ?e""")
    unplaced = view.reader.select(f"""SELECT DISTINCT ?u ?row ?ph ?l WHERE {{ VALUES ?rm {{ {vmaps} }}
        ?u a fdx:UnplacedRoadmapText ; fdx:inRoadmap ?rm . OPTIONAL {{ ?u fdx:forSection ?row }}
        OPTIONAL {{ ?u fdx:phase ?ph }} OPTIONAL {{ ?u rdfs:label ?l }} }}""")
    if section and not roadmap:
        # Only texts of these rows, or texts whose row the source does not say.
        unplaced = [u for u in unplaced if "row" not in u or value_of(u, "row") in row_iris]
    bounds = view.reader.select(f"""SELECT (MIN(?a) AS ?first) (MAX(?b) AS ?last) WHERE {{ VALUES ?rm {{ {vmaps} }}
        OPTIONAL {{ ?rm fdx:firstFiscalYear/fdx:fiscalYearNumber ?a }}
        OPTIONAL {{ ?rm fdx:lastFiscalYear/fdx:fiscalYearNumber ?b }} }}""")
    numbers = [int(value_of(p, "y")) for p in placed]
    numbers += [int(value_of(bounds[0], key)) for key in ("first", "last") if bounds and value_of(bounds[0], key)]
    years = list(range(min(numbers), max(numbers) + 1)) if numbers else []
    year_iris = fiscal_years(view.reader, years)
    view.describer.load_labels(row_iris + maps + [value_of(p, "e") for p in placed] + list(year_iris.values()) +
                               [value_of(u, "u") for u in unplaced])
    year_labels = [(y, view.describer.label(year_iris[y]) if y in year_iris else f"FY{y}") for y in years]
    title = view.t("v.roadmap_period", first=year_labels[0][1], last=year_labels[-1][1]) if years \
        else view.t("v.roadmap")
    trows = {}
    for iri in sorted(row_iris, key=lambda i: sort_key(i.rsplit("/", 1)[-1])):
        link = view.describer.link(iri)
        trows[iri] = charts.TimelineRow(link.label, link.href, link.lang)
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
    desc = view.t("v.timeline_desc", rows=len(trows), placed=len(entries), unplaced=len(items))
    picture = charts.roadmap_timeline(title, year_labels, list(trows.values()), items,
                                      view.t("v.unplaced"), view.t("v.unplaced_note"), view.t("v.row_unknown"), desc)
    labels = dict(year_labels)
    for e in entries:
        e["year_label"] = labels.get(e["year"], str(e["year"]))
    return {"svg": picture, "title": title, "years": year_labels, "entries": entries, "unplaced": items,
            "roadmaps": [view.describer.link(m) for m in maps], "rows": [view.describer.link(i) for i in trows]}


def fiscal_years(reader, years: list[int]) -> dict[int, str]:
    """The FiscalYear resource of each year number (those the data has)."""
    if not years:
        return {}
    rows = reader.select(f"""SELECT DISTINCT ?n ?fy WHERE {{ ?fy a fdx:FiscalYear ; fdx:fiscalYearNumber ?n
        FILTER(?n >= {min(years)} && ?n <= {max(years)}) }} ORDER BY ?n ?fy""")
    out: dict[int, str] = {}
    for row in rows:
        out.setdefault(int(value_of(row, "n")), value_of(row, "fy"))
    return out
