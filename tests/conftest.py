"""Shared fixtures: one real build of the dataset per test session, and a store holding it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from fukudx_kg.build import build

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = """
PREFIX fdx: <https://w3id.org/fukudx/ontology#>
PREFIX fdxid: <https://w3id.org/fukudx/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX schema: <https://schema.org/>
"""


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A fresh build of the real data into a temporary directory."""
    out = tmp_path_factory.mktemp("build")
    build(out)
    return out


@pytest.fixture(scope="session")
def kg(built) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.bulk_load(path=str(built / "dataset.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def select(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the union of all graphs, values as plain strings."""
    results = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in results.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in results]


def ask(store: pyoxigraph.Store, query: str) -> bool:
    return bool(store.query(PREFIXES + query, use_default_graph_as_union=True))
