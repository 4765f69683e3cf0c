"""Each prefecture is a folder: its graph holds its own facts, shared resources live once, counts match
the per-prefecture expectations (tests/expectations/<folder>.yaml), and Mie is a real second prefecture."""

from __future__ import annotations

import io
import re
import tokenize
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import ask, select

ROOT = Path(__file__).resolve().parent.parent
EXPECTATIONS = sorted((ROOT / "tests" / "expectations").glob("*.yaml"))
FOLDERS = sorted(p.name for p in (ROOT / "data" / "prefectures").iterdir()
                 if (p / "prefecture.yaml").exists() and not p.name.startswith("_"))
SHARED = "https://w3id.org/fukudx/graph/shared"
PREF24 = "https://w3id.org/fukudx/graph/pref/24"


def test_every_folder_has_expectations():
    assert [p.stem for p in EXPECTATIONS] == FOLDERS


@pytest.mark.parametrize("path", EXPECTATIONS, ids=lambda p: p.stem)
def test_counts_per_prefecture(kg, path):
    expected = yaml.safe_load(path.read_text(encoding="utf-8"))
    graph = expected["graph"]
    for cls, n in expected["instances"].items():
        rows = select(kg, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s a fdx:{cls} }} }}")
        assert int(rows[0]["n"]) == n, cls
    pref = select(kg, f"""SELECT ?code ?name WHERE {{ GRAPH <{graph}> {{ ?p a fdx:Prefecture ;
        fdx:prefectureCode ?code ; rdfs:label ?name FILTER(LANG(?name) = "ja") }} }}""")
    assert pref == [{"code": expected["prefecture"]["code"], "name": expected["prefecture"]["name_ja"]}]
    kinds = select(kg, f"""SELECT ?q (COUNT(?k) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?k a fdx:KPI
        OPTIONAL {{ ?k fdx:qualitative ?q }} }} }} GROUP BY ?q""")
    counts = {{"false": "numeric", "true": "words", None: "no_target"}[r["q"]]: int(r["n"]) for r in kinds}
    assert counts == {k: v for k, v in expected["qualitative"].items() if v}


def test_no_triple_is_in_two_graphs(built):
    seen = Counter()
    for line in (built / "dataset.nq").read_text(encoding="utf-8").splitlines():
        triple = line.rsplit(" ", 2)[0]
        seen[triple] += 1
    assert [t for t, n in seen.items() if n > 1] == []


def test_union_default_graph_returns_shared_resources_once(kg):
    rows = select(kg, """SELECT ?label WHERE { <https://w3id.org/fukudx/id/fy/2022> rdfs:label ?label
                         FILTER(LANG(?label) = "ja") }""")
    assert rows == [{"label": "令和4年度"}]
    years = select(kg, "SELECT ?fy WHERE { ?fy a fdx:FiscalYear }")
    assert len(years) == len({r["fy"] for r in years}) >= 6
    themes = select(kg, "SELECT ?t WHERE { ?t a fdx:Theme }")
    assert len(themes) == len({r["t"] for r in themes}) == 9 + 23  # national items and policy domains


def test_shared_resources_live_only_in_the_shared_graph(kg):
    assert not ask(kg, f"""ASK {{ GRAPH ?g {{ ?s a ?c }} FILTER(?g != <{SHARED}>)
                           FILTER(?c IN (fdx:FiscalYear, fdx:Theme, time:Instant)) }}""")
    assert not ask(kg, f"""ASK {{ GRAPH <{SHARED}> {{ ?s ?p ?o }}
                           FILTER(STRSTARTS(STR(?s), "https://w3id.org/fukudx/id/pref/")) }}""")


def test_each_prefecture_graph_holds_only_its_own_resources(kg):
    rows = select(kg, """SELECT DISTINCT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o }
        FILTER(STRSTARTS(STR(?g), "https://w3id.org/fukudx/graph/pref/"))
        FILTER(STRSTARTS(STR(?s), "https://w3id.org/fukudx/id/pref/"))
        FILTER(STRBEFORE(STRAFTER(STR(?s), "/id/pref/"), "/") != STRAFTER(STR(?g), "/graph/pref/")
               && STRAFTER(STR(?s), "/id/pref/") != STRAFTER(STR(?g), "/graph/pref/")) }""")
    assert rows == []


# -- Mie: the plan as published web pages -----------------------------------------------------------

