"""Japanese and English for the browser: the UI language, UI strings and the label fallback.

The UI language comes from `?lang=` (remembered in a cookie), else the cookie, else
`Accept-Language`, else Japanese. Labels everywhere use one rule (`pick`): the UI language
first, then Japanese, then English, then an untagged literal, then anything else (e.g. the
`ja-hira` reading), so a page never mixes two fallback orders.
"""

from __future__ import annotations

import re
from typing import Sequence

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANGS = ("ja", "en")
DEFAULT_LANG = "ja"
COOKIE = "lang"


def accept_language(header: str | None) -> str | None:
    """The best of LANGS in an Accept-Language header (q-values, `en-US` → `en`, `*`), or None."""
    if not header:
        return None
    return parse_accept_header(header, LanguageAccept).best_match(LANGS)


def choose(query_lang: str | None, cookie: str | None, header: str | None) -> str:
    for candidate in (query_lang, cookie):
        if candidate and candidate.lower() in LANGS:
            return candidate.lower()
    return accept_language(header) or DEFAULT_LANG


def order(lang: str) -> tuple[str, ...]:
    """Language tags in the order labels are picked for a UI language."""
    return ("en", "ja", "") if lang == "en" else ("ja", "en", "")


def pick(literals: Sequence[tuple[str, str]], lang: str) -> tuple[str, str] | None:
    """The (text, language) to show from (text, language) pairs, by the one fallback rule."""
    if not literals:
        return None
    for tag in order(lang):
        for text, language in literals:
            if (language or "").lower() == tag:
                return text, language
    # Something like ja-hira or de: better than nothing, but Japanese variants first.
    for text, language in sorted(literals, key=lambda tl: (not (tl[1] or "").startswith("ja"), tl[1] or "")):
        return text, language
    return None


def other(literals: Sequence[tuple[str, str]], shown: tuple[str, str] | None) -> tuple[str, str] | None:
    """A second label to show beside the main one (en beside ja, ja beside en), if there is one."""
    if not shown:
        return None
    want = "en" if (shown[1] or "").startswith("ja") else "ja"
    for text, language in literals:
        if (language or "").lower() == want and text != shown[0]:
            return text, language
    return None


# Kana, kanji and full-width letters and digits (not punctuation): a text with one of them is Japanese.
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff66-\uff9f]")


# A run of Japanese text, punctuation included: split a mixed text into its languages.
JAPANESE_RUN = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff9f\u3000-\u303f]+)")


def text_lang(text: str | None, page_lang: str, tagged: str = "") -> str:
    """The `lang` a text needs on a page in `page_lang`: its language tag when the data gives one,
    else `ja` for an untagged Japanese text on a page in another language (units, phases, names as
    printed), so screen readers switch voices; "" when the page's own language applies."""
    if tagged:
        return tagged
    if page_lang != "ja" and text and _JAPANESE.search(str(text)):
        return "ja"
    return ""


