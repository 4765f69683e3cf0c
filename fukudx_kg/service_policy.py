"""Which SERVICE endpoints a federated query may call — decided before any connection is made.

pyoxigraph evaluates `SERVICE <iri>` by fetching the IRI, so an open endpoint is an SSRF proxy.
The check runs in the query process, before the query is handed to the engine (and inside the
query timeout):

1. `query_inspect` lexes the query (linear time, any size) and reports every SERVICE clause with
   its target as the engine will see it: `\\u` escapes undone, prefixed names expanded;
2. rdflib's SPARQL parser cross-checks when it can parse the query (it cannot, e.g., beyond a
   few hundred triple patterns): every SERVICE target it finds is checked too;
3. each target must pass: `SERVICE ?var` is refused (its target is only known while the query
   runs); relative IRIs are refused; the IRI must be http(s), without user:password@ or dot
   segments, and equal an allow-list entry (or lie under an entry ending in '/'); scheme and host
   compare case-insensitively, default ports normalised. Loopback, private, link-local and
   `localhost` targets are named as such in the refusal. A SERVICE whose target cannot be read
   is refused as unverifiable.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["ServicePolicy", "ServiceRefused", "ServiceUnverifiable"]


class ServiceRefused(Exception):
    """A SERVICE target is not allowed; str() tells the client what to change."""


class ServiceUnverifiable(Exception):
    """A query mentioning SERVICE could not be parsed well enough to check its targets."""


_rdflib_lock = threading.Lock()  # rdflib's pyparsing grammar is not safe to use from several threads


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


@dataclass(frozen=True)
class _Endpoint:
    scheme: str
    host: str
    port: int
    path: str
    query: str

    @classmethod
    def parse(cls, iri: str) -> "_Endpoint | None":
        try:
            parts = urlsplit(iri)
            port = parts.port
        except ValueError:
            return None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
            return None
        if "@" in parts.netloc:
            return None
        return cls(scheme, parts.hostname.lower().rstrip("."), port or _default_port(scheme),
                   parts.path or "/", parts.query)


def _has_dot_segment(path: str) -> bool:
    segments = path.replace("%2e", ".").replace("%2E", ".").split("/")
    return any(segment in (".", "..") for segment in segments)


def _is_internal_host(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        # Decimal/hex/octal forms such as 2130706433 or 0x7f.1 still reach loopback in many clients.
        return bool(re.fullmatch(r"[0-9.]+|0x[0-9a-f.x]+", host))
    return (address.is_loopback or address.is_private or address.is_link_local
            or address.is_unspecified or address.is_reserved or address.is_multicast)


class ServicePolicy:
    """Checks the SERVICE clauses of a query against the configured allow-list."""

    def __init__(self, allowlist: tuple[str, ...] | list[str], base_iri: str | None = None):
        self.allowlist = tuple(allowlist)
        self.base_iri = base_iri
        self._entries = [(entry, _Endpoint.parse(entry)) for entry in self.allowlist]

    def allows(self, iri: str) -> bool:
        target = _Endpoint.parse(iri)
        if target is None or _has_dot_segment(target.path):
            return False
        for raw, entry in self._entries:
            if entry is None or (entry.scheme, entry.host, entry.port) != (target.scheme, target.host, target.port):
                continue
            if entry.path.endswith("/") and not entry.query:
                if target.path.startswith(entry.path):
                    return True
            elif (entry.path, entry.query) == (target.path, target.query):
                return True
        return False

    def _allowed_text(self) -> str:
        if not self.allowlist:
            return "this endpoint allows no federated endpoints (FUKUDX_SERVICE_ALLOWLIST is empty)"
        return "allowed endpoints: " + ", ".join(f"<{e}>" for e in self.allowlist)

    def check_iri(self, iri: str) -> None:
        """Raise ServiceRefused unless `iri` may be called."""
        if self.allows(iri):
            return
        target = _Endpoint.parse(iri)
        if target is None or _has_dot_segment(target.path):
            raise ServiceRefused(f"SERVICE <{iri}> refused: only plain http(s) endpoint IRIs without "
                                 f"user:password@ or ./.. segments can be federated; {self._allowed_text()}. "
                                 "Remove the SERVICE clause or use an allowed endpoint.")
        if _is_internal_host(target.host):
            raise ServiceRefused(f"SERVICE <{iri}> refused: {target.host} is a local or private network "
                                 f"address, which this server never contacts; {self._allowed_text()}. "
                                 "Remove the SERVICE clause.")
        raise ServiceRefused(f"SERVICE <{iri}> refused: the endpoint is not on the federation allow-list; "
                             f"{self._allowed_text()}. Remove the SERVICE clause, use an allowed endpoint, "
                             "or ask the operator to add it to FUKUDX_SERVICE_ALLOWLIST.")

    def check_query(self, query: str) -> list[str]:
        """Check every SERVICE clause of `query`; return the endpoint IRIs it will call.

        Raises ServiceRefused (→ 403) or ServiceUnverifiable (→ 400).
        """
        from .query_inspect import inspect_query, line_column

        info = inspect_query(query)
        if not info.services:
            return []
        iris = []
        for ref in info.services:
            line, column = line_column(query, ref.offset)
            where = f"(line {line}, column {column})"
            if ref.kind == "var":
                raise ServiceRefused(f"SERVICE ?{ref.target} {where} refused: the endpoint must be a fixed IRI so "
                                     f"it can be checked before the query runs; {self._allowed_text()}.")
            if ref.kind != "iri":
                raise ServiceUnverifiable(
                    f"SERVICE {where} is not followed by an endpoint IRI that can be checked ({ref.target[:40]!r}); "
                    "write SERVICE <http://…> { … } with a declared prefix or a full IRI. If 'service' is part of a "
                    "prefixed name here, write that name as a full IRI in <…> instead.")
            if ref.relative:
                raise ServiceRefused(f"SERVICE <{ref.target}> {where} refused: write the endpoint as an absolute "
                                     f"IRI; {self._allowed_text()}.")
            self.check_iri(ref.target)
            iris.append(ref.target)
        for term in self._rdflib_targets(query):
            if type(term).__name__ == "Variable":
                raise ServiceRefused(f"SERVICE ?{term} refused: the endpoint must be a fixed IRI; {self._allowed_text()}.")
            self.check_iri(str(term))
        return iris

    def _rdflib_targets(self, query: str, limit: int = 200_000) -> list:
        """SERVICE targets by rdflib's parser, or [] when it cannot parse the query (a cross-check only)."""
        if len(query) > limit:
            return []
        try:
            from rdflib.plugins.sparql.algebra import translateQuery
            from rdflib.plugins.sparql.parser import parseQuery

            with _rdflib_lock:
                algebra = translateQuery(parseQuery(query), base=self.base_iri).algebra
            found: list = []
            _collect_services(algebra, found, set())
            return found
        except (Exception, RecursionError):  # noqa: BLE001 - unparseable for rdflib: the lexer's answer stands
            return []


def _collect_services(node, found: list, seen: set) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue

    if id(node) in seen:
        return
    if isinstance(node, CompValue):
        seen.add(id(node))
        if node.name == "ServiceGraphPattern":
            found.append(node.get("term"))
        for value in node.values():
            _collect_services(value, found, seen)
    elif isinstance(node, dict):
        seen.add(id(node))
        for value in node.values():
            _collect_services(value, found, seen)
    elif isinstance(node, (list, tuple, set, frozenset)):
        seen.add(id(node))
        for value in node:
            _collect_services(value, found, seen)
    elif type(node).__name__ == "ParseResults":
        seen.add(id(node))
        for value in node:
            _collect_services(value, found, seen)
