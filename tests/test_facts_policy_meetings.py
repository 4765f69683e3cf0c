"""Facts of the policy overview (001), the meetings (000, 003, 004) and the reference places."""

import re

import pytest

from conftest import ask, select
from fukudx_kg.build.graph import fiscal_year_label
from fukudx_kg.build.seedtext import lines_of

POLICY = "001_1831c6c816ec1138.txt"
MIN_2024 = "000_f87bce3393d37745.txt"
MIN_2020 = "004_b8aacf59f9192e58.txt"


def printed(file_name: str, line: int, text: str) -> None:
    assert text in lines_of(file_name)[line - 1], f"{file_name}:{line} does not print {text!r}"


def test_policy_period(kg):
    printed(POLICY, 16, "令和３年４月１日から令和８年３月３１日までの５年間")
    rows = select(kg, """SELECT ?s ?e WHERE { ?d a fdx:PolicyDocument ; fdx:startDate ?s ; fdx:endDate ?e ;
                                              dcterms:issued ?i . FILTER(STR(?i) = "2021-09") }""")
    assert rows == [{"s": "2021-04-01", "e": "2026-03-31"}]


def test_revision_of_2021_policy(kg):
    printed(POLICY, 7, "令和６年３月 中間見直し")
    rows = select(kg, """SELECT ?issued ?orig WHERE { ?rev prov:wasRevisionOf ?d ; dcterms:issued ?issued ;
                                  fdx:inPrefecture/fdx:prefectureCode "07" . ?d dcterms:issued ?orig }""")
    assert [(r["issued"], r["orig"]) for r in rows] == [("2024-03", "2021-09")]


def test_chapters_of_2024_revision(kg):
    rows = select(kg, """SELECT ?n ?name WHERE {
        ?s skos:topConceptOf ?scheme ; skos:notation ?n ; skos:prefLabel ?name .
        ?scheme fdx:schemeOf/dcterms:issued ?i . FILTER(STR(?i) = "2024-03") }""")
    names = {r["n"]: r["name"] for r in rows}
    assert len(names) == 9
    printed(POLICY, 638, "第６ デジタルデバイド対策")
    assert names["第６"] == "デジタルデバイド対策"
    assert names["第８"] == "推進体制"
    assert "第４－１" in names or "第４-１" in names


def test_numbered_items_of_chapter_5(kg):
    rows = select(kg, """SELECT ?n ?name WHERE { ?s skos:broader ?c ; skos:notation ?n ; skos:prefLabel ?name .
        ?c skos:notation "第５" ; skos:inScheme ?scheme .
        ?scheme fdx:schemeOf/dcterms:issued ?i . FILTER(STR(?i)="2024-03") }""")
    printed(POLICY, 371, "５ 健康・医療・福祉")
    assert {r["name"] for r in rows} >= {"震災からの復興・再生", "健康・医療・福祉", "安全・安心、環境"}
    assert len(rows) == 6


def test_new_value_of_an_item(kg):
    printed(POLICY, 373, "浜通り地域への産業基盤の構築、全国から新たな活")
    assert ask(kg, """ASK { ?s skos:prefLabel "震災からの復興・再生"@ja ;
                            fdx:newValue "浜通り地域への産業基盤の構築、全国から新たな活力の誘引"@ja }""")


def test_cdo_is_first_vice_governor(kg):
    printed(POLICY, 644, "最高デジタル責任者：ＣＤＯ）の設置（第１順位副知事）")
    rows = select(kg, """SELECT ?role WHERE {
        ?p a org:Post ; rdfs:label "最高デジタル責任者：ＣＤＯ"@ja ; fdx:heldByRole ?role }""")
    assert rows == [{"role": "第１順位副知事"}]


def test_roadmap_years_from_minutes_with_evidence(kg):
    printed(MIN_2024, 216, "電子決裁の本格導入に加え、電子契約を試行実施する")
    rows = select(kg, """SELECT ?item ?phase ?fy ?file WHERE { ?e a fdx:RoadmapEntry ; fdx:phase ?phase ;
        fdx:fiscalYear/fdx:fiscalYearNumber ?fy ; fdx:forSection/skos:prefLabel ?item ; fdx:evidence ?ev ;
        fdx:evidenceRef/fdx:sourceFile ?file . FILTER(?fy = 2024) }""")
    assert {(r["item"], r["phase"], r["file"]) for r in rows} == {
        ("電子決裁の拡充", "本格導入", MIN_2024), ("電子契約の導入", "試行実施", MIN_2024)}


