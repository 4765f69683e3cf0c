"""Serving a Flask app: gunicorn (production: several processes × threads) or Flask's reloader (--dev).

The app factory is called in every gunicorn worker after the fork (no preloading), so each web
process starts its own query processes and never shares pipes or threads across a fork.
"""

from __future__ import annotations

import os
from typing import Callable

from flask import Flask

from .config import Settings

# gunicorn's ceiling for the request line; longer GET URLs get 414 — POST long queries instead.
MAX_REQUEST_LINE = 8190


def gunicorn_options(settings: Settings) -> dict:
    host = f"[{settings.host}]" if ":" in settings.host and not settings.host.startswith("[") else settings.host
    options = {
        "bind": [f"{host}:{settings.port}"],
        "workers": settings.workers,
        "worker_class": "gthread",
        "threads": settings.threads,
        # The web process only waits on query processes; this is gunicorn's heartbeat limit.
        "timeout": int(settings.query_timeout + settings.queue_wait + 30),
        "graceful_timeout": 10,
        "keepalive": 5,
        "backlog": 1024,
        "limit_request_line": MAX_REQUEST_LINE,
        "accesslog": settings.access_log or None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "fukudx-kg",
        "preload_app": False,
        "control_socket_disable": True,
    }
    if os.path.isdir("/dev/shm"):
        options["worker_tmp_dir"] = "/dev/shm"
    return options


_HTTP_HINTS = {
    400: "The HTTP request is malformed; check the request line and headers.",
    414: (f"GET URLs may be at most {MAX_REQUEST_LINE} bytes here; send long queries with POST "
          "(Content-Type: application/sparql-query, the query as the body)."),
    431: "Send fewer or smaller request headers.",
    501: "Send the body with Content-Length or chunked transfer coding.",
    500: "The server failed while reading this request; try again.",
}


def install_plain_text_errors(cors_origin: str) -> None:
    """Make gunicorn's own error answers (bad request line, URI too long, …) plain text with a hint
    instead of its HTML page, like every other error of the service."""
    from gunicorn import util

    def write_error(sock, status_int, reason, mesg):
        hint = _HTTP_HINTS.get(status_int, "")
        body = f"{status_int} {reason}: {mesg.rstrip('.') + '. ' if mesg else ''}{hint}\n".encode("utf-8")
        head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
                f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
                "Cache-Control: no-store\r\n"
                + (f"Access-Control-Allow-Origin: {cors_origin}\r\n" if cors_origin == "*" else "")
                + "\r\n")
        util.write_nonblock(sock, head.encode("latin-1") + body)

    util.write_error = write_error


def serve_production(app_factory: Callable[[], Flask], settings: Settings) -> None:
    """Run the app under gunicorn until interrupted."""
    from gunicorn.app.base import BaseApplication

    install_plain_text_errors(settings.cors_origin)

    class _Gunicorn(BaseApplication):
        def load_config(self):
            for key, value in gunicorn_options(settings).items():
                self.cfg.set(key, value)

        def load(self):
            return app_factory()

    _Gunicorn().run()


def serve_development(app_factory: Callable[[], Flask], settings: Settings) -> None:
    """Run the app with Flask's development server and code reloader (no interactive debugger:
    errors are still answered as plain-text messages, never as tracebacks)."""
    app = app_factory()
    app.run(host=settings.host, port=settings.port, debug=False, use_reloader=True, use_debugger=False,
            threaded=True)
