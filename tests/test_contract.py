"""The public vocabulary (ontology/CONTRACT.md) is defined, used by the data and checked by the shapes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from fukudx_kg.build.iris import FDX, PREFIXES
from fukudx_kg.validate import SHAPES_FILE

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "ontology" / "CONTRACT.md"
EXTENSIONS = ROOT / "ontology" / "EXTENSIONS.md"
SHARED = ROOT.parent / "shared" / "design" / "vocabulary.md"
# sha256 of design/vocabulary.md as copied to ontology/CONTRACT.md
CONTRACT_SHA256 = "c4c8290e28e2bffe6eaf9f8d3f93e5c3f9af613ca76fbd5788423ed14db986e1"
NOT_TERMS = {"dcterms:isReplacedBy"}  # named only as the deprecation mechanism


def contract_terms(path: Path = CONTRACT) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = set(re.findall(r"`((?:fdx|dcterms|prov|org|skos|time|schema):[A-Za-z]+)`", text))
    return sorted(found - NOT_TERMS)


def iri(term: str) -> URIRef:
    prefix, local = term.split(":")
    return URIRef(str(PREFIXES[prefix]) + local)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "fukudx.ttl")


@pytest.fixture(scope="module")
def shapes_text() -> str:
    return SHAPES_FILE.read_text(encoding="utf-8")


def test_contract_copy_matches_the_shared_design():
    """ontology/CONTRACT.md is a copy of the project's shared design (design/vocabulary.md), pinned by
    digest: editing the copy alone fails here (change the design, then copy it and the digest); where
    the shared design sits beside the repository, it must still be the pinned version."""
    assert hashlib.sha256(CONTRACT.read_bytes()).hexdigest() == CONTRACT_SHA256, "ontology/CONTRACT.md was edited"
    if SHARED.is_file():
        assert hashlib.sha256(SHARED.read_bytes()).hexdigest() == CONTRACT_SHA256, f"{SHARED} changed: copy it"


def test_contract_terms_are_found():
    """The parametrised tests below run once per term: a broken pattern must not leave them empty."""
    terms = contract_terms()
    fdx_terms = [t for t in terms if t.startswith("fdx:")]
    assert len(fdx_terms) >= 20 and len(terms) > len(fdx_terms), terms
    assert {"fdx:Initiative", "fdx:KPI", "prov:wasDerivedFrom", "org:subOrganizationOf"} <= set(terms)


def extension_terms(used: bool) -> list[str]:
    """Terms of ontology/EXTENSIONS.md: those before its "not yet used" section, or all of them."""
    text = EXTENSIONS.read_text(encoding="utf-8")
    text = text.split("## Defined, not yet used")[0] if used else text
    first_cells = re.findall(r"^\| ([^|]+) \|", text, flags=re.M)
    found = {t for cell in first_cells for t in re.findall(r"`((?:fdx|skos|schema):[A-Za-z]+)`", cell)}
    return sorted(found)


def test_extension_terms_are_found():
    assert {"fdx:KPIValue", "fdx:hasValue", "schema:url"} <= set(extension_terms(True))
    assert not set(extension_terms(True)) & set(contract_terms()), "an extension repeats a contract term"


@pytest.mark.parametrize("term", [t for t in contract_terms() + extension_terms(False) if t.startswith("fdx:")])
def test_fdx_term_defined_with_ja_en_labels_and_comment(ontology, term):
    subject = iri(term)
    types = set(ontology.objects(subject, RDF.type))
    assert types & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}, term
    langs = {label.language for label in ontology.objects(subject, RDFS.label)}
    assert {"ja", "en"} <= langs, term
    assert {comment.language for comment in ontology.objects(subject, RDFS.comment)} >= {"ja", "en"}, term


@pytest.mark.parametrize("term", contract_terms() + extension_terms(True))
def test_term_used_by_the_data(kg, term):
    from conftest import ask
    if term[0].isupper() or term.split(":")[1][0].isupper():
        assert ask(kg, f"ASK {{ ?s a <{iri(term)}> }}"), term
    else:
        assert ask(kg, f"ASK {{ ?s <{iri(term)}> ?o }}"), term


@pytest.mark.parametrize("term", contract_terms() + extension_terms(False))
def test_term_checked_by_the_shapes(shapes_text, term):
    assert term in shapes_text, f"{term} is not mentioned by any shape"


def test_every_fdx_class_has_a_standard_superclass(ontology):
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if str(cls).startswith(str(FDX)):
            assert list(ontology.objects(cls, RDFS.subClassOf)), cls


def test_ontology_has_version_and_no_imports(ontology):
    onto = URIRef("https://w3id.org/fukudx/ontology")
    assert ontology.value(onto, OWL.versionIRI) is not None
    assert ontology.value(onto, OWL.versionInfo) is not None
    assert not list(ontology.objects(onto, OWL.imports))


def test_every_data_resource_has_a_japanese_label(kg):
    from conftest import select
    rows = select(kg, """SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o }
        FILTER(STRSTARTS(STR(?g), "https://w3id.org/fukudx/graph/pref/") || ?g = <https://w3id.org/fukudx/graph/shared>)
        FILTER(isIRI(?s)) FILTER NOT EXISTS { ?s rdfs:label ?l . FILTER(LANGMATCHES(LANG(?l), "ja")) } }""")
    assert rows == []