def test_unplaced_roadmap_phases_are_kept_and_flagged(kg):
    printed(POLICY, 270, "アクションプログラムの策定")
    rows = select(kg, """SELECT ?note WHERE { ?u a fdx:UnplacedRoadmapText ; fdx:phase "アクションプログラムの策定"@ja ;
                                               fdx:curationNote ?note }""")
    assert rows
    assert not ask(kg, 'ASK { ?u a fdx:UnplacedRoadmapText ; fdx:fiscalYear ?y }')


def test_roadmap_covers_r3_to_r7(kg):
    rows = select(kg, """SELECT ?a ?b WHERE { ?r a fdx:Roadmap ; fdx:firstFiscalYear/fdx:fiscalYearNumber ?a ;
                                              fdx:lastFiscalYear/fdx:fiscalYearNumber ?b }""")
    assert {(r["a"], r["b"]) for r in rows} == {("2021", "2025")} and len(rows) == 2


def test_meeting_2024_date_time_place(kg):
    printed(MIN_2024, 10, "令和６年３月２５日（月）１４：３５～１４：４５")
    printed(MIN_2024, 16, "北庁舎２階 災害対策本部会議室")
    rows = select(kg, """SELECT ?start ?end ?place WHERE { ?m a fdx:Meeting ; dcterms:date "2024-03-25"^^xsd:date ;
        prov:startedAtTime ?start ; prov:endedAtTime ?end ; prov:atLocation/rdfs:label ?place }""")
    assert rows == [{"start": "2024-03-25T14:35:00+09:00", "end": "2024-03-25T14:45:00+09:00",
                     "place": "北庁舎２階 災害対策本部会議室"}]


def test_meeting_2020_date_place_and_material(kg):
    printed(MIN_2020, 5, "令和2年12月25日（金）11：00～11：10")
    rows = select(kg, """SELECT ?place ?material WHERE { ?m a fdx:Meeting ; dcterms:date "2020-12-25"^^xsd:date ;
        prov:atLocation/rdfs:label ?place ; fdx:reported/fdx:concerns ?doc . ?doc fdx:sourceFile ?material }""")
    assert rows == [{"place": "危機管理センター災害対策本部会議室（北庁舎2階）",
                     "material": "003_c8ba37c43c0df833.txt"}]
    assert not ask(kg, 'ASK { ?m dcterms:date "2020-12-25"^^xsd:date ; fdx:decided ?x }')


def test_meeting_2024_decided_the_revision(kg):
    printed(MIN_2024, 24, "推進基本方針の中間見直し（案）")
    printed(MIN_2024, 252, "案のとおり了承することといたします")
    assert ask(kg, """ASK { ?m dcterms:date "2024-03-25"^^xsd:date ; fdx:decided ?a .
                           ?a fdx:concerns ?doc . ?doc prov:wasRevisionOf ?orig }""")


def test_speakers_by_role(kg):
    rows = select(kg, """SELECT ?role WHERE { ?m dcterms:date "2024-03-25"^^xsd:date ; fdx:hasStatement ?s .
                          ?s fdx:speaker/rdfs:label ?role . FILTER(LANG(?role) = "ja") }""")
    roles = [r["role"] for r in rows]
    printed(MIN_2024, 230, "（危機管理部長）")
    assert set(roles) == {"副知事", "企画調整部長", "総務部長", "危機管理部長", "知事"}
    assert ask(kg, """ASK { ?p a org:Post ; rdfs:label "危機管理部長"@ja ; org:postIn/rdfs:label "危機管理部"@ja }""")


def test_services_launch_dates(kg):
    printed(MIN_2024, 180, "３月 19日に公開しました")
    printed(MIN_2024, 186, "3月 27日からのサービス開始を予定")
    rows = {r["name"]: r["date"] for r in select(kg, """SELECT ?name ?date WHERE {
        ?s a fdx:DigitalService ; rdfs:label ?name ; fdx:launchDate ?date }""")}
    assert rows == {"ふくしまポータル": "2024-03-19", "福島県防災アプリ": "2024-03-27"}
    assert ask(kg, 'ASK { ?s a schema:Service , fdx:DigitalService ; fdx:evidence ?e }')


