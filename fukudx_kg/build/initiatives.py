"""Initiatives lists: the sections of the policy they follow, their rows, programs and KPIs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef

from fukudx_kg.build.graph import KG
from fukudx_kg.build.iris import DCTERMS, FDX, RDF, RDFS, SKOS
from fukudx_kg.build.kpis import KPIBuilder, cite_address
from fukudx_kg.build.orgs import Departments
from fukudx_kg.build.sources import Reader, Record, SourceError, check_printed, load_checked

# Printed item letters (3(6)ア) in IRIs.
LETTERS = {"ア": "a", "イ": "i", "ウ": "u", "エ": "e", "オ": "o", "カ": "ka", "キ": "ki",
           "ク": "ku", "ケ": "ke", "コ": "ko", "サ": "sa", "シ": "shi", "ス": "su", "セ": "se", "ソ": "so"}
ASCII_PATH = re.compile(r"^[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*$")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class Section:
    chapter: str | None
    item: str         # the code as printed, or the curator's key for an item printed without one
    path: str         # ASCII path used in IRIs
    parent: str | None  # an explicit parent path
    record: Record
    reader: Reader


def chapter_path(chapter: str) -> str:
    """`第4-1` → `4-1`: the chapter's printed numbering as an IRI path."""
    text = unicodedata.normalize("NFKC", chapter).strip()
    text = text[1:] if text.startswith("第") else text
    if not ASCII_PATH.match(text):
        raise ValueError(f"chapter {chapter!r} is not numbered like 第4 or 第4-1; name the scheme's section "
                         "key instead")
    return text


def code_path(code: str) -> str:
    """`3(6)ア` → `3.6.a`, `1(10)` → `1.10`, `1-2-4` → `1-2-4`: a printed item code as an IRI path."""
    text = unicodedata.normalize("NFKC", code).replace(" ", "")
    text = re.sub(r"\((\d+)\)", r".\1", text)
    text = "".join(f".{LETTERS[c]}" if c in LETTERS else c for c in text)
    if not ASCII_PATH.match(text):
        raise ValueError(f"section code {code!r} cannot be written in an IRI: give the section a 'key' "
                         "(lower-case ASCII) and keep the printed code in 'code'")
    return text


def section_path(chapter: str | None, code: str | None, key: str | None = None, field: str | None = None) -> str:
    """The section's path under its scheme: chapter, then the field (for keyed items), then code or key."""
    parts = [chapter_path(chapter)] if chapter else []
    if key:
        if not KEY.match(key):
            raise ValueError(f"key {key!r} must be lower-case ASCII letters, digits and '-'")
        if field:
            parts.append(code_path(field))
        parts.append(key)
    else:
        parts.append(code_path(code or ""))
    return ".".join(parts)


def parent_paths(path: str) -> list[str]:
    """Candidate parents, nearest first: 4.3.6.a → 4.3.6, 4.3, 4; 1-2-4 → 1-2, 1."""
    out = []
    while True:
        cut = max(path.rfind("."), path.rfind("-"))
        if cut <= 0:
            return out
        path = path[:cut]
        out.append(path)