# UI strings. Keys are stable identifiers used by the templates: `t("home.title")`.
MESSAGES: dict[str, dict[str, str]] = {
    "site.name": {"ja": "都道府県DX政策ナレッジグラフ", "en": "Prefectural DX policy knowledge graph"},
    "site.tagline": {"ja": "都道府県のデジタル変革（DX）政策を、出典の行まで辿れるリンクトデータで",
                     "en": "Prefectural digital-transformation policy as linked data, traceable to the source lines"},
    "nav.home": {"ja": "ホーム", "en": "Home"},
    "nav.search": {"ja": "検索", "en": "Search"},
    "nav.compare": {"ja": "比較", "en": "Compare"},
    "nav.query": {"ja": "SPARQLクエリ", "en": "SPARQL query"},
    "nav.ontology": {"ja": "語彙（オントロジー）", "en": "Vocabulary (ontology)"},
    "nav.downloads": {"ja": "ダウンロード", "en": "Downloads"},
    "nav.void": {"ja": "データセット記述（VoID）", "en": "Dataset description (VoID)"},
    "nav.skip": {"ja": "本文へ移動", "en": "Skip to content"},
    "nav.main": {"ja": "サイト内の主なページ", "en": "Main pages"},
    "sep": {"ja": "、", "en": ", "},
    "colon": {"ja": "：", "en": ": "},
    "paren": {"ja": "（{x}）", "en": " ({x})"},
    "lang.switch": {"ja": "English", "en": "日本語"},
    "lang.label": {"ja": "言語", "en": "Language"},
    "search.placeholder": {"ja": "名称・説明を検索（例：ICT、健康）",
                           "en": "Search labels and descriptions (e.g. ICT, 健康)"},
    "search.button": {"ja": "検索", "en": "Search"},
    "search.title": {"ja": "検索", "en": "Search"},
    "search.results": {"ja": "「{q}」の検索結果：{n}件", "en": "{n} results for “{q}”"},
    "search.none": {"ja": "該当するものはありません。表記ゆれ（全角・半角）は自動で吸収します。",
                    "en": "Nothing found. Full-width and half-width forms are matched alike."},
    "search.hint": {"ja": "名称と説明の部分一致で検索します（全角・半角、大文字・小文字を区別しません）。",
                    "en": "Substring search over labels and descriptions (full-/half-width and case are ignored)."},
    "search.matched_in": {"ja": "一致した箇所", "en": "matched in"},
    "search.all": {"ja": "すべて", "en": "All"},
    "search.by_pref": {"ja": "都道府県で絞り込む", "en": "Filter by prefecture"},
    "home.title": {"ja": "都道府県DX政策ナレッジグラフ", "en": "Prefectural DX policy knowledge graph"},
    "home.about": {"ja": "都道府県のデジタル変革（DX）推進の基本方針・計画、関連事業・取組、KPI、ロードマップ、"
                         "会議の記録を、都道府県ごとに、相互にリンクしたデータとして公開しています。すべての事実は出典"
                         "（公開ページ、または出典文書のファイルと行番号）に辿れます。",
                   "en": "Prefectures' basic policies and plans for digital transformation (DX), their programs and "
                         "initiatives, KPIs, roadmaps and meeting records, prefecture by prefecture, published as "
                         "interlinked data. Every fact can be traced to its source: the published page, or the file "
                         "and lines of the source document."},
    "home.prefectures": {"ja": "収録している都道府県と出典", "en": "Prefectures in the data and their sources"},
    "home.pref_code": {"ja": "都道府県コード", "en": "Prefecture code"},
    "home.documents": {"ja": "出典文書", "en": "Source documents"},
    "home.shared": {"ja": "共通", "en": "Shared"},
    "home.total": {"ja": "合計", "en": "Total"},
    "home.class": {"ja": "クラス", "en": "Class"},
    "home.counts": {"ja": "収録件数（クラス別）", "en": "Resources by class"},
    "home.entry": {"ja": "入口", "en": "Entry points"},
    "home.policy_tree": {"ja": "政策の項目体系", "en": "Policy section tree"},
    "home.department_tree": {"ja": "部局の組織図", "en": "Department tree"},
    "home.municipalities": {"ja": "市町村（地域別）", "en": "Municipalities by region"},
    "home.fiscal_years": {"ja": "年度", "en": "Fiscal years"},
    "home.meetings": {"ja": "会議", "en": "Meetings"},
    "home.services": {"ja": "デジタルサービス", "en": "Digital services"},
    "home.charts": {"ja": "KPIの概観", "en": "KPIs at a glance"},
    "home.downloads": {"ja": "ダウンロード", "en": "Downloads"},
    "home.licence": {"ja": "ライセンスと出典", "en": "Licence and sources"},
    "home.licence_text": {"ja": "データセットのライセンス：", "en": "Dataset licence: "},
    "home.sources_text": {"ja": "出典文書（発行：{publisher}）", "en": "Source documents (published by {publisher})"},
    "home.dump": {"ja": "全データ（N-Quads）", "en": "Whole dataset (N-Quads)"},
    "home.graph_ttl": {"ja": "グラフ別 Turtle", "en": "Turtle per graph"},
    "home.release": {"ja": "リリース", "en": "Release"},
    "home.quads": {"ja": "クワッド数", "en": "Quads"},
    "home.examples": {"ja": "例となるクエリ", "en": "Example queries"},
    "res.types": {"ja": "種類", "en": "Types"},
    "res.properties": {"ja": "プロパティ", "en": "Properties"},
    "res.incoming": {"ja": "このリソースを参照しているもの", "en": "Linked from"},
    "res.incoming_none": {"ja": "参照しているリソースはありません。", "en": "No resource links here."},
    "res.more": {"ja": "さらに表示（全{n}件）", "en": "Show all {n}"},
    "res.page": {"ja": "{a}–{b}件目／全{n}件", "en": "{a}–{b} of {n}"},
    "res.prev": {"ja": "前へ", "en": "Previous"},
    "res.pages": {"ja": "ページ送り", "en": "Pages"},
    "res.property": {"ja": "プロパティ", "en": "Property"},
    "res.next": {"ja": "次へ", "en": "Next"},
    "res.provenance": {"ja": "出典", "en": "Provenance"},
    "res.prefecture": {"ja": "都道府県", "en": "Prefecture"},
    "res.shared": {"ja": "共通（特定の都道府県に属さないデータ）", "en": "Shared (belongs to no prefecture)"},
    "res.web_page": {"ja": "公開ページ", "en": "Published page"},
    "res.coverage": {"ja": "収録範囲についての注意", "en": "Note on coverage"},
    "res.date_seen": {"ja": "閲覧日", "en": "seen"},
    "res.parts": {"ja": "この文書の各ページ", "en": "Its pages"},
    "res.provenance_none": {"ja": "このリソースには出典抜粋が記録されていません（参照データ・語彙など）。",
                            "en": "No source excerpt is recorded for this resource (reference data, vocabulary …)."},
    "res.source_doc": {"ja": "出典文書", "en": "Source document"},
    "res.source_file": {"ja": "ファイル", "en": "File"},
    "res.lines": {"ja": "行", "en": "Lines"},
    "res.source_text": {"ja": "出典の本文（印刷どおり）", "en": "Source text as printed"},
    "res.evidence": {"ja": "根拠", "en": "Evidence"},
    "res.notes": {"ja": "整理者の注記", "en": "Curation notes"},
    "res.graphs": {"ja": "名前付きグラフ", "en": "Named graphs"},
    "res.formats": {"ja": "他の形式", "en": "Other formats"},
    "res.iri": {"ja": "IRI", "en": "IRI"},
    "res.external": {"ja": "外部リンク", "en": "External link"},
    "res.not_found": {"ja": "見つかりません", "en": "Not found"},
    "res.not_found_text": {"ja": "このデータセットには次のIRIのリソースがありません：",
                           "en": "This dataset has no resource with the IRI"},
    "res.summary": {"ja": "概要", "en": "Summary"},
    "res.all_data": {"ja": "すべてのデータ", "en": "All data"},
    "v.breadcrumb": {"ja": "項目", "en": "Section"},
    "v.program": {"ja": "事業", "en": "Program"},
    "v.program_rows": {"ja": "同じ事業の他の行", "en": "Other rows of the same program"},
    "v.departments": {"ja": "担当部局", "en": "Responsible departments"},
    "v.kpis": {"ja": "指標（KPI）又は目標", "en": "KPIs and targets"},
    "v.kpi": {"ja": "指標", "en": "Indicator"},
    "v.target": {"ja": "目標値", "en": "Target"},
    "v.unit": {"ja": "単位", "en": "Unit"},
    "v.year": {"ja": "目標年度", "en": "Target year"},
    "v.qualitative": {"ja": "定性的な目標", "en": "qualitative target"},
    "v.calendar_year": {"ja": "{year}年", "en": "{year}"},
    "v.values": {"ja": "値の推移（現状値・実績値・目標値）", "en": "Values over time (baseline, actuals, targets)"},
    "v.value_role": {"ja": "種類", "en": "Role"},
    "v.when": {"ja": "時点", "en": "When"},
    "v.value": {"ja": "値", "en": "Value"},
    "v.qualifier": {"ja": "限定", "en": "Qualifier"},
    "v.as_printed": {"ja": "印刷された値", "en": "Value as printed"},
    "v.target_text": {"ja": "目標の記載", "en": "Target as written"},
    "v.initiatives": {"ja": "関連事業・取組", "en": "Initiatives"},
    "v.initiative": {"ja": "関連事業・取組", "en": "Initiative"},
    "v.section": {"ja": "項目", "en": "Section"},
    "v.fiscal_year": {"ja": "年度", "en": "Fiscal year"},
    "v.listed_in": {"ja": "掲載された一覧", "en": "Listed in"},
    "v.description": {"ja": "概要", "en": "Description"},
    "v.children": {"ja": "下位の項目", "en": "Sub-sections"},
    "v.new_value": {"ja": "新しい価値", "en": "New value"},
    "v.roadmap": {"ja": "ロードマップ", "en": "Roadmap"},
    "v.roadmap_period": {"ja": "ロードマップ（{first}〜{last}）", "en": "Roadmap ({first}–{last})"},
    "v.roadmap_none": {"ja": "この項目にはロードマップの記載がありません。",
                       "en": "No roadmap is recorded for this section."},
    "v.unplaced": {"ja": "年度・行を特定できない記載", "en": "Texts that cannot be placed on a year"},
    "v.unplaced_note": {"ja": "出典の表から年度（または行）を読み取れないため、タイムラインに置いていません。",
                        "en": "The source table does not say which year (or row) these belong to, so they are not "
                              "placed on the timeline."},
    "v.placed": {"ja": "年度に配置された記載", "en": "Entries placed on a year"},
    "v.row_unknown": {"ja": "行不明", "en": "row unknown"},
    "v.parent": {"ja": "上位組織", "en": "Parent"},
    "v.sub_units": {"ja": "下位組織", "en": "Sub-units"},
    "v.org_tree": {"ja": "組織", "en": "Organisation"},
    "v.own_or_sub": {"ja": "担当", "en": "Unit"},
    "v.region": {"ja": "地域", "en": "Region"},
    "v.district": {"ja": "郡", "en": "District"},
    "v.kind": {"ja": "種別", "en": "Kind"},
    "v.code": {"ja": "全国地方公共団体コード", "en": "Local government code"},
    "v.groups": {"ja": "所属する市町村グループ", "en": "Municipality groups"},
    "v.links_out": {"ja": "外部リンク", "en": "Links out"},
    "v.estat": {"ja": "e-Stat 統計LOD（標準地域コード）", "en": "e-Stat statistical LOD (standard area code)"},
    "v.members": {"ja": "構成市町村", "en": "Members"},
    "v.roadmap_entries": {"ja": "この年度のロードマップ記載", "en": "Roadmap entries in this year"},
    "v.kpis_due": {"ja": "この年度が目標年度のKPI", "en": "KPIs due in this year"},
    "v.initiatives_listed": {"ja": "この年度の一覧に掲載された事業", "en": "Initiatives listed for this year"},
    "v.period": {"ja": "期間", "en": "Period"},
    "v.decisions": {"ja": "決定事項", "en": "Decisions"},
    "v.reports": {"ja": "報告事項", "en": "Reports"},
    "v.agenda": {"ja": "議題", "en": "Agenda"},
    "v.statements": {"ja": "発言", "en": "Statements"},
    "v.services": {"ja": "関係するサービス", "en": "Services concerned"},
    "v.speaker": {"ja": "発言者", "en": "Speaker"},
    "v.date": {"ja": "日付", "en": "Date"},
    "v.place": {"ja": "場所", "en": "Place"},
    "v.launch": {"ja": "提供開始", "en": "Launch"},
    "v.instances": {"ja": "インスタンス", "en": "Instances"},
    "v.superclasses": {"ja": "上位クラス", "en": "Superclasses"},
    "v.subclasses": {"ja": "下位クラス", "en": "Subclasses"},
    "v.domain_of": {"ja": "このクラスを定義域とするプロパティ", "en": "Properties with this domain"},
    "v.range_of": {"ja": "このクラスを値域とするプロパティ", "en": "Properties with this range"},
    "v.domain": {"ja": "定義域", "en": "Domain"},
    "v.range": {"ja": "値域", "en": "Range"},
    "v.usage": {"ja": "使用数", "en": "Uses"},
    "v.classes": {"ja": "クラス", "en": "Classes"},
    "v.properties": {"ja": "プロパティ", "en": "Properties"},
    "v.count": {"ja": "件数", "en": "Count"},
    "v.tree": {"ja": "項目の一覧", "en": "Tree"},
    "v.chart_kpi_by_dept": {"ja": "部局別のKPI数（数値目標／定性的な目標）",
                            "en": "KPIs per department (numeric / qualitative)"},
    "v.chart_kpi_by_unit": {"ja": "単位別の数値目標の数（都道府県別）",
                            "en": "Numeric targets per unit (by prefecture)"},
    "v.chart_kpi_by_dept_of": {"ja": "{pref}：部局別のKPI数（数値目標／定性的な目標）",
                               "en": "{pref}: KPIs per department (numeric / qualitative)"},
    "v.numeric": {"ja": "数値目標", "en": "numeric"},
    "v.department": {"ja": "部局", "en": "Department"},
    "v.phase": {"ja": "記載（段階）", "en": "Entry (phase)"},
    "v.kpi_siblings": {"ja": "同じ取組の他の指標", "en": "Other KPIs of the same initiative"},
    "v.as_table": {"ja": "同じデータを表で見る", "en": "The same data as a table"},
    "v.svg_file": {"ja": "この図のSVGファイル", "en": "This picture as an SVG file"},
    "v.chart_desc_dept": {"ja": "横棒グラフ。{n}の部局それぞれのKPIの数を、数値目標（塗りつぶし）と"
                                "定性的な目標（斜線）に分けて積み上げています。同じ数値を図の下の表でも示します。",
                          "en": "Horizontal bars: the KPIs of each of {n} departments, numeric targets (solid) and "
                                "qualitative targets (hatched) stacked. The same numbers are in the table below."},
    "v.chart_desc_unit": {"ja": "横棒グラフ。{n}の単位それぞれについて、数値目標の数を都道府県ごとに積み上げています"
                                "（凡例の色が都道府県）。同じ数値を都道府県別に図の下の表でも示します。",
                          "en": "Horizontal bars: for each of {n} units, the number of numeric targets, stacked by "
                                "prefecture (the legend's colours). The table below gives the same numbers by "
                                "prefecture."},
    "v.chart_desc_targets": {"ja": "横棒グラフ。{n}件のKPIの目標値を、{units}の単位ごとの枠に分けて示します"
                                   "（値は同じ単位の中でだけ比べられます）。同じ値を図の下の表でも示します。",
                             "en": "Horizontal bars: the targets of {n} KPIs in one panel per unit ({units} units; "
                                   "values compare only within a unit). The same values are in the table below."},
    "v.chart_desc_due": {"ja": "横棒グラフ。この年度が目標年度のKPIの数を、{n}の部局（都道府県）ごとに示します。"
                               "同じ数値を図の下の表でも示します。",
                         "en": "Horizontal bars: the KPIs due in this year for each of {n} departments (with their "
                               "prefecture). The same numbers are in the table below."},
    "v.timeline_desc": {"ja": "ロードマップの図。{rows}行の項目を縦に、年度を横に並べ、年度に配置できる記載{placed}件を"
                              "その年度の欄に置いています。出典から年度や行を特定できない記載{unplaced}件は、右の破線の"
                              "枠に別に示します。同じ内容を図の下の表でも示します。",
                        "en": "Roadmap picture: {rows} items as rows, fiscal years as columns; the {placed} entries "
                              "the source places on a year sit in that year's cell. The {unplaced} texts the source "
                              "does not place on a year (or row) are listed apart in the dashed panel on the right. "
                              "The same entries are in the tables below."},
    "v.chart_targets": {"ja": "目標値（単位ごと）", "en": "Targets (by unit)"},
    "v.municipalities": {"ja": "市町村", "en": "Municipalities"},
    "v.via": {"ja": "下位組織", "en": "via sub-unit"},
    "v.rows": {"ja": "行", "en": "rows"},
    "v.themes": {"ja": "テーマ", "en": "Themes"},
    "q.title": {"ja": "SPARQLクエリ", "en": "SPARQL query"},
    "q.run": {"ja": "実行", "en": "Run"},
    "q.editor_label": {"ja": "SPARQLクエリ", "en": "SPARQL query"},
    "q.rows_per_page": {"ja": "1ページに表示する行数", "en": "Rows per page"},
    "q.editor_scroll": {"ja": "クエリの表示領域（矢印キーでスクロール）", "en": "Query view (arrow keys scroll)"},
    "q.examples": {"ja": "例となるクエリ（クリックで実行）", "en": "Example queries (one click runs them)"},
    "q.examples_none": {"ja": "queries/ に例となるクエリはまだありません。",
                        "en": "There are no example queries in queries/ yet."},
    "q.results": {"ja": "結果", "en": "Results"},
    "q.rows": {"ja": "{n}行", "en": "{n} rows"},
    "q.truncated": {"ja": "結果は上限（{cap}行）で打ち切られています。",
                    "en": "The result was cut at the row cap ({cap} rows)."},
    "q.shown": {"ja": "先頭の{n}行を表示しています。すべてはダウンロードしてください。",
                "en": "The first {n} rows are shown; download for all of them."},
    "q.download": {"ja": "結果をダウンロード", "en": "Download results"},
    "q.error": {"ja": "クエリを実行できませんでした", "en": "The query could not be run"},
    "q.endpoint": {"ja": "エンドポイント", "en": "Endpoint"},
    "q.editor_note": {"ja": "エディタ（YASGUI）が読み込めない環境でも、このフォームはそのまま使えます。"
                            "エディタではTabキーで次の項目へ移り、字下げはCtrl+]、実行はCtrl+Enterです。",
                      "en": "The form works as it is where the editor (YASGUI) cannot load. In the editor, Tab "
                            "moves on to the next control; Ctrl+] indents and Ctrl+Enter runs the query."},
    "q.full_yasgui": {"ja": "YASGUI（フル画面）で開く", "en": "Open full YASGUI"},
    "q.true": {"ja": "真（true）", "en": "true"},
    "q.false": {"ja": "偽（false）", "en": "false"},
    "o.title": {"ja": "語彙（fdx オントロジー）", "en": "Vocabulary (the fdx ontology)"},
    "o.namespace": {"ja": "名前空間", "en": "Namespace"},
    "o.version": {"ja": "版", "en": "Version"},
    "o.term": {"ja": "語", "en": "Term"},
    "void.title": {"ja": "データセット記述（VoID + DCAT）", "en": "Dataset description (VoID + DCAT)"},
    "graph.kind": {"ja": "名前付きグラフ", "en": "Named graph"},
    "graph.sources": {"ja": "出典", "en": "Sources"},
    "graph.classes": {"ja": "クラス別の件数", "en": "Instances per class"},
    "graph.query": {"ja": "このグラフをSPARQLで調べる", "en": "Query this graph with SPARQL"},
    "graph.shared": {"ja": "共通データ（年度・日付・テーマ）", "en": "Shared data (fiscal years, dates, themes)"},
    "graph.national": {"ja": "全国の都道府県（未収録の県のコード・名称・e-Stat地域）",
                       "en": "All prefectures (codes, names and e-Stat areas of those not yet curated)"},
    "err.title": {"ja": "エラー", "en": "Error"},
    "err.bad_request": {"ja": "要求を処理できません", "en": "Bad request"},
    "footer.licence": {"ja": "ライセンス", "en": "Licence"},
    "footer.source": {"ja": "出典：各都道府県の公表資料（各ページに出典を表示）",
                      "en": "Sources: documents published by each prefecture (each page names its own)"},
    "footer.machine": {"ja": "このページはRDFとしても取得できます", "en": "This page is also available as RDF"},
}


def t(key: str, lang: str, **params) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get(DEFAULT_LANG) or key
    return text.format(**params) if params else text
