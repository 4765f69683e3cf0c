"""Statistics of the dataset, and its VoID + DCAT description at /.well-known/void; a named
graph's own description (title, sources, licence, counts, downloads) at /graph/<name>.

Counted once per release from the store: triples (per graph and distinct in the union),
entities (IRI subjects), classes and properties with partitions, the source documents and their
publisher. The licence is the one the ontology states for itself (dcterms:license), so the
project names it in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from fukudx_kg.browser.reader import PREFIXES, StoreReader
from fukudx_kg.namespaces import ONTOLOGY_IRI
from fukudx_kg.sparql.description import SD
from fukudx_kg.web import i18n

VOID, DCAT, DCT, RDF, RDFS, XSD, FDX, FOAF = (PREFIXES["void"], PREFIXES["dcat"], PREFIXES["dcterms"], PREFIXES["rdf"],
                                              PREFIXES["rdfs"], PREFIXES["xsd"], PREFIXES["fdx"],
                                              "http://xmlns.com/foaf/0.1/")
FALLBACK_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


@dataclass
class Stats:
    release: str
    quads: int
    triples: int
    entities: int
    subjects: int
    objects: int
    graphs: dict[str, int]
    classes: list[tuple[str, int]]       # (class IRI, distinct instances), most first
    properties: list[tuple[str, int]]    # (property IRI, triples)
    license: str
    documents: list[dict] = field(default_factory=list)  # source documents with publisher
    # (subject graph, object target: a graph IRI or E_STAT_SAC, link predicate, triples)
    linksets: list[tuple[str, str, str, int]] = field(default_factory=list)
    spatial: dict[str, str] = field(default_factory=dict)  # prefecture graph → its prefecture


E_STAT_SAC = "http://data.e-stat.go.jp/lod/sac/"
# Links out of each graph, by the target they reach: e-Stat's areas, themes, another graph's resources.
LINKSET_QUERIES = (
    f"""SELECT ?g ?p ("{E_STAT_SAC}" AS ?target) (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o
        FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{E_STAT_SAC}")) }} }} GROUP BY ?g ?p""",
    """SELECT ?g ?p (?h AS ?target) (COUNT(*) AS ?n) WHERE {
        { SELECT DISTINCT ?o ?h WHERE { GRAPH ?h { ?o a ?type } } }
        GRAPH ?g { ?s ?p ?o } FILTER(?g != ?h && ?p != rdf:type && ?p != fdx:inPrefecture) }
        GROUP BY ?g ?p ?h""",
)


def compute(reader: StoreReader) -> Stats:
    r = reader
    graphs = {row["g"].value: int(row["n"].value) for row in r.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")}
    totals = r.select("""SELECT (COUNT(*) AS ?t) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }""")
    counts = r.select("""SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
        WHERE { ?s ?p ?o }""")
    entities = r.select("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    classes = [(row["c"].value, int(row["n"].value)) for row in r.select(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c")]
    props = [(row["p"].value, int(row["n"].value)) for row in r.select(
        "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } GROUP BY ?p "
        "ORDER BY DESC(?n) ?p")]
    lic = r.select(f"SELECT ?l WHERE {{ <{ONTOLOGY_IRI}> dcterms:license ?l }} LIMIT 1")
    linksets = sorted((row["g"].value, row["target"].value, row["p"].value, int(row["n"].value))
                      for query in LINKSET_QUERIES for row in r.select(query)
                      if row["g"].value in graphs and "/graph/pref/" in row["g"].value)
    spatial = {row["g"].value: row["p"].value for row in r.select(
        "SELECT ?g ?p WHERE { GRAPH ?g { ?p a fdx:Prefecture } FILTER(CONTAINS(STR(?g), '/graph/pref/')) }")}
    docs = r.select("""SELECT ?d (SAMPLE(?f) AS ?file) (SAMPLE(?pub) AS ?publisher) (SAMPLE(?pl) AS ?pubLabel)
        WHERE { ?d a fdx:PolicyDocument . OPTIONAL { ?d fdx:sourceFile ?f }
        OPTIONAL { ?d dcterms:publisher ?pub OPTIONAL { ?pub rdfs:label ?pl FILTER(lang(?pl) = "ja") } } }
        GROUP BY ?d ORDER BY ?d""")
    return Stats(
        release=r.release,
        quads=sum(graphs.values()),
        triples=int(totals[0]["t"].value) if totals else 0,
        entities=int(entities[0]["n"].value) if entities else 0,
        subjects=int(counts[0]["subjects"].value) if counts else 0,
        objects=int(counts[0]["objects"].value) if counts else 0,
        graphs=graphs,
        classes=classes,
        properties=props,
        license=lic[0]["l"].value if lic else FALLBACK_LICENSE,
        documents=[{"iri": d["d"].value, "file": d["file"].value if "file" in d else None,
                    "publisher": d["publisher"].value if "publisher" in d else None,
                    "publisher_label": d["pubLabel"].value if "pubLabel" in d else None} for d in docs],
        linksets=linksets,
        spatial=spatial,
    )


