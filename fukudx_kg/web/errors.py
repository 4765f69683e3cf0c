"""Error responses: every 4xx/5xx is plain UTF-8 text saying what went wrong and what to do — never
an HTML error page or a traceback.

`ProtocolError(status, message)` is raised by request handlers; `register(app)` installs the
handlers (for it, for werkzeug's HTTP errors such as 404/405/413, for a request body the HTTP
server could not read — malformed chunked coding, cut short — as 400, and a last-resort handler
that logs the traceback and answers a short 500).
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, Response, request
from werkzeug.exceptions import ClientDisconnected, HTTPException

log = logging.getLogger(__name__)


class ProtocolError(Exception):
    """A request the server will not answer as asked; becomes `status` with `message` as the body."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# What to fix, for errors raised by werkzeug/Flask rather than by our handlers.
_HINTS = {
    400: "The request could not be read; check its syntax and headers.",
    404: "No such resource. The SPARQL endpoint is /sparql; see also /version, /healthz and /readyz.",
    405: "This method is not supported here.",
    406: "None of the formats in the Accept header can be produced.",
    408: "The request took too long to arrive; send it again.",
    411: "Send a Content-Length header with the request body.",
    413: "The request body is too large.",
    414: "The URL is too long; send long queries with POST (application/sparql-query).",
    415: "This media type is not supported here.",
    431: "The request headers are too large.",
}


BODY_HINT = ("The request body could not be read completely: malformed chunked transfer coding, or fewer bytes "
             "than Content-Length announced. Send it with a correct Content-Length, or as valid chunked coding "
             "(hex size, CRLF, data, CRLF, …, then 0 CRLF CRLF).")


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body = f"{status} {phrase}: {message.rstrip()}\n"
    response = Response(body, status=status, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register(app: Flask) -> None:
    """Install the error handlers on `app`."""

    @app.errorhandler(ProtocolError)
    def _protocol_error(exc: ProtocolError):
        return error_response(exc.status, exc.message, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        hint = _HINTS.get(status, exc.description or "")
        headers = {}
        if status == 405:
            allowed = sorted(set(exc.valid_methods or [])) if hasattr(exc, "valid_methods") else []
            if allowed:
                headers["Allow"] = ", ".join(allowed)
                hint = f"{request.method} is not supported on {request.path}; use {' or '.join(allowed)}."
        elif isinstance(exc, ClientDisconnected):
            hint = BODY_HINT
        elif status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            hint = (f"The request body is larger than this server accepts ({limit} bytes); "
                    "send a shorter query.") if limit else hint
        response = error_response(status, hint, headers)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if _unreadable_body(exc):
            return error_response(400, f"{BODY_HINT} ({type(exc).__name__}: {exc})")
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "The server failed while answering this request; the error was logged. "
                                   "Try again, and report it if it persists.")


def _unreadable_body(exc: Exception) -> bool:
    """An error of the HTTP server while reading the request body (malformed chunked coding, a body
    cut short): the client's fault, so 400, not 500."""
    return isinstance(exc, OSError) and "chunk" in str(exc).lower()
