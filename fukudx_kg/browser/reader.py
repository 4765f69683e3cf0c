"""Read access for the browser pages: small fixed SPARQL templates run in the web process.

The query pool (`store.pool`) exists for *user* queries, which may run away. The browser only
runs its own templates, each bound to one IRI and bounded by LIMIT or by the resource's degree,
so it reads the same read-only store directly (or the remote endpoint, through the same
executor the pool uses), without a process hop per query. IRIs are checked before they are
put into a query (`sparql_iri`), so a request path can never change a template.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any, Callable, Generic, Iterable, TypeVar

import pyoxigraph as ox

from fukudx_kg.namespaces import PREFIXES
from fukudx_kg.store.executors import open_executor

_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

# Characters the SPARQL grammar forbids inside <…> (IRIREF), plus controls and space.
_BAD_IRI = re.compile(r'[<>"{}|^`\\\x00-\x20\x7f]')


def value_of(row: dict, key: str) -> str | None:
    """The lexical value of a variable in a result row, or None when unbound."""
    term = row.get(key)
    return term.value if term is not None else None


class BadIri(ValueError):
    """A string that cannot be used as an IRI in a query."""


def sparql_iri(iri: str) -> str:
    """`<iri>` for a query, or BadIri when the text could break out of the IRI token or is no IRI
    the store accepts (e.g. U+FFFD from undecodable bytes, a bad percent-escape)."""
    if not iri or _BAD_IRI.search(iri) or ":" not in iri:
        raise BadIri(iri)
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise BadIri(iri) from None
    return f"<{iri}>"


def is_safe_iri(iri: str) -> bool:
    try:
        sparql_iri(iri)
    except BadIri:
        return False
    return True


class StoreReader:
    """Runs the browser's queries; one per web process, opened lazily (safe across web-process forks)."""

    def __init__(self, backend: Any):
        self.backend = backend
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._executor: Any = None

    @property
    def release(self) -> str:
        info = self.backend.info()
        return info.release or "unreleased"

    def _open(self):
        if self._executor is not None and self._pid == os.getpid():
            return self._executor
        with self._lock:
            if self._executor is None or self._pid != os.getpid():
                # The store's own factory, as in a query process; relative IRIs stay unresolved here.
                self._executor = open_executor(dict(self.backend.worker_spec(), base_iri=None))
                self._pid = os.getpid()
        return self._executor

    def _run(self, query: str):
        return self._open().run(_PROLOGUE + query, None, None)

    def select(self, query: str) -> list[dict[str, Any]]:
        """Rows of a SELECT as dicts of pyoxigraph terms (unbound variables are absent)."""
        kind, payload = self._run(query)
        if kind != "solutions":
            raise ValueError("not a SELECT query")
        variables, rows = payload
        out = []
        for row in rows:
            out.append({v: t for v, t in zip(variables, row, strict=False) if t is not None})
        return out

    def ask(self, query: str) -> bool:
        kind, payload = self._run(query)
        return bool(payload) if kind == "boolean" else False

    def construct(self, query: str) -> list[ox.Triple]:
        kind, payload = self._run(query)
        if kind != "triples":
            raise ValueError("not a CONSTRUCT query")
        return list(payload)

    def values(self, iris: Iterable[str]) -> str:
        """A VALUES body of IRIs (unsafe ones dropped)."""
        return " ".join(sparql_iri(i) for i in iris if is_safe_iri(i))


T = TypeVar("T")


class PerRelease(Generic[T]):
    """A value read from the store once per dataset release (statistics, prefectures, search index)."""

    def __init__(self, compute: Callable[[StoreReader], T]):
        self._compute = compute
        self._lock = threading.Lock()
        self._value: T | None = None
        self._release: str | None = None

    def get(self, reader: StoreReader) -> T:
        release = reader.release
        with self._lock:
            if self._value is None or self._release != release:
                self._value = self._compute(reader)
                self._release = release
            return self._value
