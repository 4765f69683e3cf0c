"""The 2024 revision's overview (001): section tree, new values, roadmaps and governance."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from rdflib import Literal, URIRef

from fukudx_kg.build.graph import KG
from fukudx_kg.build.iris import DCTERMS, FDX, ORG, RDF, SKOS
from fukudx_kg.build.sources import Reader, Record, load_checked


def normalise_notation(printed: str) -> str:
    """Minutes print codes as `２の（４）` or `３の（１）カ`; lists print `2(4)`, `3(1)カ`."""
    return unicodedata.normalize("NFKC", printed).replace("の", "").replace(" ", "")


class PolicyPart:
    """One policy document's section scheme (policy/<name>.yaml): sections, roadmaps, governance."""

    def __init__(self, kg: KG, path: Path):
        self.path = path
        self.data = load_checked(path, "policy_file", kg.sources_dir)
        self.r = kg.reader(path)
        self.scheme_key = self.r.req(self.data, "scheme")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", self.scheme_key):
            raise self.r.fail(self.data, f"scheme {self.scheme_key!r} must be ASCII letters, digits and '-' "
                              "(it is part of IRIs)")
        self.source = self.r.opt(self.data, "source")
        self.rows: dict[tuple[str, str], URIRef] = {}

    def section_iri(self, kg: KG, key: str) -> URIRef:
        return kg.pref_iri(f"policy/{self.scheme_key}/sec-{key}")

    def scheme_iri(self, kg: KG) -> URIRef:
        return kg.pref_iri(f"policy/{self.scheme_key}/scheme")

    def roadmap_iri(self, kg: KG, key: str) -> URIRef:
        return kg.pref_iri(f"policy/{self.scheme_key}/roadmap-{key}")

    def document(self, kg: KG) -> URIRef:
        key = self.r.req(self.data, "document")
        try:
            return kg.document(key)
        except KeyError:
            raise self.r.fail(self.data, f"document {key!r} is not in documents.yaml (add it there)") from None

    def build_sections(self, kg: KG, pref: URIRef) -> None:
        """The scheme and its sections: other files (lists, themes, meetings) refer to them."""
        r = self.r
        doc = self.document(kg)
        scheme = self.scheme_iri(kg)
        kg.add(scheme, RDF.type, SKOS.ConceptScheme)
        label = r.opt(self.data, "label", dict)
        if label:
            kg.label(scheme, r.req(label, "ja"), r.opt(label, "en"))
        else:
            kg.label(scheme, f"{kg.ja_label(doc) or doc}の項目体系")
        kg.add(scheme, FDX.schemeOf, doc)
        sections = r.req(self.data, "sections", list)
        keys = {r.req(s, "key") for s in sections}
        for rec in sections:
            self._section(kg, rec, scheme, keys)

    def build(self, kg: KG, pref: URIRef) -> None:
        r = self.r
        doc = self.document(kg)
        for rec in r.opt(self.data, "roadmaps", list, []):
            self._roadmap(kg, rec)
        for rec in r.opt(self.data, "governance", list, []):
            target = self.known_section(kg, rec, r.req(rec, "section")) if rec.get("section") else doc
            kg.ja(target, SKOS.note, r.req(rec, "text"))
            kg.derived(target, self._source(rec), *r.line_range(rec))
            post = r.opt(rec, "post", dict)
            if post:
                self._post(kg, pref, post, rec, target)

    def known_section(self, kg: KG, rec: Record, key: str, reader: Reader | None = None) -> URIRef:
        iri = kg.sections.get((self.scheme_key, key))
        if iri is None:
            raise (reader or self.r).fail(rec, f"section {key!r} is not a key of scheme {self.scheme_key} "
                                          f"({self.path.name})")
        return iri

    def _source(self, cell: Record) -> str:
        source = cell.get("file") or cell.get("source") or self.source
        if not source:
            raise self.r.fail(cell, "no local copy for these lines: add 'source' to the file or the cell")
        return source

    def _post(self, kg: KG, pref: URIRef, post: Record, rec: Record, section: URIRef) -> None:
        """A post the policy creates (the CDO), with the role that holds it as printed."""
        r = self.r
        text = r.req(rec, "text")
        for field in ("name", "held_by"):
            if r.req(post, field) not in text:
                raise r.fail(post, f"{field} {post[field]!r} is not printed in the governance text")
        iri = kg.pref_iri(f"post/{r.req(post, 'key')}")
        kg.add(iri, RDF.type, ORG.Post)
        kg.label(iri, post["name"], r.opt(post, "name_en"))
        kg.add(iri, ORG.postIn, pref)
        kg.ja(iri, FDX.heldByRole, post["held_by"])
        kg.add(iri, DCTERMS.relation, section)
        kg.derived(iri, self._source(rec), *r.line_range(rec))

    def _section(self, kg: KG, rec: Record, scheme: URIRef, keys: set[str]) -> None:
        r = self.r
        key = r.req(rec, "key")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]*", key):
            raise r.fail(rec, f"section key {key!r} must be ASCII letters, digits, '.' and '-' (it is part of IRIs)")
        iri = self.section_iri(kg, key)
        kg.sections[(self.scheme_key, key)] = iri
        name = r.req(rec, "name", dict)
        text = r.req(name, "text")
        notation = r.opt(rec, "notation")
        kg.typed(iri, FDX.PolicySection)
        kg.label(iri, f"{notation}　{text}" if notation else text)
        kg.add(iri, SKOS.prefLabel, Literal(text, lang="ja"))
        kg.add(iri, SKOS.inScheme, scheme)
        kg.derived(iri, self._source(name), *r.line_range(name))
        if notation:
            kg.add(iri, SKOS.notation, Literal(notation))
        parent = r.opt(rec, "parent")
        if parent:
            if parent not in keys:
                raise r.fail(rec, f"parent {parent!r} is not the key of any section")
            kg.add(iri, SKOS.broader, self.section_iri(kg, parent))
            kg.add(self.section_iri(kg, parent), SKOS.narrower, iri)
            kg.add(iri, FDX.underSection, self.section_iri(kg, parent))
        else:
            kg.add(iri, SKOS.topConceptOf, scheme)
            kg.add(scheme, SKOS.hasTopConcept, iri)
        for field, prop in (("description", DCTERMS.description), ("new_value", FDX.newValue)):
            cell = r.opt(rec, field, dict)
            if cell:
                kg.ja(iri, prop, r.req(cell, "text"))
                kg.derived(iri, self._source(cell), *r.line_range(cell))
        code = r.opt(rec, "notation_from", dict)
        if code and not notation:
            # The overview prints no code for this bullet; the minutes name one.
            kg.add(iri, SKOS.notation, Literal(normalise_notation(r.req(code, "text"))))
            ex = kg.excerpt(r.req(code, "file"), *r.line_range(code))
            kg.add(iri, FDX.evidenceRef, ex)
            kg.ja(iri, FDX.evidence, f"番号は概要に印刷されておらず、会議の結果概要の「{code['text']}」による")
        kg.notes(iri, r.opt(rec, "flags", list))

    def _roadmap(self, kg: KG, rec: Record) -> None:
        r = self.r
        key = r.req(rec, "key")
        rm = self.roadmap_iri(kg, key)
        kg.typed(rm, FDX.Roadmap)
        title = r.req(rec, "title", dict)
        chapter = self.known_section(kg, rec, r.req(rec, "section"))
        chapter_label = str(kg.graph.value(chapter, SKOS.notation) or key)
        kg.label(rm, f"{chapter_label} {r.req(title, 'text')}", f"Roadmap of chapter {key}")
        kg.add(rm, FDX.roadmapOf, chapter)
        kg.add(rm, DCTERMS.isPartOf, self.document(kg))
        kg.derived(rm, self._source(rec), *r.line_range(rec))
        years = r.req(rec, "years", list)
        if len(years) != 2 or not all(isinstance(y, int) for y in years) or years[0] > years[1]:
            raise r.fail(rec, f"years must be [first, last] fiscal years as Gregorian numbers, got {years!r}")
        first, last = years
        kg.add(rm, FDX.firstFiscalYear, kg.fiscal_year(int(first)))
        kg.add(rm, FDX.lastFiscalYear, kg.fiscal_year(int(last)))
        note = r.opt(rec, "note", dict)
        if note:
            kg.ja(rm, SKOS.note, r.req(note, "text"))
        kg.notes(rm, r.opt(rec, "flags", list))
        for row in r.req(rec, "rows", list):
            self._row(kg, key, rm, chapter, row)
        for entry in r.opt(rec, "placed", list, []):
            row_key = r.req(entry, "row")
            phase = r.req(entry, "phase", dict)
            ev = r.opt(entry, "evidence", dict)
            self.add_entry(kg, key, row_key, int(r.req(entry, "fy", int)), r.req(phase, "text"),
                           (self._source(phase), *r.line_range(phase)),
                           (r.req(ev, "file"), *r.line_range(ev)) if ev else None,
                           ev and f"年度と行は出典の表からは読み取れず、会議の発言「{ev['text']}」による",
                           r.opt(entry, "flags", list), where=entry)
        for n, cell in enumerate(r.opt(rec, "unplaced", list, []), start=1):
            u = kg.pref_iri(f"policy/{self.scheme_key}/roadmap-{key}/unplaced-{n}")
            kg.typed(u, FDX.UnplacedRoadmapText)
            text = r.req(cell, "text")
            kg.label(u, text)
            kg.ja(u, FDX.phase, text)
            kg.add(u, FDX.inRoadmap, rm)
            kg.derived(u, self._source(cell), *r.line_range(cell))
            if cell.get("row"):
                kg.add(u, FDX.forSection, self._row_section(cell, key, cell["row"]))
                kg.ja(u, FDX.evidence, "行は内容から推定（年度は読み取れない）")
            kg.notes(u, r.opt(cell, "flags", list) or ["抽出テキストからは行・年度を特定できない"])

    def _row(self, kg: KG, key: str, rm: URIRef, chapter: URIRef, row: Record) -> None:
        """A roadmap row is the policy section it names; rows matching no bullet get their own."""
        r = self.r
        row_key = r.req(row, "key")
        name = r.req(row, "name", dict)
        if row.get("section"):
            sec = self.known_section(kg, row, row["section"])
            if (sec, SKOS.prefLabel, Literal(name["text"], lang="ja")) not in kg.graph:
                kg.add(sec, SKOS.altLabel, Literal(name["text"], lang="ja"))
        else:
            sec = self.section_iri(kg, f"{key}.roadmap-{row_key}")
            kg.typed(sec, FDX.PolicySection)
            kg.label(sec, name["text"])
            kg.add(sec, SKOS.prefLabel, Literal(name["text"], lang="ja"))
            kg.add(sec, SKOS.inScheme, self.scheme_iri(kg))
            kg.add(sec, SKOS.broader, chapter)
            kg.add(sec, FDX.underSection, chapter)
            kg.ja(sec, FDX.curationNote, "ロードマップの取組事項。概要本文に同名の項目がないため独立の項目とした")
        kg.add(sec, FDX.inRoadmap, rm)
        kg.derived(sec, self._source(name), *r.line_range(name))
        nv = r.opt(row, "new_value", dict)
        if nv:
            kg.ja(sec, FDX.newValue, r.req(nv, "text"))
            kg.derived(sec, self._source(nv), *r.line_range(nv))
        kg.notes(sec, r.opt(row, "flags", list))
        self.rows[(key, row_key)] = sec

    def _row_section(self, rec: Record, roadmap: str, row: str, reader: Reader | None = None) -> URIRef:
        """The section of a roadmap row; `reader` locates the error in the file that names the row."""
        if (roadmap, row) not in self.rows:
            raise (reader or self.r).fail(rec, f"roadmap {roadmap} has no row {row!r} (rows are in {self.path.name})")
        return self.rows[(roadmap, row)]

    def add_entry(self, kg: KG, roadmap: str, row: str, fy: int, phase: str, printed_at: tuple,
                  evidence_at: tuple | None, evidence: str | None, flags, where: Record,
                  reader: Reader | None = None) -> URIRef:
        """A RoadmapEntry (row × year); the same cell stated twice merges into one resource."""
        section = self._row_section(where, roadmap, row, reader)
        iri = kg.pref_iri(f"policy/{self.scheme_key}/roadmap-{roadmap}/{row}/{fy}")
        kg.typed(iri, FDX.RoadmapEntry)
        kg.label(iri, f"{kg.graph.value(section, SKOS.prefLabel)} {phase}（{fy}年度）")
        kg.add(iri, FDX.forSection, section)
        kg.add(iri, FDX.fiscalYear, kg.fiscal_year(fy))
        kg.add(iri, FDX.inRoadmap, self.roadmap_iri(kg, roadmap))
        kg.ja(iri, FDX.phase, phase)
        kg.derived(iri, *printed_at)
        if evidence_at:
            kg.add(iri, FDX.evidenceRef, kg.excerpt(*evidence_at))
            kg.derived(iri, *evidence_at)
        if evidence and (iri, FDX.evidence, None) not in kg.graph:
            # the same cell stated in the overview and in the minutes keeps the first explanation
            kg.ja(iri, FDX.evidence, evidence)
        kg.notes(iri, flags)
        return iri

