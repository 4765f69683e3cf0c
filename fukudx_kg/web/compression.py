"""gzip for large text responses, once for the whole app (an after_request hook).

A 200 answer is gzipped when the client's Accept-Encoding allows gzip, its type is text-like (HTML,
RDF, SPARQL results, JSON, CSV, JS, CSS, SVG), it is at least `MIN_BYTES` long, it is not encoded
already, `Cache-Control: no-transform` is not set and it is not streamed (generator bodies are
left alone; file bodies such as the dump, up to `MAX_FILE_BYTES`, are read and compressed).
Such answers always carry `Vary: Accept-Encoding`. The compressed variant has its own ETag
(`"<tag>-gzip"`); a client revalidating it with If-None-Match gets 304, because the `-gzip`
tags are also offered to the views in their plain form and the 304 is given the variant's tag.
Ranges (206) and other statuses are never compressed.
"""

from __future__ import annotations

import gzip
import re

from flask import Flask, Response, request
from werkzeug.http import parse_etags

MIN_BYTES = 1024
MAX_FILE_BYTES = 32 * 1024 * 1024
LEVEL = 6
SUFFIX = "-gzip"
_ORIGINAL_TAGS = "fukudx.if_none_match"

_TEXT_TYPES = {"application/json", "application/xml", "application/javascript", "application/n-triples",
               "application/n-quads", "application/trig", "application/sparql-query", "image/svg+xml"}
_CODING = re.compile(r"\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*\Z")


def compressible(mimetype: str | None) -> bool:
    if not mimetype:
        return False
    return (mimetype.startswith("text/") or mimetype in _TEXT_TYPES
            or mimetype.endswith(("+json", "+xml")) or mimetype.startswith("application/sparql-results"))


def accepts_gzip(header: str | None) -> bool:
    """Whether Accept-Encoding allows gzip (RFC 9110 §12.5.3; a malformed entry counts as absent)."""
    if not header:
        return False
    gzip_q = star_q = None
    for entry in header.split(","):
        match = _CODING.match(entry)
        if not match:
            continue
        coding = match.group(1).lower()
        try:
            q = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        if coding in ("gzip", "x-gzip"):
            gzip_q = q if gzip_q is None else max(gzip_q, q)
        elif coding == "*":
            star_q = q
    if gzip_q is not None:
        return gzip_q > 0
    return bool(star_q and star_q > 0)


def _read(response: Response) -> bytes:
    """The whole body; a file body (e.g. send_file) is read into memory and its file closed."""
    if not response.direct_passthrough:
        return response.get_data()
    body = b"".join(response.response)
    close = getattr(response.response, "close", None)
    if close is not None:
        close()
    response.direct_passthrough = False
    return body


def register(app: Flask) -> None:
    @app.before_request
    def _offer_plain_tags():
        header = request.environ.get("HTTP_IF_NONE_MATCH", "")
        if SUFFIX + '"' in header and accepts_gzip(request.headers.get("Accept-Encoding")):
            request.environ[_ORIGINAL_TAGS] = header
            request.environ["HTTP_IF_NONE_MATCH"] = header + ", " + header.replace(SUFFIX + '"', '"')

    @app.after_request
    def _compress(response: Response) -> Response:
        if response.status_code == 304:
            original = request.environ.get(_ORIGINAL_TAGS)
            tag, weak = response.get_etag()
            if original and tag and parse_etags(original).contains_weak(tag + SUFFIX):
                response.set_etag(tag + SUFFIX, weak)
                response.vary.add("Accept-Encoding")
            return response
        if (response.status_code != 200 or "Content-Encoding" in response.headers
                or not compressible(response.mimetype)
                or "no-transform" in response.headers.get("Cache-Control", "")):
            return response
        length = response.content_length
        if (length is None or length < MIN_BYTES or (response.is_streamed and not response.direct_passthrough)
                or (response.direct_passthrough and length > MAX_FILE_BYTES)):
            return response
        response.vary.add("Accept-Encoding")
        if not accepts_gzip(request.headers.get("Accept-Encoding")):
            return response
        body = _read(response)
        response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
        response.headers.pop("Accept-Ranges", None)
        tag, weak = response.get_etag()
        if tag:
            response.set_etag(tag + SUFFIX, weak)
        return response
