"""Answers kept per dataset release in each web process, in front of Flask and the query processes.

Dashboards and the browser send the same requests again and again, and while the release is the
same the answer is too; a kept answer is sent from granian's event loop without a thread, Flask or
a query process (issue 11: that per-request work costs ~10× what oxigraph spends on a tiny lookup).

Two decisions, made in two places:
- what MAY be kept is the app's: a handler calls `keep(release)` for an answer that depends only
  on the release and the request (never a federated one, never one with a per-response secret);
- what IS kept is `ResponseCache`'s: a 200 of at most ENTRY_MAX bytes, without Set-Cookie or a CSP
  nonce, least recently used first out of a byte budget (FUKUDX_RESPONSE_CACHE_MB per web process).

A request's key is everything the app can read of it: method, path, query string, body, every
header but the hop-by-hop ones, and whether the peer is a trusted proxy (which decides whether
X-Forwarded-Proto counts). A kept answer is only sent while its release is the current one.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Iterable

from flask import request

ENVIRON_KEY = "fukudx.keep_for_release"
ENTRY_MAX = 256 * 1024      # larger answers are streamed, and rarely repeated
KEY_BODY_MAX = 64 * 1024    # larger request bodies are not used as keys
_UNKEYED = frozenset({"connection", "keep-alive", "content-length", "transfer-encoding", "te", "upgrade"})
_HIT_TIMING = ("server-timing", 'cache;desc="hit"')
_OVERHEAD = 512             # bytes an entry costs beyond its strings (tuples, dict slot), roughly

Headers = list[tuple[str, str]]


def keep(release: str | None) -> None:
    """Let the cache keep the current request's answer for `release` (call inside a Flask handler)."""
    if release:
        request.environ[ENVIRON_KEY] = release


class ResponseCache:
    """An LRU of answers by request key, valid while `current_release()` is the release they were made for."""

    def __init__(self, max_bytes: int, current_release: Callable[[], str | None]):
        self.max_bytes = max_bytes
        self.current_release = current_release
        self._entries: OrderedDict[tuple, tuple[str, int, Headers, bytes, int]] = OrderedDict()
        self.size = 0
        self.stats = {"hits": 0, "misses": 0, "stored": 0, "evicted": 0}

    @staticmethod
    def key(method: str, path: str, query_string: str, headers: Iterable[tuple[str, str]], body: bytes,
            trusted_peer: bool) -> tuple | None:
        """The request's key, or None when it must not be looked up (unusual method, large body)."""
        if method not in ("GET", "HEAD", "POST") or len(body) > KEY_BODY_MAX:
            return None
        kept = tuple(sorted((name.lower(), value) for name, value in headers if name.lower() not in _UNKEYED))
        return method, path, query_string, body, kept, trusted_peer

    def get(self, key: tuple) -> tuple[int, Headers, bytes] | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != self.current_release():
            self.stats["misses"] += 1
            return None
        self._entries.move_to_end(key)
        self.stats["hits"] += 1
        return entry[1], entry[2], entry[3]

    def put(self, key: tuple, release: str | None, status: int, headers: Headers, body: bytes) -> bool:
        """Keep an answer the app allowed (`release` from ENVIRON_KEY); False when it is not kept."""
        if not release or release != self.current_release() or status != 200 or len(body) > ENTRY_MAX:
            return False
        names = {name.lower(): value for name, value in headers}
        if "set-cookie" in names or "nonce-" in names.get("content-security-policy", ""):
            return False
        hit_headers = [(n, v) for n, v in headers if n.lower() != "server-timing"] + [_HIT_TIMING]
        cost = _OVERHEAD + len(body) + len(key[3]) + sum(len(n) + len(v) for n, v in key[4]) \
            + sum(len(n) + len(v) for n, v in hit_headers)
        if cost > self.max_bytes:
            return False
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= old[4]
        self._entries[key] = (release, status, hit_headers, body, cost)
        self.size += cost
        self.stats["stored"] += 1
        while self.size > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.size -= evicted[4]
            self.stats["evicted"] += 1
        return True
