"""Reading curated YAML sources with line numbers, so every error says `file:line: what`."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from rdflib import URIRef

from fukudx_kg.build.schema import CELL, KINDS, REQUIRED
from fukudx_kg.build.seedtext import text_in_lines


class SourceError(Exception):
    """A curated source row is malformed; str() is `file:line: what is wrong`."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}:{line or 1}: {message}")


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> "Record":
    mapping = Record(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class Record(dict):
    """A YAML mapping that remembers the line it starts on."""

    line: int = 1


def load_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SourceError(path, mark.line + 1 if mark else None, f"not valid YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(path, None, f"not UTF-8: {exc}") from exc


def load_checked(path: Path, kind: str, sources_dir: Path) -> Any:
    """A curated YAML file whose keys are all known and whose quoted texts are printed where cited."""
    data = load_yaml(path)
    check_tree(data, kind, path, sources_dir, data.get("source") if isinstance(data, dict) else None)
    return data


def check_tree(node: Any, kind: str, path: Path, sources_dir: Path, source: str | None,
               line: int | None = None) -> None:
    if isinstance(node, list):
        for item in node:
            check_tree(item, kind, path, sources_dir, source, line)
        return
    if not isinstance(node, dict):
        if kind == CELL:
            raise SourceError(path, line, f"expected a {{text, lines}} mapping, got {node!r}")
        raise SourceError(path, line, f"expected a mapping ({kind}), got {type(node).__name__} {node!r}")
    line = getattr(node, "line", line)
    allowed = KINDS[kind]
    unknown = sorted(str(k) for k in node if k not in allowed)
    if unknown:
        raise SourceError(path, line, f"unknown key '{unknown[0]}' in a {kind} record; allowed keys: "
                          f"{', '.join(allowed)} (see data/prefectures/FORMAT.md)")
    missing = sorted(k for k in REQUIRED.get(kind, ()) if node.get(k) in (None, "", []))
    if missing:
        raise SourceError(path, line, f"missing required key '{missing[0]}' in a {kind} record")
    for key in ("source", "file"):
        if isinstance(node.get(key), str):
            source = node[key]
    if isinstance(node.get("text"), str) and node.get("lines") is not None:
        check_printed(node, path, sources_dir, source)
    for key, value in node.items():
        child = allowed[key]
        if child is not None and value is not None:
            check_tree(value, child, path, sources_dir, source, line)


def check_printed(cell: dict, path: Path, sources_dir: Path, source: str | None, line: int | None = None) -> None:
    """The build's curation check: the quoted text is printed on the cited lines of the local copy."""
    line = getattr(cell, "line", line)
    first, last = Reader(path).line_range(cell)
    if not source:
        raise SourceError(path, line, "a quoted text needs its local copy: add 'source: <file in data/sources>'")
    if not (sources_dir / source).is_file():
        raise SourceError(path, line, f"local copy {source!r} is not in {sources_dir} (add it and its sha256 "
                          "to SHA256SUMS)")
    try:
        printed = text_in_lines(cell["text"], source, first, last, sources_dir)
    except ValueError as exc:
        raise SourceError(path, line, str(exc)) from exc
    if not printed:
        raise SourceError(path, line, f"{cell['text'][:40]!r} is not printed on lines {first}-{last} of {source}: "
                          "correct the text (wrapped lines joined, as printed) or the line numbers")


def read_csv(path: Path, required: list[str], optional: list[str] = ()) -> list[tuple[int, dict[str, str]]]:
    """Rows with their 1-based file line; a missing or unknown column, or an empty cell, stops with file:line."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = reader.fieldnames or []
        missing = [c for c in required if c not in columns]
        if missing:
            raise SourceError(path, 1, f"missing column(s) {', '.join(missing)}")
        unknown = [c for c in columns if c not in required and c not in optional]
        if unknown:
            raise SourceError(path, 1, f"unknown column '{unknown[0]}'; allowed: {', '.join([*required, *optional])}")
        rows = []
        for row in reader:
            line = reader.line_num
            for col in required:
                if not (row.get(col) or "").strip():
                    raise SourceError(path, line, f"empty '{col}'")
            rows.append((line, {k: (v or "").strip() for k, v in row.items() if k}))
        return rows


class Reader:
    """Typed accessors over one curated file that fail with the row's location.

    `on_read` hears every record read, so the graph can say which file:line minted a resource.
    """

    def __init__(self, path: Path, on_read: Callable[[Path, int], None] | None = None):
        self.path = path
        self.on_read = on_read

    def fail(self, record: Any, message: str) -> SourceError:
        return SourceError(self.path, getattr(record, "line", None), message)

    def req(self, record: Record, key: str, kind: type | tuple[type, ...] = str) -> Any:
        if self.on_read is not None and hasattr(record, "line"):
            self.on_read(self.path, record.line)
        if not isinstance(record, dict) or key not in record or record[key] in (None, ""):
            raise self.fail(record, f"missing required field '{key}'")
        return self.typed(record, key, kind)

    def opt(self, record: Record, key: str, kind: type | tuple[type, ...] = str, default: Any = None) -> Any:
        if record.get(key) is None:
            return default
        return self.typed(record, key, kind)

    def typed(self, record: Record, key: str, kind: type | tuple[type, ...]) -> Any:
        value = record[key]
        if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            hint = " (quote it: YAML reads an unquoted date, time or number as another type)" if kind is str else ""
            raise self.fail(record, f"field '{key}' must be {names}, got {type(value).__name__} {value!r}{hint}")
        return value

    def line_range(self, record: Record, key: str = "lines") -> tuple[int, int]:
        value = self.req(record, key, list)
        if len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise self.fail(record, f"field '{key}' must be [first, last] line numbers, got {value!r}")
        first, last = value
        if first < 1 or last < first:
            raise self.fail(record, f"field '{key}' {value!r}: need 1 <= first <= last")
        return first, last


def page_address(r: Reader, rec: Record, url: object) -> URIRef:
    """A published page's address as an IRI; anything else is a curation slip."""
    if not isinstance(url, str) or not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
        raise r.fail(rec, f"{url!r} must be the http(s) address of a published page (one per list item)")
    return URIRef(url)
