"""Operational endpoints: /healthz (liveness), /readyz (store loaded, query processes up), /version.

- `/healthz` answers 200 whenever the web process can answer at all (no store access).
- `/readyz` answers 200 when at least one query process has the store open (for a remote
  backend: and a trivial `ASK {}` reaches it, checked at most every 5 s), else 503.
- `/version` is JSON: software versions, dataset release hash, quad/triple counts per graph,
  backend kind, public limits and the federation allow-list; nothing about the deployment
  (no paths, backend URLs or query-process internals: it is public and cached).
- `/readyz` also says whether query processes are cut off from the network (`query_network`).
"""

from __future__ import annotations

import platform
import threading
import time

from flask import Blueprint, jsonify

from fukudx_kg import __version__
from fukudx_kg.store.pool import Job, PoolBusy, QueryFailed, QueryTimeout, WorkerFailed
from fukudx_kg.web.runtime import current

bp = Blueprint("health", __name__)

_probe_lock = threading.Lock()
_probe_state = {"checked": 0.0, "ok": False, "error": None}


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz", methods=["GET"])
def healthz():
    return _no_store(jsonify(status="ok"))


def _remote_reachable(rt) -> tuple[bool, str | None]:
    with _probe_lock:
        if time.monotonic() - _probe_state["checked"] < 5.0:
            return _probe_state["ok"], _probe_state["error"]
        _probe_state["checked"] = time.monotonic()
    try:
        rt.pool.run(Job("ASK {}", media_type="application/sparql-results+json", row_cap=1))
        ok, error = True, None
    except (PoolBusy, QueryTimeout, WorkerFailed, QueryFailed) as exc:
        ok, error = False, str(exc) or type(exc).__name__
    with _probe_lock:
        _probe_state.update(ok=ok, error=error)
    return ok, error


def _network_state(rt, pool) -> str:
    """'isolated' when query processes have no network; anything else is said loudly."""
    if rt.backend.kind != "oxigraph":
        return "host (remote backend: query processes must reach it)"
    if rt.settings.service_allowlist:
        return "host (federation allow-list set: query processes must reach those endpoints)"
    return pool["network"] or "unknown (no query process has started yet)"


@bp.route("/readyz", methods=["GET"])
def readyz():
    rt = current()
    pool = rt.pool.status()
    ready = pool["alive"] > 0
    detail = {"query_processes": {"size": pool["size"], "quick_lane": pool["quick_lane"], "alive": pool["alive"],
                                  "idle": pool["idle"]},
              "backend": rt.backend.kind, "query_network": _network_state(rt, pool)}
    if ready and rt.backend.kind == "remote":
        ready, error = _remote_reachable(rt)
        if error:
            detail["backend_error"] = error
    if not ready and pool.get("last_spawn_error"):
        detail["error"] = pool["last_spawn_error"]
    response = jsonify(status="ready" if ready else "not ready", **detail)
    response.status_code = 200 if ready else 503
    return _no_store(response)


@bp.route("/version", methods=["GET"])
def version():
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    def installed(name: str) -> str | None:
        try:
            return package_version(name)
        except PackageNotFoundError:
            return None

    rt = current()
    info = rt.backend.info()
    body = {
        "service": "fukudx-kg SPARQL endpoint",
        "version": __version__,
        "release": info.release,
        "triples": info.triples,
        "quads": info.quads,
        "graphs": info.graphs,
        "base_iri": rt.settings.base_iri,
        "backend": {"kind": rt.backend.kind},
        "limits": rt.settings.public_summary(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(rt.started_at)),
        "software": {"python": platform.python_version(), "pyoxigraph": installed("pyoxigraph"),
                     "flask": installed("flask"), "granian": installed("granian")},
    }
    return _no_store(jsonify(body))


def register(app) -> None:
    app.register_blueprint(bp)
