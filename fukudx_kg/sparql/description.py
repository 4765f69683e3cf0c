"""The SPARQL 1.1 Service Description of the endpoint (answer to GET /sparql without a query).

It names the endpoint, the query language, every result format, the features (union default
graph; basic federated query only when SERVICE endpoints are allow-listed), the default dataset
with one named graph per part (with triple counts), the allow-listed federation endpoints and
the limits (timeout, row cap, query size) in the `https://w3id.org/fukudx/service#` vocabulary.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pyoxigraph as ox

from fukudx_kg.namespaces import PREFIXES as NS
from fukudx_kg.namespaces import SERVICE_NS
from fukudx_kg.settings import Settings
from fukudx_kg.store.backends import DatasetInfo

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID = NS["void"]
DCTERMS = NS["dcterms"]
RDF_TYPE = ox.NamedNode(NS["rdf"] + "type")
XSD = NS["xsd"]
FSD = SERVICE_NS

PREFIXES = {"sd": SD, "formats": FORMATS, "void": VOID, "dcterms": DCTERMS, "xsd": XSD, "fsd": FSD}

# media type → RdfFormat for the description itself (text/html is served as the query page).
DESCRIPTION_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}

_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "N-Quads", "JSON-LD", "RDF_XML", "TriG")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


def _decimal(value: float) -> ox.Literal:
    return ox.Literal(f"{value:g}" if "." in f"{value:g}" else f"{value:g}.0", datatype=_n(XSD + "decimal"))


def public_base(settings: Settings) -> str:
    """The service's public base URL without a trailing slash: FUKUDX_PUBLIC_URL, else
    http://FUKUDX_HOST:FUKUDX_PORT. Descriptions that caches keep (service description, VoID) use
    it, never the request's Host header."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = settings.host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


def build_description(endpoint_url: str, settings: Settings, info: DatasetInfo) -> list[ox.Triple]:
    """The description's triples. Only the path of `endpoint_url` is used: the endpoint IRI is that
    path under `public_base(settings)`, whatever Host the request named."""
    endpoint_url = public_base(settings) + (urlsplit(endpoint_url).path or "/sparql")
    triples: list[ox.Triple] = []

    def add(s, p, o):
        triples.append(ox.Triple(s, p if isinstance(p, ox.NamedNode) else _n(p), o))

    service = ox.BlankNode("service")
    add(service, RDF_TYPE, _n(SD + "Service"))
    add(service, SD + "endpoint", _n(endpoint_url))
    add(service, SD + "supportedLanguage", _n(SD + "SPARQL11Query"))
    add(service, DCTERMS + "title",
        ox.Literal("fukudx-kg SPARQL endpoint (Japanese prefectural DX policy)", language="en"))
    add(service, DCTERMS + "title", ox.Literal("都道府県DX政策ナレッジグラフ SPARQLエンドポイント", language="ja"))
    for name in _RESULT_FORMATS:
        add(service, SD + "resultFormat", _n(FORMATS + name))
    add(service, SD + "feature", _n(SD + "UnionDefaultGraph"))
    if settings.service_allowlist:
        add(service, SD + "feature", _n(SD + "BasicFederatedQuery"))
    add(service, SD + "defaultEntailmentRegime", _n("http://www.w3.org/ns/entailment/Simple"))

    dataset = ox.BlankNode("dataset")
    add(service, SD + "defaultDataset", dataset)
    add(dataset, RDF_TYPE, _n(SD + "Dataset"))
    if info.release:
        add(dataset, DCTERMS + "identifier", ox.Literal(info.release))
    default_graph = ox.BlankNode("defaultGraph")
    add(dataset, SD + "defaultGraph", default_graph)
    add(default_graph, RDF_TYPE, _n(SD + "Graph"))
    add(default_graph, DCTERMS + "description",
        ox.Literal("The union of all named graphs (unless default-graph-uri / named-graph-uri say otherwise).",
                   language="en"))
    if info.triples is not None:
        add(default_graph, VOID + "triples", _int(info.triples))
    for index, (graph_iri, count) in enumerate(sorted(info.graphs.items())):
        named = ox.BlankNode(f"namedGraph{index}")
        graph = ox.BlankNode(f"graph{index}")
        add(dataset, SD + "namedGraph", named)
        add(named, RDF_TYPE, _n(SD + "NamedGraph"))
        add(named, SD + "name", _n(graph_iri))
        add(named, SD + "graph", graph)
        add(graph, RDF_TYPE, _n(SD + "Graph"))
        add(graph, VOID + "triples", _int(count))

    add(service, FSD + "queryTimeoutSeconds", _decimal(settings.query_timeout))
    add(service, FSD + "rowCap", _int(settings.row_cap))
    add(service, DCTERMS + "description", ox.Literal(
        f"At most {settings.row_cap} result rows or triples per answer. A larger result is refused with HTTP 422 "
        "unless the request has partial=true; then it is cut at the cap and flagged (X-Result-Truncated: true, "
        "\"truncated\": true in JSON, a comment in XML, Turtle, N-Triples, N-Quads, TriG and RDF/XML). "
        "The whole dataset is at /download/dataset.nq.", language="en"))
    add(service, FSD + "maxQueryBytes", _int(settings.max_query_bytes))
    for endpoint in settings.service_allowlist:
        remote = _n(endpoint)
        add(service, FSD + "allowedServiceEndpoint", remote)
        add(remote, RDF_TYPE, _n(SD + "Service"))
        add(remote, SD + "endpoint", remote)
    return triples


def serialize_description(triples: list[ox.Triple], media_type: str) -> bytes:
    fmt = DESCRIPTION_TYPES[media_type]
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        return ox.serialize(triples, format=fmt, prefixes=PREFIXES)
    return ox.serialize(triples, format=fmt)
