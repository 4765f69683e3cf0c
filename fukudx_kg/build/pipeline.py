"""Curated sources in data/ → one RDF dataset: sorted N-Quads, Turtle per graph, release.json."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from fukudx_kg.build.graph import KG
from fukudx_kg.build.initiatives import build_initiatives
from fukudx_kg.build.iris import DEFAULT_BASE_IRI, PREFIXES, Iris
from fukudx_kg.build.meetings import MeetingsPart
from fukudx_kg.build.national import NationalPrefecture, add_uncurated, read_prefectures
from fukudx_kg.build.orgs import Departments
from fukudx_kg.build.places import build_documents, build_places, build_prefecture, link_document_owners
from fukudx_kg.build.policy import PolicyPart
from fukudx_kg.build.sources import SourceError
from fukudx_kg.build.themes import build_theme_schemes, link_themes
from fukudx_kg.paths import DATA_DIR, EXTERNAL_LABELS_FILE, ONTOLOGY_FILE, REPO_ROOT


def build(out_dir: Path | str = REPO_ROOT / "build", base_iri: str = DEFAULT_BASE_IRI,
          data_dir: Path | str = DATA_DIR, folders: list[Path] | None = None) -> dict:
    """Build the dataset (every prefecture folder, or only `folders`) into out_dir; return the release."""
    out_dir, data_dir = Path(out_dir), Path(data_dir)
    iris = Iris(base_iri)
    graphs, _ = build_graphs(data_dir, iris, folders)
    return write_dataset(graphs, out_dir, iris.base)


def build_graphs(data_dir: Path, iris: Iris, folders: list[Path] | None = None
                 ) -> tuple[dict[URIRef, Graph], dict[URIRef, str]]:
    """The named graphs, and where each resource was minted (file:line) for validation findings."""
    sources_dir = data_dir / "sources"
    shared = Graph()
    themes = build_theme_schemes(shared, iris, data_dir / "themes", sources_dir)
    national = read_prefectures(data_dir / "national" / "prefectures.csv")
    graphs: dict[URIRef, Graph] = {iris.ontology_graph(): ontology_graph(), iris.shared_graph(): shared}
    origins: dict[URIRef, str] = {}
    curated: set[str] = set()
    for folder in folders or prefecture_folders(data_dir):
        kg = build_prefecture_graph(folder, iris, sources_dir, shared, themes, national)
        name = iris.prefecture_graph(kg.pref_code)
        if name in graphs:
            raise SourceError(folder / "prefecture.yaml", 1, f"prefecture code {kg.pref_code} is used by two folders")
        graphs[name] = kg.graph
        curated.add(kg.pref_code)
        origins.update(kg.origins)
    if folders is None:  # a folder validated alone does not speak for the others
        graphs[iris.national_graph()] = add_uncurated(iris, national, curated)
    return graphs, origins


def ontology_graph() -> Graph:
    g = Graph()
    g.parse(ONTOLOGY_FILE, format="turtle")
    g.parse(EXTERNAL_LABELS_FILE, format="turtle")
    return g


def prefecture_folders(data_dir: Path) -> list[Path]:
    folders = sorted(p for p in (data_dir / "prefectures").glob("[!_]*") if (p / "prefecture.yaml").exists())
    if not folders:
        raise SourceError(data_dir / "prefectures", None, "no prefecture folder (one with prefecture.yaml): copy "
                          "data/prefectures/_template/ to start one")
    return folders


def build_prefecture_graph(folder: Path, iris: Iris, sources_dir: Path, shared: Graph,
                           themes: dict[str, URIRef], national: dict[str, NationalPrefecture]) -> KG:
    """Every file of the folder is optional except prefecture.yaml (data/prefectures/FORMAT.md)."""
    meta_path = folder / "prefecture.yaml"
    if not meta_path.is_file():
        raise SourceError(meta_path, None, "a prefecture folder needs prefecture.yaml (copy _template/)")
    kg = KG(iris=iris, pref_code="", sources_dir=sources_dir, shared=shared)
    try:
        _build_folder(kg, folder, themes, national)
    except SourceError:
        raise
    except Exception as exc:  # fail closed: any slip still names the file and line
        # A slip that the readers did not foresee still points at the record being read.
        where, _, line = (kg.cursor or f"{meta_path}:1").rpartition(":")
        raise SourceError(where, int(line), f"{type(exc).__name__}: {exc}") from exc
    return kg


def _build_folder(kg: KG, folder: Path, themes: dict[str, URIRef],
                  national: dict[str, NationalPrefecture]) -> None:
    pref = build_prefecture(kg, folder, national)
    owned = build_documents(kg, folder, pref)
    meetings = MeetingsPart(kg, folder / "meetings.yaml") if (folder / "meetings.yaml").exists() else None
    if meetings is not None:
        meetings.register_documents(kg)
    build_places(kg, folder, pref)
    departments = Departments(kg, folder, pref)
    link_document_owners(kg, owned, departments)
    policies: dict[str, PolicyPart] = {}
    for path in sorted((folder / "policy").glob("*.yaml")):
        part = PolicyPart(kg, path)
        if part.scheme_key in policies:
            other = policies[part.scheme_key].path
            raise part.r.fail(part.data, f"scheme {part.scheme_key} is also defined in {other}")
        part.build_sections(kg, pref)
        policies[part.scheme_key] = part
    build_initiatives(kg, folder, pref, departments)
    for part in policies.values():
        part.build(kg, pref)
    if meetings is not None:
        meetings.build(kg, pref, departments, policies)
    if (folder / "themes.yaml").exists():
        link_themes(kg, folder / "themes.yaml", themes)


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
