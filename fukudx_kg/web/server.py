"""Serving the Flask app: granian in production, Flask's reloader with --dev.

Production (`serve_production`) runs granian, a Rust HTTP/1.1 server (hyper on tokio), with
FUKUDX_WORKERS processes. Sockets, request heads and request bodies are read asynchronously, so a
slow or idle client costs a socket and a small task, never a thread (issue 7, slowloris):

- the request line and headers must arrive within FUKUDX_HEADER_TIMEOUT, else granian closes the
  connection; the same limit closes idle keep-alive connections;
- the body is then read on the worker's event loop (`RSGIBridge`, granian's RSGI interface), at
  most the app's MAX_CONTENT_LENGTH and within FUKUDX_BODY_TIMEOUT, else 408;
- only a complete request goes to one of FUKUDX_THREADS threads that run the Flask (WSGI) app, and
  a long response is relayed to the client from the loop, so slow readers hold no thread either.

The app factory is called in every worker process after the fork (no preloading), so each web
process starts its own query processes and never shares pipes or threads across a fork.
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import quote

from flask import Flask

from fukudx_kg.settings import Settings
from fukudx_kg.store.sandbox import die_with_parent
from fukudx_kg.web.response_cache import ENVIRON_KEY as KEEP_FOR_RELEASE
from fukudx_kg.web.response_cache import ResponseCache
from fukudx_kg.web.runtime import EXTENSION_KEY

log = logging.getLogger("fukudx_kg.server")

# Longest accepted request target (path + query) of a GET; longer URLs get 414 — POST long queries.
MAX_REQUEST_LINE = 8190
# Longest request head (request line + headers) granian reads; more gets 431 (from granian).
MAX_HEAD_BYTES = 65536
# Body cap when the app does not set MAX_CONTENT_LENGTH.
DEFAULT_MAX_BODY = 16 * 1024 * 1024
# A response is sent in one piece up to this size; longer ones are relayed as a stream.
STREAM_CHUNK = 256 * 1024
# Peers whose X-Forwarded-Proto is believed: a reverse proxy on this host.
_TRUSTED_PROXIES = frozenset({"127.0.0.1", "::1"})


def _peer(client: str) -> tuple[str, str]:
    """(host, port) of granian's `scope.client` ("1.2.3.4:5" or "[::1]:5")."""
    host, _, port = client.rpartition(":")
    return host.strip("[]"), port

_HINTS = {
    408: ("The request body did not arrive within {body_timeout:g} s (FUKUDX_BODY_TIMEOUT); send it "
          "at once, or send a shorter query."),
    414: (f"GET URLs may be at most {MAX_REQUEST_LINE} bytes here; send long queries with POST "
          "(Content-Type: application/sparql-query, the query as the body)."),
    400: ("The request body could not be read: it ended before its announced length, or its chunked "
          "coding is malformed; send the whole body with Content-Length or valid chunked coding."),
    500: "The server failed while answering this request; the error was logged. Try again, and report "
         "it if it persists.",
}


def _plain_text(status: int, message: str, cors_origin: str, close: bool) -> tuple[list[tuple[str, str]], bytes]:
    body = f"{status} {HTTPStatus(status).phrase}: {message}\n".encode("utf-8")
    headers = [("content-type", "text/plain; charset=utf-8"), ("cache-control", "no-store")]
    if cors_origin == "*":
        headers.append(("access-control-allow-origin", "*"))
    if close:
        headers.append(("connection", "close"))
    return headers, body


class _Remaining:
    """The rest of a WSGI response iterable, pulled in batches of about STREAM_CHUNK bytes."""

    def __init__(self, result: Iterable[bytes], iterator: Iterator[bytes]):
        self.result, self.iterator = result, iterator

    def next_batch(self) -> bytes:
        chunks, size = [], 0
        for chunk in self.iterator:
            if chunk:
                chunks.append(chunk)
                size += len(chunk)
                if size >= STREAM_CHUNK:
                    break
        return b"".join(chunks)

    def close(self) -> None:
        close = getattr(self.result, "close", None)
        if close is not None:
            close()


