"""The prefecture, its regions, districts, municipalities and named municipality groups."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from rdflib import Literal, URIRef

from fukudx_kg.build.codes import valid_lg_code
from fukudx_kg.build.graph import KG
from fukudx_kg.build.iris import DCTERMS, FDX, PROV, RDF, RDFS, SKOS, XSD
from fukudx_kg.build.sources import Reader, SourceError, load_yaml

E_STAT_SAC = "http://data.e-stat.go.jp/lod/sac/C"
KINDS = {"city": FDX.City, "town": FDX.Town, "village": FDX.Village}


def read_csv(path: Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows with their 1-based file line; a missing column or empty cell stops with file:line."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(path, 1, f"missing column(s) {', '.join(missing)}")
        rows = []
        for row in reader:
            line = reader.line_num
            for col in required:
                if not (row.get(col) or "").strip():
                    raise SourceError(path, line, f"empty '{col}'")
            rows.append((line, {k: (v or "").strip() for k, v in row.items() if k}))
        return rows


def build_prefecture(kg: KG, folder: Path) -> URIRef:
    path = folder / "prefecture.yaml"
    data = load_yaml(path)
    r = Reader(path)
    code = r.req(data, "code")
    lg = r.req(data, "local_government_code")
    if not valid_lg_code(lg):
        raise r.fail(data, f"local_government_code {lg} fails the check digit")
    pref = kg.typed(kg.iris(f"pref/{code}"), FDX.Prefecture)
    kg.label(pref, r.req(data, "name_ja"), r.req(data, "name_en"))
    kg.add(pref, RDFS.label, Literal(r.req(data, "name_kana"), lang="ja-Hira"))
    kg.add(pref, FDX.prefectureCode, Literal(code))
    kg.add(pref, FDX.localGovernmentCode, Literal(lg))
    sac = r.req(data, "standard_area_code")
    kg.add(pref, FDX.standardAreaCode, Literal(sac))
    kg.add(pref, FDX.standardArea, URIRef(E_STAT_SAC + sac))
    return pref


def build_places(kg: KG, folder: Path, pref: URIRef) -> dict[str, URIRef]:
    """Municipalities by code6, with region, district, kind and e-Stat links; then the groups."""
    regions = {}
    region_scheme = kg.pref_iri("regions")
    kg.add(region_scheme, RDF.type, SKOS.ConceptScheme)
    kg.label(region_scheme, f"{kg.ja_label(pref) or ''}の地域", "Regions")
    for _, row in read_csv(folder / "regions.csv", ["slug", "name_ja", "name_en"]):
        region = kg.typed(kg.pref_iri(f"region/{row['slug']}"), FDX.Region)
        kg.label(region, row["name_ja"], row["name_en"])
        kg.add(region, SKOS.inScheme, region_scheme)
        kg.add(region, SKOS.topConceptOf, region_scheme)
        regions[row["name_ja"]] = region

    sac = {row["code5"]: row for _, row in read_csv(folder / "sac-iris.csv", ["code5", "sac_iri"])}
    district_scheme = kg.pref_iri("districts")
    kg.add(district_scheme, RDF.type, SKOS.ConceptScheme)
    kg.label(district_scheme, f"{kg.ja_label(pref) or ''}の郡", "Districts")

    municipalities: dict[str, URIRef] = {}
    path = folder / "municipalities.csv"
    cols = ["code6", "code5", "name_ja", "name_kana", "name_en", "kind", "region"]
    for line, row in read_csv(path, cols):
        code6 = row["code6"]
        if not valid_lg_code(code6) or code6[:5] != row["code5"]:
            raise SourceError(path, line, f"code {code6} fails the check digit or disagrees with code5")
        if row["kind"] not in KINDS:
            raise SourceError(path, line, f"kind must be one of {sorted(KINDS)}, got {row['kind']!r}")
        if row["region"] not in regions:
            raise SourceError(path, line, f"region {row['region']!r} is not in regions.csv")
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
            district = _district(kg, row["district"], district_scheme,
                                 sac.get(row["code5"], {}).get("district_sac_iri"))
            kg.add(m, FDX.district, district)
        municipalities[code6] = m

    _groups(kg, folder, municipalities)
    return municipalities


def _district(kg: KG, name: str, scheme: URIRef, sac_iri: str | None) -> URIRef:
    code = sac_iri.rsplit("C", 1)[-1] if sac_iri else None
    district = kg.pref_iri(f"district/{code}") if code else None
    if district is None:
        raise ValueError(f"district {name} has no standard area code in sac-iris.csv")
    if (district, RDF.type, FDX.District) not in kg.graph:
        kg.typed(district, FDX.District)
        kg.label(district, name)
        kg.add(district, SKOS.inScheme, scheme)
        kg.add(district, FDX.standardAreaCode, Literal(code))
        kg.add(district, FDX.standardArea, URIRef(sac_iri))
    return district


def _groups(kg: KG, folder: Path, municipalities: dict[str, URIRef]) -> None:
    groups = {}
    for _, row in read_csv(folder / "groups.csv", ["group_id", "name_ja", "name_en"]):
        group = kg.typed(kg.pref_iri(f"group/{row['group_id']}"), FDX.MunicipalityGroup)
        kg.label(group, row["name_ja"], row["name_en"])
        for ref in (row.get("mentioned_in") or "").split():
            source_file, span = ref.split(":")
            first, last = (int(x) for x in span.split("-"))
            kg.derived(group, source_file, first, last)
        groups[row["group_id"]] = group
    path = folder / "municipality-groups.csv"
    for line, row in read_csv(path, ["group_id", "code6"]):
        if row["group_id"] not in groups:
            raise SourceError(path, line, f"group {row['group_id']!r} is not in groups.csv")
        if row["code6"] not in municipalities:
            raise SourceError(path, line, f"municipality {row['code6']} is not in municipalities.csv")
        kg.add(groups[row["group_id"]], FDX.hasMember, municipalities[row["code6"]])
        kg.add(groups[row["group_id"]], SKOS.member, municipalities[row["code6"]])


def build_documents(kg: KG, folder: Path, pref: URIRef, docs_yaml: Path) -> None:
    """PolicyDocuments; registered first so every excerpt can point at its document."""
    data = load_yaml(docs_yaml)
    r = Reader(docs_yaml)
    entries = r.req(data, "documents", list)
    for d in entries:
        key = r.req(d, "key")
        source = r.opt(d, "source")
        first, last = r.line_range(d) if d.get("lines") else (1, 1)
        iri = kg.pref_iri(f"doc/{key}")
        kg.register_document(key, iri, source, first, last)
    for d in entries:
        _document(kg, r, d, pref)


def _document(kg: KG, r: Reader, d, pref: URIRef) -> None:
    iri = kg.document(r.req(d, "key"))
    kg.typed(iri, FDX.PolicyDocument)
    title = r.req(d, "title", dict)
    kg.label(iri, r.req(title, "text"), r.opt(d, "title_en"))
    kg.ja(iri, DCTERMS.title, title["text"])
    kg.add(iri, FDX.inPrefecture, pref)
    kg.add(iri, DCTERMS.publisher, pref)
    source = r.opt(d, "source")
    if source:
        kg.add(iri, FDX.sourceFile, Literal(source))
        kg.derived(iri, source, *r.line_range(title))
    issued = r.opt(d, "issued")
    if issued:
        kg.add(iri, DCTERMS.issued, _date_or_month(issued))
    period = r.opt(d, "period", dict)
    if period:
        kg.date(iri, FDX.startDate, r.req(period, "start"))
        kg.date(iri, FDX.endDate, r.req(period, "end"))
    if d.get("revision_of"):
        kg.add(iri, PROV.wasRevisionOf, kg.document(d["revision_of"]))
    if d.get("part_of"):
        kg.add(iri, DCTERMS.isPartOf, kg.document(d["part_of"]))
    if d.get("fiscal_year"):
        kg.add(iri, DCTERMS.temporal, kg.fiscal_year(int(d["fiscal_year"])))
    kg.notes(iri, [d["note"]] if d.get("note") else None)


def _date_or_month(value: str) -> Literal:
    """`2021-09` (as printed: 令和３年９月) stays a month; a full date becomes xsd:date."""
    if len(value) == 7:
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(dt.date.fromisoformat(value))
