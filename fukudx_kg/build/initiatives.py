"""Yearly initiatives lists: sections of the policy they follow, rows, programs and KPIs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import Literal, URIRef

from fukudx_kg.build.graph import KG
from fukudx_kg.build.iris import DCTERMS, FDX, RDF, RDFS, SKOS, XSD
from fukudx_kg.build.numbers import parse_number
from fukudx_kg.build.orgs import Departments
from fukudx_kg.build.sources import Reader, Record, load_yaml

LETTERS = {"ア": "a", "イ": "i", "ウ": "u", "エ": "e", "オ": "o", "カ": "ka", "キ": "ki",
           "ク": "ku", "ケ": "ke", "コ": "ko", "サ": "sa", "シ": "shi", "ス": "su", "セ": "se", "ソ": "so"}
QUALIFIERS = {"approximate": FDX.Approximate, "cumulative": FDX.Cumulative, "at-least": FDX.AtLeast,
              "at-most": FDX.AtMost, "per-year": FDX.PerYear}
CHAPTER = re.compile(r"^第(\d+)(?:-(\d+))?$")
ITEM = re.compile(r"^(\d+)(?:\((\d+)\)([\u30a0-\u30ff]?))?$")
LIST_DOCUMENT = {"gyosei": "r4-initiatives-gyosei", "chiiki": "r4-initiatives-chiiki"}


@dataclass
class Section:
    chapter: str
    key: str          # code, or 計画-N / uN for items printed without a number
    path: str         # ASCII path used in IRIs
    parent_key: str | None
    record: Record
    reader: Reader


def chapter_path(chapter: str) -> str:
    m = CHAPTER.match(unicodedata.normalize("NFKC", chapter).replace("－", "-"))
    if not m:
        raise ValueError(f"chapter {chapter!r} is not like 第4 or 第4-1")
    return m.group(1) + (f"-{m.group(2)}" if m.group(2) else "")


def section_path(chapter: str, key: str, field: str | None = None) -> tuple[str, str | None]:
    """ASCII path of a section and its parent's key: 第4 3(6)ア → ('4.3.6.a', '3(6)')."""
    ch = chapter_path(chapter)
    code = unicodedata.normalize("NFKC", key)
    if code.startswith("計画-"):
        n = code.split("-", 1)[1]
        return (f"{ch}.{field}.keikaku-{n}" if field else f"{ch}.keikaku-{n}"), field
    if re.fullmatch(r"u\d+", code):
        return f"{ch}.{code}", None
    m = ITEM.match(code)
    if not m:
        raise ValueError(f"section code {key!r} is not like 1, 1(2) or 3(6)ア")
    field_no, item_no, letter = m.groups()
    if item_no is None:
        return f"{ch}.{field_no}", None
    if letter:
        if letter not in LETTERS:
            raise ValueError(f"section code {key!r}: unknown letter {letter}")
        return f"{ch}.{field_no}.{item_no}.{LETTERS[letter]}", f"{field_no}({item_no})"
    return f"{ch}.{field_no}.{item_no}", field_no


