"""SHACL validation of built or third-party RDF with a report people and CI systems can read."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.util import guess_format

from fukudx_kg.build.iris import FDX, PROV, RDF, RDFS
from fukudx_kg.namespaces import SHAPES_NS
from fukudx_kg.paths import SHAPES_FILE as REPO_SHAPES


def _shapes_file() -> Path:
    """The repository's shapes, or the copy pip installs under <prefix>/share when used elsewhere."""
    import sys
    for candidate in (REPO_SHAPES,
                      Path(sys.prefix) / "share" / "fukudx-kg" / "shapes" / "fukudx-shapes.ttl"):
        if candidate.is_file():
            return candidate
    return REPO_SHAPES


SHAPES_FILE = _shapes_file()
QUAD_FORMATS = {"nquads", "trig"}
EXTRA_FORMATS = {".nq": "nquads", ".jsonld": "json-ld", ".json": "json-ld", ".owl": "xml"}

EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_UNREADABLE = 0, 1, 2


class UnreadableInput(Exception):
    """An input file is missing or is not parseable RDF; the message names the file."""


@dataclass
class Violation:
    shape: str
    focus: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    severity: str
    source: str | None  # "file:first-last" of the focus node's provenance
    curated: str | None = None  # "file:line" of the curated record that made the focus node


def load(paths: list[Path]) -> Graph:
    """All inputs merged into one graph (named graphs unioned), so shapes see every link."""
    merged = Graph()
    for path in paths:
        if not path.is_file():
            raise UnreadableInput(f"{path}: no such file")
        fmt = EXTRA_FORMATS.get(path.suffix.lower()) or guess_format(str(path))
        if fmt is None:
            raise UnreadableInput(f"{path}: unknown RDF format (use .ttl, .nt, .nq, .trig, .rdf, .jsonld)")
        try:
            # An open file, not a path: rdflib leaves files it opened itself to the garbage collector.
            with open(path, "rb") as source:
                if fmt in QUAD_FORMATS:
                    ds = Dataset()
                    ds.parse(source, format=fmt, publicID=Path(path).resolve().as_uri())
                    for s, p, o, _ in ds.quads((None, None, None, None)):
                        merged.add((s, p, o))
                else:
                    merged.parse(source, format=fmt, publicID=Path(path).resolve().as_uri())
        except Exception as exc:  # rdflib raises many parser-specific types
            raise UnreadableInput(f"{path}: not readable as {fmt}: {exc}") from exc
    return merged


def load_folder(folder: Path) -> tuple[Graph, dict]:
    """A prefecture folder built in memory (with the shared graphs), and where each resource was curated."""
    from fukudx_kg.build.iris import Iris
    from fukudx_kg.build.pipeline import build_graphs
    from fukudx_kg.build.sources import SourceError
    from fukudx_kg.settings import Settings

    data_dir = folder.resolve().parent.parent
    try:
        graphs, origins = build_graphs(data_dir, Iris(Settings.from_env().base_iri), [folder.resolve()])
    except SourceError as exc:
        raise UnreadableInput(f"build failed: {exc}") from exc
    merged = Graph()
    for g in graphs.values():
        for triple in g:
            merged.add(triple)
    return merged, {str(k): _relative(v) for k, v in origins.items()}


def _relative(where: str) -> str:
    try:
        return str(Path(where).resolve().relative_to(Path.cwd()))
    except ValueError:
        return where


def run(data: Graph, shapes_file: Path = SHAPES_FILE, origins: dict | None = None) -> tuple[bool, list[Violation]]:
    shapes = Graph().parse(shapes_file, format="turtle")
    conforms, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none",
                                         abort_on_first=False, allow_infos=True, allow_warnings=True)
    violations = [_violation(report, r, data, shapes) for r in report.subjects(SH.resultSeverity, None)]
    for v in violations:
        v.curated = (origins or {}).get(v.focus)
    violations.sort(key=lambda v: (v.shape, v.focus, v.path or "", v.message))
    return conforms, violations


