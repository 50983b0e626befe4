"""Three `ailedger serve` processes on one PostgreSQL, as a deployment runs
them: behind a round-robin proxy that fails 30% of requests, one replica
killed (SIGKILL) and restarted mid-run, six devices pushing and pulling at
once. Nothing is lost, doubled, forked or falsely alerted, and no puller
following its cursor ever skips an event."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import orjson
import pytest

from ailedger.ledger.store import Ledger
from ailedger.sync.chain import hash_ok
from ailedger.sync.client import Endpoint, Retry, pull, push
from ailedger.sync.service.local import LocalService, start_many
from chaos_proxy import ChaosProxy

from helpers import acceptance_payload
from helpers_service import check_security, postgres_schema

REPO = "git.example.com/acme/shop"
DEVICES, EVENTS, BATCH = 6, 600, 20


def wait_until(condition, seconds: float = 300) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


@pytest.fixture
def replicas(request: pytest.FixtureRequest, tmp_path: Path, env: dict[str, str]):  # type: ignore[no-untyped-def]
    url = postgres_schema(f"r_{abs(hash(request.node.nodeid)):x}")
    running = start_many(3, tmp_path / "service", url, env=env)
    yield running
    for service in running:
        service.stop()


def everything(base: str, token: str) -> list[dict]:  # type: ignore[type-arg]
    stored, cursor = [], 0
    while True:
        page = httpx.get(f"{base}/v1/events", params={"after": cursor, "limit": 5000},
                         headers={"authorization": f"Bearer {token}"}).json()
        if not page["events"]:
            return stored
        stored += page["events"]
        cursor = page["cursor"]


@pytest.mark.slow
def test_replicas_under_faults_lose_nothing_and_pullers_skip_nothing(replicas: list[LocalService],
                                                                     tmp_path: Path) -> None:
    proxy = ChaosProxy([s.port for s in replicas]).start()
    users = [f"dev{d}@example.com" for d in range(DEVICES)]
    tokens = [replicas[0].token(u) for u in users]
    progress = [0] * DEVICES
    failures: list[BaseException] = []
    devices: list[str] = [""] * DEVICES
    retry = Retry(attempts=10_000, base=0.005, cap=0.1)

    done = threading.Event()

    def device(d: int) -> None:
        try:
            endpoint = Endpoint(f"http://127.0.0.1:{proxy.port}", tokens[d])
            with Ledger(tmp_path / f"device{d}.db") as ledger:
                devices[d] = ledger.device
                for k in range(0, EVENTS, BATCH):
                    ledger.append_many([("acceptance", acceptance_payload(d * EVENTS + i, regionId=f"D{d}R{i}",
                                                                          user=users[d]))
                                        for i in range(k, k + BATCH)], actor=users[d])
                    push(ledger, endpoint, batch=BATCH, retry=retry)
                    progress[d] = k + BATCH
        except BaseException as err:  # noqa: BLE001 - reported below
            failures.append(err)

    def puller(d: int) -> None:
        """The same ledger pulls all along, following its cursor, as `ailedger sync` does."""
        try:
            endpoint = Endpoint(f"http://127.0.0.1:{proxy.port}", tokens[d])
            wait_until(lambda: bool(devices[d]))
            with Ledger(tmp_path / f"device{d}.db") as ledger:
                while not done.is_set() and not failures:
                    pull(ledger, endpoint, [REPO], retry=retry)
        except BaseException as err:  # noqa: BLE001 - reported below
            failures.append(err)

    threads = [threading.Thread(target=device, args=(d,)) for d in range(DEVICES)]
    pullers = [threading.Thread(target=puller, args=(d,)) for d in range(DEVICES)]
    for t in threads + pullers:
        t.start()
    wait_until(lambda: sum(progress) >= DEVICES * EVENTS * 0.3 or bool(failures))
    victim = replicas[1]
    victim.kill()  # mid-run, requests in flight
    down = proxy.counts.upstream_down
    wait_until(lambda: proxy.counts.upstream_down >= down + 3 or bool(failures))
    victim.restart()
    for t in threads:
        t.join(timeout=900)
    done.set()
    for t in pullers:
        t.join(timeout=300)
    assert not failures, failures
    assert all(not t.is_alive() for t in threads + pullers)

    # Pull once more after the run: what a puller missed stays missed (its cursor passed it).
    for d in range(DEVICES):
        with Ledger(tmp_path / f"device{d}.db") as ledger:
            pull(ledger, Endpoint(replicas[0].url, tokens[d]), [REPO], retry=retry)
    proxy.stop()
    counts = proxy.counts
    assert counts.unavailable and counts.throttled and counts.reset and counts.lost and counts.upstream_down

    stored = everything(replicas[2].url, tokens[0])
    assert len(stored) == DEVICES * EVENTS
    assert len({e["id"] for e in stored}) == DEVICES * EVENTS  # each once
    for dev in devices:
        chain = sorted((e for e in stored if e["device"] == dev), key=lambda e: e["seq"])
        assert [e["seq"] for e in chain] == list(range(1, EVENTS + 1))
        prev = "0" * 64
        for e in chain:
            assert hash_ok(e) and e["prevHash"] == prev
            prev = e["hash"]
    lead = replicas[0].token("lead@example.com", role="lead")
    for service in replicas:
        assert httpx.get(f"{service.url}/v1/alerts", headers={"authorization": f"Bearer {lead}"}).json() == {
            "alerts": [], "next": None, "total": 0}
    for d in range(DEVICES):
        with Ledger(tmp_path / f"device{d}.db") as ledger:
            assert ledger.verify().ok
            rows = ledger.conn.execute("SELECT device, COUNT(*), COUNT(DISTINCT id) FROM events GROUP BY device"
                                       ).fetchall()
            assert sorted(rows) == sorted((dev, EVENTS, EVENTS) for dev in devices), f"device {d} pulled {rows}"
    total = httpx.get(f"{replicas[0].url}/v1/regions", params={"limit": 1},
                      headers={"authorization": f"Bearer {lead}"}).json()["total"]
    assert total == DEVICES * EVENTS  # the projection agrees


@pytest.mark.slow
def test_the_same_batch_to_two_replicas_at_once(replicas: list[LocalService], tmp_path: Path) -> None:
    token = replicas[0].token("dev@example.com")
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    ledger = Ledger(tmp_path / "ledger.db")
    outcomes: list[tuple[int, int]] = []
    for round_ in range(100):
        ledger.append_many([("acceptance", acceptance_payload(round_ * 5 + i, regionId=f"S{round_}-{i}"))
                            for i in range(5)], actor="dev@example.com")
        rows = ledger.conn.execute("SELECT id, device, seq, prev_hash, hash, body FROM events ORDER BY rowid DESC"
                                   " LIMIT 5").fetchall()[::-1]
        body = orjson.dumps({"events": [{"id": r[0], "device": r[1], "seq": r[2], "prevHash": r[3], "hash": r[4],
                                         **orjson.loads(r[5])} for r in rows]})
        # Half the rounds carry an Idempotency-Key (as the client sends), half do not.
        extra = {"idempotency-key": f"round-{round_}"} if round_ % 2 else {}
        barrier = threading.Barrier(2)
        answers: list[httpx.Response] = []

        def send(base: str) -> None:
            with httpx.Client() as client:
                barrier.wait()
                answers.append(client.post(f"{base}/v1/events", content=body, headers={**headers, **extra}))

        pair = [threading.Thread(target=send, args=(s.url,)) for s in replicas[:2]]
        for t in pair:
            t.start()
        for t in pair:
            t.join()
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
        accepted = sorted(a.json()["accepted"] for a in answers)
        if extra and accepted == [5, 5]:  # the second was answered from the first's stored response
            assert answers[0].json() == answers[1].json()
            outcomes.append((5, 5))
            continue
        assert accepted == [0, 5]
        assert sorted(a.json()["duplicates"] for a in answers) == [0, 5]
        outcomes.append((0, 5))
    stored = everything(replicas[2].url, token)
    assert len(stored) == 500 and len({e["id"] for e in stored}) == 500
    assert [e["seq"] for e in stored] == list(range(1, 501))
    lead = replicas[0].token("lead@example.com", role="lead")
    assert httpx.get(f"{replicas[1].url}/v1/alerts", headers={"authorization": f"Bearer {lead}"}).json() == {
        "alerts": [], "next": None, "total": 0}
    assert len(outcomes) == 100


def test_a_token_revoked_on_one_replica_is_refused_by_all(replicas: list[LocalService]) -> None:
    token = replicas[0].token("dev@example.com")
    for service in replicas:
        check_security(service.url, token)
    auth = {"authorization": f"Bearer {token}"}
    assert all(httpx.get(f"{s.url}/v1/events", headers=auth).status_code == 200 for s in replicas)
    assert httpx.delete(f"{replicas[1].url}/v1/token", headers=auth).json() == {"revoked": True}
    assert [httpx.get(f"{s.url}/v1/events", headers=auth).status_code for s in replicas] == [401, 401, 401]
    assert httpx.delete(f"{replicas[2].url}/v1/token", headers=auth).status_code == 401
