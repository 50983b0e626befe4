"""Running the service: liveness and readiness, Prometheus metrics, JSON
logs, draining on SIGTERM, and migrations applied once when replicas start
together."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx
import orjson
import psycopg
import pytest

from ailedger.ledger.store import Ledger
from ailedger.sync.service.local import start_many
from ailedger.sync.service.schema import VERSION
from helpers import acceptance_payload
from helpers_service import POSTGRES, postgres_schema


def batch(tmp_path: Path, count: int) -> bytes:
    with Ledger(tmp_path / "ledger.db") as ledger:
        ledger.append_many([("acceptance", acceptance_payload(i, regionId=f"O{i}")) for i in range(count)],
                           actor="dev@example.com")
        rows = ledger.conn.execute("SELECT id, device, seq, prev_hash, hash, body FROM events ORDER BY rowid").fetchall()
    return orjson.dumps({"events": [{"id": r[0], "device": r[1], "seq": r[2], "prevHash": r[3], "hash": r[4],
                                     **orjson.loads(r[5])} for r in rows]})


def metric(base: str, name: str) -> float:
    """The value of one sample line of /metrics (0 when absent)."""
    for line in httpx.get(f"{base}/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def test_ready_metrics_and_logs(service, tmp_path: Path) -> None:
    assert httpx.get(f"{service.url}/healthz").json()["ok"] is True
    assert httpx.get(f"{service.url}/readyz").json() == {"ready": True}
    token = service.token("dev@example.com")
    body = batch(tmp_path, 3)
    auth = {"authorization": f"Bearer {token}"}
    assert httpx.post(f"{service.url}/v1/events", content=body, headers=auth).json()["accepted"] == 3
    assert httpx.post(f"{service.url}/v1/events", content=body, headers=auth).json()["duplicates"] == 3
    assert httpx.post(f"{service.url}/v1/events", content=b"[]", headers=auth).status_code == 400
    assert metric(service.url, 'ailedger_events_total{result="stored"}') == 3
    assert metric(service.url, 'ailedger_events_total{result="duplicate"}') == 3
    assert metric(service.url, 'ailedger_pushes_total{outcome="stored"}') == 2
    assert metric(service.url, 'ailedger_request_seconds_count{method="POST",route="push"}') == 3
    lines = [orjson.loads(line) for line in service.log.read_text().splitlines() if line.startswith("{")]
    assert {"msg": "request", "method": "POST", "path": "/v1/events", "status": 400}.items() <= lines[-1].items()
    assert all(token not in line for line in service.log.read_text().splitlines())  # no secret in the logs


def test_readyz_says_when_the_schema_is_gone(tmp_path: Path, env: dict[str, str]) -> None:
    url = postgres_schema("ops_ready")
    (service,) = start_many(1, tmp_path / "service", url, env=env)
    try:
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute('DROP SCHEMA "ops_ready" CASCADE')
        answer = httpx.get(f"{service.url}/readyz")
        assert answer.status_code == 503 and "schema_version" in answer.json()["error"]
        assert httpx.get(f"{service.url}/healthz").status_code == 200  # alive, not ready
    finally:
        service.stop()


@pytest.mark.slow
def test_replicas_starting_together_migrate_once(tmp_path: Path, env: dict[str, str]) -> None:
    url = postgres_schema("ops_migrate")
    replicas = start_many(4, tmp_path / "service", url, env=env)
    try:
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT version FROM schema_version").fetchall() == [(VERSION,)]
        assert all(httpx.get(f"{s.url}/readyz").status_code == 200 for s in replicas)
        keys = {httpx.get(f"{s.url}/healthz").json()["publicKey"] for s in replicas}
        assert len(keys) == 1  # one service key for all, though they created it at once
    finally:
        for s in replicas:
            s.stop()


@pytest.mark.slow
def test_sigterm_finishes_the_push_in_flight(service, tmp_path: Path) -> None:
    token = service.token("dev@example.com")
    body = batch(tmp_path, 5000)
    answers: list[httpx.Response] = []
    sender = threading.Thread(target=lambda: answers.append(httpx.post(
        f"{service.url}/v1/events", content=body, headers={"authorization": f"Bearer {token}"}, timeout=120)))
    sender.start()
    deadline = time.monotonic() + 60
    while metric(service.url, "ailedger_requests_in_flight") < 2:  # the push, besides this /metrics request
        assert time.monotonic() < deadline and sender.is_alive(), "the push never started"
    service.proc.send_signal(signal.SIGTERM)
    sender.join(timeout=120)
    assert answers and answers[0].status_code == 200 and answers[0].json()["accepted"] == 5000
    service.proc.wait(timeout=60)  # then it exits (uvicorn re-raises the SIGTERM it caught: status -15)
    service.restart()
    pulled = httpx.get(f"{service.url}/v1/events", params={"limit": 5000},
                       headers={"authorization": f"Bearer {token}"}).json()["events"]
    assert len(pulled) == 5000


def test_token_revoke_from_the_command_line(service) -> None:
    import subprocess
    import sys

    token = service.token("dev@example.com")
    auth = {"authorization": f"Bearer {token}"}
    assert httpx.get(f"{service.url}/v1/events", headers=auth).status_code == 200
    backend = ["--data", str(service.data), *(["--database-url", service.database_url] if service.database_url else [])]
    run = [sys.executable, "-m", "ailedger", "serve", "token", "revoke", token, *backend]
    done = subprocess.run(run, capture_output=True, text=True, env=service.env)
    assert done.returncode == 0 and done.stdout.strip() == "revoked", done.stderr
    assert httpx.get(f"{service.url}/v1/events", headers=auth).status_code == 401
    again = subprocess.run(run, capture_output=True, text=True, env=service.env)
    assert again.returncode == 2 and "no such token" in again.stderr


@pytest.mark.parametrize(("url", "says"), [
    ("postgresql://nobody@127.0.0.1:1/x", "--database-url: cannot connect to 127.0.0.1:1/x: connection failed:"),
    ("mysql://audit:secret@db/ailedger", "--database-url: expected a postgresql:// URL, got mysql://"),
    ("audit-db", "--database-url: expected a postgresql:// URL, got 'audit-db'"),
    (f"{POSTGRES}?options=-csearch_path%3Dno_such_schema",
     "cannot bring the schema up to date: no schema has been selected to create in"),
])
def test_a_database_url_that_cannot_serve_is_one_line_naming_why(cli, url: str, says: str) -> None:
    """Whatever libpq or PostgreSQL says (a hint on a second line, the failed statement and a caret) comes out
    on one line, and a password in the URL never does."""
    result = cli("serve", "--database-url", url)
    assert result.code == 2 and says in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1 and "secret" not in result.err, result.err