def _violation(report: Graph, result, data: Graph, shapes: Graph) -> Violation:
    focus = report.value(result, SH.focusNode)
    shape = report.value(result, SH.sourceShape)
    path = report.value(result, SH.resultPath)
    messages = [str(m) for m in report.objects(result, SH.resultMessage)]
    value = report.value(result, SH.value)
    component = _short(report.value(result, SH.sourceConstraintComponent))
    return Violation(
        shape=_shape_name(shape, path, report, shapes) or component,
        focus=str(focus),
        focus_label=_label(data, focus),
        path=_path_name(path, report),
        value=str(value) if value is not None else None,
        message="; ".join(sorted(messages)) or component,
        severity=_short(report.value(result, SH.resultSeverity)),
        source=_source(data, focus),
    )


def _shape_name(shape, path, paths: Graph, shapes: Graph) -> str:
    """Anonymous shapes (property shapes, sh:xone members) are named by the node shape holding them."""
    if shape is None or isinstance(shape, URIRef):
        return _short(shape)
    holder = shape
    while holder is not None and not isinstance(holder, URIRef):
        holder = next(iter(shapes.subjects(None, holder)), None)
        if holder is not None and not isinstance(holder, URIRef):
            # climb out of RDF lists (sh:xone / sh:or members)
            while holder is not None and (holder, RDF.first, None) in shapes and not isinstance(holder, URIRef):
                holder = (next(iter(shapes.subjects(RDF.rest, holder)), None)
                          or next(iter(shapes.subjects(None, holder)), None))
    return f"{_short(holder)} ▸ {_path_name(path, paths)}" if path is not None else _short(holder)


def _path_name(path, graph: Graph) -> str | None:
    """A property, or ^property for an inverse path (not the blank node's random name)."""
    if path is None:
        return None
    inverse = graph.value(path, SH.inversePath) if not isinstance(path, URIRef) else None
    return "^" + _short(inverse) if inverse is not None else _short(path)


def _short(term) -> str:
    if term is None:
        return ""
    text = str(term)
    for prefix, ns in (("fdx:", str(FDX)), ("fdxsh:", SHAPES_NS),
                       ("sh:", str(SH)), ("rdfs:", str(RDFS)), ("prov:", str(PROV))):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return text


def _label(data: Graph, node) -> str | None:
    labels = list(data.objects(node, RDFS.label))
    for lang in ("ja", "en", None):
        for label in labels:
            if isinstance(label, Literal) and (label.language == lang or lang is None):
                return str(label)
    return None


def _source(data: Graph, node) -> str | None:
    for excerpt in data.objects(node, PROV.wasDerivedFrom):
        file_name = data.value(excerpt, FDX.sourceFile)
        first, last = data.value(excerpt, FDX.lineStart), data.value(excerpt, FDX.lineEnd)
        if file_name is not None:
            return f"{file_name}:{first}-{last}"
    return None


# -- the fast engine: pyrudof, graphs validated apart, in parallel -----------
#
# pySHACL needs about 5 minutes for 47 prefectures' worth of data here, and pyrudof on all of it at
# once over 2 minutes and 12 GB. But a prefecture's graph only links to itself and to the shared
# graphs (ontology, themes, years), so each group of graphs that link to one another is validated
# with the shared graphs beside it, in its own process, and a result is kept only from the group
# that holds its focus node's own triples. Exact as long as no shape on a node of the shared graphs
# follows links *into* it from prefecture graphs (true of ours; tests/test_validate_scale.py runs
# both engines on data with violations and compares). pySHACL stays the reference.

