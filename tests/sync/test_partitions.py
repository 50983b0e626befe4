"""On PostgreSQL the service's events are partitioned by the month they were
received: three months land in three partitions; `ailedger serve export
--before` writes exactly the earlier months as JSON Lines that verify (a
corrupted or missing line is caught); `--drop` removes those months and the
service still takes pushes (chains continue from the kept heads) and pulls;
dedupe and fork detection hold across partitions and after the drop."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from ailedger.ledger.canonical import event_body
from ailedger.ledger.store import Ledger
from ailedger.sync.chain import event_hash
from ailedger.sync.service.local import start
from ailedger.sync.service.postgres import PostgresStorage
from ailedger.sync.service.storage import Refused, Storage
from helpers import acceptance_payload
from helpers_service import postgres_schema

MONTHS = ("2024-01", "2024-02", "2024-03")  # in the past whenever the test runs


def new_events(ledger: Ledger, n: int, tag: str) -> list[dict[str, Any]]:
    """Append n acceptances to a real ledger; its new events as the client pushes them."""
    ledger.append_many([("acceptance", acceptance_payload(i, regionId=f"{tag}-{i}")) for i in range(n)],
                       actor="dev@example.com")
    rows = ledger.conn.execute("SELECT id, device, seq, prev_hash, hash, body FROM events ORDER BY rowid DESC"
                               " LIMIT ?", (n,)).fetchall()[::-1]
    return [{"id": r[0], "device": r[1], "seq": r[2], "prevHash": r[3], "hash": r[4], **orjson.loads(r[5])}
            for r in rows]


def push_at(storage: Storage, token: str, events: list[dict[str, Any]], received: str) -> dict[str, Any]:
    storage.received_now = lambda: received  # type: ignore[method-assign]
    status, body = storage.push(storage.principal(token), events, None, "sha", lambda r: r)  # type: ignore[arg-type]
    assert status == 200
    return orjson.loads(body)


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ailedger", "serve", "export", *args],
                          capture_output=True, text=True, env=env)


@pytest.fixture
def seeded(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Two devices, each pushing 4 events in each of three months."""
    url = postgres_schema(f"p_{abs(hash(request.node.nodeid)):x}")
    storage = PostgresStorage(url)
    token = storage.create_token("dev@example.com", "reviewer", "default")
    ledgers = [Ledger(tmp_path / f"ledger-{d}.db") for d in "ab"]
    by_month: dict[str, list[dict[str, Any]]] = {}
    for month in MONTHS:
        for d, ledger in zip("ab", ledgers):
            events = new_events(ledger, 4, f"{d}{month}")
            assert push_at(storage, token, events, f"{month}-15T10:00:00Z")["accepted"] == 4
            by_month.setdefault(month, []).extend(events)
    yield url, storage, token, ledgers, by_month
    storage.close()


def placement(storage: Storage) -> dict[str, int]:
    return dict(storage.read(lambda t: t.rows("SELECT tableoid::regclass::text, COUNT(*) FROM events GROUP BY 1")))


def partitions(storage: Storage) -> set[str]:
    return {r[0] for r in storage.read(lambda t: t.rows(
        "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'events'::regclass"))}


def test_months_land_in_their_partitions_and_dedupe_holds(seeded) -> None:  # type: ignore[no-untyped-def]
    url, storage, token, ledgers, by_month = seeded
    assert placement(storage) == {"events_2024_01": 8, "events_2024_02": 8, "events_2024_03": 8}
    assert {"events_2024_01", "events_2024_02", "events_2024_03", "events_2024_04", "events_default"} <= \
        partitions(storage)

    # The same events again, received in another month: duplicates, not stored twice.
    again = push_at(storage, token, by_month["2024-01"], "2024-03-20T00:00:00Z")
    assert (again["accepted"], again["duplicates"]) == (0, 8)
    assert storage.count() == 24

    # A second event at a seq already taken (a fork), and an old event altered: refused, alerted.
    old = by_month["2024-02"][0]
    fork = {**old, "id": old["id"][:-4] + "f0rk", "payload": {**old["payload"], "path": "other.py"}}
    fork["hash"] = event_hash(fork["id"], fork["device"], fork["seq"], fork["prevHash"],
                              event_body(fork["type"], fork["ts"], fork["actor"], fork["payload"], fork["v"]))
    with pytest.raises(Refused) as refused:
        push_at(storage, token, [fork], "2024-03-21T00:00:00Z")
    assert (refused.value.status, refused.value.kind) == (409, "fork")
    with pytest.raises(Refused) as refused:
        push_at(storage, token, [{**old, "payload": {**old["payload"], "path": "x.py"}}], "2024-03-21T00:00:00Z")
    assert (refused.value.status, refused.value.kind) == (409, "altered")
    assert [a["kind"] for a in storage.alerts("default")["alerts"]] == ["fork", "altered"]
    assert storage.count() == 24