def test_mie_plan_period_fields_and_partial_coverage(kg):
    plan = select(kg, f"""SELECT ?title ?short ?url ?first ?last ?cov WHERE {{ GRAPH <{PREF24}> {{
        ?d a fdx:PolicyDocument ; dcterms:title ?title ; skos:altLabel ?short ; schema:url ?url ;
           fdx:firstFiscalYear ?f ; fdx:lastFiscalYear ?l ; fdx:coverageNote ?cov FILTER(LANG(?cov) = "ja") }}
        ?f fdx:fiscalYearNumber ?first . ?l fdx:fiscalYearNumber ?last }}""")
    assert plan == [{"title": "みえのデジタル社会の形成に向けた戦略推進計画", "short": "みえデジプラン",
                     "url": "https://www.pref.mie.lg.jp/TOPICS/m0345000021.htm", "first": "2022", "last": "2026",
                     "cov": plan[0]["cov"]}]
    assert "一部のみ" in plan[0]["cov"] and "14" in plan[0]["cov"]
    fields = select(kg, f"""SELECT ?name WHERE {{ GRAPH <{PREF24}> {{ ?s a fdx:PolicySection ;
        skos:topConceptOf ?scheme ; skos:prefLabel ?name }} }} ORDER BY ?name""")
    assert sorted(r["name"] for r in fields) == sorted(["暮らしのDX", "しごとのDX", "行政のDX"])


def test_mie_every_initiative_cites_its_page_address(kg):
    rows = select(kg, f"""SELECT DISTINCT ?code ?url WHERE {{ GRAPH <{PREF24}> {{ ?i a fdx:Initiative ;
        fdx:underSection/skos:notation ?code ; prov:wasDerivedFrom/dcterms:source/schema:url ?url }} }}""")
    assert len(rows) == 14
    for row in rows:
        assert re.fullmatch(r"https://www\.pref\.mie\.lg\.jp/DIGITAL/HP/000270[5-6]\d\d\.htm", row["url"]), row
    assert {"code": "3-1", "url": "https://www.pref.mie.lg.jp/DIGITAL/HP/000270620.htm"} in rows
    assert {"code": "2-8-2", "url": "https://www.pref.mie.lg.jp/DIGITAL/HP/000270619.htm"} in rows


def test_mie_kpi_baseline_and_target_with_years_and_definition(kg):
    rows = select(kg, f"""SELECT ?role ?v ?y ?unit ?printed WHERE {{ GRAPH <{PREF24}> {{
        ?k rdfs:label "デジタル化した県独自の行政手続の割合"@ja ; fdx:hasValue ?x ; skos:definition ?def .
        ?x fdx:valueRole ?r ; fdx:value ?v ; fdx:valueYear ?y ; fdx:valueUnit ?unit ;
           fdx:valuePrinted ?printed }} ?r skos:notation ?role }} ORDER BY ?role""")
    assert rows == [{"role": "baseline", "v": "39", "y": "2022", "unit": "%", "printed": "39"},
                    {"role": "target", "v": "100", "y": "2026", "unit": "%", "printed": "100"}]
    shortcut = select(kg, f"""SELECT ?b ?t ?ty WHERE {{ GRAPH <{PREF24}> {{
        ?k rdfs:label "デジタル化した県独自の行政手続の割合"@ja ; fdx:baselineValue ?b ; fdx:targetValue ?t ;
           fdx:targetYear ?ty ; fdx:qualitative false }} }}""")
    assert shortcut == [{"b": "39", "t": "100", "ty": "2026"}]


def test_mie_dash_baseline_is_kept_as_printed_without_a_number(kg):
    rows = select(kg, f"""SELECT ?printed WHERE {{ GRAPH <{PREF24}> {{
        ?k rdfs:label "新たな移動手段の確保に向けて取り組んだ件数(累計)"@ja ; fdx:hasValue ?x ;
           fdx:valueQualifier fdx:Cumulative .
        ?x fdx:valueRole fdx:Baseline ; fdx:valuePrinted ?printed FILTER NOT EXISTS {{ ?x fdx:value ?n }} }} }}""")
    assert rows == [{"printed": "—"}]


def test_mie_targets_in_words_and_unknown_targets_are_told_apart(kg):
    words = select(kg, f"""SELECT ?label WHERE {{ GRAPH <{PREF24}> {{
        ?k fdx:qualitative true ; rdfs:label ?label }} }}""")
    assert sorted(r["label"] for r in words) == sorted(["デジタル技術の導入促進",
                                                        "DV・妊娠SOS・性犯罪・性暴力SNS相談体制の構築"])
    unknown = select(kg, f"""SELECT ?label WHERE {{ GRAPH <{PREF24}> {{ ?k a fdx:KPI ; rdfs:label ?label ;
        fdx:curationNote ?why FILTER NOT EXISTS {{ ?k fdx:qualitative ?q }} }} }}""")
    assert [r["label"] for r in unknown] == ["防災みえ.jpのホームページへのアクセス数"]


