"""The fukudx-kg web service: assembles the Flask app and serves it.

    python server.py [--host H] [--port P] [--dev]

checks the built dataset in FUKUDX_BUILD_DIR (`make build` writes it; the server never builds and
stops with a message saying so when it is missing or was built for another base IRI), prepares the
embedded query store, and serves with granian (`--dev`: Flask's reloader). Settings come from
`FUKUDX_…` environment variables (see fukudx_kg/settings.py); --host/--port override
FUKUDX_HOST/FUKUDX_PORT.

This file only assembles; the logic lives in the fukudx_kg modules. Under another WSGI server use
`create_app()` as the application factory, e.g. `gunicorn 'server:create_app()'` or
`granian --interface wsgi --factory server:create_app` (after building the dataset).
"""

from __future__ import annotations

import argparse
import logging
import sys

from flask import Flask

from fukudx_kg.browser import core as browser
from fukudx_kg.release import ReleaseError, read_release
from fukudx_kg.settings import Settings, SettingsError
from fukudx_kg.sparql import protocol as sparql_protocol
from fukudx_kg.store.backends import Backend, open_backend
from fukudx_kg.web import cors, errors, health
from fukudx_kg.web.runtime import Runtime

log = logging.getLogger("fukudx_kg.server")


def create_app(settings: Settings | None = None, store: Backend | None = None) -> Flask:
    """Application factory. `settings` default to the environment; `store` to the configured backend."""
    settings = settings or Settings.from_env()
    backend = store or open_backend(settings)

    app = Flask(__name__)
    # Form bodies are percent-encoded (up to 3 bytes per query byte); the exact limit is checked later.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_bytes * 3 + 65536
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_query_bytes * 3 + 65536
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    Runtime.create(settings, backend).install(app)
    errors.register(app)
    cors.register(app, settings.cors_origin)
    from fukudx_kg.web import compression, input_guard, security_headers
    input_guard.register(app)       # undecodable paths and query strings → 400
    security_headers.register(app)  # nosniff, CSP, frame-ancestors, Referrer-Policy on every response
    compression.register(app)       # gzip for large text answers (Vary: Accept-Encoding, own ETag)

    # Blueprints. Further parts of the service (e.g. the linked-data browser) register here.
    sparql_protocol.register(app)
    health.register(app)
    browser.register(app)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the fukudx-kg SPARQL endpoint.")
    parser.add_argument("--host", help="interface to listen on (default FUKUDX_HOST or 127.0.0.1)")
    parser.add_argument("--port", help="port to listen on (default FUKUDX_PORT or 8000)")
    parser.add_argument("--dev", action="store_true", help="Flask development server with code reloading")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env(host=args.host, port=args.port)
    except SettingsError as exc:
        print(f"server.py: invalid setting: {exc}", file=sys.stderr)
        return 2
    try:
        if not settings.is_remote:
            release = read_release(settings.build_dir, base_iri=settings.base_iri)  # never builds
            log.info("dataset release %s (%d quads) in %s", release.release[:12], release.quads, settings.build_dir)
        backend = open_backend(settings)  # prepares the on-disk store once, before any worker starts
    except ReleaseError as exc:
        print(f"server.py: {exc}", file=sys.stderr)
        return 1
    log.info("serving %s on http://%s:%d/sparql", backend.describe(), settings.host, settings.port)

    from fukudx_kg.web.server import serve_development, serve_production

    if args.dev:
        serve_development(lambda: create_app(settings, backend), settings)
    else:
        serve_production(lambda: create_app(settings, backend), settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
