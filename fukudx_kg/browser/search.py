"""Japanese-aware search over labels and descriptions: NFKC + casefold, substring, ranked.

Japanese has no spaces between words, so matching is by substring, never by word boundary;
NFKC makes full-width `ＩＣＴ` and half-width `ICT` (and ｶﾅ / カナ) the same text. Several terms
separated by spaces must all match (each anywhere in the resource's texts). The index is built
once per dataset release, in memory (a few thousand texts).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from fukudx_kg.browser.reader import PREFIXES, StoreReader

FDX = PREFIXES["fdx"]
RDFS, SKOS, DCT = PREFIXES["rdfs"], PREFIXES["skos"], PREFIXES["dcterms"]

# Searched properties and their weight when a term matches there.
FIELDS: dict[str, int] = {
    RDFS + "label": 40, SKOS + "prefLabel": 40, SKOS + "altLabel": 30, SKOS + "notation": 30,
    DCT + "title": 35, FDX + "localGovernmentCode": 30, DCT + "description": 12, RDFS + "comment": 12,
    FDX + "targetText": 10, FDX + "newValue": 10, FDX + "phase": 10, SKOS + "scopeNote": 8,
}
LABEL_FIELDS = {RDFS + "label", SKOS + "prefLabel", DCT + "title"}


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


@dataclass
class Entry:
    iri: str
    texts: list[tuple[str, str, str, str]] = field(default_factory=list)  # (prop, text, lang, normalized)
    types: list[str] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)  # where its types are stated: says its prefecture


@dataclass
class Hit:
    iri: str
    score: float
    field: str          # property where the best match was
    text: str           # that text
    lang: str
    segments: list[tuple[str, bool]]  # snippet split into (text, is_match)
    types: list[str]
    graphs: list[str]


class Index:
    def __init__(self, entries: dict[str, Entry]):
        self.entries = entries

    @classmethod
    def build(cls, reader: StoreReader) -> "Index":
        values = " ".join(f"<{p}>" for p in FIELDS)
        rows = reader.select(f"""SELECT ?s ?p ?l WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?l .
            FILTER(isIRI(?s) && isLiteral(?l)) FILTER NOT EXISTS {{ ?s a fdx:SourceExcerpt }} }}""")
        entries: dict[str, Entry] = {}
        for r in rows:
            entry = entries.setdefault(r["s"].value, Entry(r["s"].value))
            lit = r["l"]
            item = (r["p"].value, lit.value, lit.language or "", normalize(lit.value))
            if item not in entry.texts:
                entry.texts.append(item)
        for r in reader.select("SELECT DISTINCT ?s ?t ?g WHERE { GRAPH ?g { ?s a ?t FILTER(isIRI(?s)) } }"):
            entry = entries.get(r["s"].value)
            if entry is not None:
                for values, term in ((entry.types, r["t"].value), (entry.graphs, r["g"].value)):
                    if term not in values:
                        values.append(term)
        return cls(entries)

    def search(self, query: str, limit: int = 1000) -> list[Hit]:
        terms = [t for t in normalize(query).split() if t]
        if not terms:
            return []
        hits = []
        for entry in self.entries.values():
            score, best = 0.0, None
            for term in terms:
                term_best = None
                for prop, text, lang, norm in entry.texts:
                    pos = norm.find(term)
                    if pos < 0:
                        continue
                    weight = FIELDS.get(prop, 5)
                    if norm == term:
                        weight += 60            # the whole label (or code) is what was asked
                    elif pos == 0:
                        weight += 20            # starts with it
                    if prop in LABEL_FIELDS and lang == "ja":
                        weight += 2
                    if term_best is None or weight > term_best[0]:
                        term_best = (weight, prop, text, lang, norm, pos)
                if term_best is None:
                    break
                score += term_best[0]
                if best is None or term_best[0] > best[0]:
                    best = term_best
            else:
                label_len = min((len(t[1]) for t in entry.texts if t[0] in LABEL_FIELDS), default=60)
                score -= min(label_len, 200) / 100.0   # shorter labels first among equals
                if any(t.startswith(FDX) for t in entry.types):
                    score += 1
                _, prop, text, lang, norm, pos = best
                hits.append(Hit(entry.iri, score, prop, text, lang, snippet(text, terms), entry.types, entry.graphs))
        hits.sort(key=lambda h: (-h.score, h.iri))
        return hits[:limit]


def snippet(text: str, terms: list[str], width: int = 60) -> list[tuple[str, bool]]:
    """The text (cut around the first match when long) split into plain and matching parts."""
    # Normalise character by character so positions map back to the original text.
    norm_chars, origin = [], []
    for i, ch in enumerate(text):
        n = normalize(ch)
        norm_chars.append(n)
        origin.extend([i] * len(n))
    norm = "".join(norm_chars)
    marks = [False] * len(text)
    for term in terms:
        start = norm.find(term)
        while start >= 0:
            for k in range(start, min(start + len(term), len(origin))):
                marks[origin[k]] = True
            start = norm.find(term, start + max(len(term), 1))
    first = marks.index(True) if True in marks else 0
    lo = max(0, first - width // 2) if len(text) > width * 2 else 0
    hi = min(len(text), lo + width * 2)
    segments: list[tuple[str, bool]] = []
    if lo > 0:
        segments.append(("…", False))
    for i in range(lo, hi):
        if segments and segments[-1][1] == marks[i] and segments[-1][0] != "…":
            segments[-1] = (segments[-1][0] + text[i], marks[i])
        else:
            segments.append((text[i], marks[i]))
    if hi < len(text):
        segments.append(("…", False))
    return segments
