"""The example queries: queries/*.rq and one level of folders (queries/compare/*.rq), each headed
by the question it answers (the one source of example queries for the query pages, the home page,
the comparison pages and the tests). A query in a folder has the slug `<folder>.<name>`.

Each query states its question in English (`# Question: …`) and in Japanese (`# 質問: …`) on its
first lines; pages show the one in their language (`question_in`), so a Japanese reader is never
handed the English question."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fukudx_kg.paths import QUERIES_DIR

_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
MAX_EXAMPLE_BYTES = 200_000


@dataclass
class Example:
    slug: str
    question: str
    text: str
    question_ja: str = ""

    def question_in(self, lang: str) -> str:
        """The question in the UI language (`ja` → `# 質問:`, falling back to the English one)."""
        return (self.question_ja or self.question) if lang == "ja" else self.question


def examples(directory: Path = QUERIES_DIR) -> list[Example]:
    """Every queries/*.rq and queries/*/*.rq at request time, titled by its leading comment."""
    out = []
    if not directory.is_dir():
        return out
    paths = sorted(directory.glob("*.rq")) + sorted(directory.glob("*/*.rq"))
    for path in paths:
        slug = path.stem if path.parent == directory else f"{path.parent.name}.{path.stem}"
        if not _SLUG.match(slug) or not path.is_file() or path.stat().st_size > MAX_EXAMPLE_BYTES:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        out.append(Example(slug, question_of(text) or slug, text, question_of(text, _JAPANESE)))
    return out


_ENGLISH = r"(?i)(question|q)\s*[:：]\s*(.+)"
_JAPANESE = r"(質問|問い)\s*[:：]\s*(.+)"


def question_of(text: str, pattern: str = _ENGLISH) -> str:
    """The question from the leading comment lines: the one `pattern` names (`# Question: …` by
    default, `# 質問: …` with _JAPANESE); for English, else the first comment; for Japanese, else ""."""
    comments = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            if comments:
                break
            continue
        if not stripped.startswith("#"):
            break
        comments.append(stripped.lstrip("#").strip())
    for c in comments:
        m = re.match(pattern, c)
        if m:
            return m.group(2).strip()
    if pattern == _JAPANESE:
        return ""
    return next((c for c in comments if c), "")


def example(slug: str, directory: Path = QUERIES_DIR) -> Example | None:
    if not _SLUG.match(slug or ""):
        return None
    for ex in examples(directory):
        if ex.slug == slug:
            return ex
    return None


def first_query(directory: Path = QUERIES_DIR) -> str:
    """The query a fresh query form starts with: the first example."""
    found = examples(directory)
    return found[0].text if found else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
