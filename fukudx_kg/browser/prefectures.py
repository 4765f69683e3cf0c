"""Which prefecture a resource belongs to, and what the dataset holds for each prefecture.

The graph contract (issue 9): each prefecture's facts live in its own named graph,
`namespaces.prefecture_graph(code)`, which holds one `fdx:Prefecture` with that `fdx:prefectureCode`.
Fiscal years, days and themes (`SHARED_GRAPH`) and the vocabulary belong to no prefecture. So the
prefecture of a resource is the prefecture graph its own triples are in, and nothing is guessed
from its IRI. Read once per dataset release (a handful of prefectures).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fukudx_kg.browser.describe import sort_key
from fukudx_kg.browser.reader import StoreReader, value_of
from fukudx_kg.namespaces import PREFIXES, prefecture_graph
from fukudx_kg.web import i18n

FDX = PREFIXES["fdx"]


@dataclass(frozen=True)
class Prefecture:
    iri: str
    code: str
    graph: str


@dataclass
class Overview:
    """Per release: the prefectures (by code) and instances per (graph, class)."""

    release: str
    prefectures: list[Prefecture]
    class_counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def by_graph(self, graph: str) -> Prefecture | None:
        for pref in self.prefectures:
            if pref.graph == graph:
                return pref
        return None

    def by_code(self, code: str) -> Prefecture | None:
        for pref in self.prefectures:
            if pref.code == code:
                return pref
        return None

    def of_graphs(self, graphs) -> list[Prefecture]:
        """The prefectures whose graphs are among `graphs`, in code order."""
        graphs = set(graphs)
        return [pref for pref in self.prefectures if pref.graph in graphs]


def compute(reader: StoreReader) -> Overview:
    rows = reader.select("""SELECT DISTINCT ?p ?code ?g WHERE { GRAPH ?g { ?p a fdx:Prefecture }
        OPTIONAL { ?p fdx:prefectureCode ?code } }""")
    found: dict[str, Prefecture] = {}
    for row in rows:
        code = value_of(row, "code") or ""
        graph = prefecture_graph(code) if code else value_of(row, "g")
        if code and value_of(row, "g") != graph:
            continue  # listed nationally, with no data of its own (the comparison pages show it)
        found.setdefault(row["p"].value, Prefecture(row["p"].value, code, graph))
    prefectures = sorted(found.values(), key=lambda p: (p.code, p.iri))
    counts = {(row["g"].value, row["c"].value): int(row["n"].value) for row in reader.select(
        "SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?g ?c")}
    return Overview(reader.release, prefectures, counts)


def picked(pairs: list[tuple[str, str]], lang: str) -> dict | None:
    """{"text", "lang"} of the literal to show (the UI language first), or None."""
    chosen = i18n.pick(pairs, lang)
    return {"text": chosen[0], "lang": chosen[1]} if chosen else None


def documents(describer, prefectures: list[str]) -> dict[str, list[dict]]:
    """The source documents of each prefecture (by IRI): link, published page (schema:url), date seen,
    coverage note."""
    if not prefectures:
        return {}
    values = describer.reader.values(prefectures)
    rows = describer.reader.select(f"""SELECT DISTINCT ?pref ?doc ?url ?seen ?whole WHERE {{
        VALUES ?pref {{ {values} }} ?doc a fdx:PolicyDocument ; fdx:inPrefecture ?pref .
        OPTIONAL {{ ?doc schema:url ?url }} OPTIONAL {{ ?doc fdx:dateSeen ?seen }}
        OPTIONAL {{ ?doc dcterms:isPartOf ?whole }} }} ORDER BY ?pref ?doc ?url""")
    notes = coverage_notes(describer, [value_of(r, "doc") for r in rows])
    describer.load_labels(value_of(r, "doc") for r in rows)
    out: dict[str, list[dict]] = {p: [] for p in prefectures}
    seen: set[tuple[str, str]] = set()
    for r in rows:
        key = (value_of(r, "pref"), value_of(r, "doc"))
        if key in seen:
            continue
        seen.add(key)
        out[key[0]].append({"link": describer.link(key[1]), "url": value_of(r, "url"), "seen": value_of(r, "seen"),
                            "coverage": notes.get(key[1]), "whole": value_of(r, "whole"), "parts": []})
    for pref, docs in out.items():
        # Parts (e.g. one page per initiative) under the document they belong to; documents with a
        # coverage note first: the reader must see them.
        by_iri = {d["link"].iri: d for d in docs}
        for d in docs:
            if d["whole"] in by_iri and d["whole"] != d["link"].iri:
                by_iri[d["whole"]]["parts"].append(d)
        tops = [d for d in docs if d["whole"] not in by_iri or d["whole"] == d["link"].iri]
        for d in docs:
            d["parts"].sort(key=lambda part: sort_key(part["link"].label))
        out[pref] = sorted(tops, key=lambda d: (d["coverage"] is None, sort_key(d["link"].label)))
    return out


def coverage_notes(describer, docs: list[str]) -> dict[str, dict]:
    """The fdx:coverageNote that applies to each document, in the UI language: its own, or that of the
    document it is part of (a page of a partially captured plan). `about` links the one that says it."""
    docs = list(dict.fromkeys(d for d in docs if d))
    if not docs:
        return {}
    rows = describer.reader.select(f"""SELECT DISTINCT ?d ?w ?note WHERE {{
        VALUES ?d {{ {describer.reader.values(docs)} }} ?d dcterms:isPartOf* ?w . ?w fdx:coverageNote ?note }}""")
    pairs: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for r in rows:
        pairs.setdefault((value_of(r, "d"), value_of(r, "w")), []).append((r["note"].value, r["note"].language or ""))
    out: dict[str, dict] = {}
    for (doc, whole), texts in sorted(pairs.items(), key=lambda item: item[0][0] != item[0][1]):  # own note first
        if doc not in out:
            out[doc] = dict(picked(texts, describer.lang), about=describer.link(whole))
    return out