ENGINES = ("auto", "pyshacl", "rudof")
FAST_ABOVE = 100_000  # statements: `auto` takes pyrudof above this, pySHACL (the reference) below
_OX_FORMATS = {".nq": "N_QUADS", ".nt": "N_TRIPLES", ".ttl": "TURTLE", ".trig": "TRIG", ".rdf": "RDF_XML",
               ".owl": "RDF_XML", ".xml": "RDF_XML", ".jsonld": "JSON_LD", ".json": "JSON_LD"}
_SHAPE_LINKS = (SH.property, SH.node, SH.qualifiedValueShape, SH["not"])


def fast_available() -> bool:
    try:
        import pyrudof  # noqa: F401
    except ImportError:
        return False
    return True


def choose_engine(requested: str, paths: list[Path]) -> str:
    if requested != "auto":
        return requested
    size = sum(p.stat().st_size for p in paths if p.is_file())
    return "rudof" if size > FAST_ABOVE * 150 and fast_available() else "pyshacl"  # ~150 bytes a statement


def read_quads(paths: list[Path], extra: Graph | None = None) -> list:
    """Every statement of the inputs as pyoxigraph quads (named graphs kept, for grouping)."""
    import pyoxigraph as ox
    quads = []
    for path in paths:
        if not path.is_file():
            raise UnreadableInput(f"{path}: no such file")
        name = _OX_FORMATS.get(path.suffix.lower())
        if name is None:
            raise UnreadableInput(f"{path}: unknown RDF format (use .ttl, .nt, .nq, .trig, .rdf, .jsonld)")
        try:
            quads.extend(ox.parse(path=str(path), format=getattr(ox.RdfFormat, name),
                                  base_iri=path.resolve().as_uri()))
        except (SyntaxError, ValueError, OSError) as exc:
            raise UnreadableInput(f"{path}: not readable as {name.lower()}: {exc}") from exc
    if extra is not None and len(extra):
        quads.extend(ox.parse(extra.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))
    return quads


def groups(quads: list) -> tuple[list[set[str]], set[str], dict[str, set[str]]]:
    """Graphs that link to one another, grouped; the shared graphs (linked to from two graphs or more);
    and the graphs holding each node's own triples."""
    owners: dict[str, set[str]] = defaultdict(set)
    objects: dict[str, set[str]] = defaultdict(set)
    for q in quads:
        owners[str(q.subject)].add(str(q.graph_name))
        if not q.object.__class__.__name__ == "Literal":
            objects[str(q.graph_name)].add(str(q.object))
    linked: dict[str, set[str]] = defaultdict(set)  # graph → graphs it points into
    for g, nodes in objects.items():
        for node in nodes:
            linked[g].update(owners.get(node, ()))
    for graphs in owners.values():
        for g in graphs:
            linked[g].update(graphs)
    names = {str(q.graph_name) for q in quads}
    referrers: dict[str, set[str]] = defaultdict(set)
    for g, targets in linked.items():
        for h in targets - {g}:
            referrers[h].add(g)
    shared = {h for h, refs in referrers.items() if len(refs) >= 2}
    parent = {g: g for g in names - shared}

    def root(g: str) -> str:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g
    for g in parent:
        for h in linked[g] - shared:
            parent[root(h)] = root(g)
    found: dict[str, set[str]] = defaultdict(set)
    for g in parent:
        found[root(g)].add(g)
    return sorted(found.values(), key=lambda gs: sorted(gs)), shared, owners


def _skolemised(shapes: Graph) -> tuple[str, dict[str, object]]:
    """The shapes with every anonymous shape named, so pyrudof's results say which one failed."""
    anonymous = {o for p in _SHAPE_LINKS for o in shapes.objects(None, p) if not isinstance(o, URIRef)}
    anonymous |= {s for s in shapes.subjects(SH.path, None) if not isinstance(s, URIRef)}
    for p in (SH["or"], SH["and"], SH.xone):
        for head in shapes.objects(None, p):
            anonymous.update(m for m in shapes.items(head) if not isinstance(m, URIRef))
    names = {b: URIRef(f"urn:fukudx:shape:{i}") for i, b in enumerate(sorted(anonymous, key=str))}
    named = Graph()
    for s, p, o in shapes:
        named.add((names.get(s, s), p, names.get(o, o)))
    return named.serialize(format="nt"), {str(iri): b for b, iri in names.items()}


