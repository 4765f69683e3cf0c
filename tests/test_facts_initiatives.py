"""Facts of the FY2022 initiatives list (002), checked in the built graph against the seed lines."""

from decimal import Decimal

import pytest

from conftest import ask, select
from fukudx_kg.build.seedtext import lines_of

SEED = "002_83cdc51f1d24fcbc.txt"


def printed(line: int, text: str) -> None:
    """Guard: the fact a test asserts is really printed on that seed line."""
    assert text in lines_of(SEED)[line - 1], f"{SEED}:{line} does not print {text!r}"


def kpis_on_line(kg, line: int) -> list[dict]:
    """KPIs whose provenance excerpt covers the given line of the list."""
    return select(kg, f"""
        SELECT ?kpi ?label ?value ?unit ?fy ?printed WHERE {{
          ?kpi a fdx:KPI ; rdfs:label ?label ; prov:wasDerivedFrom ?ex ;
               fdx:targetFiscalYear ?fyr .
          ?fyr fdx:fiscalYearNumber ?fy .
          ?ex fdx:sourceFile "{SEED}" ; fdx:lineStart ?a ; fdx:lineEnd ?b .
          FILTER(?a <= {line} && {line} <= ?b)
          OPTIONAL {{ ?kpi fdx:targetValue ?value ; fdx:unit ?unit ; fdx:valueAsPrinted ?printed }}
        }}""")


@pytest.mark.parametrize("line,printed_text,value,unit", [
    (1007, "110万", "1100000", "PV"),          # 万 expanded
    (1289, "928万", "9280000", "件"),
    (185, "11万", "110000", "件"),
    (1934, "35,646", "35646", "件"),           # thousands separator
    (2149, "68,441", "68441", "件"),
    (2171, "71,000", "71000", "件"),
    (217, "24,595", "24595", "件"),
    (285, "23,146", "23146", "件"),
    (349, "11,400", "11400", "時間"),
    (369, "1,400", "1400", "時間"),
    (836, "11,000", "11000", "件"),
    (2476, "99.97", "99.97", "%"),             # decimal percentage
    (2260, "39.4", "39.4", "%"),
    (392, "58", "58", "%"),
    (1080, "５万", "50000", "人"),             # full-width digit with 万
    (2071, "720", "720", "人"),
    (2211, "253", "253", "施設"),
    (2427, "20", "20", "件"),
    (1876, "170", "170", "円/kg"),
])
def test_kpi_target_value_and_unit(kg, line, printed_text, value, unit):
    printed(line, printed_text)
    rows = [r for r in kpis_on_line(kg, line) if r["value"] is not None and r["printed"] == printed_text]
    assert rows, f"no KPI with value printed as {printed_text} covers {SEED}:{line}"
    assert Decimal(rows[0]["value"]) == Decimal(value)
    assert rows[0]["unit"] == unit


def test_target_value_is_typed_decimal(kg):
    rows = select(kg, "SELECT DISTINCT ?dt WHERE { ?k fdx:targetValue ?v BIND(DATATYPE(?v) AS ?dt) }")
    assert [r["dt"] for r in rows] == ["http://www.w3.org/2001/XMLSchema#decimal"]


@pytest.mark.parametrize("line,text", [(1052, "令和７年度に研究成果"), (1599, "令和7年度までに640名")])
def test_target_year_other_than_list_year(kg, line, text):
    printed(line, text)
    rows = kpis_on_line(kg, line)
    assert rows and all(r["fy"] == "2025" for r in rows)


def test_list_year_is_default_target_year(kg):
    printed(1007, "110万ＰＶ")
    assert [r["fy"] for r in kpis_on_line(kg, 1007)] == ["2022"]


def test_two_kpis_from_circled_numbers(kg):
    printed(723, "①優先的にオンライン化を推進")
    printed(728, "②スマートシティに取り組む市")
    rows = select(kg, f"""
        SELECT ?kpi ?value ?unit ?cum WHERE {{
          ?ini fdx:hasKPI ?kpi ; prov:wasDerivedFrom ?ex .
          ?ex fdx:sourceFile "{SEED}" ; fdx:lineStart ?a ; fdx:lineEnd ?b .
          FILTER(?a <= 723 && 730 <= ?b)
          ?kpi fdx:targetValue ?value ; fdx:unit ?unit .
          BIND(EXISTS {{ ?kpi fdx:valueQualifier fdx:Cumulative }} AS ?cum)
        }}""")
    pairs = sorted((Decimal(r["value"]), r["unit"], r["cum"]) for r in rows)
    assert pairs == [(Decimal(2), "団体", "true"), (Decimal("61.0"), "%", "false")]


