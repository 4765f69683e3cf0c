"""The RSGI→WSGI bridge of the production server (`fukudx_kg.web.server.RSGIBridge`), without a
server: a fake RSGI scope and protocol stand in for granian. The real server is tested over HTTP in
test_slow_clients.py and the endpoint tests."""

from __future__ import annotations

import asyncio

import pytest

from fukudx_kg.web.server import MAX_REQUEST_LINE, STREAM_CHUNK, RSGIBridge


class Headers:
    def __init__(self, items):
        self._items = list(items)

    def items(self):
        return list(self._items)

    def get(self, key, default=None):
        return next((v for k, v in self._items if k == key), default)

    def __contains__(self, key):
        return any(k == key for k, _ in self._items)


class Scope:
    proto = "http"
    http_version = "1.1"
    scheme = "http"
    server = "127.0.0.1:8000"

    def __init__(self, method="GET", path="/", query_string="", headers=(), client="127.0.0.1:50000"):
        self.method, self.path, self.query_string, self.client = method, path, query_string, client
        self.headers = Headers(headers)


class Proto:
    """Records the answer; the body arrives in `chunks`, `delay` seconds apart."""

    def __init__(self, chunks=(), delay=0.0):
        self.chunks, self.delay = list(chunks), delay
        self.status, self.headers, self.body, self.streamed = None, None, b"", False

    def __aiter__(self):
        return self._body()

    async def _body(self):
        for chunk in self.chunks:
            await asyncio.sleep(self.delay)
            yield chunk

    def response_bytes(self, status, headers, body):
        self.status, self.headers, self.body = status, dict(headers), body

    def response_stream(self, status, headers):
        self.status, self.headers, self.streamed = status, dict(headers), True
        return self

    async def send_bytes(self, data):
        self.body += data


def _run(app, scope, proto, **options) -> Proto:
    bridge = RSGIBridge(app, threads=2, body_timeout=options.pop("body_timeout", 5.0), cors_origin="*",
                        multiprocess=False, **options)

    async def main():
        loop = asyncio.get_running_loop()
        bridge.__rsgi_init__(loop)
        try:
            await bridge.__rsgi__(scope, proto)
        finally:
            bridge.__rsgi_del__(loop)

    asyncio.run(main())
    return proto


def _echo_environ(seen: dict):
    def app(environ, start_response):
        seen.update(environ)
        seen["body"] = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    return app


def test_environ_follows_pep_3333():
    seen: dict = {}
    scope = Scope("POST", "/id/福島", "a=1&b=%20", [
        ("host", "kg.example.org"), ("content-type", "application/sparql-query"), ("content-length", "6"),
        ("accept", "text/csv"), ("accept", "text/tsv"), ("cookie", "a=1"), ("cookie", "b=2"),
        ("x_forwarded_proto", "https")])  # underscores: indistinguishable from '-' in the environ, dropped
    proto = _run(_echo_environ(seen), scope, Proto([b"ASK", b" {}"]))
    assert proto.status == 200 and proto.body == b"ok"
    assert seen["REQUEST_METHOD"] == "POST" and seen["SCRIPT_NAME"] == ""
    assert seen["PATH_INFO"] == "/id/福島".encode("utf-8").decode("latin-1")
    assert seen["QUERY_STRING"] == "a=1&b=%20"
    assert seen["CONTENT_TYPE"] == "application/sparql-query" and seen["CONTENT_LENGTH"] == "6"
    assert seen["body"] == b"ASK {}"
    assert seen["HTTP_ACCEPT"] == "text/csv, text/tsv" and seen["HTTP_COOKIE"] == "a=1; b=2"
    assert seen["HTTP_HOST"] == "kg.example.org" and "HTTP_X_FORWARDED_PROTO" not in seen
    assert seen["wsgi.url_scheme"] == "http" and seen["REMOTE_ADDR"] == "127.0.0.1"


def test_chunked_body_reaches_the_app_with_its_length():
    seen: dict = {}
    _run(_echo_environ(seen), Scope("POST", "/sparql", headers=[("transfer-encoding", "chunked")]),
         Proto([b"ASK ", b"{}"]))
    assert seen["body"] == b"ASK {}" and seen["CONTENT_LENGTH"] == "6" and "HTTP_TRANSFER_ENCODING" not in seen


@pytest.mark.parametrize("client,header,scheme", [
    ("127.0.0.1:4000", ("x-forwarded-proto", "https"), "https"),
    ("[::1]:4000", ("x-forwarded-ssl", "on"), "https"),
    ("192.0.2.7:4000", ("x-forwarded-proto", "https"), "http"),  # only a proxy on this host is believed
])
def test_scheme_from_a_reverse_proxy_on_this_host(client, header, scheme):
    seen: dict = {}
    _run(_echo_environ(seen), Scope(headers=[header], client=client), Proto())
    assert seen["wsgi.url_scheme"] == scheme


def test_long_url_gets_414_with_a_hint():
    proto = _run(_echo_environ({}), Scope(query_string="query=" + "x" * MAX_REQUEST_LINE), Proto())
    assert proto.status == 414
    assert proto.headers["content-type"] == "text/plain; charset=utf-8"
    assert b"send long queries with POST" in proto.body


def test_slow_body_gets_408_and_the_app_is_not_called():
    called = []
    proto = _run(lambda e, s: called.append(1), Scope("POST", "/sparql", headers=[("content-length", "100")]),
                 Proto([b"A", b"S", b"K"], delay=0.3), body_timeout=0.5)
    assert proto.status == 408 and not called
    assert proto.headers["connection"] == "close"
    assert b"FUKUDX_BODY_TIMEOUT" in proto.body


def test_body_over_the_cap_is_not_read_and_the_app_says_413():
    seen: dict = {}
    proto = _run(_echo_environ(seen), Scope("POST", "/sparql", headers=[("content-length", "5000")]),
                 Proto([b"never read"]), max_body=1000)
    assert seen["CONTENT_LENGTH"] == "5000" and seen["body"] == b""
    assert proto.headers["connection"] == "close"
    chunked = {}
    _run(_echo_environ(chunked), Scope("POST", "/sparql", headers=[("transfer-encoding", "chunked")]),
         Proto([b"x" * 600, b"x" * 600]), max_body=1000)
    assert int(chunked["CONTENT_LENGTH"]) > 1000 and chunked["body"] == b""


def test_long_responses_are_streamed_and_closed():
    closed = []

    class Body:
        def __iter__(self):
            for _ in range(10):
                yield b"x" * (STREAM_CHUNK // 4)

        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/n-quads")])
        return Body()

    proto = _run(app, Scope(), Proto())
    assert proto.streamed and len(proto.body) == 10 * (STREAM_CHUNK // 4) and closed == [True]
    short = _run(lambda e, s: (s("204 No Content", []), [])[1], Scope(), Proto())
    assert short.status == 204 and not short.streamed and short.body == b""


def test_app_failure_is_a_plain_text_500():
    def app(environ, start_response):
        raise RuntimeError("boom")

    proto = _run(app, Scope(), Proto())
    assert proto.status == 500 and proto.headers["content-type"] == "text/plain; charset=utf-8"
    assert b"boom" not in proto.body
