"""An incident and code in its scope, pushed at the same moment through
different connections, end as every ledger ends them: the code reopened.
Without an order between the two, each push decides before the other
commits (the acceptance sees no incident yet, the incident sees no such
region yet) and the region stays reviewed on the service while every ledger
reopens it. The test makes that moment certain: it holds the pull clock's row
(the last thing every push takes), so both pushes have made their decisions
and wait, then lets them go."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from ailedger.ledger.store import Ledger
from ailedger.sync.client import Endpoint, pull, push
from helpers import acceptance_payload

MODEL = {"provider": "acme", "id": "recalled-1", "version": None}


def waiting_backends(conn) -> int:  # type: ignore[no-untyped-def]
    return conn.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND backend_type = 'client backend' AND pid <> pg_backend_pid()").fetchone()[0]


def test_an_incident_and_code_in_its_scope_pushed_together(service, tmp_path: Path) -> None:
    if not service.database_url:
        pytest.skip("the embedded SQLite backend runs one push at a time")
    import psycopg

    dev, lead_token = service.token("dev@example.com"), service.token("lead@example.com", role="lead")
    with Ledger(tmp_path / "dev.db") as ledger, Ledger(tmp_path / "lead.db") as lead:
        region = "RACE0001"
        accepted = acceptance_payload(1, regionId=region, model=MODEL, acceptedAt="2026-11-20T09:00:00Z")
        ledger.append_many([("acceptance", accepted),
                            ("review", {"regionIds": [region], "reviewer": "dev@example.com", "verdict": "approved",
                                        "textSha256": {region: accepted["textSha256"]},
                                        "reviewedAt": "2026-11-20T10:00:00Z"})], actor="dev@example.com")
        # The review counts until an incident whose id is later (projection.current_reviews): ids are ULIDs,
        # ordered by the millisecond they were made, so the incident is made in a later millisecond.
        from ailedger.ledger.ids import ulid_to_int

        reviewed_ms = ulid_to_int(ledger.recent(1)[0].id) >> 80
        while time.time_ns() // 1_000_000 <= reviewed_ms:
            pass
        lead.append_many([("incident-open", {"incidentId": "INC-RACE", "scope": {"model": {"id": "recalled-1"}},
                                             "reason": "recall", "openedBy": "lead@example.com",
                                             "openedAt": "2026-11-21T12:00:00Z"})], actor="lead@example.com")
        with psycopg.connect(service.database_url) as hold:
            hold.execute("SELECT cursor FROM clock WHERE id = 1 FOR UPDATE")  # every push waits here, decided
            errors: list[BaseException] = []

            def send(source: Ledger, token: str) -> None:
                try:
                    push(source, Endpoint(service.url, token))
                except BaseException as err:  # noqa: BLE001 - reported by the test below
                    errors.append(err)

            threads = [threading.Thread(target=send, args=(ledger, dev)),
                       threading.Thread(target=send, args=(lead, lead_token))]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 30
            while waiting_backends(hold) < 2:  # both pushes are as far as they get while the clock is held
                assert time.monotonic() < deadline, "the two pushes never both waited"
                time.sleep(0.01)
            hold.rollback()  # the clock goes free: they commit, one after the other
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        pull(ledger, Endpoint(service.url, dev), ["git.example.com/acme/shop"])
        assert ledger.region(region)["status"] == "reopened"  # what every ledger says
        served = httpx.get(f"{service.url}/v1/regions", params={"status": "reopened"},
                           headers={"authorization": f"Bearer {lead_token}"}).json()
        assert [r["region_id"] for r in served["regions"]] == [region] and served["total"] == 1