def test_approximate_qualifier_for_hobo(kg):
    printed(744, "ほぼ100%")
    assert ask(kg, f"""ASK {{ ?k fdx:valueAsPrinted "100" ; fdx:valueQualifier fdx:Approximate ;
                          prov:wasDerivedFrom [ fdx:sourceFile "{SEED}" ; fdx:lineStart ?a ; fdx:lineEnd ?b ] .
                          FILTER(?a <= 744 && 744 <= ?b) }}""")


def test_at_most_qualifier(kg):
    printed(1876, "170円／kg以")
    rows = [r for r in kpis_on_line(kg, 1876) if r["printed"] == "170"]
    assert ask(kg, f"ASK {{ <{rows[0]['kpi']}> fdx:valueQualifier fdx:AtMost }}")


def test_qualitative_kpi_has_no_value(kg):
    printed(295, "ペーパーレス化に向けた職員の")
    rows = select(kg, f"""
        SELECT ?q ?v WHERE {{ ?k fdx:qualitative ?q ; prov:wasDerivedFrom ?ex .
          ?ex fdx:sourceFile "{SEED}" ; fdx:lineStart ?a ; fdx:lineEnd ?b . FILTER(?a <= 295 && 296 <= ?b)
          OPTIONAL {{ ?k fdx:targetValue ?v }} }}""")
    assert rows == [{"q": "true", "v": None}]


def test_row_with_several_departments(kg):
    printed(130, "行政経営課")
    printed(132, "デジタル変革課")
    rows = select(kg, """
        SELECT ?dept WHERE { ?i a fdx:Initiative ; rdfs:label "行政手続のオンライン化の推進"@ja ;
                             fdx:responsibleUnit ?u . ?u rdfs:label ?dept . FILTER(LANG(?dept) = "ja") }""")
    assert sorted(r["dept"] for r in rows) == ["デジタル変革課", "行政経営課"]


def test_row_with_three_departments_under_one_bu(kg):
    rows = select(kg, """
        SELECT ?dept ?parent WHERE { ?i a fdx:Initiative ;
            rdfs:label "新時代の学校におけるＩＣＴ環境研究開発事業(県立学校Ｗｉ－Ｆｉ環境整備事業)"@ja ;
            fdx:responsibleUnit ?u . ?u rdfs:label ?dept ; org:subOrganizationOf/rdfs:label ?parent .
            FILTER(LANG(?dept) = "ja" && LANG(?parent) = "ja") }""")
    assert sorted(r["dept"] for r in rows) == ["教育総務課", "特別支援教育課", "高校教育課"]
    assert {r["parent"] for r in rows} == {"教育庁"}


def test_department_hierarchy_bu_kyoku_ka(kg):
    printed(1098, "商工労働部")
    printed(1099, "観光交流局")
    printed(1100, "観光交流課")
    rows = select(kg, """
        SELECT ?kyoku ?bu ?pref WHERE {
          ?ka a fdx:Department ; rdfs:label "観光交流課"@ja ; org:subOrganizationOf ?k .
          ?k rdfs:label ?kyoku ; org:subOrganizationOf ?b . ?b rdfs:label ?bu ; org:subOrganizationOf ?p .
          ?p fdx:prefectureCode ?pref . FILTER(LANG(?kyoku) = "ja" && LANG(?bu) = "ja") }""")
    assert rows == [{"kyoku": "観光交流局", "bu": "商工労働部", "pref": "07"}]


def test_program_listed_under_several_items(kg):
    rows = select(kg, """
        SELECT ?notation WHERE { ?p a fdx:Program ; rdfs:label "人事・給与・行政組織等管理事業(働き方改革推進事業)"@ja .
          ?i fdx:program ?p ; fdx:underSection/skos:notation ?notation }""")
    assert sorted(r["notation"] for r in rows) == ["1(1)", "4(2)", "5(5)"]
    assert len(select(kg, """SELECT ?p WHERE { ?p a fdx:Program ;
        rdfs:label "人事・給与・行政組織等管理事業(働き方改革推進事業)"@ja }""")) == 1


def test_same_program_different_targets_across_lists(kg):
    """申請・届出オンライン化事業: 11万件 in 行政 2(1), 11,000件 in 第4-1 1(5): one program, two rows."""
    rows = select(kg, """
        SELECT ?v WHERE { ?p a fdx:Program ; rdfs:label "申請・届出オンライン化事業"@ja .
                          ?i fdx:program ?p ; fdx:hasKPI/fdx:targetValue ?v }""")
    assert sorted(Decimal(r["v"]) for r in rows) == [Decimal(11000), Decimal(110000)]


