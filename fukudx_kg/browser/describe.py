"""Bounded descriptions of one resource, for its page and for its RDF representations.

Never an unbounded DESCRIBE: a description is the resource's own triples (capped), the labels of
what they link to, its source excerpts (one hop along prov:wasDerivedFrom / fdx:evidenceRef),
and its incoming links, counted per property and read a page at a time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Iterable

import pyoxigraph as ox

from fukudx_kg.browser.reader import PREFIXES, StoreReader, is_safe_iri, sparql_iri
from fukudx_kg.web import i18n

RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS_PREF = PREFIXES["skos"] + "prefLabel"
FDX = PREFIXES["fdx"]
XSD = PREFIXES["xsd"]
PROV_DERIVED = PREFIXES["prov"] + "wasDerivedFrom"
SCHEMA_URL = PREFIXES["schema"] + "url"

MAX_OUT = 2000          # own triples shown or served
INCOMING_PAGE = 20      # incoming links per property on the page
INCOMING_FULL_PAGE = 100  # per page when one property's incoming links are listed
INCOMING_RDF = 200      # incoming triples in an RDF description
LABEL_CHUNK = 300

# Order of properties on a page: these first, then the rest by label.
LEAD_PROPERTIES = [RDF_TYPE, RDFS_LABEL, SKOS_PREF, PREFIXES["skos"] + "altLabel", PREFIXES["skos"] + "notation",
                   PREFIXES["dcterms"] + "title", PREFIXES["dcterms"] + "description"]


@dataclass
class Link:
    """A resource shown by its label, linked to its page."""
    iri: str
    href: str | None
    label: str
    lang: str = ""
    alt: str | None = None      # the label in the other language, when there is one
    curie: str | None = None
    is_bnode: bool = False
    external: bool = False
    alt_lang: str = ""          # the language of `alt`, for its `lang` attribute


@dataclass
class Value:
    """One object of a triple: a Link, or a literal with its language or datatype."""
    text: str
    link: Link | None = None
    lang: str = ""
    datatype: str | None = None   # compact name, e.g. xsd:decimal


@dataclass
class PropertyValues:
    prop: Link
    values: list[Value] = field(default_factory=list)


@dataclass
class IncomingGroup:
    prop: Link
    count: int
    subjects: list[Link] = field(default_factory=list)


def curie(iri: str) -> str | None:
    best = None
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(PREFIXES[best])):
            best = prefix
    if best is None:
        return None
    local = iri[len(PREFIXES[best]):]
    return f"{best}:{local}" if local and "/" not in local and "#" not in local else None


def local_name(iri: str) -> str:
    if "/graph/" in iri:  # named graphs: "graph/pref/07" says more than "07"
        return "graph/" + iri.split("/graph/", 1)[1]
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            tail = iri.rstrip(sep).rsplit(sep, 1)[1]
            if tail:
                return tail
    return iri


class Describer:
    """Reads what a page needs about resources, with labels picked for one UI language.

    `href` maps an IRI to the URL of its page here (or None for an outside link).
    """

    def __init__(self, reader: StoreReader, lang: str, href: Callable[[str], tuple[str | None, bool]]):
        self.reader = reader
        self.lang = lang
        self._href = href
        self._labels: dict[str, list[tuple[str, str]]] = {}

    # ------------------------------------------------------------------ labels and links
    def load_labels(self, iris: Iterable[str]) -> None:
        """Fetch rdfs:label / skos:prefLabel of `iris` not yet known (in chunks)."""
        todo = [i for i in dict.fromkeys(iris) if i not in self._labels and is_safe_iri(i)]
        for start in range(0, len(todo), LABEL_CHUNK):
            chunk = todo[start:start + LABEL_CHUNK]
            for i in chunk:
                self._labels[i] = []
            rows = self.reader.select(
                f"SELECT DISTINCT ?s ?l WHERE {{ VALUES ?s {{ {self.reader.values(chunk)} }} "
                f"{{ ?s rdfs:label ?l }} UNION {{ ?s skos:prefLabel ?l }} FILTER(isLiteral(?l)) }}")
            for row in rows:
                lit = row["l"]
                pair = (lit.value, lit.language or "")
                if pair not in self._labels[row["s"].value]:
                    self._labels[row["s"].value].append(pair)

    def label_pairs(self, iri: str) -> list[tuple[str, str]]:
        if iri not in self._labels:
            self.load_labels([iri])
        return list(self._labels.get(iri, []))

    def label(self, iri: str) -> str:
        chosen = i18n.pick(self.label_pairs(iri), self.lang)
        return chosen[0] if chosen else (curie(iri) or local_name(iri))

    def link(self, iri: str) -> Link:
        pairs = self.label_pairs(iri)
        chosen = i18n.pick(pairs, self.lang)
        alt = i18n.other(pairs, chosen)
        href, external = self._href(iri)
        if chosen:
            return Link(iri, href, chosen[0], chosen[1], alt[0] if alt else None, curie(iri), external=external,
                        alt_lang=alt[1] if alt else "")
        name = curie(iri) or local_name(iri)
        return Link(iri, href, name, "", None, curie(iri), external=external)

    def links(self, iris: Iterable[str]) -> list[Link]:
        iris = list(iris)
        self.load_labels(iris)
        return [self.link(i) for i in iris]

    def value(self, term) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value(term.value, link=self.link(term.value))
        if isinstance(term, ox.BlankNode):
            return Value("_:" + term.value, link=Link("_:" + term.value, None, "_:" + term.value, is_bnode=True))
        if isinstance(term, ox.Literal):
            dt = term.datatype.value if term.datatype else None
            short = None
            if dt and not term.language and dt != XSD + "string":
                short = curie(dt) or dt
            return Value(term.value, lang=term.language or "", datatype=short)
        return Value(str(term))

    # ------------------------------------------------------------------ one resource
    def exists(self, iri: str) -> bool:
        if not is_safe_iri(iri):
            return False
        s = sparql_iri(iri)
        return self.reader.ask(f"ASK {{ {{ {s} ?p ?o }} UNION {{ ?x ?q {s} }} }}")

    def outgoing(self, iri: str) -> list[tuple[ox.NamedNode, object]]:
        rows = self.reader.select(f"SELECT DISTINCT ?p ?o WHERE {{ {sparql_iri(iri)} ?p ?o }} LIMIT {MAX_OUT}")
        return [(r["p"], r["o"]) for r in rows]

    def types(self, iri: str) -> list[str]:
        rows = self.reader.select(f"SELECT DISTINCT ?t WHERE {{ {sparql_iri(iri)} a ?t }}")
        return [r["t"].value for r in rows if isinstance(r["t"], ox.NamedNode)]

    def properties(self, pairs: list[tuple[ox.NamedNode, object]], skip: Iterable[str] = ()) -> list[PropertyValues]:
        """Group (p, o) pairs by property for display, values labelled and sorted."""
        skip = set(skip)
        objects = [o.value for _, o in pairs if isinstance(o, ox.NamedNode)]
        self.load_labels(objects + [p.value for p, _ in pairs])
        groups: dict[str, PropertyValues] = {}
        for p, o in pairs:
            if p.value in skip:
                continue
            group = groups.setdefault(p.value, PropertyValues(self.link(p.value)))
            group.values.append(self.value(o))
        for group in groups.values():
            group.values.sort(key=lambda v: (v.link is None, _sort_key(v.link.label if v.link else v.text)))
            if group.prop.iri in (RDFS_LABEL, SKOS_PREF):
                order = i18n.order(self.lang)
                group.values.sort(key=lambda v: order.index(v.lang) if v.lang in order else len(order))

        def rank(iri: str) -> tuple:
            if iri in LEAD_PROPERTIES:
                return (0, LEAD_PROPERTIES.index(iri), "")
            return (1 if iri.startswith(FDX) else 2, 0, groups[iri].prop.label)

        return [groups[k] for k in sorted(groups, key=rank)]

    def incoming_counts(self, iri: str) -> list[tuple[str, int]]:
        rows = self.reader.select(
            f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {sparql_iri(iri)} }} "
            f"GROUP BY ?p ORDER BY DESC(?n) ?p")
        return [(r["p"].value, int(r["n"].value)) for r in rows]

    def incoming_subjects(self, iri: str, prop: str, offset: int, limit: int) -> list[str]:
        rows = self.reader.select(
            f"SELECT DISTINCT ?s WHERE {{ ?s {sparql_iri(prop)} {sparql_iri(iri)} }} ORDER BY ?s "
            f"LIMIT {int(limit)} OFFSET {int(offset)}")
        return [r["s"].value for r in rows if isinstance(r["s"], ox.NamedNode)]

    def incoming(self, iri: str, per_property: int = INCOMING_PAGE) -> list[IncomingGroup]:
        """Incoming links grouped by property: each group's count and its first `per_property` subjects."""
        firsts = [(prop, count, self.incoming_subjects(iri, prop, 0, per_property))
                  for prop, count in self.incoming_counts(iri)]
        self.load_labels([p for p, _, _ in firsts] + [s for _, _, subjects in firsts for s in subjects])
        groups = []
        for prop, count, subjects in firsts:
            links = sorted((self.link(s) for s in subjects), key=lambda link: _sort_key(link.label))
            groups.append(IncomingGroup(self.link(prop), count, links))
        return groups

    def graphs(self, iri: str) -> list[str]:
        rows = self.reader.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {sparql_iri(iri)} ?p ?o }} }} ORDER BY ?g")
        return [r["g"].value for r in rows]

    def provenance(self, iri: str) -> dict:
        """Source excerpts (document, file, lines, printed text), evidence and curation notes."""
        s = sparql_iri(iri)
        rows = self.reader.select(f"""
            SELECT ?e ?rel ?doc ?file ?start ?end ?text ?url ?doc_url WHERE {{
              VALUES ?rel {{ prov:wasDerivedFrom fdx:evidenceRef }}
              {s} ?rel ?e .
              OPTIONAL {{ ?e dcterms:source ?doc OPTIONAL {{ ?doc schema:url ?doc_url }} }}
              OPTIONAL {{ ?e schema:url ?url }}
              OPTIONAL {{ ?e fdx:sourceFile ?file }}
              OPTIONAL {{ ?e fdx:lineStart ?start }}
              OPTIONAL {{ ?e fdx:lineEnd ?end }}
              OPTIONAL {{ ?e fdx:sourceText ?text }}
            }} ORDER BY ?file ?start ?e LIMIT 200""")
        excerpts: dict[str, dict] = {}
        for r in rows:
            e = r["e"].value
            if e in excerpts:
                if r["rel"].value == PROV_DERIVED:
                    excerpts[e]["evidence_only"] = False
                continue
            excerpts[e] = {
                "iri": e,
                "doc": r["doc"].value if "doc" in r else None,
                "file": r["file"].value if "file" in r else None,
                "start": int(r["start"].value) if "start" in r else None,
                "end": int(r["end"].value) if "end" in r else None,
                "text": r["text"].value if "text" in r else None,
                "url": r["url"].value if "url" in r else None,
                "doc_url": r["doc_url"].value if "doc_url" in r else None,
                "evidence_only": r["rel"].value != PROV_DERIVED,
            }
        docs = [x["doc"] for x in excerpts.values() if x["doc"]]
        self.load_labels(docs + list(excerpts))
        items = []
        for x in excerpts.values():
            x["link"] = self.link(x["iri"])
            x["doc_link"] = self.link(x["doc"]) if x["doc"] else None
            items.append(x)
        notes = self.reader.select(f"""
            SELECT DISTINCT ?p ?v WHERE {{ VALUES ?p {{ fdx:evidence fdx:curationNote schema:url }} {s} ?p ?v }}
            ORDER BY ?p ?v""")
        evidence = [self.value(r["v"]) for r in notes if r["p"].value == FDX + "evidence"]
        curation = [self.value(r["v"]) for r in notes if r["p"].value == FDX + "curationNote"]
        pages = [r["v"].value for r in notes if r["p"].value == SCHEMA_URL and isinstance(r["v"], ox.NamedNode)]
        documents: dict[str, dict] = {}  # the documents cited, once each, with their published page
        for x in items:
            if x["doc"] and x["doc"] not in documents:
                documents[x["doc"]] = {"link": x["doc_link"], "url": x["doc_url"]}
        return {"excerpts": items, "evidence": evidence, "notes": curation, "pages": pages,
                "documents": list(documents.values())}

    # ------------------------------------------------------------------ RDF
    def rdf(self, iri: str) -> list[ox.Triple]:
        """The bounded description as triples: own, labels of linked, excerpts, first incoming."""
        s = sparql_iri(iri)
        subject = ox.NamedNode(iri)
        triples: dict[ox.Triple, None] = {}
        objects: list[str] = []
        for p, o in self.outgoing(iri):
            triples[ox.Triple(subject, p, o)] = None
            if isinstance(o, ox.NamedNode):
                objects.append(o.value)
        excerpts = self.reader.construct(f"""
            CONSTRUCT {{ ?e ?p ?o }} WHERE {{
              VALUES ?rel {{ prov:wasDerivedFrom fdx:evidenceRef }} {s} ?rel ?e . ?e ?p ?o }} LIMIT {MAX_OUT}""")
        for t in excerpts:
            triples[t] = None
        incoming = self.reader.construct(
            f"CONSTRUCT {{ ?x ?p {s} }} WHERE {{ ?x ?p {s} }} LIMIT {INCOMING_RDF}")
        for t in incoming:
            triples[t] = None
            if isinstance(t.subject, ox.NamedNode):
                objects.append(t.subject.value)
        linked = [i for i in dict.fromkeys(objects) if i != iri and is_safe_iri(i)]
        for start in range(0, len(linked), LABEL_CHUNK):
            chunk = linked[start:start + LABEL_CHUNK]
            for t in self.reader.construct(f"""
                CONSTRUCT {{ ?x ?lp ?l }} WHERE {{ VALUES ?x {{ {self.reader.values(chunk)} }}
                  VALUES ?lp {{ rdfs:label skos:prefLabel }} ?x ?lp ?l }}"""):
                triples[t] = None
        return list(triples)


