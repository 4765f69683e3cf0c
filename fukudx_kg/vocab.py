"""Namespaces, graph names and IRI minting: the one place that knows how IRIs look."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, VOID, XSD

FDX = Namespace("https://w3id.org/fukudx/ontology#")
ONTOLOGY_IRI = "https://w3id.org/fukudx/ontology"
SCHEMA = Namespace("https://schema.org/")
DEFAULT_BASE_IRI = "https://w3id.org/fukudx/id/"
# Graph names are fixed, independent of the deployment's data base, so queries naming
# graphs work against any copy of the dataset.
GRAPH_BASE = "https://w3id.org/fukudx/graph/"

PREFIXES = {
    "fdx": FDX, "org": ORG, "skos": SKOS, "dcterms": DCTERMS, "prov": PROV, "time": TIME,
    "dcat": DCAT, "void": VOID, "schema": SCHEMA, "xsd": XSD, "rdfs": RDFS, "rdf": RDF, "owl": OWL,
}

__all__ = ["FDX", "SCHEMA", "PREFIXES", "DEFAULT_BASE_IRI", "GRAPH_BASE", "ONTOLOGY_IRI", "Iris",
           "DCAT", "DCTERMS", "ORG", "OWL", "PROV", "RDF", "RDFS", "SKOS", "TIME", "VOID", "XSD"]


class Iris:
    """Mints data IRIs under a configurable base; paths come from official codes and source numbering."""

    def __init__(self, base: str = DEFAULT_BASE_IRI):
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base
        self.ns = Namespace(base)

    def __call__(self, path: str):
        return self.ns[path]

    @staticmethod
    def graph(name: str):
        return URIRef(GRAPH_BASE + name)

    def ontology_graph(self):
        return self.graph("ontology")

    def prefecture_graph(self, pref_code: str):
        return self.graph(f"pref/{pref_code}")

    def fiscal_year(self, year: int):
        return self.ns[f"fy/{year}"]

    def day(self, iso_date: str):
        return self.ns[f"date/{iso_date}"]

    def theme(self, slug: str):
        return self.ns[f"theme/{slug}"]

    def municipality(self, code6: str):
        return self.ns[f"municipality/{code6}"]
