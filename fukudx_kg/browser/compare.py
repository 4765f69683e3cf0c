"""/compare: the prefectures side by side, answered only by the queries of queries/compare/.

Routes (HTML, ja first; every table also as CSV with `?format=csv`, and `&table=` where a page has two):

    /compare                         themes × prefectures (initiatives / KPIs, each count linking to its list;
                                     compare.themes-by-prefecture) and the coverage of all 47
                                     (compare.coverage-by-prefecture); table=themes|coverage
    /compare/theme?theme=P&pref=NN   the initiatives and KPIs one cell counts (compare.theme-items)
    /compare/kpis[?theme=P]          a theme's KPIs of every prefecture, one table per unit
                                     (compare.kpis-of-theme); without theme=, the theme picker
    /compare/plans[?fy=YYYY]         every plan's period on one fiscal-year axis (SVG + table;
                                     compare.plans-timeline) and the plans covering a fiscal year
                                     (compare.plans-covering-fy); table=plans|covering

Parameters are the queries' VALUES clauses, filled by `compare_params` with checked values (400 otherwise).
Every page shows each prefecture's completeness beside its numbers and says that a prefecture not
curated is not a prefecture without a plan.

CSV: UTF-8 with a byte-order mark (so Excel reads the Japanese text), a header row of the query's
variable names (the matrix: `initiatives:NN`, `kpis:NN`, `completeness:NN` per prefecture), then the
rows of the HTML table in the same order; labels as the queries give them (Japanese), IRIs in full.
"""

from __future__ import annotations

import csv
import io

from flask import Response, g, request, url_for

from fukudx_kg.browser import compare_params as params
from fukudx_kg.browser import compare_text
from fukudx_kg.browser.compare_svg import PlanBar, PlanGroup, Words, plans_timeline, year_range
from fukudx_kg.browser.core import base_iri, bp, render_page, state, t
from fukudx_kg.browser.describe import Describer
from fukudx_kg.web import i18n
from fukudx_kg.web.errors import ProtocolError

compare_text.install()

COLUMNS = {  # CSV columns: the variables of each query, in its SELECT order
    "coverage": ["code", "prefecture", "completeness", "area", "plans", "initiatives", "kpis", "kpiValues",
                 "themeLinks"],
    "theme-items": ["kind", "item", "itemLabel", "via", "owner", "match", "doubtful", "theme", "code", "prefecture",
                    "completeness"],
    "kpis": ["unit", "code", "prefecture", "completeness", "kpi", "kpiLabel", "baseline", "baselineYear", "actual",
             "actualYear", "target", "targetYear", "yearKind", "source"],
    "plans": ["code", "prefecture", "plan", "title", "firstFY", "lastFY", "issued", "owner", "completeness",
              "address"],
    "covering": ["code", "prefecture", "plan", "title", "firstFY", "lastFY", "covers", "completeness"],
}


# ----------------------------------------------------------------------------- shared helpers

def _format() -> str:
    fmt = (request.args.get("format") or "html").strip().lower()
    if fmt not in ("html", "csv"):
        raise ProtocolError(400, f"format={fmt[:20]!r} is not offered here; give ?format=csv for the table as CSV, "
                                 "or leave it out for the page")
    return fmt


def _table(choices: tuple[str, ...]) -> str:
    table = (request.args.get("table") or choices[0]).strip()
    if table not in choices:
        raise ProtocolError(400, f"table={table[:30]!r} is not a table of this page; give one of "
                                 f"{', '.join(choices)}")
    return table


