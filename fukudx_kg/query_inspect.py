"""A small SPARQL lexer that tells, without executing anything, what a request's text is.

It finds: the query form (SELECT/ASK/CONSTRUCT/DESCRIBE) for content negotiation, whether the
text is an Update (INSERT, LOAD, DROP …) so it can be refused, the PREFIX declarations (reused
when writing Turtle), whether it has a dataset clause (FROM / FROM NAMED), and how many
`SERVICE` keywords it contains (each must then be checked by
`service_policy`). The lexer skips strings, IRIs and comments exactly like the SPARQL grammar,
and counts a word as SERVICE whenever it might be the keyword, so it can over-count (a rare
prefixed name like `ex:a.service`) but never under-count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")

_TOKENS = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)
             |\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z)
             |'(?:[^'\\\n\r]|\\.)*'
             |"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[\w\u00B7\u0300-\u036F\u203F-\u2040-]+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass
class QueryInfo:
    form: str | None = None          # SELECT / CONSTRUCT / DESCRIBE / ASK, or None if unrecognised
    update: str | None = None        # the Update keyword (INSERT, DROP …) when the text is an Update
    service_count: int = 0           # how many words might be the SERVICE keyword
    dataset_clause: bool = False     # FROM / FROM NAMED present: the query names its own dataset
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None


def inspect_query(text: str) -> QueryInfo:
    """Lex `text` and report its form, Update keyword, SERVICE count and prologue."""
    info = QueryInfo()
    significant: list[tuple[str, str, int]] = []  # (kind, text, start offset)
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment"):
            continue
        value = match.group()
        start = match.start()
        if kind == "word" and value.lower() in ("service", "from"):
            before = text[start - 1] if start else ""
            if before != ":":  # `ex:service` / `:service` are prefixed names, never the keyword
                if value.lower() == "service":
                    info.service_count += 1
                else:
                    info.dataset_clause = True
        significant.append((kind, value, start))

    # Prologue: (BASE <iri> | PREFIX pname: <iri>)*, then the first keyword.
    i, n = 0, len(significant)
    while i < n:
        kind, value, _ = significant[i]
        upper = value.upper() if kind == "word" else ""
        if upper == "BASE" and i + 1 < n and significant[i + 1][0] == "iri":
            info.base = significant[i + 1][1][1:-1]
            i += 2
            continue
        if upper == "PREFIX":
            # PNAME_NS is lexed as [word] ':' or just ':'
            j = i + 1
            name = ""
            if j < n and significant[j][0] == "word":
                name = significant[j][1]
                j += 1
            if j < n and significant[j][1] == ":" and j + 1 < n and significant[j + 1][0] == "iri":
                info.prefixes[name] = significant[j + 1][1][1:-1]
                i = j + 2
                continue
            break
        break
    if i < n and significant[i][0] == "word":
        keyword = significant[i][1].upper()
        if keyword in QUERY_FORMS:
            info.form = keyword
        elif keyword in UPDATE_KEYWORDS:
            info.update = keyword
    # An Update request may hold several operations separated by ';' after a query-looking start;
    # any Update keyword right after a top-level ';' also marks it as an Update.
    if info.update is None:
        for k in range(1, n):
            if significant[k - 1][1] == ";" and significant[k][0] == "word":
                word = significant[k][1].upper()
                if word in UPDATE_KEYWORDS and _looks_like_update_operation(significant, k):
                    info.update = word
                    break
    return info


def _looks_like_update_operation(tokens: list[tuple[str, str, int]], k: int) -> bool:
    word = tokens[k][1].upper()
    nxt = tokens[k + 1][1].upper() if k + 1 < len(tokens) else ""
    if word in ("INSERT", "DELETE"):
        return nxt in ("DATA", "WHERE", "{")
    if word in ("LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"):
        return nxt in ("SILENT", "GRAPH", "DEFAULT", "NAMED", "ALL") or tokens[k + 1][0] == "iri" if k + 1 < len(tokens) else False
    return word == "WITH" and k + 1 < len(tokens) and tokens[k + 1][0] == "iri"


def error_excerpt(text: str, line: int, column: int) -> str:
    """The query line named by a syntax error, with a caret under the column (1-based)."""
    lines = text.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return ""
    source = lines[line - 1]
    column = max(1, min(column, len(source) + 1))
    return f"{source}\n{' ' * (column - 1)}^"
