"""IRIs, prefixes, graph names and the default data base: defined once, as plain strings.

Every stage reads them from here; the build wraps them as rdflib namespaces (`build.iris`).
"""

ONTOLOGY_IRI = "https://w3id.org/fukudx/ontology"
FDX_NS = ONTOLOGY_IRI + "#"
DEFAULT_BASE_IRI = "https://w3id.org/fukudx/id/"
# Graph names are fixed, independent of the deployment's data base, so queries naming
# graphs work against any copy of the dataset.
GRAPH_BASE = "https://w3id.org/fukudx/graph/"
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
# Fiscal years, days and themes: one copy for every prefecture.
SHARED_GRAPH = GRAPH_BASE + "shared"
# The prefectures that have no folder yet, from the national code list (codes, names, e-Stat area).
NATIONAL_GRAPH = GRAPH_BASE + "national"


def prefecture_graph(pref_code: str) -> str:
    return f"{GRAPH_BASE}pref/{pref_code}"


SERVICE_NS = "https://w3id.org/fukudx/service#"  # the endpoint's limits in its service description
SHAPES_NS = "https://w3id.org/fukudx/shapes#"  # shapes/fukudx-shapes.ttl

# The prefixes of the data, the queries and the pages (Turtle output, query prologues, CURIEs).
PREFIXES = {
    "fdx": FDX_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "schema": "https://schema.org/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "vann": "http://purl.org/vocab/vann/",
}
