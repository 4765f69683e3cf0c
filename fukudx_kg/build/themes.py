"""Prefecture-neutral themes (data/themes/) and this prefecture's links to them."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from rdflib import Literal, URIRef

from fukudx_kg.build.graph import KG
from fukudx_kg.build.initiatives import section_path
from fukudx_kg.build.iris import FDX, RDF, SKOS
from fukudx_kg.build.sources import Reader, load_yaml


class ThemesPart:
    def __init__(self, path: Path):
        self.path = path
        self.data = load_yaml(path)
        self.r = Reader(path)

    def build(self, kg: KG, pref: URIRef, departments, parts: dict) -> None:
        r = self.r
        themes_file = self.path.parent.parent.parent / "themes" / r.req(self.data, "scheme_file")
        themes = self._themes(kg, themes_file)
        for link in r.req(self.data, "links", list):
            theme = r.req(link, "theme")
            if theme not in themes:
                raise r.fail(link, f"theme {theme!r} is not in {themes_file.name}")
            section = self._section(kg, link)
            kg.add(section, FDX.theme, themes[theme])
            kg.ja(section, FDX.evidence, "項目名が自治体DX推進計画の重点取組事項と一致することによる対応付け")
            for initiative in kg.graph.subjects(FDX.underSection, section):
                if (initiative, RDF.type, FDX.Initiative) in kg.graph:
                    kg.add(initiative, FDX.theme, themes[theme])

    def _section(self, kg: KG, link) -> URIRef:
        r = self.r
        code = unicodedata.normalize("NFKC", r.req(link, "code"))
        path, _ = section_path(r.req(link, "chapter"), code)
        iri = kg.pref_iri(f"policy/{r.req(link, 'scheme')}/sec-{path}")
        if (iri, RDF.type, FDX.PolicySection) not in kg.graph:
            raise r.fail(link, f"no section {link['chapter']} {code} in scheme {link['scheme']}")
        return iri

    def _themes(self, kg: KG, path: Path) -> dict[str, URIRef]:
        data = load_yaml(path)
        r = Reader(path)
        meta = r.req(data, "scheme", dict)
        scheme = kg.iris(f"theme/{r.req(meta, 'key')}")
        kg.add(scheme, RDF.type, SKOS.ConceptScheme)
        kg.label(scheme, r.req(meta, "label_ja"), r.req(meta, "label_en"))
        out = {}
        for t in r.req(data, "themes", list):
            iri = kg.iris.theme(r.req(t, "key"))
            kg.typed(iri, FDX.Theme)
            kg.label(iri, r.req(t, "ja"), r.req(t, "en"))
            kg.add(iri, SKOS.inScheme, scheme)
            kg.add(iri, SKOS.topConceptOf, scheme)
            kg.add(iri, SKOS.notation, Literal(t["key"]))
            kg.add(iri, SKOS.scopeNote, Literal(f"自治体DX推進計画 版: {r.req(t, 'versions')}", lang="ja"))
            out[t["key"]] = iri
        return out
