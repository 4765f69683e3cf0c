"""The curated sources say only what the seeds print, where they print it, and miss no row."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from fukudx_kg.build.seedtext import SOURCES_DIR, lines_of, text_in_lines
from seed_rows import department_block_starts

ROOT = Path(__file__).resolve().parent.parent
PREFECTURES = ROOT / "data" / "prefectures"
FOLDERS = sorted(p for p in PREFECTURES.iterdir() if (p / "prefecture.yaml").exists() and not p.name.startswith("_"))
PREF = PREFECTURES / "07-fukushima"
SEEDS = ROOT.parent / "shared" / "seeds"
REFERENCE = ROOT.parent / "shared" / "reference" / "other-prefectures"
LIST_SEED = "002_83cdc51f1d24fcbc.txt"
# Curated files that hold no quoted text by design: codes and names from reference lists, theme links.
CITES_NO_TEXT = {"prefecture.yaml"}
CURATED = sorted(str(p) for folder in FOLDERS for p in folder.glob("**/*.yaml"))


def cells(node, source):
    """Every {text, lines} pair in a curated file, with the local copy it refers to."""
    if isinstance(node, dict):
        source = node.get("source", source) if isinstance(node.get("source"), str) else source
        if isinstance(node.get("text"), str) and isinstance(node.get("lines"), list):
            yield node.get("file", source), node["text"], node["lines"]
        for value in node.values():
            yield from cells(value, source)
    elif isinstance(node, list):
        for value in node:
            yield from cells(value, source)


def test_fukushima_mie_and_the_catalogue_are_curated():
    names = [f.name for f in FOLDERS]
    assert {"07-fukushima", "24-mie", "21-gifu", "40-fukuoka"} <= set(names) and len(names) == 30
    assert len(CURATED) >= 10, CURATED  # an empty glob would make the parametrised test below vanish


@pytest.mark.parametrize("path", CURATED, ids=lambda p: str(Path(p).relative_to(PREFECTURES)))
def test_every_curated_text_is_printed_at_its_lines(path):
    """Independent of the build's own check: the quoted words are on the cited lines of the local copy."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    source = data.get("source") if isinstance(data, dict) else None
    found = list(cells(data, source))
    if isinstance(data, dict) and not data.get("rows"):  # a list of plan-level KPIs: their labels are quoted
        found += [(source, kpi["label"], kpi["lines"]) for kpi in data.get("kpis") or []]
    if Path(path).name in CITES_NO_TEXT:
        assert not found, f"{path} now quotes a source: take it out of CITES_NO_TEXT"
        return
    assert found, f"{path}: no {{text, lines}} cells found, so nothing was checked"
    missing = [(f, lines, text[:30]) for f, text, lines in found if not text_in_lines(text, f, *lines)]
    assert not missing


def manifest() -> dict[str, str]:
    """data/sources/SHA256SUMS (`sha256sum` format): {file name: sha256 of the text as copied}."""
    entries = {}
    for line in (SOURCES_DIR / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        entries[name.lstrip("*")] = digest
    return entries


def test_sources_are_the_originals_unchanged():
    """Every text in data/sources has the digest it had when copied; where the seed set and the reference
    set sit beside the repository, the originals have those digests too."""
    recorded = manifest()
    assert set(recorded) == {p.name for p in SOURCES_DIR.glob("*.txt")}, "SHA256SUMS and data/sources differ"
    for name, digest in recorded.items():
        assert hashlib.sha256((SOURCES_DIR / name).read_bytes()).hexdigest() == digest, f"data/sources/{name} changed"
    if SEEDS.is_dir():
        assert {p.name for p in SEEDS.glob("*.txt")} <= set(recorded)
    for name, digest in recorded.items():
        original = next((d / name for d in (SEEDS, REFERENCE) if (d / name).is_file()), None)
        if SEEDS.is_dir():
            assert original is not None, f"{name} is neither a seed nor a reference text"
        if original is not None:
            assert hashlib.sha256(original.read_bytes()).hexdigest() == digest, f"original {name} differs"


def curated_rows():
    rows, responsible = [], []
    for path in sorted((PREF / "initiatives").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["source"] == LIST_SEED
        rows += [tuple(r["lines"]) for r in data["rows"]]
        responsible += [tuple(s["responsible_lines"]) for s in data["sections"] if s.get("responsible")]
    return rows, responsible


def test_every_printed_row_became_exactly_one_record():
    """Department blocks found in the seed text, independently of the YAML, map 1:1 to curated rows."""
    starts = department_block_starts(list(lines_of(LIST_SEED)))
    rows, responsible = curated_rows()
    spans = rows + responsible
    assert len(starts) == len(spans) == 127
    for start in starts:
        covering = [s for s in spans if s[0] <= start <= s[1]]
        assert len(covering) == 1, (start, covering)
    for span in spans:
        assert sum(span[0] <= s <= span[1] for s in starts) == 1, span


def test_every_row_is_an_initiative_in_the_graph(kg):
    from conftest import select
    rows, responsible = curated_rows()
    initiatives = select(kg, "SELECT (COUNT(?i) AS ?n) WHERE { GRAPH <https://w3id.org/fukudx/graph/pref/07> "
                             "{ ?i a fdx:Initiative } }")
    assert int(initiatives[0]["n"]) == len(rows) == 124
    with_department_only = select(kg, """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {
        ?s a fdx:PolicySection ; fdx:responsibleUnit ?d . FILTER NOT EXISTS { ?i fdx:underSection ?s } }""")
    assert int(with_department_only[0]["n"]) == len(responsible) == 3
