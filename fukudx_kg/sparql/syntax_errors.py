"""Explaining a SPARQL syntax error so the client can fix it: where, what, and a caret under it.

pyoxigraph (the engine) reports the furthest point its parser reached ("error at 4:2: expected
…"), which is sometimes past the real mistake; rdflib's parser reports where the failing
construct starts. The explanation gives the engine's position with the offending line, adds
rdflib's position when it differs, and names undeclared prefixes outright (the most common
mistake, which the engine reports as a puzzling "expected OPTIONAL").
"""

from __future__ import annotations

import re
import threading

from fukudx_kg.sparql.inspection import error_excerpt

_ENGINE_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_PNAME_USE = re.compile(r"(?<![\w?$:.<@-])([A-Za-z][\w.-]*)?:(?=[\w%\\]|\s|[,;.)\]}]|$)")
_lock = threading.Lock()
_MAX_EXPECTED = 240


def _undeclared_prefixes(query: str) -> list[str]:
    from fukudx_kg.sparql.inspection import inspect_query

    declared = inspect_query(query).prefixes
    # Remove strings, IRIs and comments before looking for prefixed names.
    stripped = re.sub(r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
                      r"|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n]*",
                      " ", query, flags=re.DOTALL)
    used = []
    for match in _PNAME_USE.finditer(stripped):
        name = match.group(1) or ""
        if name.upper() in ("PREFIX", "BASE"):
            continue
        if name not in declared and name not in used:
            used.append(name)
    return used


def _rdflib_position(query: str) -> tuple[int, int] | None:
    try:
        from pyparsing import ParseBaseException
        from rdflib.plugins.sparql.parser import parseQuery
    except ImportError:  # pragma: no cover - rdflib is a dependency
        return None
    try:
        with _lock:
            parseQuery(query)
    except ParseBaseException as exc:
        return exc.lineno, exc.col
    except Exception:  # noqa: BLE001 - a second opinion only
        return None
    return None


def explain(query: str, engine_message: str) -> str:
    """The client-facing text for a syntax error reported by the engine."""
    match = _ENGINE_ERROR.match(engine_message.strip())
    undeclared = _undeclared_prefixes(query)
    parts: list[str] = []
    if undeclared:
        names = ", ".join(f"'{name}:'" for name in undeclared)
        declarations = " ".join(f"PREFIX {name}: <…>" for name in undeclared)
        verb = "is" if len(undeclared) == 1 else "are"
        noun = "prefix" if len(undeclared) == 1 else "prefixes"
        parts.append(f"SPARQL syntax error: {noun} {names} {verb} used but not declared; add {declarations} "
                     "at the top of the query.")
    if not match:
        parts.append(f"SPARQL syntax error: {engine_message.strip()}. Fix the query and send it again.")
        return "\n".join(parts)
    line, column, expected = int(match.group(1)), int(match.group(2)), " ".join(match.group(3).split())
    if len(expected) > _MAX_EXPECTED:
        expected = expected[:_MAX_EXPECTED] + "…"
    if not undeclared:
        parts.append(f"SPARQL syntax error at line {line}, column {column}: {expected}.")
    else:
        parts.append(f"(The parser stopped at line {line}, column {column}: {expected}.)")
    excerpt = error_excerpt(query, line, column)
    if excerpt:
        parts.append(excerpt)
    other = _rdflib_position(query)
    if other and other != (line, column):
        start_excerpt = error_excerpt(query, *other)
        if start_excerpt:
            parts.append(f"The construct that fails starts at line {other[0]}, column {other[1]}:")
            parts.append(start_excerpt)
    parts.append("Fix the query at that position and send it again.")
    return "\n".join(parts)