def _rudof_unit(shapes_nt: str, data: bytes) -> list[tuple]:
    """One process's share: validate N-Quads against the shapes with pyrudof."""
    import pyrudof
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_shacl(shapes_nt, format=pyrudof.ShaclFormat.NTriples)
    rudof.read_data(data.decode("utf-8"), format=pyrudof.RDFFormat.NQuads)
    return [(e.focus_node, e.source_shape, e.path, e.value, e.severity, e.message, e.constraint_component)
            for e in rudof.validate_shacl()]


def run_fast(quads: list, shapes_file: Path = SHAPES_FILE, origins: dict | None = None,
             jobs: int | None = None) -> tuple[bool, list[Violation]]:
    """The same results as `run` (focus node, shape, path, value), from pyrudof in parallel processes."""
    import pyoxigraph as ox
    shapes = Graph().parse(shapes_file, format="turtle")
    shapes_nt, anonymous = _skolemised(shapes)
    parts, shared, owners = groups(quads)
    if any(shapes.subjects(SH.targetNode, None)) or any(shapes.subjects(SH.targetObjectsOf, None)):
        parts, shared = [set().union(*parts, shared)], set()  # focus nodes without triples of their own

    def text(graphs: set[str]) -> bytes:
        return ox.serialize((q for q in quads if str(q.graph_name) in graphs), format=ox.RdfFormat.N_QUADS)
    common = text(shared)
    units = [(text(graphs) + common, graphs) for graphs in parts]
    if shared:
        units.append((common, shared))
    units.sort(key=lambda unit: -len(unit[0]))
    if len(units) == 1:
        found = [_rudof_unit(shapes_nt, units[0][0])]
    else:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context
        workers = min(len(units), jobs or os.cpu_count() or 1)
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            found = list(pool.map(_rudof_unit, [shapes_nt] * len(units), [u[0] for u in units]))
    rows = set()
    for (_, graphs), results in zip(units, found, strict=True):
        for row in results:  # kept from the unit holding the focus node's own triples
            homes = owners.get(f"<{row[0]}>", set()) - shared or shared
            if homes & graphs:
                rows.add(row)
    violations = _from_rudof(sorted(rows, key=str), quads, shapes, anonymous, origins)
    return not any(v.severity == "sh:Violation" for v in violations), violations


def _term(text: str | None):
    """pyrudof's term text (a bare IRI, _:b or an N-Triples literal) as rdflib would give it."""
    if text is None:
        return None
    if text.startswith('"'):
        import pyoxigraph as ox
        return Literal(next(ox.parse(f"<x:s> <x:p> {text} .", format=ox.RdfFormat.N_TRIPLES)).object.value)
    return URIRef(text) if not text.startswith("_:") else text


