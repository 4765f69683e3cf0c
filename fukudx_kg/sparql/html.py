"""The endpoint's own HTML: the query form at GET /sparql and `format=html` result tables.

Both are Jinja templates (templates/sparql/) sharing one stylesheet, inlined so a result page
stands alone; the Content-Security-Policy allows exactly that text by its hash (`register`).
"""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, select_autoescape

from fukudx_kg.examples import first_query
from fukudx_kg.paths import REPO_ROOT

ENDPOINT_PATH = "/sparql"
TEMPLATES = REPO_ROOT / "fukudx_kg" / "templates" / "sparql"
CSS = (TEMPLATES / "sparql.css").read_text(encoding="utf-8")
FORMATS = (("", "auto (Accept header)"), ("html", "HTML table"), ("json", "SPARQL JSON / JSON-LD"),
           ("xml", "SPARQL XML / RDF/XML"), ("csv", "CSV"), ("tsv", "TSV"), ("ttl", "Turtle"), ("nt", "N-Triples"),
           ("nq", "N-Quads"), ("trig", "TriG"), ("jsonld", "JSON-LD"), ("rdfxml", "RDF/XML"))

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))


def render_query_page(release: str | None, triples: int | None, limits: dict) -> str:
    return _env.get_template("query.html").render(css=CSS, endpoint=ENDPOINT_PATH, release=release, triples=triples,
                                                  limits=limits, query=first_query(), formats=FORMATS)


def render_results(header: list[str], rows: list[list[tuple[str | None, str]]], count: int, truncated: bool,
                   row_cap: int) -> str:
    """A results table; each cell is (link target or None, text)."""
    return _env.get_template("results.html").render(css=CSS, endpoint=ENDPOINT_PATH, header=header, rows=rows,
                                                    count=count, truncated=truncated, row_cap=row_cap)
