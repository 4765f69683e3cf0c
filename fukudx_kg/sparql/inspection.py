"""A small SPARQL lexer that tells, without executing anything, what a request's text is.

It finds: the query form (SELECT/ASK/CONSTRUCT/DESCRIBE) for content negotiation, whether the
text is an Update (INSERT, LOAD, DROP …) so it can be refused, the PREFIX/BASE declarations,
whether it has a dataset clause (FROM / FROM NAMED), how deeply it nests, and every place where
the engine might read a `SERVICE` clause, with each target it might call, for `service_policy`.

Oxigraph's grammar is a PEG that needs no space between tokens (`SERVICESILENT<…>`,
`1SERVICE <…>`, `?o.SERVICE`, `PREFIXex:<…>` all parse), so keywords are not looked for as
words: every "service" outside strings, IRIs, comments, variables and the local part of
prefixed names (which the engine reads whole, as this lexer does), even inside a longer word,
counts as a possible SERVICE keyword, and whatever the engine could read after it
(with or without SILENT) is reported as a target. This over-reports (`ex:myservice <x>`) but
never misses a clause the engine would run. The lexer skips strings, IRIs and comments exactly
like the SPARQL grammar and runs in linear time on any input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
_EXCERPT = 160  # characters of a long query line shown around an error
MAX_NESTING = 100  # { ( [ deeper than this is refused: the engine's recursive parser crashes far above it

_NAME_CHARS = "\\w\u00B7\u0300-\u036F\u203F-\u2040-"
# PNAME_NS / PNAME_LN at a position (prefix optional; local part with %-encodings, \-escapes, inner dots).
_PNAME = re.compile(
    rf"(?P<prefix>[^\W\d_](?:[{_NAME_CHARS}.]*[{_NAME_CHARS}])?)?:"
    rf"(?P<local>(?:[{_NAME_CHARS}:]|%[0-9A-Fa-f]{{2}}|\\[-_~.!$&'()*+,;=/?#@%]|\.(?=[{_NAME_CHARS}:%\\]))*)")
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
  | (?P<pname>{pname})
  | (?P<word>[\w\u00B7\u0300-\u036F\u203F-\u2040@-]+)
  | (?P<other>.)
    """.replace("{pname}", _PNAME.pattern.replace("#", r"\#")),
    re.VERBOSE | re.DOTALL,
)

_IRIREF = re.compile(r"<((?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>")
_VAR = re.compile(r"[?$]([\w\u00B7\u0300-\u036F\u203F-\u2040]+)")
_SKIP = re.compile(r"(?:\s+|\#[^\n\r]*)*")  # the engine's "_": white space and comments
_SERVICE = re.compile(r"service", re.IGNORECASE)
_SILENT = re.compile(r"silent", re.IGNORECASE)
_BASE_DECL = re.compile(r"BASE", re.IGNORECASE)
_PREFIX_DECL = re.compile(r"PREFIX", re.IGNORECASE)
_PNAME_NS = re.compile(rf"([^\W\d_](?:[{_NAME_CHARS}.]*[{_NAME_CHARS}])?)?:")
_FIRST_KEYWORD = re.compile(r"[A-Za-z]+")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class ServiceRef:
    """One target the engine might call for a possible SERVICE keyword."""

    kind: str          # "iri", "var" or "unknown" (a prefixed name whose prefix is not declared)
    target: str        # absolute or relative IRI, variable name, or the raw prefixed name
    offset: int        # where the possible SERVICE keyword starts in the query text

    @property
    def relative(self) -> bool:
        return self.kind == "iri" and not _SCHEME.match(self.target)


@dataclass
class QueryInfo:
    form: str | None = None          # SELECT / CONSTRUCT / DESCRIBE / ASK, or None if unrecognised
    update: str | None = None        # the Update keyword (INSERT, DROP …) when the text is an Update
    service_count: int = 0           # how many places might be the SERVICE keyword
    services: list[ServiceRef] = field(default_factory=list)
    dataset_clause: bool = False     # FROM / FROM NAMED present: the query names its own dataset
    limit: int | None = None         # the outermost LIMIT (outside every { }), if any
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None
    nesting: int = 0                 # deepest nesting of { ( [
    body_start: int = 0              # offset of the first keyword after the prologue


