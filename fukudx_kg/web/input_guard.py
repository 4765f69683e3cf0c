"""Odd input gets a 4xx saying what to fix, never a 500 — checked in one place.

- `register(app)`: the URL path and query string must be UTF-8 after percent-decoding (400
  otherwise; /sparql reads its parameters itself and names the offending parameter);
- `page_number(args)`: the one parser of `?page=` for every paged list: a whole number from 1 to
  `MAX_PAGE`, else 400; `Pager` turns it into an offset and refuses a page past the last (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from flask import Flask, request
from werkzeug.datastructures import MultiDict

from fukudx_kg.web.errors import ProtocolError

MAX_PAGE = 100_000
SELF_CHECKING_BLUEPRINTS = {"sparql"}


def _utf8_problem(raw: bytes) -> str | None:
    """Where `raw` stops being UTF-8; U+FFFD counts too (a server that decoded the URL for us
    leaves it where the bytes were not UTF-8)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"byte 0x{raw[exc.start]:02X} at offset {exc.start}"
    if "\ufffd" in text:
        return f"U+FFFD at offset {len(text[:text.index(chr(0xFFFD))].encode('utf-8'))}"
    return None


def check_utf8() -> None:
    """400 when the path or the query string is not UTF-8 once percent-decoded."""
    path = request.environ.get("PATH_INFO", "").encode("latin-1", "replace")
    problem = _utf8_problem(path)
    if problem:
        raise ProtocolError(400, f"the URL path is not valid UTF-8 after percent-decoding ({problem}); "
                                 "percent-encode the UTF-8 bytes of the characters (e.g. %E7%A6%8F for 福)")
    if request.blueprint in SELF_CHECKING_BLUEPRINTS:
        return
    query = request.environ.get("QUERY_STRING", "").encode("latin-1", "replace")
    problem = _utf8_problem(unquote_to_bytes(query.replace(b"+", b" ")))
    if problem:
        raise ProtocolError(400, f"the URL query string is not valid UTF-8 after percent-decoding ({problem}); "
                                 "percent-encode the UTF-8 bytes of the characters (e.g. ?q=%E7%A6%8F for 福)")


def page_number(args: MultiDict | None = None, name: str = "page") -> int:
    """`?page=` as a number from 1 to MAX_PAGE (1 when absent or empty); 400 for anything else."""
    args = request.args if args is None else args
    raw = args.get(name, "").strip()
    if not raw:
        return 1
    if not raw.isascii() or not raw.isdigit():
        raise ProtocolError(400, f"{name}={raw[:40]!r} is not a page number; give a whole number from 1, "
                                 f"e.g. ?{name}=2")
    if len(raw) > 7 or not 1 <= int(raw) <= MAX_PAGE:
        raise ProtocolError(400, f"{name}={raw[:40]} is out of range; pages are numbered from 1 to at most "
                                 f"{MAX_PAGE:,}")
    return int(raw)


@dataclass(frozen=True)
class Pager:
    """One page of a list of `total` items, `size` per page, from `?page=`."""

    total: int
    size: int
    page: int

    @classmethod
    def current(cls, total: int, size: int) -> "Pager":
        page = page_number()
        pages = max(1, -(-total // size))
        if page > pages:
            raise ProtocolError(404, f"page {page} does not exist: this list has {total:,} item(s) on "
                                     f"{pages} page(s); ask for ?page=1 … ?page={pages}")
        return cls(total, size, page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def register(app: Flask) -> None:
    app.before_request(check_utf8)