class InitiativesBuilder:
    def __init__(self, kg: KG, pref: URIRef, departments: Departments, scheme_key: str = "2021"):
        self.kg, self.pref, self.departments = kg, pref, departments
        self.scheme_key = scheme_key
        self.sections: dict[tuple[str, str], Section] = {}
        self.section_iris: dict[tuple[str, str], URIRef] = {}
        self.programs: dict[str, URIRef] = {}
        self.initiatives: set[URIRef] = set()

    # -- sections ----------------------------------------------------------
    def section_iri(self, path: str) -> URIRef:
        return self.kg.pref_iri(f"policy/{self.scheme_key}/sec-{path}")

    def scheme(self) -> URIRef:
        return self.kg.pref_iri(f"policy/{self.scheme_key}/scheme")

    def add_sections(self, path: Path, reader: Reader, data: Record, source: str) -> None:
        for rec in reader.req(data, "sections", list):
            chapter = reader.req(rec, "chapter")
            code = reader.opt(rec, "code")
            key = reader.opt(rec, "key") or code
            if not key:
                raise reader.fail(rec, "a section needs 'code' or 'key'")
            try:
                spath, parent = section_path(chapter, key, reader.opt(rec, "field"))
            except ValueError as exc:
                raise reader.fail(rec, str(exc)) from exc
            name = reader.req(rec, "name")
            first, last = reader.line_range(rec)
            ident = (chapter_path(chapter), unicodedata.normalize("NFKC", key))
            iri = self.section_iri(spath)
            if ident in self.sections:
                # Printed again (page-end blocks repeat labels): the first printing names it.
                known = self.kg.graph.value(iri, SKOS.prefLabel)
                if known is not None and str(known) != name:
                    self.kg.add(iri, SKOS.altLabel, Literal(name, lang="ja"))
                self.kg.derived(iri, source, first, last)
                self.kg.notes(iri, reader.opt(rec, "flags", list))
                self._responsible(iri, reader, rec, source)
                continue
            self.sections[ident] = Section(chapter, key, spath, parent, rec, reader)
            self.section_iris[ident] = iri
            kg = self.kg
            kg.typed(iri, FDX.PolicySection)
            # rdfs:label reads as printed ("2(2) キャッシュレス決済の導入"); prefLabel is the name alone.
            kg.label(iri, f"{code} {name}" if code and name != code else name)
            kg.add(iri, SKOS.prefLabel, Literal(name, lang="ja"))
            if code:
                kg.add(iri, SKOS.notation, Literal(code))
            kg.add(iri, SKOS.inScheme, self.scheme())
            kg.derived(iri, source, first, last)
            kg.notes(iri, reader.opt(rec, "flags", list))
            self._responsible(iri, reader, rec, source)

    def _responsible(self, iri: URIRef, reader: Reader, rec: Record, source: str) -> None:
        for names in reader.opt(rec, "responsible", list, []):
            where = f"{reader.path}:{rec.line}"
            self.kg.add(iri, FDX.responsibleUnit, self._dept(names, reader, rec, where))
        if rec.get("responsible"):
            self.kg.derived(iri, source, *reader.line_range(rec, "responsible_lines"))

    def _dept(self, names, reader: Reader, rec: Record, where: str) -> URIRef:
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise reader.fail(rec, f"a department must be a list of names, got {names!r}")
        try:
            return self.departments.unit(names, where)
        except ValueError as exc:
            raise reader.fail(rec, str(exc)) from exc

    def link_section_tree(self, chapters: dict[str, URIRef]) -> None:
        """skos:broader from every section to its parent, or to its chapter."""
        for ident, sec in self.sections.items():
            iri = self.section_iris[ident]
            parent_ident = (ident[0], unicodedata.normalize("NFKC", sec.parent_key)) if sec.parent_key else None
            parent = self.section_iris.get(parent_ident) if parent_ident else None
            if parent is None and sec.parent_key and "(" in sec.parent_key:
                # a lettered item whose parent item name is not printed: hang it on the field
                field = sec.parent_key.split("(")[0]
                parent = self.section_iris.get((ident[0], field))
            if parent is None:
                parent = chapters.get(ident[0])
            if parent is None:
                raise sec.reader.fail(sec.record, f"no chapter {sec.chapter} defined for section {sec.key}")
            self.kg.add(iri, SKOS.broader, parent)
            self.kg.add(parent, SKOS.narrower, iri)
            self.kg.add(iri, FDX.underSection, parent)

    # -- rows --------------------------------------------------------------
    def add_rows(self, path: Path, reader: Reader, data: Record, source: str, fiscal_year: int,
                 listed_in: URIRef) -> int:
        seen: set[tuple[str, str, int]] = set()
        count = 0
        for row in reader.req(data, "rows", list):
            chapter = chapter_path(reader.req(row, "chapter"))
            item = unicodedata.normalize("NFKC", reader.req(row, "item"))
            n = reader.req(row, "n", int)
            sec = self.sections.get((chapter, item))
            if sec is None:
                raise reader.fail(row, f"row names item {item!r} of 第{chapter}, which no 'sections' entry defines")
            if (chapter, item, n) in seen:
                raise reader.fail(row, f"row n={n} under {item} appears twice")
            seen.add((chapter, item, n))
            self._row(reader, row, source, fiscal_year, listed_in, sec, n)
            count += 1
        return count

    def _row(self, reader: Reader, row: Record, source: str, fy: int, listed_in: URIRef,
             sec: Section, n: int) -> None:
        kg = self.kg
        where = f"{reader.path}:{row.line}"
        rid = f"r{fy - 2018}/{sec.path}-{n}"
        ini = kg.pref_iri(f"initiative/{rid}")
        if ini in self.initiatives:
            raise reader.fail(row, f"initiative {rid} is defined twice (same item and n in two files)")
        self.initiatives.add(ini)
        kg.typed(ini, FDX.Initiative)
        program = reader.req(row, "program", dict)
        program_text = reader.req(program, "text")
        kg.label(ini, program_text)
        kg.add(ini, FDX.underSection,
               self.section_iris[(chapter_path(sec.chapter), unicodedata.normalize("NFKC", sec.key))])
        kg.add(ini, FDX.fiscalYear, kg.fiscal_year(fy))
        kg.add(ini, FDX.listedIn, listed_in)
        kg.integer(ini, FDX.rowNumber, n)
        kg.derived(ini, source, *reader.line_range(row))
        kg.notes(ini, reader.opt(row, "flags", list))
        overview = reader.opt(row, "overview", dict)
        if overview:
            kg.ja(ini, DCTERMS.description, reader.req(overview, "text"))

        depts = reader.req(row, "departments", list)
        units = [self._dept(names, reader, row, where) for names in depts]
        for unit in units:
            kg.add(ini, FDX.responsibleUnit, unit)

        prog = self._program(program_text, rid, reader, program, source)
        kg.add(ini, FDX.program, prog)
        for unit in units:
            kg.add(prog, FDX.responsibleUnit, unit)

        target = reader.opt(row, "target", dict)
        kpis = reader.opt(row, "kpis", list, [])
        if target and not kpis:
            raise reader.fail(row, "the row has a target cell but no 'kpis'")
        for k, kpi in enumerate(kpis, start=1):
            self._kpi(reader, kpi, ini, f"{rid}-{k}", fy, source, target)

    def _program(self, text: str, rid: str, reader: Reader, cell: Record, source: str) -> URIRef:
        """Rows naming the same program (up to character width and spacing) share one Program."""
        key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
        kg = self.kg
        if key in self.programs:
            prog = self.programs[key]
            if (prog, RDFS.label, Literal(text, lang="ja")) not in kg.graph:
                kg.add(prog, SKOS.altLabel, Literal(text, lang="ja"))
            return prog
        prog = kg.pref_iri(f"program/{rid.replace('/', '-')}")
        kg.typed(prog, FDX.Program)
        kg.label(prog, text)
        kg.add(prog, FDX.inPrefecture, self.pref)
        kg.derived(prog, source, *reader.line_range(cell))
        self.programs[key] = prog
        return prog

    def _kpi(self, reader: Reader, kpi: Record, ini: URIRef, kid: str, list_fy: int, source: str,
             target: Record | None) -> None:
        kg = self.kg
        iri = kg.pref_iri(f"kpi/{kid}")
        kg.typed(iri, FDX.KPI)
        text = reader.req(kpi, "text")
        label = reader.req(kpi, "label")
        kg.label(iri, label)
        kg.ja(iri, FDX.targetText, text)
        kg.add(ini, FDX.hasKPI, iri)
        value = reader.opt(kpi, "value")
        unit = reader.opt(kpi, "unit")
        if value is not None:
            if value not in text and value.replace(" ", "") not in text.replace(" ", ""):
                raise reader.fail(kpi, f"value {value!r} is not printed in the KPI text")
            try:
                number: Decimal = parse_number(value)
            except ValueError as exc:
                raise reader.fail(kpi, str(exc)) from exc
            kg.decimal(iri, FDX.targetValue, number)
            kg.add(iri, FDX.valueAsPrinted, Literal(value))
            if not unit:
                raise reader.fail(kpi, "a KPI with a value needs a 'unit'")
            kg.add(iri, FDX.unit, Literal(unit))
        elif unit:
            kg.add(iri, FDX.unit, Literal(unit))
        kg.add(iri, FDX.qualitative, Literal(value is None, datatype=XSD.boolean))
        fy = reader.opt(kpi, "target_fy", int, list_fy)
        if not 2000 <= fy <= 2100:
            raise reader.fail(kpi, f"target_fy {fy} is not a Gregorian year")
        kg.add(iri, FDX.targetFiscalYear, kg.fiscal_year(fy))
        if fy != list_fy:
            kg.ja(iri, FDX.evidence, f"目標年度は一覧の年度（{list_fy}年度）ではなく、記載による（{fy}年度）")
        for q in reader.opt(kpi, "qualifiers", list, []):
            if q not in QUALIFIERS:
                raise reader.fail(kpi, f"unknown qualifier {q!r}; use one of {sorted(QUALIFIERS)}")
            kg.add(iri, FDX.valueQualifier, QUALIFIERS[q])
        kg.notes(iri, reader.opt(kpi, "flags", list))
        if target is not None:
            kg.derived(iri, source, *reader.line_range(target))


