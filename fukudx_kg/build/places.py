"""The prefecture, its regions, districts, municipalities and named municipality groups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rdflib import Literal, URIRef

from fukudx_kg.build.codes import valid_lg_code
from fukudx_kg.build.graph import KG, ja_en
from fukudx_kg.build.iris import DCTERMS, FDX, PROV, RDF, RDFS, SCHEMA, SKOS, XSD
from fukudx_kg.build.national import NationalPrefecture, add_completeness, add_identity
from fukudx_kg.build.schema import CSV_COLUMNS
from fukudx_kg.build.seedtext import lines_of
from fukudx_kg.build.sources import SourceError, load_checked, page_address, read_csv

KINDS = {"city": FDX.City, "town": FDX.Town, "village": FDX.Village}


def _csv(folder: Path, name: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of an optional CSV of the folder ([] when absent), columns as FORMAT.md lists them."""
    path = folder / name
    if not path.exists():
        return []
    required, optional = CSV_COLUMNS[name]
    return read_csv(path, required, optional)


def build_prefecture(kg: KG, folder: Path, national: dict[str, NationalPrefecture]) -> URIRef:
    """The prefecture from the national list, checked against prefecture.yaml, with its English
    name and how complete the folder is."""
    path = folder / "prefecture.yaml"
    data = load_checked(path, "prefecture", kg.sources_dir)
    r = kg.reader(path)
    code = r.req(data, "code")
    if code not in national:
        raise r.fail(data, f"code {code!r} must be the two-digit JIS X 0401 prefecture code, quoted (\"07\")")
    kg.pref_code = code
    row = national[code]
    for key in ("local_government_code", "standard_area_code", "name_ja", "name_kana"):
        if data.get(key) is not None and data[key] != getattr(row, key):
            raise r.fail(data, f"{key} {data[key]!r} differs from {getattr(row, key)!r} in "
                         f"data/national/prefectures.csv line {row.line}: correct it or leave it out")
    pref = kg.typed(kg.iris(f"pref/{code}"), FDX.Prefecture)
    add_identity(kg.graph, pref, row)
    if data.get("name_en"):
        kg.add(pref, RDFS.label, Literal(r.req(data, "name_en"), lang="en"))
    add_completeness(kg.graph, r, pref, r.req(data, "completeness", dict))
    years = r.opt(data, "fiscal_years", list)
    if years is not None:
        if len(years) != 2 or not all(isinstance(y, int) for y in years) or years[0] > years[1]:
            raise r.fail(data, f"fiscal_years must be [first, last] Gregorian years, got {years!r}")
        for year in range(years[0], years[1] + 1):
            kg.fiscal_year(year)
    return pref


def build_places(kg: KG, folder: Path, pref: URIRef) -> dict[str, URIRef]:
    """Municipalities by code6, with region, district, kind and e-Stat links; then the groups."""
    regions = {}
    region_scheme = kg.pref_iri("regions")
    region_rows = _csv(folder, "regions.csv")
    if region_rows:
        kg.add(region_scheme, RDF.type, SKOS.ConceptScheme)
        kg.label(region_scheme, f"{kg.ja_label(pref) or ''}の地域", "Regions")
    for _, row in region_rows:
        region = kg.typed(kg.pref_iri(f"region/{row['slug']}"), FDX.Region)
        kg.label(region, row["name_ja"], row["name_en"])
        kg.add(region, SKOS.inScheme, region_scheme)
        kg.add(region, SKOS.topConceptOf, region_scheme)
        regions[row["name_ja"]] = region

    sac = {row["code5"]: row for _, row in _csv(folder, "sac-iris.csv")}
    district_scheme = kg.pref_iri("districts")
    municipalities: dict[str, URIRef] = {}
    path = folder / "municipalities.csv"
    rows = _csv(folder, "municipalities.csv")
    if any(row.get("district") for _, row in rows):
        kg.add(district_scheme, RDF.type, SKOS.ConceptScheme)
        kg.label(district_scheme, f"{kg.ja_label(pref) or ''}の郡", "Districts")
    for line, row in rows:
        code6 = row["code6"]
        if not valid_lg_code(code6) or code6[:5] != row["code5"]:
            raise SourceError(path, line, f"code {code6} fails the check digit or disagrees with code5")
        if row["kind"] not in KINDS:
            raise SourceError(path, line, f"kind must be one of {sorted(KINDS)}, got {row['kind']!r}")
        if row["region"] not in regions:
            raise SourceError(path, line, f"region {row['region']!r} is not in regions.csv (add it there)")
        m = kg.typed(kg.iris.municipality(code6), FDX.Municipality)
        kg.label(m, row["name_ja"], row["name_en"])
        kg.add(m, RDFS.label, Literal(row["name_kana"], lang="ja-Hira"))
        kg.add(m, FDX.localGovernmentCode, Literal(code6))
        kg.add(m, FDX.standardAreaCode, Literal(row["code5"]))
        kg.add(m, FDX.inPrefecture, pref)
        kg.add(m, FDX.region, regions[row["region"]])
        kg.add(m, FDX.municipalityKind, KINDS[row["kind"]])
        if row["code5"] in sac:
            kg.add(m, FDX.standardArea, URIRef(sac[row["code5"]]["sac_iri"]))
        if row.get("district"):
            sac_iri = sac.get(row["code5"], {}).get("district_sac_iri")
            if not sac_iri:
                raise SourceError(path, line, f"district {row['district']} has no district_sac_iri in sac-iris.csv "
                                  f"for {row['code5']}: add it, or leave the district column empty")
            kg.add(m, FDX.district, _district(kg, row["district"], district_scheme, sac_iri))
        municipalities[code6] = m

    _groups(kg, folder, municipalities)
    return municipalities