def void_triples(stats: Stats, root: str, base_iri: str, labels: dict[str, list[tuple[str, str]]],
                 downloads: list[tuple[str, str, str, int | None]], prefectures: list[str] = (),
                 examples: list[str] = ()) -> list[ox.Triple]:
    """The description as triples. `root` is this server's URL (ending in /); `downloads` are
    (url, media type, title, byte size); `prefectures` the prefectures in the data (root resources
    and dcterms:spatial), `examples` more example resources."""
    N, L = ox.NamedNode, ox.Literal
    xsd_int = N(XSD + "integer")
    ds = N(root + ".well-known/void#dataset")
    out: list[ox.Triple] = []

    def add(s, p: str, o):
        out.append(ox.Triple(s, N(p), o))

    def integer(n: int):
        return L(str(n), datatype=xsd_int)

    add(ds, RDF + "type", N(VOID + "Dataset"))
    add(ds, RDF + "type", N(DCAT + "Dataset"))
    add(ds, DCT + "title", L(i18n.t("site.name", "ja"), language="ja"))
    add(ds, DCT + "title", L(i18n.t("site.name", "en"), language="en"))
    add(ds, DCT + "description", L("都道府県のデジタル変革（DX）推進の基本方針・計画、関連事業・取組、KPI、"
                                   "ロードマップ、会議の記録を、都道府県ごとに、出典とともにリンクトデータとして"
                                   "記述したデータセット。",
                                   language="ja"))
    add(ds, DCT + "description", L("Prefectures' DX basic policies and plans, their programs and initiatives, KPIs, "
                                   "roadmaps and meeting records as linked data, prefecture by prefecture, each fact "
                                   "with its source.", language="en"))
    add(ds, DCT + "license", N(stats.license))
    add(ds, DCT + "identifier", L(stats.release))
    add(ds, PREFIXES["owl"] + "versionInfo", L(stats.release))
    add(ds, DCT + "language", N("http://id.loc.gov/vocabulary/iso639-1/ja"))
    add(ds, VOID + "sparqlEndpoint", N(root + "sparql"))
    add(ds, VOID + "uriSpace", L(base_iri))
    add(ds, VOID + "vocabulary", N(FDX))
    add(ds, FOAF + "homepage", N(root))
    for pref in prefectures:
        add(ds, VOID + "rootResource", N(pref))
        add(ds, DCT + "spatial", N(pref))
    for example in dict.fromkeys([*prefectures, *examples]):
        add(ds, VOID + "exampleResource", N(example))
    add(ds, VOID + "triples", integer(stats.triples))
    add(ds, VOID + "entities", integer(stats.entities))
    add(ds, VOID + "distinctSubjects", integer(stats.subjects))
    add(ds, VOID + "distinctObjects", integer(stats.objects))
    add(ds, VOID + "classes", integer(len(stats.classes)))
    add(ds, VOID + "properties", integer(len(stats.properties)))
    _distributions(add, ds, downloads, stats.license)
    service = N(root + "sparql")
    add(ds, DCAT + "distribution", N(root + "sparql#distribution"))
    add(N(root + "sparql#distribution"), RDF + "type", N(DCAT + "Distribution"))
    add(N(root + "sparql#distribution"), DCAT + "accessService", service)
    add(N(root + "sparql#distribution"), DCAT + "accessURL", service)
    add(service, RDF + "type", N(DCAT + "DataService"))
    add(service, DCAT + "endpointURL", service)
    add(service, DCAT + "servesDataset", ds)
    add(service, DCT + "conformsTo", N("https://www.w3.org/TR/sparql11-protocol/"))
    subsets = {}
    for i, (graph, n) in enumerate(sorted(stats.graphs.items())):
        sub = subsets[graph] = N(root + f".well-known/void#graph-{i + 1}")
        add(ds, VOID + "subset", sub)
        add(sub, RDF + "type", N(VOID + "Dataset"))
        add(sub, RDF + "type", N(DCAT + "Dataset"))
        add(sub, PREFIXES["dcterms"] + "identifier", L(graph))
        add(sub, SD + "name", N(graph))
        add(sub, VOID + "triples", integer(n))
        add(sub, VOID + "sparqlEndpoint", N(root + "sparql"))
        add(sub, RDFS + "seeAlso", N(graph))  # the graph's own description (/graph/…)
        if graph in stats.spatial:  # one dataset per prefecture
            add(sub, DCT + "spatial", N(stats.spatial[graph]))
            add(sub, VOID + "rootResource", N(stats.spatial[graph]))
    _linksets(add, ds, subsets, stats.linksets, root)
    for i, (cls, n) in enumerate(stats.classes):
        part = N(root + f".well-known/void#class-{i + 1}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", N(cls))
        add(part, VOID + "entities", integer(n))
    for i, (prop, n) in enumerate(stats.properties):
        part = N(root + f".well-known/void#property-{i + 1}")
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", N(prop))
        add(part, VOID + "triples", integer(n))
    publishers = set()
    for doc in stats.documents:
        d = N(doc["iri"])
        add(ds, DCT + "source", d)
        add(d, RDF + "type", N(FDX + "PolicyDocument"))
        for text, lang in labels.get(doc["iri"], []):
            add(d, DCT + "title", L(text, language=lang) if lang else L(text))
        if doc["file"]:
            add(d, FDX + "sourceFile", L(doc["file"]))
        if doc["publisher"]:
            add(d, DCT + "publisher", N(doc["publisher"]))
            publishers.add(doc["publisher"])
    for pub in sorted(publishers):
        add(N(pub), RDF + "type", N(FOAF + "Organization"))
        for text, lang in labels.get(pub, []):
            add(N(pub), FOAF + "name", L(text, language=lang) if lang else L(text))
    return out


