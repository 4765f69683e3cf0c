"""Reading curated YAML sources with line numbers, so every error says `file:line: what`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


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


class Reader:
    """Typed accessors over one curated file that fail with the row's location."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, record: Any, message: str) -> SourceError:
        return SourceError(self.path, getattr(record, "line", None), message)

    def req(self, record: Record, key: str, kind: type | tuple[type, ...] = str) -> Any:
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
            raise self.fail(record, f"field '{key}' must be {names}, got {type(value).__name__} {value!r}")
        return value

    def line_range(self, record: Record, key: str = "lines") -> tuple[int, int]:
        value = self.req(record, key, list)
        if len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise self.fail(record, f"field '{key}' must be [first, last] line numbers, got {value!r}")
        first, last = value
        if first < 1 or last < first:
            raise self.fail(record, f"field '{key}' {value!r}: need 1 <= first <= last")
        return first, last