def _district(kg: KG, name: str, scheme: URIRef, sac_iri: str) -> URIRef:
    code = sac_iri.rsplit("C", 1)[-1]
    district = kg.pref_iri(f"district/{code}")
    if (district, RDF.type, FDX.District) not in kg.graph:
        kg.typed(district, FDX.District)
        kg.label(district, name)
        kg.add(district, SKOS.inScheme, scheme)
        kg.add(district, FDX.standardAreaCode, Literal(code))
        kg.add(district, FDX.standardArea, URIRef(sac_iri))
    return district


def _groups(kg: KG, folder: Path, municipalities: dict[str, URIRef]) -> None:
    groups = {}
    for line, row in _csv(folder, "groups.csv"):
        group = kg.typed(kg.pref_iri(f"group/{row['group_id']}"), FDX.MunicipalityGroup)
        kg.label(group, row["name_ja"], row["name_en"])
        for ref in (row.get("mentioned_in") or "").split():
            try:
                source_file, span = ref.split(":")
                first, last = (int(x) for x in span.split("-"))
                kg.derived(group, source_file, first, last)
            except (ValueError, OSError) as exc:
                raise SourceError(folder / "groups.csv", line,
                                  f"mentioned_in {ref!r}: need <file in data/sources>:<first>-<last> ({exc})") from exc
        groups[row["group_id"]] = group
    path = folder / "municipality-groups.csv"
    for line, row in _csv(folder, "municipality-groups.csv"):
        if row["group_id"] not in groups:
            raise SourceError(path, line, f"group {row['group_id']!r} is not in groups.csv")
        if row["code6"] not in municipalities:
            raise SourceError(path, line, f"municipality {row['code6']} is not in municipalities.csv")
        kg.add(groups[row["group_id"]], FDX.hasMember, municipalities[row["code6"]])
        kg.add(groups[row["group_id"]], SKOS.member, municipalities[row["code6"]])


def build_documents(kg: KG, folder: Path, pref: URIRef) -> list:
    """PolicyDocuments; registered first so every excerpt can point at its document. Returns the
    records naming an `owner`, with their reader, for `link_document_owners` once departments exist."""
    path = folder / "documents.yaml"
    if not path.exists():
        return []
    data = load_checked(path, "documents_file", kg.sources_dir)
    r = kg.reader(path)
    entries = r.req(data, "documents", list)
    for d in entries:
        key = r.req(d, "key")
        source = r.opt(d, "source")
        if not source and not r.opt(d, "url"):
            raise r.fail(d, f"document {key} has no provenance: give its 'url' (a published page) or its "
                         "local copy ('source' and 'lines')")
        first, last = r.line_range(d) if d.get("lines") else (1, 1)
        if source and not d.get("lines"):
            first, last = 1, len(lines_of(source, kg.sources_dir))
        if any(doc.key == key for doc in kg.documents):
            raise r.fail(d, f"document key {key!r} is used twice")
        kg.register_document(key, kg.pref_iri(f"doc/{key}"), source, first, last)
    for d in entries:
        _document(kg, r, d, pref)
    return [(r, d) for d in entries if d.get("owner") is not None]


