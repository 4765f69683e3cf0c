"""Curated sources in data/ → one RDF dataset: sorted N-Quads, Turtle per graph, release.json."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef

from fukudx_kg.build.graph import KG
from fukudx_kg.build.initiatives import build_initiatives, chapter_path
from fukudx_kg.build.iris import DEFAULT_BASE_IRI, FDX, PREFIXES, RDF, SKOS, Iris
from fukudx_kg.build.orgs import Departments
from fukudx_kg.build.places import build_documents, build_places, build_prefecture
from fukudx_kg.build.sources import Reader, load_yaml
from fukudx_kg.paths import DATA_DIR, EXTERNAL_LABELS_FILE, ONTOLOGY_FILE, REPO_ROOT


def build(out_dir: Path | str = REPO_ROOT / "build", base_iri: str = DEFAULT_BASE_IRI,
          data_dir: Path | str = DATA_DIR) -> dict:
    """Build the whole dataset into out_dir and return the release description."""
    out_dir, data_dir = Path(out_dir), Path(data_dir)
    iris = Iris(base_iri)
    graphs: dict[URIRef, Graph] = {iris.ontology_graph(): ontology_graph()}
    for folder in prefecture_folders(data_dir):
        kg = build_prefecture_graph(folder, iris, data_dir / "sources")
        graphs[iris.prefecture_graph(kg.pref_code)] = kg.graph
    return write_dataset(graphs, out_dir, iris.base)


def ontology_graph() -> Graph:
    g = Graph()
    g.parse(ONTOLOGY_FILE, format="turtle")
    g.parse(EXTERNAL_LABELS_FILE, format="turtle")
    return g


def prefecture_folders(data_dir: Path) -> list[Path]:
    folders = sorted(p for p in (data_dir / "prefectures").iterdir() if (p / "prefecture.yaml").exists())
    if not folders:
        raise FileNotFoundError(f"no prefecture folders with prefecture.yaml under {data_dir / 'prefectures'}")
    return folders


def build_prefecture_graph(folder: Path, iris: Iris, sources_dir: Path) -> KG:
    meta_path = folder / "prefecture.yaml"
    meta, reader = load_yaml(meta_path), Reader(meta_path)
    kg = KG(iris=iris, pref_code=reader.req(meta, "code"), sources_dir=sources_dir)
    pref = build_prefecture(kg, folder)
    first_fy, last_fy = reader.req(meta, "fiscal_years", list)
    for year in range(int(first_fy), int(last_fy) + 1):
        kg.fiscal_year(year)
    build_documents(kg, folder, pref, folder / "documents.yaml")
    parts = _optional_parts(folder)
    if "meetings" in parts:
        parts["meetings"].register_documents(kg)
    build_places(kg, folder, pref)
    departments = Departments(kg, folder, pref)
    chapters = build_chapters(kg, folder / "policy-2021-chapters.yaml")
    build_initiatives(kg, folder, pref, departments, chapters)
    for name in ("policy", "meetings", "themes"):
        if name in parts:
            parts[name].build(kg, pref, departments, parts)
    return kg


def _optional_parts(folder: Path) -> dict:
    """The policy overview, meetings and theme links, each present only when curated."""
    parts = {}
    if (folder / "policy-2024.yaml").exists():
        from fukudx_kg.build.policy import PolicyPart
        parts["policy"] = PolicyPart(folder / "policy-2024.yaml")
    if (folder / "meetings.yaml").exists():
        from fukudx_kg.build.meetings import MeetingsPart
        parts["meetings"] = MeetingsPart(folder / "meetings.yaml")
    if (folder / "themes.yaml").exists():
        from fukudx_kg.build.themes import ThemesPart
        parts["themes"] = ThemesPart(folder / "themes.yaml")
    return parts


def build_chapters(kg: KG, path: Path) -> dict[str, URIRef]:
    """Chapter sections (第N) of a policy's section scheme, keyed by ASCII chapter path."""
    data = load_yaml(path)
    r = Reader(path)
    scheme_key = r.req(data, "scheme")
    scheme = kg.pref_iri(f"policy/{scheme_key}/scheme")
    doc = kg.document(r.req(data, "document"))
    kg.add(scheme, RDF.type, SKOS.ConceptScheme)
    kg.label(scheme, f"{kg.ja_label(doc) or doc} の項目体系", f"Sections of the {scheme_key} policy")
    kg.add(scheme, FDX.schemeOf, doc)
    chapters = {}
    for rec in r.req(data, "chapters", list):
        ch = chapter_path(r.req(rec, "chapter"))
        iri = kg.pref_iri(f"policy/{scheme_key}/sec-{ch}")
        name = r.req(rec, "name", dict)
        notation = r.req(rec, "notation")
        kg.typed(iri, FDX.PolicySection)
        kg.label(iri, f"{notation}　{r.req(name, 'text')}")
        kg.add(iri, SKOS.prefLabel, Literal(name["text"], lang="ja"))
        kg.add(iri, SKOS.notation, Literal(notation))
        kg.add(iri, SKOS.inScheme, scheme)
        kg.add(iri, SKOS.topConceptOf, scheme)
        kg.add(scheme, SKOS.hasTopConcept, iri)
        kg.derived(iri, r.req(name, "source"), *r.line_range(name))
        kg.notes(iri, r.opt(rec, "flags", list))
        chapters[ch] = iri
    return chapters


def write_dataset(graphs: dict[URIRef, Graph], out_dir: Path, base_iri: str) -> dict:
    """Sorted N-Quads (byte-identical across builds), Turtle per graph and release.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ds = Dataset()
    counts = {}
    for name, g in graphs.items():
        target = ds.graph(name)
        for triple in g:
            target.add(triple)
        counts[str(name)] = len(g)
        ttl = Graph()
        for prefix, ns in PREFIXES.items():
            ttl.bind(prefix, ns)
        ttl.bind("fdxid", base_iri)
        for triple in g:
            ttl.add(triple)
        _replace(out_dir / f"{_graph_file_name(name)}.ttl", ttl.serialize(format="turtle", encoding="utf-8"))
    lines = sorted(set(line for line in ds.serialize(format="nquads").splitlines() if line.strip()))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    _replace(out_dir / "dataset.nq", data)
    release = {
        "release": hashlib.sha256(data).hexdigest(),
        "quads": len(lines),
        "graphs": dict(sorted(counts.items())),
        "base_iri": base_iri,
    }
    _replace(out_dir / "release.json", (json.dumps(release, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return release


def _graph_file_name(name: URIRef) -> str:
    tail = str(name).rsplit("/graph/", 1)[-1]
    return tail.replace("/", "-")


def _replace(path: Path, data: bytes) -> None:
    """Write beside, then rename: a server reading the folder sees the old file or the new one, never half."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
