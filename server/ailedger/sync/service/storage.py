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
CREATE TABLE IF NOT EXISTS region_events (region_id TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (region_id, event_id));
CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY, org TEXT NOT NULL, device TEXT NOT NULL,
    event_id TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL);
"""


REGION_LIMIT = 5_000  # per listing: the dashboard and /v1/regions show the most recent this many


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

    def _conn_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.conn.executemany(sql, rows)

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
        """Check every event of the batch against its chain, then write them in
        a few batched statements (a round trip per event would make PostgreSQL
        ten times slower than SQLite)."""
        events = sorted(events, key=lambda e: (e["device"], e["seq"]))
        known: dict[str, str] = {}
        for k in range(0, len(events), 500):
            chunk = [e["id"] for e in events[k:k + 500]]
            marks = ",".join("?" * len(chunk))
            known.update(self._x(f"SELECT id, hash FROM events WHERE id IN ({marks})", chunk).fetchall())
        heads: dict[str, list[Any]] = {}
        fresh: list[dict[str, Any]] = []
        duplicates = 0
        for e in events:
            if e["id"] in known:
                if known[e["id"]] != e["hash"] or not hash_ok(e):
                    raise Refused(409, "altered", f"event {e['id']} differs from the copy already stored",
                                  e["id"], e["device"])
                duplicates += 1
                continue
            if not hash_ok(e):
                raise Refused(409, "altered", f"event {e['id']}: its hash does not match its content", e["id"], e["device"])
            head = heads.get(e["device"])
            if head is None:
                row = self._x("SELECT org, owner, seq, hash, event_id FROM devices WHERE device = ?",
                              (e["device"],)).fetchone()
                head = heads[e["device"]] = list(row) if row else [principal.org, principal.user, 0, "0" * 64, ""]
            if head[0] != principal.org or head[1] != principal.user:
                raise Refused(403, "not-yours", f"device {e['device'][:8]} belongs to another user")
            if e["seq"] != head[2] + 1:
                kind = "gap" if e["seq"] > head[2] + 1 else "fork"
                raise Refused(409, kind, f"event {e['id']}: seq {e['seq']} does not follow seq {head[2]} of device "
                              f"{e['device'][:8]}", e["id"], e["device"])
            if e["prevHash"] != head[3]:
                raise Refused(409, "fork", f"event {e['id']}: prevHash does not link to seq {head[2]}", e["id"], e["device"])
            head[2:5] = [e["seq"], e["hash"], e["id"]]
            known[e["id"]] = e["hash"]
            fresh.append(e)
        if fresh:
            self._write_events(principal.org, fresh)
            self._conn_many(
                "INSERT INTO devices VALUES (?,?,?,?,?,?) ON CONFLICT (device) DO UPDATE SET seq = excluded.seq,"
                " hash = excluded.hash, event_id = excluded.event_id",
                [(d, h[0], h[1], h[2], h[3], h[4]) for d, h in heads.items() if h[4]])
        changed = {d: {"seq": h[2], "hash": h[3], "eventId": h[4]} for d, h in heads.items() if h[4]}
        return {"accepted": len(fresh), "duplicates": duplicates, "heads": changed}

    def _write_events(self, org: str, events: list[dict[str, Any]]) -> None:
        """Insert new events and keep the regions projection (and each region's
        trail) in step, with the same pure projection the ledger uses."""
        from ...ledger import projection

        now = _now()
        new_repos: dict[str, str] = {}
        rows: dict[str, dict[str, Any]] = {}
        trail: list[tuple[str, str]] = []
        inserts = []
        # Incidents an acceptance may arrive after: stored ones (read once), and this batch's.
        stored: list[tuple[str, dict[str, Any]]] | None = None
        batch: list[tuple[str, dict[str, Any]]] = []
        for e in events:
            p = e["payload"]
            ids = projection.region_ids(e["type"], p)
            if e["type"] == "incident-open":  # by scope, over the organisation's regions (incidents are rare)
                known = {r["region_id"]: r for r in (orjson.loads(x[0]) for x in self._x(
                    "SELECT row FROM regions WHERE org = ? AND status != 'ended'", (org,)).fetchall())}
                ids = projection.incident_regions([r for r in {**known, **rows}.values() if r["status"] != "ended"], p)
                batch.append((e["id"], p))
            trail += [(region_id, e["id"]) for region_id in ids]
            if e["type"] == "acceptance":
                if stored is None:  # incidents belong to no repository: the (org, repo) index finds them
                    stored = [(x[0], orjson.loads(x[1])["payload"]) for x in self._x(
                        "SELECT id, body FROM events WHERE org = ? AND repo IS NULL AND type = ? ORDER BY cursor",
                        (org, "incident-open")).fetchall()]
                new_repos[p["regionId"]] = p["repo"]
                rows[p["regionId"]] = projection.under_incidents(projection.from_acceptance(e["id"], p),
                                                                 stored + batch)
                repo = p["repo"]
            else:
                repo = None
                for region_id in ids:
                    row = rows.get(region_id) or self._region_row(org, region_id)
                    if row is not None:
                        rows[region_id] = projection.apply(row, e["id"], e["type"], p, e["actor"])
                        repo = repo or (row["repo"] if not e["type"].startswith("incident-") else None)
            body = orjson.dumps({k: e[k] for k in ("actor", "payload", "ts", "type", "v")}).decode()
            inserts.append((e["id"], e["device"], e["seq"], e["prevHash"], e["hash"], e["type"], body, org, repo, now))
        self._conn_many("INSERT INTO events (id, device, seq, prev_hash, hash, type, body, org, repo, received_at)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?)", inserts)
        self._conn_many("INSERT INTO region_repos VALUES (?, ?) ON CONFLICT (region_id) DO NOTHING",
                        list(new_repos.items()))
        self._conn_many("INSERT INTO region_events VALUES (?, ?) ON CONFLICT DO NOTHING", trail)
        self._conn_many(
            "INSERT INTO regions VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (region_id) DO UPDATE SET"
            " path = excluded.path, status = excluded.status, row = excluded.row",
            [(r["region_id"], org, r["repo"], r["path"], r["status"], r["accepted_by"], r["tool_name"],
              "/".join(x for x in (r["model_provider"], r["model_id"]) if x) or None, r["accepted_at"],
              orjson.dumps(r).decode()) for r in rows.values()])

    def _region_row(self, org: str, region_id: str) -> dict[str, Any] | None:
        found = self._x("SELECT row FROM regions WHERE region_id = ? AND org = ?", (region_id, org)).fetchone()
        return orjson.loads(found[0]) if found else None

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
            rows = self._x(sql + f" ORDER BY accepted_at DESC LIMIT {REGION_LIMIT}", params).fetchall()
        return [orjson.loads(r[0]) for r in reversed(rows)]  # the most recent, oldest first

    def trail(self, org: str, region_id: str) -> list[dict[str, Any]]:
        """Every event that speaks of a region, oldest first."""
        with self.lock:
            rows = self._x(
                "SELECT e.id, e.device, e.seq, e.prev_hash, e.hash, e.body FROM region_events r"
                " JOIN events e ON e.id = r.event_id WHERE r.region_id = ? AND e.org = ? ORDER BY e.cursor",
                (region_id, org)).fetchall()
        return [{"id": r[0], "device": r[1], "seq": r[2], "prevHash": r[3], "hash": r[4], **orjson.loads(r[5])}
                for r in rows]

    # --- reading ----------------------------------------------------------

    def head(self, org: str, device: str) -> dict[str, Any] | None:
        with self.lock:
            row = self._x("SELECT seq, hash, event_id FROM devices WHERE device = ? AND org = ?",
                                    (device, org)).fetchone()
        return {"seq": row[0], "hash": row[1], "eventId": row[2]} if row else None

    def events(self, org: str, repo: str | None, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        sql = "SELECT cursor, id, device, seq, prev_hash, hash, body FROM events WHERE org = ? AND cursor > ?"
        params: list[Any] = [org, after]
        if repo is not None:  # and the organisation's advisories (incidents), which belong to no repository
            sql += " AND (repo = ? OR repo IS NULL)"
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

    def _conn_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            with self.conn.cursor() as cursor:
                cursor.executemany(sql.replace("?", "%s"), rows)


def open_storage(data: Path, database_url: str | None) -> Storage:
    return PostgresStorage(database_url) if database_url else SqliteStorage(data / "service.db")