# ----------------------------------------------------------------------------- one named graph

@dataclass
class GraphSummary:
    """What a named graph says about itself when its IRI is dereferenced (/graph/<name>)."""

    iri: str
    titles: list[tuple[str, str]]          # (text, language)
    sources: list[str]                     # source documents typed in the graph (or its owl:Ontology)
    license: str
    triples: int
    entities: int
    classes: list[tuple[str, int]]         # (class, distinct instances in the graph), most first
    downloads: list[tuple[str, str, str, int | None]] = field(default_factory=list)  # (url, media, title, bytes)


def summarize_graph(reader: StoreReader, graph: str, stats: Stats, titles: list[tuple[str, str]],
                    downloads: list[tuple[str, str, str, int | None]]) -> GraphSummary:
    g = f"<{graph}>"  # the caller has checked that `graph` is one of the store's named graphs
    classes = [(row["c"].value, int(row["n"].value)) for row in reader.select(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH {g} {{ ?s a ?c }} }} GROUP BY ?c ORDER BY DESC(?n) ?c")]
    entities = reader.select(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH {g} {{ ?s ?p ?o FILTER(isIRI(?s)) }} }}")
    sources = [row["d"].value for row in reader.select(
        f"SELECT DISTINCT ?d WHERE {{ GRAPH {g} {{ {{ ?d a fdx:PolicyDocument }} UNION {{ ?d a owl:Ontology }} }} }} "
        "ORDER BY ?d")]
    return GraphSummary(graph, titles, sources, stats.license, stats.graphs.get(graph, 0),
                        int(entities[0]["n"].value) if entities else 0, classes, downloads)