def _from_rudof(rows: list[tuple], quads: list, shapes: Graph, anonymous: dict,
                origins: dict | None) -> list[Violation]:
    focus = {f"<{row[0]}>" for row in rows}
    context = Graph()  # the focus nodes' labels and sources, for the report
    wanted = {str(RDFS.label), str(PROV.wasDerivedFrom)}
    excerpts = set()
    for q in quads:
        if str(q.subject) in focus and q.predicate.value in wanted:
            context.add((URIRef(q.subject.value), URIRef(q.predicate.value), _rdflib(q.object)))
            if q.predicate.value == str(PROV.wasDerivedFrom):
                excerpts.add(str(q.object))
    wanted = {str(FDX.sourceFile), str(FDX.lineStart), str(FDX.lineEnd)}
    for q in quads:
        if str(q.subject) in excerpts and q.predicate.value in wanted:
            context.add((URIRef(q.subject.value), URIRef(q.predicate.value), _rdflib(q.object)))
    out = []
    for focus_iri, shape_id, path_iri, value, severity, message, component in rows:
        shape = anonymous.get(shape_id) or _term(shape_id)
        path = URIRef(path_iri) if path_iri and not path_iri.startswith(("^", "_:")) else None
        if path is None and path_iri:  # an inverse path: name it as the shapes graph does
            path = next((p for p in shapes.objects(shape, SH.path)), None) if shape is not None else None
        own = sorted(str(m) for m in shapes.objects(shape, SH.message)) if shape is not None else []
        engine = str(_term(message)) if message else _short(URIRef(component))
        node = URIRef(focus_iri)
        out.append(Violation(
            shape=_shape_name(shape, path, shapes, shapes) or _short(URIRef(component)), focus=focus_iri,
            focus_label=_label(context, node),
            path=_path_name(path, shapes) if path is not None else None,
            value=str(_term(value)) if value is not None else None,
            message=engine if component.endswith("SPARQLConstraintComponent") or not own else "; ".join(own),
            severity=_short(SH[severity]) if "/" not in severity else _short(URIRef(severity)),
            source=_source(context, node), curated=(origins or {}).get(focus_iri)))
    out.sort(key=lambda v: (v.shape, v.focus, v.path or "", v.message))
    return out


def _rdflib(term):
    if term.__class__.__name__ == "Literal":
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return URIRef(term.value) if term.__class__.__name__ == "NamedNode" else term


# -- report formats -------------------------------------------------------

def format_text(conforms: bool, violations: list[Violation]) -> str:
    if conforms:
        return "Conforms: the data satisfies every shape.\n"
    grouped: dict[str, list[Violation]] = defaultdict(list)
    for v in violations:
        grouped[v.shape].append(v)
    out = [f"Does not conform: {len(violations)} result(s) in {len(grouped)} shape(s).", ""]
    for shape, items in sorted(grouped.items()):
        out.append(f"■ {shape} ({len(items)})")
        for v in items:
            label = f" 「{v.focus_label}」" if v.focus_label else ""
            out.append(f"  - {v.focus}{label}")
            detail = v.message + (f" [value: {v.value}]" if v.value else "")
            out.append(f"    {v.severity}: {detail}")
            if v.curated:
                out.append(f"    curated at: {v.curated}")
            if v.source:
                out.append(f"    source: {v.source}")
        out.append("")
    return "\n".join(out)


def format_json(conforms: bool, violations: list[Violation]) -> str:
    return json.dumps({"conforms": conforms, "results": [asdict(v) for v in violations]},
                      ensure_ascii=False, indent=2) + "\n"


def format_junit(conforms: bool, violations: list[Violation]) -> str:
    """One testcase per shape; failures are its violations, so CI dashboards show them by shape."""
    grouped: dict[str, list[Violation]] = defaultdict(list)
    for v in violations:
        grouped[v.shape].append(v)
    cases = []
    for shape, items in sorted(grouped.items()):
        body = "\n".join(f"{v.focus} {v.focus_label or ''}: {v.message}"
                         + (f" (source {v.source})" if v.source else "") for v in items)
        cases.append(f'  <testcase classname="shacl" name={quoteattr(shape)}>\n'
                     f'    <failure message={quoteattr(f"{len(items)} violation(s)")}>{escape(body)}</failure>\n'
                     f'  </testcase>')
    if conforms:
        cases.append('  <testcase classname="shacl" name="all shapes"/>')
    failures = len(grouped)
    tests = max(len(cases), 1)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuite name="fukudx-shacl" tests="{tests}" failures="{failures}" errors="0">\n'
            + "\n".join(cases) + "\n</testsuite>\n")


FORMATTERS = {"text": format_text, "json": format_json, "junit": format_junit}
