"""What a page shows beyond the generic description, by the resource's class.

Each view reads a few bounded queries about one resource and returns a dict for its template
block (`templates/views/<name>.html`). Views never change what the generic part shows; they
add the reading order an analyst wants (breadcrumb, tables, pictures).
"""

from __future__ import annotations

import unicodedata
from typing import Callable

from fukudx_kg.browser import charts, numbers
from fukudx_kg.browser.describe import FDX, Describer, Link, sort_key
from fukudx_kg.browser.kpivalues import kpi_values
from fukudx_kg.browser.prefectures import documents
from fukudx_kg.browser.reader import PREFIXES, sparql_iri, value_of
from fukudx_kg.browser.timeline import roadmap_timeline
from fukudx_kg.web import i18n

SKOS = PREFIXES["skos"]
ORG = PREFIXES["org"]


def fdx_class(name: str) -> str:
    return FDX + name


def _num(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _nfkc(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "")


class Views:
    """Dispatch: the first class in `ORDER` the resource has picks its view."""

    def __init__(self, describer: Describer):
        self.describer = describer
        self.reader = describer.reader
        self.lang = describer.lang

    def t(self, key: str, **kw) -> str:
        return i18n.t(key, self.lang, **kw)

    def for_types(self, iri: str, types: list[str]) -> tuple[str, dict] | None:
        table: list[tuple[str, Callable[[str], dict]]] = [
            (fdx_class("Initiative"), self.initiative), (fdx_class("KPI"), self.kpi),
            (fdx_class("Program"), self.program),
            (fdx_class("Department"), self.department), (fdx_class("PolicySection"), self.section),
            (fdx_class("Municipality"), self.municipality), (fdx_class("MunicipalityGroup"), self.group),
            (fdx_class("Region"), self.region), (fdx_class("FiscalYear"), self.fiscal_year),
            (fdx_class("Meeting"), self.meeting),
            (fdx_class("Roadmap"), self.roadmap), (fdx_class("Prefecture"), self.prefecture),
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
            rows = self.reader.select(f"SELECT ?n ?b WHERE {{ OPTIONAL {{ {sparql_iri(current)} skos:notation ?n }} "
                                 f"OPTIONAL {{ {sparql_iri(current)} skos:broader ?b }} }} LIMIT 1")
            row = rows[0] if rows else {}
            link = self.describer.link(current)
            notation = _nfkc(value_of(row, "n")) or link.label
            chain.append({"link": link, "notation": notation})
            current = value_of(row, "b")
        chain.reverse()
        return chain

    def kpi_rows(self, where: str) -> list[dict]:
        """KPI table rows for KPIs bound to ?k by `where`."""
        rows = self.reader.select(f"""
            SELECT DISTINCT ?k ?v ?u ?fy ?ty ?q ?qual ?printed ?text WHERE {{
              {where}
              OPTIONAL {{ ?k fdx:targetValue ?v }} OPTIONAL {{ ?k fdx:unit ?u }} OPTIONAL {{ ?k fdx:targetYear ?ty }}
              OPTIONAL {{ ?k fdx:targetFiscalYear ?fy }} OPTIONAL {{ ?k fdx:qualitative ?q }}
              OPTIONAL {{ ?k fdx:valueQualifier ?qual }} OPTIONAL {{ ?k fdx:valueAsPrinted ?printed }}
              OPTIONAL {{ ?k fdx:targetText ?text }}
            }} ORDER BY ?k LIMIT 2000""")
        iris = [value_of(r, "k") for r in rows] + [value_of(r, "fy") for r in rows if "fy" in r] + \
               [value_of(r, "qual") for r in rows if "qual" in r]
        self.describer.load_labels(iris)
        out = []
        for r in rows:
            out.append({
                "link": self.describer.link(value_of(r, "k")),
                "value": _num(value_of(r, "v")),
                "value_text": charts._fmt(_num(value_of(r, "v"))) if "v" in r else "",
                "value_ja": numbers.japanese(_num(value_of(r, "v")), value_of(r, "printed"))
                if self.lang == "ja" else None,
                "unit": value_of(r, "u") or "",
                "year": self.describer.link(value_of(r, "fy")) if "fy" in r else None,
                "calendar_year": value_of(r, "ty") or "",   # a target year the source gives as a year
                "qualitative": value_of(r, "q") == "true",
                "qualifier": self.describer.link(value_of(r, "qual")) if "qual" in r else None,
                "printed": value_of(r, "printed") or "",
                "text": value_of(r, "text") or "",
            })
        return out

    def unit_with_parents(self, unit: str) -> dict:
        chain = self.org_ancestors(unit)
        return {"link": self.describer.link(unit), "parents": chain}

    def org_ancestors(self, unit: str) -> list[Link]:
        """Departments above `unit`, top first (the prefecture itself excluded)."""
        out, seen, current = [], {unit}, unit
        while len(out) < 8:
            rows = self.reader.select(f"SELECT ?p WHERE {{ {sparql_iri(current)} org:subOrganizationOf ?p . "
                                 f"?p a fdx:Department }} LIMIT 1")
            if not rows or value_of(rows[0], "p") in seen:
                break
            current = value_of(rows[0], "p")
            seen.add(current)
            out.append(self.describer.link(current))
        out.reverse()
        return out

    def initiative_rows(self, where: str, limit: int = 500) -> list[dict]:
        """Initiatives bound to ?i by `where`, with section notation, year and KPI count."""
        rows = self.reader.select(f"""
            SELECT ?i (SAMPLE(?sec) AS ?s) (SAMPLE(?n) AS ?notation) (SAMPLE(?fy) AS ?y)
                   (COUNT(DISTINCT ?k) AS ?kpis) (GROUP_CONCAT(DISTINCT STR(?unit); separator=" ") AS ?units)
            WHERE {{
              {{ SELECT DISTINCT ?i WHERE {{ {where} }} }}
              ?i a fdx:Initiative .
              OPTIONAL {{ ?i fdx:underSection ?sec OPTIONAL {{ ?sec skos:notation ?n }} }}
              OPTIONAL {{ ?i fdx:fiscalYear ?fy }} OPTIONAL {{ ?i fdx:hasKPI ?k }}
              OPTIONAL {{ ?i fdx:responsibleUnit ?unit }}
            }} GROUP BY ?i ORDER BY ?i LIMIT {int(limit)}""")
        units = {u for r in rows for u in (value_of(r, "units") or "").split()}
        self.describer.load_labels([value_of(r, "i") for r in rows] + [value_of(r, "s") for r in rows if "s" in r] +
                           [value_of(r, "y") for r in rows if "y" in r] + list(units))
        out = []
        for r in rows:
            out.append({
                "link": self.describer.link(value_of(r, "i")),
                "section": self.describer.link(value_of(r, "s")) if "s" in r else None,
                "notation": _nfkc(value_of(r, "notation")),
                "year": self.describer.link(value_of(r, "y")) if "y" in r else None,
                "kpis": int(value_of(r, "kpis") or 0),
                "units": sorted((self.describer.link(u) for u in (value_of(r, "units") or "").split()),
                                key=lambda link: link.label),
            })
        out.sort(key=lambda x: (sort_key(x["notation"]), x["link"].iri))
        return out

    # ------------------------------------------------------------------ classes
    def initiative(self, iri: str) -> dict:
        s = sparql_iri(iri)
        row = (self.reader.select(f"""SELECT ?sec ?prog ?fy ?doc ?desc WHERE {{
            OPTIONAL {{ {s} fdx:underSection ?sec }} OPTIONAL {{ {s} fdx:program ?prog }}
            OPTIONAL {{ {s} fdx:fiscalYear ?fy }} OPTIONAL {{ {s} fdx:listedIn ?doc }}
            OPTIONAL {{ {s} dcterms:description ?desc }} }} LIMIT 1""") or [{}])[0]
        sec, prog = value_of(row, "sec"), value_of(row, "prog")
        units = [value_of(r, "u")
                 for r in self.reader.select(f"SELECT ?u WHERE {{ {s} fdx:responsibleUnit ?u }} ORDER BY ?u")]
        other_rows = []
        if prog:
            other_rows = self.initiative_rows(f"?i fdx:program {sparql_iri(prog)} FILTER(?i != {s})")
        return {
            "breadcrumb": self.breadcrumb(sec) if sec else [],
            "program": self.describer.link(prog) if prog else None,
            "other_rows": other_rows,
            "year": self.describer.link(value_of(row, "fy")) if "fy" in row else None,
            "listed_in": self.describer.link(value_of(row, "doc")) if "doc" in row else None,
            "description": value_of(row, "desc"),
            "departments": [self.unit_with_parents(u) for u in units],
            "kpis": self.kpi_rows(f"{s} fdx:hasKPI ?k ."),
        }

    def kpi(self, iri: str) -> dict:
        s = sparql_iri(iri)
        inits = [value_of(r, "i") for r in self.reader.select(f"SELECT ?i WHERE {{ ?i fdx:hasKPI {s} }} ORDER BY ?i")]
        first = inits[0] if inits else None
        data = {"kpi": (self.kpi_rows(f"VALUES ?k {{ {s} }}") or [None])[0], "initiatives": [], "breadcrumb": [],
                "departments": [], "siblings": [], "values": kpi_values(self.describer, iri)}
        if first:
            f = sparql_iri(first)
            data["initiatives"] = self.initiative_rows(f"?i fdx:hasKPI {s}")
            sec = self.reader.select(f"SELECT ?sec WHERE {{ {f} fdx:underSection ?sec }} LIMIT 1")
            data["breadcrumb"] = self.breadcrumb(value_of(sec[0], "sec")) if sec else []
            units = [value_of(r, "u")
                     for r in self.reader.select(f"SELECT ?u WHERE {{ {f} fdx:responsibleUnit ?u }} ORDER BY ?u")]
            data["departments"] = [self.unit_with_parents(u) for u in units]
            data["siblings"] = self.kpi_rows(f"{f} fdx:hasKPI ?k . FILTER(?k != {s})")
        return data

    def program(self, iri: str) -> dict:
        s = sparql_iri(iri)
        units = [value_of(r, "u")
                 for r in self.reader.select(f"SELECT ?u WHERE {{ {s} fdx:responsibleUnit ?u }} ORDER BY ?u")]
        return {
            "rows": self.initiative_rows(f"?i fdx:program {s}"),
            "departments": [self.unit_with_parents(u) for u in units],
            "kpis": self.kpi_rows(f"?i fdx:program {s} ; fdx:hasKPI ?k ."),
        }

    def _unit_tree(self, pattern: str):
        """Sub-units as a nested list, built from (?d unit, ?p its parent) rows matching `pattern`."""
        rows = self.reader.select(f"SELECT ?d ?p WHERE {{ {pattern} }}")
        children: dict[str, list[str]] = {}
        for r in rows:
            children.setdefault(value_of(r, "p"), []).append(value_of(r, "d"))
        self.describer.load_labels([value_of(r, "d") for r in rows])

        def tree(node: str, depth: int = 0) -> list[dict]:
            kids = sorted(children.get(node, []), key=lambda k: sort_key(self.describer.label(k)))
            return [{"link": self.describer.link(k), "children": tree(k, depth + 1) if depth < 6 else []} for k in kids]
        return tree

    def department(self, iri: str) -> dict:
        s = sparql_iri(iri)
        tree = self._unit_tree(f"?d org:subOrganizationOf+ {s} . ?d org:subOrganizationOf ?p")

        where = f"?i fdx:responsibleUnit ?unit . ?unit org:subOrganizationOf* {s} ."
        kpis = self.kpi_rows(f"?i fdx:responsibleUnit/org:subOrganizationOf* {s} ; fdx:hasKPI ?k .")
        return {
            "ancestors": self.org_ancestors(iri),
            "self": self.describer.link(iri),
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
                charts.Bar(k["link"].label, k["link"].href, [(k["value"], 0)], lang=k["link"].lang,
                           note=f"{k['value_text']} {k['unit']}" + (f" ({k['year'].label})" if k["year"] else "")))
        if not panels:
            return None
        ordered = sorted(panels.values(), key=lambda p: (-len(p.bars), p.unit))
        for p in ordered:
            p.bars.sort(key=lambda b: -sum(v for v, _ in b.segments))
        return charts.targets_by_unit(self.t("v.chart_targets"), ordered,
                                      desc=self.t("v.chart_desc_targets", n=len(kpis), units=len(ordered)))

    def section(self, iri: str) -> dict:
        s = sparql_iri(iri)
        kids = self.reader.select(f"""
            SELECT ?c (SAMPLE(?n) AS ?notation) (COUNT(DISTINCT ?i) AS ?count) WHERE {{
              ?c skos:broader {s} . OPTIONAL {{ ?c skos:notation ?n }}
              OPTIONAL {{ ?i a fdx:Initiative ; fdx:underSection/skos:broader* ?c }}
            }} GROUP BY ?c""")
        self.describer.load_labels([value_of(r, "c") for r in kids])
        children = [{"link": self.describer.link(value_of(r, "c")), "notation": _nfkc(value_of(r, "notation")),
                     "count": int(value_of(r, "count") or 0)} for r in kids]
        children.sort(key=lambda c: (sort_key(c["notation"] or c["link"].label), c["link"].iri))
        new_values = [self.describer.value(r["v"])
                      for r in self.reader.select(f"SELECT ?v WHERE {{ {s} fdx:newValue ?v }}")]
        themes = [self.describer.link(value_of(r, "t"))
                  for r in self.reader.select(f"SELECT ?t WHERE {{ {s} fdx:theme ?t }}")]
        return {
            "breadcrumb": self.breadcrumb(iri),
            "children": children,
            "initiatives": self.initiative_rows(f"?i fdx:underSection/skos:broader* {s}"),
            "new_values": new_values,
            "themes": themes,
            "roadmap": roadmap_timeline(self, section=iri),
        }

    def roadmap(self, iri: str) -> dict:
        return {"roadmap": roadmap_timeline(self, roadmap=iri)}

    def municipality(self, iri: str) -> dict:
        s = sparql_iri(iri)
        row = (self.reader.select(f"""SELECT ?code ?region ?district ?kind ?sac ?pref WHERE {{
            OPTIONAL {{ {s} fdx:localGovernmentCode ?code }} OPTIONAL {{ {s} fdx:region ?region }}
            OPTIONAL {{ {s} fdx:district ?district }} OPTIONAL {{ {s} fdx:municipalityKind ?kind }}
            OPTIONAL {{ {s} fdx:standardArea ?sac }} OPTIONAL {{ {s} fdx:inPrefecture ?pref }} }} LIMIT 1""")
               or [{}])[0]
        groups = [self.describer.link(value_of(r, "g"))
                  for r in self.reader.select(f"SELECT ?g WHERE {{ ?g fdx:hasMember {s} }} ORDER BY ?g")]
        region = value_of(row, "region")
        neighbours = []
        if region:
            neighbours = [self.describer.link(value_of(r, "m")) for r in self.reader.select(
                f"SELECT ?m WHERE {{ ?m fdx:region {sparql_iri(region)} FILTER(?m != {s}) }} ORDER BY ?m")]
        links_out = []
        if "sac" in row:
            links_out.append({"href": value_of(row, "sac"), "label": self.t("v.estat")})
        return {
            "code": value_of(row, "code"),
            "region": self.describer.link(region) if region else None,
            "district": self.describer.link(value_of(row, "district")) if "district" in row else None,
            "kind": self.describer.link(value_of(row, "kind")) if "kind" in row else None,
            "prefecture": self.describer.link(value_of(row, "pref")) if "pref" in row else None,
            "groups": groups,
            "neighbours": neighbours,
            "links_out": links_out,
        }

    def municipality_table(self, where: str) -> list[dict]:
        rows = self.reader.select(f"""SELECT ?m ?code ?kind WHERE {{ {where}
            OPTIONAL {{ ?m fdx:localGovernmentCode ?code }} OPTIONAL {{ ?m fdx:municipalityKind ?kind }} }}
            ORDER BY ?code""")
        self.describer.load_labels([value_of(r, "m") for r in rows]
                                   + [value_of(r, "kind") for r in rows if "kind" in r])
        return [{"link": self.describer.link(value_of(r, "m")), "code": value_of(r, "code") or "",
                 "kind": self.describer.link(value_of(r, "kind")) if "kind" in r else None} for r in rows]

    def group(self, iri: str) -> dict:
        return {"members": self.municipality_table(f"{sparql_iri(iri)} fdx:hasMember ?m .")}

    def region(self, iri: str) -> dict:
        return {"members": self.municipality_table(f"?m fdx:region {sparql_iri(iri)} .")}

    def fiscal_year(self, iri: str) -> dict:
        s = sparql_iri(iri)
        entries = self.reader.select(f"""SELECT ?e ?sec ?ph WHERE {{ ?e a fdx:RoadmapEntry ; fdx:fiscalYear {s} .
            OPTIONAL {{ ?e fdx:forSection ?sec }} OPTIONAL {{ ?e fdx:phase ?ph }} }} ORDER BY ?e""")
        self.describer.load_labels([value_of(e, "e") for e in entries]
                                   + [value_of(e, "sec") for e in entries if "sec" in e])
        kpis = self.kpi_rows(f"?k fdx:targetFiscalYear {s} .")
        dept_counts: dict[tuple[str, str], int] = {}  # (prefecture, top department) → KPIs due
        for r in self.reader.select(f"""SELECT ?pref ?top (COUNT(DISTINCT ?k) AS ?n) WHERE {{
                ?k fdx:targetFiscalYear {s} . ?i fdx:hasKPI ?k ; fdx:responsibleUnit ?u .
                ?u org:subOrganizationOf* ?top . ?top org:subOrganizationOf ?pref . ?pref a fdx:Prefecture }}
                GROUP BY ?pref ?top"""):
            dept_counts[(value_of(r, "pref"), value_of(r, "top"))] = int(value_of(r, "n"))
        prefs = sorted({p for p, _ in dept_counts})
        self.describer.load_labels([i for key in dept_counts for i in key])
        bars = sorted((charts.Bar(f"{self.describer.label(k)}（{self.describer.label(p)}）",
                                  self.describer.link(k).href, [(n, prefs.index(p))])
                       for (p, k), n in dept_counts.items()),
                      key=lambda b: (-b.segments[0][0], b.label))
        legend = [(self.describer.label(p), i) for i, p in enumerate(prefs)]
        row = (self.reader.select(f"""SELECT ?start ?end (COUNT(DISTINCT ?i) AS ?n) WHERE {{
            OPTIONAL {{ {s} fdx:startDate ?start }} OPTIONAL {{ {s} fdx:endDate ?end }}
            OPTIONAL {{ ?i a fdx:Initiative ; fdx:fiscalYear {s} }} }} GROUP BY ?start ?end""") or [{}])[0]
        return {
            "entries": [{"link": self.describer.link(value_of(e, "e")),
                         "section": self.describer.link(value_of(e, "sec")) if "sec" in e else None,
                         "phase": value_of(e, "ph") or ""} for e in entries],
            "kpis": kpis,
            "chart": charts.bar_chart(self.t("v.kpis_due"), bars, legend,
                                      desc=self.t("v.chart_desc_due", n=len(bars))) if bars else None,
            "start": value_of(row, "start"), "end": value_of(row, "end"),
            "initiatives": self.initiative_rows(f"?i fdx:fiscalYear {s}"),
        }

    def meeting(self, iri: str) -> dict:
        s = sparql_iri(iri)
        items = self.reader.select(f"""SELECT ?rel ?a ?c WHERE {{ VALUES ?rel {{ fdx:decided fdx:reported fdx:agenda }}
            {s} ?rel ?a . OPTIONAL {{ ?a fdx:concerns ?c }} }} ORDER BY ?a ?c""")
        services = self.reader.select(f"""SELECT DISTINCT ?svc ?date ?month WHERE {{
            {s} fdx:decided|fdx:reported|fdx:agenda ?a . ?a fdx:concerns ?svc . ?svc a fdx:DigitalService .
            OPTIONAL {{ ?svc fdx:launchDate ?date }} OPTIONAL {{ ?svc fdx:launchMonth ?month }} }} ORDER BY ?svc""")
        statements = self.reader.select(f"""SELECT ?st ?o ?sp ?text WHERE {{ {s} fdx:hasStatement ?st .
            OPTIONAL {{ ?st fdx:statementOrder ?o }} OPTIONAL {{ ?st fdx:speaker ?sp }}
            OPTIONAL {{ ?st dcterms:description ?text }} }} ORDER BY ?o ?st""")
        info = (self.reader.select(f"""SELECT ?date ?start ?end ?place WHERE {{
            OPTIONAL {{ {s} dcterms:date ?date }} OPTIONAL {{ {s} prov:startedAtTime ?start }}
            OPTIONAL {{ {s} prov:endedAtTime ?end }} OPTIONAL {{ {s} prov:atLocation ?place }} }} LIMIT 1""")
                or [{}])[0]
        self.describer.load_labels([value_of(i, "a") for i in items] + [value_of(i, "c") for i in items if "c" in i] +
                           [value_of(x, "svc") for x in services]
                           + [value_of(x, "sp") for x in statements if "sp" in x])
        groups: dict[str, dict[str, dict]] = {"decided": {}, "reported": {}, "agenda": {}}
        for i in items:
            key = value_of(i, "rel").rsplit("#", 1)[-1]
            entry = groups[key].setdefault(value_of(i, "a"),
                                           {"link": self.describer.link(value_of(i, "a")), "concerns": []})
            if "c" in i:
                entry["concerns"].append(self.describer.link(value_of(i, "c")))
        return {
            "date": value_of(info, "date"), "start": value_of(info, "start"), "end": value_of(info, "end"),
            "place": self.describer.link(value_of(info, "place")) if "place" in info else None,
            "decisions": list(groups["decided"].values()),
            "reports": list(groups["reported"].values()),
            "agenda": list(groups["agenda"].values()),
            "services": [{"link": self.describer.link(value_of(x, "svc")),
                          "date": value_of(x, "date") or value_of(x, "month") or ""}
                         for x in services],
            "statements": [{"link": self.describer.link(value_of(x, "st")), "order": value_of(x, "o") or "",
                            "speaker": self.describer.link(value_of(x, "sp")) if "sp" in x else None,
                            "text": value_of(x, "text") or ""}
                           for x in statements],
        }

    def prefecture(self, iri: str) -> dict:
        s = sparql_iri(iri)
        tree = self._unit_tree(f"?d a fdx:Department ; org:subOrganizationOf ?p . ?p org:subOrganizationOf* {s}")

        regions = self.reader.select(
            f"SELECT DISTINCT ?r WHERE {{ ?m fdx:inPrefecture {s} ; fdx:region ?r }} ORDER BY ?r")
        self.describer.load_labels([value_of(r, "r") for r in regions])
        by_region = [{"region": self.describer.link(value_of(r, "r")),
                      "members": self.municipality_table(f"?m fdx:region {sparql_iri(value_of(r, 'r'))} .")}
                     for r in regions]
        return {"tree": tree(iri), "regions": by_region, "documents": documents(self.describer, [iri])[iri]}

    def scheme(self, iri: str) -> dict:
        s = sparql_iri(iri)
        rows = self.reader.select(f"""SELECT ?c (SAMPLE(?b) AS ?parent) (SAMPLE(?n) AS ?notation)
            (COUNT(DISTINCT ?i) AS ?count) WHERE {{
              ?c skos:inScheme {s} . OPTIONAL {{ ?c skos:broader ?b }} OPTIONAL {{ ?c skos:notation ?n }}
              OPTIONAL {{ ?i a fdx:Initiative ; fdx:underSection/skos:broader* ?c }} }} GROUP BY ?c LIMIT 5000""")
        self.describer.load_labels([value_of(r, "c") for r in rows])
        members = {value_of(r, "c") for r in rows}
        children: dict[str | None, list[dict]] = {}
        for r in rows:
            parent = value_of(r, "parent")
            node = {"link": self.describer.link(value_of(r, "c")), "notation": _nfkc(value_of(r, "notation")),
                    "count": int(value_of(r, "count") or 0)}
            children.setdefault(parent if parent in members else None, []).append(node)

        def tree(key: str | None, depth: int = 0) -> list[dict]:
            nodes = sorted(children.get(key, []), key=lambda n: (sort_key(n["notation"] or n["link"].label),
                                                                 n["link"].iri))
            for n in nodes:
                n["children"] = tree(n["link"].iri, depth + 1) if depth < 8 else []
            return nodes

        return {"tree": tree(None)}
