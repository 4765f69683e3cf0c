"""The comparison pages' queries and their parameters: each query is a file of queries/compare/ (slug
`compare.<name>`), run as written except for the data of its VALUES clauses.

A query's parameter is its VALUES clause (`VALUES ?fy { 2024 }`, `VALUES (?first ?other) { ("07" "24") }`).
`bind_values` replaces the data of the clause naming exactly the given variables with one row of
values that the validators below have accepted, written as SPARQL terms by pyoxigraph (never raw
request text). The validators fail closed: anything else is a 400 that says what to give.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Any, Iterable

import pyoxigraph as ox

from fukudx_kg import examples
from fukudx_kg.browser.reader import PerRelease, StoreReader, value_of
from fukudx_kg.web.errors import ProtocolError

FY_MIN, FY_MAX = 1989, 2100     # 平成元年度 … : fiscal years a plan can name
_VALUES = re.compile(r"VALUES\s+(\?\w+|\(\s*(?:\?\w+\s*)+\))\s*\{", re.IGNORECASE)
_CODE = re.compile(r"[0-9]{2}\Z")


class QueryMissing(LookupError):
    """A comparison query the pages need is not in queries/compare/ (or lost its VALUES clause)."""


def query_text(name: str) -> str:
    found = examples.example(f"compare.{name}")
    if found is None:
        raise QueryMissing(f"queries/compare/{name}.rq is missing")
    return found.text


def _term(value: Any) -> str:
    """A validated Python value as a SPARQL term: int → integer, str → string literal (escaped)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"cannot put {type(value).__name__} into VALUES")
    return str(ox.Literal(value))


def _block_end(text: str, start: int) -> int:
    """The index of the `}` closing the data block opened just before `start` (quotes respected)."""
    quote = None
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "}":
            return i
        elif ch == "{":
            break
        i += 1
    raise QueryMissing("unterminated VALUES block")


def _clauses(query: str):
    """(match, variable names) of every VALUES clause outside comments."""
    for m in _VALUES.finditer(query):
        if "#" not in query[query.rfind("\n", 0, m.start()) + 1:m.start()]:
            yield m, re.findall(r"\?(\w+)", m.group(1))


def bind_values(query: str, **values: Any) -> str:
    """`query` with the data of the VALUES clauses over `values`' variables replaced by one row each.

    `bind_values(q, fy=2025)` turns `VALUES ?fy { 2024 }` into `VALUES ?fy { 2025 }`;
    `bind_values(q, first="07", other="13")` fills `VALUES (?first ?other) { (…) }` in its own order.
    Each variable must be named by exactly one clause, and a clause over several variables gets all
    of them; otherwise QueryMissing (the query file changed shape)."""
    if not values:
        return query
    wanted = set(values)
    chosen, covered = [], []
    for m, names in _clauses(query):
        if wanted & set(names):
            if not set(names) <= wanted:
                raise QueryMissing(f"VALUES over {names} needs all of them, got {sorted(wanted & set(names))}")
            chosen.append((m, names))
            covered += names
    if sorted(covered) != sorted(wanted):
        raise QueryMissing(f"expected one VALUES clause for each of {sorted(wanted)}, found {sorted(covered)}")
    for m, names in reversed(chosen):
        end = _block_end(query, m.end())
        terms = " ".join(_term(values[n]) for n in names)
        row = terms if m.group(1).startswith("?") else f"({terms})"
        query = query[:m.end()] + f" {row} " + query[end:]
    return query


def default_values(name: str, variable: str) -> list[str]:
    """The values a query file gives a variable in its own VALUES clause (its default), as written."""
    text = query_text(name)
    for m, names in _clauses(text):
        if names == [variable]:
            body = text[m.end():_block_end(text, m.end())]
            return [v.strip('"') for v in re.findall(r'"[^"]*"|\S+', body)]
    return []


class ResultCache:
    """Answers by (release, query text): a release's data never changes, and an edited query file
    is a new key. Bounded; shared by the threads of one web process."""

    def __init__(self, size: int = 128):
        self.size = size
        self._lock = threading.Lock()
        self._rows: OrderedDict[tuple[str, str], list[dict[str, str]]] = OrderedDict()

    def get(self, reader: StoreReader, query: str) -> list[dict[str, str]]:
        key = (reader.release, query)
        with self._lock:
            if key in self._rows:
                self._rows.move_to_end(key)
                return self._rows[key]
        rows = [{k: value_of(row, k) for k in row} for row in reader.select(query)]
        with self._lock:
            self._rows[key] = rows
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)
        return rows


RESULTS = ResultCache()


def run(reader: StoreReader, name: str, **values: Any) -> list[dict[str, str]]:
    """The rows of queries/compare/<name>.rq with `values` bound, as {variable: lexical value} (fresh
    dicts: the caller may add to them)."""
    return [dict(row) for row in RESULTS.get(reader, bind_values(query_text(name), **values))]


# ----------------------------------------------------------------------------- validation (400 when wrong)

def _themes(reader: StoreReader) -> dict[str, str]:
    """Every theme in the store: its IRI by its path under theme/ (the key the queries take)."""
    out = {}
    for row in reader.select("SELECT DISTINCT ?t WHERE { ?t a fdx:Theme }"):
        iri = row["t"].value
        if "/theme/" in iri:
            out[iri.split("/theme/", 1)[1]] = iri
    return dict(sorted(out.items()))


THEMES = PerRelease(_themes)


def theme_path(raw: str | None, known: Iterable[str]) -> str:
    """A theme's path under theme/ (e.g. `online-procedures`, `domain/education`) that is in the store."""
    known = list(known)
    text = (raw or "").strip()
    if not text:
        raise ProtocolError(400, "give ?theme=<path of a theme under theme/>, e.g. ?theme="
                                 f"{known[0] if known else 'online-procedures'}; /compare/kpis lists them")
    if text not in known:
        raise ProtocolError(400, f"theme={text[:80]!r} is not a theme of this dataset; give the path of one under "
                                 f"theme/ ({', '.join(known[:12])}{' …' if len(known) > 12 else ''}); "
                                 "/compare/kpis lists them all")
    return text


def pref_code(raw: str | None, known: Iterable[str]) -> str:
    """A prefecture code: two digits, of a prefecture in the store (e.g. 07)."""
    text = (raw or "").strip()
    if not _CODE.match(text):
        raise ProtocolError(400, f"pref={text[:40]!r} is not a prefecture code; give its two digits, e.g. ?pref=07 "
                                 "(the codes are listed under coverage on /compare)")
    if text not in set(known):
        raise ProtocolError(400, f"pref={text} is no prefecture of this dataset; the codes are listed under "
                                 "coverage on /compare")
    return text


def fiscal_year(raw: str | None) -> int:
    """A fiscal year as a Western year (令和6年度 = 2024) from FY_MIN to FY_MAX."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) != 4:
        raise ProtocolError(400, f"fy={text[:40]!r} is not a fiscal year; give it as a four-digit Western year, "
                                 "e.g. ?fy=2024 for 令和6年度")
    year = int(text)
    if not FY_MIN <= year <= FY_MAX:
        raise ProtocolError(400, f"fy={year} is out of range; give a fiscal year from {FY_MIN} to {FY_MAX}")
    return year
