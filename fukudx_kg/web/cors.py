"""CORS for every route: browser apps (YASGUI, Comunica in a page) may call the endpoint.

Simple requests get `Access-Control-Allow-Origin` and the exposed headers; a preflight
(`OPTIONS` with `Access-Control-Request-Method`) is answered 204 with the allowed methods and
headers, cached by the browser for a day. The origin comes from `Settings.cors_origin` (`*`,
one origin, or empty = CORS off).
"""

from __future__ import annotations

from flask import Flask, Response, request

EXPOSED_HEADERS = ("ETag", "Content-Length", "Content-Type", "X-Result-Truncated", "X-Result-Rows",
                   "X-Row-Cap", "X-Release", "Retry-After")
ALLOWED_HEADERS = ("Accept", "Accept-Language", "Content-Type", "If-None-Match", "If-Modified-Since",
                   "Cache-Control", "Authorization", "X-Requested-With")


def register(app: Flask, origin: str) -> None:
    if not origin:
        return

    def allow_origin(response: Response) -> None:
        request_origin = request.headers.get("Origin")
        if origin == "*":
            response.headers["Access-Control-Allow-Origin"] = "*"
        elif request_origin and request_origin.rstrip("/") == origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.vary.add("Origin")
        else:
            response.vary.add("Origin")

    @app.before_request
    def _preflight():
        if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
            adapter = app.url_map.bind_to_environ(request.environ)
            try:
                methods = adapter.allowed_methods()
            except Exception:  # noqa: BLE001 - an unknown path still gets a preflight answer
                methods = []
            response = Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = ", ".join(sorted(set(methods) | {"OPTIONS"})) or "GET"
            asked = request.headers.get("Access-Control-Request-Headers")
            response.headers["Access-Control-Allow-Headers"] = asked or ", ".join(ALLOWED_HEADERS)
            response.headers["Access-Control-Max-Age"] = "86400"
            if methods:
                response.headers["Allow"] = ", ".join(sorted(set(methods) | {"OPTIONS"}))
            allow_origin(response)
            return response
        return None

    @app.after_request
    def _cors_headers(response: Response) -> Response:
        if "Access-Control-Allow-Origin" not in response.headers:
            allow_origin(response)
        response.headers.setdefault("Access-Control-Expose-Headers", ", ".join(EXPOSED_HEADERS))
        return response