class InitiativesBuilder:
    """All initiatives lists of one folder; sections are keyed by (scheme, path), rows by their list."""

    def __init__(self, kg: KG, pref: URIRef, departments: Departments):
        self.kg, self.pref, self.departments = kg, pref, departments
        self.sections: dict[tuple[str, str, str], Section] = {}  # (scheme, chapter path, item) → Section
        self.programs: dict[str, URIRef] = {}
        self.initiatives: set[URIRef] = set()

    # -- sections ----------------------------------------------------------
    def add_sections(self, reader: Reader, data: Record, scheme: str, source: str) -> None:
        kg = self.kg
        for rec in reader.opt(data, "sections", list, []):
            chapter, code, key = reader.opt(rec, "chapter"), reader.opt(rec, "code"), reader.opt(rec, "key")
            if not code and not key:
                raise reader.fail(rec, "a section needs 'code' (as printed) or 'key' (for an item printed without one)")
            try:
                path = section_path(chapter, code, key, reader.opt(rec, "field"))
            except ValueError as exc:
                raise reader.fail(rec, str(exc)) from exc
            name = reader.req(rec, "name")
            first, last = reader.line_range(rec)
            check_printed({"text": name, "lines": [first, last]}, reader.path, kg.sources_dir, source, rec.line)
            ident = (scheme, chapter_path(chapter) if chapter else "", unicodedata.normalize("NFKC", key or code))
            iri = kg.pref_iri(f"policy/{scheme}/sec-{path}")
            if ident in self.sections:
                # Printed again (page-end blocks repeat labels): the first printing names it.
                known = kg.graph.value(iri, SKOS.prefLabel)
                if known is not None and str(known) != name:
                    kg.add(iri, SKOS.altLabel, Literal(name, lang="ja"))
                kg.derived(iri, source, first, last)
                kg.notes(iri, reader.opt(rec, "flags", list))
                self._responsible(iri, reader, rec, source)
                continue
            if (scheme, path) in kg.sections:
                raise reader.fail(rec, f"section {path} is already defined in scheme {scheme} (by the policy file)")
            self.sections[ident] = Section(chapter, key or code, path, reader.opt(rec, "parent"), rec, reader)
            kg.sections[(scheme, path)] = iri
            kg.typed(iri, FDX.PolicySection)
            # rdfs:label reads as printed ("2(2) キャッシュレス決済の導入"); prefLabel is the name alone.
            kg.label(iri, f"{code} {name}" if code and name != code else name)
            kg.add(iri, SKOS.prefLabel, Literal(name, lang="ja"))
            if code:
                kg.add(iri, SKOS.notation, Literal(code))
            kg.add(iri, SKOS.inScheme, kg.pref_iri(f"policy/{scheme}/scheme"))
            kg.derived(iri, source, first, last)
            kg.notes(iri, reader.opt(rec, "flags", list))
            self._responsible(iri, reader, rec, source)

    def _responsible(self, iri: URIRef, reader: Reader, rec: Record, source: str) -> None:
        for names in reader.opt(rec, "responsible", list, []):
            self.kg.add(iri, FDX.responsibleUnit, self._dept(names, reader, rec))
        if rec.get("responsible"):
            self.kg.derived(iri, source, *reader.line_range(rec, "responsible_lines"))

    def _dept(self, names, reader: Reader, rec: Record) -> URIRef:
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise reader.fail(rec, f"a department must be a list of names, outermost first, got {names!r}")
        try:
            return self.departments.unit(names)
        except ValueError as exc:
            raise reader.fail(rec, str(exc)) from exc

    def link_section_tree(self) -> None:
        """skos:broader from every section to its explicit parent, else to the nearest defined ancestor."""
        kg = self.kg
        for (scheme, _, _), sec in self.sections.items():
            iri = kg.sections[(scheme, sec.path)]
            candidates = [sec.parent] if sec.parent else parent_paths(sec.path)
            parent = next((kg.sections[(scheme, p)] for p in candidates if (scheme, p) in kg.sections), None)
            if parent is None:
                raise sec.reader.fail(sec.record, f"section {sec.item} has no parent in scheme {scheme}: tried "
                                      f"{', '.join(candidates) or 'none'}; define the chapter or field in the "
                                      "policy file, or give 'parent'")
            kg.add(iri, SKOS.broader, parent)
            kg.add(parent, SKOS.narrower, iri)
            kg.add(iri, FDX.underSection, parent)

    # -- rows --------------------------------------------------------------
    def add_rows(self, reader: Reader, data: Record, scheme: str, source: str) -> int:
        kg = self.kg
        list_key = reader.req(data, "key")
        if not KEY.match(list_key):
            raise reader.fail(data, f"key {list_key!r} must be lower-case ASCII (it names the list in IRIs)")
        try:
            listed_in = kg.document(reader.req(data, "list"))
        except KeyError:
            raise reader.fail(data, f"list {data['list']!r} is not the key of a document in documents.yaml") from None
        fiscal_year = reader.opt(data, "fiscal_year", int)
        seen: set[tuple[str, str, int]] = set()
        if not data.get("rows") and not data.get("kpis"):
            raise reader.fail(data, "a list needs 'rows' (its items) or 'kpis' (indicators of the whole plan)")
        if data.get("rows") and not scheme:
            raise reader.fail(data, "rows need 'scheme': the policy/ file whose sections they are listed under")
        for row in reader.opt(data, "rows", list, []):
            chapter = reader.opt(row, "chapter")
            item = unicodedata.normalize("NFKC", reader.req(row, "item"))
            n = reader.req(row, "n", int)
            sec = self.sections.get((scheme, chapter_path(chapter) if chapter else "", item))
            if sec is None:
                raise reader.fail(row, f"row names item {item!r}{f' of {chapter}' if chapter else ''}, which no "
                                  "'sections' entry of this scheme defines")
            if (chapter or "", item, n) in seen:
                raise reader.fail(row, f"row n={n} under {item} appears twice")
            seen.add((chapter or "", item, n))
            self._row(reader, row, source, fiscal_year, listed_in, scheme, sec, n, list_key)
        builder = KPIBuilder(self.kg, reader, source)
        for k, kpi in enumerate(reader.opt(data, "kpis", list, []), start=1):
            builder.build(kpi, listed_in, f"{list_key}/plan-{k}", fiscal_year, None, kpi, plan_level=True)
        return len(seen)

    def _row(self, reader: Reader, row: Record, source: str, fy: int | None, listed_in: URIRef, scheme: str,
             sec: Section, n: int, list_key: str) -> None:
        kg = self.kg
        rid = f"{list_key}/{sec.path}-{n}"
        ini = kg.pref_iri(f"initiative/{rid}")
        if ini in self.initiatives:
            raise reader.fail(row, f"initiative {rid} is defined twice (same item and n in two files)")
        self.initiatives.add(ini)
        kg.typed(ini, FDX.Initiative)
        program = reader.opt(row, "program", dict)
        name = reader.opt(row, "name", dict)
        if program is None and name is None:
            raise reader.fail(row, "a row needs 'program' (事業名) or 'name' (取組名), as printed")
        kg.label(ini, reader.req(program or name, "text"))
        kg.add(ini, FDX.underSection, kg.sections[(scheme, sec.path)])
        if fy is not None:
            kg.add(ini, FDX.fiscalYear, kg.fiscal_year(fy))
        kg.add(ini, FDX.listedIn, listed_in)
        kg.integer(ini, FDX.rowNumber, n)
        excerpt = kg.derived(ini, source, *reader.line_range(row))
        cite_address(kg, reader, row, excerpt)
        kg.notes(ini, reader.opt(row, "flags", list))
        for field, prop in (("overview", DCTERMS.description), ("notes", SKOS.note)):
            cell = reader.opt(row, field, dict)
            if cell:
                kg.ja(ini, prop, reader.req(cell, "text"))
                if field == "notes":
                    kg.derived(ini, source, *reader.line_range(cell))

        units = [self._dept(names, reader, row) for names in reader.req(row, "departments", list)]
        for unit in units:
            kg.add(ini, FDX.responsibleUnit, unit)
        if program is not None:
            prog = self._program(reader.req(program, "text"), rid, reader, program, source)
            kg.add(ini, FDX.program, prog)
            for unit in units:
                kg.add(prog, FDX.responsibleUnit, unit)

        target = reader.opt(row, "target", dict)
        kpis = reader.opt(row, "kpis", list, [])
        if target and not kpis:
            raise reader.fail(row, "the row has a target cell but no 'kpis'")
        builder = KPIBuilder(kg, reader, source)
        for k, kpi in enumerate(kpis, start=1):
            builder.build(kpi, ini, f"{rid}-{k}", fy, target, row)

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


