"""The service's storage: events from every device, their heads, tokens,
idempotency records, tamper alerts and the regions projection.

Correctness lives in the database, never in a process's memory, so any
number of service processes may share one PostgreSQL:

- A push is one transaction: its batch is stored whole or not at all (only
  the alert that says why a batch was refused is kept).
- Per-device chain order: the push locks the heads of the devices it carries
  (`SELECT ... FOR UPDATE`, in device order so two pushes never deadlock)
  before it reads what is stored. A second replica pushing the same batch
  waits for the first to commit, then sees the events as duplicates.
- Dedupe: unique keys on the event id, (device, seq) and the idempotency key
  are the backstop; a transaction that meets one anyway (or a deadlock, or a
  serialization failure) is retried from the start.
- Pull order: an event's `cursor` is taken from one counter row (`clock`)
  locked as the last thing before commit, so cursors are handed out in commit
  order: a puller that has seen cursor N will never later find an event below
  N appear (a cursor taken at insert time, as before, let a later batch commit
  first and pullers skip the earlier one for good). The cost is that the tail
  of each push is serial per database, so it is kept short: the kept counts
  (rollup.py), then the clock's update and one COPY of the events (their rows
  and event ids made before), then the commit.

The embedded SQLite backend is one process: a lock and BEGIN IMMEDIATE.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson

from ...placement.describe import model_name
from ...ledger import projection
from ..chain import hash_ok, hashed_body
from . import rollup, scope
from .schema import REGION_COLUMNS, RegionColumns, migrate_sqlite


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


def one_line(err: Exception) -> str:
    """PostgreSQL's own words for an error, on one line: its primary message (not
    the statement and caret it may add), else libpq's (a hint on a second line)."""
    primary = getattr(getattr(err, "diag", None), "message_primary", None)
    return " ".join((primary or str(err)).split())