def test_mie_departments_as_printed(kg):
    rows = select(kg, f"""SELECT ?name WHERE {{ GRAPH <{PREF24}> {{ ?d a fdx:Department ; skos:prefLabel ?name ;
        org:subOrganizationOf <https://w3id.org/fukudx/id/pref/24> }} }}""")
    assert sorted(r["name"] for r in rows) == sorted(
        ["防災対策部", "県警本部", "地域連携部", "医療保健部", "子ども・福祉部", "環境生活部", "教育委員会事務局",
         "農林水産部", "県土整備部", "デジタル社会推進局", "雇用経済部"])
    four = select(kg, f"""SELECT (COUNT(?d) AS ?n) WHERE {{ GRAPH <{PREF24}> {{
        ?i fdx:underSection/skos:notation "1-7" ; fdx:responsibleUnit ?d }} }}""")
    assert four == [{"n": "4"}]


# -- the code knows no prefecture ---------------------------------------------------------------------

PREFECTURE_NAMES = re.compile(r"福島|Fukushima|fukushima|pref/07|三重|Mie\b|pref/24")


def test_code_names_no_prefecture_outside_comments_and_docstrings():
    """`grep` for prefecture names in fukudx_kg/ finds only comments, docstrings and examples."""
    found = []
    for path in sorted((ROOT / "fukudx_kg").rglob("*")):
        if path.suffix == ".py":
            tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline))
            for i, tok in enumerate(tokens):
                prev = next((t for t in reversed(tokens[:i]) if t.type not in (tokenize.NL, tokenize.NEWLINE,
                             tokenize.INDENT, tokenize.DEDENT)), None)
                docstring = tok.type == tokenize.STRING and (prev is None or prev.string == ":")
                if tok.type == tokenize.STRING and not docstring and PREFECTURE_NAMES.search(tok.string):
                    found.append(f"{path.relative_to(ROOT)}:{tok.start[0]}")
        elif path.suffix in (".html", ".js", ".css"):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if PREFECTURE_NAMES.search(line) and "{#" not in line:
                    found.append(f"{path.relative_to(ROOT)}:{n}")
    assert found == []


# ---------------------------------------------------------------- all 47 prefectures (issue 10)
NATIONAL = ROOT / "data" / "national" / "prefectures.csv"


def test_all_47_prefectures_with_codes_and_e_stat_areas(kg):
    import csv

    with NATIONAL.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 47 and rows[6]["name_ja"] == "福島県" and rows[6]["local_government_code"] == "070009"
    found = {r["code"]: r for r in select(kg, """SELECT ?code ?lg ?sac ?area ?name ?level WHERE {
        ?p a fdx:Prefecture ; fdx:prefectureCode ?code ; fdx:localGovernmentCode ?lg ; fdx:standardAreaCode ?sac ;
           fdx:standardArea ?area ; rdfs:label ?name ; fdx:completeness/skos:notation ?level
        FILTER(LANG(?name) = "ja") }""")}
    assert sorted(found) == [f"{n:02d}" for n in range(1, 48)]
    for row in rows:
        got = found[row["code"]]
        assert (got["lg"], got["sac"], got["name"]) == (row["local_government_code"], row["standard_area_code"],
                                                         row["name_ja"])
        assert got["area"] == f"http://data.e-stat.go.jp/lod/sac/C{row['code']}000"
    curated = {name.split("-")[0] for name in FOLDERS}
    assert {c for c, r in found.items() if r["level"] != "not-curated"} == curated
    assert found["07"]["level"] == "full-list" and found["24"]["level"] == "partial-items"


def test_uncurated_prefectures_live_in_the_national_graph_and_curated_ones_in_their_own(kg):
    rows = select(kg, "SELECT ?code ?g WHERE { GRAPH ?g { ?p a fdx:Prefecture ; fdx:prefectureCode ?code } }")
    graphs = {r["code"]: r["g"] for r in rows}
    assert len(rows) == 47  # each prefecture once
    for code, graph in graphs.items():
        folder = any(name.startswith(code + "-") for name in FOLDERS)
        assert graph == (f"https://w3id.org/fukudx/graph/pref/{code}" if folder
                         else "https://w3id.org/fukudx/graph/national"), code