def graph_triples(summary: GraphSummary, root: str) -> list[ox.Triple]:
    """The graph's self-description in VoID, DCAT and DCTERMS; `root` is the public base URL ending in /."""
    N, L = ox.NamedNode, ox.Literal
    xsd_int = N(XSD + "integer")
    me = N(summary.iri)
    dataset = N(root + ".well-known/void#dataset")
    out: list[ox.Triple] = []

    def add(s, p: str, o):
        out.append(ox.Triple(s, N(p), o))

    add(me, RDF + "type", N(VOID + "Dataset"))
    add(me, RDF + "type", N(DCAT + "Dataset"))
    for text, lang in summary.titles:
        add(me, DCT + "title", L(text, language=lang) if lang else L(text))
    for source in summary.sources:
        add(me, DCT + "source", N(source))
    add(me, DCT + "license", N(summary.license))
    add(me, DCT + "isPartOf", dataset)
    add(me, VOID + "inDataset", dataset)
    add(me, VOID + "sparqlEndpoint", N(root + "sparql"))
    add(me, VOID + "triples", L(str(summary.triples), datatype=xsd_int))
    add(me, VOID + "entities", L(str(summary.entities), datatype=xsd_int))
    add(me, VOID + "classes", L(str(len(summary.classes)), datatype=xsd_int))
    for i, (cls, n) in enumerate(summary.classes):
        part = ox.BlankNode(f"class{i + 1}")  # stable names: the same answer (and ETag) every time
        add(me, VOID + "classPartition", part)
        add(part, VOID + "class", N(cls))
        add(part, VOID + "entities", L(str(n), datatype=xsd_int))
    _distributions(add, me, summary.downloads, summary.license)
    return out


def _linksets(add, ds, subsets: dict, linksets: list[tuple[str, str, str, int]], root: str) -> None:
    """void:Linkset per (prefecture graph, target, predicate): to e-Stat's areas, to the shared graph's
    themes and years, to another prefecture's graph, each with its number of triples."""
    N, L = ox.NamedNode, ox.Literal  # noqa: N806 - as in the builders above
    e_stat = N(root + ".well-known/void#e-stat-sac")
    if any(target == E_STAT_SAC for _, target, _, _ in linksets):
        add(e_stat, RDF + "type", N(VOID + "Dataset"))
        add(e_stat, DCT + "title", L("統計LOD 標準地域コード（e-Stat）", language="ja"))
        add(e_stat, DCT + "title", L("e-Stat statistical LOD: standard area codes", language="en"))
        add(e_stat, VOID + "uriSpace", L(E_STAT_SAC))
        add(e_stat, VOID + "sparqlEndpoint", N("https://data.e-stat.go.jp/lod/sparql/alldata/query"))
    for i, (graph, target, predicate, n) in enumerate(linksets):
        objects = e_stat if target == E_STAT_SAC else subsets.get(target)
        if graph not in subsets or objects is None:
            continue
        link = N(root + f".well-known/void#linkset-{i + 1}")
        add(ds, VOID + "subset", link)
        add(link, RDF + "type", N(VOID + "Linkset"))
        add(link, VOID + "subjectsTarget", subsets[graph])
        add(link, VOID + "objectsTarget", objects)
        add(link, VOID + "linkPredicate", N(predicate))
        add(link, VOID + "triples", L(str(n), datatype=N(XSD + "integer")))


def _distributions(add, dataset, downloads, license_iri: str) -> None:
    """Each download as a VoID data dump and a DCAT distribution of `dataset`."""
    N, L = ox.NamedNode, ox.Literal  # noqa: N806 - as in the builders above
    for url, media, title, size in downloads:
        dist = N(url)
        add(dataset, VOID + "dataDump", dist)
        add(dataset, DCAT + "distribution", dist)
        add(dist, RDF + "type", N(DCAT + "Distribution"))
        add(dist, DCAT + "downloadURL", dist)
        add(dist, DCAT + "mediaType", N("https://www.iana.org/assignments/media-types/" + media))
        add(dist, DCT + "title", L(title))
        add(dist, DCT + "license", N(license_iri))
        if size is not None:
            add(dist, DCAT + "byteSize", L(str(size), datatype=N(XSD + "nonNegativeInteger")))