class RSGIBridge:
    """A WSGI app under granian's RSGI interface: the request body is read on the event loop (with
    a time limit and a size cap), then the app runs on a pool of `threads` threads.

    A body announced or found larger than the app's MAX_CONTENT_LENGTH is not read: the app gets the
    request with that CONTENT_LENGTH and an empty input, and answers 413 as werkzeug checks the length
    before reading; the connection is then closed.

    With a `cache` (`response_cache`), a request whose answer the app allowed to be kept is answered
    again from the loop, before any thread or the app sees it.
    """

    def __init__(self, app: Callable, *, threads: int, body_timeout: float, cors_origin: str,
                 multiprocess: bool, max_body: int | None = None, cache: ResponseCache | None = None):
        self.app = app
        self.cache = cache
        self.threads = threads
        self.body_timeout = body_timeout
        self.cors_origin = cors_origin
        config = getattr(app, "config", {})
        self.max_body = max_body or config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BODY
        self._executor: ThreadPoolExecutor | None = None
        self._base_environ = {
            "SCRIPT_NAME": "",
            "wsgi.version": (1, 0),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": multiprocess,
            "wsgi.run_once": False,
            "wsgi.input_terminated": True,
            "SERVER_SOFTWARE": "granian",
        }

    # -- RSGI hooks: the thread pool lives as long as the worker's event loop

    def __rsgi_init__(self, loop) -> None:
        self._executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="fukudx-http")

    def __rsgi_del__(self, loop) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    async def __rsgi__(self, scope, proto) -> None:
        if scope.proto != "http":
            return
        if len(scope.path.encode("utf-8")) + 1 + len(scope.query_string) > MAX_REQUEST_LINE:
            return self._error(proto, 414, close=False)
        headers = scope.headers
        declared = headers.get("content-length")
        body, too_large = b"", None
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            too_large = int(declared)
        elif declared not in (None, "0") or "transfer-encoding" in headers:
            try:
                async with asyncio.timeout(self.body_timeout):
                    body, too_large = await self._read_body(proto)
            except TimeoutError:
                return self._error(proto, 408, close=True)
            except Exception:  # noqa: BLE001 - malformed chunked coding, or the client went away
                return self._error(proto, 400, close=True)
            if declared is not None and declared.isdigit() and too_large is None and len(body) < int(declared):
                return self._error(proto, 400, close=True)
        key = None
        if self.cache is not None and too_large is None:
            key = self.cache.key(scope.method, scope.path, scope.query_string, scope.headers.items(), body,
                                 _peer(scope.client)[0] in _TRUSTED_PROXIES)
            hit = self.cache.get(key) if key is not None else None
            if hit is not None:
                proto.response_bytes(*hit)
                return
        environ = self._environ(scope, body, too_large)
        loop = asyncio.get_running_loop()
        try:
            status, response_headers, first, rest = await loop.run_in_executor(self._executor, self._start, environ)
        except Exception:  # noqa: BLE001 - the app's own handlers answer errors; this is a last resort
            log.exception("WSGI app failed on %s %s", scope.method, scope.path)
            return self._error(proto, 500, close=False)
        if too_large is not None:
            response_headers.append(("connection", "close"))  # the unread body stays on the socket
        if rest is None:
            if key is not None:
                self.cache.put(key, environ.get(KEEP_FOR_RELEASE), status, response_headers, first)
            proto.response_bytes(status, response_headers, first)
            return
        transport = proto.response_stream(status, response_headers)
        try:
            chunk = first
            while chunk:
                await transport.send_bytes(chunk)
                chunk = await loop.run_in_executor(self._executor, rest.next_batch)
        except Exception:  # noqa: BLE001 - the client went away; stop producing
            log.debug("client left during a streamed response to %s", scope.path)
        finally:
            await loop.run_in_executor(self._executor, rest.close)

    async def _read_body(self, proto) -> tuple[bytes, int | None]:
        chunks, size = [], 0
        async for chunk in proto:
            size += len(chunk)
            if size > self.max_body:
                return b"", size
            chunks.append(chunk)
        return b"".join(chunks), None

    def _error(self, proto, status: int, close: bool) -> None:
        message = _HINTS[status].format(body_timeout=self.body_timeout)
        headers, body = _plain_text(status, message, self.cors_origin, close)
        proto.response_bytes(status, headers, body)

    def _environ(self, scope, body: bytes, too_large: int | None) -> dict[str, Any]:
        server_host, _, server_port = scope.server.rpartition(":")
        client_host, client_port = _peer(scope.client)
        target = quote(scope.path, safe="/:@!$&'()*+,;=-._~") + ("?" + scope.query_string if scope.query_string else "")
        environ = dict(self._base_environ)
        environ.update({
            "REQUEST_METHOD": scope.method,
            # PEP 3333: native strings holding the bytes as latin-1 (granian gives the path UTF-8 decoded)
            "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
            "QUERY_STRING": scope.query_string,
            "REQUEST_URI": target,
            "RAW_URI": target,
            "SERVER_NAME": server_host.strip("[]"),
            "SERVER_PORT": server_port,
            "SERVER_PROTOCOL": "HTTP/" + scope.http_version,
            "REMOTE_ADDR": client_host,
            "REMOTE_PORT": client_port,
            "wsgi.url_scheme": scope.scheme,
            "wsgi.input": io.BytesIO(body),
        })
        for name, value in scope.headers.items():
            if "_" in name:  # would be indistinguishable from '-' in the environ (header spoofing)
                continue
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            if key in environ:
                environ[key] += ("; " if key == "HTTP_COOKIE" else ", ") + value
            else:
                environ[key] = value
        # Behind a reverse proxy on the same host (as gunicorn did by default for 127.0.0.1 and ::1),
        # the proxy's X-Forwarded-Proto / X-Forwarded-Ssl give the scheme the client used.
        if environ["REMOTE_ADDR"] in _TRUSTED_PROXIES and (
                environ.get("HTTP_X_FORWARDED_PROTO", "").lower() == "https"
                or environ.get("HTTP_X_FORWARDED_SSL", "").lower() == "on"):
            environ["wsgi.url_scheme"] = "https"
        # The body is complete and de-chunked here: the app sees its exact length.
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        if too_large is not None:
            environ["CONTENT_LENGTH"] = str(too_large)
        elif body or "CONTENT_LENGTH" in environ:
            environ["CONTENT_LENGTH"] = str(len(body))
        return environ

    def _start(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes, _Remaining | None]:
        """Run the app (on a pool thread) up to its first STREAM_CHUNK bytes of response."""
        started: list = []
        written: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return written.append

        result = self.app(environ, start_response)
        rest = None
        try:
            iterator = iter(result)
            rest = _Remaining(result, iterator)
            first = b"".join(written) + rest.next_batch()
            if len(first) < STREAM_CHUNK:
                rest.close()
                rest = None
        except BaseException:
            close = getattr(result, "close", None)
            if close is not None:
                close()
            raise
        if not started:
            raise RuntimeError("the WSGI app returned without calling start_response")
        status, headers = started
        return int(status.split(" ", 1)[0]), [(str(k), str(v)) for k, v in headers], first, rest