def build_initiatives(kg: KG, folder: Path, pref: URIRef, departments: Departments,
                      chapters: dict[str, URIRef]) -> InitiativesBuilder:
    builder = InitiativesBuilder(kg, pref, departments)
    loaded = []
    for path, data in _in_source_order(sorted((folder / "initiatives").glob("*.yaml"))):
        reader = Reader(path)
        source = reader.req(data, "source")
        list_key = reader.req(data, "list")
        if list_key not in LIST_DOCUMENT:
            raise reader.fail(data, f"list must be one of {sorted(LIST_DOCUMENT)}")
        builder.add_sections(path, reader, data, source)
        loaded.append((path, reader, data, source, list_key))
    builder.link_section_tree(chapters)
    for path, reader, data, source, list_key in loaded:
        fy = reader.req(data, "fiscal_year", int)
        builder.add_rows(path, reader, data, source, fy, kg.document(LIST_DOCUMENT[list_key]))
    scheme = builder.scheme()
    kg.add(scheme, RDF.type, SKOS.ConceptScheme)
    return builder


def _in_source_order(paths: list[Path]) -> list[tuple[Path, Record]]:
    """Files ordered by where their rows start in the source, so a program shared by several
    rows is named after its first printed row whatever the curated files are called."""
    loaded = [(path, load_yaml(path)) for path in paths]

    def first_line(item):
        path, data = item
        rows = data.get("rows") or [] if isinstance(data, dict) else []
        starts = [r["lines"][0] for r in rows
                  if isinstance(r, dict) and isinstance(r.get("lines"), list) and r["lines"]]
        return (data.get("source", "") if isinstance(data, dict) else "", min(starts, default=0), path.name)
    return sorted(loaded, key=first_line)
