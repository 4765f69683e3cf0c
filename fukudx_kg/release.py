"""The built dataset on disk: find it, build it when missing, and read its release description.

Layout (written by `fukudx_kg.build.pipeline`): `<build_dir>/dataset.nq` (sorted N-Quads) and
`<build_dir>/release.json` = {"release": sha256 of dataset.nq, "quads": N, "graphs": {iri: n},
"base_iri": …}.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

DATASET_FILE = "dataset.nq"
RELEASE_FILE = "release.json"


class ReleaseError(RuntimeError):
    """The build directory does not hold a usable dataset; str() says what to do."""


@dataclass(frozen=True)
class Release:
    release: str
    quads: int
    graphs: dict[str, int] = field(default_factory=dict)
    base_iri: str | None = None
    dataset_path: Path | None = None

    def as_json(self) -> dict:
        return {"release": self.release, "quads": self.quads, "graphs": dict(self.graphs), "base_iri": self.base_iri}


def read_release(build_dir: Path, *, verify: bool = True) -> Release:
    """Read release.json beside dataset.nq; with `verify`, check the hash against the file."""
    build_dir = Path(build_dir)
    dataset, meta = build_dir / DATASET_FILE, build_dir / RELEASE_FILE
    if not dataset.is_file() or not meta.is_file():
        raise ReleaseError(f"no built dataset in {build_dir}/ ({DATASET_FILE} and {RELEASE_FILE} needed): "
                           f"run `python -m fukudx_kg build --out {build_dir}` or start `python server.py`, "
                           "which builds it")
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
        release = Release(str(data["release"]), int(data["quads"]), {str(k): int(v) for k, v in data["graphs"].items()},
                          data.get("base_iri"), dataset)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReleaseError(f"{meta} is not a valid release description ({exc}); rebuild the dataset") from None
    if verify:
        actual = sha256_file(dataset)
        if actual != release.release:
            raise ReleaseError(f"{meta} names release {release.release[:12]}… but {dataset} hashes to "
                               f"{actual[:12]}…; rebuild with `python -m fukudx_kg build --out {build_dir}`")
    return release


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_built(build_dir: Path, base_iri: str) -> Release:
    """Return the release in `build_dir`, building the dataset first if it is missing or was
    built for another base IRI."""
    build_dir = Path(build_dir)
    try:
        release = read_release(build_dir)
    except ReleaseError as exc:
        log.info("building the dataset into %s (%s)", build_dir, exc)
    else:
        if release.base_iri in (None, base_iri):
            return release
        log.info("rebuilding the dataset: it was built for base IRI %s, the service uses %s", release.base_iri, base_iri)
    from fukudx_kg.build.pipeline import build

    build(build_dir, base_iri=base_iri)
    return read_release(build_dir)
