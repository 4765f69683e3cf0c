"""Writing SPARQL results in every supported media type, cut at the row cap and saying so.

SELECT solutions are written here (JSON, XML, CSV, TSV) so the row cap can stop the iteration
and the JSON can carry a `"truncated"` flag; graphs (CONSTRUCT/DESCRIBE) are collected up to the
cap and written by pyoxigraph's serializers. Terms are pyoxigraph terms, whichever backend
produced them.

A cut result is only ever sent to a client that asked for one (`partial=true`): it then says so
in-band in every format that has a place for it (the JSON flag, an XML comment, a `#` comment in
Turtle, N-Triples, N-Quads and TriG, the HTML banner) besides the `X-Result-Truncated` header.
Without `partial`, a result over the cap is refused (`too_large_message`).
"""

from __future__ import annotations

import itertools
import json
import json.encoder
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

import pyoxigraph as ox

from fukudx_kg.namespaces import PREFIXES

XSD_STRING = PREFIXES["xsd"] + "string"

# media type → writer name, for SELECT/ASK results; the first is the default.
SOLUTION_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/html": "html",  # a results table for people using the query page
}

# media type → pyoxigraph RdfFormat, for CONSTRUCT/DESCRIBE results; the first is the default.
GRAPH_TYPES: dict[str, ox.RdfFormat | None] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/html": None,  # a table of triples for people using the query page
}

_GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


def offered_types(form: str | None) -> list[str]:
    """Media types a query of this form can be answered in, default first."""
    if form in _GRAPH_FORMS:
        return list(GRAPH_TYPES)
    return list(SOLUTION_TYPES)


def default_type(form: str | None) -> str:
    return offered_types(form)[0]


def content_type(media_type: str) -> str:
    """The Content-Type header value: every result is UTF-8 and says so."""
    return f"{media_type}; charset=utf-8"


@dataclass
class Written:
    body: bytes
    rows: int
    truncated: bool


# ---------------------------------------------------------------------------------------- terms

def _literal_parts(term: ox.Literal) -> tuple[str, str | None, str | None, str | None]:
    language = term.language
    direction = getattr(term, "direction", None)
    direction_text = None if direction is None else str(direction).rsplit(".", 1)[-1].lower()
    datatype = None if language else term.datatype.value
    if datatype == XSD_STRING:
        datatype = None
    return term.value, language, direction_text, datatype


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        value, language, direction, datatype = _literal_parts(term)
        out = {"type": "literal", "value": value}
        if language:
            out["xml:lang"] = language
            if direction:
                out["its:dir"] = direction
        elif datatype:
            out["datatype"] = datatype
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


_NAMED, _BLANK, _LITERAL, _TRIPLE = ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple


def _json_term_text(term, quote=json.encoder.encode_basestring) -> str:
    """The SPARQL JSON encoding of a term, as text (the hot path of JSON results)."""
    kind = type(term)
    if kind is _NAMED:
        return '{"type":"uri","value":' + quote(term.value) + "}"
    if kind is _LITERAL:
        language = term.language
        if language:
            direction = getattr(term, "direction", None)
            extra = ',"its:dir":' + quote(str(direction).rsplit(".", 1)[-1].lower()) if direction is not None else ""
            return '{"type":"literal","value":' + quote(term.value) + ',"xml:lang":' + quote(language) + extra + "}"
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return '{"type":"literal","value":' + quote(term.value) + "}"
        return '{"type":"literal","value":' + quote(term.value) + ',"datatype":' + quote(datatype) + "}"
    if kind is _BLANK:
        return '{"type":"bnode","value":' + quote(term.value) + "}"
    return json.dumps(_json_term(term), ensure_ascii=False)


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    # Line breaks and tabs as character references: XML parsers normalise raw CR and may trim.
    text = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;"))
    return _XML_INVALID.sub("\ufffd", text)


def _xml_attr(text: str) -> str:
    return _xml_text(text).replace('"', "&quot;")


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        value, language, direction, datatype = _literal_parts(term)
        if language:
            dir_attr = f' its:dir="{direction}"' if direction else ""
            return f'<literal xml:lang="{_xml_attr(language)}"{dir_attr}>{_xml_text(value)}</literal>'
        if datatype:
            return f'<literal datatype="{_xml_attr(datatype)}">{_xml_text(value)}</literal>'
        return f"<literal>{_xml_text(value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"unexpected term {term!r}")


