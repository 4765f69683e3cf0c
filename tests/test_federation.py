"""Federation on loopback (issue 10): two real servers, one prefecture each, joined by SERVICE.

Instance A serves 福島県 (graph pref/07), instance B 三重県 (pref/24); both also hold the shared
and ontology graphs. Their datasets are the built dataset.nq filtered by named graph, written
with the build's own writer (so release.json carries the right hash and counts, which the server
checks). A is started with FUKUDX_SERVICE_ALLOWLIST = B's /sparql; B has no allow-list.

- A query sent to A joins A's data with B's through `SERVICE <B/sparql>`, checked row by row
  against the same question asked of the whole build with GRAPH clauses; B's access log shows
  the call, and A alone has no Mie data.
- B refuses SERVICE to A (403, "local or private network address", "allow-list is empty"): A's
  access log and a real TCP listener see nothing; /readyz of B says its query processes have no
  network, A's says they keep it for the allow-list.
- A refuses SERVICE to anything else on loopback (a listener on another port, B under another
  spelling); the listener and B stay quiet.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
import requests
from rdflib import Dataset, URIRef
from SPARQLWrapper import JSON, SPARQLWrapper

from conftest import PREFIXES, select
from fukudx_kg.build.pipeline import write_dataset
from fukudx_kg.release import DATASET_FILE, read_release
from test_endpoint_service import Listener

GRAPH = "https://w3id.org/fukudx/graph/"
SERVER_ENV = {"FUKUDX_WORKERS": "1", "FUKUDX_QUERY_WORKERS": "1", "FUKUDX_QUICK_LANE": "0"}


def graph_names(code: str) -> list[str]:
    return [f"{GRAPH}pref/{code}", f"{GRAPH}shared", f"{GRAPH}ontology"]


def one_prefecture_build(built: Path, code: str, target: Path) -> Path:
    """The built dataset reduced to one prefecture's graph + shared + ontology, written by the
    build's own writer (dataset.nq, Turtle per graph, release.json with hash and counts)."""
    names = graph_names(code)
    dataset = Dataset()
    dataset.parse(built / DATASET_FILE, format="nquads")
    base_iri = read_release(built, verify=False).base_iri
    write_dataset({URIRef(name): dataset.graph(URIRef(name)) for name in names}, target, base_iri)
    # The writer re-serialised exactly the lines of those graphs: a filter, nothing added or lost.
    kept = [line for line in (built / DATASET_FILE).read_text(encoding="utf-8").splitlines()
            if line.rsplit(" ", 2)[-2].strip("<>") in names]
    assert (target / DATASET_FILE).read_text(encoding="utf-8").splitlines() == kept
    release = read_release(target)  # the server's own check: hash and file agree
    assert set(release.graphs) == set(names) and release.quads == len(kept)
    return target


class AccessLog:
    """A server's access log file (FUKUDX_ACCESS_LOG): what reached it between two points."""

    def __init__(self, server, path: Path):
        self.server, self.path = server, path

    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def lines_since(self, offset: int) -> list[str]:
        """Lines logged after `offset`, up to a marker request sent now. A request that reached the
        server before (e.g. a SERVICE call, which ended before its caller answered us) is logged
        before the marker (one HTTP worker, one log file)."""
        marker = f"/marker-{uuid.uuid4().hex}"  # the log shows paths without query strings
        assert requests.get(self.server.url(marker)).status_code == 404
        deadline = time.monotonic() + 10
        while True:
            with open(self.path, encoding="utf-8", errors="replace") as fh:
                fh.seek(offset)
                lines = fh.read().splitlines()
            if any(marker in line for line in lines) or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        assert any(marker in line for line in lines), f"marker {marker} not in {self.path}: {lines}"
        return lines[:next(i for i, line in enumerate(lines) if marker in line)]


