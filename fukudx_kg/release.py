"""The release artefacts on disk: read and verify dataset.nq + release.json (never builds them).

Layout (written by `fukudx_kg.build.pipeline`, i.e. `python -m fukudx_kg build --out DIR`):
`DIR/dataset.nq` (sorted N-Quads), `DIR/<graph>.ttl` and `DIR/release.json` = {"release": sha256 of
dataset.nq, "quads": N, "graphs": {iri: n}, "base_iri": …}. `make build` writes them to build/ (the
served copy, FUKUDX_BUILD_DIR), `make release` to data/release/ (the reviewed, committed copy).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

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


def read_release(build_dir: Path, *, verify: bool = True, base_iri: str | None = None) -> Release:
    """Read release.json beside dataset.nq; with `verify`, check the hash against the file; with
    `base_iri`, check that the dataset was built for that base IRI."""
    build_dir = Path(build_dir)
    dataset, meta = build_dir / DATASET_FILE, build_dir / RELEASE_FILE
    if not dataset.is_file() or not meta.is_file():
        raise ReleaseError(f"no built dataset in {build_dir}/ ({DATASET_FILE} and {RELEASE_FILE} needed): "
                           f"run `make build` or `python -m fukudx_kg build --out {build_dir}` first")
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
        release = Release(str(data["release"]), int(data["quads"]), {str(k): int(v) for k, v in data["graphs"].items()},
                          data.get("base_iri"), dataset)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReleaseError(f"{meta} is not a valid release description ({exc}); rebuild the dataset with "
                           f"`make build` or `python -m fukudx_kg build --out {build_dir}`") from None
    if verify:
        actual = sha256_file(dataset)
        if actual != release.release:
            raise ReleaseError(f"{meta} names release {release.release[:12]}… but {dataset} hashes to "
                               f"{actual[:12]}…; rebuild with `make build` or "
                               f"`python -m fukudx_kg build --out {build_dir}`")
    if base_iri is not None and release.base_iri not in (None, base_iri):
        raise ReleaseError(f"the dataset in {build_dir}/ was built for base IRI {release.base_iri} but "
                           f"FUKUDX_BASE_IRI is {base_iri}: rebuild it with the same setting, `make build` or "
                           f"`python -m fukudx_kg build --out {build_dir} --base {base_iri}`")
    return release


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
