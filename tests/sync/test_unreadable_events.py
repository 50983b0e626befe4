"""A push whose events chain correctly but whose payloads the ledger's own
models refuse (a buggy or hostile client: honest ledgers validate what they
append) is refused with a 400 naming the event and the field, whether or not
the service's projection could have read it; it stores nothing,
raises no tamper alert, and leaves the device's chain where it was: the same
device pushes good events next and they are taken."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ailedger.ledger.canonical import GENESIS, event_body, event_hash
from helpers import acceptance_payload

DEVICE = "d" * 32


def chained(items: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Events in the wire shape (protocol/schema/openapi.json, Event), chained from genesis."""
    out, prev = [], GENESIS
    for seq, (type_, payload) in enumerate(items, start=1):
        event_id, ts = f"01UNREADABLE{seq:014d}", "2026-12-02T00:00:00Z"
        body = event_body(type_, ts, "dev@example.com", payload, 1)
        digest = event_hash(event_id, DEVICE, seq, prev, body)
        out.append({"id": event_id, "device": DEVICE, "seq": seq, "prevHash": prev, "hash": digest, "type": type_,
                    "ts": ts, "actor": "dev@example.com", "v": 1, "payload": payload})
        prev = digest
    return out


GOOD = acceptance_payload(1, regionId="01UNREADABLEREGION00000001")
BAD = {
    "acceptedAt": (("acceptance", acceptance_payload(2, acceptedAt="yesterday")), "acceptedAt"),
    "range": (("acceptance", {k: v for k, v in acceptance_payload(2).items() if k != "range"}),
              "range: Field required"),
    "repo": (("acceptance", acceptance_payload(2, repo=None)), "repo"),
    "regionId": (("acceptance", acceptance_payload(2, regionId=5)), "regionId"),
    "regionIds": (("review", {"reviewer": "lead@example.com", "verdict": "approved", "textSha256": {},
                              "reviewedAt": "2026-12-02T00:00:00Z"}), "regionIds: Field required"),
    "type": (("frobnicate", {"regionId": GOOD["regionId"]}), "unknown type 'frobnicate'"),
    # Payloads the projection could read, which the service stored as sent until it checked every payload
    # against the models up front: no honest ledger writes them.
    "kind": (("acceptance", acceptance_payload(2, kind="telepathy")), "kind: Input should be 'inline'"),
    "text": (("acceptance", acceptance_payload(2, text=123)), "text: Input should be a valid string"),
    "textSha256": (("acceptance", acceptance_payload(2, textSha256="abc")), "textSha256: String should match"),
    "tool.name": (("acceptance", acceptance_payload(2, tool={"name": 5, "version": None})), "tool.name"),
    "start line": (("acceptance", acceptance_payload(2, range={"start": {"line": -5, "character": 0},
                                                                "end": {"line": 1, "character": 0}})),
                   "range.start.line: Input should be greater than or equal to 0"),
    "verdict": (("review", {"regionIds": [GOOD["regionId"]], "reviewer": "lead@example.com", "verdict": "meh",
                            "textSha256": {}, "reviewedAt": "2026-12-02T00:00:00Z"}), "verdict"),
}


@pytest.mark.parametrize("field", list(BAD))
def test_an_unreadable_payload_is_refused_by_name_and_nothing_is_stored(service, field: str) -> None:
    bad, says = BAD[field]
    lead = {"authorization": f"Bearer {service.token('dev@example.com', role='lead')}"}
    url = f"{service.url}/v1/events"
    refused = httpx.post(url, json={"events": chained([("acceptance", GOOD), bad])}, headers=lead, timeout=30)
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error.startswith("event 01UNREADABLE00000000000002: ") and says in error and "\n" not in error
    assert httpx.get(url, headers=lead, timeout=30).json()["events"] == []  # not even the good one before it
    assert httpx.get(f"{service.url}/v1/regions", headers=lead, timeout=30).json()["total"] == 0
    assert httpx.get(f"{service.url}/v1/alerts", headers=lead, timeout=30).json()["alerts"] == []
    # The chain did not move: the device's good events, from seq 1, are taken.
    fixed = chained([("acceptance", GOOD), ("acceptance", acceptance_payload(2))])
    taken = httpx.post(url, json={"events": fixed}, headers=lead, timeout=30)
    assert taken.status_code == 200 and taken.json()["accepted"] == 2, taken.text
    assert httpx.get(f"{service.url}/v1/regions", headers=lead, timeout=30).json()["total"] == 2
    assert httpx.get(f"{service.url}/healthz", timeout=30).status_code == 200


def test_a_nul_character_where_postgresql_keeps_a_column_is_refused_there(service) -> None:
    """PostgreSQL's text cannot hold NUL: a path holding one is refused by name there (400), while the
    embedded SQLite keeps it; a NUL in the accepted text itself is stored on both (the event's body keeps
    it escaped)."""
    lead = {"authorization": f"Bearer {service.token('dev@example.com', role='lead')}"}
    url = f"{service.url}/v1/events"
    odd_text = chained([("acceptance", acceptance_payload(1, text="a\x00b\n"))])
    assert httpx.post(url, json={"events": odd_text}, headers=lead, timeout=30).status_code == 200
    odd_path = chained([("acceptance", acceptance_payload(1, text="a\x00b\n")),
                        ("acceptance", acceptance_payload(2, path="src/a\x00b.py"))])[1:]
    r = httpx.post(url, json={"events": odd_path}, headers=lead, timeout=30)
    if service.database_url:
        assert r.status_code == 400 and r.json()["error"] == (
            "event 01UNREADABLE00000000000002: its payload holds a NUL character"), r.text
        assert len(httpx.get(url, headers=lead, timeout=30).json()["events"]) == 1
    else:
        assert r.status_code == 200 and r.json()["accepted"] == 1, r.text


def test_a_newer_clients_event_the_service_refuses_says_to_upgrade_the_service(service, tmp_path) -> None:
    """A newer ailedger writes a kind this service's models do not know yet (its ledger validated it with its
    own): `ailedger sync` stops at its batch, names it, says the likely cause, and keeps the batch for the next
    push."""
    from ailedger.ledger.store import Ledger
    from ailedger.sync.client import Endpoint, SyncError, push, status

    endpoint = Endpoint(service.url, service.token("dev@example.com"))
    with Ledger(tmp_path / "newer.db") as ledger:
        ledger.append("acceptance", acceptance_payload(1), actor="dev@example.com")
        with ledger._write() as conn:  # as a newer version's models let it append (they are not these)
            ledger._insert(conn, [("acceptance", acceptance_payload(2, kind="inline-chat"))], "dev@example.com")
        with pytest.raises(SyncError) as refused:
            push(ledger, endpoint)
        message = str(refused.value)
        assert "kind: Input should be 'inline'" in message and "upgrade the service" in message
        said = status(ledger, service.url)  # what `ailedger sync status` shows
        assert "\n" not in message and "upgrade the service" in said["lastError"] and said["pending"] == 2
        assert ledger.verify().ok
