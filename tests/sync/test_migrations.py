"""A service database from before schema versions (the first service's
tables) is brought up to date at start: its regions get the new columns
and kept counts, and new cursors continue after its last one."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import orjson

from ailedger.ledger import projection
from ailedger.sync.service import rollup
from ailedger.sync.service.schema import V1, VERSION
from ailedger.sync.service.storage import SqliteStorage
from helpers import acceptance_payload


def test_a_database_from_before_versions_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "service.db"
    old = sqlite3.connect(path)
    old.executescript(V1.replace("SERIAL_ID", "INTEGER PRIMARY KEY"))
    row = projection.from_acceptance("E1", acceptance_payload(1, regionId="OLD1"))
    old.execute("INSERT INTO regions VALUES (?,?,?,?,?,?,?,?,?,?)",
                ("OLD1", "acme", row["repo"], row["path"], row["status"], row["accepted_by"], row["tool_name"],
                 "openai/gpt-4.1", row["accepted_at"], orjson.dumps(row).decode()))
    old.execute("INSERT INTO events VALUES (7, 'E1', 'D1', 1, ?, 'h', 'acceptance', '{}', 'acme', ?, 'now')",
                ("0" * 64, row["repo"]))
    old.commit()
    old.close()

    storage = SqliteStorage(path)
    assert storage.ready() is None
    assert storage.read(lambda t: t.x("SELECT version FROM schema_version").fetchall()) == [(VERSION,)]
    page = storage.regions("acme", {"tool": "copilot"})
    assert page["total"] == 1 and page["regions"][0]["region_id"] == "OLD1"
    assert storage.regions("acme")["total"] == 1  # from the kept counts
    kept = storage.read(lambda t: rollup.review_metrics(t, "acme", datetime.now(timezone.utc), ("tool",)))
    assert kept.overall.regions == 1 and [name for name, _ in kept.by["tool"]] == ["copilot"]
    assert storage.read(lambda t: t.x("SELECT cursor FROM clock").fetchone()) == (7,)
    storage.conn.close()
    assert SqliteStorage(path).ready() is None  # and a second start changes nothing
