"""UI strings of the comparison pages (ja first, en), added to the one message table of `web.i18n`
when the pages are installed, so templates use `t("cmp.…")` like every other page."""

from __future__ import annotations

from fukudx_kg.web import i18n

MESSAGES: dict[str, dict[str, str]] = {
    "cmp.title": {"ja": "都道府県の比較", "en": "Comparing prefectures"},
    "cmp.lead": {"ja": "収録したすべての都道府県のデータを、同じ問い（queries/compare/ のSPARQLクエリ）で並べます。"
                       "数値の隣には、その県のデータがどこまで揃っているか（収録の完全さ）を示します。",
                 "en": "The data of every prefecture in the graph, side by side, answered by the same questions "
                       "(the SPARQL queries in queries/compare/). Each number stands next to how complete that "
                       "prefecture's data is."},
    "cmp.not_curated": {"ja": "「未収録」は、その県の計画をまだ整理していないという意味で、"
                              "計画がないという意味ではありません。"
                              "「一部の項目」「計画の書誌のみ」の県にも、表にない取組や指標があり得ます。"
                              "空欄や0は「収録したデータの中にない」ことだけを表します。",
                        "en": "“Not curated” means that this prefecture's plans have not been curated yet — not that "
                              "it has no plan. Prefectures with “partial items” or “plan metadata only” may have "
                              "initiatives and indicators not in these tables. A blank or 0 only means “not in the "
                              "curated data”."},
    "cmp.sections": {"ja": "比較のページ", "en": "Comparison pages"},
    "cmp.overview": {"ja": "概要（テーマ×都道府県）", "en": "Overview (themes × prefectures)"},
    "cmp.kpis_nav": {"ja": "テーマ別のKPI", "en": "KPIs by theme"},
    "cmp.plans_nav": {"ja": "計画の期間", "en": "Plan periods"},
    "cmp.query": {"ja": "クエリ", "en": "Query"},
    "cmp.csv": {"ja": "CSVでダウンロード", "en": "Download as CSV"},
    "cmp.csv_note": {"ja": "CSVはUTF-8（BOM付き：Excelでそのまま開けます）。1行目が列名で、行はこの表と同じです。",
                     "en": "CSV in UTF-8 with a byte-order mark (Excel opens it as is); the first row names the "
                           "columns, the rows are those of this table."},
    "cmp.matrix": {"ja": "テーマ別の取組・KPIの数", "en": "Initiatives and KPIs per theme"},
    "cmp.matrix_hint": {"ja": "各セルは「取組の数 / KPIの数」です。数字から、その取組・KPIの一覧へ進めます。"
                              "列は、テーマに対応付けたデータのある都道府県です。",
                        "en": "Each cell is “initiatives / KPIs”; each number links to the list of them. The "
                              "columns are the prefectures with data linked to a theme."},
    "cmp.matrix_none": {"ja": "テーマに対応付けた取組・KPIはまだありません。",
                        "en": "No initiative or KPI is linked to a theme yet."},
    "cmp.coverage": {"ja": "47都道府県の収録状況", "en": "Coverage of the 47 prefectures"},
    "cmp.theme": {"ja": "テーマ", "en": "Theme"},
    "cmp.prefecture": {"ja": "都道府県", "en": "Prefecture"},
    "cmp.code": {"ja": "コード", "en": "Code"},
    "cmp.completeness": {"ja": "収録の完全さ", "en": "Completeness"},
    "cmp.plans": {"ja": "計画", "en": "Plans"},
    "cmp.initiatives": {"ja": "取組", "en": "Initiatives"},
    "cmp.kpis": {"ja": "KPI", "en": "KPIs"},
    "cmp.kpi_values": {"ja": "KPIの値", "en": "KPI values"},
    "cmp.theme_links": {"ja": "テーマの対応付け", "en": "Theme links"},
    "cmp.area": {"ja": "e-Stat 標準地域", "en": "e-Stat standard area"},
    "cmp.levels": {"ja": "収録の完全さの段階", "en": "Completeness levels"},
    "cmp.items_title": {"ja": "{pref}：テーマ「{theme}」の取組・KPI",
                        "en": "{pref}: initiatives and KPIs in “{theme}”"},
    "cmp.items_none": {"ja": "収録したデータの中にはありません。", "en": "None in the curated data."},
    "cmp.how": {"ja": "対応付け", "en": "Linked by"},
    "cmp.via.own": {"ja": "自身の対応付け", "en": "its own link"},
    "cmp.via.initiative": {"ja": "取組のテーマを継承", "en": "its initiative's theme"},
    "cmp.match.exact": {"ja": "一致", "en": "exact"},
    "cmp.match.broader": {"ja": "より広いテーマ", "en": "broader"},
    "cmp.doubtful": {"ja": "要確認", "en": "doubtful"},
    "cmp.owner_initiative": {"ja": "取組", "en": "Initiative"},
    "cmp.kpis_title": {"ja": "テーマ別のKPI", "en": "KPIs by theme"},
    "cmp.kpis_of": {"ja": "テーマ「{theme}」のKPI", "en": "KPIs in “{theme}”"},
    "cmp.pick_theme": {"ja": "テーマを選ぶ", "en": "Choose a theme"},
    "cmp.units_note": {"ja": "値は同じ単位の中でだけ比べられます。単位ごとに表を分けています。",
                       "en": "Values compare only within one unit: there is one table per unit."},
    "cmp.unit": {"ja": "単位", "en": "Unit"},
    "cmp.unit_group": {"ja": "単位：{unit}", "en": "Unit: {unit}"},
    "cmp.no_unit": {"ja": "（単位なし）", "en": "(no unit)"},
    "cmp.kpi": {"ja": "指標", "en": "Indicator"},
    "cmp.baseline": {"ja": "基準値", "en": "Baseline"},
    "cmp.actual": {"ja": "実績値", "en": "Actual"},
    "cmp.target": {"ja": "目標値", "en": "Target"},
    "cmp.year": {"ja": "年", "en": "year"},
    "cmp.year_kind": {"ja": "年の種類", "en": "Year kind"},
    "cmp.kind.fiscal year": {"ja": "年度", "en": "fiscal year"},
    "cmp.kind.calendar year": {"ja": "暦年", "en": "calendar year"},
    "cmp.source": {"ja": "出典", "en": "Source"},
    "cmp.no_kpis": {"ja": "このテーマのKPIは、収録したデータの中にはありません。",
                    "en": "No KPI in this theme in the curated data."},
    "cmp.plans_title": {"ja": "計画の期間（都道府県別）", "en": "Plan periods by prefecture"},
    "cmp.timeline": {"ja": "計画の期間（年度）", "en": "Plan periods (fiscal years)"},
    "cmp.timeline_desc": {"ja": "{n}件の計画（{prefs}都道府県）を、{first}年度から{last}年度までの共通の年度軸に並べた"
                                "帯グラフ。破線の帯は、出典に開始または終了の年度がない計画です。",
                          "en": "{n} plans of {prefs} prefectures on one fiscal-year axis from FY{first} to "
                                "FY{last}; a dashed bar is a plan whose first or last year the source does not give."},
    "cmp.fy_fmt": {"ja": "{year}年度", "en": "FY{year}"},
    "cmp.unknown_start": {"ja": "開始年度不明", "en": "start not given"},
    "cmp.unknown_end": {"ja": "終了年度不明", "en": "end not given"},
    "cmp.unknown_period": {"ja": "期間不明", "en": "period not given"},
    "cmp.plan": {"ja": "計画", "en": "Plan"},
    "cmp.plans_table": {"ja": "計画の期間（図と同じデータ）", "en": "Plan periods (the data of the picture)"},
    "cmp.timeline_table_note": {"ja": "帯の色は都道府県の区別だけを表します。期間が出典にない帯は破線と「不明」の文字で"
                                      "示します。同じデータを下の表に示します。",
                                "en": "A bar's colour only tells prefectures apart; a bound the source does not "
                                      "give is drawn dashed and says so in words. The table below has the same data."},
    "cmp.first_fy": {"ja": "開始年度", "en": "First FY"},
    "cmp.last_fy": {"ja": "終了年度", "en": "Last FY"},
    "cmp.issued": {"ja": "策定", "en": "Adopted"},
    "cmp.owner": {"ja": "所管", "en": "Owner"},
    "cmp.address": {"ja": "公開ページ", "en": "Published page"},
    "cmp.not_seen": {"ja": "不明", "en": "not given"},
    "cmp.covering": {"ja": "ある年度を期間に含む計画", "en": "Plans in force in a fiscal year"},
    "cmp.fy_input": {"ja": "年度（西暦。令和6年度＝2024）", "en": "Fiscal year (Western; 令和6年度 = 2024)"},
    "cmp.show": {"ja": "表示", "en": "Show"},
    "cmp.covering_of": {"ja": "{year}年度を含む計画：{n}件（{prefs}都道府県）",
                        "en": "Plans covering FY{year}: {n} ({prefs} prefectures)"},
    "cmp.covers": {"ja": "含むか", "en": "Covers"},
    "cmp.covers.yes": {"ja": "含む", "en": "yes"},
    "cmp.covers.unknown": {"ja": "不明（期間の一部が出典にない）", "en": "unknown (a bound is not given)"},
    "cmp.covering_note": {"ja": "期間の一方が出典にない計画は、その年度を含む可能性があるため"
                                "「不明」として載せています。",
                          "en": "Plans with a bound the source does not give are listed as “unknown”: they may "
                                "cover the year."},
}


def install() -> None:
    """Add the strings to the message table (a key defined elsewhere is never replaced)."""
    clash = set(MESSAGES) & {k for k, v in i18n.MESSAGES.items() if v is not MESSAGES.get(k)}
    if clash:
        raise RuntimeError(f"comparison UI strings clash with web.i18n: {sorted(clash)}")
    i18n.MESSAGES.update(MESSAGES)
