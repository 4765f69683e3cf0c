"""Query backends: the embedded pyoxigraph store, or any remote SPARQL 1.1 query endpoint.

Two halves:

- a *backend* (`OxigraphBackend`, `RemoteBackend`, made by `open_backend(settings)`) lives in the
  web process: it knows the dataset (release hash, counts, graphs) and describes, as a small
  JSON-able spec, how a query process reaches the data;
- an *executor* (`open_executor(spec)`) lives in a query process (`query_runner`): it runs one
  query and hands back pyoxigraph results, whichever backend produced them.

The embedded store is made once per release from dataset.nq into
`<build_dir>/oxigraph-store/<release>/` (bulk load into a temporary directory, then an atomic
rename, so concurrent starters never see half a store) and opened read-only by every query process:
nothing can write to it over HTTP.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Settings
from .release import Release, ReleaseError, read_release

log = logging.getLogger(__name__)

STORE_DIR = "oxigraph-store"
_READY_FILE = "fukudx-store.json"


class BackendError(Exception):
    """The backend failed; `status` is the HTTP status to answer (400 for a query the remote rejected)."""

    def __init__(self, message: str, status: int = 502):
        super().__init__(message)
        self.status = status


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
        kind, payload = executor.run("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", None, None)
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
        raise ReleaseError(f"dataset.nq loaded {quads} quads but release.json says {release.quads}; rebuild the dataset")
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


# ----------------------------------------------------------------------------------- executors
# A result is ("solutions", (variables, rows)) | ("boolean", bool) | ("triples", iterator of Triple).

Result = tuple[str, Any]


class OxigraphExecutor:
    """Runs queries on the read-only on-disk store (inside a query process)."""

    def __init__(self, path: str, base_iri: str | None):
        import pyoxigraph as ox

        self._ox = ox
        self.store = ox.Store.read_only(path)
        self.base_iri = base_iri

    def run(self, query: str, default_graphs: list[str] | None, named_graphs: list[str] | None,
            union_default_graph: bool = True) -> Result:
        ox = self._ox
        kwargs: dict[str, Any] = {"base_iri": self.base_iri}
        if default_graphs is None and named_graphs is None:
            # The default graph is the union of the named graphs, unless the query's own FROM /
            # FROM NAMED define the dataset (pyoxigraph would let the union win over FROM).
            kwargs["use_default_graph_as_union"] = union_default_graph
        else:
            # The protocol dataset replaces the query's FROM/FROM NAMED; an unspecified part is empty.
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs or []]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or []]
        return _wrap_result(ox, self.store.query(query, **kwargs))


class SolutionRows:
    """The rows of a SELECT result: iterate for tuples of terms (None when unbound), or hand the
    whole result to pyoxigraph's native writer with `serialize(format)` (one or the other)."""

    def __init__(self, result):
        self._result = result

    def __iter__(self):
        return (tuple(solution) for solution in self._result)

    def serialize(self, fmt) -> bytes:
        return self._result.serialize(format=fmt)


def _wrap_result(ox, result) -> Result:
    if isinstance(result, ox.QueryBoolean):
        return "boolean", bool(result)
    if isinstance(result, ox.QuerySolutions):
        return "solutions", ([v.value for v in result.variables], SolutionRows(result))
    return "triples", iter(result)


# Content types a remote endpoint may answer with → how to read them.
_REMOTE_RESULT_TYPES = {
    "application/sparql-results+json": "JSON", "application/json": "JSON",
    "application/sparql-results+xml": "XML", "application/xml": "XML", "text/xml": "XML",
    "text/tab-separated-values": "TSV",
}
_REMOTE_GRAPH_TYPES = {
    "application/n-triples": "N_TRIPLES", "text/plain": "N_TRIPLES", "text/turtle": "TURTLE",
    "application/x-turtle": "TURTLE", "application/turtle": "TURTLE", "application/n-quads": "N_QUADS",
    "application/rdf+xml": "RDF_XML", "application/ld+json": "JSON_LD", "application/trig": "TRIG",
}


