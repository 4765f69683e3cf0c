"""HTTP content negotiation: a real `Accept` parser and format selection with a `?format=` override.

API (shared by the SPARQL endpoint and the linked-data browser):

    negotiate(accept_header, offered, format_param=None) -> str | None

`offered` lists the media types the server can produce, in the server's order of preference.
The answer is one of them, or None when nothing is acceptable (answer 406). `format_param`
(a short name like `ttl`, `json`, `csv` or a full media type) overrides the Accept header;
an unknown name raises `UnknownFormat`, whose message lists the names that work.

Rules (RFC 9110 §12.5.1): entries are split on commas outside quoted strings (werkzeug's
`parse_list_header`); werkzeug's `MIMEAccept` is not used for the rest because it reorders
entries (losing the client's order, our tie-breaker), keeps malformed entries, and does not
match range parameters such as a JSON-LD `profile`; `q` (0–1, up to
three decimals) defaults to 1; parameters before `q` belong to the media range, those after are
ignored; the most specific matching range decides an offered type's quality (type/subtype with
parameters > type/subtype > type/* > */*); `q=0` excludes. A `charset` parameter matches only
UTF-8 (everything here is UTF-8); other range parameters (e.g. a JSON-LD `profile`) are matched
only when the offered type declares the same parameter. Ties go to the more specific match,
then the client's order, then the server's. A missing, empty or entirely malformed header
means `*/*`. Malformed single entries are skipped.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from werkzeug.http import parse_list_header

__all__ = ["MediaRange", "UnknownFormat", "FORMAT_ALIASES", "parse_accept", "parse_media_type",
           "negotiate", "resolve_format", "format_names"]

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_TOKEN_RE = re.compile(_TOKEN + r"\Z")
_QVALUE_RE = re.compile(r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)\Z")

# Short names accepted by `?format=`; each maps to candidate media types, tried in order
# against what is offered (so `xml` means SPARQL XML results for SELECT, RDF/XML for CONSTRUCT).
FORMAT_ALIASES: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/json", "application/ld+json"),
    "srj": ("application/sparql-results+json",),
    "xml": ("application/sparql-results+xml", "application/rdf+xml", "application/xml"),
    "srx": ("application/sparql-results+xml",),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "ttl": ("text/turtle",),
    "turtle": ("text/turtle",),
    "n3": ("text/turtle",),  # Turtle is N3's RDF subset; SPARQLWrapper asks for format=n3
    "nt": ("application/n-triples",),
    "ntriples": ("application/n-triples",),
    "n-triples": ("application/n-triples",),
    "nq": ("application/n-quads",),
    "nquads": ("application/n-quads",),
    "n-quads": ("application/n-quads",),
    "trig": ("application/trig",),
    "jsonld": ("application/ld+json",),
    "json-ld": ("application/ld+json",),
    "rdf": ("application/rdf+xml",),
    "rdfxml": ("application/rdf+xml",),
    "rdf+xml": ("application/rdf+xml",),
    "owl": ("application/rdf+xml",),
    "html": ("text/html",),
    "text": ("text/plain",),
}


class UnknownFormat(ValueError):
    """`?format=` named no known format or media type."""


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header (or an offered media type, with q=1)."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...] = ()
    q: float = 1.0
    index: int = 0  # position in the header, for tie-breaking by client order

    @property
    def essence(self) -> str:
        return f"{self.type}/{self.subtype}"

    @property
    def specificity(self) -> tuple[int, int]:
        if self.type == "*":
            return (0, 0)
        if self.subtype == "*":
            return (1, 0)
        return (2, len(self.params))

    def param(self, name: str) -> str | None:
        for key, value in self.params:
            if key == name:
                return value
        return None


def _split_outside_quotes(text: str, sep: str) -> list[str]:
    if '"' not in text:
        return text.split(sep)
    parts, buf, quoted, escaped = [], [], False, False
    for ch in text:
        if escaped:
            buf.append(ch)
            escaped = False
        elif quoted and ch == "\\":
            buf.append(ch)
            escaped = True
        elif ch == '"':
            buf.append(ch)
            quoted = not quoted
        elif ch == sep and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def _unquote(value: str) -> str | None:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value if _TOKEN_RE.match(value) else None


def _parse_one(entry: str, index: int, *, with_q: bool) -> MediaRange | None:
    pieces = _split_outside_quotes(entry, ";")
    essence = pieces[0].strip().lower()
    if essence == "*":  # seen from old clients: `Accept: *`
        essence = "*/*"
    if essence.count("/") != 1:
        return None
    type_, subtype = essence.split("/")
    if not (_TOKEN_RE.match(type_) and _TOKEN_RE.match(subtype)) or (type_ == "*" and subtype != "*"):
        return None
    params: list[tuple[str, str]] = []
    q = 1.0
    for piece in pieces[1:]:
        piece = piece.strip()
        if not piece:
            continue
        if "=" not in piece:
            return None
        name, _, raw = piece.partition("=")
        name = name.strip().lower()
        value = _unquote(raw)
        if not _TOKEN_RE.match(name) or value is None:
            return None
        if with_q and name == "q":
            if not _QVALUE_RE.match(value.strip()):
                return None
            q = float(value)
            break  # what follows q are accept-extensions, not media-type parameters
        if name == "charset":
            value = value.lower()
        params.append((name, value))
    return MediaRange(type_, subtype, tuple(params), q, index)


def _parse_ranges(header: str | None) -> list[MediaRange]:
    ranges = []
    if header:
        for index, entry in enumerate(parse_list_header(header)):  # werkzeug: commas outside quotes
            if entry.strip():
                parsed = _parse_one(entry, index, with_q=True)
                if parsed is not None:
                    ranges.append(parsed)
    return ranges


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header into media ranges (malformed entries are skipped).

    A missing, empty or wholly malformed header yields `[*/*]`.
    """
    return list(_cached_accept(header or ""))


