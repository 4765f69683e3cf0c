"""The /query page's logic: running a query for the HTML table (the examples are `fukudx_kg.examples`).

A query typed by a user is untrusted, so it goes through the public SPARQL endpoint (/sparql),
called in process as a WSGI sub-request: the same limits, timeout, Update refusal and SERVICE
policy apply as for any client, and this page adds nothing the endpoint would not allow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Flask

SHOW_ROWS = 500   # rows rendered in HTML; the download has all (up to the endpoint's row cap)


@dataclass
class Cell:
    kind: str                # uri | bnode | literal | empty
    value: str = ""
    lang: str = ""
    datatype: str = ""


@dataclass
class Outcome:
    status: int
    kind: str = ""                 # table | boolean | error
    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    total_rows: int = 0
    boolean: bool | None = None
    truncated: bool = False
    row_cap: str = ""
    message: str = ""
    elapsed_ms: str = ""


ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


def run(app: Flask, query: str) -> Outcome:
    """Run `query` through /sparql and read the answer into a table (or an error message)."""
    client = app.test_client()
    response = client.post("/sparql", data={"query": query, "partial": "true"}, headers={"Accept": ACCEPT})
    status = response.status_code
    body = response.get_data()
    if status != 200:
        text = body.decode("utf-8", errors="replace").strip()
        return Outcome(status, "error", message=text[:4000])
    media = (response.headers.get("Content-Type") or "").split(";")[0].strip()
    out = Outcome(200, truncated=response.headers.get("X-Result-Truncated") == "true",
                  row_cap=response.headers.get("X-Row-Cap", ""),
                  elapsed_ms=(response.headers.get("Server-Timing") or "").partition("dur=")[2])
    if media in ("application/sparql-results+json", "application/json"):
        data = json.loads(body)
        if "boolean" in data:
            out.kind, out.boolean = "boolean", bool(data["boolean"])
            return out
        out.kind = "table"
        out.columns = list(data.get("head", {}).get("vars", []))
        bindings = data.get("results", {}).get("bindings", [])
        out.total_rows = len(bindings)
        for b in bindings[:SHOW_ROWS]:
            out.rows.append([_cell(b.get(v)) for v in out.columns])
        return out
    if media == "application/n-triples":
        out.kind = "table"
        out.columns = ["subject", "predicate", "object"]
        triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        out.total_rows = len(triples)
        for t in triples[:SHOW_ROWS]:
            out.rows.append([_term_cell(t.subject), _term_cell(t.predicate), _term_cell(t.object)])
        return out
    return Outcome(502, "error", message=f"unexpected answer type {media!r} from the endpoint")


def _cell(binding: dict | None) -> Cell:
    if not binding:
        return Cell("empty")
    kind = binding.get("type", "literal")
    if kind == "typed-literal":
        kind = "literal"
    return Cell(kind, binding.get("value", ""), binding.get("xml:lang", ""), binding.get("datatype", ""))


def _term_cell(term) -> Cell:
    if isinstance(term, ox.NamedNode):
        return Cell("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Cell("bnode", term.value)
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else ""
        return Cell("literal", term.value, term.language or "", dt)
    return Cell("literal", str(term))