def inspect_query(text: str) -> QueryInfo:
    """Lex `text` and report its form, Update keyword, SERVICE targets, nesting and prologue."""
    info = QueryInfo()
    info.body_start = _read_prologue(text, info)
    keyword = _FIRST_KEYWORD.match(text, info.body_start)
    if keyword:
        upper = keyword.group().upper()
        info.form = next((form for form in QUERY_FORMS if upper.startswith(form)), None)
        if info.form is None:
            info.update = next((word for word in UPDATE_KEYWORDS if upper.startswith(word)), None)
    braces = nesting = 0
    limit_next = False
    previous = ""
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment"):
            continue
        value, before, previous = match.group(), previous, match.group()
        if kind in ("string", "iri", "var"):
            limit_next = False
            continue
        if kind == "other":
            if value in "{([":
                nesting += 1
                info.nesting = max(info.nesting, nesting)
                braces += value == "{"
            elif value in "})]":
                nesting -= 1
                braces -= value == "}"
            limit_next = False
            continue
        if limit_next:
            limit_next = False
            if value.isdigit():
                info.limit = int(value)
        elif braces == 0 and value.upper() == "LIMIT":
            limit_next = True
        if braces == 0 and before == ";" and info.update is None:
            # An Update request may chain operations with ';' after a query-looking start.
            info.update = next((word for word in UPDATE_KEYWORDS if value.upper().startswith(word)), None)
        if value.upper().startswith("FROM") and _may_be_keyword(text, match.start()):
            info.dataset_clause = True
        if kind == "pname":  # the engine reads a prefixed name whole: no keyword inside its local part
            value = value[:value.index(":")]
        for found in _SERVICE.finditer(value):
            info.service_count += 1
            offset = match.start() + found.start()
            info.services.extend(_service_targets(text, match.start() + found.end(), offset, info.prefixes))
    return info


def _read_prologue(text: str, info: QueryInfo) -> int:
    """Read (BASE <iri> | PREFIX pname: <iri>)* as the engine does (no space needed); return the end."""
    position = _SKIP.match(text, 0).end()
    while True:
        declaration = _BASE_DECL.match(text, position)
        if declaration:
            iri = _IRIREF.match(text, _SKIP.match(text, declaration.end()).end())
            if iri:
                info.base = unescape_iri(iri.group(1))
                position = _SKIP.match(text, iri.end()).end()
                continue
        declaration = _PREFIX_DECL.match(text, position)
        if declaration:
            name = _PNAME_NS.match(text, _SKIP.match(text, declaration.end()).end())
            if name:
                iri = _IRIREF.match(text, _SKIP.match(text, name.end()).end())
                if iri:
                    info.prefixes[name.group(1) or ""] = unescape_iri(iri.group(1))
                    position = _SKIP.match(text, iri.end()).end()
                    continue
        return position


def _service_targets(text: str, end: int, offset: int, prefixes: dict[str, str]) -> list[ServiceRef]:
    """What the engine could call if "service" ending at `end` is the keyword: with and without SILENT."""
    position = _SKIP.match(text, end).end()
    starts = [position]
    silent = _SILENT.match(text, position)
    if silent:
        starts.append(_SKIP.match(text, silent.end()).end())
    refs = []
    for start in starts:
        ref = _var_or_iri(text, start, offset, prefixes)
        if ref is not None and ref not in refs:
            refs.append(ref)
    return refs


def _var_or_iri(text: str, start: int, offset: int, prefixes: dict[str, str]) -> ServiceRef | None:
    iri = _IRIREF.match(text, start)
    if iri:
        return ServiceRef("iri", unescape_iri(iri.group(1)), offset)
    var = _VAR.match(text, start)
    if var:
        return ServiceRef("var", var.group(1), offset)
    pname = _PNAME.match(text, start)
    if pname:
        prefix = pname.group("prefix") or ""
        if prefix in prefixes:
            local = re.sub(r"\\(.)", r"\1", pname.group("local"))
            return ServiceRef("iri", prefixes[prefix] + local, offset)
        return ServiceRef("unknown", pname.group(), offset)
    return None  # nothing the engine could call: "service" is not a SERVICE keyword here


def _may_be_keyword(text: str, start: int) -> bool:
    """False only when the word at `start` is certainly inside a prefixed name (ex:from)."""
    return not start or text[start - 1] != ":"


def unescape_iri(iri: str) -> str:
    """Undo \\uXXXX / \\UXXXXXXXX escapes in an IRI reference, as the SPARQL grammar does."""
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def error_excerpt(text: str, line: int, column: int) -> str:
    """The query line named by a syntax error, with a caret under the column (1-based)."""
    lines = text.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return ""
    source = lines[line - 1]
    column = max(1, min(column, len(source) + 1))
    start = max(0, column - 1 - _EXCERPT // 2)  # a long line is shown around the column only
    shown = source[start:start + _EXCERPT]
    prefix, suffix = ("…" if start else ""), ("…" if start + _EXCERPT < len(source) else "")
    return f"{prefix}{shown}{suffix}\n{' ' * (column - 1 - start + len(prefix))}^"
