"""The namespaces as rdflib terms, and the minting of data IRIs (the build's side of `namespaces`)."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, VOID, XSD

from fukudx_kg.namespaces import DEFAULT_BASE_IRI, FDX_NS, GRAPH_BASE, ONTOLOGY_IRI
from fukudx_kg.namespaces import PREFIXES as _PREFIXES

FDX = Namespace(FDX_NS)
SCHEMA = Namespace(_PREFIXES["schema"])
# The prefixes bound in the Turtle output (vann is only used by the ontology file itself).
PREFIXES = {prefix: Namespace(iri) for prefix, iri in _PREFIXES.items() if prefix != "vann"}

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

    def shared_graph(self):
        return self.graph("shared")

    def national_graph(self):
        return self.graph("national")

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
