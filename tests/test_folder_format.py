"""The folder format as a new user meets it: FORMAT.md documents every key the build knows, the
template folder builds into a valid prefecture once its placeholders are filled, and a slip in a
copied folder stops the build with `file:line: what is wrong, what to do`."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pyoxigraph
import pytest
import yaml

from fukudx_kg import validate as v
from fukudx_kg.build import schema
from fukudx_kg.build.pipeline import build, prefecture_folders
from fukudx_kg.build.sources import SourceError

ROOT = Path(__file__).resolve().parent.parent
PREFECTURES = ROOT / "data" / "prefectures"
FORMAT = PREFECTURES / "FORMAT.md"
TEMPLATE = PREFECTURES / "_template"
FOLDER = "40-fukuoka"  # a real prefecture code that neither 07 nor 24 uses
BASE = "https://w3id.org/fukudx/id/pref/40/"

# ---------------------------------------------------------------- FORMAT.md ↔ schema.py
# The section of FORMAT.md that documents each record kind: the file's section, and within it the
# `####` sub-heading naming the kind, for kinds nested in a file.
FILE_OF_KIND = {
    "prefecture": "prefecture.yaml", "completeness": "prefecture.yaml",
    "documents_file": "documents.yaml", "document": "documents.yaml", "period": "documents.yaml",
    "coverage": "documents.yaml",
    "policy_file": "policy/*.yaml", "label": "policy/*.yaml", "cover": "policy/*.yaml",
    "policy_section": "policy/*.yaml", "roadmap": "policy/*.yaml", "roadmap_row": "policy/*.yaml",
    "placed": "policy/*.yaml", "unplaced": "policy/*.yaml", "governance": "policy/*.yaml", "post": "policy/*.yaml",
    "list_file": "initiatives/*.yaml", "list_section": "initiatives/*.yaml", "row": "initiatives/*.yaml",
    "kpi": "initiatives/*.yaml", "kpi_value": "initiatives/*.yaml",
    "meetings_file": "meetings.yaml", "meeting_document": "meetings.yaml", "meeting": "meetings.yaml",
    "statement": "meetings.yaml", "agenda_item": "meetings.yaml", "service": "meetings.yaml",
    "launch": "meetings.yaml", "event": "meetings.yaml", "planned_item": "meetings.yaml", "mention": "meetings.yaml",
    "roadmap_fact": "meetings.yaml",
    "themes_file": "themes.yaml", "theme_link": "themes.yaml",
    "theme_scheme_file": "data/themes/*.yaml", "theme_scheme": "data/themes/*.yaml", "theme": "data/themes/*.yaml",
    schema.CELL: "Quoted cells",
}


def format_sections() -> dict[str, str]:
    """FORMAT.md's `##` sections by heading (the file name in backticks, or the heading's words)."""
    text = FORMAT.read_text(encoding="utf-8")
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    sections = {}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        name = re.match(r"`([^`]+)`", heading)
        sections[name.group(1) if name else heading.strip()] = body
    return sections


def kind_tables(body: str) -> dict[str, str]:
    """Within a section, the text under each `#### kind` sub-heading (the kind in backticks)."""
    parts = re.split(r"^#### .*?`([a-z_]+)`.*$", body, flags=re.M)
    return {kind: text for kind, text in zip(parts[1::2], parts[2::2], strict=True)}


def table_keys(text: str) -> set[str]:
    """The keys a table documents: the first cell of each row, in backticks."""
    return set(re.findall(r"^\| `([A-Za-z0-9_.-]+)`", text, flags=re.M))


def test_every_record_kind_is_placed_in_a_section():
    assert set(FILE_OF_KIND) == set(schema.KINDS)
    assert set(schema.FOLDER_FILES) <= set(FILE_OF_KIND.values())


@pytest.mark.parametrize("kind", sorted(schema.KINDS))
def test_every_key_of_a_kind_is_documented_in_its_section(kind):
    sections = format_sections()
    body = sections.get(FILE_OF_KIND[kind])
    assert body is not None, f"FORMAT.md has no section ## `{FILE_OF_KIND[kind]}`"
    tables = kind_tables(body)
    assert kind in tables, f"FORMAT.md § {FILE_OF_KIND[kind]} has no '#### … `{kind}`' table"
    documented = table_keys(tables[kind])
    allowed = set(schema.KINDS[kind])
    assert allowed - documented == set(), f"{kind}: keys the build knows but FORMAT.md does not document"
    assert documented - allowed == set(), f"{kind}: keys FORMAT.md documents but the build rejects"


@pytest.mark.parametrize("kind", sorted(schema.KINDS))
def test_required_keys_are_marked_required(kind):
    rows = kind_tables(format_sections()[FILE_OF_KIND[kind]])[kind]
    marked = set(re.findall(r"^\| `([A-Za-z0-9_.-]+)` \| required", rows, flags=re.M))
    assert marked == schema.REQUIRED.get(kind, set()), f"{kind}: the 'required' column disagrees with REQUIRED"


@pytest.mark.parametrize("name", sorted(schema.CSV_COLUMNS))
def test_every_csv_column_is_documented(name):
    body = format_sections().get(name)
    assert body is not None, f"FORMAT.md has no section ## `{name}`"
    required, optional = schema.CSV_COLUMNS[name]
    assert table_keys(body) == set(required) | set(optional)
    marked = set(re.findall(r"^\| `([A-Za-z0-9_.-]+)` \| required", body, flags=re.M))
    assert marked == set(required)


def test_format_documents_no_unknown_file():
    """Every `## \\`file\\`` section is a file the build reads (or the shared theme schemes)."""
    files = set(re.findall(r"^## `([^`]+)`", FORMAT.read_text(encoding="utf-8"), flags=re.M))
    known = set(schema.FOLDER_FILES) | set(schema.CSV_COLUMNS) | {"data/themes/*.yaml"}
    assert files == known


def test_the_old_initiatives_format_doc_is_gone():
    assert not (PREFECTURES / "FORMAT-initiatives.md").exists()
    tracked = [p for p in PREFECTURES.rglob("*.yaml") if "FORMAT-initiatives" in p.read_text(encoding="utf-8")]
    assert not tracked, "a curated file still points at FORMAT-initiatives.md"


# ---------------------------------------------------------------- the template folder
# A made-up local copy for the test prefecture; each line is quoted below by its number.
SOURCE = "test-plan.txt"
SOURCE_TEXT = """福岡県デジタル推進計画（試験用の架空の本文）
計画期間：令和5年度～令和9年度
1 行政のDX
1-1 行政手続のオンライン化
担当：総務部
KPI: オンラインで申請できる手続の割合(%)
現状値(2023年) 40 目標値(2027年) 100
※ 県の手続のうち、オンラインで申請できるものの割合
取組概要: 申請・届出の手続をオンライン化する
"""
LINES_0 = "[0, 0]"
# Per file, the placeholders in the order they appear (each replaces the first one left).
FILL = {
    "prefecture.yaml": [
        ('"<NN>"', '"40"'), ('"<NN0000+check digit>"', '"400009"'), ('"<NN000>"', '"40000"'),
        ("<〇〇県>", "福岡県"), ("<〇〇けん>", "ふくおかけん"), ("<〇〇 Prefecture>", "Fukuoka Prefecture"),
        ("<partial-items>", "partial-items"), ("<何を収録し、何を収録していないか>", "試験用の一部のみ"),
        ("<What is captured and what is not>", "A test, partial"),
    ],
    "documents.yaml": [
        ("<plan>", "plan"), ("<the title exactly as printed>", "福岡県デジタル推進計画"), (LINES_0, "[1, 1]"),
        ("<English title>", "Fukuoka digital plan (test)"), ("<https://www.pref.….lg.jp/…>", "https://example.org/plan"),
        ('"<YYYY-MM-DD>"', '"2024-05-01"'), ("<file-in-data-sources.txt>", SOURCE), (LINES_0, "[1, 9]"),
        ("<YYYY>", "2023"), ("<YYYY>", "2027"), ("<the period as printed>", "令和5年度～令和9年度"),
        (LINES_0, "[2, 2]"),
        ("<一部のみの収録：…>", "一部のみの収録：試験用"), ("<Partial: …>", "Partial: a test"),
        ("<anything uncertain about this document; delete the line if nothing is>", "試験用の架空の文書"),
    ],
    "policy/plan.yaml": [
        ("<file-in-data-sources.txt>", SOURCE), ("<plan>", "plan"), ("<plan>", "plan"),
        ("<〇〇計画の項目体系>", "試験計画の項目体系"), ("<Sections of the … plan>", "Sections of the test plan"),
        ('"<1>"', '"1"'), ('"<１>"', '"1"'), ("<the section name as printed>", "行政のDX"), (LINES_0, "[3, 3]"),
        ("<e.g. the number is not printed; taken from the items' numbering>", "分野番号は本文の番号による"),
    ],
    "initiatives/plan.yaml": [
        ("<file-in-data-sources.txt>", SOURCE), ("<plan>", "plan"), ("<plan>", "plan"), ("<plan>", "plan"),
        ('"<1-1>"', '"1-1"'), ("<the item name as printed>", "行政手続のオンライン化"), (LINES_0, "[4, 4]"),
        ('"<1-1>"', '"1-1"'), (LINES_0, "[4, 9]"), ("<部の名前>", "総務部"),
        ("<the initiative name as printed>", "行政手続のオンライン化"), (LINES_0, "[4, 4]"),
        ("<what the source says it does>", "申請・届出の手続をオンライン化する"), (LINES_0, "[9, 9]"),
        ("<the indicator as printed>", "オンラインで申請できる手続の割合"), (LINES_0, "[6, 7]"), ('"<%>"', '"%"'),
        ("<the ※ note defining the indicator>", "県の手続のうち、オンラインで申請できるものの割合"),
        (LINES_0, "[8, 8]"),
        ("<YYYY>", "2023"), ("<number as printed>", "40"), ("<YYYY>", "2027"), ("<number as printed>", "100"),
    ],
    "departments.csv": [("<部の名前>,<bu-slug>,<English name or empty>", "総務部,somu-bu,General Affairs Department")],
}


def fill(text: str, pairs: list[tuple[str, str]]) -> str:
    """Replace each placeholder, in order, where it first occurs outside a comment."""
    lines = text.split("\n")
    for old, new in pairs:
        for i, line in enumerate(lines):
            code, hash_, comment = line.partition("  #") if not line.lstrip().startswith("#") else ("", "", line)
            if old in code:
                lines[i] = code.replace(old, new, 1) + hash_ + comment
                break
        else:
            raise AssertionError(f"placeholder {old!r} not found: the template changed, update FILL")
    return "\n".join(lines)


def placeholders_left(node) -> list:
    if isinstance(node, dict):
        return [x for value in node.values() for x in placeholders_left(value)]
    if isinstance(node, list):
        return [node] if node == [0, 0] else [x for value in node for x in placeholders_left(value)]
    return [node] if isinstance(node, str) and "<" in node else []


@pytest.fixture()
def data_dir(tmp_path) -> Path:
    """A data directory laid out like data/: the filled template as the only prefecture, one local copy."""
    data = tmp_path / "data"
    folder = data / "prefectures" / FOLDER
    shutil.copytree(TEMPLATE, folder)
    for name, pairs in FILL.items():
        path = folder / name
        path.write_text(fill(path.read_text(encoding="utf-8"), pairs), encoding="utf-8")
        if path.suffix == ".yaml":
            assert placeholders_left(yaml.safe_load(path.read_text(encoding="utf-8"))) == [], name
        else:
            assert "<" not in path.read_text(encoding="utf-8"), name
    shutil.copytree(ROOT / "data" / "themes", data / "themes")
    shutil.copytree(ROOT / "data" / "national", data / "national")
    sources = data / "sources"
    sources.mkdir()
    (sources / SOURCE).write_text(SOURCE_TEXT, encoding="utf-8")
    digest = hashlib.sha256(SOURCE_TEXT.encode("utf-8")).hexdigest()
    (sources / "SHA256SUMS").write_text(f"{digest}  {SOURCE}\n", encoding="utf-8")
    return data


def test_template_lists_the_files_it_needs():
    names = {str(p.relative_to(TEMPLATE)) for p in TEMPLATE.rglob("*") if p.is_file()}
    assert {"prefecture.yaml", "documents.yaml", "policy/plan.yaml", "initiatives/plan.yaml",
            "departments.csv"} <= names
    assert set(FILL) <= names


def test_template_folder_is_never_built():
    """A folder whose name starts with '_' is skipped, whatever it holds."""
    assert (TEMPLATE / "prefecture.yaml").is_file()
    assert [p.name for p in prefecture_folders(ROOT / "data") if p.name.startswith("_")] == []


def built_store(data_dir: Path, out: Path) -> pyoxigraph.Store:
    """The real build of data_dir into out, loaded for queries over the union of its graphs."""
    release = build(out, data_dir=data_dir)
    assert "https://w3id.org/fukudx/graph/pref/40" in release["graphs"]
    store = pyoxigraph.Store()
    store.bulk_load(path=str(out / "dataset.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def ask(store: pyoxigraph.Store, pattern: str) -> bool:
    return store.query(f"ASK {{ {pattern} }}", use_default_graph_as_union=True)


def test_filled_template_builds_a_valid_prefecture(data_dir, tmp_path):
    out = tmp_path / "out"
    store = built_store(data_dir, out)

    def has(iri: str, cls: str) -> bool:
        return ask(store, f"<{iri}> a <https://w3id.org/fukudx/ontology#{cls}>")

    assert has("https://w3id.org/fukudx/id/pref/40", "Prefecture")
    assert has(BASE + "doc/plan", "PolicyDocument")
    assert has(BASE + "policy/plan/sec-1", "PolicySection")
    assert has(BASE + "policy/plan/sec-1-1", "PolicySection")
    assert has(BASE + "initiative/plan/1-1-1", "Initiative")
    assert has(BASE + "kpi/plan/1-1-1-1", "KPI")
    assert has(BASE + "kpi/plan/1-1-1-1/baseline-y2023", "KPIValue")
    assert has(BASE + "kpi/plan/1-1-1-1/target-y2027", "KPIValue")
    assert has(BASE + "org/somu-bu", "Department")
    skos = "http://www.w3.org/2004/02/skos/core#"
    assert ask(store, f"<{BASE}policy/plan/sec-1-1> <{skos}broader> <{BASE}policy/plan/sec-1> . "
                      f"<{BASE}initiative/plan/1-1-1> <https://w3id.org/fukudx/ontology#underSection> "
                      f"<{BASE}policy/plan/sec-1-1>")
    facts = store.query(f"""
        PREFIX fdx: <https://w3id.org/fukudx/ontology#>
        SELECT ?value ?unit ?url WHERE {{
          <{BASE}kpi/plan/1-1-1-1> fdx:targetValue ?value ; fdx:unit ?unit .
          <{BASE}doc/plan> <https://schema.org/url> ?url }}""", use_default_graph_as_union=True)
    assert [(r["value"].value, r["unit"].value, r["url"].value) for r in facts] == [
        ("100", "%", "https://example.org/plan")]

    graph = v.load([out / "dataset.nq"])
    conforms, violations = v.run(graph)
    assert conforms, v.format_text(conforms, violations)


def test_unfilled_template_says_which_placeholder_to_fill(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TEMPLATE, data / "prefectures" / FOLDER)
    shutil.copytree(ROOT / "data" / "national", data / "national")
    with pytest.raises(SourceError) as err:
        build(tmp_path / "out", data_dir=data)
    assert str(err.value).startswith(f"{data / 'prefectures' / FOLDER / 'prefecture.yaml'}:6: code '<NN>' must be")


def test_missing_national_list_is_a_clear_error(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TEMPLATE, data / "prefectures" / FOLDER)
    message = build_error(data, tmp_path)
    assert message.startswith(f"{data / 'national' / 'prefectures.csv'}:1: the national list of the 47 prefectures")


# ---------------------------------------------------------------- failure messages
def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first line containing needle."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if needle in line)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def build_error(data_dir: Path, tmp_path: Path) -> str:
    with pytest.raises(SourceError) as err:
        build(tmp_path / "out", data_dir=data_dir)
    return str(err.value)


def test_unknown_key_in_documents_names_the_key(data_dir, tmp_path):
    path = data_dir / "prefectures" / FOLDER / "documents.yaml"
    edit(path, "    title_en:", "    publisher: 福岡県\n    title_en:")
    message = build_error(data_dir, tmp_path)
    assert message.startswith(f"{path}:{line_of(path, '- key: plan')}: unknown key 'publisher' in a document record")
    assert "allowed keys: key, title," in message and "FORMAT.md" in message


def test_text_not_printed_on_its_lines(data_dir, tmp_path):
    path = data_dir / "prefectures" / FOLDER / "documents.yaml"
    edit(path, '"福岡県デジタル推進計画", lines: [1, 1]', '"福岡県デジタル推進計画", lines: [3, 3]')
    message = build_error(data_dir, tmp_path)
    assert message.startswith(f"{path}:{line_of(path, 'title:')}: '福岡県デジタル推進計画' is not printed on lines 3-3 "
                              f"of {SOURCE}: correct the text")


PREFECTURE_SLIPS = {
    "missing name": ("name_ja: 福岡県", "", "code:", "missing required key 'name_ja' in a prefecture record"),
    "disagrees with the national list": ('"400009"', '"400017"', "code:", "local_government_code '400017' differs "
                                         "from '400009' in data/national/prefectures.csv line 41"),
    "unknown completeness": ("level: partial-items", "level: most", "level:",
                             "completeness level 'most' must be one of full-list, partial-items, plan-metadata-only"),
}


@pytest.mark.parametrize("slip", sorted(PREFECTURE_SLIPS))
def test_prefecture_slips(data_dir, tmp_path, slip):
    old, new, at, says = PREFECTURE_SLIPS[slip]
    path = data_dir / "prefectures" / FOLDER / "prefecture.yaml"
    edit(path, old, new)
    assert build_error(data_dir, tmp_path).startswith(f"{path}:{line_of(path, at)}: {says}")


def test_unknown_csv_column(data_dir, tmp_path):
    path = data_dir / "prefectures" / FOLDER / "departments.csv"
    edit(path, "path,slug,name_en\n", "path,slug,name_en,name_kana\n")
    edit(path, "General Affairs Department", "General Affairs Department,そうむぶ")
    message = build_error(data_dir, tmp_path)
    assert message == f"{path}:1: unknown column 'name_kana'; allowed: path, slug, name_en"


def test_row_naming_an_undefined_department(data_dir, tmp_path):
    path = data_dir / "prefectures" / FOLDER / "initiatives" / "plan.yaml"
    edit(path, "[[総務部]]", "[[総務部, 情報政策課]]")
    message = build_error(data_dir, tmp_path)
    assert message == (f"{path}:{line_of(path, '- item:')}: department 総務部 › 情報政策課 has no slug in "
                       "departments.csv (add a row: 総務部/情報政策課,<ascii-slug>,<English name>)")


def set_keys(path: Path, indent: str, **values: str | None) -> None:
    """Replace (or, with None, delete) the first line `<indent><key>: …` of each key."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for key, value in values.items():
        i = next(i for i, line in enumerate(lines) if line.startswith(f"{indent}{key}:"))
        if value is None:
            del lines[i]
        else:
            lines[i] = f"{indent}{key}: {value}"
    path.write_text("\n".join(lines), encoding="utf-8")


def test_document_without_url_or_source(data_dir, tmp_path):
    """Deleting both: the quoted title has no local copy to be checked against."""
    path = data_dir / "prefectures" / FOLDER / "documents.yaml"
    set_keys(path, "    ", url=None, source=None)
    message = build_error(data_dir, tmp_path)
    assert message.startswith(f"{path}:{line_of(path, 'title:')}: a quoted text needs its local copy: add 'source: ")


def test_document_quoting_another_copy_still_needs_its_own_provenance(data_dir, tmp_path):
    """A title checked against a copy named in the cell does not make the document cite anything."""
    path = data_dir / "prefectures" / FOLDER / "documents.yaml"
    set_keys(path, "    ", title=f'{{text: "福岡県デジタル推進計画", lines: [1, 1], source: {SOURCE}}}',
             url=None, source=None, lines=None, period="{first_fy: 2023, last_fy: 2027}")
    message = build_error(data_dir, tmp_path)
    assert message.startswith(f"{path}:{line_of(path, '- key: plan')}: document plan has no provenance: give its "
                              "'url' (a published page) or its local copy ('source' and 'lines')")


def test_url_only_document_builds(data_dir, tmp_path):
    """A page cited by its address alone: its provenance is the page, not lines of a local copy."""
    path = data_dir / "prefectures" / FOLDER / "documents.yaml"
    set_keys(path, "    ", title=f'{{text: "福岡県デジタル推進計画", lines: [1, 1], source: {SOURCE}}}',
             source=None, lines=None, period="{first_fy: 2023, last_fy: 2027}")
    store = built_store(data_dir, tmp_path / "out")
    assert ask(store, f"<{BASE}doc/plan> <http://www.w3.org/ns/prov#wasDerivedFrom> <{BASE}source/plan> . "
                      f"<{BASE}source/plan> <https://schema.org/url> <https://example.org/plan>")


MEETINGS = """documents:
  - {key: minutes, source: test-plan.txt, title: {text: "福岡県デジタル推進計画", lines: [1, 1]}}
meetings:
  - key: "2024-01-15"
    source: test-plan.txt
    document: minutes
    lines: [1, 9]
    title: {text: "福岡県デジタル推進計画", lines: [1, 1]}
    date: "2024-01-15"
    start: "10:00"
    end: "11:00"
    place: {text: "行政のDX", lines: [3, 3]}
    statements:
      - {role: {text: "総務部", lines: [5, 5]}, speaker: 総務部長, department: 総務部, lines: [5, 5]}
services:
  - key: online
    source: test-plan.txt
    name: {text: "行政手続のオンライン化", lines: [4, 4]}
    launch: {date: "2024-03-19", status: launched, text: "行政手続のオンライン化", lines: [4, 4]}
"""


def test_meetings_builds(data_dir, tmp_path):
    (data_dir / "prefectures" / FOLDER / "meetings.yaml").write_text(MEETINGS, encoding="utf-8")
    store = built_store(data_dir, tmp_path / "out")
    assert ask(store, f"<{BASE}meeting/2024-01-15/statement/1> <https://w3id.org/fukudx/ontology#speaker> "
                      f"<{BASE}org/somu-bu/head>")


def test_statement_naming_an_undefined_department(data_dir, tmp_path):
    path = data_dir / "prefectures" / FOLDER / "meetings.yaml"
    path.write_text(MEETINGS.replace("department: 総務部", "department: 企画部"), encoding="utf-8")
    message = build_error(data_dir, tmp_path)
    assert message == (f"{path}:{line_of(path, '- {role:')}: department 企画部 has no slug in departments.csv "
                       "(add a row: 企画部,<ascii-slug>,<English name>)")


def test_unquoted_launch_date_is_reported_at_its_line(data_dir, tmp_path):
    """YAML reads an unquoted date as a date object: a clean message, not a TypeError."""
    path = data_dir / "prefectures" / FOLDER / "meetings.yaml"
    path.write_text(MEETINGS.replace('date: "2024-03-19"', "date: 2024-03-19"), encoding="utf-8")
    message = build_error(data_dir, tmp_path)
    assert message.startswith(f"{path}:{line_of(path, 'launch:')}: field 'date' must be str, got date")


def test_value_without_a_time_must_say_why(data_dir, tmp_path):
    """A value printed with no year is kept only with a flag saying so; silently undated is a slip."""
    path = data_dir / "prefectures" / FOLDER / "initiatives" / "plan.yaml"
    edit(path, "year: 2023, ", "")
    message = build_error(data_dir, tmp_path)
    assert message.startswith(f"{path}:") and "a value printed with no time at all gives none and says so in " \
        "'flags'" in message
