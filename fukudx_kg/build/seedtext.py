"""Access to the source texts by 1-based line, joined the way curators join wrapped lines."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fukudx_kg.paths import SOURCES_DIR


@lru_cache(maxsize=None)
def lines_of(file_name: str, sources_dir: Path = SOURCES_DIR) -> tuple[str, ...]:
    path = sources_dir / file_name
    return tuple(path.read_text(encoding="utf-8").split("\n"))


def joined(file_name: str, first: int, last: int, sources_dir: Path = SOURCES_DIR) -> str:
    """Lines first..last (1-based, inclusive) stripped and joined with nothing between.

    Japanese text wraps mid-word, so a wrapped label is the concatenation of
    its stripped lines; ideographic spaces inside a line survive.
    """
    lines = lines_of(file_name, sources_dir)
    if not (1 <= first <= last <= len(lines)):
        raise ValueError(f"{file_name}: line range {first}-{last} is outside 1-{len(lines)}")
    return "".join(strip_line(line) for line in lines[first - 1 : last])


def strip_line(line: str) -> str:
    return line.strip(" \t\r\n")


def text_in_lines(text: str, file_name: str, first: int, last: int,
                  sources_dir: Path = SOURCES_DIR) -> bool:
    """True when `text` (wrapped lines already joined) is printed within first..last."""
    haystack = joined(file_name, first, last, sources_dir)
    if text in haystack:
        return True
    # A cell may share a line with its neighbour, separated by a space that the
    # join keeps; comparing without plain spaces tolerates that and nothing else.
    return text.replace(" ", "") in haystack.replace(" ", "")
