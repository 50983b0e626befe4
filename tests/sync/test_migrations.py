"""A service database from before schema versions (the first service's
tables) is brought up to date at start: its regions get the new columns
and kept counts, and new cursors continue after its last one."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest

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


def test_a_postgres_events_table_from_version_2_is_partitioned_by_month(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The unpartitioned events of a version-2 database move into month
    partitions; their ids keep dedupe (a re-sent old event is a duplicate) and
    new events continue the device's chain."""
    import psycopg

    from ailedger.ledger.store import Ledger
    from ailedger.sync.service import schema
    from ailedger.sync.service.postgres import PostgresStorage
    from helpers_service import postgres_schema

    url = postgres_schema("migrate_partition")
    with monkeypatch.context() as old_code:  # the service as it was at version 2
        old_code.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
        old_code.setattr(schema, "VERSION", 2)
        with psycopg.connect(url, autocommit=True) as conn:
            schema.migrate_postgres(conn)
    ledger = Ledger(tmp_path / "ledger.db")
    ledger.append_many([("acceptance", acceptance_payload(i, regionId=f"M{i}")) for i in range(4)],
                       actor="dev@example.com")
    rows = ledger.conn.execute("SELECT id, device, seq, prev_hash, hash, body FROM events ORDER BY seq").fetchall()
    with psycopg.connect(url, autocommit=True) as conn:
        for i, (event_id, device, seq, prev, digest, body) in enumerate(rows):
            conn.execute("INSERT INTO events VALUES (%s,%s,%s,%s,%s,%s,'acceptance',%s,'default',NULL,%s)",
                         (i + 1, event_id, device, seq, prev, digest, body, f"2025-0{1 + i // 2}-10T00:00:00Z"))
        conn.execute("UPDATE clock SET cursor = 4")
        conn.execute("INSERT INTO devices VALUES (%s, 'default', 'dev@example.com', 4, %s, %s)",
                     (rows[-1][1], rows[-1][4], rows[-1][0]))

    storage = PostgresStorage(url)
    try:
        assert storage.ready() is None
        assert storage.read(lambda t: t.x("SELECT relkind FROM pg_class WHERE oid = 'events'::regclass")
                            .fetchone()) == ("p",)
        assert dict(storage.read(lambda t: t.rows("SELECT tableoid::regclass::text, COUNT(*) FROM events"
                                                  " GROUP BY 1"))) == {"events_2025_01": 2, "events_2025_02": 2}
        token = storage.create_token("dev@example.com", "reviewer", "default")
        who = storage.principal(token)
        assert who is not None
        events = [{"id": r[0], "device": r[1], "seq": r[2], "prevHash": r[3], "hash": r[4], **orjson.loads(r[5])}
                  for r in rows]
        _, answer = storage.push(who, events[:2], None, "sha", lambda r: r)
        assert orjson.loads(answer) == {"accepted": 0, "duplicates": 2, "heads": {}}
        ledger.append("acceptance", acceptance_payload(9, regionId="M9"), actor="dev@example.com")
        r = ledger.conn.execute("SELECT id, device, seq, prev_hash, hash, body FROM events WHERE seq = 5").fetchone()
        _, answer = storage.push(who, [{"id": r[0], "device": r[1], "seq": r[2], "prevHash": r[3], "hash": r[4],
                                        **orjson.loads(r[5])}], None, "sha", lambda r: r)
        assert orjson.loads(answer)["accepted"] == 1
        assert storage.events("default", None, 4, 10)[1] == 5  # the clock went on after the old cursors
    finally:
        storage.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_regions_from_version_5_get_the_columns_an_incident_scope_compares(tmp_path: Path, backend: str,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from ailedger.sync.service import schema, scope
    from ailedger.sync.service.storage import region_fields
    from helpers_service import postgres_schema

    def open_storage():  # type: ignore[no-untyped-def]
        if backend == "sqlite":
            return SqliteStorage(tmp_path / "service.db")
        from ailedger.sync.service.postgres import PostgresStorage

        return PostgresStorage(url)

    url = postgres_schema("migrate_scope") if backend == "postgres" else ""
    with monkeypatch.context() as old_code:  # the service as it was at version 5
        old_code.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:5])
        old_code.setattr(schema, "VERSION", 5)
        old = open_storage()
        old_columns = [c for c in schema.REGION_COLUMNS if c not in schema.SCOPE_PARTS]
        for i, model in enumerate(({"provider": "openai", "id": "o3", "version": "2025-04-16"},
                                   {"provider": "openai", "id": "gpt-4.1", "version": None})):
            values = region_fields("acme", projection.from_acceptance(f"E{i}", acceptance_payload(
                i, regionId=f"OLD{i}", model=model, tool={"name": "cursor", "version": "1.2"})))._asdict()
            old.write(lambda t: t.x(f"INSERT INTO regions ({', '.join(old_columns)}) VALUES"
                                    f" ({', '.join('?' * len(old_columns))})", [values[c] for c in old_columns]))
        old.close()
        if backend == "sqlite":
            old.conn.close()

    storage = open_storage()
    try:
        assert storage.read(lambda t: t.rows("SELECT region_id, model_provider, model_id, model_version, tool_version"
                                             " FROM regions ORDER BY region_id")) == [
            ("OLD0", "openai", "o3", "2025-04-16", "1.2"), ("OLD1", "openai", "gpt-4.1", None, "1.2")]
        clause, params = scope.where({"model": {"provider": "openai", "version": "2025-04-16"},
                                      "tool": {"name": "cursor", "version": "1.2"}, "since": "2026-01-01"})
        assert storage.read(lambda t: t.rows(f"SELECT region_id FROM regions WHERE org = ?{clause}",
                                             ["acme", *params])) == [("OLD0",)]
    finally:
        storage.close()


def test_event_bodies_compress_with_lz4_in_every_month_from_version_6(monkeypatch: pytest.MonkeyPatch) -> None:
    """A version-6 database (pglz, the default) migrated: the events table, each month's partition there is
    and each made later store bodies with lz4; what was stored stays readable."""
    import psycopg

    from ailedger.sync.service import partitions, schema
    from ailedger.sync.service.postgres import PostgresStorage
    from helpers_service import postgres_schema

    url = postgres_schema("migrate_lz4")
    with monkeypatch.context() as old_code:
        old_code.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:6])
        old_code.setattr(schema, "VERSION", 6)
        old = PostgresStorage(url)
        old.prepare("2026-12-04T00:00:00Z")  # this month's partition and the next, as a running service makes them
        old.close()

    def compression() -> dict[str, str]:
        with psycopg.connect(url) as conn:
            return dict(conn.execute(
                "SELECT c.relname, a.attcompression FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                " WHERE a.attname = 'body' AND c.relnamespace = current_schema()::regnamespace"
                " AND c.relname LIKE 'events%'").fetchall())

    assert set(compression().values()) == {""}  # the default: pglz
    storage = PostgresStorage(url)
    try:
        storage.write(lambda t: partitions.ensure(t, "2027-05"))  # a month made after the migration
        found = compression()
        assert {"events", "events_default", "events_2026_12", "events_2027_01", "events_2027_05"} <= set(found)
        assert set(found.values()) == {"l"}, found
        assert storage.read(lambda t: t.x("SELECT version FROM schema_version").fetchone()[0]) == VERSION
    finally:
        storage.close()
