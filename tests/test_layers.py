"""The folder tree is the pipeline: each stage imports only from stages before it.

curated sources → build → release artefacts → validate → store → web → SPARQL → browser;
foundations (paths, namespaces, settings, example queries) come first. `__main__` (the CLI)
and server.py assemble stages and sit outside the order.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "fukudx_kg"
STAGES = [
    {"fukudx_kg", "fukudx_kg.paths", "fukudx_kg.namespaces", "fukudx_kg.settings", "fukudx_kg.examples"},
    {"fukudx_kg.build"},
    {"fukudx_kg.release"},
    {"fukudx_kg.validate"},
    {"fukudx_kg.store"},
    {"fukudx_kg.web"},
    {"fukudx_kg.sparql"},
    {"fukudx_kg.browser"},
]
OUTSIDE = {"fukudx_kg.__main__"}
MAX_LINES = 450


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> int:
    for index, members in enumerate(STAGES):
        for member in members:
            if module == member or (member != "fukudx_kg" and module.startswith(member + ".")):
                return index
    raise AssertionError(f"{module} belongs to no stage: add it to STAGES in {__file__}")


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fukudx_kg"):
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names
                      if (PACKAGE.parent / f"{node.module}.{a.name}".replace(".", "/")).with_suffix(".py").exists()]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("fukudx_kg")]
    return found


def _modules():
    return [(p, _module_name(p)) for p in sorted(PACKAGE.rglob("*.py")) if _module_name(p) not in OUTSIDE]


def test_no_import_from_a_later_stage():
    backwards = []
    for path, module in _modules():
        for line, imported in _imports(path):
            if _stage(imported) > _stage(module):
                backwards.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module} imports {imported}")
    assert not backwards, "imports against the pipeline:\n" + "\n".join(backwards)


def test_only_the_build_reads_curated_yaml():
    readers = [str(path.relative_to(PACKAGE.parent)) for path, module in _modules()
               if any(node.module == "yaml" if isinstance(node, ast.ImportFrom) else
                      any(a.name == "yaml" for a in node.names)
                      for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                      if isinstance(node, (ast.Import, ast.ImportFrom)))
               and _stage(module) != 1]
    assert not readers


def test_modules_stay_small():
    large = [f"{path.relative_to(PACKAGE.parent)}: {n} lines" for path, _ in _modules()
             if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert not large, f"split modules over {MAX_LINES} lines by job:\n" + "\n".join(large)


def test_the_checker_sees_a_backward_import(tmp_path):
    """The walk is real: a build module importing the browser is caught."""
    module = PACKAGE / "build" / "pipeline.py"
    assert _stage("fukudx_kg.browser.core") > _stage(_module_name(module))
    probe = tmp_path / "probe.py"
    probe.write_text("from fukudx_kg.browser import core\n", encoding="utf-8")
    assert ("fukudx_kg.browser.core" in [m for _, m in _imports(probe)])
