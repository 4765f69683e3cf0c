"""All service settings in one place, read from `FUKUDX_…` environment variables.

Every setting has a documented default; `python -m fukudx_kg.settings` prints the table
(the README's settings section is this table). An invalid value stops the service at
start with a message naming the variable, the bad value and what is accepted.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

from fukudx_kg.namespaces import DEFAULT_BASE_IRI


class SettingsError(ValueError):
    """A setting has a value the service cannot use; str() says which and how to fix it."""


def _parse_float(env: str, raw: str, *, minimum: float = 0.0, allow_zero: bool = False) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{env}={raw!r} is not a number; set it to a number such as 30") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise SettingsError(f"{env}={raw!r} must be a finite number")
    if value < minimum or (value == minimum and not allow_zero):
        raise SettingsError(f"{env}={raw!r} must be greater than {minimum:g}")
    return value


def _parse_int(env: str, raw: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    try:
        value = int(raw.strip().replace("_", ""))
    except ValueError:
        raise SettingsError(f"{env}={raw!r} is not a whole number; set it to e.g. {max(minimum, 1)}") from None
    if value < minimum:
        raise SettingsError(f"{env}={raw!r} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{env}={raw!r} must be at most {maximum}")
    return value


def _parse_http_iri(env: str, raw: str, *, what: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c in raw for c in ' <>"{}|\\^`'):
        raise SettingsError(f"{env}={raw!r} is not an absolute http(s) IRI; {what}")
    if parts.username or parts.password:
        raise SettingsError(f"{env}={raw!r} must not contain user:password@; {what}")
    return raw


def _parse_base_iri(env: str, raw: str) -> str:
    raw = raw.strip()
    _parse_http_iri(env, raw, what="give e.g. https://w3id.org/fukudx/id/")
    if not raw.endswith(("/", "#")):
        raise SettingsError(f"{env}={raw!r} must end with '/' or '#' so resource IRIs can be appended to it")
    return raw


def _parse_allowlist(env: str, raw: str) -> tuple[str, ...]:
    entries = [e for e in re.split(r"[\s,]+", raw.strip()) if e]
    for entry in entries:
        _parse_http_iri(env, entry, what="list SPARQL endpoint IRIs such as https://query.wikidata.org/sparql, "
                                         "separated by spaces or commas")
        if urlsplit(entry).fragment:
            raise SettingsError(f"{env}: entry {entry!r} must not have a #fragment")
    return tuple(dict.fromkeys(entries))


def _parse_backend(env: str, raw: str) -> str:
    raw = raw.strip()
    if raw.lower() == "oxigraph":
        return "oxigraph"
    return _parse_http_iri(env, raw, what="use 'oxigraph' (embedded store) or the URL of a SPARQL 1.1 query "
                                          "endpoint such as http://db.internal:7878/query")


def _parse_host(env: str, raw: str) -> str:
    raw = raw.strip()
    if not raw:
        raise SettingsError(f"{env} is empty; give an interface address such as 127.0.0.1 or 0.0.0.0")
    try:
        ipaddress.ip_address(raw.strip("[]"))
    except ValueError:
        if not re.fullmatch(r"[A-Za-z0-9.-]+", raw):
            raise SettingsError(f"{env}={raw!r} is neither an IP address nor a host name") from None
    return raw


def _parse_cors(env: str, raw: str) -> str:
    raw = raw.strip()
    if raw in ("", "*"):
        return raw
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise SettingsError(f"{env}={raw!r} must be '*', empty (CORS off) or one origin such as https://example.org")
    return raw.rstrip("/")


def _parse_path(env: str, raw: str) -> Path:
    if not raw.strip():
        raise SettingsError(f"{env} is empty; give a directory such as build")
    return Path(raw.strip())


def _parse_memory_budget(env: str, raw: str) -> int:
    if raw.strip().lower() != "auto":
        return _parse_int(env, raw, minimum=0)
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // (2 * 1024 * 1024)
    except (ValueError, OSError):  # pragma: no cover - no sysconf: a modest fixed budget
        return 4096


def _parse_access_log(env: str, raw: str) -> str:
    return raw.strip()


@dataclass(frozen=True)
class _Spec:
    field: str
    env: str
    default: str
    parse: Callable[[str, str], Any]
    doc: str


# The one table of settings: field name, environment variable, default (as text), parser, meaning.
SPECS: tuple[_Spec, ...] = (
    _Spec("base_iri", "FUKUDX_BASE_IRI", DEFAULT_BASE_IRI, _parse_base_iri,
          "Base IRI of the data resources (also the base for relative IRIs in queries)."),
    _Spec("query_timeout", "FUKUDX_QUERY_TIMEOUT", "30",
          lambda e, r: _parse_float(e, r, minimum=0.0),
          "Seconds a query may run (including serialization); then its worker is killed and the client gets 503."),
    _Spec("row_cap", "FUKUDX_ROW_CAP", "100000", lambda e, r: _parse_int(e, r, minimum=1),
          "Most result rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in one answer. A longer result is refused "
          "(422, pointing to LIMIT/OFFSET and /download) unless the request says partial=true; then it is "
          "cut and flagged."),
    _Spec("max_query_bytes", "FUKUDX_MAX_QUERY_BYTES", "1000000", lambda e, r: _parse_int(e, r, minimum=64),
          "Largest accepted query text in UTF-8 bytes; larger requests get 413."),
    _Spec("service_allowlist", "FUKUDX_SERVICE_ALLOWLIST", "", _parse_allowlist,
          "SPARQL endpoints that SERVICE may call (space/comma separated; an entry ending in '/' allows "
          "everything below it). Empty = federation off; everything else is refused before any connection."),
    _Spec("backend", "FUKUDX_BACKEND", "oxigraph", _parse_backend,
          "'oxigraph' = embedded pyoxigraph store built from the dataset; or the URL of a remote SPARQL 1.1 "
          "query endpoint (its default graph should be the union of the named graphs)."),
    _Spec("build_dir", "FUKUDX_BUILD_DIR", "build", _parse_path,
          "Directory holding dataset.nq and release.json, written by `make build` (= `python -m fukudx_kg "
          "build`; the server never builds and stops with a message when they are missing), and the on-disk "
          "query store."),
    _Spec("host", "FUKUDX_HOST", "127.0.0.1", _parse_host, "Interface to listen on."),
    _Spec("port", "FUKUDX_PORT", "8000", lambda e, r: _parse_int(e, r, minimum=1, maximum=65535),
          "TCP port to listen on."),
    _Spec("workers", "FUKUDX_WORKERS", "2", lambda e, r: _parse_int(e, r, minimum=1, maximum=64),
          "HTTP worker processes (granian)."),
    _Spec("threads", "FUKUDX_THREADS", "8", lambda e, r: _parse_int(e, r, minimum=1, maximum=256),
          "Threads per HTTP worker process running requests whose headers and body have fully arrived "
          "(slow or idle clients wait without a thread)."),
    _Spec("header_timeout", "FUKUDX_HEADER_TIMEOUT", "10", lambda e, r: _parse_float(e, r, minimum=0.0),
          "Seconds a client may take to send the request line and headers; also how long an idle "
          "keep-alive connection stays open. Then the connection is closed."),
    _Spec("body_timeout", "FUKUDX_BODY_TIMEOUT", "30", lambda e, r: _parse_float(e, r, minimum=0.0),
          "Seconds a client may take to send the whole request body; then it gets 408 and the "
          "connection is closed."),
    _Spec("query_workers", "FUKUDX_QUERY_WORKERS", "2", lambda e, r: _parse_int(e, r, minimum=1, maximum=64),
          "Query processes per HTTP worker; each runs one query at a time and is killed on timeout."),
    _Spec("queue_wait", "FUKUDX_QUEUE_WAIT", "10", lambda e, r: _parse_float(e, r, minimum=0.0),
          "Seconds a request waits for a free query process before it gets 503 (busy)."),
    _Spec("memory_budget_mb", "FUKUDX_MEMORY_BUDGET_MB", "auto", _parse_memory_budget,
          "Memory in MiB for all query processes together ('auto' = half of this machine's memory; 0 = no "
          "limit). Each process gets an equal share: budget ÷ (FUKUDX_WORKERS × (FUKUDX_QUERY_WORKERS + "
          "FUKUDX_QUICK_LANE)); a query exceeding its share gets 503."),
    _Spec("quick_lane", "FUKUDX_QUICK_LANE", "1", lambda e, r: _parse_int(e, r, minimum=0, maximum=16),
          "Extra query processes per HTTP worker that take a query only while all regular ones are busy, "
          "and stop it after FUKUDX_QUICK_LANE_TIMEOUT: cheap queries are answered while runaways run."),
    _Spec("quick_lane_timeout", "FUKUDX_QUICK_LANE_TIMEOUT", "2", lambda e, r: _parse_float(e, r, minimum=0.0),
          "Seconds a query may run in the quick lane before it is stopped (503, retry later)."),
    _Spec("cache_max_age", "FUKUDX_CACHE_MAX_AGE", "300", lambda e, r: _parse_int(e, r, minimum=0),
          "Cache-Control max-age (seconds) of GET results; ETags change with every dataset release."),
    _Spec("response_cache_mb", "FUKUDX_RESPONSE_CACHE_MB", "64", lambda e, r: _parse_int(e, r, minimum=0),
          "MiB per HTTP worker for answers kept per dataset release (query results without SERVICE, browser "
          "pages), sent again without running anything while the release is the same; 0 = off."),
    _Spec("cors_origin", "FUKUDX_CORS_ORIGIN", "*", _parse_cors,
          "Access-Control-Allow-Origin value: '*', one origin, or empty to turn CORS off."),
    _Spec("access_log", "FUKUDX_ACCESS_LOG", "-", _parse_access_log,
          "Access log file for the production server ('-' = stdout, empty = off)."),
    _Spec("public_url", "FUKUDX_PUBLIC_URL", "",
          lambda e, r: _parse_http_iri(e, r.strip().rstrip("/"), what="give the service's public base URL such as "
                                       "https://fukudx.example.org") if r.strip() else "",
          "Public base URL of the service (e.g. https://fukudx.example.org), used for the absolute URLs in the "
          "service description, VoID and graph descriptions instead of the request's Host header; empty = "
          "http://FUKUDX_HOST:FUKUDX_PORT."),
)


@dataclass(frozen=True)
class Settings:
    """Every setting of the service; build with `Settings.from_env()` (or `Settings()` for the defaults)."""

    base_iri: str = DEFAULT_BASE_IRI
    query_timeout: float = 30.0
    row_cap: int = 100_000
    max_query_bytes: int = 1_000_000
    service_allowlist: tuple[str, ...] = ()
    backend: str = "oxigraph"
    build_dir: Path = field(default_factory=lambda: Path("build"))
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 8
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    query_workers: int = 2
    queue_wait: float = 10.0
    memory_budget_mb: int = field(default_factory=lambda: _parse_memory_budget("", "auto"))
    quick_lane: int = 1
    quick_lane_timeout: float = 2.0
    cache_max_age: int = 300
    response_cache_mb: int = 64
    cors_origin: str = "*"
    access_log: str = "-"
    public_url: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Read every `FUKUDX_…` variable (unset → default); keyword overrides win over the environment.

        Raises SettingsError naming the variable for any invalid value.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in SPECS:
            raw = environ.get(spec.env)
            values[spec.field] = spec.parse(spec.env, spec.default if raw is None else raw)
        for name, value in overrides.items():
            if value is None:
                continue
            spec = _SPEC_BY_FIELD.get(name)
            if spec is None:
                raise SettingsError(f"unknown setting {name!r}")
            values[name] = spec.parse(spec.env, str(value)) if isinstance(value, str) else value
        return cls(**values)

    @property
    def is_remote(self) -> bool:
        return self.backend != "oxigraph"

    @property
    def query_memory_mb(self) -> int:
        """One query process's share of the memory budget (0 = no limit)."""
        processes = self.workers * (self.query_workers + self.quick_lane)
        return self.memory_budget_mb // processes if self.memory_budget_mb else 0

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)

    def public_summary(self) -> dict[str, Any]:
        """The settings a client may see (limits, federation), for /version and the service description."""
        return {
            "query_timeout_s": self.query_timeout,
            "row_cap": self.row_cap,
            "max_query_bytes": self.max_query_bytes,
            "service_allowlist": list(self.service_allowlist),
            "backend": "oxigraph" if not self.is_remote else "remote",
            "cache_max_age_s": self.cache_max_age,
        }


_SPEC_BY_FIELD = {s.field: s for s in SPECS}


def settings_table() -> str:
    """The documented settings as a Markdown table (the README includes it)."""
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for spec in SPECS:
        default = f"`{spec.default}`" if spec.default else "(empty)"
        rows.append(f"| `{spec.env}` | {default} | {spec.doc} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover - documentation helper
    sys.stdout.write(settings_table())