def test_lettered_item_notation_and_parent(kg):
    printed(351, "3(6)")
    printed(352, "ア")
    rows = select(kg, """SELECT ?label ?parent WHERE { ?s skos:notation "3(6)ア" ; skos:prefLabel ?label ;
                                                      skos:broader/skos:notation ?parent }""")
    assert rows == [{"label": "議事録の作成支援", "parent": "3(6)"}]


def test_keikaku_item_kept(kg):
    printed(108, "計画 業務の現状分析")
    rows = select(kg, """SELECT ?s WHERE { ?s a fdx:PolicySection ; skos:notation "計画" ;
                                           skos:prefLabel "業務の現状分析"@ja }""")
    assert len(rows) == 1


def test_item_with_department_but_no_program_kept(kg):
    printed(935, "2(1) 各市町村の実情と地域の特性に")
    rows = select(kg, """SELECT ?dept WHERE { ?s skos:notation "2(1)" ; skos:broader*/skos:notation "第４-１" ;
                                              fdx:responsibleUnit/rdfs:label ?dept . FILTER(LANG(?dept)="ja") }""")
    assert rows == [{"dept": "デジタル変革課"}]
    assert not ask(kg, """ASK { ?i fdx:underSection ?s . ?s skos:notation "2(1)" ;
                                 skos:broader*/skos:notation "第４-１" }""")


def test_wrapped_label_joined(kg):
    printed(9, "ふくしま自治研修センターにおけ")
    printed(10, "る職層別研修への派遣")
    assert ask(kg, 'ASK { ?i a fdx:Initiative ; rdfs:label "ふくしま自治研修センターにおける職層別研修への派遣"@ja }')


def test_initiative_listed_in_its_list_and_year(kg):
    rows = select(kg, """SELECT ?list ?fy WHERE { ?i rdfs:label "避難地域への移住促進事業"@ja ;
                          fdx:listedIn/rdfs:label ?list ; fdx:fiscalYear/rdfs:label ?fy .
                          FILTER(LANG(?list)="ja" && LANG(?fy)="ja") }""")
    assert rows == [{"list": "地域のＤＸ等に係る令和４年度関連事業(取組）一覧", "fy": "令和4年度"}]


def test_initiative_under_section_with_breadcrumb(kg):
    rows = select(kg, """SELECT ?item ?field ?chapter WHERE {
        ?i rdfs:label "健康長寿ふくしま推進事業(ふくしま【健】民パスポート事業)"@ja ; fdx:underSection ?s .
        ?s skos:notation ?item ; skos:broader ?f . ?f skos:notation ?field ; skos:broader/skos:notation ?chapter }""")
    assert rows == [{"item": "5(5)", "field": "5", "chapter": "第５"}]


def test_police_rows(kg):
    seed = lines_of(SEED)
    printed_rows = sum(1 for i, line in enumerate(seed)
                       if line.strip() == "警務課" and seed[i - 1].strip().endswith("警察本部"))
    rows = select(kg, """SELECT ?i WHERE { ?i a fdx:Initiative ; fdx:responsibleUnit ?u .
                          ?u rdfs:label "警務課"@ja ; org:subOrganizationOf/rdfs:label "警察本部"@ja }""")
    assert printed_rows == 4
    assert len(rows) == printed_rows


def test_kpi_provenance_points_at_its_line(kg):
    rows = select(kg, """SELECT ?file ?a ?b ?doc WHERE { ?k fdx:valueAsPrinted "110万" ; prov:wasDerivedFrom ?ex .
        ?ex fdx:sourceFile ?file ; fdx:lineStart ?a ; fdx:lineEnd ?b ; dcterms:source/rdfs:label ?doc .
        FILTER(LANG(?doc) = "ja") }""")
    assert len(rows) == 1
    r = rows[0]
    assert r["file"] == SEED and int(r["a"]) <= 1007 <= int(r["b"])
    assert r["doc"] == "地域のＤＸ等に係る令和４年度関連事業(取組）一覧"


def test_sections_first_and_last_chapters(kg):
    rows = select(kg, """SELECT ?n WHERE { ?s a fdx:PolicySection ; skos:topConceptOf ?scheme ; skos:notation ?n .
                                         ?scheme fdx:schemeOf/dcterms:issued ?d . FILTER(STR(?d) = "2021-09") }""")
    assert sorted(r["n"] for r in rows) == ["第４", "第４-１", "第５", "第６", "第７"]
