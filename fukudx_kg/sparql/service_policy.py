"""Which SERVICE endpoints a federated query may call — decided before any connection is made.

pyoxigraph evaluates `SERVICE <iri>` by fetching the IRI, so an open endpoint is an SSRF proxy.
The check runs in the query process, before the query is handed to the engine (and inside the
query timeout):

1. `inspection` lexes the query (linear time, any size) and reports every place the engine
   might read as SERVICE, with every target it might call: `\\u` escapes undone, prefixed names
   expanded, with and without SILENT;
2. whenever the text says "service" anywhere (or has `\\u` escapes), rdflib's SPARQL parser, an
   independent second reading, must parse it too, and every SERVICE target it finds is checked;
   a query it cannot read is refused (400): the check fails closed, at any size;
3. each target must pass: `SERVICE ?var` is refused (its target is only known while the query
   runs); relative IRIs are refused; the IRI must be http(s), without user:password@ or dot
   segments, and equal an allow-list entry (or lie under an entry ending in '/'); scheme and host
   compare case-insensitively, default ports normalised. Loopback, private, link-local and
   `localhost` targets are named as such in the refusal. A SERVICE whose target cannot be read
   is refused as unverifiable.

Behind both, query processes of an embedded store with an empty allow-list run in a network
namespace of their own with no interfaces up (`sandbox`), so even a check that was fooled
cannot open a connection.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import sys
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from fukudx_kg.sparql.inspection import inspect_query, line_column

__all__ = ["ServicePolicy", "ServiceRefused", "ServiceUnverifiable"]

log = logging.getLogger(__name__)

# The second parser runs on any query whose text says "service" (in any case, anywhere, even in
# a string: the two lexers might disagree on where a string ends) or has \u escapes.
_SECOND_CHECK = re.compile(r"service|\\[uU]", re.IGNORECASE)
_PARSER_RECURSION = 200_000
_PARSER_STACK = 64 * 1024 * 1024


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
        self._entries = [_Endpoint.parse(entry) for entry in self.allowlist]

    def allows(self, iri: str) -> bool:
        target = _Endpoint.parse(iri)
        if target is None or _has_dot_segment(target.path):
            return False
        for entry in self._entries:
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
        """Check every possible SERVICE clause of `query`; return the endpoint IRIs it may call.

        Raises ServiceRefused (→ 403) or ServiceUnverifiable (→ 400).
        """
        info = inspect_query(query)
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
        if _SECOND_CHECK.search(query):
            for term in self._rdflib_targets(query):
                if type(term).__name__ == "Variable":
                    raise ServiceRefused(f"SERVICE ?{term} refused: the endpoint must be a fixed IRI; "
                                         f"{self._allowed_text()}.")
                self.check_iri(str(term))
        return iris

    def _rdflib_targets(self, query: str) -> list:
        """SERVICE targets found by rdflib's parser, an engine independent of the lexer.

        A query it cannot read is refused (fail closed). Its parser recurses once per triple
        pattern, so it runs on a thread with a large stack; the caller's timeout bounds it.
        """
        outcome: dict = {}

        def parse() -> None:
            from rdflib.plugins.sparql.algebra import translateQuery
            from rdflib.plugins.sparql.parser import parseQuery

            try:
                algebra = translateQuery(parseQuery(query), base=self.base_iri).algebra
                found: list = []
                _collect_services(algebra, found, set())
                outcome["found"] = found
            except (Exception, RecursionError) as exc:  # noqa: BLE001 - any failure means "cannot tell"
                outcome["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"

        with _rdflib_lock:
            limit = sys.getrecursionlimit()
            size = threading.stack_size()
            sys.setrecursionlimit(max(limit, _PARSER_RECURSION))
            threading.stack_size(_PARSER_STACK)
            try:
                thread = threading.Thread(target=parse, name="service-check")
                thread.start()
                thread.join()
            except RuntimeError as exc:  # no memory for the thread's stack
                outcome["error"] = str(exc)
            finally:
                threading.stack_size(size)
                sys.setrecursionlimit(limit)
        if "found" not in outcome:
            log.info("second SERVICE check could not parse the query: %s", outcome.get("error"))
            raise ServiceUnverifiable(
                "the query mentions 'service' (or uses \\u escapes), so it is checked by a second SPARQL parser "
                "as well, and that parser could not read it. Separate keywords with spaces (SERVICE SILENT <…>), "
                "write prefixed names containing 'service' as full IRIs in <…>, and avoid engine-specific syntax.")
        return outcome["found"]


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
