"""The service as an operator sees it: `python server.py` (serves what `make build` wrote, stops with
a message when there is none; granian or --dev), settings errors at start, /healthz /readyz /version,
and `create_app` as a factory."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading

import pytest
import requests
from flask import Blueprint
from werkzeug.serving import make_server

from conftest import ROOT

FDX = "https://w3id.org/fukudx/ontology#"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{FDX}Municipality> }}"


def _count(base_url: str) -> str:
    return requests.get(base_url + "/sparql", params={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"]


def test_health_ready_and_version(live_server, server_build_dir):
    assert requests.get(live_server.url("/healthz")).json() == {"status": "ok"}
    ready = requests.get(live_server.url("/readyz"))
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    processes = ready.json()["query_processes"]
    assert processes["size"] == 2 and processes["alive"] >= 1
    assert ready.json()["query_network"] == "isolated"  # empty allow-list: query processes have no network
    version = requests.get(live_server.url("/version"))
    assert version.headers["Content-Type"] == "application/json"
    body = version.json()
    release = json.loads((server_build_dir / "release.json").read_text(encoding="utf-8"))
    assert body["release"] == release["release"]
    assert body["quads"] == release["quads"] and body["graphs"] == release["graphs"]
    assert body["triples"] == release["quads"]  # each triple sits in exactly one named graph
    assert body["base_iri"] == "https://w3id.org/fukudx/id/"
    assert body["backend"]["kind"] == "oxigraph"
    assert body["limits"] == {"query_timeout_s": 30.0, "row_cap": 100000, "max_query_bytes": 1000000,
                              "service_allowlist": [], "backend": "oxigraph", "cache_max_age_s": 300}
    assert body["software"]["pyoxigraph"] == "0.5.13"
    # Public and cached: nothing about the deployment (paths, backend URLs, query-process internals).
    assert str(server_build_dir) not in version.text and "oxigraph-store" not in version.text
    assert "query_processes" not in body and set(body["backend"]) == {"kind"}
    for path in ("/healthz", "/readyz", "/version"):
        assert requests.get(live_server.url(path)).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("case", ["empty", "other-base"])
def test_server_never_builds_and_says_what_to_run(case, server_build_dir, tmp_path):
    """No dataset (or one built for another base IRI): exit 1 with the command that builds it, nothing written."""
    import os

    from conftest import copy_build

    target = tmp_path / "build-dir"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUKUDX_")}
    env["FUKUDX_BUILD_DIR"] = str(target)
    if case == "empty":
        target.mkdir()
        needle = f"no built dataset in {target}/ (dataset.nq and release.json needed): run `make build` or " \
                 f"`python -m fukudx_kg build --out {target}` first"
    else:
        copy_build(server_build_dir, target)
        env["FUKUDX_BASE_IRI"] = "https://data.example.org/kg/id/"
        needle = f"the dataset in {target}/ was built for base IRI https://w3id.org/fukudx/id/ but " \
                 "FUKUDX_BASE_IRI is https://data.example.org/kg/id/"
    before = sorted(p.name for p in target.iterdir())
    result = subprocess.run([sys.executable, str(ROOT / "server.py")], env=env, capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.returncode == 1
    assert f"server.py: {needle}" in result.stderr and "Traceback" not in result.stderr
    assert "make build" in result.stderr
    assert sorted(p.name for p in target.iterdir()) == before  # nothing built, no query store prepared


def test_server_serves_what_the_build_cli_wrote(server_factory, tmp_path):
    """`make serve` = `make build` (python -m fukudx_kg build) then `python server.py` on that directory."""
    import os

    target = tmp_path / "made"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUKUDX_")}
    built = subprocess.run([sys.executable, "-m", "fukudx_kg", "build"], cwd=ROOT, capture_output=True, text=True,
                           env=dict(env, FUKUDX_BUILD_DIR=str(target)), timeout=300)
    assert built.returncode == 0, built.stderr
    server = server_factory(build_dir=target, env={"FUKUDX_WORKERS": "1", "FUKUDX_QUERY_WORKERS": "1"})
    assert _count(server.base) == "59"
    release = json.loads((target / "release.json").read_text(encoding="utf-8"))["release"]
    assert requests.get(server.url("/version")).json()["release"] == release
    assert "Starting granian" in server.log()  # the production server


def test_dev_mode_serves_with_reloader(server_factory):
    server = server_factory(args=("--dev",), env={"FUKUDX_QUERY_WORKERS": "1"})
    assert _count(server.base) == "59"
    log = server.log()
    assert "Starting granian" not in log and "Restarting with stat" in log  # Flask's reloader
    bad = requests.get(server.sparql, params={"query": "SELECT * WHERE { ?s ?p }"})
    assert bad.status_code == 400 and "Traceback" not in bad.text  # no debugger pages in dev mode either


@pytest.mark.parametrize("env,needle", [
    ({"FUKUDX_QUERY_TIMEOUT": "soon"}, "FUKUDX_QUERY_TIMEOUT='soon' is not a number"),
    ({"FUKUDX_ROW_CAP": "0"}, "FUKUDX_ROW_CAP='0' must be at least 1"),
    ({"FUKUDX_SERVICE_ALLOWLIST": "file:///etc/passwd"},
     "FUKUDX_SERVICE_ALLOWLIST='file:///etc/passwd' is not an absolute http(s) IRI"),
    ({"FUKUDX_BACKEND": "postgres"}, "use 'oxigraph' (embedded store) or the URL"),
    ({"FUKUDX_PORT": "99999"}, "FUKUDX_PORT='99999' must be at most 65535"),
])
def test_invalid_settings_stop_the_server_with_a_message(env, needle, tmp_path):
    import os

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FUKUDX_")}
    full_env.update(env, FUKUDX_BUILD_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, str(ROOT / "server.py")], env=full_env, capture_output=True,
                            text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "dataset.nq").exists()  # stopped before doing anything


def test_create_app_factory_in_a_thread(server_build_dir, tmp_path):
    """create_app(settings) gives a plain Flask app: another blueprint can be added, any WSGI server can run it."""
    sys.path.insert(0, str(ROOT))
    try:
        from server import create_app
    finally:
        sys.path.remove(str(ROOT))
    from conftest import copy_build
    from fukudx_kg.settings import Settings

    settings = Settings.from_env({}, build_dir=str(copy_build(server_build_dir, tmp_path / "b")), query_workers=1,
                                 row_cap=5)
    app = create_app(settings)
    extra = Blueprint("extra", __name__)
    extra.add_url_rule("/extra", "extra", lambda: "extra part")
    app.register_blueprint(extra)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        runtime = app.extensions["fukudx"]
        assert runtime.pool.wait_ready(60)
        assert requests.get(base + "/extra").text == "extra part"
        query = f"SELECT ?m WHERE {{ ?m a <{FDX}Municipality> }}"
        assert requests.get(base + "/sparql", params={"query": query}).status_code == 422
        response = requests.get(base + "/sparql", params={"query": query, "partial": "true"})
        assert response.headers["X-Result-Truncated"] == "true" and len(response.json()["results"]["bindings"]) == 5
        assert requests.get(base + "/nowhere").status_code == 404
    finally:
        server.shutdown()
        app.extensions["fukudx"].pool.close()


# Environment variables that are not service settings (test tooling, parent → query process).
NOT_SETTINGS = {"FUKUDX_CHROMIUM", "FUKUDX_QUERY_SPEC", "FUKUDX_QUERY_PARENT"}


def _readme_settings() -> dict[str, str]:
    """{variable: default as the README prints it} from the README's settings table, and every
    other FUKUDX_ variable the README names anywhere (default None)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in readme.splitlines():
        row = re.fullmatch(r"\|\s*`(FUKUDX_[A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|.*\|", line.strip())
        if row:
            assert row[1] not in table, f"README lists {row[1]} twice"
            default = row[2]
            table[row[1]] = "" if default == "(empty)" else default.strip("`")
    named = set(re.findall(r"\bFUKUDX_[A-Z0-9_]*[A-Z0-9]\b", readme)) - NOT_SETTINGS
    return {**{name: None for name in named - set(table)}, **table}


