"""What a page shows beyond the generic description, by the resource's class.

Each view reads a few bounded queries about one resource and returns a dict for its template
block (`templates/views/<name>.html`). Views never change what the generic part shows; they
add the reading order an analyst wants (breadcrumb, tables, pictures).
"""

from __future__ import annotations

import unicodedata
from typing import Callable


from fukudx_kg.browser import charts
from fukudx_kg.web import i18n
from fukudx_kg.browser.describe import FDX, Describer, Link, sort_key
from fukudx_kg.browser.reader import PREFIXES, sparql_iri

SKOS = PREFIXES["skos"]
ORG = PREFIXES["org"]


def C(name: str) -> str:  # noqa: N802 - reads like the class name it builds
    return FDX + name


YEARS = [2021, 2022, 2023, 2024, 2025]  # 令和3–7年度, the policy period


def _v(row: dict, key: str) -> str | None:
    term = row.get(key)
    return term.value if term is not None else None


def _num(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _nfkc(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "")


class Views:
    """Dispatch: the first class in `ORDER` the resource has picks its view."""

    def __init__(self, d: Describer):
        self.d = d
        self.r = d.reader
        self.lang = d.lang

    def t(self, key: str, **kw) -> str:
        return i18n.t(key, self.lang, **kw)

    def for_types(self, iri: str, types: list[str]) -> tuple[str, dict] | None:
        table: list[tuple[str, Callable[[str], dict]]] = [
            (C("Initiative"), self.initiative), (C("KPI"), self.kpi), (C("Program"), self.program),
            (C("Department"), self.department), (C("PolicySection"), self.section),
            (C("Municipality"), self.municipality), (C("MunicipalityGroup"), self.group),
            (C("Region"), self.region), (C("FiscalYear"), self.fiscal_year), (C("Meeting"), self.meeting),
            (C("Roadmap"), self.roadmap), (C("Prefecture"), self.prefecture),
            (SKOS + "ConceptScheme", self.scheme),
        ]
        for cls, fn in table:
            if cls in types:
                return cls.rsplit("#", 1)[-1].lower(), fn(iri)
        return None

    # ------------------------------------------------------------------ shared pieces
    def breadcrumb(self, section: str) -> list[dict]:
        """Ancestors of a policy section, top first: 第5 › 5 › 5(5)."""
        chain, seen, current = [], set(), section
        while current and current not in seen and len(chain) < 12:
            seen.add(current)
            rows = self.r.select(f"SELECT ?n ?b WHERE {{ OPTIONAL {{ {sparql_iri(current)} skos:notation ?n }} "
                                 f"OPTIONAL {{ {sparql_iri(current)} skos:broader ?b }} }} LIMIT 1")
            row = rows[0] if rows else {}
            link = self.d.link(current)
            notation = _nfkc(_v(row, "n")) or link.label
            chain.append({"link": link, "notation": notation})
            current = _v(row, "b")
        chain.reverse()
        return chain

    def kpi_rows(self, where: str) -> list[dict]:
        """KPI table rows for KPIs bound to ?k by `where`."""
        rows = self.r.select(f"""
            SELECT DISTINCT ?k ?v ?u ?fy ?q ?qual ?printed ?text WHERE {{
              {where}
              OPTIONAL {{ ?k fdx:targetValue ?v }} OPTIONAL {{ ?k fdx:unit ?u }}
              OPTIONAL {{ ?k fdx:targetFiscalYear ?fy }} OPTIONAL {{ ?k fdx:qualitative ?q }}
              OPTIONAL {{ ?k fdx:valueQualifier ?qual }} OPTIONAL {{ ?k fdx:valueAsPrinted ?printed }}
              OPTIONAL {{ ?k fdx:targetText ?text }}
            }} ORDER BY ?k LIMIT 2000""")
        iris = [_v(r, "k") for r in rows] + [_v(r, "fy") for r in rows if "fy" in r] + \
               [_v(r, "qual") for r in rows if "qual" in r]
        self.d.load_labels(iris)
        out = []
        for r in rows:
            out.append({
                "link": self.d.link(_v(r, "k")),
                "value": _num(_v(r, "v")),
                "value_text": charts._fmt(_num(_v(r, "v"))) if "v" in r else "",
                "unit": _v(r, "u") or "",
                "year": self.d.link(_v(r, "fy")) if "fy" in r else None,
                "qualitative": _v(r, "q") == "true",
                "qualifier": self.d.link(_v(r, "qual")) if "qual" in r else None,
                "printed": _v(r, "printed") or "",
                "text": _v(r, "text") or "",
            })
        return out

    def unit_with_parents(self, unit: str) -> dict:
        chain = self.org_ancestors(unit)
        return {"link": self.d.link(unit), "parents": chain}

    def org_ancestors(self, unit: str) -> list[Link]:
        """Departments above `unit`, top first (the prefecture itself excluded)."""
        out, seen, current = [], {unit}, unit
        while len(out) < 8:
            rows = self.r.select(f"SELECT ?p WHERE {{ {sparql_iri(current)} org:subOrganizationOf ?p . "
                                 f"?p a fdx:Department }} LIMIT 1")
            if not rows or _v(rows[0], "p") in seen:
                break
            current = _v(rows[0], "p")
            seen.add(current)
            out.append(self.d.link(current))
        out.reverse()
        return out

    def initiative_rows(self, where: str, limit: int = 500) -> list[dict]:
        """Initiatives bound to ?i by `where`, with section notation, year and KPI count."""
        rows = self.r.select(f"""
            SELECT ?i (SAMPLE(?sec) AS ?s) (SAMPLE(?n) AS ?notation) (SAMPLE(?fy) AS ?y)
                   (COUNT(DISTINCT ?k) AS ?kpis) (GROUP_CONCAT(DISTINCT STR(?unit); separator=" ") AS ?units)
            WHERE {{
              {{ SELECT DISTINCT ?i WHERE {{ {where} }} }}
              ?i a fdx:Initiative .
              OPTIONAL {{ ?i fdx:underSection ?sec OPTIONAL {{ ?sec skos:notation ?n }} }}
              OPTIONAL {{ ?i fdx:fiscalYear ?fy }} OPTIONAL {{ ?i fdx:hasKPI ?k }}
              OPTIONAL {{ ?i fdx:responsibleUnit ?unit }}
            }} GROUP BY ?i ORDER BY ?i LIMIT {int(limit)}""")
        units = {u for r in rows for u in (_v(r, "units") or "").split()}
        self.d.load_labels([_v(r, "i") for r in rows] + [_v(r, "s") for r in rows if "s" in r] +
                           [_v(r, "y") for r in rows if "y" in r] + list(units))
        out = []
        for r in rows:
            out.append({
                "link": self.d.link(_v(r, "i")),
                "section": self.d.link(_v(r, "s")) if "s" in r else None,
                "notation": _nfkc(_v(r, "notation")),
                "year": self.d.link(_v(r, "y")) if "y" in r else None,
                "kpis": int(_v(r, "kpis") or 0),
                "units": sorted((self.d.link(u) for u in (_v(r, "units") or "").split()), key=lambda link: link.label),
            })
        out.sort(key=lambda x: (sort_key(x["notation"]), x["link"].iri))
        return out

    # ------------------------------------------------------------------ classes
    def initiative(self, iri: str) -> dict:
        s = sparql_iri(iri)
        row = (self.r.select(f"""SELECT ?sec ?prog ?fy ?doc ?desc WHERE {{
            OPTIONAL {{ {s} fdx:underSection ?sec }} OPTIONAL {{ {s} fdx:program ?prog }}
            OPTIONAL {{ {s} fdx:fiscalYear ?fy }} OPTIONAL {{ {s} fdx:listedIn ?doc }}
            OPTIONAL {{ {s} dcterms:description ?desc }} }} LIMIT 1""") or [{}])[0]
        sec, prog = _v(row, "sec"), _v(row, "prog")
        units = [_v(r, "u") for r in self.r.select(f"SELECT ?u WHERE {{ {s} fdx:responsibleUnit ?u }} ORDER BY ?u")]
        other_rows = []
        if prog:
            other_rows = self.initiative_rows(f"?i fdx:program {sparql_iri(prog)} FILTER(?i != {s})")
        return {
            "breadcrumb": self.breadcrumb(sec) if sec else [],
            "program": self.d.link(prog) if prog else None,
            "other_rows": other_rows,
            "year": self.d.link(_v(row, "fy")) if "fy" in row else None,
            "listed_in": self.d.link(_v(row, "doc")) if "doc" in row else None,
            "description": _v(row, "desc"),
            "departments": [self.unit_with_parents(u) for u in units],
            "kpis": self.kpi_rows(f"{s} fdx:hasKPI ?k ."),
        }

    def kpi(self, iri: str) -> dict:
        s = sparql_iri(iri)
        inits = [_v(r, "i") for r in self.r.select(f"SELECT ?i WHERE {{ ?i fdx:hasKPI {s} }} ORDER BY ?i")]
        first = inits[0] if inits else None
        data = {"kpi": (self.kpi_rows(f"VALUES ?k {{ {s} }}") or [None])[0], "initiatives": [], "breadcrumb": [],
                "departments": [], "siblings": []}
        if first:
            f = sparql_iri(first)
            data["initiatives"] = self.initiative_rows(f"?i fdx:hasKPI {s}")
            sec = self.r.select(f"SELECT ?sec WHERE {{ {f} fdx:underSection ?sec }} LIMIT 1")
            data["breadcrumb"] = self.breadcrumb(_v(sec[0], "sec")) if sec else []
            units = [_v(r, "u") for r in self.r.select(f"SELECT ?u WHERE {{ {f} fdx:responsibleUnit ?u }} ORDER BY ?u")]
            data["departments"] = [self.unit_with_parents(u) for u in units]
            data["siblings"] = self.kpi_rows(f"{f} fdx:hasKPI ?k . FILTER(?k != {s})")
        return data

    def program(self, iri: str) -> dict:
        s = sparql_iri(iri)
        units = [_v(r, "u") for r in self.r.select(f"SELECT ?u WHERE {{ {s} fdx:responsibleUnit ?u }} ORDER BY ?u")]
        return {
            "rows": self.initiative_rows(f"?i fdx:program {s}"),
            "departments": [self.unit_with_parents(u) for u in units],
            "kpis": self.kpi_rows(f"?i fdx:program {s} ; fdx:hasKPI ?k ."),
        }

    def _unit_tree(self, pattern: str):
        """Sub-units as a nested list, built from (?d unit, ?p its parent) rows matching `pattern`."""
        rows = self.r.select(f"SELECT ?d ?p WHERE {{ {pattern} }}")
        children: dict[str, list[str]] = {}
        for r in rows:
            children.setdefault(_v(r, "p"), []).append(_v(r, "d"))
        self.d.load_labels([_v(r, "d") for r in rows])

        def tree(node: str, depth: int = 0) -> list[dict]:
            kids = sorted(children.get(node, []), key=lambda k: sort_key(self.d.label(k)))
            return [{"link": self.d.link(k), "children": tree(k, depth + 1) if depth < 6 else []} for k in kids]
        return tree

    def department(self, iri: str) -> dict:
        s = sparql_iri(iri)
        tree = self._unit_tree(f"?d org:subOrganizationOf+ {s} . ?d org:subOrganizationOf ?p")

        where = f"?i fdx:responsibleUnit ?unit . ?unit org:subOrganizationOf* {s} ."
        kpis = self.kpi_rows(f"?i fdx:responsibleUnit/org:subOrganizationOf* {s} ; fdx:hasKPI ?k .")
        return {
            "ancestors": self.org_ancestors(iri),
            "self": self.d.link(iri),
            "tree": tree(iri),
            "initiatives": self.initiative_rows(where),
            "kpis": kpis,
            "chart": self.targets_chart(kpis),
        }

    def targets_chart(self, kpis: list[dict]):
        panels: dict[str, charts.UnitPanel] = {}
        for k in kpis:
            if k["value"] is None or not k["unit"]:
                continue
            panels.setdefault(k["unit"], charts.UnitPanel(k["unit"])).bars.append(
                charts.Bar(k["link"].label, k["link"].href, [(k["value"], 0)],
                           note=f"{k['value_text']} {k['unit']}" + (f" ({k['year'].label})" if k["year"] else "")))
        if not panels:
            return None
        ordered = sorted(panels.values(), key=lambda p: (-len(p.bars), p.unit))
        for p in ordered:
            p.bars.sort(key=lambda b: -sum(v for v, _ in b.segments))
        return charts.targets_by_unit(self.t("v.chart_targets"), ordered)

    def section(self, iri: str) -> dict:
        s = sparql_iri(iri)
        kids = self.r.select(f"""
            SELECT ?c (SAMPLE(?n) AS ?notation) (COUNT(DISTINCT ?i) AS ?count) WHERE {{
              ?c skos:broader {s} . OPTIONAL {{ ?c skos:notation ?n }}
              OPTIONAL {{ ?i a fdx:Initiative ; fdx:underSection/skos:broader* ?c }}
            }} GROUP BY ?c""")
        self.d.load_labels([_v(r, "c") for r in kids])
        children = [{"link": self.d.link(_v(r, "c")), "notation": _nfkc(_v(r, "notation")),
                     "count": int(_v(r, "count") or 0)} for r in kids]
        children.sort(key=lambda c: (sort_key(c["notation"] or c["link"].label), c["link"].iri))
        new_values = [self.d.value(r["v"]) for r in self.r.select(f"SELECT ?v WHERE {{ {s} fdx:newValue ?v }}")]
        themes = [self.d.link(_v(r, "t")) for r in self.r.select(f"SELECT ?t WHERE {{ {s} fdx:theme ?t }}")]
        return {
            "breadcrumb": self.breadcrumb(iri),
            "children": children,
            "initiatives": self.initiative_rows(f"?i fdx:underSection/skos:broader* {s}"),
            "new_values": new_values,
            "themes": themes,
            "roadmap": self.timeline(section=iri),
        }

    def roadmap(self, iri: str) -> dict:
        return {"roadmap": self.timeline(roadmap=iri)}

    def timeline(self, section: str | None = None, roadmap: str | None = None) -> dict | None:
        """The roadmap picture for a section's subtree (its rows) or for a whole roadmap."""
        if roadmap:
            row_where = f"?row fdx:inRoadmap {sparql_iri(roadmap)} . BIND({sparql_iri(roadmap)} AS ?rm)"
        else:
            s = sparql_iri(section)
            row_where = (f"{{ ?row fdx:inRoadmap ?rm . ?row skos:broader* {s} }} UNION "
                         f"{{ ?rm fdx:roadmapOf {s} . ?row fdx:inRoadmap ?rm }}")
        rows = self.r.select(f"""SELECT DISTINCT ?row ?rm WHERE {{ {row_where} ?row a fdx:PolicySection }}""")
        if not rows:
            return None
        row_iris = list(dict.fromkeys(_v(r, "row") for r in rows))
        maps = list(dict.fromkeys(_v(r, "rm") for r in rows))
        vrows, vmaps = self.r.values(row_iris), self.r.values(maps)
        placed = self.r.select(f"""SELECT ?e ?row ?y ?ph WHERE {{ VALUES ?row {{ {vrows} }}
            ?e a fdx:RoadmapEntry ; fdx:forSection ?row ; fdx:fiscalYear ?fy . ?fy fdx:fiscalYearNumber ?y .
            OPTIONAL {{ ?e fdx:phase ?ph }} }} ORDER BY ?y ?e""")
        unplaced = self.r.select(f"""SELECT ?u ?row ?ph ?l WHERE {{ VALUES ?rm {{ {vmaps} }}
            ?u a fdx:UnplacedRoadmapText ; fdx:inRoadmap ?rm . OPTIONAL {{ ?u fdx:forSection ?row }}
            OPTIONAL {{ ?u fdx:phase ?ph }} OPTIONAL {{ ?u rdfs:label ?l }} }}""")
        if section and not roadmap:
            # Only texts of these rows, or texts whose row the source does not say.
            unplaced = [u for u in unplaced if "row" not in u or _v(u, "row") in row_iris]
        bounds = self.r.select(f"""SELECT (MIN(?a) AS ?first) (MAX(?b) AS ?last) WHERE {{ VALUES ?rm {{ {vmaps} }}
            OPTIONAL {{ ?rm fdx:firstFiscalYear/fdx:fiscalYearNumber ?a }}
            OPTIONAL {{ ?rm fdx:lastFiscalYear/fdx:fiscalYearNumber ?b }} }}""")
        first = int(_v(bounds[0], "first") or YEARS[0]) if bounds else YEARS[0]
        last = int(_v(bounds[0], "last") or YEARS[-1]) if bounds else YEARS[-1]
        years = list(range(min(first, YEARS[0]), max(last, YEARS[-1]) + 1))
        year_iris = {y: f"{self.fy_base()}fy/{y}" for y in years}
        self.d.load_labels(row_iris + maps + [_v(p, "e") for p in placed] + list(year_iris.values()) +
                           [_v(u, "u") for u in unplaced])
        year_labels = [(y, self.d.label(year_iris[y]) if self.d.label_pairs(year_iris[y]) else f"FY{y}")
                       for y in years]
        trows = {}
        for iri in sorted(row_iris, key=lambda i: sort_key(i.rsplit("/", 1)[-1])):
            link = self.d.link(iri)
            trows[iri] = charts.TimelineRow(link.label, link.href)
        entries = []
        for p in placed:
            row = trows.get(_v(p, "row"))
            year = int(_v(p, "y"))
            phase = _v(p, "ph") or self.d.label(_v(p, "e"))
            if row is not None:
                row.placed.setdefault(year, []).append((phase, self.d.link(_v(p, "e")).href))
            entries.append({"link": self.d.link(_v(p, "e")), "row": self.d.link(_v(p, "row")), "year": year,
                            "phase": phase})
        items = []
        for u in sorted(unplaced, key=lambda u: sort_key(_v(u, "u").rsplit("/", 1)[-1])):
            link = self.d.link(_v(u, "u"))
            row_label = self.d.label(_v(u, "row")) if "row" in u else None
            items.append(charts.Unplaced(_v(u, "ph") or _v(u, "l") or link.label, link.href, row_label))
        picture = charts.roadmap_timeline(self.t("v.roadmap"), year_labels, list(trows.values()), items,
                                          self.t("v.unplaced"), self.t("v.unplaced_note"), self.t("v.row_unknown"))
        return {"svg": picture, "roadmaps": [self.d.link(m) for m in maps], "entries": entries,
                "unplaced": items, "rows": [self.d.link(i) for i in trows]}

    def fy_base(self) -> str:
        rows = self.r.select("SELECT ?fy WHERE { ?fy a fdx:FiscalYear } LIMIT 1")
        if rows:
            return _v(rows[0], "fy").rsplit("fy/", 1)[0]
        return ""

    def municipality(self, iri: str) -> dict:
        s = sparql_iri(iri)
        row = (self.r.select(f"""SELECT ?code ?region ?district ?kind ?sac ?pref WHERE {{
            OPTIONAL {{ {s} fdx:localGovernmentCode ?code }} OPTIONAL {{ {s} fdx:region ?region }}
            OPTIONAL {{ {s} fdx:district ?district }} OPTIONAL {{ {s} fdx:municipalityKind ?kind }}
            OPTIONAL {{ {s} fdx:standardArea ?sac }} OPTIONAL {{ {s} fdx:inPrefecture ?pref }} }} LIMIT 1""")
               or [{}])[0]
        groups = [self.d.link(_v(r, "g")) for r in self.r.select(f"SELECT ?g WHERE {{ ?g fdx:hasMember {s} }} ORDER BY ?g")]
        region = _v(row, "region")
        neighbours = []
        if region:
            neighbours = [self.d.link(_v(r, "m")) for r in self.r.select(
                f"SELECT ?m WHERE {{ ?m fdx:region {sparql_iri(region)} FILTER(?m != {s}) }} ORDER BY ?m")]
        links_out = []
        if "sac" in row:
            links_out.append({"href": _v(row, "sac"), "label": self.t("v.estat")})
        return {
            "code": _v(row, "code"),
            "region": self.d.link(region) if region else None,
            "district": self.d.link(_v(row, "district")) if "district" in row else None,
            "kind": self.d.link(_v(row, "kind")) if "kind" in row else None,
            "prefecture": self.d.link(_v(row, "pref")) if "pref" in row else None,
            "groups": groups,
            "neighbours": neighbours,
            "links_out": links_out,
        }

    def municipality_table(self, where: str) -> list[dict]:
        rows = self.r.select(f"""SELECT ?m ?code ?kind WHERE {{ {where}
            OPTIONAL {{ ?m fdx:localGovernmentCode ?code }} OPTIONAL {{ ?m fdx:municipalityKind ?kind }} }}
            ORDER BY ?code""")
        self.d.load_labels([_v(r, "m") for r in rows] + [_v(r, "kind") for r in rows if "kind" in r])
        return [{"link": self.d.link(_v(r, "m")), "code": _v(r, "code") or "",
                 "kind": self.d.link(_v(r, "kind")) if "kind" in r else None} for r in rows]

    def group(self, iri: str) -> dict:
        return {"members": self.municipality_table(f"{sparql_iri(iri)} fdx:hasMember ?m .")}

    def region(self, iri: str) -> dict:
        return {"members": self.municipality_table(f"?m fdx:region {sparql_iri(iri)} .")}

    def fiscal_year(self, iri: str) -> dict:
        s = sparql_iri(iri)
        entries = self.r.select(f"""SELECT ?e ?sec ?ph WHERE {{ ?e a fdx:RoadmapEntry ; fdx:fiscalYear {s} .
            OPTIONAL {{ ?e fdx:forSection ?sec }} OPTIONAL {{ ?e fdx:phase ?ph }} }} ORDER BY ?e""")
        self.d.load_labels([_v(e, "e") for e in entries] + [_v(e, "sec") for e in entries if "sec" in e])
        kpis = self.kpi_rows(f"?k fdx:targetFiscalYear {s} .")
        dept_counts: dict[str, int] = {}
        for r in self.r.select(f"""SELECT ?top (COUNT(DISTINCT ?k) AS ?n) WHERE {{
                ?k fdx:targetFiscalYear {s} . ?i fdx:hasKPI ?k ; fdx:responsibleUnit ?u .
                ?u org:subOrganizationOf* ?top . ?top org:subOrganizationOf ?pref . ?pref a fdx:Prefecture }}
                GROUP BY ?top"""):
            dept_counts[_v(r, "top")] = int(_v(r, "n"))
        self.d.load_labels(dept_counts)
        bars = sorted((charts.Bar(self.d.label(k), self.d.link(k).href, [(n, 0)]) for k, n in dept_counts.items()),
                      key=lambda b: -b.segments[0][0])
        row = (self.r.select(f"""SELECT ?start ?end (COUNT(DISTINCT ?i) AS ?n) WHERE {{
            OPTIONAL {{ {s} fdx:startDate ?start }} OPTIONAL {{ {s} fdx:endDate ?end }}
            OPTIONAL {{ ?i a fdx:Initiative ; fdx:fiscalYear {s} }} }} GROUP BY ?start ?end""") or [{}])[0]
        return {
            "entries": [{"link": self.d.link(_v(e, "e")), "section": self.d.link(_v(e, "sec")) if "sec" in e else None,
                         "phase": _v(e, "ph") or ""} for e in entries],
            "kpis": kpis,
            "chart": charts.bar_chart(self.t("v.kpis_due"), bars) if bars else None,
            "start": _v(row, "start"), "end": _v(row, "end"),
            "initiatives": self.initiative_rows(f"?i fdx:fiscalYear {s}"),
        }

    def meeting(self, iri: str) -> dict:
        s = sparql_iri(iri)
        items = self.r.select(f"""SELECT ?rel ?a ?c WHERE {{ VALUES ?rel {{ fdx:decided fdx:reported fdx:agenda }}
            {s} ?rel ?a . OPTIONAL {{ ?a fdx:concerns ?c }} }} ORDER BY ?a ?c""")
        services = self.r.select(f"""SELECT DISTINCT ?svc ?date ?month WHERE {{
            {s} fdx:decided|fdx:reported|fdx:agenda ?a . ?a fdx:concerns ?svc . ?svc a fdx:DigitalService .
            OPTIONAL {{ ?svc fdx:launchDate ?date }} OPTIONAL {{ ?svc fdx:launchMonth ?month }} }} ORDER BY ?svc""")
        statements = self.r.select(f"""SELECT ?st ?o ?sp ?text WHERE {{ {s} fdx:hasStatement ?st .
            OPTIONAL {{ ?st fdx:statementOrder ?o }} OPTIONAL {{ ?st fdx:speaker ?sp }}
            OPTIONAL {{ ?st dcterms:description ?text }} }} ORDER BY ?o ?st""")
        info = (self.r.select(f"""SELECT ?date ?start ?end ?place WHERE {{
            OPTIONAL {{ {s} dcterms:date ?date }} OPTIONAL {{ {s} prov:startedAtTime ?start }}
            OPTIONAL {{ {s} prov:endedAtTime ?end }} OPTIONAL {{ {s} prov:atLocation ?place }} }} LIMIT 1""") or [{}])[0]
        self.d.load_labels([_v(i, "a") for i in items] + [_v(i, "c") for i in items if "c" in i] +
                           [_v(x, "svc") for x in services] + [_v(x, "sp") for x in statements if "sp" in x])
        groups: dict[str, dict[str, dict]] = {"decided": {}, "reported": {}, "agenda": {}}
        for i in items:
            key = _v(i, "rel").rsplit("#", 1)[-1]
            entry = groups[key].setdefault(_v(i, "a"), {"link": self.d.link(_v(i, "a")), "concerns": []})
            if "c" in i:
                entry["concerns"].append(self.d.link(_v(i, "c")))
        return {
            "date": _v(info, "date"), "start": _v(info, "start"), "end": _v(info, "end"),
            "place": self.d.link(_v(info, "place")) if "place" in info else None,
            "decisions": list(groups["decided"].values()),
            "reports": list(groups["reported"].values()),
            "agenda": list(groups["agenda"].values()),
            "services": [{"link": self.d.link(_v(x, "svc")), "date": _v(x, "date") or _v(x, "month") or ""}
                         for x in services],
            "statements": [{"link": self.d.link(_v(x, "st")), "order": _v(x, "o") or "",
                            "speaker": self.d.link(_v(x, "sp")) if "sp" in x else None, "text": _v(x, "text") or ""}
                           for x in statements],
        }

    def prefecture(self, iri: str) -> dict:
        s = sparql_iri(iri)
        tree = self._unit_tree(f"?d a fdx:Department ; org:subOrganizationOf ?p . ?p org:subOrganizationOf* {s}")

        regions = self.r.select(f"SELECT DISTINCT ?r WHERE {{ ?m fdx:inPrefecture {s} ; fdx:region ?r }} ORDER BY ?r")
        self.d.load_labels([_v(r, "r") for r in regions])
        by_region = [{"region": self.d.link(_v(r, "r")),
                      "members": self.municipality_table(f"?m fdx:region {sparql_iri(_v(r, 'r'))} .")}
                     for r in regions]
        return {"tree": tree(iri), "regions": by_region}

    def scheme(self, iri: str) -> dict:
        s = sparql_iri(iri)
        rows = self.r.select(f"""SELECT ?c (SAMPLE(?b) AS ?parent) (SAMPLE(?n) AS ?notation)
            (COUNT(DISTINCT ?i) AS ?count) WHERE {{
              ?c skos:inScheme {s} . OPTIONAL {{ ?c skos:broader ?b }} OPTIONAL {{ ?c skos:notation ?n }}
              OPTIONAL {{ ?i a fdx:Initiative ; fdx:underSection/skos:broader* ?c }} }} GROUP BY ?c LIMIT 5000""")
        self.d.load_labels([_v(r, "c") for r in rows])
        members = {_v(r, "c") for r in rows}
        children: dict[str | None, list[dict]] = {}
        for r in rows:
            parent = _v(r, "parent")
            node = {"link": self.d.link(_v(r, "c")), "notation": _nfkc(_v(r, "notation")),
                    "count": int(_v(r, "count") or 0)}
            children.setdefault(parent if parent in members else None, []).append(node)

        def tree(key: str | None, depth: int = 0) -> list[dict]:
            nodes = sorted(children.get(key, []), key=lambda n: (sort_key(n["notation"] or n["link"].label),
                                                                 n["link"].iri))
            for n in nodes:
                n["children"] = tree(n["link"].iri, depth + 1) if depth < 8 else []
            return nodes

        return {"tree": tree(None)}
