"""SHACL validation of built or third-party RDF with a report people and CI systems can read."""

from __future__ import annotations

import json
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
    # Anonymous shapes (property shapes, sh:xone members) are named by the node shape holding them.
    holder = shape
    while holder is not None and not isinstance(holder, URIRef):
        holder = next(iter(shapes.subjects(None, holder)), None)
        if holder is not None and not isinstance(holder, URIRef):
            # climb out of RDF lists (sh:xone / sh:or members)
            while holder is not None and (holder, RDF.first, None) in shapes and not isinstance(holder, URIRef):
                holder = (next(iter(shapes.subjects(RDF.rest, holder)), None)
                          or next(iter(shapes.subjects(None, holder)), None))
    path = report.value(result, SH.resultPath)
    if shape is not None and not isinstance(shape, URIRef):
        shape_name = f"{_short(holder)} ▸ {_short(path)}" if path is not None else _short(holder)
    else:
        shape_name = _short(shape)
    messages = [str(m) for m in report.objects(result, SH.resultMessage)]
    value = report.value(result, SH.value)
    return Violation(
        shape=shape_name or _short(report.value(result, SH.sourceConstraintComponent)),
        focus=str(focus),
        focus_label=_label(data, focus),
        path=_short(path) if path is not None else None,
        value=str(value) if value is not None else None,
        message="; ".join(sorted(messages)) or _short(report.value(result, SH.sourceConstraintComponent)),
        severity=_short(report.value(result, SH.resultSeverity)),
        source=_source(data, focus),
    )


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
