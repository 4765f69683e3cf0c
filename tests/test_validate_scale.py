"""Validation at scale: the fast engine (pyrudof, linked graphs apart, in parallel) gives pySHACL's
results, and the synthetic benchmark data is marked as such everywhere and still conforms.

Small data only: two real prefecture graphs and the shared ones, broken in ways that exercise
SPARQL constraints, qualified shapes, sh:xone, inverse paths and a focus node in the shared graph.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from bench import synthetic
from fukudx_kg import validate as v
from fukudx_kg.namespaces import FDX_NS, GRAPH_BASE
from fukudx_kg.paths import RELEASE_DIR
from fukudx_kg.release import read_release

ROOT = Path(__file__).resolve().parent.parent
KEEP = {GRAPH_BASE + name for name in ("ontology", "shared", "pref/24", "pref/10")}
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _first(store: ox.Store, graph: str, where: str) -> str:
    rows = list(store.query(f"PREFIX fdx: <{FDX_NS}> SELECT ?s WHERE {{ GRAPH <{graph}> {{ {where} }} }} ORDER BY ?s"))
    assert rows, where
    return rows[0][0].value


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    """Four real graphs with one violation of each kind, as N-Quads."""
    quads = [q for q in ox.parse(path=str(RELEASE_DIR / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
             if q.graph_name.value in KEEP]
    store = ox.Store()
    store.extend(quads)
    shiga, gunma, shared = GRAPH_BASE + "pref/24", GRAPH_BASE + "pref/10", GRAPH_BASE + "shared"
    pref = _first(store, shiga, "?s a fdx:Prefecture")
    kpi = _first(store, gunma, "?s a fdx:KPI ; fdx:targetValue ?v")
    link = _first(store, shiga, "?s a fdx:ThemeLink")
    target = _first(store, shiga, f"<{link}> fdx:themeOf ?s")
    theme = _first(store, shiga, f"<{link}> fdx:linkedTheme ?s")
    value = _first(store, GRAPH_BASE + "pref/10", "?k fdx:hasValue ?s")
    section = _first(store, shiga, "?s a fdx:PolicySection")
    year = _first(store, shared, "?s a fdx:FiscalYear")
    out = []
    for q in quads:
        s, p, o = q.subject.value, q.predicate.value, q.object
        if s == pref and p == FDX_NS + "prefectureCode":
            q = ox.Quad(q.subject, q.predicate, ox.Literal("4"), q.graph_name)  # pattern
        elif s == pref and p == FDX_NS + "localGovernmentCode":
            q = ox.Quad(q.subject, q.predicate, ox.Literal(o.value[:5] + str((int(o.value[5]) + 1) % 10)),
                        q.graph_name)  # check digit (SPARQL)
        elif s == kpi and p == FDX_NS + "targetValue":
            q = ox.Quad(q.subject, q.predicate, ox.Literal("110万"), q.graph_name)  # datatype, sh:xone
        elif s == year and p == FDX_NS + "endDate":
            q = ox.Quad(q.subject, q.predicate, ox.Literal("2099-03-31", datatype=o.datatype), q.graph_name)
        elif (s == target and p == FDX_NS + "theme" and o.value == theme) or (
                p == FDX_NS + "hasValue" and o.value == value) or (
                s == section and p == RDFS_LABEL and o.language == "ja"):
            continue  # theme link (SPARQL), inverse path, qualified ja label
        out.append(q)
    path = tmp_path_factory.mktemp("scale") / "broken.nq"
    path.write_bytes(ox.serialize(out, format=ox.RdfFormat.N_QUADS))
    return path


def _keys(violations: list[v.Violation]) -> list[tuple]:
    return [(x.focus, x.shape, x.path, x.value, x.severity) for x in violations]


def test_fast_engine_agrees_with_pyshacl(broken):
    reference = v.run(v.load([broken]))
    fast = v.run_fast(v.read_quads([broken]), jobs=2)
    assert not reference[0] and not fast[0]
    assert _keys(fast[1]) == _keys(reference[1])
    shapes = {x.shape.split(" ▸ ")[0] for x in reference[1]}
    assert {"fdxsh:PrefectureShape", "fdxsh:KPIShape", "fdxsh:ThemeLinkShape", "fdxsh:FiscalYearShape",
            "fdxsh:KPIValueShape", "fdxsh:jaLabel"} <= shapes, shapes
    assert any(x.path == "^fdx:hasValue" for x in reference[1])  # an inverse path, named, not a blank node
    assert [replace(x, message="") for x in fast[1]] == [replace(x, message="") for x in reference[1]]
    # Messages the shapes give (sh:message, SPARQL ones filled in) are the same; each engine words its own.
    given = {str(m) for m in Graph().parse(v.SHAPES_FILE).objects(None, SH.message)}
    same = [x.message == y.message for x, y in zip(fast[1], reference[1], strict=True)
            if y.message in given or "check digit" in y.message]
    assert len(same) >= 5 and all(same)


def test_graphs_are_grouped_with_the_shared_ones(broken):
    parts, shared, _ = v.groups(v.read_quads([broken]))
    assert shared == {f"<{GRAPH_BASE}ontology>", f"<{GRAPH_BASE}shared>"}
    assert sorted(map(sorted, parts)) == [[f"<{GRAPH_BASE}pref/10>"], [f"<{GRAPH_BASE}pref/24>"]]


def test_cli_engines_give_the_same_report(broken):
    def report(engine: str) -> tuple[int, str]:
        done = subprocess.run([sys.executable, "-m", "fukudx_kg", "validate", "--engine", engine, "--format", "json",
                               str(broken)], cwd=ROOT, capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout
    fast, reference = report("rudof"), report("pyshacl")
    assert fast[0] == reference[0] == 1
    def results(text: str) -> list[dict]:
        return [{**r, "message": None} for r in json.loads(text)["results"]]
    assert results(fast[1]) == results(reference[1])


def test_synthetic_data_is_marked_and_conforms(tmp_path):
    release = synthetic.generate(tmp_path / "syn", factor=2.5, seed=3, prefectures=3)
    again = synthetic.generate(tmp_path / "again", factor=2.5, seed=3, prefectures=3)
    assert release["release"] == again["release"] and release["synthetic"] is True
    assert read_release(tmp_path / "syn").quads == release["quads"] > 2.5 * 25_000
    assert sorted(release["copies"].values()) == [1, 1, 2]
    quads = v.read_quads([tmp_path / "syn" / "dataset.nq"])
    graphs = {q.graph_name.value for q in quads}
    assert len(graphs) == 5 and all("/graph/synthetic/" in g for g in graphs)
    for q in quads:
        for term in (q.subject, q.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith("https://w3id.org/fukudx/id/"):
                assert term.value.startswith("https://w3id.org/fukudx/id/synthetic/"), q
        if q.predicate.value == RDFS_LABEL and q.graph_name.value != GRAPH_BASE + "synthetic/ontology":
            assert q.object.value.startswith("[synthetic] "), q
    notices = {q.graph_name.value for q in quads if q.subject.value == q.graph_name.value
               and q.object.value == synthetic.NOTICE_EN}
    assert notices == graphs
    conforms, violations = v.run_fast(quads)
    assert conforms, v.format_text(conforms, violations)


def test_synthetic_never_writes_into_the_repository():
    with pytest.raises(ValueError, match="never goes into"):
        synthetic.generate(ROOT / "data" / "synthetic")
