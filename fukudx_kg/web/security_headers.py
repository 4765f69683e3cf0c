"""Security headers on every response, set once for the whole app (not per blueprint).

- every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`;
- HTML: a Content-Security-Policy without inline script (`script-src 'self'`), `frame-ancestors
  'none'` and `X-Frame-Options: DENY`; inline `<style>` only where its exact text is allowed by
  hash (`allow_inline_style`) or the page carries a per-response nonce (`style_nonce()`);
- anything else (RDF, JSON, plain-text errors, SVG): `default-src 'none'; frame-ancestors 'none'`;
- `OPTIONS` answers have no body, so they carry no Content-Type (Flask would say text/html).
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from flask import Flask, Response, g, request

PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'{styles}; img-src 'self' data:; "
               "font-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
               "frame-ancestors 'none'")
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"

_style_hashes: dict[str, None] = {}


def allow_inline_style(css: str) -> None:
    """Allow one exact inline `<style>` text on every HTML page (by its SHA-256 hash)."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    _style_hashes[f"'sha256-{digest}'"] = None


def style_nonce() -> str:
    """A nonce for this response's `<style>` elements (e.g. those a script library creates);
    the page must not be cached by shared caches, since the nonce is in its body."""
    if "csp_style_nonce" not in g:
        g.csp_style_nonce = secrets.token_urlsafe(18)
    return g.csp_style_nonce


def page_policy() -> str:
    styles = "".join(" " + h for h in _style_hashes)
    nonce = g.get("csp_style_nonce")
    if nonce:
        styles += f" 'nonce-{nonce}'"
    return PAGE_POLICY.format(styles=styles)


def register(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.method == "OPTIONS" and not response.is_streamed and not response.get_data():
            headers.pop("Content-Type", None)
        if response.mimetype in ("text/html", "application/xhtml+xml"):
            headers["Content-Security-Policy"] = page_policy()
            headers["X-Frame-Options"] = "DENY"
        else:
            headers.setdefault("Content-Security-Policy", OTHER_POLICY)
        return response
