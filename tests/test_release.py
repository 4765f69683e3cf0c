"""The release artefacts in git (data/release/) are what the build makes, byte for byte.

The build is deterministic, so its output is committed and reviewed like code (as the Ontology
Development Kit does): a change to the curated data shows its effect on the graph as a diff of
sorted N-Quads, and the data can be taken without Python. This test fails while data/release/
differs from a fresh build; `make release` rewrites it. Also: release.py reads and verifies the
artefacts and never builds them, and the web tier does not import the build.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fukudx_kg.namespaces import DEFAULT_BASE_IRI
from fukudx_kg.paths import RELEASE_DIR, REPO_ROOT
from fukudx_kg.release import DATASET_FILE, RELEASE_FILE, ReleaseError, read_release

FIX = ("run `make release` (or `python -m fukudx_kg build --out data/release` without FUKUDX_BASE_IRI set) "
       "and commit data/release/ together with the change that caused it")
NOT_BUILT = {".gitattributes"}  # files of data/release/ that are not build output
GITHUB_WARNS_AT = 50 * 1024 * 1024


def _artefacts(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.name not in NOT_BUILT}


def _dataset_diff(committed: bytes, fresh: bytes, show: int = 5) -> str:
    old, new = set(committed.decode("utf-8").splitlines()), set(fresh.decode("utf-8").splitlines())
    added, removed = sorted(new - old), sorted(old - new)
    lines = [f"dataset.nq: a fresh build adds {len(added)} and drops {len(removed)} quads (+/- below)"]
    lines += [f"  + {q[:200]}" for q in added[:show]] + [f"  - {q[:200]}" for q in removed[:show]]
    return "\n".join(lines)


def test_committed_release_matches_a_fresh_build(built):
    assert RELEASE_DIR.is_dir(), f"{RELEASE_DIR} is missing: {FIX}"
    committed, fresh = _artefacts(RELEASE_DIR), _artefacts(built)
    problems = [f"missing in data/release/: {name}" for name in sorted(fresh.keys() - committed.keys())]
    problems += [f"not made by the build (delete it): data/release/{name}"
                 for name in sorted(committed.keys() - fresh.keys())]
    problems += [f"differs from a fresh build: data/release/{name}"
                 for name in sorted(fresh.keys() & committed.keys()) if fresh[name] != committed[name]]
    if DATASET_FILE in committed and DATASET_FILE in fresh and committed[DATASET_FILE] != fresh[DATASET_FILE]:
        problems.append(_dataset_diff(committed[DATASET_FILE], fresh[DATASET_FILE]))
    if problems:
        pytest.fail("data/release/ is out of date with data/ and the build code:\n" + "\n".join(problems)
                    + f"\nTo fix: {FIX}.", pytrace=False)


def test_committed_release_is_consistent_and_for_the_default_base():
    release = read_release(RELEASE_DIR, base_iri=DEFAULT_BASE_IRI)  # hash of dataset.nq checked too
    assert release.base_iri == DEFAULT_BASE_IRI
    lines = (RELEASE_DIR / DATASET_FILE).read_bytes().splitlines()
    assert release.quads == len(lines) == sum(release.graphs.values())
    for path in RELEASE_DIR.iterdir():
        assert path.stat().st_size < GITHUB_WARNS_AT, f"{path} is too large for plain git; use Git LFS"


def test_release_files_are_kept_byte_exact_by_git():
    """No line-ending conversion on checkout (core.autocrlf): the comparison above is byte for byte."""
    attributes = (RELEASE_DIR / ".gitattributes").read_text(encoding="utf-8").split()
    assert "-text" in attributes


def _copy(source: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in (DATASET_FILE, RELEASE_FILE):
        shutil.copy2(source / name, target / name)
    return target


def test_read_release_says_how_to_build_when_missing(tmp_path):
    with pytest.raises(ReleaseError) as err:
        read_release(tmp_path)
    assert "no built dataset" in str(err.value) and "make build" in str(err.value)
    assert f"python -m fukudx_kg build --out {tmp_path}" in str(err.value)
    assert not (tmp_path / DATASET_FILE).exists()  # reading never builds


def test_read_release_checks_hash_and_base_iri(tmp_path):
    folder = _copy(RELEASE_DIR, tmp_path / "r")
    assert read_release(folder, base_iri=DEFAULT_BASE_IRI).release == json.loads(
        (folder / RELEASE_FILE).read_text(encoding="utf-8"))["release"]
    with pytest.raises(ReleaseError, match="built for base IRI https://w3id.org/fukudx/id/ but FUKUDX_BASE_IRI is "
                                           "https://example.org/id/"):
        read_release(folder, base_iri="https://example.org/id/")
    with open(folder / DATASET_FILE, "ab") as fh:
        fh.write(b"\n")
    with pytest.raises(ReleaseError, match="hashes to"):
        read_release(folder)
    (folder / RELEASE_FILE).write_text("{}", encoding="utf-8")
    with pytest.raises(ReleaseError, match="not a valid release description"):
        read_release(folder, verify=False)


def test_release_contract_does_not_import_the_build():
    tree = ast.parse((REPO_ROOT / "fukudx_kg" / "release.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    assert not {m for m in imported if m.startswith("fukudx_kg.build")}, imported


def test_server_start_never_loads_the_build(tmp_path):
    """server.py reads what `make build` wrote; starting it on an empty directory loads no build code."""
    probe = ("import sys, server\n"
             "rc = server.main([])\n"
             "print('BUILD-MODULES', sorted(m for m in sys.modules if m.startswith('fukudx_kg.build')))\n"
             "sys.exit(rc)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUKUDX_")}
    env.update(FUKUDX_BUILD_DIR=str(tmp_path), PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BUILD-MODULES []" in result.stdout, result.stdout
    assert list(tmp_path.iterdir()) == []


def test_rebuild_replaces_files_whole(tmp_path):
    """A reader holding dataset.nq open during a rebuild keeps reading the old file whole (the new
    one is renamed into place, never written over the open one), and no partial file is left."""
    from fukudx_kg.build.pipeline import build

    build(tmp_path, base_iri="https://example.org/a/")
    with open(tmp_path / "dataset.nq", "rb") as old:
        build(tmp_path, base_iri="https://example.org/b/")
        before = old.read()
    assert b"https://example.org/a/" in before and b"https://example.org/b/" not in before
    assert b"https://example.org/b/" in (tmp_path / "dataset.nq").read_bytes()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]
