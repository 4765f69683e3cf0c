"""All 47 prefectures from the national code list (data/national/), and how complete each one's data is.

A prefecture with a folder is built from it (its prefecture.yaml must agree with the list); every
other prefecture is still a resource, with its codes, names and e-Stat area, and says that nothing
about its plans is curated, so a comparison can tell "no data" from "no plan".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from fukudx_kg.build.codes import valid_lg_code
from fukudx_kg.build.graph import ja_en, typed
from fukudx_kg.build.iris import FDX, PROV, RDFS, Iris
from fukudx_kg.build.sources import Reader, Record, SourceError, read_csv

E_STAT_SAC = "http://data.e-stat.go.jp/lod/sac/C"
COLUMNS = ["code", "local_government_code", "standard_area_code", "name_ja", "name_kana"]
# The levels of completeness a prefecture or a plan can state (prefecture.yaml, documents.yaml).
LEVELS = {"full-list": FDX.FullList, "partial-items": FDX.PartialItems,
          "plan-metadata-only": FDX.PlanMetadataOnly}


@dataclass(frozen=True)
class NationalPrefecture:
    code: str
    local_government_code: str
    standard_area_code: str
    name_ja: str
    name_kana: str
    line: int
    row_text: str


def read_prefectures(path: Path) -> dict[str, NationalPrefecture]:
    """The 47 rows by JIS X 0401 code; any broken code or a missing prefecture stops the build."""
    if not path.is_file():
        raise SourceError(path, None, "the national list of the 47 prefectures is missing: restore "
                          "data/national/prefectures.csv (its README says where it comes from)")
    prefectures = {}
    for line, row in read_csv(path, COLUMNS):
        code, lg, sac = row["code"], row["local_government_code"], row["standard_area_code"]
        if not (len(code) == 2 and lg.startswith(code) and lg[:5] == sac and valid_lg_code(lg)):
            raise SourceError(path, line, f"codes {code} / {lg} / {sac} disagree or fail the check digit: code is "
                              "the first two digits of local_government_code, standard_area_code its first five")
        if code in prefectures:
            raise SourceError(path, line, f"prefecture code {code} appears twice")
        text = ",".join(row[c] for c in COLUMNS)
        prefectures[code] = NationalPrefecture(code, lg, sac, row["name_ja"], row["name_kana"], line, text)
    missing = sorted({f"{n:02d}" for n in range(1, 48)} - set(prefectures))
    if missing:
        raise SourceError(path, None, f"prefecture codes missing: {', '.join(missing)} (all 47 are expected)")
    return prefectures


def add_identity(g: Graph, pref: URIRef, p: NationalPrefecture) -> None:
    """Codes, names and the e-Stat area: what every prefecture has, folder or not."""
    typed(g, pref, FDX.Prefecture)
    ja_en(g, pref, RDFS.label, p.name_ja, None)
    g.add((pref, RDFS.label, Literal(p.name_kana, lang="ja-Hira")))
    g.add((pref, FDX.prefectureCode, Literal(p.code)))
    g.add((pref, FDX.localGovernmentCode, Literal(p.local_government_code)))
    g.add((pref, FDX.standardAreaCode, Literal(p.standard_area_code)))
    g.add((pref, FDX.standardArea, URIRef(E_STAT_SAC + p.standard_area_code)))


def add_uncurated(iris: Iris, prefectures: dict[str, NationalPrefecture], curated: set[str]) -> Graph:
    """The national graph: every prefecture without a folder, saying that nothing of it is curated."""
    national = Graph()
    for code, p in sorted(prefectures.items()):
        if code in curated:
            continue
        pref = iris(f"pref/{code}")
        add_identity(national, pref, p)
        national.add((pref, FDX.completeness, FDX.NotCurated))
        source = iris(f"source/national/prefectures-L{p.line}")
        typed(national, source, FDX.SourceExcerpt)
        ja_en(national, source, RDFS.label, f"data/national/prefectures.csv {p.line}行",
              f"data/national/prefectures.csv line {p.line}")
        national.add((source, FDX.sourceFile, Literal("national/prefectures.csv")))
        national.add((source, FDX.lineStart, Literal(p.line)))
        national.add((source, FDX.lineEnd, Literal(p.line)))
        national.add((source, FDX.sourceText, Literal(p.row_text)))
        national.add((pref, PROV.wasDerivedFrom, source))
    return national


def add_completeness(g: Graph, r: Reader, subject: URIRef, rec: Record) -> None:
    """`completeness: {level, ja, en}` → fdx:completeness and a note saying what is and is not there."""
    level = r.req(rec, "level")
    if level not in LEVELS:
        raise r.fail(rec, f"completeness level {level!r} must be one of {', '.join(LEVELS)}")
    g.add((subject, FDX.completeness, LEVELS[level]))
    ja_en(g, subject, FDX.coverageNote, r.req(rec, "ja"), r.opt(rec, "en"))
