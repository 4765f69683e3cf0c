"""The SPARQL 1.1 Protocol at /sparql (query operation only; the dataset is read-only).

- GET `?query=`, POST `application/x-www-form-urlencoded` (`query=`), POST
  `application/sparql-query` (query as body); `default-graph-uri` / `named-graph-uri` replace the
  default dataset (the union of all named graphs, each named graph still reachable with GRAPH).
- Results by content negotiation (`conneg`) or `?format=`; 406 when nothing acceptable.
- GET without a query: the Service Description (Turtle, RDF/XML, JSON-LD, N-Triples), or the
  HTML query page for browsers.
- GET/HEAD answers carry a weak ETag (dataset release + query + dataset + format + row cap) and
  honour If-None-Match with 304 before running anything; Cache-Control suits a read-only dataset.
- Every refusal is a 4xx whose text says what to fix: Update (403), SERVICE outside the
  allow-list (403), bad or duplicate parameters, wrong media type (415), non-UTF-8, too large
  (413), syntax errors with line/column and a caret. Runaway queries: 503 after the timeout.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from flask import Blueprint, Response, request

from fukudx_kg.namespaces import ONTOLOGY_GRAPH, SHARED_GRAPH
from fukudx_kg.sparql import results
from fukudx_kg.sparql.description import DESCRIPTION_TYPES, build_description, serialize_description
from fukudx_kg.sparql.html import CSS, ENDPOINT_PATH, render_query_page
from fukudx_kg.sparql.inspection import MAX_NESTING, inspect_query, line_column
from fukudx_kg.sparql.syntax_errors import explain
from fukudx_kg.store.pool import Job, PoolBusy, QueryFailed, QueryTimeout, WorkerFailed
from fukudx_kg.web import response_cache, security_headers
from fukudx_kg.web.conneg import UnknownFormat, format_names, negotiate, parse_media_type
from fukudx_kg.web.errors import ProtocolError
from fukudx_kg.web.runtime import current

log = logging.getLogger(__name__)

FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
# CSV/TSV with bom=1: Excel (notably on Japanese Windows) reads UTF-8 only after a byte order mark.
UTF8_BOM = b"\xef\xbb\xbf"
EXCEL_TYPES = {"text/csv": "csv", "text/tab-separated-values": "tsv"}
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*\Z")

bp = Blueprint("sparql", __name__)


@dataclass
class SparqlRequest:
    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)  # non-empty ?format= values
    via: str = "GET"
    partial: bool = False   # partial=true: a result cut at the row cap is welcome (else refused)
    bom: bool = False       # bom=1: CSV/TSV start with a UTF-8 byte order mark, for Excel

    @property
    def format(self) -> str | None:
        return self.formats[0] if self.formats else None

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


# ------------------------------------------------------------------------------ reading requests

def _split_params(raw: bytes, max_fields: int = 1000) -> list[tuple[bytes, bytes]]:
    """application/x-www-form-urlencoded → (name, value) byte pairs, percent-decoded, '+' as space.

    (urllib's parse_qsl decodes to text with replacement characters, hiding non-UTF-8 input.)
    """
    pairs = []
    for field_ in raw.split(b"&"):
        if not field_:
            continue
        if len(pairs) >= max_fields:
            raise ProtocolError(400, f"more than {max_fields} parameters; send fewer parameters")
        name, _, value = field_.partition(b"=")
        pairs.append((unquote_to_bytes(name.replace(b"+", b" ")), unquote_to_bytes(value.replace(b"+", b" "))))
    return pairs


def _decode_params(raw: bytes, where: str, max_bytes: int) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for raw_name, raw_value in _split_params(raw):
        try:
            name = raw_name.decode("utf-8")
            value = raw_value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(400, f"the {where} is not valid UTF-8 after percent-decoding (byte "
                                     f"0x{exc.object[exc.start]:02X} at offset {exc.start} of parameter "
                                     f"{raw_name.decode('utf-8', 'replace')!r}); percent-encode the UTF-8 "
                                     "bytes of the query") from None
        if name == "query" and len(raw_value) > max_bytes:
            raise _too_large(len(raw_value), max_bytes)
        params.setdefault(name, []).append(value)
    return params


def _too_large(size: int, limit: int) -> ProtocolError:
    return ProtocolError(413, f"the query is {size:,} bytes; this endpoint accepts at most {limit:,} bytes "
                              "(FUKUDX_MAX_QUERY_BYTES). Shorten the query, e.g. move long VALUES lists "
                              "into several queries.")


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ProtocolError(400, f"the '{name}' parameter was given {len(values)} times; send it exactly once")
    return values[0] if values else None


def _check_charset(media, content_type: str) -> None:
    charset = media.param("charset")
    if charset and charset.lower() not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"Content-Type {content_type!r} declares charset {charset}; this endpoint "
                                 "reads UTF-8 only: encode the query as UTF-8 and send charset=utf-8 (or no charset)")


def _refuse_update(via: str) -> ProtocolError:
    return ProtocolError(403, f"this endpoint is read-only: SPARQL Update ({via}) is not accepted and the data "
                              "never changes over HTTP. Send a query (SELECT, ASK, CONSTRUCT, DESCRIBE) instead; "
                              "to change the data, edit the sources and rebuild the dataset.")


def _refuse_unreadable(query: str, info) -> None:
    """Fail closed: a text whose form the lexer cannot tell, or that nests absurdly deep, never runs."""
    if info.form is None:
        line, column = line_column(query, info.body_start)
        raise ProtocolError(400, explain(query, f"error at {line}:{column}: expected SELECT, CONSTRUCT, DESCRIBE "
                                                "or ASK (after the PREFIX and BASE declarations)"))
    if info.nesting > MAX_NESTING:
        raise ProtocolError(400, f"the query nests {{ }}, ( ) and [ ] {info.nesting} levels deep; this endpoint "
                                 f"accepts at most {MAX_NESTING} levels. Flatten the query (e.g. fewer nested "
                                 "groups or parentheses).")


def read_sparql_request(max_bytes: int) -> SparqlRequest:
    """Read the protocol parameters from the current request (GET or POST), or raise ProtocolError."""
    url_params = _decode_params(request.query_string, "URL query string", max_bytes)
    if request.method in ("GET", "HEAD"):
        params, via = url_params, "GET"
    else:
        content_type = request.headers.get("Content-Type", "").strip()
        hint = (f"send the query as POST with Content-Type {FORM_TYPE} (body query=…) or {QUERY_TYPE} "
                "(the query text as the body)")
        if not content_type:
            raise ProtocolError(415, f"the POST request has no Content-Type; {hint}")
        media = parse_media_type(content_type)
        if media is None:
            raise ProtocolError(415, f"Content-Type {content_type!r} is not a valid media type; {hint}")
        if media.essence == UPDATE_TYPE:
            raise _refuse_update(UPDATE_TYPE)
        if media.essence == FORM_TYPE:
            _check_charset(media, content_type)
            body = request.get_data(cache=True)
            params = _decode_params(body, "form body", max_bytes)
            for name, values in url_params.items():
                params.setdefault(name, [])
                params[name] = values + params[name]
            via = "POST form"
        elif media.essence == QUERY_TYPE:
            _check_charset(media, content_type)
            body = request.get_data(cache=True)
            if len(body) > max_bytes:
                raise _too_large(len(body), max_bytes)
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ProtocolError(400, f"the request body is not valid UTF-8 (byte 0x{body[exc.start]:02X} at "
                                         f"offset {exc.start}); send the query encoded as UTF-8") from None
            if "query" in url_params:
                raise ProtocolError(400, "the query was given twice: in the body and as a 'query' URL parameter; "
                                         "send it once")
            params = dict(url_params)
            params["query"] = [text]
            via = "POST direct"
        else:
            raise ProtocolError(415, f"Content-Type {media.essence} is not accepted for queries; {hint}")
    if params.get("update"):
        raise _refuse_update("the 'update' parameter")
    query = _single(params, "query")
    # SPARQLWrapper sends format twice (e.g. format=tsv&format=text/tab-separated-values) and
    # sometimes empty: keep the non-empty values; they must agree (checked when negotiating).
    formats = [value for value in params.get("format", []) if value.strip()]
    default_graphs = params.get("default-graph-uri", [])
    named_graphs = params.get("named-graph-uri", [])
    for name, graphs in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for graph in graphs:
            if not _ABSOLUTE_IRI.match(graph):
                raise ProtocolError(400, f"{name}={graph!r} is not an absolute IRI; give graph names such as "
                                         f"{SHARED_GRAPH} or {ONTOLOGY_GRAPH}")
    if query is not None and len(query.encode("utf-8")) > max_bytes:
        raise _too_large(len(query.encode("utf-8")), max_bytes)
    return SparqlRequest(query, default_graphs, named_graphs, formats, via,
                         partial=_flag(params, "partial"), bom=_flag(params, "bom"))


_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


def _flag(params: dict[str, list[str]], name: str) -> bool:
    value = _single(params, name)
    if value is None or value.strip().lower() in _FALSE:
        return False
    if value.strip().lower() in _TRUE:
        return True
    raise ProtocolError(400, f"{name}={value!r} is not a yes/no value; send {name}=true or {name}=false")


# ------------------------------------------------------------------------------------ answering

def _etag(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:40]
    return digest


def _not_modified(tag: str, cache_control: str) -> Response | None:
    if request.if_none_match and request.if_none_match.contains_weak(tag):
        response = Response(status=304)
        response.set_etag(tag, weak=True)
        response.headers["Cache-Control"] = cache_control
        response.vary.add("Accept")
        return response
    return None


def choose_media_type(req: SparqlRequest, offered: list[str]) -> str | None:
    """Negotiate the response type; every ?format= value must name the same type."""
    accept = request.headers.get("Accept")
    try:
        if not req.formats:
            return negotiate(accept, offered)
        chosen = {negotiate(accept, offered, value) for value in req.formats}
    except UnknownFormat as exc:
        raise ProtocolError(400, str(exc)) from None
    if len(chosen) > 1:
        raise ProtocolError(400, "the 'format' parameter was given several times with different formats ("
                                 + ", ".join(repr(v) for v in req.formats) + "); send one format")
    return chosen.pop()


def _cache_control(cacheable: bool, max_age: int) -> str:
    return f"public, max-age={max_age}" if cacheable and max_age > 0 else ("no-cache" if cacheable else "no-store")


def _service_description(req: SparqlRequest) -> Response:
    rt = current()
    offered = list(DESCRIPTION_TYPES) + ["text/html"]
    media = choose_media_type(req, offered)
    if media is None:
        raise ProtocolError(406, "the service description is available as " + ", ".join(offered)
                            + "; ask for one of them in Accept or with ?format=")
    info = rt.backend.info()
    cache_control = _cache_control(True, rt.settings.cache_max_age)
    tag = _etag(info.release or "", "sd", request.base_url, media, repr(rt.settings.public_summary()))
    if info.release:
        not_modified = _not_modified(tag, cache_control)
        if not_modified is not None:
            return not_modified
    if media == "text/html":
        body = render_query_page(info.release, info.triples, rt.settings.public_summary()).encode("utf-8")
    else:
        body = serialize_description(build_description(request.base_url, rt.settings, info), media)
    response = Response(body, content_type=results.content_type(media))
    response.headers["Cache-Control"] = cache_control
    if info.release:
        response.set_etag(tag, weak=True)
    response.vary.add("Accept")
    return response


@bp.route(ENDPOINT_PATH, methods=["GET", "POST"], strict_slashes=False)
def sparql() -> Response:
    rt = current()
    settings = rt.settings
    req = read_sparql_request(settings.max_query_bytes)
    if req.query is None:
        if req.has_dataset or req.via != "GET":
            raise ProtocolError(400, "missing 'query' parameter: send the SPARQL query as ?query=… (GET), "
                                     f"query=… in a {FORM_TYPE} body, or as a {QUERY_TYPE} body")
        return _service_description(req)
    query = req.query
    if not query.strip():
        raise ProtocolError(400, "the 'query' parameter is empty; send a SPARQL query such as "
                                 "SELECT * WHERE { ?s ?p ?o } LIMIT 10")

    info = inspect_query(query)
    if info.update:
        raise _refuse_update(info.update)
    _refuse_unreadable(query, info)
    # SERVICE targets are checked in the query process, before the engine runs (service_policy).

    offered = results.offered_types(info.form)
    media = choose_media_type(req, offered)
    if media is None:
        form = f"a {info.form} query" if info.form else "this query"
        asked = f"format={req.format!r}" if req.format else f"Accept: {request.headers.get('Accept', '')!r}"
        raise ProtocolError(406, f"{asked} matches no format for {form}; it can be answered as "
                                 + ", ".join(offered) + " (or ?format=" + "|".join(format_names(offered)) + ")")

    release = rt.backend.release_id
    # Federated answers depend on other endpoints, not only on our release: never cached.
    cacheable = request.method in ("GET", "HEAD") and info.service_count == 0
    cache_control = _cache_control(cacheable and release is not None, settings.cache_max_age)
    tag = None
    if cacheable and release:
        tag = _etag(release, "query", query, "\x01".join(req.default_graphs), "\x01".join(req.named_graphs),
                    media, str(settings.row_cap), settings.base_iri, ",".join(settings.service_allowlist),
                    f"partial={req.partial},bom={req.bom}")
        not_modified = _not_modified(tag, cache_control)
        if not_modified is not None:
            return not_modified

    # With default-graph-uri/named-graph-uri the protocol dataset replaces the default one
    # (an unspecified part is empty); without them, the union of all named graphs is queried.
    job = Job(query, list(req.default_graphs) if req.has_dataset else None,
              list(req.named_graphs) if req.has_dataset else None, media, settings.row_cap, info.prefixes,
              union_default_graph=not info.dataset_clause,
              within_cap=info.form == "SELECT" and info.limit is not None and info.limit <= settings.row_cap,
              partial=req.partial)
    try:
        outcome = rt.pool.run(job)
    except QueryTimeout as exc:
        if exc.quick_lane:
            raise ProtocolError(503, "every regular query process is busy with long-running queries, and this one "
                                     f"ran longer than the {settings.quick_lane_timeout:g} s allowed meanwhile "
                                     "(FUKUDX_QUICK_LANE_TIMEOUT); retry in a few seconds",
                                {"Retry-After": "5"}) from None
        raise ProtocolError(503, f"the query ran longer than the {settings.query_timeout:g} s limit "
                                 "(FUKUDX_QUERY_TIMEOUT) and was stopped. Make it cheaper: bind variables, "
                                 "add selective triple patterns, avoid cartesian products, or add LIMIT.") from None
    except PoolBusy:
        raise ProtocolError(503, "all query processes are busy (or still starting); retry in a few seconds",
                            {"Retry-After": "2"}) from None
    except WorkerFailed as exc:
        raise ProtocolError(503, f"the query could not be completed: {exc}. Make the query cheaper "
                                 "(less intermediate data, e.g. avoid ORDER BY over huge results) and retry.") from None
    except QueryFailed as exc:  # syntax errors arrive explained; SERVICE refusals as 403/400
        if exc.status >= 500 and exc.status not in (502, 503):
            log.error("query failed: %s", exc.message)
        raise ProtocolError(exc.status, exc.message) from None

    body = outcome.body
    if req.bom and outcome.media_type in EXCEL_TYPES:
        body = UTF8_BOM + body
    response = Response(body, content_type=results.content_type(outcome.media_type))
    if req.bom and outcome.media_type in EXCEL_TYPES:  # opens in Excel from the downloads folder
        response.headers["Content-Disposition"] = f'attachment; filename="results.{EXCEL_TYPES[outcome.media_type]}"'
    response.headers["X-Result-Truncated"] = "true" if outcome.truncated else "false"
    if outcome.rows >= 0:  # not counted when pyoxigraph wrote a result that could not reach the cap
        response.headers["X-Result-Rows"] = str(outcome.rows)
    response.headers["X-Row-Cap"] = str(settings.row_cap)
    if release:
        response.headers["X-Release"] = release
    response.headers["Cache-Control"] = cache_control
    response.headers["Server-Timing"] = f"query;dur={outcome.elapsed * 1000:.1f}"
    if tag:
        response.set_etag(tag, weak=True)
    response.vary.add("Accept")
    if info.service_count == 0:  # the answer depends on the release and the request alone
        response_cache.keep(release)
    return response


def register(app) -> None:
    security_headers.allow_inline_style(CSS)  # the query form's and result tables' one stylesheet
    app.register_blueprint(bp)