def _logging_config(access_log: str) -> dict:
    """granian's logging: its messages to stdout; the access log to stdout ('-') or a file."""
    access_handler: dict[str, Any] = {"formatter": "access"}
    if access_log == "-":
        access_handler.update({"class": "logging.StreamHandler", "stream": "ext://sys.stdout"})
    else:
        access_handler.update({"class": "logging.FileHandler", "filename": access_log or "/dev/null"})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "generic": {"()": "logging.Formatter", "fmt": "[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s",
                        "datefmt": "%Y-%m-%d %H:%M:%S %z"},
            "access": {"()": "logging.Formatter", "fmt": "%(message)s"},
        },
        "handlers": {
            "console": {"formatter": "generic", "class": "logging.StreamHandler", "stream": "ext://sys.stdout"},
            "access": access_handler,
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }


ACCESS_LOG_FORMAT = '%(addr)s - - [%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1fms'


def granian_server(app_factory: Callable[[], Flask], settings: Settings):
    """A configured granian server whose workers each build the app with `app_factory()`."""
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.server import Server

    server = Server(
        "fukudx-kg",  # a name only: the app comes from the loader below
        address=settings.host.strip("[]"),
        port=settings.port,
        interface=Interfaces.RSGI,
        workers=settings.workers,
        http=HTTPModes.http1,
        websockets=False,
        backlog=1024,
        # Requests in flight per worker (those still sending their head or body included); more
        # connections wait in the listen backlog. Idle keep-alive connections do not count.
        backpressure=max(1, 1024 // settings.workers),
        http1_settings=HTTP1Settings(header_read_timeout=max(1, round(settings.header_timeout * 1000)),
                                     keep_alive=True, max_buffer_size=MAX_HEAD_BYTES),
        log_dictconfig=_logging_config(settings.access_log),
        log_access=bool(settings.access_log),
        log_access_format=ACCESS_LOG_FORMAT,
        respawn_failed_workers=True,  # like gunicorn: a worker that dies is replaced
        workers_kill_timeout=10,  # graceful stop: in-flight requests get 10 s after SIGTERM
    )

    main_pid = os.getpid()

    def load(_target: str) -> RSGIBridge:  # runs in each worker process, after the fork
        # The main process died without stopping us, so nobody waits for a graceful stop: SIGKILL, and
        # the query processes go with us. SIGTERM could be swallowed by a handler granian has not yet
        # wired to its loop (a worker killed while starting served on as an orphan, seen in CI).
        die_with_parent(main_pid, signal.SIGKILL)
        app = app_factory()
        return RSGIBridge(app, threads=settings.threads, body_timeout=settings.body_timeout,
                          cors_origin=settings.cors_origin, multiprocess=settings.workers > 1,
                          cache=response_cache_for(app, settings))

    return server, load


def response_cache_for(app: Flask, settings: Settings) -> ResponseCache | None:
    """The app's answer cache (FUKUDX_RESPONSE_CACHE_MB; 0 = none), tied to its backend's release."""
    if not settings.response_cache_mb:
        return None
    backend = app.extensions[EXTENSION_KEY].backend
    return ResponseCache(settings.response_cache_mb * 1024 * 1024, lambda: backend.release_id)


def serve_production(app_factory: Callable[[], Flask], settings: Settings) -> None:
    """Run the app under granian until SIGTERM/SIGINT."""
    # Workers are forked, so the factory (a closure over the prepared backend) needs no pickling;
    # this is also what Python before 3.14 does by default on Linux.
    multiprocessing.set_start_method("fork", force=True)
    server, load = granian_server(app_factory, settings)
    server.serve(target_loader=load)


def serve_development(app_factory: Callable[[], Flask], settings: Settings) -> None:
    """Run the app with Flask's development server and code reloader (no interactive debugger:
    errors are still answered as plain-text messages, never as tracebacks)."""
    app = app_factory()
    app.run(host=settings.host, port=settings.port, debug=False, use_reloader=True, use_debugger=False,
            threaded=True)