_NT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NT_ESCAPE_RE = re.compile(r'[\\"\n\r\t]')


def _nt_term(term) -> str:
    """N-Triples syntax of a term (used by TSV, and by CSV for triple terms)."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        value, language, direction, datatype = _literal_parts(term)
        quoted = '"' + _NT_ESCAPE_RE.sub(lambda m: _NT_ESCAPES[m.group()], value) + '"'
        if language:
            return f"{quoted}@{language}" + (f"--{direction}" if direction else "")
        if datatype:
            return f"{quoted}^^<{datatype}>"
        return quoted
    if isinstance(term, ox.Triple):
        return f"<<( {_nt_term(term.subject)} {_nt_term(term.predicate)} {_nt_term(term.object)} )>>"
    raise TypeError(f"unexpected term {term!r}")


_CSV_SPECIAL = re.compile('[",\n\r]')


def _csv_field(term) -> str:
    if term is None:
        return ""
    kind = type(term)
    if kind is _NAMED or kind is _LITERAL:
        text = term.value
    elif kind is _BLANK:
        text = "_:" + term.value
    else:
        text = _nt_term(term)
    if _CSV_SPECIAL.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


# ------------------------------------------------------------------------------------- writers

def write_solutions(variables: Sequence[str], rows: Iterable[Sequence], media_type: str, row_cap: int) -> Written:
    """Write SELECT solutions (each row a sequence of terms or None, in `variables` order)."""
    kind = SOLUTION_TYPES[media_type]
    limited = itertools.islice(rows, row_cap + 1)
    count = 0
    truncated = False
    parts: list[str] = []
    if kind == "json":
        head = json.dumps({"vars": list(variables)}, ensure_ascii=False)
        parts.append("")  # the opening, once truncation is known: the flag precedes "results" so
        # streaming parsers that stop reading after the bindings (e.g. Oxigraph's) still accept it
        keys = [json.encoder.encode_basestring(v) + ":" for v in variables]
        term_text = _json_term_text
        for row in limited:
            if count == row_cap:
                truncated = True
                break
            binding = ",".join(key + term_text(term) for key, term in zip(keys, row, strict=False) if term is not None)
            parts.append(("{" if not count else ",{") + binding + "}")
            count += 1
        parts[0] = ('{"head":' + head + ',"truncated":' + ("true" if truncated else "false")
                    + ',"results":{"bindings":[')
        parts.append("]}}")
    elif kind == "xml":
        parts.append('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"'
                     ' xmlns:its="http://www.w3.org/2005/11/its">\n<head>')
        parts.extend(f'<variable name="{_xml_attr(v)}"/>' for v in variables)
        parts.append("</head>\n<results>\n")
        for row in limited:
            if count == row_cap:
                truncated = True
                break
            bindings = "".join(f'<binding name="{_xml_attr(name)}">{_xml_term(term)}</binding>'
                               for name, term in zip(variables, row, strict=False) if term is not None)
            parts.append(f"<result>{bindings}</result>\n")
            count += 1
        parts.append("</results>\n")
        if truncated:
            parts.append(f"<!-- truncated: only the first {row_cap} results are included (row cap, partial=true) -->\n")
        parts.append("</sparql>\n")
    elif kind == "csv":
        parts.append(",".join(_csv_field(ox.Literal(v)) for v in variables) + "\r\n")
        for row in limited:
            if count == row_cap:
                truncated = True
                break
            parts.append(",".join(_csv_field(term) for term in row) + "\r\n")
            count += 1
    elif kind == "tsv":
        parts.append("\t".join(f"?{v}" for v in variables) + "\n")
        for row in limited:
            if count == row_cap:
                truncated = True
                break
            parts.append("\t".join("" if term is None else _nt_term(term) for term in row) + "\n")
            count += 1
    elif kind == "html":
        body_rows = []
        for row in limited:
            if count == row_cap:
                truncated = True
                break
            body_rows.append([_html_cell(term) for term in row])
            count += 1
        parts.append(render_results([f"?{v}" for v in variables], body_rows, count, truncated, row_cap))
    else:  # pragma: no cover - the tables above are the only source of kinds
        raise ValueError(media_type)
    return Written("".join(parts).encode("utf-8"), count, truncated)


_NATIVE_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                   "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


def write_solutions_natively(rows, media_type: str) -> Written | None:
    """pyoxigraph's own (faster) writer, for results that cannot exceed the row cap (their LIMIT is
    at most the cap); None when the format has no native writer. Rows are not counted (-1)."""
    fmt = _NATIVE_FORMATS.get(SOLUTION_TYPES[media_type])
    if fmt is None:
        return None
    body = rows.serialize(fmt)
    if fmt is ox.QueryResultsFormat.JSON:  # same shape as write_solutions: the flag before "results"
        body = body.replace(b',"results":', b',"truncated":false,"results":', 1)
    return Written(body, -1, False)


def write_boolean(value: bool, media_type: str) -> Written:
    """Write an ASK result."""
    kind = SOLUTION_TYPES[media_type]
    text = "true" if value else "false"
    if kind == "html":
        body = render_results(["ASK"], [[(None, text)]], 1, False, 1)
    elif kind == "json":
        body = '{"head":{},"boolean":' + text + "}"
    elif kind == "xml":
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{text}</boolean></sparql>\n")
    elif kind == "csv":
        body = text + "\r\n"
    else:
        body = text + "\n"
    return Written(body.encode("utf-8"), 1, False)


def too_large_message(row_cap: int) -> str:
    return (f"the result has more than {row_cap:,} rows or triples (FUKUDX_ROW_CAP), the most one answer holds. "
            "Page through it with ORDER BY and LIMIT/OFFSET, narrow the query, download the whole dataset from "
            "/download/dataset.nq, or add partial=true to the request to accept the first "
            f"{row_cap:,} (flagged as truncated).")


_COMMENTED = {ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}


def _truncation_note(fmt, row_cap: int) -> bytes:
    text = f"truncated: only the first {row_cap} triples are included (row cap, partial=true)"
    if fmt in _COMMENTED:
        return f"# {text}\n".encode("utf-8")
    if fmt is ox.RdfFormat.RDF_XML:  # a comment may follow the document element
        return f"<!-- {text} -->\n".encode("utf-8")
    return b""  # JSON-LD has no comments: the header says it


def write_triples(triples: Iterable, media_type: str, row_cap: int, prefixes: dict[str, str] | None = None) -> Written:
    """Write CONSTRUCT/DESCRIBE triples, at most `row_cap` of them."""
    fmt = GRAPH_TYPES[media_type]
    collected = list(itertools.islice(triples, row_cap + 1))
    truncated = len(collected) > row_cap
    if truncated:
        collected = collected[:row_cap]
    if fmt is None:  # text/html
        rows = [[_html_cell(t.subject), _html_cell(t.predicate), _html_cell(t.object)] for t in collected]
        page = render_results(["subject", "predicate", "object"], rows, len(collected), truncated, row_cap)
        return Written(page.encode("utf-8"), len(collected), truncated)
    usable = (_usable_prefixes(prefixes) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
              else None)
    try:
        body = ox.serialize(collected, format=fmt, prefixes=usable) if usable else ox.serialize(collected, format=fmt)
    except (ValueError, SyntaxError):
        body = ox.serialize(collected, format=fmt)
    if body is None:
        body = b""
    if truncated:
        body += _truncation_note(fmt, row_cap)
    return Written(body, len(collected), truncated)


def _html_cell(term) -> tuple[str | None, str]:
    """(link target, text) of a term in an HTML results table."""
    if term is None:
        return None, ""
    if isinstance(term, ox.NamedNode):
        return (term.value if term.value.startswith(("http://", "https://")) else None), term.value
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value == XSD_STRING:
        return None, term.value
    return None, _nt_term(term)


_PREFIX_NAME = re.compile(r"[A-Za-z][\w.-]*\Z|\Z")


def _usable_prefixes(prefixes: dict[str, str] | None) -> dict[str, str]:
    if not prefixes:
        return {}
    return {name: iri for name, iri in prefixes.items()
            if _PREFIX_NAME.match(name) and not name.endswith(".") and re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri)}


def render_results(*args) -> str:
    """The HTML results table; jinja2 is imported only when a page asks for HTML (~10 MB less in
    every query process that never renders one)."""
    from fukudx_kg.sparql.html import render_results as render

    return render(*args)
