"""Prefecture-neutral themes (data/themes/, one shared graph) and a prefecture's curated links to them.

A link is data with its evidence: the printed words it rests on, and whether they name the theme
(exact) or the theme is wider (broader). The plain `fdx:theme` triple is kept for simple queries;
the qualified `fdx:ThemeLink` says why. Only a section that literally is a national priority item
passes its theme on to the initiatives listed under it (`inherit`).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef

from fukudx_kg.build.graph import KG, ja_en, typed
from fukudx_kg.build.iris import FDX, PROV, RDF, RDFS, SKOS, XSD, Iris
from fukudx_kg.build.sources import Reader, load_checked

MATCHES = {"exact": FDX.ExactTheme, "broader": FDX.BroaderTheme}
LINKABLE = (FDX.Initiative, FDX.KPI, FDX.PolicySection)


def build_theme_schemes(shared: Graph, iris: Iris, themes_dir: Path, sources_dir: Path) -> dict[str, URIRef]:
    """Every theme of every scheme file, by its path under theme/; they live once, in the shared graph."""
    themes: dict[str, URIRef] = {}
    for path in sorted(themes_dir.glob("*.yaml")) if themes_dir.is_dir() else []:
        data = load_checked(path, "theme_scheme_file", sources_dir)
        r = Reader(path)
        meta = r.req(data, "scheme", dict)
        prefix = f"{meta['path']}/" if r.opt(meta, "path") else ""
        scheme = iris(f"theme/{r.req(meta, 'key')}")
        shared.add((scheme, RDF.type, SKOS.ConceptScheme))
        ja_en(shared, scheme, RDFS.label, r.req(meta, "label_ja"), r.req(meta, "label_en"))
        for t in r.req(data, "themes", list):
            key = prefix + r.req(t, "key")
            if key in themes:
                raise r.fail(t, f"theme {key!r} is already defined (a theme's path under theme/ is unique)")
            iri = iris.theme(key)
            typed(shared, iri, FDX.Theme)
            ja_en(shared, iri, RDFS.label, r.req(t, "ja"), r.req(t, "en"))
            shared.add((iri, SKOS.inScheme, scheme))
            shared.add((iri, SKOS.topConceptOf, scheme))
            shared.add((iri, SKOS.notation, Literal(r.req(t, "key"))))
            if r.opt(t, "definition_ja"):
                ja_en(shared, iri, SKOS.definition, r.req(t, "definition_ja"), r.opt(t, "definition_en"))
            if r.opt(t, "versions"):
                shared.add((iri, SKOS.scopeNote, Literal(f"自治体DX推進計画 版: {t['versions']}", lang="ja")))
            themes[key] = iri
    return themes


def link_themes(kg: KG, path: Path, themes: dict[str, URIRef]) -> None:
    """themes.yaml: one qualified link per target and theme, each with the printed words it rests on."""
    data = load_checked(path, "themes_file", kg.sources_dir)
    r = kg.reader(path)
    for link in r.req(data, "links", list):
        theme_key, target_path = r.req(link, "theme"), r.req(link, "target")
        if theme_key not in themes:
            raise r.fail(link, f"theme {theme_key!r} is not a theme in data/themes/ (give its path under theme/, "
                         "e.g. domain/education or online-procedures)")
        target = kg.pref_iri(target_path)
        kind = next((cls for cls in LINKABLE if (target, RDF.type, cls) in kg.graph), None)
        if kind is None:
            raise r.fail(link, f"target {target_path!r} is not an initiative, KPI or policy section of this "
                         f"prefecture (give the path under pref/{kg.pref_code}/, e.g. initiative/<list>/<id>)")
        match = r.req(link, "match")
        if match not in MATCHES:
            raise r.fail(link, f"match {match!r} must be 'exact' (the words name the theme) or 'broader'")
        evidence = r.req(link, "evidence", dict)
        source = evidence.get("source") or evidence.get("file") or data.get("source")
        node = _link(kg, target, target_path, theme_key, themes[theme_key], match, evidence["text"])
        kg.derived(node, source, *r.line_range(evidence))
        if r.opt(link, "doubtful"):
            kg.add(node, FDX.doubtful, Literal(True, datatype=XSD.boolean))
            kg.ja(node, FDX.curationNote, link["doubtful"])
        if r.opt(link, "inherit", bool):
            if kind != FDX.PolicySection:
                raise r.fail(link, "inherit applies to a policy section only (its initiatives get the theme)")
            for initiative in sorted(kg.graph.subjects(FDX.underSection, target)):
                if (initiative, RDF.type, FDX.Initiative) in kg.graph:
                    tail = str(initiative).removeprefix(str(kg.pref_iri("")))
                    inherited = _link(kg, initiative, tail, theme_key, themes[theme_key], match, evidence["text"])
                    kg.add(inherited, PROV.wasDerivedFrom, node)
                    kg.ja(inherited, FDX.curationNote, "項目（節）が自治体DX推進計画の重点取組事項そのものであるため、"
                          "その下の取組に引き継いだ対応付け")


def _link(kg: KG, target: URIRef, target_path: str, theme_key: str, theme: URIRef, match: str,
          words: str) -> URIRef:
    node = kg.pref_iri(f"theme-link/{target_path}/{theme_key}")
    if (node, RDF.type, FDX.ThemeLink) in kg.graph:
        raise ValueError(f"{target_path} is linked to {theme_key} twice")
    kg.typed(node, FDX.ThemeLink)
    kg.label(node, f"{words} → {theme_key}")
    kg.add(target, FDX.theme, theme)
    kg.add(node, FDX.themeOf, target)
    kg.add(node, FDX.linkedTheme, theme)
    kg.add(node, FDX.themeMatch, MATCHES[match])
    kg.ja(node, FDX.evidence, words)
    return node