def _document(kg: KG, r, d, pref: URIRef) -> None:
    iri = kg.document(r.req(d, "key"))
    kg.typed(iri, FDX.PolicyDocument)
    title = r.req(d, "title", dict)
    kg.label(iri, r.req(title, "text"), r.opt(d, "title_en"))
    kg.ja(iri, DCTERMS.title, title["text"])
    short = r.opt(d, "short_title", dict)
    if short:
        kg.add(iri, SKOS.altLabel, Literal(r.req(short, "text"), lang="ja"))
    kg.add(iri, FDX.inPrefecture, pref)
    kg.add(iri, DCTERMS.publisher, pref)
    source = r.opt(d, "source")
    url = r.opt(d, "url")
    if url:
        kg.add(iri, SCHEMA.url, page_address(r, d, url))
    if source:
        kg.add(iri, FDX.sourceFile, Literal(source))
        excerpt = kg.derived(iri, title.get("file") or source, *r.line_range(title))
        if url and not title.get("file"):  # the local copy was read from this page: the excerpt says so
            kg.add(excerpt, SCHEMA.url, page_address(r, d, url))
    elif url:
        kg.add(iri, PROV.wasDerivedFrom, kg.web_excerpt(r.req(d, "key"), iri, url))
    for also in r.opt(d, "see_also", list, []):
        kg.add(iri, RDFS.seeAlso, page_address(r, d, also))
    if d.get("completeness"):
        if d.get("coverage"):
            raise r.fail(d, "give the coverage note once: in 'completeness' (a plan) or 'coverage', not both")
        add_completeness(kg.graph, r, iri, r.req(d, "completeness", dict))
    seen = r.opt(d, "seen")
    if seen:
        kg.date(iri, FDX.dateSeen, _iso_date(r, d, "seen", seen))
    issued = r.opt(d, "issued")
    if issued:
        kg.add(iri, DCTERMS.issued, _date_or_month(issued))
    period = r.opt(d, "period", dict)
    if period:
        for field, prop in (("start", FDX.startDate), ("end", FDX.endDate)):
            if period.get(field):
                kg.date(iri, prop, _iso_date(r, period, field, period[field]))
        for field, prop in (("first_fy", FDX.firstFiscalYear), ("last_fy", FDX.lastFiscalYear)):
            if period.get(field):
                kg.add(iri, prop, kg.fiscal_year(r.req(period, field, int)))
        kg.notes(iri, r.opt(period, "flags", list))
    for field, prop in (("revision_of", PROV.wasRevisionOf), ("part_of", DCTERMS.isPartOf)):
        if d.get(field):
            try:
                kg.add(iri, prop, kg.document(d[field]))
            except KeyError:
                raise r.fail(d, f"{field} {d[field]!r} is not the key of a document in this folder") from None
    if d.get("fiscal_year"):
        kg.add(iri, DCTERMS.temporal, kg.fiscal_year(r.req(d, "fiscal_year", int)))
    coverage = r.opt(d, "coverage", dict)
    if coverage:
        ja_en(kg.graph, iri, FDX.coverageNote, r.req(coverage, "ja"), r.opt(coverage, "en"))
    kg.notes(iri, [d["note"]] if d.get("note") else None)
    kg.notes(iri, r.opt(d, "flags", list))


def _iso_date(r, rec, field: str, value) -> str:
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise r.fail(rec, f"{field} {value!r} is not a date like 2024-03-31") from None


def _date_or_month(value: str) -> Literal:
    """`2021-09` (as printed: 令和３年９月) stays a month, `2022` a year; a full date becomes xsd:date."""
    if len(value) == 4:
        return Literal(value, datatype=XSD.gYear)
    if len(value) == 7:
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(dt.date.fromisoformat(value))


def link_document_owners(kg: KG, owned: list, departments) -> None:
    """`owner:` (a department's printed hierarchy, outermost first) → fdx:responsibleUnit of the plan,
    for the records `build_documents` returned, once the departments exist."""
    for r, d in owned:
        owner = r.opt(d, "owner", list)
        if not owner or not all(isinstance(n, str) for n in owner):
            raise r.fail(d, f"owner must be a department's names, outermost first, e.g. [企画部, 情報政策課]; "
                         f"got {owner!r}")
        try:
            kg.add(kg.document(d["key"]), FDX.responsibleUnit, departments.unit(owner))
        except ValueError as exc:
            raise r.fail(d, str(exc)) from exc