def csv_response(name: str, header: list[str], rows: list[list]) -> Response:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    response = Response(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{name}.csv"'
    return response


def _records(rows: list[dict], columns: list[str]) -> list[list]:
    return [[row.get(c) for c in columns] for row in rows]


# The levels' names are the ontology's labels (fdx:FullList …), defined once there.
LEVEL_LABELS = """SELECT ?notation ?label WHERE {{ ?level a fdx:Completeness ; skos:notation ?notation ;
    rdfs:label ?label FILTER(LANG(?label) = "{lang}") }}"""


def level(code: str | None) -> str:
    """The completeness level's name in the UI language, as the ontology labels it (its notation if unlabelled)."""
    if not code:
        return "—"
    lang = g.get("lang", i18n.DEFAULT_LANG)  # one of i18n.LANGS, set by the request's negotiation
    labels = params.RESULTS.get(g.describer.reader, LEVEL_LABELS.format(lang=lang))
    return next((row["label"] for row in labels if row["notation"] == code), code)


def pref_iri(code: str) -> str:
    return f"{base_iri()}pref/{code}"


def csv_url(**args) -> str:
    here = {k: v for k, v in request.args.items() if k not in ("format", "table", "lang")}
    return url_for(request.endpoint, **{**here, **args, "format": "csv"})


def _page(template: str, **context) -> Response:
    return render_page(f"browser/compare/{template}", level=level, csv_url=csv_url, **context)


def _coverage() -> list[dict]:
    return params.run(state().reader, "coverage-by-prefecture")


def _theme(raw: str | None) -> tuple[str, str]:
    """(path, IRI) of the `theme=` asked for, or 400."""
    themes = params.THEMES.get(state().reader)
    path = params.theme_path(raw, themes)
    return path, themes[path]


# ----------------------------------------------------------------------------- /compare

def theme_matrix(rows: list[dict]) -> dict:
    """Themes (rows) × prefectures with data (columns) from compare.themes-by-prefecture."""
    d: Describer = g.describer
    prefs: dict[str, dict] = {}
    themes: dict[str, dict] = {}
    cells: dict[tuple[str, str], dict] = {}
    for r in rows:
        prefs.setdefault(r["code"], {"code": r["code"], "prefecture": r["prefecture"],
                                     "completeness": r["completeness"]})
        path = r["theme"].split("/theme/", 1)[1] if "/theme/" in r["theme"] else r["theme"]
        themes.setdefault(r["theme"], {"iri": r["theme"], "path": path, "label": r["themeLabel"]})
        cells[(r["theme"], r["code"])] = {"initiatives": int(r["initiatives"]), "kpis": int(r["kpis"])}
    prefs = dict(sorted(prefs.items()))
    d.load_labels([pref_iri(c) for c in prefs] + list(themes))
    for p in prefs.values():
        p["link"] = d.link(pref_iri(p["code"]))
    out_rows = []
    for th in themes.values():
        th["link"] = d.link(th["iri"])
        row_cells = []
        for code in prefs:
            cell = cells.get((th["iri"], code))
            if cell:
                href = url_for("browse.compare_theme", theme=th["path"], pref=code)
                cell = dict(cell, href_initiatives=href + "#initiatives", href_kpis=href + "#kpis")
            row_cells.append(cell)
        out_rows.append({**th, "cells": row_cells})
    return {"prefectures": list(prefs.values()), "rows": out_rows}


@bp.route("/compare")
def compare_overview():
    d: Describer = g.describer
    fmt = _format()
    table = _table(("themes", "coverage"))
    if fmt == "csv" and table == "coverage":
        return csv_response("compare-coverage", COLUMNS["coverage"], _records(_coverage(), COLUMNS["coverage"]))
    matrix = theme_matrix(params.run(d.reader, "themes-by-prefecture"))
    if fmt == "csv":
        header = ["theme", "themeLabel"]
        for p in matrix["prefectures"]:
            header += [f"initiatives:{p['code']}", f"kpis:{p['code']}", f"completeness:{p['code']}"]
        records = []
        for row in matrix["rows"]:
            record = [row["iri"], row["label"]]
            for p, cell in zip(matrix["prefectures"], row["cells"], strict=True):
                record += [cell["initiatives"], cell["kpis"]] if cell else [None, None]
                record.append(p["completeness"])
            records.append(record)
        return csv_response("compare-themes", header, records)
    coverage = _coverage()
    d.load_labels(pref_iri(r["code"]) for r in coverage)
    for r in coverage:
        r["link"] = d.link(pref_iri(r["code"]))
    return _page("overview.html", title=t("cmp.title"), matrix=matrix, coverage=coverage,
                 queries=["themes-by-prefecture", "coverage-by-prefecture"])


@bp.route("/compare/theme")
def compare_theme():
    d: Describer = g.describer
    fmt = _format()
    path, theme = _theme(request.args.get("theme"))
    code = params.pref_code(request.args.get("pref"), [r["code"] for r in _coverage()])
    rows = params.run(d.reader, "theme-items", code=code, themePath=path)
    if fmt == "csv":
        return csv_response(f"compare-theme-{code}", COLUMNS["theme-items"], _records(rows, COLUMNS["theme-items"]))
    pref = next(r for r in _coverage() if r["code"] == code)
    d.load_labels([theme, pref_iri(code)] + [r["item"] for r in rows] + [r["owner"] for r in rows if r.get("owner")])
    for r in rows:
        r["link"] = d.link(r["item"])
        r["owner_link"] = d.link(r["owner"]) if r.get("owner") else None
    theme_link, pref_link = d.link(theme), d.link(pref_iri(code))
    return _page("theme.html", title=t("cmp.items_title", pref=pref_link.label, theme=theme_link.label),
                 theme=theme_link, path=path, pref=pref_link, code=code, completeness=pref["completeness"],
                 initiatives=[r for r in rows if r["kind"] == "initiative"],
                 kpis=[r for r in rows if r["kind"] == "kpi"], rows=rows, queries=["theme-items"])


# ----------------------------------------------------------------------------- /compare/kpis

def _source(text: str | None) -> dict | None:
    """`file:l1-l2[ url]` (the query's ?source) as its parts."""
    if not text:
        return None
    where, _, url = text.partition(" ")
    return {"where": where, "url": url or None}


@bp.route("/compare/kpis")
def compare_kpis():
    d: Describer = g.describer
    fmt = _format()
    themes = params.THEMES.get(d.reader)
    raw = request.args.get("theme")
    if raw is None and fmt == "html":
        d.load_labels(themes.values())
        picker = [{"path": p, "link": d.link(iri)} for p, iri in themes.items()]
        return _page("kpis.html", title=t("cmp.kpis_title"), picker=picker, theme=None, groups=[],
                     queries=["kpis-of-theme"])
    path, theme = _theme(raw)
    rows = params.run(d.reader, "kpis-of-theme", themePath=path)
    if fmt == "csv":
        return csv_response(f"compare-kpis-{path.replace('/', '-')}", COLUMNS["kpis"], _records(rows, COLUMNS["kpis"]))
    d.load_labels([theme, *themes.values()] + [r["kpi"] for r in rows] + [pref_iri(r["code"]) for r in rows])
    groups: dict[str, list[dict]] = {}
    for r in rows:
        r["link"] = d.link(r["kpi"])
        r["pref_link"] = d.link(pref_iri(r["code"]))
        r["where"] = _source(r.get("source"))
        groups.setdefault(r["unit"], []).append(r)
    picker = [{"path": p, "link": d.link(iri)} for p, iri in themes.items()]
    theme_link = d.link(theme)
    return _page("kpis.html", title=t("cmp.kpis_of", theme=theme_link.label), picker=picker, theme=theme_link,
                 path=path, groups=list(groups.items()), rows=rows, queries=["kpis-of-theme"])


# ----------------------------------------------------------------------------- /compare/plans

def _year(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


def plan_groups(rows: list[dict]) -> list[PlanGroup]:
    d: Describer = g.describer
    coverage = {r["code"]: r["completeness"] for r in _coverage()}
    groups: dict[str, PlanGroup] = {}
    for r in rows:
        code = r["code"]
        if code not in groups:
            groups[code] = PlanGroup(code, d.label(pref_iri(code)), level(coverage.get(code)))
        groups[code].plans.append(PlanBar(r["plan"], d.label(r["plan"]), d.link(r["plan"]).href,
                                          _year(r.get("firstFY")), _year(r.get("lastFY")), level(r["completeness"])))
    return list(groups.values())


@bp.route("/compare/plans")
def compare_plans():
    d: Describer = g.describer
    fmt = _format()
    table = _table(("plans", "covering"))
    raw_fy = (request.args.get("fy") or "").strip()
    fy = params.fiscal_year(raw_fy) if raw_fy else None
    if fmt == "csv" and table == "covering":
        rows = params.run(d.reader, "plans-covering-fy", **({"fy": fy} if fy else {}))
        return csv_response(f"compare-plans-covering-{fy or 'default'}", COLUMNS["covering"],
                            _records(rows, COLUMNS["covering"]))
    plans = params.run(d.reader, "plans-timeline")
    if fmt == "csv":
        return csv_response("compare-plans", COLUMNS["plans"], _records(plans, COLUMNS["plans"]))
    covering = params.run(d.reader, "plans-covering-fy", **({"fy": fy} if fy else {}))
    shown_fy = fy or int(params.default_values("plans-covering-fy", "fy")[0])
    codes = {r["code"] for r in plans} | {r["code"] for r in covering}
    d.load_labels([pref_iri(c) for c in codes] + [r["plan"] for r in plans] + [r["plan"] for r in covering])
    for r in plans + covering:
        r["link"] = d.link(r["plan"])
        r["pref_link"] = d.link(pref_iri(r["code"]))
    groups = plan_groups(plans)
    first, last = year_range(groups)
    words = Words(t("cmp.timeline"), t("cmp.timeline_desc", n=len(plans), prefs=len(groups), first=first, last=last),
                  t("cmp.unknown_start"), t("cmp.unknown_end"), t("cmp.unknown_period"), t("cmp.fy_fmt"))
    return _page("plans.html", title=t("cmp.plans_title"), plans=plans, svg=plans_timeline(groups, words),
                 covering=covering, fy=shown_fy, fy_min=params.FY_MIN, fy_max=params.FY_MAX,
                 covering_prefs=len({r["code"] for r in covering}),
                 queries=["plans-timeline", "plans-covering-fy"])
