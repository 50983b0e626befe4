"""The service's storage: events from every device, their heads, tokens,
idempotency records and tamper alerts. SQLite here; the interface is what a
PostgreSQL backend implements too.

Every push is one transaction: an event is either stored with its whole
batch, or the batch is refused and nothing of it is kept (except the alert
that says why).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from ..chain import hash_ok

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, user_email TEXT NOT NULL, role TEXT NOT NULL,
    org TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (cursor INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, device TEXT NOT NULL,
    seq INTEGER NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL,
    org TEXT NOT NULL, repo TEXT, received_at TEXT NOT NULL, UNIQUE (device, seq));
CREATE INDEX IF NOT EXISTS events_repo ON events (org, repo, cursor);
CREATE TABLE IF NOT EXISTS devices (device TEXT PRIMARY KEY, org TEXT NOT NULL, owner TEXT NOT NULL,
    seq INTEGER NOT NULL, hash TEXT NOT NULL, event_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS region_repos (region_id TEXT PRIMARY KEY, repo TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, body_sha TEXT NOT NULL, status INTEGER NOT NULL,
    response TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS regions (region_id TEXT PRIMARY KEY, org TEXT NOT NULL, repo TEXT NOT NULL,
    path TEXT NOT NULL, status TEXT NOT NULL, accepted_by TEXT NOT NULL, tool TEXT NOT NULL, model TEXT,
    accepted_at TEXT NOT NULL, row TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS regions_org ON regions (org, repo, status);
CREATE TABLE IF NOT EXISTS region_events (region_id TEXT NOT NULL, cursor INTEGER NOT NULL, PRIMARY KEY (region_id, cursor));
CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY, org TEXT NOT NULL, device TEXT NOT NULL,
    event_id TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Principal:
    user: str
    role: str
    org: str


class Refused(Exception):
    """A push the service will not merge: (status, kind, message)."""

    def __init__(self, status: int, kind: str, message: str, event_id: str = "", device: str = "") -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.event_id, self.device = status, kind, message, event_id, device


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Storage:
    """Shared by both backends: the SQL is portable but for placeholders and the schema."""

    conn: Any
    lock: threading.Lock
    begin = "BEGIN"

    def _x(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        return self.conn.execute(sql, params)

    # --- tokens -----------------------------------------------------------

    def create_token(self, user: str, role: str, org: str) -> str:
        token = "ail_" + secrets.token_urlsafe(32)
        with self.lock:
            self._x("INSERT INTO tokens VALUES (?,?,?,?,?)", (token_hash(token), user, role, org, _now()))
        return token

    def principal(self, token: str) -> Principal | None:
        with self.lock:
            row = self._x("SELECT user_email, role, org FROM tokens WHERE hash = ?", (token_hash(token),)).fetchone()
        return Principal(*row) if row else None

    # --- pushing ----------------------------------------------------------

    def idempotent(self, key: str, body_sha: str) -> tuple[int, bytes] | None:
        with self.lock:
            row = self._x("SELECT body_sha, status, response FROM idempotency WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        if row[0] != body_sha:
            raise Refused(422, "idempotency", f"Idempotency-Key {key!r} was used with a different body")
        return row[1], row[2].encode()

    def push(self, principal: Principal, events: list[dict[str, Any]], key: str | None, body_sha: str,
             respond: Any) -> tuple[int, bytes]:
        """Merge a batch (all or nothing); returns (status, response body)."""
        with self.lock:
            self._x(self.begin)
            try:
                result = self._merge(principal, events)
                status, response = 200, orjson.dumps(respond(result))
                if key:
                    self._x("INSERT INTO idempotency VALUES (?,?,?,?) ON CONFLICT (key) DO NOTHING",
                            (key, body_sha, status, response.decode()))
                self._x("COMMIT")
                return status, response
            except Refused as refused:
                self._x("ROLLBACK")
                if refused.status == 409:
                    self._x("INSERT INTO alerts (org, device, event_id, kind, detail, at) VALUES (?,?,?,?,?,?)",
                                      (principal.org, refused.device, refused.event_id, refused.kind, refused.message, _now()))
                raise
            except BaseException:
                self._x("ROLLBACK")
                raise

    def _merge(self, principal: Principal, events: list[dict[str, Any]]) -> dict[str, Any]:
        accepted = duplicates = 0
        heads: dict[str, dict[str, Any]] = {}
        for e in sorted(events, key=lambda e: (e["device"], e["seq"])):
            known = self._x("SELECT hash FROM events WHERE id = ?", (e["id"],)).fetchone()
            if known is not None:
                if known[0] != e["hash"] or not hash_ok(e):
                    raise Refused(409, "altered", f"event {e['id']} differs from the copy already stored",
                                  e["id"], e["device"])
                duplicates += 1
                continue
            if not hash_ok(e):
                raise Refused(409, "altered", f"event {e['id']}: its hash does not match its content", e["id"], e["device"])
            head = self._x("SELECT org, owner, seq, hash FROM devices WHERE device = ?", (e["device"],)).fetchone()
            if head is not None and (head[0] != principal.org or head[1] != principal.user):
                raise Refused(403, "not-yours", f"device {e['device'][:8]} belongs to another user")
            seq, prev = (head[2], head[3]) if head else (0, "0" * 64)
            if e["seq"] != seq + 1:
                kind = "gap" if e["seq"] > seq + 1 else "fork"
                raise Refused(409, kind, f"event {e['id']}: seq {e['seq']} does not follow seq {seq} of device "
                              f"{e['device'][:8]}", e["id"], e["device"])
            if e["prevHash"] != prev:
                raise Refused(409, "fork", f"event {e['id']}: prevHash does not link to seq {seq}", e["id"], e["device"])
            repo = self._repo_of(e)
            body = orjson.dumps({k: e[k] for k in ("actor", "payload", "ts", "type", "v")}).decode()
            self._x(
                "INSERT INTO events (id, device, seq, prev_hash, hash, type, body, org, repo, received_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                (e["id"], e["device"], e["seq"], e["prevHash"], e["hash"], e["type"], body, principal.org, repo, _now()))
            self._x(
                "INSERT INTO devices VALUES (?,?,?,?,?,?) ON CONFLICT(device) DO UPDATE SET seq=excluded.seq,"
                " hash=excluded.hash, event_id=excluded.event_id",
                (e["device"], principal.org, principal.user, e["seq"], e["hash"], e["id"]))
            self._project(principal.org, e)
            heads[e["device"]] = {"seq": e["seq"], "hash": e["hash"], "eventId": e["id"]}
            accepted += 1
        return {"accepted": accepted, "duplicates": duplicates, "heads": heads}

    def _project(self, org: str, e: dict[str, Any]) -> None:
        """Keep the organisation's regions (and each region's trail) in step,
        with the same pure projection the ledger uses."""
        from ...ledger import projection

        cursor = self._x("SELECT cursor FROM events WHERE id = ?", (e["id"],)).fetchone()[0]
        ids = projection.region_ids(e["type"], e["payload"])
        for region_id in ids:
            self._x("INSERT INTO region_events VALUES (?, ?) ON CONFLICT DO NOTHING", (region_id, cursor))
        if e["type"] == "acceptance":
            rows = [projection.from_acceptance(e["id"], e["payload"])]
        else:
            rows = []
            for region_id in ids:
                found = self._x("SELECT row FROM regions WHERE region_id = ? AND org = ?", (region_id, org)).fetchone()
                if found:
                    rows.append(projection.apply(orjson.loads(found[0]), e["id"], e["type"], e["payload"], e["actor"]))
        for row in rows:
            model = "/".join(x for x in (row["model_provider"], row["model_id"]) if x) or None
            self._x(
                "INSERT INTO regions VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (region_id) DO UPDATE SET"
                " path = excluded.path, status = excluded.status, row = excluded.row",
                (row["region_id"], org, row["repo"], row["path"], row["status"], row["accepted_by"],
                 row["tool_name"], model, row["accepted_at"], orjson.dumps(row).decode()))

    def regions(self, org: str, **filters: Any) -> list[dict[str, Any]]:
        """Regions of the organisation, filtered by repo, path, author, tool, model, status, age."""
        sql, params = "SELECT row FROM regions WHERE org = ?", [org]
        for column, key in (("repo", "repo"), ("path", "path"), ("accepted_by", "author"), ("tool", "tool"),
                            ("model", "model"), ("status", "status")):
            if filters.get(key):
                sql += f" AND {column} = ?"
                params.append(filters[key])
        if filters.get("older_than"):
            sql += " AND accepted_at < ?"
            params.append(filters["older_than"])
        with self.lock:
            rows = self._x(sql + " ORDER BY accepted_at LIMIT 5000", params).fetchall()
        return [orjson.loads(r[0]) for r in rows]

    def trail(self, org: str, region_id: str) -> list[dict[str, Any]]:
        """Every event that speaks of a region, oldest first."""
        with self.lock:
            rows = self._x(
                "SELECT e.id, e.device, e.seq, e.prev_hash, e.hash, e.body FROM region_events r"
                " JOIN events e ON e.cursor = r.cursor WHERE r.region_id = ? AND e.org = ? ORDER BY e.cursor",
                (region_id, org)).fetchall()
        return [{"id": r[0], "device": r[1], "seq": r[2], "prevHash": r[3], "hash": r[4], **orjson.loads(r[5])}
                for r in rows]

    def _repo_of(self, e: dict[str, Any]) -> str | None:
        p = e["payload"]
        if e["type"] == "acceptance" and isinstance(p.get("repo"), str):
            self._x("INSERT INTO region_repos VALUES (?, ?) ON CONFLICT (region_id) DO NOTHING",
                    (p.get("regionId"), p["repo"]))
            return p["repo"]
        ids = p.get("regionIds") or [p.get("regionId")]
        for region_id in ids:
            row = self._x("SELECT repo FROM region_repos WHERE region_id = ?", (region_id,)).fetchone()
            if row:
                return row[0]
        return None

    # --- reading ----------------------------------------------------------

    def head(self, org: str, device: str) -> dict[str, Any] | None:
        with self.lock:
            row = self._x("SELECT seq, hash, event_id FROM devices WHERE device = ? AND org = ?",
                                    (device, org)).fetchone()
        return {"seq": row[0], "hash": row[1], "eventId": row[2]} if row else None

    def events(self, org: str, repo: str | None, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        sql = "SELECT cursor, id, device, seq, prev_hash, hash, body FROM events WHERE org = ? AND cursor > ?"
        params: list[Any] = [org, after]
        if repo is not None:
            sql += " AND repo = ?"
            params.append(repo)
        with self.lock:
            rows = self._x(sql + " ORDER BY cursor LIMIT ?", (*params, limit)).fetchall()
        out = [{"id": r[1], "device": r[2], "seq": r[3], "prevHash": r[4], "hash": r[5], **orjson.loads(r[6])}
               for r in rows]
        return out, (rows[-1][0] if rows else after)

    def alerts(self, org: str) -> list[dict[str, Any]]:
        with self.lock:
            rows = self._x("SELECT device, event_id, kind, detail, at FROM alerts WHERE org = ? ORDER BY id",
                                     (org,)).fetchall()
        return [dict(zip(("device", "eventId", "kind", "detail", "at"), r)) for r in rows]

    def count(self) -> int:
        with self.lock:
            return self._x("SELECT COUNT(*) FROM events").fetchone()[0]


class SqliteStorage(Storage):
    """The embedded default: one file under --data."""

    begin = "BEGIN IMMEDIATE"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=60)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.executescript(SCHEMA)
        self.lock = threading.Lock()


class PostgresStorage(Storage):
    """At scale: `--database-url postgresql://...`."""

    def __init__(self, url: str) -> None:
        import psycopg

        try:
            self.conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as err:
            raise ConnectionError(f"cannot connect to {url.split('@')[-1]}: {err}".strip()) from None
        for statement in SCHEMA.replace("cursor INTEGER PRIMARY KEY", "cursor BIGSERIAL PRIMARY KEY").replace(
                "id INTEGER PRIMARY KEY", "id BIGSERIAL PRIMARY KEY").split(";"):
            if statement.strip():
                self.conn.execute(statement)
        self.lock = threading.Lock()

    def _x(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        return self.conn.execute(sql.replace("?", "%s"), params)


def open_storage(data: Path, database_url: str | None) -> Storage:
    return PostgresStorage(database_url) if database_url else SqliteStorage(data / "service.db")
