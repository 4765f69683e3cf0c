"""KPIs of an initiative and their values over time: baseline, actuals and targets, each with its year."""

from __future__ import annotations

from decimal import Decimal

from rdflib import Literal, URIRef

from fukudx_kg.build.graph import KG
from fukudx_kg.build.iris import FDX, SCHEMA, SKOS, XSD
from fukudx_kg.build.numbers import parse_number
from fukudx_kg.build.seedtext import text_in_lines
from fukudx_kg.build.sources import Reader, Record, page_address

QUALIFIERS = {"approximate": FDX.Approximate, "cumulative": FDX.Cumulative, "at-least": FDX.AtLeast,
              "at-most": FDX.AtMost, "per-year": FDX.PerYear}
ROLES = {"baseline": FDX.Baseline, "actual": FDX.Actual, "target": FDX.Target}
# The KPI's own shortcut properties for its baseline and (latest) target, kept for simple queries.
SHORTCUTS = {"baseline": (FDX.baselineValue, FDX.baselineFiscalYear, FDX.baselineYear),
             "target": (FDX.targetValue, FDX.targetFiscalYear, FDX.targetYear)}
ROLE_LABELS = {"baseline": ("現状値", "baseline"), "actual": ("実績値", "actual"), "target": ("目標値", "target")}


def printed_number(reader: Reader, rec: Record, printed: str) -> Decimal:
    try:
        return parse_number(printed)
    except ValueError as exc:
        raise reader.fail(rec, f"{exc}: give the number exactly as printed (digits, 万/億, commas)") from exc


def cite_address(kg: KG, r: Reader, rec: Record, excerpt: URIRef) -> None:
    """`url:` (one address or several): the pages the local copy's lines were read from."""
    urls = rec.get("url")
    for url in [urls] if isinstance(urls, str) else urls or []:
        kg.add(excerpt, SCHEMA.url, page_address(r, rec, url))


