"""Which SERVICE endpoints a federated query may call — decided before any connection is made.

pyoxigraph evaluates `SERVICE <iri>` by fetching the IRI, so an open endpoint is an SSRF
proxy. Every query whose text may contain the SERVICE keyword (see `query_inspect`) is parsed
with rdflib's SPARQL parser and translated to algebra (prefixes, BASE and `\\u` escapes
resolved), and every ServiceGraphPattern is checked:

- `SERVICE ?var` is refused (its target is only known while the query runs);
- the IRI must be http(s), without user:password@, and equal an allow-list entry (or lie under
  an entry ending in '/'); scheme and host compare case-insensitively, default ports normalised;
- loopback, private, link-local and unspecified addresses and `localhost` are named as such in
  the refusal unless that exact endpoint is allow-listed;
- if the lexer saw more SERVICE keywords than the parser found, or rdflib cannot parse a query
  that mentions SERVICE, the query is refused: it could not be verified.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

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
        if target is None:
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
        if target is None:
            raise ServiceRefused(f"SERVICE <{iri}> refused: only plain http(s) endpoint IRIs without "
                                 f"user:password@ can be federated; {self._allowed_text()}. "
                                 "Remove the SERVICE clause or use an allowed endpoint.")
        if _is_internal_host(target.host):
            raise ServiceRefused(f"SERVICE <{iri}> refused: {target.host} is a local or private network "
                                 f"address, which this server never contacts; {self._allowed_text()}. "
                                 "Remove the SERVICE clause.")
        raise ServiceRefused(f"SERVICE <{iri}> refused: the endpoint is not on the federation allow-list; "
                             f"{self._allowed_text()}. Remove the SERVICE clause, use an allowed endpoint, "
                             "or ask the operator to add it to FUKUDX_SERVICE_ALLOWLIST.")

    def check_query(self, query: str, expected_services: int) -> list[str]:
        """Check every SERVICE clause of `query`; return the endpoint IRIs it will call.

        `expected_services` is the lexer's count of possible SERVICE keywords. Raises
        ServiceRefused or ServiceUnverifiable.
        """
        if expected_services <= 0:
            return []
        targets = self._service_targets(query)
        if len(targets) < expected_services:
            raise ServiceUnverifiable(
                f"the query mentions SERVICE {expected_services} time(s) but only {len(targets)} SERVICE "
                "clause(s) could be identified, so its federated calls cannot be verified. If 'service' is "
                "part of a prefixed name, write the full IRI in <…> instead.")
        from rdflib.term import Variable

        iris = []
        for term in targets:
            if isinstance(term, Variable):
                raise ServiceRefused(f"SERVICE ?{term} refused: the endpoint must be a fixed IRI so it can be "
                                     f"checked before the query runs; {self._allowed_text()}.")
            iri = str(term)
            if self.base_iri and not urlsplit(iri).scheme:
                iri = urljoin(self.base_iri, iri)
            self.check_iri(iri)
            iris.append(iri)
        return iris

    def _service_targets(self, query: str) -> list:
        from pyparsing import ParseBaseException
        from rdflib.plugins.sparql.algebra import translateQuery
        from rdflib.plugins.sparql.parser import parseQuery

        try:
            with _rdflib_lock:
                algebra = translateQuery(parseQuery(query), base=self.base_iri).algebra
        except ParseBaseException as exc:
            raise ServiceUnverifiable(
                f"the query mentions SERVICE but could not be parsed to check its endpoints "
                f"(line {exc.lineno}, column {exc.col}: {exc.msg}). Fix the syntax, or remove SERVICE.") from None
        except Exception as exc:  # rdflib raises plain exceptions, e.g. for an undeclared prefix
            raise ServiceUnverifiable(
                f"the query mentions SERVICE but could not be analysed to check its endpoints ({exc}). "
                "Fix the query (declare every prefix), or remove SERVICE.") from None
        found: list = []
        _collect_services(algebra, found, set())
        return found


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