class RemoteExecutor:
    """Runs queries on a remote SPARQL 1.1 endpoint (inside a query process).

    The text is always POSTed as `query=` (SPARQL 1.1 Protocol, query via URL-encoded POST): no
    client library may look at it and decide it is an update (SPARQLWrapper would send
    `INSERTDATA{…}` as `update=`). Redirects are not followed. What the endpoint says on a
    failure is logged, not shown to the client (it may name hosts or paths of the deployment).
    """

    def __init__(self, url: str, base_iri: str | None, timeout: float):
        import pyoxigraph as ox
        import requests

        self._ox = ox
        self._session = requests.Session()
        self.url = url
        self.base_iri = base_iri
        self.timeout = timeout

    def run(self, query: str, default_graphs: list[str] | None, named_graphs: list[str] | None,
            union_default_graph: bool = True) -> Result:
        import requests

        ox = self._ox
        # Relative IRIs resolve against the data's base IRI, as on the embedded store (several BASE
        # declarations are allowed; a BASE in the query itself comes later and wins).
        text = f"BASE <{self.base_iri}>\n{query}" if self.base_iri else query
        form = [("query", text)] + [("default-graph-uri", g) for g in default_graphs or []] + \
            [("named-graph-uri", g) for g in named_graphs or []]
        try:
            response = self._session.post(self.url, data=form, headers={"Accept": _REMOTE_ACCEPT},
                                          timeout=max(1.0, self.timeout), allow_redirects=False)
            body = response.content
        except requests.RequestException as exc:
            _log_remote(f"could not be reached: {exc}")
            raise BackendError("the backend store could not be reached; the details are in the server log",
                               503) from None
        media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if response.status_code == 400:
            message = body[:2000].decode("utf-8", "replace")
            engine = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
            if engine and self.base_iri:  # an Oxigraph-style position; our BASE line came first
                line = max(1, int(engine.group(1)) - 1)
                raise SyntaxError(f"error at {line}:{engine.group(2)}: {engine.group(3)}")
            raise BackendError(f"the backend store rejected the query as malformed: {message}", 400)
        if response.status_code != 200:
            _log_remote(f"answered {response.status_code}: {body[:500]!r}")
            raise BackendError(f"the backend store failed (HTTP {response.status_code}); the details are in "
                               "the server log")
        try:
            if media_type in _REMOTE_RESULT_TYPES:
                fmt = getattr(ox.QueryResultsFormat, _REMOTE_RESULT_TYPES[media_type])
                return _wrap_result(ox, ox.parse_query_results(body, format=fmt))
            if media_type in _REMOTE_GRAPH_TYPES:
                fmt = getattr(ox.RdfFormat, _REMOTE_GRAPH_TYPES[media_type])
                return "triples", (quad.triple for quad in ox.parse(body, format=fmt))
        except (SyntaxError, ValueError) as exc:
            _log_remote(f"answered unreadable {media_type}: {exc}")
            raise BackendError(f"the backend store answered unreadable {media_type}") from None
        raise BackendError(f"the backend store answered with unsupported content type {media_type!r}")


_REMOTE_ACCEPT = ("application/sparql-results+json, application/n-triples, text/turtle;q=0.9, "
                  "application/sparql-results+xml;q=0.8, application/rdf+xml;q=0.5, */*;q=0.1")


def _log_remote(what: str) -> None:
    print(f"query process: the backend store {what}", file=sys.stderr)


def open_executor(spec: dict[str, Any]):
    """The executor a query process uses, from a backend's `worker_spec()`."""
    if spec["kind"] == "oxigraph":
        return OxigraphExecutor(spec["path"], spec.get("base_iri"))
    if spec["kind"] == "remote":
        return RemoteExecutor(spec["url"], spec.get("base_iri"), float(spec.get("timeout", 30)))
    raise ValueError(f"unknown backend kind {spec['kind']!r}")

