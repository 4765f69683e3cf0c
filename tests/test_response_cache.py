"""The answer cache per dataset release (`fukudx_kg.web.response_cache`): what is kept, what never
is, and that a kept answer is the answer — over HTTP against the real server, and the cache's own
rules (budget, release, refusals) directly."""

from __future__ import annotations

import requests

from fukudx_kg.web.response_cache import ENTRY_MAX, ResponseCache

ASK = "ASK { ?m a <https://w3id.org/fukudx/ontology#Municipality> }"
JSON = "application/sparql-results+json"


def _post(server, query: str, accept: str = JSON, **headers) -> requests.Response:
    return requests.post(server.sparql, data=query.encode("utf-8"),
                         headers={"Content-Type": "application/sparql-query", "Accept": accept, **headers}, timeout=30)


def _hit(response: requests.Response) -> bool:
    return response.headers.get("Server-Timing") == 'cache;desc="hit"'


def _headers(response: requests.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower() not in ("server-timing", "date")}


def test_a_repeated_query_is_answered_from_the_cache_with_the_same_answer(live_server):
    query = ASK + " # repeated"
    first = _post(live_server, query)
    # Two web processes, each with its own cache: a few more requests reach both.
    again = [_post(live_server, query) for _ in range(6)]
    assert first.status_code == 200 and not _hit(first)
    hits = [r for r in again if _hit(r)]
    assert hits, "no answer came from the cache"
    for response in hits:
        assert response.content == first.content
        assert _headers(response) == _headers(first)


def test_another_format_or_header_is_another_answer(live_server):
    query = "SELECT ?m WHERE { ?m a <https://w3id.org/fukudx/ontology#Municipality> } LIMIT 2 # formats"
    for _ in range(4):
        _post(live_server, query)
    csv = _post(live_server, query, accept="text/csv")
    assert csv.headers["Content-Type"].startswith("text/csv") and csv.text.startswith("m\r\n")
    origin = _post(live_server, query, Origin="https://example.org")
    assert not _hit(origin) and origin.status_code == 200


def test_errors_are_never_kept(live_server):
    for _ in range(6):
        response = _post(live_server, "SELECT ?x WHERE { ?x ?y }")
        assert response.status_code == 400 and not _hit(response)


def test_federated_answers_are_never_kept(server_factory, oxigraph_server):
    federating = server_factory(env={"FUKUDX_SERVICE_ALLOWLIST": oxigraph_server.url("/query")})
    query = f"SELECT ?s WHERE {{ SERVICE <{oxigraph_server.url('/query')}> {{ ?s a ?t }} }} LIMIT 1"
    answers = [_post(federating, query) for _ in range(6)]
    assert all(r.status_code == 200 for r in answers), answers[0].text
    assert not any(_hit(r) for r in answers)


def test_the_cache_can_be_turned_off(server_factory):
    server = server_factory(env={"FUKUDX_RESPONSE_CACHE_MB": "0", "FUKUDX_WORKERS": "1"})
    answers = [_post(server, ASK) for _ in range(3)]
    assert [r.status_code for r in answers] == [200] * 3 and not any(_hit(r) for r in answers)


# ---------------------------------------------------------------------------- the cache's rules

def _key(n: int, body: bytes = b"") -> tuple:
    return ResponseCache.key("POST", "/sparql", "", [("accept", JSON), ("host", "x")], body or str(n).encode(), False)


def test_answers_of_an_old_release_are_not_sent():
    release = ["r1"]
    cache = ResponseCache(1 << 20, lambda: release[0])
    assert cache.put(_key(1), "r1", 200, [("content-type", JSON)], b"{}")
    assert cache.get(_key(1)) is not None
    release[0] = "r2"
    assert cache.get(_key(1)) is None
    assert not cache.put(_key(1), "r1", 200, [], b"{}"), "an answer made for another release was kept"


def test_what_is_never_kept():
    cache = ResponseCache(1 << 20, lambda: "r")
    assert not cache.put(_key(1), None, 200, [], b"x"), "kept without the app's permission"
    assert not cache.put(_key(2), "r", 404, [], b"x")
    assert not cache.put(_key(3), "r", 200, [("Set-Cookie", "lang=en")], b"x")
    assert not cache.put(_key(4), "r", 200, [("Content-Security-Policy", "style-src 'nonce-abc'")], b"x")
    assert not cache.put(_key(5), "r", 200, [], b"x" * (ENTRY_MAX + 1))
    assert ResponseCache.key("DELETE", "/sparql", "", [], b"", False) is None
    assert ResponseCache.key("POST", "/sparql", "", [], b"x" * (1 << 20), False) is None


def test_the_key_ignores_only_hop_by_hop_headers():
    base = [("accept", JSON), ("content-length", "3")]
    assert ResponseCache.key("GET", "/", "", base + [("connection", "keep-alive")], b"", False) == \
        ResponseCache.key("GET", "/", "", base, b"", False)
    assert ResponseCache.key("GET", "/", "", base + [("x-forwarded-proto", "https")], b"", False) != \
        ResponseCache.key("GET", "/", "", base, b"", False)
    assert ResponseCache.key("GET", "/", "", base, b"", True) != ResponseCache.key("GET", "/", "", base, b"", False)


def test_least_recently_used_answers_leave_first_within_the_budget():
    cache = ResponseCache(8 * 1024, lambda: "r")
    for n in range(40):
        cache.put(_key(n), "r", 200, [("content-type", JSON)], b"x" * 500)
        cache.get(_key(0))  # keep the first one in use
    assert cache.size <= 8 * 1024
    assert cache.get(_key(0)) is not None and cache.get(_key(1)) is None and cache.get(_key(39)) is not None
    assert cache.stats["evicted"] > 0


def test_browser_pages_are_kept_but_not_the_query_page_or_a_language_switch(live_server):
    page = live_server.url("/id/municipality/072010")
    answers = [requests.get(page, headers={"Accept": "text/html"}, timeout=30) for _ in range(6)]
    assert all(r.status_code == 200 for r in answers)
    assert any(_hit(r) for r in answers) and all(r.content == answers[0].content for r in answers)
    query_page = live_server.url("/query?query=" + requests.utils.quote(ASK))
    assert not any(_hit(requests.get(query_page, timeout=30)) for _ in range(6))
    switched = [requests.get(page + "?lang=en", timeout=30) for _ in range(6)]
    assert all("set-cookie" in {k.lower() for k in r.headers} and not _hit(r) for r in switched)
