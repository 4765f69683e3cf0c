"""What a running app holds: settings, backend and query pool (one per web process).

`create_app` installs a `Runtime` on the app; blueprints reach it with `runtime.current()`.
"""

from __future__ import annotations

import atexit
import time
from dataclasses import dataclass, field

from flask import Flask, current_app

from fukudx_kg.settings import Settings
from fukudx_kg.store.backends import Backend
from fukudx_kg.store.pool import QueryPool

EXTENSION_KEY = "fukudx"
WORKER_MODULE = "fukudx_kg.sparql.worker"  # what each query process runs (python -m)


@dataclass
class Runtime:
    settings: Settings
    backend: Backend
    pool: QueryPool
    started_at: float = field(default_factory=time.time)

    @classmethod
    def create(cls, settings: Settings, backend: Backend) -> "Runtime":
        # The query processes enforce the SERVICE allow-list themselves (see sparql.worker); those
        # of the embedded store with nothing to federate also leave the network (see sandbox).
        spec = dict(backend.worker_spec(), service_allowlist=list(settings.service_allowlist),
                    isolate_network=backend.kind == "oxigraph" and not settings.service_allowlist)
        pool = QueryPool(spec, WORKER_MODULE, size=settings.query_workers, timeout=settings.query_timeout,
                         queue_wait=settings.queue_wait, memory_mb=settings.query_memory_mb,
                         quick_lane=settings.quick_lane, quick_timeout=settings.quick_lane_timeout)
        return cls(settings, backend, pool)

    def install(self, app: Flask) -> None:
        app.extensions[EXTENSION_KEY] = self
        self.pool.start()
        atexit.register(self.pool.close)


def current() -> Runtime:
    return current_app.extensions[EXTENSION_KEY]
