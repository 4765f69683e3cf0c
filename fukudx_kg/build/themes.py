"""Prefecture-neutral themes (data/themes/, one shared graph) and a prefecture's links to them."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef

from fukudx_kg.build.graph import KG, ja_en, typed
from fukudx_kg.build.initiatives import section_path
from fukudx_kg.build.iris import FDX, RDF, RDFS, SKOS, Iris
from fukudx_kg.build.sources import Reader, load_checked


def build_theme_schemes(shared: Graph, iris: Iris, themes_dir: Path, sources_dir: Path) -> dict[str, URIRef]:
    """Every theme of every scheme file, by key; they live once, in the shared graph."""
    themes: dict[str, URIRef] = {}
    for path in sorted(themes_dir.glob("*.yaml")) if themes_dir.is_dir() else []:
        data = load_checked(path, "theme_scheme_file", sources_dir)
        r = Reader(path)
        meta = r.req(data, "scheme", dict)
        scheme = iris(f"theme/{r.req(meta, 'key')}")
        shared.add((scheme, RDF.type, SKOS.ConceptScheme))
        ja_en(shared, scheme, RDFS.label, r.req(meta, "label_ja"), r.req(meta, "label_en"))
        for t in r.req(data, "themes", list):
            key = r.req(t, "key")
            if key in themes:
                raise r.fail(t, f"theme key {key!r} is already used (keys are shared by all schemes)")
            iri = iris.theme(key)
            typed(shared, iri, FDX.Theme)
            ja_en(shared, iri, RDFS.label, r.req(t, "ja"), r.req(t, "en"))
            shared.add((iri, SKOS.inScheme, scheme))
            shared.add((iri, SKOS.topConceptOf, scheme))
            shared.add((iri, SKOS.notation, Literal(key)))
            shared.add((iri, SKOS.scopeNote, Literal(f"自治体DX推進計画 版: {r.req(t, 'versions')}", lang="ja")))
            themes[key] = iri
    return themes


def link_themes(kg: KG, path: Path, themes: dict[str, URIRef]) -> None:
    """themes.yaml: each link rests on a section's printed name matching the theme; its initiatives follow."""
    data = load_checked(path, "themes_file", kg.sources_dir)
    r = kg.reader(path)
    scheme_file = r.req(data, "scheme_file")
    if not (path.parents[2] / "themes" / scheme_file).is_file():
        raise r.fail(data, f"scheme_file {scheme_file!r} is not a file in data/themes/")
    for link in r.req(data, "links", list):
        theme = r.req(link, "theme")
        if theme not in themes:
            raise r.fail(link, f"theme {theme!r} is not a theme key in data/themes/")
        scheme = r.req(link, "scheme")
        try:
            spath = section_path(r.opt(link, "chapter"), r.req(link, "code"))
        except ValueError as exc:
            raise r.fail(link, str(exc)) from exc
        section = kg.sections.get((scheme, spath))
        if section is None:
            raise r.fail(link, f"no section {spath} in scheme {scheme}")
        kg.add(section, FDX.theme, themes[theme])
        kg.ja(section, FDX.evidence, "項目名が自治体DX推進計画の重点取組事項と一致することによる対応付け")
        for initiative in kg.graph.subjects(FDX.underSection, section):
            if (initiative, RDF.type, FDX.Initiative) in kg.graph:
                kg.add(initiative, FDX.theme, themes[theme])