@pytest.mark.parametrize("year,ja,start,end", [(2021, "令和3年度", "2021-04-01", "2022-03-31"),
                                               (2022, "令和4年度", "2022-04-01", "2023-03-31"),
                                               (2026, "令和8年度", "2026-04-01", "2027-03-31")])
def test_fiscal_years(kg, year, ja, start, end):
    rows = select(kg, f"""SELECT ?s ?e ?b WHERE {{ ?fy a fdx:FiscalYear , time:ProperInterval ;
        fdx:fiscalYearNumber {year} ; rdfs:label "{ja}"@ja , "FY{year}"@en ; fdx:startDate ?s ; fdx:endDate ?e ;
        time:hasBeginning/time:inXSDDate ?b }}""")
    assert rows == [{"s": start, "e": end, "b": start}]


@pytest.mark.parametrize("year,ja", [(2013, "平成25年度"), (2018, "平成30年度"), (2019, "令和元年度"),
                                     (2022, "令和4年度"), (1989, "平成元年度"), (1988, "昭和63年度"),
                                     (1927, "昭和2年度"), (1926, "1926年度")])
def test_fiscal_year_labels_name_the_era_of_the_year(year, ja):
    assert fiscal_year_label(year) == ja


def test_no_fiscal_year_label_counts_an_era_below_one(kg):
    """Years before 2019 (the catalogue's plans of 2013–2018) are 平成, never 令和0 or 令和-5 (a bug once)."""
    query = 'SELECT ?l WHERE { ?fy a fdx:FiscalYear ; rdfs:label ?l FILTER(lang(?l) = "ja") }'
    labels = [r["l"] for r in select(kg, query)]
    assert labels and not [label for label in labels if re.match(r"^(令和|平成|昭和)(0|-)", label)]
    assert "平成25年度" in labels


def test_all_fiscal_years_r3_to_r8(kg):
    """Fukushima's folder describes 令和3年度–令和8年度 (its fiscal_years); other folders add their own years."""
    rows = select(kg, "SELECT ?n WHERE { ?fy a fdx:FiscalYear ; fdx:fiscalYearNumber ?n } ORDER BY ?n")
    years = [int(r["n"]) for r in rows]
    assert len(years) == len(set(years)) and set(range(2021, 2027)) <= set(years)


def test_prefecture_codes(kg):
    rows = select(kg, """SELECT ?c ?lg WHERE {
        ?p a fdx:Prefecture ; fdx:prefectureCode ?c ; fdx:localGovernmentCode ?lg } ORDER BY ?c""")
    assert {"c": "07", "lg": "070009"} in rows and {"c": "24", "lg": "240001"} in rows
    assert len(rows) == 47  # every prefecture, from the national list


def test_municipality_facts(kg):
    rows = select(kg, """SELECT ?name ?kind ?region ?sac WHERE {
        ?m fdx:localGovernmentCode "075418" ; rdfs:label ?name ;
        fdx:municipalityKind/skos:notation ?kind ; fdx:region/rdfs:label ?region ; fdx:standardArea ?sac ;
        fdx:district/rdfs:label ?district .
        FILTER(LANG(?name) = "ja" && LANG(?region) = "ja" && ?district = "双葉郡"@ja) }""")
    assert rows == [{"name": "広野町", "kind": "town", "region": "相双", "sac": "http://data.e-stat.go.jp/lod/sac/C07541"}]
    assert int(select(kg, "SELECT (COUNT(?m) AS ?n) WHERE { ?m a fdx:Municipality }")[0]["n"]) == 59


def test_group_named_in_seed_links_to_its_source(kg):
    printed("002_83cdc51f1d24fcbc.txt", 989, "避難地域12市町村")
    assert ask(kg, """ASK { ?g a fdx:MunicipalityGroup ; rdfs:label "避難地域12市町村"@ja ;
                            prov:wasDerivedFrom/fdx:lineStart 989 }""")