class Unavailable(Exception):
    """The database cannot be reached now: the client should retry (503)."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


_UTC_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(\d{1,6}))?Z")


def stamp(value: str) -> str:
    """An RFC 3339 time in one sortable form (UTC, microseconds), so that
    comparing and indexing the text compares the instants."""
    utc = _UTC_STAMP.fullmatch(value)
    if utc:  # already UTC, as ailedger writes them: only the fraction to pad (ingest stamps every region)
        return f"{value[:19]}.{(utc.group(1) or '').ljust(6, '0')}Z"
    when = datetime.fromisoformat(value)
    when = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tx:
    """One transaction's statements, in portable SQL (`?` placeholders)."""

    def __init__(self, conn: Any, postgres: bool) -> None:
        self.conn, self.postgres = conn, postgres
        self.for_update = " FOR UPDATE" if postgres else ""

    def x(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        return self.conn.execute(sql.replace("?", "%s") if self.postgres else sql, params)

    def rows(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        return self.x(sql, params).fetchall()

    def among(self, column: str, values: list[Any]) -> tuple[str, list[Any]]:
        """`column` is one of `values`: one parameter on PostgreSQL (a JSON array: psycopg's
        list adapter took ten times the CPU for a batch's thousand ids), a list on SQLite."""
        if self.postgres:
            return f"{column} = ANY(ARRAY(SELECT json_array_elements_text(?::json)))", [orjson.dumps(values).decode()]
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    def insert(self, table: str, columns: tuple[str, ...], types: tuple[str, ...], rows: list[tuple[Any, ...]],
               tail: str = "") -> None:
        """Many rows in one statement: on PostgreSQL one round trip carrying the
        rows as one JSON document (`json_to_recordset`: orjson writes it, the
        server parses it; psycopg's array adapter was 80% of a push), on the
        embedded SQLite executemany."""
        if not rows:
            return
        names = ", ".join(columns)
        if not self.postgres:
            self.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({','.join('?' * len(columns))}) {tail}",
                                  rows)
            return
        spec = ", ".join(f"{c} {t}" for c, t in zip(columns, types))
        document = orjson.dumps([dict(zip(columns, row)) for row in rows]).decode()
        self.conn.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM json_to_recordset(%s::json)"
                          f" AS x({spec}) {tail}", [document])

    def copy(self, table: str, columns: tuple[str, ...], types: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """New rows, none of which can be there yet (a unique key met anyway is a
        collision: the transaction is retried). On PostgreSQL a binary COPY, the
        cheapest way in for both sides (psycopg writes the rows in C; a third less
        CPU than `insert`'s JSON document, measured on the regions table)."""
        if not rows:
            return
        names = ", ".join(columns)
        if not self.postgres:
            self.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({','.join('?' * len(columns))})", rows)
            return
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as out:
            out.set_types(list(types))
            for row in rows:
                out.write_row(row)


EVENT_COLUMNS = ("cursor", "id", "device", "seq", "prev_hash", "hash", "type", "body", "org", "repo", "received_at")
EVENT_TYPES = ("bigint", "text", "text", "bigint", "text", "text", "text", "text", "text", "text", "text")
REGION_TYPES = tuple("double precision" if c in ("review_hours",) else "text" for c in REGION_COLUMNS)


def region_fields(org: str, row: dict[str, Any]) -> RegionColumns:
    """The regions table's row for a projection row (kept whole, as JSON, in its last column)."""
    reviews = row["reviews"]
    if isinstance(reviews, str):
        reviews = orjson.loads(reviews) if reviews != "[]" else ()  # most rows at ingest: not yet reviewed
    accepted = stamp(row["accepted_at"])
    first = approved = hours = None
    if reviews:
        first = min(stamp(r["at"]) for r in reviews)
        approved = min((stamp(r["at"]) for r in reviews if r["verdict"] != "rejected"), default=None)
        hours = max(0.0, (datetime.fromisoformat(first) - datetime.fromisoformat(accepted)).total_seconds() / 3600)
    provider, model_id = row.get("model_provider"), row.get("model_id")
    model = f"{provider}/{model_id}" if provider and model_id else provider or model_id or None
    return RegionColumns(row["region_id"], org, row["repo"], row["path"], row["status"], row["accepted_by"],
                         row["tool_name"], model, model_name(row), row["accepted_at"], accepted, first, approved,
                         hours, provider, model_id, row.get("model_version"), row.get("tool_version"),
                         orjson.dumps(row).decode())


class Storage:
    """Both backends: the SQL is shared; each says how to open a transaction."""

    postgres = False
    received_now: Callable[[], str] = staticmethod(_now)  # the clock stamping received_at (tests set it)

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        raise NotImplementedError

    def read(self, fn: Callable[[Tx], Any]) -> Any:
        with self.tx() as t:
            return fn(t)

    def write(self, fn: Callable[[Tx], Any]) -> Any:
        """Run `fn` in a transaction, again from the start if the database
        says two transactions collided (deadlock, serialization, a unique key
        another transaction took first)."""
        for attempt in range(8):
            try:
                with self.tx() as t:
                    return fn(t)
            except Exception as err:  # noqa: BLE001 - only collisions are retried
                if attempt == 7 or not self.collided(err):
                    raise
                time.sleep(0.002 * 2 ** attempt)
        raise AssertionError("unreachable")

    def collided(self, err: Exception) -> bool:
        return False

    def prepare(self, received: str) -> None:
        """Whatever storing events received at `received` needs first (PostgreSQL: the month's partition)."""

    def close(self) -> None:
        pass

    # --- tokens -----------------------------------------------------------

    def create_token(self, user: str, role: str, org: str) -> str:
        token = "ail_" + secrets.token_urlsafe(32)
        self.write(lambda t: t.x("INSERT INTO tokens VALUES (?,?,?,?,?)", (token_hash(token), user, role, org, _now())))
        return token

    def revoke_token(self, token: str) -> bool:
        """Forget a token: every replica refuses it from the next request (none caches tokens)."""
        return self.write(lambda t: t.x("DELETE FROM tokens WHERE hash = ?", (token_hash(token),)).rowcount) > 0

    def principal(self, token: str) -> Principal | None:
        row = self.read(lambda t: t.x("SELECT user_email, role, org FROM tokens WHERE hash = ?",
                                      (token_hash(token),)).fetchone())
        return Principal(*row) if row else None

    # --- pushing ----------------------------------------------------------

    def idempotent(self, key: str, body_sha: str) -> tuple[int, bytes] | None:
        return self.read(lambda t: _idempotent(t, key, body_sha))

    def push(self, principal: Principal, events: list[dict[str, Any]], key: str | None, body_sha: str,
             respond: Callable[[dict[str, Any]], Any]) -> tuple[int, bytes]:
        """Merge a batch (all or nothing); returns (status, response body)."""
        refused = _invalid(events)
        if refused is not None:
            raise refused
        received = self.received_now()
        self.prepare(received)
        try:
            return self.write(lambda t: _push(t, principal, events, key, body_sha, respond, received))
        except Refused as refused:
            if refused.status == 409:
                self.write(lambda t: t.x(
                    "INSERT INTO alerts (org, device, event_id, kind, detail, at) VALUES (?,?,?,?,?,?)",
                    (principal.org, refused.device, refused.event_id, refused.kind, refused.message, _now())))
            raise
        except Unavailable:
            raise
        except Exception:  # the transaction is rolled back; if an event's payload is why, say which and what
            culprit = _unstorable(events)
            if culprit is None:
                raise
            raise culprit from None

    # --- reading ----------------------------------------------------------

    def regions(self, org: str, filters: dict[str, Any] | None = None, limit: int = 100,
                cursor: str | None = None) -> dict[str, Any]:
        from .queries import regions_page

        return self.read(lambda t: regions_page(t, org, filters or {}, limit, cursor))

    def region(self, org: str, region_id: str) -> dict[str, Any] | None:
        found = self.read(lambda t: t.x("SELECT row FROM regions WHERE region_id = ? AND org = ?",
                                        (region_id, org)).fetchone())
        return orjson.loads(found[0]) if found else None

    def trail(self, org: str, region_id: str, limit: int, cursor: str | None = None) -> dict[str, Any]:
        """A page of the events that speak of a region, oldest first: its trail
        rows and the acceptance its row names (which has no trail row: see
        `_project`). {"events", "next": the next page's cursor or None, "total"}.
        Paged: a region in a file saved all day gains an update at each save."""
        after = decode_number_cursor(cursor) if cursor else -1
        # PostgreSQL finds an event by id through event_ids, then by (device, seq) in its month's partition
        # (an index by id on the events themselves would be a second one to write per event).
        join = ("JOIN event_ids i ON i.id = r.event_id JOIN events e ON e.device = i.device AND e.seq = i.seq"
                if self.postgres else "JOIN events e ON e.id = r.event_id")

        def read(t: Tx) -> tuple[int, list[tuple[Any, ...]]]:
            found = t.x("SELECT row FROM regions WHERE region_id = ? AND org = ?", (region_id, org)).fetchone()
            accepted = orjson.loads(found[0])["accepted_event"] if found else ""
            events = (f"FROM (SELECT event_id FROM region_events WHERE region_id = ? UNION SELECT ?) AS r {join}"
                      " WHERE e.org = ?")
            params = (region_id, accepted, org)
            return (t.x(f"SELECT COUNT(*) {events}", params).fetchone()[0],
                    t.rows(f"SELECT e.cursor, e.id, e.device, e.seq, e.prev_hash, e.hash, e.body {events}"
                           " AND e.cursor > ? ORDER BY e.cursor LIMIT ?", (*params, after, limit + 1)))

        total, rows = self.read(read)
        more, rows = len(rows) > limit, rows[:limit]
        return {"events": [_event(r) for r in rows], "next": encode_cursor((str(rows[-1][0]),)) if more else None,
                "total": total}

    def head(self, org: str, device: str) -> dict[str, Any] | None:
        row = self.read(lambda t: t.x("SELECT seq, hash, event_id FROM devices WHERE device = ? AND org = ?"
                                      " AND seq > 0", (device, org)).fetchone())
        return {"seq": row[0], "hash": row[1], "eventId": row[2]} if row else None

    def events(self, org: str, repo: str | None, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        sql = "SELECT cursor, id, device, seq, prev_hash, hash, body FROM events WHERE org = ? AND cursor > ?"
        params: list[Any] = [org, after]
        if repo is not None:  # and incidents, which belong to no repository: they reach every ledger
            sql += " AND (repo = ? OR repo IS NULL)"
            params.append(repo)
        rows = self.read(lambda t: t.rows(sql + " ORDER BY cursor LIMIT ?", (*params, limit)))
        return [_event(r) for r in rows], (rows[-1][0] if rows else after)

    def alerts(self, org: str, limit: int = 100, cursor: str | None = None,
               newest_first: bool = False) -> dict[str, Any]:
        """A page of the organisation's tamper alerts, oldest first (or newest):
        {"alerts", "next": the next page's cursor or None, "total": all of them}.
        Paged: a device that keeps pushing a forked chain adds one per push."""
        after = decode_number_cursor(cursor) if cursor else None
        sql, params = "SELECT id, device, event_id, kind, detail, at FROM alerts WHERE org = ?", [org]
        if after is not None:
            sql, params = sql + (" AND id < ?" if newest_first else " AND id > ?"), [*params, after]
        sql += " ORDER BY id DESC LIMIT ?" if newest_first else " ORDER BY id LIMIT ?"

        def read(t: Tx) -> tuple[int, list[tuple[Any, ...]]]:
            return (t.x("SELECT COUNT(*) FROM alerts WHERE org = ?", (org,)).fetchone()[0],
                    t.rows(sql, [*params, limit + 1]))

        total, rows = self.read(read)
        more, rows = len(rows) > limit, rows[:limit]
        return {"alerts": [dict(zip(("device", "eventId", "kind", "detail", "at"), r[1:])) for r in rows],
                "next": encode_cursor((str(rows[-1][0]),)) if more else None, "total": total}

    def count(self) -> int:
        return self.read(lambda t: t.x("SELECT COUNT(*) FROM events").fetchone()[0])

    def ready(self) -> str | None:
        """None when the database answers and its schema is current, else why not."""
        from .schema import VERSION

        try:
            found = self.read(lambda t: t.x("SELECT version FROM schema_version").fetchone())
        except Exception as err:  # noqa: BLE001 - any failure means not ready; say which
            return f"database: {type(err).__name__}: {one_line(err)[:200]}"
        if not found or found[0] != VERSION:
            return f"schema version {found[0] if found else None}, expected {VERSION}"
        return None


def _event(row: tuple[Any, ...]) -> dict[str, Any]:
    """An event as it travels (the `Event` shape), from a stored row (cursor, id, device, seq, prev_hash, hash, body)."""
    return {"id": row[1], "device": row[2], "seq": row[3], "prevHash": row[4], "hash": row[5], **orjson.loads(row[6])}


def _idempotent(t: Tx, key: str, body_sha: str) -> tuple[int, bytes] | None:
    row = t.x("SELECT body_sha, status, response FROM idempotency WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    if row[0] != body_sha:
        raise Refused(422, "idempotency", f"Idempotency-Key {key!r} was used with a different body")
    return row[1], row[2].encode()


def _push(t: Tx, principal: Principal, events: list[dict[str, Any]], key: str | None, body_sha: str,
          respond: Callable[[dict[str, Any]], Any], received: str) -> tuple[int, bytes]:
    events = sorted(events, key=lambda e: (e["device"], e["seq"]))
    heads = _lock_heads(t, principal, sorted({e["device"] for e in events}))
    if key:  # read again under the lock: the same batch may have just committed through another replica
        seen = _idempotent(t, key, body_sha)
        if seen is not None:
            return seen
    fresh, duplicates = _check(t, principal, events, heads)
    changed = {d: h for d, h in heads.items() if h["changed"]}
    result = {"accepted": len(fresh), "duplicates": duplicates,
              "heads": {d: {"seq": h["seq"], "hash": h["hash"], "eventId": h["eventId"]} for d, h in changed.items()}}
    status, response = 200, orjson.dumps(respond(result))
    if fresh and t.postgres:  # the unique keys standing for the partitioned table's (see partitions.py); early,
        # so the serial tail under the clock holds only the events themselves
        t.copy("event_ids", ("id", "device", "seq", "hash"), ("text", "text", "bigint", "text"),
               [(e["id"], e["device"], e["seq"], e["hash"]) for e in fresh])
    count = _project(t, principal.org, fresh) if fresh else None
    for d, h in changed.items():
        t.x("UPDATE devices SET seq = ?, hash = ?, event_id = ? WHERE device = ?", (h["seq"], h["hash"], h["eventId"], d))
    if key:
        t.x("INSERT INTO idempotency VALUES (?,?,?,?) ON CONFLICT (key) DO NOTHING",
            (key, body_sha, status, response.decode()))
    if count is not None:
        count()
        _append(t, principal.org, fresh, received)  # last: takes the clock, held until commit
    return status, response


def _invalid(events: list[dict[str, Any]]) -> Refused | None:
    """The first event whose payload the ledger's own models refuse, as a
    refusal naming it and the field (400), before anything is stored. An
    honest ledger validated every event it appended, so such an event comes
    from a buggy or hostile client: the audit store keeps only what a ledger
    could have written. Fields the models do not name are allowed (a newer
    client's additions: the hash covers them as sent); the models never
    tighten (see models.py), so an older ledger's events still pass."""
    from pydantic import ValidationError

    from ...models import PAYLOADS, InvalidMessage, adapter

    checks: dict[str, Callable[[Any], Any]] = {}  # each kind's validator, looked up once a push (3 us an event)
    for e in events:
        kind = e["type"]
        if kind not in PAYLOADS:  # the app's shape check refuses these first; here for any other caller
            return Refused(400, "invalid", f"event {e['id']}: unknown type {kind!r}; expected one of"
                           f" {', '.join(PAYLOADS)}", e["id"], e["device"])
        check = checks.get(kind) or checks.setdefault(kind, adapter(PAYLOADS[kind]).validate_python)
        try:
            check(e["payload"])
        except ValidationError as err:
            return Refused(400, "invalid", f"event {e['id']}: {InvalidMessage(f'{kind} event', err)}", e["id"],
                           e["device"])
    return None


def _unstorable(events: list[dict[str, Any]]) -> Refused | None:
    """After a push failed: the first event whose payload no column of
    PostgreSQL's can hold (a NUL character), as a refusal naming it (400).
    Looked for only then: it costs every event a serialisation."""
    for e in events:
        if b"\\u0000" in orjson.dumps(e["payload"]):
            return Refused(400, "invalid", f"event {e['id']}: its payload holds a NUL character", e["id"], e["device"])
    return None


def _lock_heads(t: Tx, principal: Principal, devices: list[str]) -> dict[str, dict[str, Any]]:
    """Each device's head, locked for this transaction (a new device gets an
    empty head owned by the pusher; it is rolled back if the push is refused)."""
    t.insert("devices", ("device", "org", "owner", "seq", "hash", "event_id"),
             ("text", "text", "text", "bigint", "text", "text"),
             [(d, principal.org, principal.user, 0, "0" * 64, "") for d in devices], "ON CONFLICT (device) DO NOTHING")
    where, params = t.among("device", devices)
    rows = t.rows(f"SELECT device, org, owner, seq, hash, event_id FROM devices WHERE {where} ORDER BY device"
                  + t.for_update, params)
    heads = {}
    for device, org, owner, seq, digest, event_id in rows:
        if org != principal.org or owner != principal.user:
            raise Refused(403, "not-yours", f"device {device[:8]} belongs to another user")
        heads[device] = {"seq": seq, "hash": digest, "eventId": event_id, "changed": False}
    return heads


def _check(t: Tx, principal: Principal, events: list[dict[str, Any]],
           heads: dict[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """One pass over the batch against the locked heads: (new events, duplicates)."""
    known: dict[str, str] = {}
    ids = [e["id"] for e in events]
    step = len(ids) if t.postgres else 500  # SQLite caps the parameters of a statement
    table = "event_ids" if t.postgres else "events"  # event_ids: unpartitioned, and kept when months are dropped
    for k in range(0, len(ids), step):
        where, params = t.among("id", ids[k:k + step])
        known.update(t.rows(f"SELECT id, hash FROM {table} WHERE {where}", params))
    fresh: list[dict[str, Any]] = []
    duplicates = 0
    for e in events:
        if e["id"] in known:
            if known[e["id"]] != e["hash"] or not hash_ok(e):
                raise Refused(409, "altered", f"event {e['id']} differs from the copy already stored",
                              e["id"], e["device"])
            duplicates += 1
            continue
        body = hashed_body(e)
        if body is None:
            raise Refused(409, "altered", f"event {e['id']}: its hash does not match its content", e["id"], e["device"])
        head = heads[e["device"]]
        if e["seq"] != head["seq"] + 1:
            kind = "gap" if e["seq"] > head["seq"] + 1 else "fork"
            raise Refused(409, kind, f"event {e['id']}: seq {e['seq']} does not follow seq {head['seq']} of device "
                          f"{e['device'][:8]}", e["id"], e["device"])
        if e["prevHash"] != head["hash"]:
            raise Refused(409, "fork", f"event {e['id']}: prevHash does not link to seq {head['seq']}",
                          e["id"], e["device"])
        head.update(seq=e["seq"], hash=e["hash"], eventId=e["id"], changed=True)
        known[e["id"]] = e["hash"]
        e["_body"] = body.decode()  # stored as hashed: canonical
        fresh.append(e)
    return fresh, duplicates


def _project(t: Tx, org: str, events: list[dict[str, Any]]) -> Callable[[], None]:
    """The regions projection (and each region's trail), in step with the
    events, in the same transaction: the rows the batch touches are read (and
    locked) in one query, changed by the ledger's own pure projection, and
    written back in one statement. Returns the step that updates the kept
    counts, for the caller to run just before taking the clock."""
    _order_incidents(t, org, {e["type"] for e in events})
    touched = sorted({r for e in events for r in projection.region_ids(e["type"], e["payload"])})
    rows: dict[str, dict[str, Any]] = {}
    where, params = t.among("region_id", touched)
    # By the primary key alone: with `org = ?` beside it PostgreSQL's planner, its statistics a little behind
    # a growing table, ANDed in a scan of every region of the organisation (22 ms a push at 20,000 regions).
    for region_id, owner, row in t.rows(f"SELECT region_id, org, row FROM regions WHERE {where}"
                                        f" ORDER BY region_id{t.for_update}", params):
        if owner != org:  # region ids are random: only a forged event names another organisation's
            raise Refused(403, "not-yours", f"region {region_id} belongs to another organisation")
        rows[region_id] = orjson.loads(row)
    before = {region_id: region_fields(org, row) for region_id, row in rows.items()}
    trail: list[tuple[str, str]] = []
    replaced: list[tuple[str, str]] = []  # (region, the acceptance a new one replaces)
    incidents: projection.Incidents | None = None  # the organisation's, read when first needed
    reopened: list[rollup.Changes] = []  # the kept counts' changes of stored regions incidents reopened
    for e in events:
        ids = projection.region_ids(e["type"], e["payload"])
        if e["type"] in ("acceptance", "incident-open") and incidents is None:
            incidents = _incidents(t, org)
        if e["type"] == "incident-open":  # by scope: the batch's regions here, the stored ones a chunk at a time
            ids = projection.incident_regions([r for r in rows.values() if r["status"] != "ended"], e["payload"])
            reopened.append(_reopen_stored(t, org, e, set(rows)))
        if e["type"] == "acceptance":  # the region's row names its acceptance (`trail` reads it there): a trail
            # row only for the acceptance it replaces, if the region was accepted before
            earlier = rows.get(e["payload"]["regionId"])
            replaced += [(earlier["region_id"], earlier["accepted_event"])] if earlier else []
        else:
            trail += [(region_id, e["id"]) for region_id in ids]
        e["_repo"] = PROJECT.get(e["type"], _apply)(rows, e, ids)
        if e["type"] == "acceptance" and incidents:  # code accepted before an incident arrives reopened, as in
            region_id = e["payload"]["regionId"]  # every ledger
            rows[region_id] = incidents.reopen(rows[region_id])
        elif e["type"].startswith("incident-"):
            e["_repo"] = None  # an incident belongs to no repository: every pull hands it on
            if e["type"] == "incident-open" and incidents is not None:
                incidents.add(e["id"], e["payload"])
    # The events are new, so their trail rows are too (an event naming a region twice gives one). A replaced
    # acceptance stored before acceptances went without a trail row has one already.
    if replaced:
        where, params = t.among("region_id", sorted({region_id for region_id, _ in replaced}))
        kept = set(t.rows(f"SELECT region_id, event_id FROM region_events WHERE {where}", params))
        trail += [pair for pair in replaced if pair not in kept]
    t.copy("region_events", ("region_id", "event_id"), ("text", "text"), list(dict.fromkeys(trail)))
    after = {region_id: region_fields(org, row) for region_id, row in rows.items()}
    # Regions first seen in this batch are new rows (one another transaction adds meanwhile is a collision:
    # retried, it is then among `before`); the others are updated in place.
    t.copy("regions", REGION_COLUMNS, REGION_TYPES, [r for region_id, r in after.items() if region_id not in before])
    _update_regions(t, [r for region_id, r in after.items() if region_id in before])
    changes = rollup.merged([rollup.deltas([(before.get(region_id), new) for region_id, new in after.items()]),
                             *reopened])
    facets = {(org, facet, value) for names in {rollup.facets(r) for r in after.values()} for facet, value in names}
    t.insert("region_facets", ("org", "facet", "value"), ("text", "text", "text"), sorted(facets),
             "ON CONFLICT DO NOTHING")

    def count() -> None:
        """Every push of the organisation updates these rows: written last, so they are held briefly."""
        rollup.write(t, changes)

    return count


def _order_incidents(t: Tx, org: str, kinds: set[str]) -> None:
    """An incident and code in its scope pushed at the same moment: without
    an order, each push decides before the other commits (the acceptance
    finds no incident, the incident finds no such region) and the code stays
    as it was while every ledger reopens it. On PostgreSQL a push that opens
    an incident takes the organisation's incident lock alone, a push of
    acceptances takes it shared (they do not wait on each other): whichever
    comes second reads after the first committed. (SQLite: one push at a time.)"""
    if not t.postgres or not kinds & {"acceptance", "incident-open"}:
        return
    mode = "" if "incident-open" in kinds else "_shared"
    t.x(f"SELECT pg_advisory_xact_lock{mode}(hashtext(? || current_schema()))", (f"ailedger-incidents {org} ",))


def _incidents(t: Tx, org: str) -> projection.Incidents:
    """The organisation's stored `incident-open` events, in order."""
    return projection.Incidents((r[0], orjson.loads(r[1])["payload"]) for r in t.rows(
        "SELECT id, body FROM events WHERE org = ? AND repo IS NULL AND type = ? ORDER BY cursor",
        (org, "incident-open")))


UPDATE_REGIONS = "ON CONFLICT (region_id) DO UPDATE SET " + ", ".join(
    f"{c} = excluded.{c}" for c in REGION_COLUMNS if c not in ("region_id", "org"))
REOPEN_CHUNK = 1_000  # stored regions an incident reopens per round trip (SQLite: 500, its parameter cap)


def _update_regions(t: Tx, rows: list[RegionColumns]) -> None:
    """Regions already stored, written back changed (one statement)."""
    t.insert("regions", REGION_COLUMNS, REGION_TYPES, rows, UPDATE_REGIONS)


def _reopen_stored(t: Tx, org: str, e: dict[str, Any], loaded: set[str]) -> rollup.Changes:
    """The stored live regions an incident reopens, besides the batch's own
    (`loaded`): found in SQL by its scope (scope.py), accepted no later than it
    was opened; then a chunk at a time read and locked, changed by the ledger's
    projection (which has the last word, as in every ledger), written back with
    their trail rows. A recall of a model that wrote 300,000 regions holds one
    chunk in memory, not all of them; no region outside the scope is read.
    Returns the changes to the kept counts (the facets stay: a reopen changes
    no tool, model, author or repository)."""
    p = e["payload"]
    clause, params = scope.where(p["scope"])
    try:  # code accepted after the incident was opened is not reopened (projection.incident_regions)
        clause, params = clause + " AND accepted_ts <= ?", [*params, stamp(str(p["openedAt"]))]
    except ValueError:
        pass
    ids = sorted(r[0] for r in t.rows(f"SELECT region_id FROM regions WHERE org = ? AND status != 'ended'{clause}",
                                      (org, *params)) if r[0] not in loaded)
    step = REOPEN_CHUNK if t.postgres else 500
    changes: list[rollup.Changes] = []
    for k in range(0, len(ids), step):
        where, chunk = t.among("region_id", ids[k:k + step])
        stored = {region_id: orjson.loads(row) for region_id, row in t.rows(
            f"SELECT region_id, row FROM regions WHERE {where} AND status != 'ended' ORDER BY region_id{t.for_update}",
            chunk)}
        pairs = []
        for region_id in projection.incident_regions(stored.values(), p):
            old = region_fields(org, stored[region_id])
            pairs.append((old, region_fields(org, projection.apply(stored[region_id], e["id"], e["type"], p,
                                                                   e["actor"]))))
        _update_regions(t, [new for _, new in pairs])
        t.copy("region_events", ("region_id", "event_id"), ("text", "text"), [(old.region_id, e["id"])
                                                                              for old, _ in pairs])
        changes.append(rollup.deltas(pairs))
    return rollup.merged(changes)


def _acceptance(rows: dict[str, dict[str, Any]], e: dict[str, Any], ids: list[str]) -> str | None:
    p = e["payload"]
    rows[p["regionId"]] = projection.from_acceptance(e["id"], p)
    return p["repo"]


def _apply(rows: dict[str, dict[str, Any]], e: dict[str, Any], ids: list[str]) -> str | None:
    """Any other kind (review, region-update, region-ended, reopen, and kinds
    the projection learns later): the ledger's pure `projection.apply`."""
    repo = None
    for region_id in ids:
        row = rows.get(region_id)
        if row is not None:
            rows[region_id] = projection.apply(row, e["id"], e["type"], e["payload"], e["actor"])
            repo = repo or row["repo"]
    return repo


# One function per event kind that needs its own handling; the rest go through `_apply`.
PROJECT: dict[str, Callable[[dict[str, dict[str, Any]], dict[str, Any], list[str]], str | None]] = {
    "acceptance": _acceptance,
}


def _append(t: Tx, org: str, events: list[dict[str, Any]], received: str) -> None:
    """Store the events with cursors taken from the clock, locked until commit:
    cursors are handed out in commit order (see the module's docstring). The
    rows are made before the clock is taken: under it, one update and one COPY."""
    rows = [(e["id"], e["device"], e["seq"], e["prevHash"], e["hash"], e["type"], e.pop("_body"), org, e.pop("_repo"),
             received) for e in events]
    n = len(events)
    last = t.x("UPDATE clock SET cursor = cursor + ? WHERE id = 1 RETURNING cursor", (n,)).fetchone()[0]
    t.copy("events", EVENT_COLUMNS, EVENT_TYPES, [(last - n + 1 + i, *row) for i, row in enumerate(rows)])


def decode_number_cursor(cursor: str) -> int:
    """A cursor that holds one row number (alerts' ids, events' cursors)."""
    values = decode_cursor(cursor)
    if len(values) != 1 or not values[0].isdigit():
        raise ValueError("cursor is not one this service gave out")
    return int(values[0])


def encode_cursor(values: tuple[Any, ...]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise ValueError("cursor is not one this service gave out") from None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError("cursor is not one this service gave out")
    return values


class SqliteStorage(Storage):
    """The embedded default: one file under --data, one process."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=60)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.lock = threading.Lock()
        migrate_sqlite(self.conn)

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self.conn, postgres=False)
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")


def open_storage(data: Path, database_url: str | None, pool_size: int = 10) -> Storage:
    if database_url:
        from .postgres import PostgresStorage

        return PostgresStorage(database_url, pool_size)
    return SqliteStorage(data / "service.db")