def test_readme_settings_table_matches_the_settings():
    """The README documents every setting with its real default, and no setting that does not exist
    (checked against the README itself, not against a table generated from the same SPECS)."""
    from fukudx_kg.namespaces import DEFAULT_BASE_IRI
    from fukudx_kg.settings import SPECS, Settings

    readme = _readme_settings()
    specs = {spec.env: spec.default for spec in SPECS}
    assert set(readme) - set(specs) == set(), "the README names settings that do not exist"
    undocumented = {env for env in specs if readme.get(env) is None}
    assert undocumented == set(), "settings missing from the README's table"
    assert {env: readme[env] for env in specs} == specs, "README defaults differ from fukudx_kg/settings.py"
    assert Settings.from_env({}) == Settings()  # the documented defaults are the dataclass defaults
    assert Settings().base_iri == DEFAULT_BASE_IRI
    assert {spec.field for spec in SPECS} == set(Settings.__dataclass_fields__)


def test_settings_from_environment():
    from fukudx_kg.settings import Settings

    settings = Settings.from_env({"FUKUDX_QUERY_TIMEOUT": "2.5", "FUKUDX_ROW_CAP": "50_000",
                                  "FUKUDX_SERVICE_ALLOWLIST": "https://query.wikidata.org/sparql, http://a.example/sparql/",
                                  "FUKUDX_BACKEND": "http://db.internal:7878/query", "FUKUDX_CORS_ORIGIN": ""})
    assert settings.query_timeout == 2.5 and settings.row_cap == 50000
    assert settings.service_allowlist == ("https://query.wikidata.org/sparql", "http://a.example/sparql/")
    assert settings.is_remote and settings.cors_origin == ""
    assert Settings.from_env({}, port="9000").port == 9000  # command-line overrides