@pytest.fixture(scope="module")
def federation(built, server_factory, tmp_path_factory):
    """(A, B, A's access log, B's access log): A = 福島県 with B allow-listed, B = 三重県 alone."""
    root = tmp_path_factory.mktemp("federation")
    b_dir = one_prefecture_build(built, "24", root / "b-24")
    a_dir = one_prefecture_build(built, "07", root / "a-07")
    b_log, a_log = root / "b-access.log", root / "a-access.log"
    b = server_factory(build_dir=b_dir, env={**SERVER_ENV, "FUKUDX_ACCESS_LOG": str(b_log)})
    a = server_factory(build_dir=a_dir, env={**SERVER_ENV, "FUKUDX_ACCESS_LOG": str(a_log),
                                             "FUKUDX_SERVICE_ALLOWLIST": b.sparql})
    return a, b, AccessLog(a, a_log), AccessLog(b, b_log)


@pytest.fixture()
def listener():
    victim = Listener()
    yield victim
    victim.close()


def _json(server, query: str) -> list[dict[str, str]]:
    response = requests.post(server.sparql, data={"query": query},
                             headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def _sorted(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(sorted(row.items())) for row in rows)


# ------------------------------------------------------------------------ 1. A joins its data with B's

KPIS_OF = """SELECT ?pref{s} ?name{s} (COUNT(DISTINCT ?kpi) AS ?kpis{s})
                (COUNT(DISTINCT ?initiative) AS ?initiatives{s})
  WHERE {{ {graph_open} ?pref{s} a fdx:Prefecture ; rdfs:label ?name{s} . FILTER(lang(?name{s}) = "ja")
           ?initiative fdx:listedIn/fdx:inPrefecture ?pref{s} ; fdx:hasKPI ?kpi {graph_close} }}
  GROUP BY ?pref{s} ?name{s}"""


def _kpis_of(suffix: str, graph: str | None = None) -> str:
    return KPIS_OF.format(s=suffix, graph_open=f"GRAPH <{graph}> {{" if graph else "",
                          graph_close="}" if graph else "")


def test_a_joins_its_prefecture_with_b_side_by_side(federation, kg):
    a, b, _, b_log = federation
    query = PREFIXES + f"""SELECT * WHERE {{
      {{ {_kpis_of("A")} }}
      SERVICE <{b.sparql}> {{ {_kpis_of("B")} }}
    }}"""
    before = b_log.size()
    rows = _json(a, query)
    expected_a = select(kg, _kpis_of("A", f"{GRAPH}pref/07"))
    expected_b = select(kg, _kpis_of("B", f"{GRAPH}pref/24"))
    assert len(expected_a) == len(expected_b) == 1
    assert rows == [{**expected_a[0], **expected_b[0]}]
    assert rows[0]["prefA"].endswith("/pref/07") and rows[0]["prefB"].endswith("/pref/24")
    assert int(rows[0]["kpisA"]) > 0 and int(rows[0]["kpisB"]) > 0
    # B really answered A: its access log has the SERVICE call (a POST to /sparql) ...
    calls = [line for line in b_log.lines_since(before) if '"POST /sparql' in line]
    assert len(calls) == 1 and '" 200 ' in calls[0], calls
    # ... and none of B's data is in A's own store
    assert _json(a, PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "
                               "'https://w3id.org/fukudx/id/pref/24')) }") == [{"n": "0"}]


PLANS_JOIN = """SELECT ?year ?planA ?titleA ?planB ?titleB WHERE {{
  ?fy a fdx:FiscalYear ; fdx:fiscalYearNumber ?year .
  {open_a} ?planA fdx:firstFiscalYear ?a0 ; fdx:lastFiscalYear ?a1 ; rdfs:label ?titleA . {close}
  FILTER(lang(?titleA) = "ja")
  ?a0 fdx:fiscalYearNumber ?fromA . ?a1 fdx:fiscalYearNumber ?toA . FILTER(?fromA <= ?year && ?year <= ?toA)
  {open_b} ?planB fdx:firstFiscalYear ?b0 ; fdx:lastFiscalYear ?b1 ; rdfs:label ?titleB . {close_b_plan}
    FILTER(lang(?titleB) = "ja")
    ?b0 fdx:fiscalYearNumber ?fromB . ?b1 fdx:fiscalYearNumber ?toB . ?fy fdx:fiscalYearNumber ?yearB .
    FILTER(?fromB <= ?yearB && ?yearB <= ?toB)
  {close_b}
}}"""


def test_plans_of_both_prefectures_in_force_in_the_same_fiscal_year(federation, kg):
    """A real join: the fiscal years (shared graph, held by both) over which a plan of A and a
    plan of B both run; A's plans come from A's store, B's through SERVICE, joined on ?fy."""
    a, b, _, _ = federation
    client = SPARQLWrapper(a.sparql)
    client.setQuery(PREFIXES + PLANS_JOIN.format(open_a="", close="", open_b=f"SERVICE <{b.sparql}> {{",
                                                 close_b_plan="", close_b="}"))
    client.setReturnFormat(JSON)
    result = client.query().convert()
    rows = [{k: v["value"] for k, v in row.items()} for row in result["results"]["bindings"]]
    expected = select(kg, PLANS_JOIN.format(
        open_a=f"GRAPH <{GRAPH}pref/07> {{", close="}", open_b=f"GRAPH <{GRAPH}pref/24> {{", close_b_plan="}",
        close_b=""))
    assert expected, "the data should have plans of both prefectures running in a common fiscal year"
    assert _sorted(rows) == _sorted(expected)
    assert {row["planA"].split("/id/pref/")[1][:3] for row in rows} == {"07/"}
    assert {row["planB"].split("/id/pref/")[1][:3] for row in rows} == {"24/"}


# ------------------------------------------------------------------------ 2. B (no allow-list) refuses A

def test_b_refuses_service_to_a_before_any_connection(federation, listener):
    a, b, a_log, _ = federation
    before = a_log.size()
    for target in (a.sparql, f"http://127.0.0.1:{listener.port}/sparql"):
        query = PREFIXES + f"SELECT * WHERE {{ SERVICE <{target}> {{ ?p a fdx:Prefecture }} }}"
        response = requests.get(b.sparql, params={"query": query})
        assert response.status_code == 403, response.text
        assert response.text.startswith(f"403 Forbidden: SERVICE <{target}> refused: 127.0.0.1 is a local or "
                                        "private network address, which this server never contacts; this endpoint "
                                        "allows no federated endpoints (FUKUDX_SERVICE_ALLOWLIST is empty)."), \
            response.text
    assert a_log.lines_since(before) == [], "B connected to A"
    assert listener.quiet(), "B connected to the listener"
    b_ready, a_ready = requests.get(b.url("/readyz")).json(), requests.get(a.url("/readyz")).json()
    assert b_ready["query_network"] == "isolated"
    assert a_ready["query_network"].startswith("host (federation allow-list set")
    assert requests.get(b.url("/version")).json()["limits"]["service_allowlist"] == []
    assert requests.get(a.url("/version")).json()["limits"]["service_allowlist"] == [b.sparql]


# ------------------------------------------------------------------------ 3. A refuses what is not allow-listed

def test_a_refuses_endpoints_off_its_allow_list(federation, listener):
    a, b, _, b_log = federation
    before = b_log.size()
    others = (f"http://127.0.0.1:{listener.port}/sparql",  # B's path on another port
              b.sparql.replace("127.0.0.1", "localhost"),  # B under another spelling
              b.url("/sparql/"), b.url("/query"))
    for target in others:
        query = PREFIXES + f"ASK {{ SERVICE <{target}> {{ ?p a fdx:Prefecture }} }}"
        response = requests.post(a.sparql, data=query.encode(), headers={"Content-Type": "application/sparql-query"})
        assert response.status_code == 403, (target, response.text)
        assert f"SERVICE <{target}> refused:" in response.text and "local or private network address" in response.text
        assert f"allowed endpoints: <{b.sparql}>." in response.text, response.text
    assert listener.quiet(), "A connected to an endpoint off its allow-list"
    assert b_log.lines_since(before) == [], "A called B under a spelling that is not allow-listed"
