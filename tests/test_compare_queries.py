"""Every comparison query in queries/compare/ runs on the built graph and answers its question with
the real data of Fukushima, Mie and the national catalogue; every answer says how complete its
sources are."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from test_queries import run

COMPARE = Path(__file__).resolve().parent.parent / "queries" / "compare"
PREFECTURES = Path(__file__).resolve().parent.parent / "data" / "prefectures"


def rows_of(kg, name: str) -> list[dict]:
    return run(kg, f"compare/{name}.rq")


def test_every_comparison_query_states_its_question_and_has_a_test():
    here = Path(__file__).parent  # the comparison pages' own query is tested beside the pages
    text = "".join((here / name).read_text(encoding="utf-8") for name in ("test_compare_queries.py",
                                                                          "test_compare_pages.py"))
    tested = set(re.findall(r"^def (test_c_\w+)\(", text, flags=re.M))
    paths = sorted(COMPARE.glob("*.rq"))
    assert len(paths) >= 8
    for path in paths:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# Question: ") and first.endswith("?"), path.name
        assert "test_c_" + path.stem.replace("-", "_") in tested, f"no test for {path.name}"


def test_c_plans_timeline(kg):
    rows = rows_of(kg, "plans-timeline")
    by_title = {r["title"]: r for r in rows}
    fukushima = by_title["福島県デジタル変革（ＤＸ）推進基本方針"]
    assert (fukushima["code"], fukushima["firstFY"], fukushima["lastFY"], fukushima["completeness"]) == \
        ("07", "2021", "2025", "full-list")
    mie = by_title["みえのデジタル社会の形成に向けた戦略推進計画"]
    assert (mie["firstFY"], mie["lastFY"], mie["owner"], mie["completeness"]) == \
        ("2022", "2026", "デジタル社会推進局", "partial-items")
    assert mie["address"] == "https://www.pref.mie.lg.jp/TOPICS/m0345000021.htm"
    # one row per plan a folder curates (documents with a completeness), every prefecture folder counted
    plans = 0
    for folder in PREFECTURES.glob("[0-9]*"):
        docs = yaml.safe_load((folder / "documents.yaml").read_text(encoding="utf-8"))["documents"]
        plans += sum(1 for d in docs if d.get("completeness"))
    assert len({r["plan"] for r in rows}) == plans
    assert all(r["completeness"] for r in rows)


def test_c_plans_covering_fy(kg):
    rows = rows_of(kg, "plans-covering-fy")
    known = {(r["code"], r["title"]) for r in rows if r["covers"] == "yes"}
    assert ("07", "福島県デジタル変革（ＤＸ）推進基本方針") in known
    assert ("24", "みえのデジタル社会の形成に向けた戦略推進計画") in known
    for r in rows:
        if r["covers"] == "yes":
            assert int(r["firstFY"]) <= 2024 <= int(r["lastFY"])
        else:
            assert r["firstFY"] is None or r["lastFY"] is None
    timeline = rows_of(kg, "plans-timeline")
    outside = {r["plan"] for r in timeline if r["lastFY"] and int(r["lastFY"]) < 2024}
    assert not outside & {r["plan"] for r in rows}


def test_c_coverage_by_prefecture(kg):
    rows = {r["code"]: r for r in rows_of(kg, "coverage-by-prefecture")}
    assert sorted(rows) == [f"{n:02d}" for n in range(1, 48)]
    assert rows["07"]["completeness"] == "full-list" and int(rows["07"]["initiatives"]) == 124
    assert rows["24"]["completeness"] == "partial-items" and int(rows["24"]["initiatives"]) == 14
    assert int(rows["24"]["kpis"]) == 11 and int(rows["24"]["kpiValues"]) == 16
    assert rows["07"]["area"] == "http://data.e-stat.go.jp/lod/sac/C07000"
    curated = {folder.name.split("-")[0] for folder in PREFECTURES.glob("[0-9]*")}
    for code, row in rows.items():
        assert (row["completeness"] == "not-curated") == (code not in curated), code
        if code not in curated:
            assert row["plans"] == row["initiatives"] == row["kpis"] == "0"


def theme_links(folder: str) -> list[dict]:
    """The curated links of one folder, read from its themes.yaml (the source the build turns into data)."""
    return yaml.safe_load((PREFECTURES / folder / "themes.yaml").read_text(encoding="utf-8"))["links"]


def test_c_themes_by_prefecture(kg):
    rows = {(r["theme"].split("/theme/", 1)[1], r["code"]): r for r in rows_of(kg, "themes-by-prefecture")}
    # Fukushima's online-procedures initiatives: the four rows under 第4-1 1(5), inherited from the section
    assert rows[("online-procedures", "07")]["initiatives"] == "4"
    # Mie: each initiative linked directly to construction DX is counted once, with the prefecture's completeness
    mie = [link for link in theme_links("24-mie") if link["theme"] == "domain/construction-infrastructure"
           and link["target"].startswith("initiative/")]
    assert int(rows[("domain/construction-infrastructure", "24")]["initiatives"]) == len(mie) == 1
    assert rows[("domain/construction-infrastructure", "24")]["completeness"] == "partial-items"
    # a KPI of an initiative counts under its own theme when it has one (the smart-city KPI of the portal row)
    assert int(rows[("domain/smart-city", "07")]["kpis"]) >= 1
    total_kpis = sum(int(r["kpis"]) for r in rows.values() if r["code"] == "07")
    assert total_kpis < 309  # never every KPI of the prefecture in one cell (a bug the pages once showed)


def test_c_kpis_of_theme(kg):
    rows = rows_of(kg, "kpis-of-theme")
    by_label = {r["kpiLabel"]: r for r in rows}
    gifu = by_label["ICT土工活用率"]  # catalogue line 40: 39% (2020) → 88% (2026), draft-stage figure
    assert (gifu["code"], gifu["unit"], gifu["baseline"], gifu["baselineYear"], gifu["target"], gifu["targetYear"]) \
        == ("21", "%", "39", "2020", "88", "2026")
    assert gifu["source"].startswith("prefectural-dx-plans-catalogue.txt:40-40")
    mie = by_label["ICT活用工事(土工)の実施率"]
    assert (mie["code"], mie["unit"], mie["baseline"], mie["target"], mie["completeness"]) == \
        ("24", "%", "65", "100", "partial-items")
    units = [r["unit"] for r in rows]
    assert units == sorted(units)  # grouped by unit: values of different units never side by side
    assert {r["code"] for r in rows} == {"07", "21", "24"}  # Fukushima, Gifu and Mie: the question


def test_c_departments_by_theme(kg):
    rows = rows_of(kg, "departments-by-theme")
    mie = [r for r in rows if r["code"] == "24" and r["theme"].endswith("/domain/construction-infrastructure")]
    assert [(r["departmentLabel"], r["initiatives"]) for r in mie] == [("県土整備部", "1")]
    fukushima = [r for r in rows if r["code"] == "07" and r["theme"].endswith("/domain/administrative-procedures")]
    assert sum(int(r["initiatives"]) for r in fukushima) >= 10
    assert fukushima[0]["departmentLabel"] == "デジタル変革課"  # the most initiatives first


def test_c_theme_gaps(kg):
    rows = {r["theme"].split("/theme/", 1)[1]: r for r in rows_of(kg, "theme-gaps")}
    mie_themes = {link["theme"] for link in theme_links("24-mie")}
    assert not set(rows) & mie_themes  # nothing Mie covers is reported as a gap
    assert rows["domain/digital-skills"]["otherCompleteness"] == "partial-items"
    assert "online-procedures" in rows and "domain/construction-infrastructure" not in rows


def test_c_national_items_by_prefecture(kg):
    rows = {(r["item"].split("/theme/", 1)[1], r["code"]): r for r in rows_of(kg, "national-items-by-prefecture")}
    assert (rows[("online-procedures", "07")]["exact"], rows[("online-procedures", "07")]["broader"]) == ("4", "0")
    assert {item for item, _ in rows} == {"system-standardization", "mynumber-card", "online-procedures", "ai-rpa",
                                          "telework", "security"}  # the six 第4-1 items of Fukushima


def test_c_theme_link_evidence(kg):
    from fukudx_kg.build.seedtext import text_in_lines

    rows = rows_of(kg, "theme-link-evidence")
    assert len(rows) == len(theme_links("24-mie")) == 16
    for r in rows:
        assert text_in_lines(r["evidence"], r["file"], int(r["lineStart"]), int(r["lineEnd"]))
        assert r["match"] in ("exact", "broader")
    doubtful = [r for r in rows if r["doubtful"] == "true"]
    assert len(doubtful) == 1 and doubtful[0]["why"]