class KPIBuilder:
    """Mints one KPI; `source` is the local copy the row's lines refer to."""

    def __init__(self, kg: KG, reader: Reader, source: str):
        self.kg, self.r, self.source = kg, reader, source

    def build(self, kpi: Record, owner: URIRef, kid: str, list_fy: int | None, target: Record | None,
              row: Record, plan_level: bool = False) -> URIRef:
        """`owner` is the initiative that has the KPI, or for a plan-level KPI the document listing it."""
        kg, r = self.kg, self.r
        iri = kg.pref_iri(f"kpi/{kid}")
        kg.typed(iri, FDX.KPI)
        kg.label(iri, r.req(kpi, "label"))
        if plan_level:
            kg.add(iri, FDX.listedIn, owner)
        else:
            kg.add(owner, FDX.hasKPI, iri)
        text = r.opt(kpi, "text")
        if text:
            if target is not None and text.replace(" ", "") not in target["text"].replace(" ", ""):
                raise r.fail(kpi, "the KPI text is not part of the row's target cell: quote the cell's words")
            kg.ja(iri, FDX.targetText, text)
        unit = r.opt(kpi, "unit")
        if unit:
            kg.add(iri, FDX.unit, Literal(unit))
        definition = r.opt(kpi, "definition", dict)
        if definition:
            kg.ja(iri, SKOS.definition, r.req(definition, "text"))
            kg.derived(iri, definition.get("file") or self.source, *r.line_range(definition))
        lines = r.line_range(kpi) if kpi.get("lines") else r.line_range(target or row)
        cite_address(kg, r, kpi, kg.derived(iri, self.source, *lines))
        numeric_target = False
        if "value" in kpi or (text and not kpi.get("values")):
            numeric_target = self._printed_target(kpi, iri, kid, text or "", unit, list_fy, lines)
        for value in r.opt(kpi, "values", list, []):
            role, has_number = self._value(value, iri, kid, unit, lines)
            numeric_target = numeric_target or (role == "target" and has_number)
        qualitative = r.opt(kpi, "qualitative", bool)
        if qualitative and numeric_target:
            raise r.fail(kpi, "qualitative: true, but a target value is given")
        if numeric_target or qualitative or ("value" in kpi or text) and not kpi.get("values"):
            kg.add(iri, FDX.qualitative, Literal(not numeric_target, datatype=XSD.boolean))
        self._qualifiers(kpi, iri)
        kg.notes(iri, r.opt(kpi, "flags", list))
        return iri

    def _printed_target(self, kpi: Record, iri: URIRef, kid: str, text: str, unit: str | None,
                        list_fy: int | None, lines: tuple[int, int]) -> bool:
        """The initiatives-list form: the target cell's text, its number (or null) and target_fy."""
        kg, r = self.kg, self.r
        value = r.opt(kpi, "value")
        fy = r.opt(kpi, "target_fy", int, list_fy)
        if fy is not None and not 2000 <= fy <= 2100:
            raise r.fail(kpi, f"target_fy {fy} is not a Gregorian year")
        if fy is not None:
            kg.add(iri, FDX.targetFiscalYear, kg.fiscal_year(fy))
            if list_fy is not None and fy != list_fy:
                kg.ja(iri, FDX.evidence, f"目標年度は一覧の年度（{list_fy}年度）ではなく、記載による（{fy}年度）")
        if value is None:
            return False
        if value not in text and value.replace(" ", "") not in text.replace(" ", ""):
            raise r.fail(kpi, f"value {value!r} is not printed in the KPI text")
        number = printed_number(r, kpi, value)
        if not unit:
            raise r.fail(kpi, "a KPI with a value needs a 'unit'")
        kg.decimal(iri, FDX.targetValue, number)
        kg.add(iri, FDX.valueAsPrinted, Literal(value))
        node = self._value_node(iri, kid, "target", fy=fy, year=None, date=None)
        kg.decimal(node, FDX.value, number)
        kg.add(node, FDX.valuePrinted, Literal(value))
        kg.add(node, FDX.valueUnit, Literal(unit))
        kg.derived(node, self.source, *lines)
        return True

    def _value(self, rec: Record, kpi: URIRef, kid: str, unit: str | None,
               lines: tuple[int, int]) -> tuple[str, bool]:
        kg, r = self.kg, self.r
        role = r.req(rec, "role")
        if role not in ROLES:
            raise r.fail(rec, f"role {role!r}: use one of {', '.join(ROLES)}")
        fy, year, date = r.opt(rec, "fy", int), r.opt(rec, "year", int), r.opt(rec, "date")
        times = sum(x is not None for x in (fy, year, date))
        if times > 1 or times == 0 and not rec.get("flags"):
            raise r.fail(rec, "a value needs exactly one of 'fy' (fiscal year as printed, 2022 for 令和4年度), "
                         "'year' (a calendar year, as in 2022年) or 'date'; a value printed with no time at all "
                         "gives none and says so in 'flags'")
        for y in (fy, year):
            if y is not None and not 2000 <= y <= 2100:
                raise r.fail(rec, f"year {y} is not a Gregorian year")
        node = self._value_node(kpi, kid, role, fy=fy, year=year, date=date)
        cited = r.line_range(rec) if rec.get("lines") else lines
        kg.derived(node, self.source, *cited)
        value, printed = r.opt(rec, "value"), r.opt(rec, "printed")
        as_printed = value if value is not None else printed
        if as_printed is None:
            raise r.fail(rec, "a value needs 'value' (the number as printed) or 'printed' (what the source shows "
                         "instead of a number, e.g. —)")
        if not text_in_lines(as_printed, self.source, *cited, self.kg.sources_dir):
            raise r.fail(rec, f"{as_printed!r} is not printed on lines {cited[0]}-{cited[1]} of {self.source}")
        kg.add(node, FDX.valuePrinted, Literal(as_printed))
        value_unit = r.opt(rec, "unit") or unit
        if value is not None:
            number = printed_number(r, rec, value)
            if not value_unit:
                raise r.fail(rec, "a value needs a unit: give 'unit' on the KPI or the value")
            kg.decimal(node, FDX.value, number)
            kg.add(node, FDX.valueUnit, Literal(value_unit))
            self._shortcut(kpi, role, number, fy, year)
        self._qualifiers(rec, kpi)
        kg.notes(node, r.opt(rec, "flags", list))
        return role, value is not None

    def _value_node(self, kpi: URIRef, kid: str, role: str, fy: int | None, year: int | None,
                    date: str | None) -> URIRef:
        kg = self.kg
        when = str(fy) if fy is not None else f"y{year}" if year is not None else date
        node = kg.pref_iri(f"kpi/{kid}/{role}-{when or 'undated'}")
        kg.typed(node, FDX.KPIValue)
        ja, en = ROLE_LABELS[role]
        when_ja = f"{fy}年度" if fy is not None else f"{year}年" if year is not None else (date or "年不明")
        kg.label(node, f"{kg.ja_label(kpi)} {ja}（{when_ja}）", f"{en} ({when or 'year not stated'})")
        kg.add(kpi, FDX.hasValue, node)
        kg.add(node, FDX.valueRole, ROLES[role])
        if fy is not None:
            kg.add(node, FDX.valueFiscalYear, kg.fiscal_year(fy))
        if year is not None:
            kg.add(node, FDX.valueYear, Literal(str(year), datatype=XSD.gYear))
        if date is not None:
            kg.date(node, FDX.valueDate, str(date))
        return node

    def _shortcut(self, kpi: URIRef, role: str, number: Decimal, fy: int | None, year: int | None) -> None:
        """fdx:baselineValue / fdx:targetValue and their year: kept once, for the latest target."""
        if role not in SHORTCUTS:
            return
        kg = self.kg
        value_p, fy_p, year_p = SHORTCUTS[role]
        for p in (value_p, fy_p, year_p):
            kg.graph.remove((kpi, p, None))
        kg.decimal(kpi, value_p, number)
        if fy is not None:
            kg.add(kpi, fy_p, kg.fiscal_year(fy))
        if year is not None:
            kg.add(kpi, year_p, Literal(str(year), datatype=XSD.gYear))

    def _qualifiers(self, kpi: Record, iri: URIRef) -> None:
        for q in self.r.opt(kpi, "qualifiers", list, []):
            if q not in QUALIFIERS:
                raise self.r.fail(kpi, f"unknown qualifier {q!r}; use one of {sorted(QUALIFIERS)}")
            self.kg.add(iri, FDX.valueQualifier, QUALIFIERS[q])
