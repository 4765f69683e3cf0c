"""The query process: what runs inside each killable process of the pool (`store.pool`).

`python -m fukudx_kg.sparql.worker` leaves the network when it needs none (`store.sandbox`),
sets its share of the memory budget, opens its executor (`store.executors`), then answers jobs
until stdin closes: the SERVICE check (`service_policy`) before the engine sees the query,
syntax errors explained (`syntax_errors`), results written with the row cap (`results`). So all
query-dependent work happens in the process that can be killed, and the web process only relays
bytes. The wire format is `store.pool`'s.
"""

from __future__ import annotations

import json
import os
import signal
import sys

from fukudx_kg.sparql import results
from fukudx_kg.sparql.service_policy import ServicePolicy, ServiceRefused, ServiceUnverifiable
from fukudx_kg.sparql.syntax_errors import explain
from fukudx_kg.store.executors import BackendError, open_executor
from fukudx_kg.store.pool import read_frame, write_frame
from fukudx_kg.store.sandbox import die_with_parent, enter_network_sandbox


def _limit_memory(memory_mb: int) -> None:
    if memory_mb and memory_mb > 0:
        import resource

        limit = memory_mb * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
        except (ValueError, OSError) as exc:  # pragma: no cover - limit above the hard limit
            print(f"query process: cannot set memory limit: {exc}", file=sys.stderr)


def _execute(executor, job: dict, policy) -> tuple[dict, bytes]:
    try:  # SERVICE targets are checked here, before the engine can open any connection
        policy.check_query(job["query"])
    except ServiceRefused as exc:
        return {"ok": False, "status": 403, "kind": "service", "message": str(exc)}, b""
    except ServiceUnverifiable as exc:
        return {"ok": False, "status": 400, "kind": "service", "message": str(exc)}, b""
    try:
        kind, payload = executor.run(job["query"], job.get("default_graphs"), job.get("named_graphs"),
                                     union_default_graph=job.get("union_default_graph", True))
        media_type = job.get("media_type")
        if kind == "triples":
            if media_type not in results.GRAPH_TYPES:
                media_type = results.default_type("CONSTRUCT")
            written = results.write_triples(payload, media_type, job["row_cap"], job.get("prefixes"))
        else:
            if media_type not in results.SOLUTION_TYPES:
                media_type = results.default_type("SELECT")
            if kind == "boolean":
                written = results.write_boolean(payload, media_type)
            else:
                variables, rows = payload
                native = job.get("within_cap") and hasattr(rows, "serialize")
                written = (results.write_solutions_natively(rows, media_type) if native else None) or \
                    results.write_solutions(variables, rows, media_type, job["row_cap"])
    except SyntaxError as exc:
        return {"ok": False, "status": 400, "kind": "syntax", "message": explain(job["query"], str(exc))}, b""
    except BackendError as exc:
        return {"ok": False, "status": exc.status, "kind": "backend", "message": str(exc)}, b""
    except MemoryError:
        return {"ok": False, "status": 503, "kind": "memory",
                "message": "the query needed more memory than a query may use "
                           "(its share of FUKUDX_MEMORY_BUDGET_MB)"}, b""
    except ValueError as exc:  # e.g. a result that the chosen format cannot express
        return {"ok": False, "status": 406, "kind": "format",
                "message": f"the result cannot be written as {job.get('media_type')}: {exc}; "
                           f"ask for another format"}, b""
    except OSError as exc:  # evaluation failed: a SERVICE call, or reading the store
        # What the other side said (port state, status, body, redirect) stays in the log.
        print(f"query process: evaluation failed: {exc}", file=sys.stderr)
        return {"ok": False, "status": 502, "kind": "evaluation",
                "message": "query evaluation failed while calling a federated endpoint or reading the store; "
                           "the details are in the server log"}, b""
    except Exception as exc:  # noqa: BLE001 - report, never crash the process on one query
        return {"ok": False, "status": 500, "kind": "internal",
                "message": f"query evaluation failed unexpectedly ({type(exc).__name__}: {exc})"}, b""
    if written.truncated and not job.get("partial"):
        return {"ok": False, "status": 422, "kind": "too-large",
                "message": results.too_large_message(job["row_cap"])}, b""
    header = {"ok": True, "media_type": media_type, "kind": kind, "rows": written.rows, "truncated": written.truncated}
    return header, written.body


def worker_main() -> int:
    """Entry point of a query process: open the executor, then answer jobs until stdin closes."""
    spec = json.loads(os.environ["FUKUDX_QUERY_SPEC"])
    die_with_parent(int(os.environ.get("FUKUDX_QUERY_PARENT", "0")), signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Keep the protocol channel private: anything printed to stdout goes to stderr instead.
    out_fd = os.dup(1)
    os.dup2(2, 1)
    in_fd = sys.stdin.fileno()
    # Before anything else (and while single-threaded): leave the network if the query needs none.
    network = "host"
    if spec.get("isolate_network"):
        failure = enter_network_sandbox()
        network = "isolated" if failure is None else f"host (isolation failed: {failure})"
    _limit_memory(int(spec.get("memory_mb") or 0))
    try:
        executor = open_executor(spec)
        # Federation is denied unless the spec allow-lists endpoints (a missing list means none).
        policy = ServicePolicy(tuple(spec.get("service_allowlist") or ()), spec.get("base_iri"))
    except Exception as exc:  # noqa: BLE001 - tell the parent why, then exit
        write_frame(out_fd, json.dumps({"ready": False, "error": f"{type(exc).__name__}: {exc}"}).encode())
        return 1
    write_frame(out_fd, json.dumps({"ready": True, "pid": os.getpid(), "network": network}).encode())
    while True:
        try:
            job = json.loads(read_frame(in_fd))
        except EOFError:
            return 0
        header, body = _execute(executor, job, policy)
        write_frame(out_fd, json.dumps(header).encode("utf-8"))
        if header["ok"]:
            write_frame(out_fd, body)


if __name__ == "__main__":
    sys.exit(worker_main())
