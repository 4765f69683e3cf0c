"""A small SPARQL lexer that tells, without executing anything, what a request's text is.

It finds: the query form (SELECT/ASK/CONSTRUCT/DESCRIBE) for content negotiation, whether the
text is an Update (INSERT, LOAD, DROP …) so it can be refused, the PREFIX/BASE declarations,
whether it has a dataset clause (FROM / FROM NAMED), and every `SERVICE` clause with its target
(IRI with escapes undone and prefixes expanded, or variable) for `service_policy`.

The lexer skips strings, IRIs and comments exactly like the SPARQL grammar and runs in linear
time on any input. It treats a word as the SERVICE keyword whenever it might be one, so it can
over-report (a rare prefixed name) but never miss a SERVICE clause the engine would run.
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
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[\w\u00B7\u0300-\u036F\u203F-\u2040-]+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


_NAME_CHARS = "\\w\u00B7\u0300-\u036F\u203F-\u2040-"
# PNAME_NS / PNAME_LN at a position (prefix optional; local part with %-encodings, \-escapes, inner dots).
_PNAME = re.compile(
    rf"(?P<prefix>[^\W\d_](?:[{_NAME_CHARS}.]*[{_NAME_CHARS}])?)?:"
    rf"(?P<local>(?:[{_NAME_CHARS}:]|%[0-9A-Fa-f]{{2}}|\\[-_~.!$&'()*+,;=/?#@%]|\.(?=[{_NAME_CHARS}:%\\]))*)")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class ServiceRef:
    """One SERVICE clause: what it calls, as the engine will see it."""

    kind: str          # "iri", "var" or "unknown" (no recognisable target: cannot be verified)
    target: str        # absolute or relative IRI, variable name, or the raw text that follows
    offset: int        # where the SERVICE keyword starts in the query text

    @property
    def relative(self) -> bool:
        return self.kind == "iri" and not _SCHEME.match(self.target)


@dataclass
class QueryInfo:
    form: str | None = None          # SELECT / CONSTRUCT / DESCRIBE / ASK, or None if unrecognised
    update: str | None = None        # the Update keyword (INSERT, DROP …) when the text is an Update
    service_count: int = 0           # how many words might be the SERVICE keyword
    services: list[ServiceRef] = field(default_factory=list)
    dataset_clause: bool = False     # FROM / FROM NAMED present: the query names its own dataset
    limit: int | None = None         # the outermost LIMIT (outside every { }), if any
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None


def inspect_query(text: str) -> QueryInfo:
    """Lex `text` and report its form, Update keyword, SERVICE count and prologue."""
    info = QueryInfo()
    significant: list[tuple[str, str, int]] = []  # (kind, text, start offset)
    service_tokens: list[int] = []
    depth = 0
    limit_next = False
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment"):
            continue
        value = match.group()
        start = match.start()
        if kind == "other" and value in "{}":
            depth += 1 if value == "{" else -1
        if limit_next:
            limit_next = False
            if kind == "word" and value.isdigit():
                info.limit = int(value)
        elif kind == "word" and depth == 0 and value.upper() == "LIMIT":
            limit_next = True
        if kind == "word" and value.lower() in ("service", "from") and _may_be_keyword(text, start):
            if value.lower() == "service":
                info.service_count += 1
                service_tokens.append(len(significant))
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
    for index in service_tokens:
        info.services.append(_service_ref(text, significant, index, info.prefixes))
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


def _may_be_keyword(text: str, start: int) -> bool:
    """False only when the word at `start` is certainly inside a prefixed name (ex:service, ex:a.service)."""
    before = text[start - 1] if start else ""
    if before == ":":
        return False
    if before == ".":
        j = start - 1
        while j > 0 and not text[j - 1].isspace() and text[j - 1] not in "{}()[],;":
            j -= 1
        run = text[j:start - 1]
        # `ex:a.service` is one prefixed name; `?o.SERVICE`, `<iri>.SERVICE`, `"x".SERVICE` are not
        if run and ":" in run and run[0] not in "?$<\"'":
            return False
    return True


def unescape_iri(iri: str) -> str:
    """Undo \\uXXXX / \\UXXXXXXXX escapes in an IRI reference, as the SPARQL grammar does."""
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)


def _service_ref(text: str, tokens: list[tuple[str, str, int]], index: int, prefixes: dict[str, str]) -> ServiceRef:
    offset = tokens[index][2]
    k = index + 1
    if k < len(tokens) and tokens[k][0] == "word" and tokens[k][1].upper() == "SILENT":
        k += 1
    if k >= len(tokens):
        return ServiceRef("unknown", "", offset)
    kind, value, start = tokens[k]
    if kind == "iri":
        return ServiceRef("iri", unescape_iri(value[1:-1]), offset)
    if kind == "var":
        return ServiceRef("var", value[1:], offset)
    match = _PNAME.match(text, start)
    if match and match.end() > start:
        prefix = match.group("prefix") or ""
        if prefix in prefixes:
            local = re.sub(r"\\(.)", r"\1", match.group("local"))
            return ServiceRef("iri", unescape_iri(prefixes[prefix]) + local, offset)
        return ServiceRef("unknown", match.group(), offset)
    return ServiceRef("unknown", text[start:start + 40], offset)


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


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
