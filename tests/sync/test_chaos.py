"""Nothing lost, nothing doubled: 10,000 events pushed through a proxy that
fails 30% of requests, with the service restarted mid-run and away for a
while; at the end the service holds exactly the 10,000, each once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from ailedger.ledger.store import Ledger
from ailedger.sync.chain import hash_ok
from ailedger.sync.client import Endpoint, Retry, push
from chaos_proxy import ChaosProxy
from helpers import acceptance_payload

N = 10_000


def wait_until(condition, seconds: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


@pytest.mark.slow
def test_nothing_lost_nothing_doubled(service, tmp_path: Path) -> None:
    token = service.token("dev@example.com", role="lead")
    ledger = Ledger(tmp_path / "ledger.db")
    for k in range(0, N, 1000):
        ledger.append_many([("acceptance", acceptance_payload(i, regionId=f"R{i}")) for i in range(k, k + 1000)],
                           actor="dev@example.com")
    proxy = ChaosProxy(service.port).start()
    endpoint = Endpoint(f"http://127.0.0.1:{proxy.port}", token)
    progress: list[int] = [0]
    failure: list[BaseException] = []

    def run() -> None:
        try:
            push(ledger, endpoint, batch=200, retry=Retry(attempts=10_000, base=0.005, cap=0.1),
                 progress=lambda done, total: progress.__setitem__(0, done))
        except BaseException as err:  # noqa: BLE001 - reported by the test below
            failure.append(err)

    pusher = threading.Thread(target=run)
    pusher.start()
    wait_until(lambda: progress[0] >= N * 0.3 or failure)
    service.stop()  # restart mid-run...
    down_before = proxy.counts.upstream_down
    wait_until(lambda: proxy.counts.upstream_down >= down_before + 5)  # ...and away for a while
    service.restart()
    pusher.join(timeout=600)
    proxy.stop()
    assert not failure, failure
    assert not pusher.is_alive()

    counts = proxy.counts
    assert counts.unavailable and counts.throttled and counts.reset and counts.lost and counts.upstream_down
    headers = {"authorization": f"Bearer {token}"}
    stored, cursor = [], 0
    while True:
        page = httpx.get(f"{service.url}/v1/events", params={"after": cursor, "limit": 5000}, headers=headers).json()
        if not page["events"]:
            break
        stored += page["events"]
        cursor = page["cursor"]
    assert len(stored) == N
    assert len({e["id"] for e in stored}) == N
    assert [e["seq"] for e in stored] == list(range(1, N + 1))
    prev = "0" * 64
    for e in stored:
        assert hash_ok(e) and e["prevHash"] == prev
        prev = e["hash"]
    assert ledger.verify().ok
