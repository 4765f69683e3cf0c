"""A KPI's values over time (fdx:hasValue → fdx:KPIValue): baseline, actuals and targets, each
with its fiscal year, calendar year or date, unit and the value as printed, in time order."""

from __future__ import annotations

from fukudx_kg.browser import charts, numbers
from fukudx_kg.browser.reader import sparql_iri, value_of

ROLE_ORDER = {"Baseline": 0, "Actual": 1, "Target": 2}


def kpi_values(describer, kpi: str) -> list[dict]:
    rows = describer.reader.select(f"""SELECT DISTINCT ?x ?role ?v ?unit ?printed ?fy ?n ?year ?date WHERE {{
        {sparql_iri(kpi)} fdx:hasValue ?x . OPTIONAL {{ ?x fdx:valueRole ?role }} OPTIONAL {{ ?x fdx:value ?v }}
        OPTIONAL {{ ?x fdx:valueUnit ?unit }} OPTIONAL {{ ?x fdx:valuePrinted ?printed }}
        OPTIONAL {{ ?x fdx:valueFiscalYear ?fy OPTIONAL {{ ?fy fdx:fiscalYearNumber ?n }} }}
        OPTIONAL {{ ?x fdx:valueYear ?year }} OPTIONAL {{ ?x fdx:valueDate ?date }} }} LIMIT 200""")
    describer.load_labels([value_of(r, k) for r in rows for k in ("x", "role", "fy") if k in r])
    out: dict[str, tuple[tuple, dict]] = {}  # value IRI → (time order, row)
    for r in rows:
        iri = value_of(r, "x")
        if iri in out:
            continue
        value = value_of(r, "v")
        when = value_of(r, "date") or value_of(r, "year") or value_of(r, "n") or ""
        role = value_of(r, "role")
        order = (when[:4], ROLE_ORDER.get((role or "").rsplit("#", 1)[-1], 3), iri)
        out[iri] = (order, {"link": describer.link(iri), "role": describer.link(role) if role else None,
                            "value_text": charts._fmt(float(value)) if value is not None else "",
                            "value_ja": numbers.japanese(float(value), value_of(r, "printed"))
                            if value is not None and describer.lang == "ja" else None,
                            "unit": value_of(r, "unit") or "", "printed": value_of(r, "printed") or "",
                            "fiscal_year": describer.link(value_of(r, "fy")) if "fy" in r else None,
                            "when": value_of(r, "date") or value_of(r, "year") or ""})
    return [row for _, row in sorted(out.values(), key=lambda pair: pair[0])]