def _sort_key(text: str) -> tuple:
    """Sort labels so that 第2 comes before 第10 and 5(2) before 5(10)."""
    norm = unicodedata.normalize("NFKC", text)
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", norm) if part)


sort_key = _sort_key


# Media types served in another format's syntax: N3 clients get Turtle (an N3 subset).
_SERIALIZE_AS = {"text/n3": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
                 "text/plain": ox.RdfFormat.N_TRIPLES}


def serialize(triples: list[ox.Triple], media_type: str, base_iri: str) -> bytes:
    """`triples` in `media_type` (N-Quads and TriG put them in the default graph)."""
    fmt = _SERIALIZE_AS.get(media_type) or ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(media_type)
    prefixes = dict(PREFIXES)
    prefixes["fdxid"] = base_iri
    if fmt == ox.RdfFormat.JSON_LD:
        return _compact_jsonld(triples, prefixes)
    if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        return ox.serialize(triples, format=fmt)
    return ox.serialize(triples, format=fmt, prefixes=prefixes)


def _compact_jsonld(triples: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """JSON-LD with an @context of our prefixes (compact keys such as "fdx:hasKPI"), via rdflib."""
    from rdflib import Graph

    graph = Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph.serialize(format="json-ld", context=prefixes, auto_compact=True).encode("utf-8")