def build_initiatives(kg: KG, folder: Path, pref: URIRef, departments: Departments) -> InitiativesBuilder:
    builder = InitiativesBuilder(kg, pref, departments)
    loaded = []
    for path, data in _in_source_order(kg, sorted((folder / "initiatives").glob("*.yaml"))):
        reader = kg.reader(path)
        scheme = reader.opt(data, "scheme")
        if scheme and (kg.pref_iri(f"policy/{scheme}/scheme"), RDF.type, SKOS.ConceptScheme) not in kg.graph:
            raise reader.fail(data, f"scheme {scheme!r} is not defined by a file in policy/ (its 'scheme' key)")
        builder.add_sections(reader, data, scheme, reader.req(data, "source"))
        loaded.append((reader, data, scheme))
    builder.link_section_tree()
    for reader, data, scheme in loaded:
        builder.add_rows(reader, data, scheme, data["source"])
    return builder


def _in_source_order(kg: KG, paths: list[Path]) -> list[tuple[Path, Record]]:
    """Files ordered by where their rows start in the source, so a program shared by several
    rows is named after its first printed row whatever the curated files are called."""
    loaded = [(path, load_checked(path, "list_file", kg.sources_dir)) for path in paths]
    for path, data in loaded:
        if not isinstance(data, dict):
            raise SourceError(path, 1, "an initiatives list is a mapping with source, list, key, scheme, "
                              "sections and rows")

    def first_line(item):
        path, data = item
        starts = [r["lines"][0] for r in data.get("rows") or []
                  if isinstance(r, dict) and isinstance(r.get("lines"), list) and r["lines"]]
        return (data.get("source", ""), min(starts, default=0), path.name)
    return sorted(loaded, key=first_line)
