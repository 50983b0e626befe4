"""The store: what gets written, the derived regions table, and files that
are not ours (which are never written to)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ailedger.ledger.errors import CorruptLedger, InvalidEvent, NewerLedger, NotALedger
from ailedger.ledger.schema import LATEST
from ailedger.ledger.store import Ledger
from helpers import acceptance_payload, sha


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    with Ledger(tmp_path / "ledger.db") as ledger:
        yield ledger


def test_append_chains_events_and_projects_a_region(ledger: Ledger) -> None:
    first = ledger.append("acceptance", acceptance_payload(0), actor="dev@example.com")
    second = ledger.append("acceptance", acceptance_payload(1), actor="dev@example.com")
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == "0" * 64 and second.prev_hash == first.hash
    assert first.id < second.id
    region = ledger.region(acceptance_payload(1)["regionId"])
    assert region["status"] == "unreviewed"
    assert (region["start_line"], region["end_line"]) == (1, 2)
    assert region["tool_name"] == "copilot" and region["model_id"] == "gpt-4.1"


def test_review_binds_to_text_and_changed_text_needs_a_new_review(ledger: Ledger) -> None:
    payload = acceptance_payload(0)
    region_id = payload["regionId"]
    ledger.append("acceptance", payload, actor="dev@example.com")
    ledger.append("review", {
        "regionIds": [region_id], "reviewer": "lead@example.com", "verdict": "approved",
        "textSha256": {region_id: payload["textSha256"]}, "reviewedAt": "2026-11-27T13:00:00Z",
    }, actor="lead@example.com")
    assert ledger.region(region_id)["status"] == "reviewed"
    ledger.append("region-update", {
        "regionId": region_id, "path": "app.py", "range": payload["range"], "aiRanges": [payload["range"]],
        "textSha256": sha("something else\n"), "aiFraction": 0.5, "reason": "edit",
    }, actor="dev@example.com")
    assert ledger.region(region_id)["status"] == "changed-after-review"
    ledger.append("reopen", {"regionIds": [region_id], "reason": "model recall"}, actor="lead@example.com")
    assert ledger.region(region_id)["status"] == "reopened"


def test_projection_equals_a_replay_of_the_log(ledger: Ledger) -> None:
    ledger.append_many([("acceptance", acceptance_payload(i)) for i in range(5)], actor="dev@example.com")
    ids = [acceptance_payload(i)["regionId"] for i in range(5)]
    ledger.append("review", {
        "regionIds": ids[:2], "reviewer": "lead@example.com", "verdict": "rejected", "note": "no",
        "textSha256": {i: acceptance_payload(0)["textSha256"] for i in ids[:2]},
        "reviewedAt": "2026-11-27T13:00:00Z"}, actor="lead@example.com")
    ledger.append("region-ended", {"regionId": ids[4], "reason": "deleted"}, actor="dev@example.com")
    assert ledger.regions() == ledger.rebuild_regions()
    assert [r["status"] for r in ledger.regions()] == ["rejected", "rejected", "unreviewed", "unreviewed", "ended"]


@pytest.mark.parametrize("mutate, field", [
    (lambda p: p.pop("textSha256"), "textSha256"),
    (lambda p: p.update(kind="autocomplete"), "kind"),
    (lambda p: p["range"]["start"].update(line="three"), "range.start.line"),
    (lambda p: p.update(range={"start": {"line": 5, "character": 0}, "end": {"line": 1, "character": 0}}), "range"),
])
def test_invalid_payload_names_the_field_and_writes_nothing(ledger: Ledger, mutate, field: str) -> None:
    payload = acceptance_payload(0)
    mutate(payload)
    with pytest.raises(InvalidEvent, match=f"invalid acceptance event: {field}: "):
        ledger.append("acceptance", payload, actor="dev@example.com")
    assert ledger.count() == 0


def test_a_bad_event_in_a_batch_writes_none_of_it(ledger: Ledger) -> None:
    bad = acceptance_payload(2, kind="autocomplete")
    with pytest.raises(InvalidEvent):
        ledger.append_many([("acceptance", acceptance_payload(1)), ("acceptance", bad)], actor="x")
    assert ledger.count() == 0
    assert ledger.verify().ok


def test_only_the_ledgers_own_derived_events_skip_validation(ledger: Ledger) -> None:
    with pytest.raises(InvalidEvent, match="'acceptance' events come from outside"):
        ledger.append_many([("acceptance", acceptance_payload(1, kind="autocomplete"))], actor="x", derived=True)
    assert ledger.count() == 0


def test_unknown_event_type_is_refused(ledger: Ledger) -> None:
    with pytest.raises(InvalidEvent, match="unknown event type 'comment'"):
        ledger.append("comment", {}, actor="x")


def test_file_that_is_not_sqlite_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("my precious notes\n")
    with pytest.raises(NotALedger, match="not a SQLite database"):
        Ledger(path)
    assert path.read_text() == "my precious notes\n"


def test_someone_elses_sqlite_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (name TEXT)")
    before = path.read_bytes()
    with pytest.raises(NotALedger, match=r"not an ailedger ledger \(users\)"):
        Ledger(path)
    assert path.read_bytes() == before


def test_damaged_ledger_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with Ledger(path) as ledger:
        ledger.append_many([("acceptance", acceptance_payload(i)) for i in range(200)], actor="x")
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # smash the schema page
    path.write_bytes(bytes(data))
    with pytest.raises((CorruptLedger, NotALedger), match="ledger.db"):
        Ledger(path)


def test_ledger_from_a_newer_ailedger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    Ledger(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(NewerLedger, match="upgrade ailedger"):
        Ledger(path)


def test_reopening_keeps_device_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with Ledger(path) as first:
        device = first.device
        first.append("acceptance", acceptance_payload(0), actor="x")
    with Ledger(path) as again:
        assert again.device == device
        assert again.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert again.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert again.append("acceptance", acceptance_payload(1), actor="x").seq == 2