def test_export_writes_the_earlier_months_that_verify_then_drop(seeded, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                 env: dict[str, str]) -> None:
    url, storage, token, ledgers, by_month = seeded
    backend = ["--database-url", url, "--data", str(tmp_path / "service")]
    out = tmp_path / "early.jsonl"
    done = cli("--before", "2024-03-10", "--out", str(out), *backend, env=env)
    assert done.returncode == 0, done.stderr
    assert "exported 16 events of 2 devices" in done.stderr
    lines = out.read_bytes().splitlines()
    exported = [orjson.loads(line)["event"] for line in lines if orjson.loads(line)["kind"] == "event"]
    assert sorted(e["id"] for e in exported) == sorted(e["id"] for m in MONTHS[:2] for e in by_month[m])
    assert placement(storage)["events_2024_01"] == 8  # without --drop nothing is removed

    checked = cli("--verify", str(out), env=env)
    assert checked.returncode == 0 and "16 events of 2 devices" in checked.stdout, checked.stderr
    # A corrupted event, and a missing one, are caught, naming the line.
    for name, changed in (("corrupt", [*lines[:3], lines[3].replace(b'"path":"', b'"path":"x'), *lines[4:]]),
                          ("missing", [*lines[:3], *lines[4:]])):
        bad = tmp_path / f"{name}.jsonl"
        bad.write_bytes(b"\n".join(changed) + b"\n")
        refused = cli("--verify", str(bad), env=env)
        assert refused.returncode != 0 and "line 4:" in refused.stderr, (name, refused.stderr)

    # Clear one-line errors, nothing written or dropped.
    assert "expected a date" in cli("--before", "March", *backend, env=env).stderr
    assert "nothing to export" in cli("--before", "2023-06-01", *backend, env=env).stderr
    assert "is not over" in cli("--before", "2999-01-01", *backend, env=env).stderr
    header_only = tmp_path / "cut.jsonl"
    header_only.write_bytes(lines[0] + b"\n" + b'{"kind": "event", "event": {"id": "x"}}\n')
    assert "line 2: 'event' line: a field is missing or malformed" in cli("--verify", str(header_only),
                                                                           env=env).stderr
    header_only.write_bytes(b"\n".join(lines[:-1]) + b"\n")
    assert "ends before its end line" in cli("--verify", str(header_only), env=env).stderr
    assert "--drop needs --out FILE" in cli("--before", "2024-03-01", "--drop", *backend, env=env).stderr
    assert "the file exists" in cli("--before", "2024-03-01", "--out", str(out), "--drop", *backend,
                                    env=env).stderr
    assert placement(storage)["events_2024_01"] == 8

    dropped = cli("--before", "2024-03-01", "--out", str(tmp_path / "dropped.jsonl"), "--drop", *backend, env=env)
    assert dropped.returncode == 0, dropped.stderr
    assert "dropped months 2024-01, 2024-02" in dropped.stderr
    assert placement(storage) == {"events_2024_03": 8}
    assert not {"events_2024_01", "events_2024_02"} & partitions(storage)
    assert cli("--verify", str(tmp_path / "dropped.jsonl"), env=env).returncode == 0

    # The service after the drop: chains continue from the kept heads, pulls answer what is kept.
    service = start(tmp_path / "service", url, env=env)
    try:
        headers = {"authorization": f"Bearer {token}"}
        nxt = new_events(ledgers[0], 2, "after")
        answer = httpx.post(f"{service.url}/v1/events", json={"events": nxt}, headers=headers)
        assert answer.status_code == 200 and answer.json()["accepted"] == 2, answer.text
        resent = httpx.post(f"{service.url}/v1/events", json={"events": by_month["2024-01"][:4]}, headers=headers)
        assert resent.status_code == 200 and resent.json()["duplicates"] == 4  # dropped, still known
        pulled = httpx.get(f"{service.url}/v1/events", params={"after": 0}, headers=headers).json()
        assert [e["id"] for e in pulled["events"]] == [e["id"] for e in by_month["2024-03"]] + [e["id"] for e in nxt]
        inside = httpx.get(f"{service.url}/v1/events", params={"after": 5}, headers=headers).json()  # a dropped cursor
        assert inside == pulled
        assert httpx.get(f"{service.url}/v1/alerts", headers={
            "authorization": f"Bearer {service.token('lead@example.com', role='lead')}"}).json()["alerts"] == []
    finally:
        service.stop()


def test_sqlite_exports_and_refuses_to_drop(tmp_path: Path, env: dict[str, str]) -> None:
    from ailedger.sync.service.storage import SqliteStorage

    storage = SqliteStorage(tmp_path / "service" / "service.db")
    token = storage.create_token("dev@example.com", "reviewer", "default")
    events = new_events(Ledger(tmp_path / "ledger.db"), 3, "s")
    push_at(storage, token, events, "2024-01-15T10:00:00Z")
    storage.conn.close()
    data = ["--data", str(tmp_path / "service")]
    refused = cli("--before", "2024-02-01", "--out", str(tmp_path / "x.jsonl"), "--drop", *data, env=env)
    assert refused.returncode != 0 and "SQLite" in refused.stderr and not (tmp_path / "x.jsonl").exists()
    done = cli("--before", "2024-02-01", *data, env=env)  # to stdout
    assert done.returncode == 0, done.stderr
    exported = tmp_path / "s.jsonl"
    exported.write_text(done.stdout)
    assert "3 events of 1 devices" in cli("--verify", str(exported), env=env).stdout
