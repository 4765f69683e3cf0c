"""Query backends, the web-process half: the embedded pyoxigraph store, or any remote SPARQL 1.1
query endpoint. A backend (`OxigraphBackend`, `RemoteBackend`, made by `open_backend(settings)`)
knows the dataset (release hash, counts, graphs) and describes, as a small JSON-able spec, how a
query process reaches the data; the query process opens an executor from it (`executors`).

The embedded store is made once per release from dataset.nq into
`<build_dir>/oxigraph-store/<release>/` (bulk load into a temporary directory, then an atomic
rename, so concurrent starters never see half a store) and opened read-only by every query process:
nothing can write to it over HTTP.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fukudx_kg.release import Release, ReleaseError, read_release
from fukudx_kg.settings import Settings
from fukudx_kg.store.executors import BackendError, RemoteExecutor

log = logging.getLogger(__name__)

STORE_DIR = "oxigraph-store"
_READY_FILE = "fukudx-store.json"


@dataclass
class DatasetInfo:
    """What clients may know about the data: for /version and the service description."""

    release: str | None
    quads: int | None
    triples: int | None
    graphs: dict[str, int] = field(default_factory=dict)
    default_graph_triples: int | None = None


# ------------------------------------------------------------------------------------ backends

class OxigraphBackend:
    """The embedded pyoxigraph store made from the built dataset (the default backend)."""

    kind = "oxigraph"

    def __init__(self, build_dir: Path, base_iri: str):
        self.build_dir = Path(build_dir)
        self.base_iri = base_iri
        self.release: Release = read_release(self.build_dir)
        self.store_path, stats = prepare_store(self.release, self.build_dir / STORE_DIR)
        self._info = DatasetInfo(self.release.release, self.release.quads, stats.get("triples"),
                                 dict(self.release.graphs), stats.get("default_graph_triples"))

    def worker_spec(self) -> dict[str, Any]:
        return {"kind": "oxigraph", "path": str(self.store_path), "base_iri": self.base_iri}

    @property
    def release_id(self) -> str | None:
        """The dataset release hash (ETags derive from it); cheap, never asks the store."""
        return self.release.release

    def info(self) -> DatasetInfo:
        return self._info

    def describe(self) -> str:
        return f"embedded pyoxigraph store {self.store_path}"


class RemoteBackend:
    """A remote SPARQL 1.1 query endpoint (queries always sent as `query=`, see RemoteExecutor).

    The release hash comes from `<build_dir>/release.json` when the deployment ships one (the
    data loaded into the remote store); otherwise responses carry no ETag. Counts are asked from
    the endpoint once and cached.
    """

    kind = "remote"

    def __init__(self, url: str, build_dir: Path, base_iri: str, timeout: float):
        self.url = url
        self.base_iri = base_iri
        self.timeout = timeout
        try:
            self.release: Release | None = read_release(Path(build_dir), verify=False)
        except ReleaseError:
            self.release = None
        self._info: DatasetInfo | None = None
        self._info_lock = threading.Lock()
        self._info_checked = 0.0

    def worker_spec(self) -> dict[str, Any]:
        return {"kind": "remote", "url": self.url, "base_iri": self.base_iri, "timeout": self.timeout}

    @property
    def release_id(self) -> str | None:
        """The release hash from release.json, if the deployment ships one; cheap, never asks the endpoint."""
        return self.release.release if self.release else None

    def info(self) -> DatasetInfo:
        with self._info_lock:
            if self._info is None and time.monotonic() - self._info_checked > 30:
                self._info_checked = time.monotonic()
                try:
                    self._info = self._ask_counts()
                except BackendError as exc:
                    log.warning("could not read dataset statistics from %s: %s", self.url, exc)
            if self._info is not None:
                return self._info
        rel = self.release
        return DatasetInfo(rel.release if rel else None, rel.quads if rel else None, None,
                           dict(rel.graphs) if rel else {})

    def _ask_counts(self) -> DatasetInfo:
        executor = RemoteExecutor(self.url, self.base_iri, min(self.timeout, 20.0))
        graphs: dict[str, int] = {}
        kind, payload = executor.run("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                                     None, None)
        for row in payload[1]:
            if row[0] is not None and row[1] is not None:
                graphs[row[0].value] = int(row[1].value)
        kind, payload = executor.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", None, None)
        rows = list(payload[1])
        triples = int(rows[0][0].value) if rows and rows[0][0] is not None else None
        rel = self.release
        return DatasetInfo(rel.release if rel else None, sum(graphs.values()) if graphs else None, triples, graphs)

    def describe(self) -> str:
        return f"remote SPARQL endpoint {self.url}"


Backend = OxigraphBackend | RemoteBackend


def open_backend(settings: Settings) -> Backend:
    """The backend named by the settings (the dataset must already be built for the embedded one)."""
    if settings.is_remote:
        return RemoteBackend(settings.backend, settings.build_dir, settings.base_iri, settings.query_timeout)
    return OxigraphBackend(settings.build_dir, settings.base_iri)


def prepare_store(release: Release, root: Path) -> tuple[Path, dict]:
    """Make (once) the on-disk store for `release` under `root`; return its path and statistics."""
    import pyoxigraph as ox

    root = Path(root)
    target = root / release.release[:32]
    ready = target / _READY_FILE
    if ready.is_file():
        return target, json.loads(ready.read_text(encoding="utf-8"))
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{release.release[:32]}.{os.getpid()}.{threading.get_ident()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    started = time.monotonic()
    store = ox.Store(str(tmp))
    store.bulk_load(path=str(release.dataset_path), format=ox.RdfFormat.N_QUADS)
    store.flush()
    triples = _count(store, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }")
    default_graph = _count(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", union=False)
    quads = len(store)
    del store
    stats = {"release": release.release, "quads": quads, "triples": triples, "default_graph_triples": default_graph}
    if quads != release.quads:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ReleaseError(f"dataset.nq loaded {quads} quads but release.json says {release.quads}; "
                           f"rebuild the dataset")
    (tmp / _READY_FILE).write_text(json.dumps(stats), encoding="utf-8")
    try:
        os.rename(tmp, target)
    except OSError:  # another process finished first; use its store
        shutil.rmtree(tmp, ignore_errors=True)
        if not ready.is_file():
            raise
    log.info("prepared query store %s (%d quads) in %.1fs", target, quads, time.monotonic() - started)
    return target, json.loads(ready.read_text(encoding="utf-8"))


def _count(store, query: str, union: bool = True) -> int:
    rows = list(store.query(query, use_default_graph_as_union=union))
    return int(rows[0][0].value)