@functools.lru_cache(maxsize=512)
def _cached_accept(header: str) -> tuple[MediaRange, ...]:
    return tuple(_parse_ranges(header) or [MediaRange("*", "*")])


@functools.lru_cache(maxsize=512)
def parse_media_type(text: str) -> MediaRange | None:
    """Parse a single media type such as a Content-Type value (`q` is an ordinary parameter here)."""
    if not text or "," in _split_outside_quotes(text, ";")[0]:
        return None
    parsed = _parse_one(text, 0, with_q=False)
    if parsed is None or "*" in (parsed.type, parsed.subtype):
        return None
    return parsed


def _matches(rng: MediaRange, offer: MediaRange) -> bool:
    if rng.type != "*" and rng.type != offer.type:
        return False
    if rng.subtype != "*" and rng.subtype != offer.subtype:
        return False
    for name, value in rng.params:
        if name == "charset":
            if value not in ("utf-8", "utf8", (offer.param("charset") or "utf-8")):
                return False
            continue
        offered_value = offer.param(name)
        if offered_value is not None and offered_value != value:
            return False
    return True


def _quality(ranges: list[MediaRange], offer: MediaRange) -> tuple[float, tuple[int, int], int]:
    best: MediaRange | None = None
    for rng in ranges:
        if _matches(rng, offer) and (best is None or rng.specificity > best.specificity):
            best = rng
    if best is None:
        return (0.0, (0, 0), 0)
    return (best.q, best.specificity, best.index)


def format_names(offered: list[str]) -> list[str]:
    """The `?format=` short names that select one of `offered`."""
    essences = {_essence(o) for o in offered}
    return [name for name, candidates in FORMAT_ALIASES.items() if any(c in essences for c in candidates)]


def _essence(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def resolve_format(format_param: str, offered: list[str]) -> str | None:
    """The offered media type that `?format=` names, or None if it names one not offered here.

    Raises UnknownFormat when the value is neither a known short name nor a media type.
    """
    value = format_param.strip()
    key = value.lower()
    if key in FORMAT_ALIASES:
        candidates = FORMAT_ALIASES[key]
    else:
        fixed = re.sub(r"(?<=\w) (?=\w)", "+", value)  # `+` in a query string decodes to a space
        parsed = parse_media_type(fixed)
        if parsed is None:
            # A list of media types, as SPARQLWrapper sends (format=application/ld+json,application/x-json+ld):
            # negotiate it like an Accept header.
            if _parse_ranges(fixed) and ("," in fixed or ";" in fixed):
                return _best(_parse_ranges(fixed), offered)
            names = ", ".join(sorted(FORMAT_ALIASES))
            raise UnknownFormat(f"unknown format {format_param!r}: use a media type or one of {names}")
        candidates = (parsed.essence,)
    by_essence = {_essence(o): o for o in offered}
    for candidate in candidates:
        if candidate in by_essence:
            return by_essence[candidate]
    return None


def negotiate(accept_header: str | None, offered: list[str], format_param: str | None = None) -> str | None:
    """Pick the offered media type to answer with, or None if none is acceptable (→ 406).

    `format_param` (if given and not blank) overrides Accept; see the module doc for the rules.
    """
    if not offered:
        return None
    if format_param is not None and format_param.strip():
        return resolve_format(format_param, offered)
    return _best(_cached_accept(accept_header or ""), offered)


def _best(ranges, offered: list[str]) -> str | None:
    best: tuple | None = None
    choice = None
    for server_rank, media_type in enumerate(offered):
        offer = parse_media_type(media_type)
        if offer is None:
            raise ValueError(f"offered media type {media_type!r} is not valid")
        q, specificity, client_rank = _quality(ranges, offer)
        if q <= 0:
            continue
        key = (q, specificity, -client_rank, -server_rank)
        if best is None or key > best:
            best, choice = key, media_type
    return choice
