"""Shared building blocks: typed resources, labels, fiscal years and line-level provenance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from fukudx_kg.build.iris import DCTERMS, FDX, ORG, PROV, RDF, RDFS, SCHEMA, SKOS, TIME, XSD, Iris
from fukudx_kg.build.numbers import decimal_lexical
from fukudx_kg.build.seedtext import lines_of
from fukudx_kg.build.sources import Reader

# The standard superclass every fdx: class is materialised with (vocabulary contract).
STANDARD_SUPERCLASS = {
    FDX.Prefecture: ORG.FormalOrganization,
    FDX.Municipality: ORG.FormalOrganization,
    FDX.MunicipalityGroup: SKOS.Collection,
    FDX.Region: SKOS.Concept,
    FDX.Department: ORG.OrganizationalUnit,
    FDX.PolicyDocument: PROV.Entity,
    FDX.PolicySection: SKOS.Concept,
    FDX.Program: PROV.Entity,
    FDX.Initiative: PROV.Entity,
    FDX.KPI: PROV.Entity,
    FDX.FiscalYear: TIME.ProperInterval,
    FDX.RoadmapEntry: PROV.Entity,
    FDX.Meeting: PROV.Activity,
    FDX.DigitalService: SCHEMA.Service,
    FDX.Theme: SKOS.Concept,
    FDX.SourceExcerpt: PROV.Entity,
    FDX.Roadmap: PROV.Entity,
    FDX.UnplacedRoadmapText: PROV.Entity,
    FDX.Statement: PROV.Entity,
    FDX.AgendaItem: PROV.Entity,
    FDX.District: SKOS.Concept,
    FDX.KPIValue: PROV.Entity,
    FDX.ThemeLink: PROV.Entity,
}

# Japanese eras: (first fiscal year named in it, the calendar year that is its 元年, name). FY2019
# (April 2019 – March 2020) is 令和元年度 as the government names it after May 2019; FY2018 is 平成30年度;
# FY1926 began in 大正 and is left in Western years rather than guessed.
ERAS = ((2019, 2019, "令和"), (1989, 1989, "平成"), (1927, 1926, "昭和"))


def typed(g: Graph, s: URIRef, cls: URIRef) -> URIRef:
    """s a cls, and the standard superclass the contract materialises."""
    g.add((s, RDF.type, cls))
    superclass = STANDARD_SUPERCLASS.get(cls)
    if superclass is not None:
        g.add((s, RDF.type, superclass))
    return s


def ja_en(g: Graph, s: URIRef, p: URIRef, ja: str, en: str | None = None) -> None:
    g.add((s, p, Literal(ja, lang="ja")))
    if en:
        g.add((s, p, Literal(en, lang="en")))


def fiscal_year_label(year: int) -> str:
    """`令和4年度` for 2022, `平成30年度` for 2018; a year before 昭和 keeps its Western number."""
    for first, gannen, era in ERAS:
        if year >= first:
            n = year - gannen + 1
            return f"{era}{'元' if n == 1 else n}年度"
    return f"{year}年度"


@dataclass
class DocumentRef:
    key: str
    iri: URIRef
    source_file: str | None
    first: int
    last: int


@dataclass
class KG:
    """One prefecture's graph under construction, with the helpers every part needs.

    Fiscal years, days and themes go to `shared`, one graph for every prefecture, so a query over
    the union of graphs sees each of them once. `origins` remembers the curated file:line that
    minted each resource, so validation findings point at what to fix.
    """

    iris: Iris
    pref_code: str
    sources_dir: Path
    shared: Graph = field(default_factory=Graph)
    graph: Graph = field(default_factory=Graph)
    documents: list[DocumentRef] = field(default_factory=list)
    origins: dict[URIRef, str] = field(default_factory=dict)
    cursor: str | None = None
    sections: dict[tuple[str, str], URIRef] = field(default_factory=dict)

    def reader(self, path: Path) -> Reader:
        return Reader(path, on_read=self._read_at)

    def _read_at(self, path: Path, line: int) -> None:
        self.cursor = f"{path}:{line}"

    # -- generic -----------------------------------------------------------
    def add(self, s, p, o) -> None:
        self.graph.add((s, p, o))

    def pref_iri(self, path: str) -> URIRef:
        return self.iris(f"pref/{self.pref_code}/{path}")

    def typed(self, s: URIRef, cls: URIRef) -> URIRef:
        if self.cursor is not None:
            self.origins.setdefault(s, self.cursor)
        return typed(self.graph, s, cls)

    def label(self, s: URIRef, ja: str, en: str | None = None) -> None:
        ja_en(self.graph, s, RDFS.label, ja, en)

    def ja_label(self, s: URIRef) -> str | None:
        for label in self.graph.objects(s, RDFS.label):
            if label.language == "ja":
                return str(label)
        return None

    def ja(self, s: URIRef, p: URIRef, text: str | None) -> None:
        if text:
            self.add(s, p, Literal(text, lang="ja"))

    def date(self, s: URIRef, p: URIRef, iso: str) -> None:
        self.add(s, p, Literal(dt.date.fromisoformat(iso)))

    def decimal(self, s: URIRef, p: URIRef, value: Decimal) -> None:
        self.add(s, p, Literal(decimal_lexical(value), datatype=XSD.decimal))

    def integer(self, s: URIRef, p: URIRef, value: int) -> None:
        self.add(s, p, Literal(value, datatype=XSD.integer))

    def notes(self, s: URIRef, flags: list[str] | None) -> None:
        for flag in flags or []:
            self.ja(s, FDX.curationNote, flag)

    # -- time --------------------------------------------------------------
    def fiscal_year(self, year: int) -> URIRef:
        """A fiscal year in the shared graph, with dates, OWL-Time instants and ja/en labels."""
        return shared_fiscal_year(self.shared, self.iris, year)

    # -- provenance --------------------------------------------------------
    def register_document(self, key: str, iri: URIRef, source_file: str | None, first: int, last: int) -> None:
        self.documents.append(DocumentRef(key, iri, source_file, first, last))

    def document(self, key: str) -> URIRef:
        for doc in self.documents:
            if doc.key == key:
                return doc.iri
        raise KeyError(key)

    def excerpt(self, source_file: str, first: int, last: int) -> URIRef:
        """The SourceExcerpt for lines first..last of a file, shared by every fact printed there."""
        stem = source_file.rsplit(".", 1)[0]
        ex = self.pref_iri(f"source/{stem}/L{first}-{last}")
        if (ex, RDF.type, FDX.SourceExcerpt) in self.graph:
            return ex
        lines = lines_of(source_file, self.sources_dir)
        if not (1 <= first <= last <= len(lines)):
            raise ValueError(f"{source_file}: lines {first}-{last} outside 1-{len(lines)}")
        self.typed(ex, FDX.SourceExcerpt)
        self.label(ex, f"{source_file} {first}–{last}行", f"{source_file} lines {first}–{last}")
        self.add(ex, FDX.sourceFile, Literal(source_file))
        self.integer(ex, FDX.lineStart, first)
        self.integer(ex, FDX.lineEnd, last)
        self.add(ex, FDX.sourceText, Literal("\n".join(lines[first - 1:last])))
        doc = self._document_for(source_file, first, last)
        if doc is not None:
            self.add(ex, DCTERMS.source, doc)
        return ex

    def web_excerpt(self, key: str, doc: URIRef, url: str) -> URIRef:
        """The excerpt of a page we cite by its address only (no local copy to quote lines from)."""
        ex = self.pref_iri(f"source/{key}")
        self.typed(ex, FDX.SourceExcerpt)
        self.label(ex, url)
        self.add(ex, DCTERMS.source, doc)
        self.add(ex, SCHEMA.url, URIRef(url))
        return ex

    def derived(self, s: URIRef, source_file: str, first: int, last: int) -> URIRef:
        ex = self.excerpt(source_file, first, last)
        self.add(s, PROV.wasDerivedFrom, ex)
        return ex

    def _document_for(self, source_file: str, first: int, last: int) -> URIRef | None:
        candidates = [d for d in self.documents
                      if d.source_file == source_file and d.first <= first and last <= d.last]
        if not candidates:
            return None
        return min(candidates, key=lambda d: (d.last - d.first, d.key)).iri


def shared_fiscal_year(g: Graph, iris: Iris, year: int) -> URIRef:
    fy = iris.fiscal_year(year)
    if (fy, RDF.type, FDX.FiscalYear) in g:
        return fy
    typed(g, fy, FDX.FiscalYear)
    ja_en(g, fy, RDFS.label, fiscal_year_label(year), f"FY{year}")
    g.add((fy, SKOS.notation, Literal(str(year))))
    g.add((fy, FDX.fiscalYearNumber, Literal(year, datatype=XSD.integer)))
    start, end = f"{year}-04-01", f"{year + 1}-03-31"
    g.add((fy, FDX.startDate, Literal(dt.date.fromisoformat(start))))
    g.add((fy, FDX.endDate, Literal(dt.date.fromisoformat(end))))
    g.add((fy, TIME.hasBeginning, _instant(g, iris, start)))
    g.add((fy, TIME.hasEnd, _instant(g, iris, end)))
    return fy


def _instant(g: Graph, iris: Iris, iso: str) -> URIRef:
    day = iris.day(iso)
    d = dt.date.fromisoformat(iso)
    g.add((day, RDF.type, TIME.Instant))
    ja_en(g, day, RDFS.label, f"{d.year}年{d.month}月{d.day}日", iso)
    g.add((day, TIME.inXSDDate, Literal(d)))
    return day
