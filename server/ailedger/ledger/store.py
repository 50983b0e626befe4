"""The local ledger: an append-only, hash-chained SQLite event log.

Safe for several processes at once (the language server plus hook
processes): every append is one `BEGIN IMMEDIATE` transaction that reads this
device's chain head and writes the new events and their projection together.
WAL mode lets readers go on while one process writes; the busy timeout makes
writers queue instead of failing with "database is locked".

Durability: a committed append survives a crash or `kill -9` of any process
(SQLite's WAL is written before COMMIT returns). With the default
`synchronous=NORMAL` a power cut may lose the last few commits, never corrupt
the file; `AILEDGER_DURABILITY=full` fsyncs every commit and covers power
loss, at the cost of single-event commit speed.
"""

from __future__ import annotations

import functools
import operator
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from . import projection, spool
from .canonical import EVENT_VERSION, GENESIS, event_body, event_hash
from .errors import CorruptLedger, InvalidEvent, LedgerError, NewerLedger, NotALedger
from .ids import next_ids
from .schema import APPLICATION_ID, LATEST, MIGRATIONS
from .verify import Report, verify_chain

_SQLITE_HEADER = b"SQLite format 3\x00"
_INSERT_EVENT = (
    "INSERT INTO events (id, device, seq, prev_hash, hash, type, body) VALUES (?,?,?,?,?,?,?)"
)
_REGION_COLUMNS = (
    "region_id repo path start_line start_char end_line end_char ai_ranges text_sha256 "
    "ai_fraction status kind tool_name tool_version model_provider model_id model_version "
    "accepted_by accepted_at accepted_event reviews reopened updated_event policy_version first_commit first_commit_at contract reopen_reason"
).split()
_UPSERT_REGION = "INSERT OR REPLACE INTO regions ({}) VALUES ({})".format(
    ", ".join(_REGION_COLUMNS), ", ".join("?" * len(_REGION_COLUMNS))
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A file as the ledger last saw it: the hash of its real text, and the
    text with secrets masked in place (`redact.mask_in_place`)."""

    sha256: str
    masked: str

    def same_as(self, text: str) -> bool:
        from .canonical import sha256_text

        return self.sha256 == sha256_text(text)

    def against(self, text: str) -> tuple[str, str]:
        """(before, after) to diff: both masked alike, so a secret on an
        unchanged line compares equal; positions are those of `text`."""
        from ..redact import mask_in_place

        return self.masked, mask_in_place(text)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    rowid: int
    id: str
    device: str
    seq: int
    prev_hash: str
    hash: str
    type: str
    body: str

    @property
    def content(self) -> dict[str, Any]:
        return orjson.loads(self.body)

    def to_wire(self) -> dict[str, Any]:
        """The event as it travels: the `Event` model's shape."""
        content = self.content
        return {
            "id": self.id,
            "device": self.device,
            "seq": self.seq,
            "prevHash": self.prev_hash,
            "hash": self.hash,
            **content,
        }


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


# Event types ailedger derives from what it already recorded (see `append_many`).
_DERIVED = frozenset({"region-move", "region-update"})


def validate_payload(type_: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload, validated and normalised, or InvalidEvent naming the field."""
    # pydantic loads on first use: `ailedger verify` and `log` never need it.
    from ..models import PAYLOADS, InvalidMessage, validate

    model = PAYLOADS.get(type_)
    if model is None:
        raise InvalidEvent(f"unknown event type {type_!r}; expected one of {', '.join(PAYLOADS)}")
    try:
        return validate(model, payload, f"{type_} event")
    except InvalidMessage as err:
        raise InvalidEvent(str(err)) from None


class Ledger:
    """One ledger file. Thread-safe; one instance per process is plenty."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True,
                 busy_timeout: float = 60.0, drain: bool = True) -> None:
        """`busy_timeout`: how long to wait for another process's write lock
        (a hook cannot wait long). `drain`: append what hooks left in the
        spool, if the lock comes within half a second (else the next opener does)."""
        self.path = Path(path)
        self._busy_ms = int(busy_timeout * 1000)
        _refuse_foreign_file(self.path, create)
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self.conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=busy_timeout, check_same_thread=False
            )
            self._refuse_foreign_database()  # before WAL mode, which rewrites the header
            self._configure()
            self._migrate()
        except sqlite3.OperationalError as err:
            if "locked" not in str(err):
                raise CorruptLedger(f"{self.path}: the ledger file is damaged ({err}); it was left as it is") from None
            raise LedgerError(f"{self.path}: another process kept the ledger locked too long; try again") from None
        except sqlite3.DatabaseError as err:
            raise CorruptLedger(f"{self.path}: the ledger file is damaged ({err}); it was left as it is") from None
        self.device: str = self._meta("device")
        self._projected = 0
        self._cached_head: tuple[int, tuple[int, str, str | None]] | None = None
        self._version_in_txn = 0
        if drain:
            try:
                self.drain_spool(wait=min(busy_timeout, 0.5))
            except OSError:
                pass  # a spool we cannot read: opening the ledger must not fail for it

    @functools.cached_property
    def db(self) -> Any:
        """sqlite-utils over the same connection, for queries (loaded on first use)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    # --- set-up ---------------------------------------------------------

    def _configure(self) -> None:
        durability = os.environ.get("AILEDGER_DURABILITY", "normal").lower()
        synchronous = "FULL" if durability == "full" else "NORMAL"
        # Switching to WAL takes an exclusive lock that the busy timeout does
        # not wait for: only switch a file that is not in WAL mode yet (a new
        # ledger), and if another process is switching it, wait our turn.
        deadline = time.monotonic() + min(30, self._busy_ms / 1000)
        while self.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)  # another process holds the lock for its own switch
        self.conn.execute(f"PRAGMA synchronous = {synchronous}")

    def _refuse_foreign_database(self) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
        # One read transaction, so both answers come from the same snapshot: a
        # ledger being created by another process must not look half-made.
        self.conn.execute("BEGIN")
        try:
            app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
            tables = [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        finally:
            self.conn.execute("COMMIT")
        if app_id != APPLICATION_ID and (app_id != 0 or tables):
            shown = ", ".join(tables[:5]) or f"application_id {app_id}"
            raise NotALedger(
                f"{self.path}: a SQLite database that is not an ailedger ledger ({shown}); "
                "it was left as it is"
            )

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > LATEST:
            raise NewerLedger(
                f"{self.path}: ledger schema version {version} is newer than this ailedger "
                f"understands ({LATEST}); upgrade ailedger"
            )
        if version == LATEST:
            return
        with self._write() as conn:
            # Another process may have migrated while we waited for the lock.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version + 1, LATEST + 1):
                for statement in _statements(MIGRATIONS[number - 1]):
                    conn.execute(statement)
                if number == 1:
                    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    conn.execute(
                        "INSERT INTO meta (key, value) VALUES ('device', ?), ('created_at', ?)",
                        (str(uuid.uuid4()), utc_now()),
                    )
                conn.execute(f"PRAGMA user_version = {number}")

    def _meta(self, key: str) -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0]

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self, wait: float | None = None) -> Iterator[sqlite3.Connection]:
        """One write transaction; `wait` bounds the wait for the lock this once."""
        with self._lock:
            if wait is not None:
                self.conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            finally:
                if wait is not None:
                    self.conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    # --- appending ------------------------------------------------------

    def append(self, type_: str, payload: Mapping[str, Any], *, actor: str) -> StoredEvent:
        """Validate, chain and commit one event. Returns once it is durable."""
        return self.append_many([(type_, payload)], actor=actor)[0]

    def append_many(
        self, items: Sequence[tuple[str, Mapping[str, Any]]], *, actor: str, derived: bool = False
    ) -> list[StoredEvent]:
        """Validate, chain and commit events in one transaction: all or none.

        `derived`: the payloads were built by ailedger itself from values it
        already holds typed (the placement engine's `region-move` and
        `region-update`), and unit tests hold those builders to the models.
        Validating them again would load pydantic into `ailedger check`,
        a quarter of its run. Only their event types are checked here. The
        audit service does check them (every pushed payload), so a builder
        that strayed from the models would stop this device's sync at that
        event: the unit tests that hold the builders to the models matter."""
        if spool.pending(self.path):  # what hooks left waiting goes first
            self.drain_spool()
        with _no_cyclic_gc():
            if derived:
                for t, _ in items:
                    if t not in _DERIVED:
                        raise InvalidEvent(f"{t!r} events come from outside: they are validated, not derived")
                prepared = [(t, dict(p)) for t, p in items]
            else:
                prepared = [(t, validate_payload(t, p)) for t, p in items]
            if not prepared:
                return []
            with self._write() as conn:
                return self._insert(conn, prepared, actor)

    def _insert(self, conn: sqlite3.Connection, prepared: Sequence[tuple[str, Mapping[str, Any]]],
                actor: str) -> list[StoredEvent]:
        """Chain validated events onto this device's head, inside a write transaction."""
        ts = utc_now()
        device = self.device
        seq, prev, last_id = self._head(conn)
        ids = next_ids(last_id, len(prepared))
        rows = []
        for (type_, payload), event_id in zip(prepared, ids):
            seq += 1
            body = event_body(type_, ts, actor, payload, EVENT_VERSION)
            digest = event_hash(event_id, device, seq, prev, body)
            rows.append((event_id, device, seq, prev, digest, type_, body.decode("utf-8")))
            prev = digest
        if len(rows) == 1:
            last = conn.execute(_INSERT_EVENT, rows[0]).lastrowid
        else:
            conn.executemany(_INSERT_EVENT, rows)
            last = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
        # Our own commit does not change our data_version: the head
        # stays valid until another connection writes.
        self._cached_head = (self._version_in_txn, (seq, prev, ids[-1]))
        first = last - len(rows) + 1
        return [StoredEvent(first + i, *row) for i, row in enumerate(rows)]

    # --- the spool: what hooks could not append in time ----------------

    def drain_spool(self, *, wait: float | None = None) -> int:
        """Append every entry waiting in the spool (see `ledger/spool.py`),
        exactly once. Returns how many entries were appended; 0 as well when
        another process kept the lock longer than `wait` (they stay for the
        next opener). An entry that no longer validates is set aside as
        `*.json.rejected`, never dropped."""
        if not spool.pending(self.path):
            return 0
        try:
            with self._write(wait) as conn:
                done, appended = self._drain(conn)
        except sqlite3.OperationalError as err:
            if "locked" in str(err):
                return 0
            raise
        for path in done:  # after the commit: a crash before this only leaves files the marker skips
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass  # a folder we may not write: the marker still keeps them from being appended twice
        return appended

    def _drain(self, conn: sqlite3.Connection) -> tuple[list[Path], int]:
        done: list[Path] = []
        appended = 0
        for path in spool.pending(self.path):  # listed under the lock: another drainer has finished
            try:
                entry = spool.read(path)
                if entry is None:
                    continue
                key = spool.marker(str(entry["id"]))
                if conn.execute("SELECT 1 FROM meta WHERE key = ?", (key,)).fetchone():
                    done.append(path)  # appended before, its file left behind by a crash
                    continue
                prepared = [(e["type"], validate_payload(e["type"], e["payload"])) for e in entry["events"]]
                actor = str(entry["actor"])
                snapshots = [{k: s[k] for k in ("repo", "path", "sha256", "masked", "seen")} for s in entry["snapshots"]]
            except (InvalidEvent, KeyError, TypeError, ValueError):  # not JSON, or not an entry
                spool.reject(path)
                continue
            stored = self._insert(conn, prepared, actor) if prepared else []
            for snap in snapshots:
                self._put_back_snapshot(conn, snap)
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, stored[0].id if stored else ""))
            done.append(path)
            appended += 1
        return done, appended

    @staticmethod
    def _put_back_snapshot(conn: sqlite3.Connection, snap: Mapping[str, Any]) -> None:
        """A spooled file snapshot, unless the ledger has since seen a newer text of that file."""
        row = conn.execute(
            "SELECT sha256 FROM file_snapshots WHERE repo = ? AND path = ?", (snap["repo"], snap["path"])
        ).fetchone()
        if row is None or row[0] in (snap["seen"], snap["sha256"]):
            conn.execute(
                "INSERT OR REPLACE INTO file_snapshots (repo, path, sha256, content) VALUES (?,?,?,?)",
                (snap["repo"], snap["path"], snap["sha256"], snap["masked"]),
            )

    def _head(self, conn: sqlite3.Connection) -> tuple[int, str, str | None]:
        """This device's chain head, inside the write transaction.

        `PRAGMA data_version` changes only when another connection commits, so
        while nobody else wrote, the head we wrote last is still the head and
        the editor's single-event path skips a query.
        """
        version = self._version_in_txn = conn.execute("PRAGMA data_version").fetchone()[0]
        if self._cached_head is not None and self._cached_head[0] == version:
            return self._cached_head[1]
        row = conn.execute(
            "SELECT seq, hash, id FROM events WHERE device = ? ORDER BY seq DESC LIMIT 1",
            (self.device,),
        ).fetchone()
        return row if row else (0, GENESIS, None)

    # --- the regions projection ---------------------------------------

    def _catch_up(self) -> None:
        """Project events appended since the last read into the regions table.

        The projection is derived lazily, on read, so appending (the editor's
        and the hooks' path) writes one row per event and nothing more. Any
        process may catch up; the watermark lives in `meta`.
        """
        with self._lock:
            last = self.conn.execute("SELECT MAX(rowid) FROM events").fetchone()[0] or 0
            if last <= self._projected:
                return
            with self._write() as conn:
                row = conn.execute("SELECT value FROM meta WHERE key = 'projected_rowid'").fetchone()
                done = int(row[0]) if row else 0
                cursor = conn.execute(
                    "SELECT rowid, id, type, body FROM events WHERE rowid > ? ORDER BY rowid", (done,)
                )
                pending = cursor.fetchall()
                # Incidents an acceptance may arrive after (rare: one indexed query per catch-up).
                incidents = [(r, i, orjson.loads(b)["payload"]) for r, i, b in conn.execute(
                    "SELECT rowid, id, body FROM events WHERE type = 'incident-open' AND rowid <= ? ORDER BY rowid",
                    (pending[-1][0] if pending else 0,))]
                earlier, k = projection.Incidents(), 0  # those before the event being projected
                for rowid, event_id, type_, body in pending:
                    while k < len(incidents) and incidents[k][0] < rowid:
                        earlier.add(incidents[k][1], incidents[k][2])
                        k += 1
                    self._project_one(conn, event_id, type_, orjson.loads(body), earlier)
                    done = rowid
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('projected_rowid', ?)", (str(done),)
                )
            self._projected = done

    def _project_one(self, conn: sqlite3.Connection, event_id: str, type_: str,
                     content: dict[str, Any], incidents: projection.Incidents) -> None:
        payload = content["payload"]
        if type_ == "acceptance":
            row = incidents.reopen(projection.from_acceptance(event_id, payload))
            conn.execute(_UPSERT_REGION, tuple(row[c] for c in _REGION_COLUMNS))
            return
        ids = projection.region_ids(type_, payload)
        if type_ == "incident-open":  # by scope: every matching region this ledger holds, whoever wrote it
            cursor = conn.execute("SELECT * FROM regions WHERE status != 'ended'")
            names = [d[0] for d in cursor.description]
            ids = projection.incident_regions((dict(zip(names, r)) for r in cursor), payload)
        for region_id in ids:
            current = self._region_row(conn, region_id)
            if current is None:
                continue  # its acceptance has not reached this ledger (yet)
            row = projection.apply(current, event_id, type_, payload, content["actor"])
            conn.execute(_UPSERT_REGION, tuple(row[c] for c in _REGION_COLUMNS))

    @staticmethod
    def _region_row(conn: sqlite3.Connection, region_id: str) -> dict[str, Any] | None:
        cursor = conn.execute("SELECT * FROM regions WHERE region_id = ?", (region_id,))
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cursor.description], row))

    # --- anchors --------------------------------------------------------

    def add_anchor(self, device: str, seq: int, event_id: str, digest: str, source: str,
                   signature: str | None = None) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO anchors (device, seq, event_id, hash, source, signature, recorded_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (device, seq, event_id, digest, source, signature, utc_now()),
            )

    def latest_anchors(self) -> dict[str, dict[str, Any]]:
        """The newest anchor of each device: the head a verify or a checkpoint vouched for."""
        rows = self.db.query(
            "SELECT * FROM anchors WHERE rowid IN (SELECT MAX(rowid) FROM anchors GROUP BY device)"
        )
        return {r["device"]: r for r in rows}

    def verify(self, *, anchor: bool = True) -> "Report":
        """Walk every chain; on success, record each device's head as an anchor.

        The anchor is what lets the next verify notice truncation and a chain
        rewritten from the middle, which no walk alone can see.
        """
        with self._lock:
            report = verify_chain(self.conn, self.latest_anchors())
            if report.ok and anchor:
                known = self.latest_anchors()
                fresh = [
                    (device, head.seq, head.id, head.hash, "verify", None, utc_now())
                    for device, head in report.heads.items()
                    if device not in known or known[device]["seq"] != head.seq
                ]
                if fresh:
                    with self._write() as conn:
                        conn.executemany(
                            "INSERT INTO anchors (device, seq, event_id, hash, source, signature,"
                            " recorded_at) VALUES (?,?,?,?,?,?,?)",
                            fresh,
                        )
            return report

    # --- file snapshots: what the ledger last saw of a file ----------------

    def snapshot(self, repo: str, path: str) -> Snapshot | None:
        """The file as it was when its regions were last recorded (to re-anchor against)."""
        with self._lock:
            row = self.conn.execute(
                "SELECT sha256, content FROM file_snapshots WHERE repo = ? AND path = ?", (repo, path)
            ).fetchone()
        return Snapshot(*row) if row else None

    def save_snapshot(self, repo: str, path: str, content: str | Snapshot) -> None:
        """Remember a file's text, with its secrets masked in place: the
        ledger never holds a secret, and positions still line up."""
        self.save_snapshots(repo, {path: content})

    def save_snapshots(self, repo: str, contents: dict[str, str | Snapshot]) -> None:
        """`save_snapshot` for many files of a repository, in one transaction
        (a check that found 200 moves writes 200 snapshots)."""
        from ..redact import mask_in_place
        from .canonical import sha256_text

        rows: list[tuple[str, str, str, str]] = []
        for path, content in contents.items():
            if isinstance(content, Snapshot):  # moved with its file: already masked
                rows.append((repo, path, content.sha256, content.masked))
                continue
            sha = sha256_text(content)
            with self._lock:
                known = self.conn.execute("SELECT sha256 FROM file_snapshots WHERE repo = ? AND path = ?",
                                          (repo, path)).fetchone()
            if known is not None and known[0] == sha:
                continue  # the same text again (a capture changes no text): spare the masking and the write
            rows.append((repo, path, sha, mask_in_place(content)))
        if not rows:
            return
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO file_snapshots (repo, path, sha256, content) VALUES (?,?,?,?)", rows)

    # --- commits git history found for regions (a cache, not the chain) ----

    def cached_commits(self, keys: Sequence[tuple[str, str]]) -> dict[str, tuple[str, str]]:
        """region id -> (commit, committed at), for (region id, text hash) pairs seen before."""
        out: dict[str, tuple[str, str]] = {}
        with self._lock:
            if len(keys) > 400:  # a report: one pass over the cache beats thousands of lookups
                wanted = set(keys)
                return {rid: (sha, at) for rid, text, sha, at in self.conn.execute("SELECT * FROM commit_cache")
                        if (rid, text) in wanted}
            for k in range(0, len(keys), 400):
                chunk = keys[k:k + 400]
                where = " OR ".join(["(region_id = ? AND text_sha256 = ?)"] * len(chunk))
                for rid, sha, at in self.conn.execute(
                        f"SELECT region_id, commit_sha, committed_at FROM commit_cache WHERE {where}",
                        [v for key in chunk for v in key]):
                    out[rid] = (sha, at)
        return out

    def cache_commits(self, rows: Sequence[tuple[str, str, str, str]]) -> None:
        """Remember (region id, text hash, commit, committed at)."""
        if rows:
            with self._write() as conn:
                conn.executemany("INSERT OR REPLACE INTO commit_cache VALUES (?,?,?,?)", rows)

    # --- reading --------------------------------------------------------

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]

    def events(self, *, after_rowid: int = 0, limit: int | None = None) -> Iterator[StoredEvent]:
        sql = "SELECT rowid, id, device, seq, prev_hash, hash, type, body FROM events WHERE rowid > ? ORDER BY rowid"
        params: tuple[Any, ...] = (after_rowid,)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        for row in self.conn.execute(sql, params):
            yield StoredEvent(*row)

    def events_of(self, *types: str) -> Iterator[StoredEvent]:
        """Events of these types, in log order (incidents: a few among millions)."""
        sql = ("SELECT rowid, id, device, seq, prev_hash, hash, type, body FROM events"
               f" WHERE type IN ({', '.join('?' * len(types))}) ORDER BY rowid")
        for row in self.conn.execute(sql, types):
            yield StoredEvent(*row)

    def recent(self, limit: int = 20) -> list[StoredEvent]:
        rows = self.conn.execute(
            "SELECT rowid, id, device, seq, prev_hash, hash, type, body FROM events"
            " ORDER BY rowid DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [StoredEvent(*r) for r in reversed(rows)]

    def event(self, event_id: str) -> StoredEvent | None:
        row = self.conn.execute(
            "SELECT rowid, id, device, seq, prev_hash, hash, type, body FROM events WHERE id = ?",
            (event_id,),
        ).fetchone()
        return StoredEvent(*row) if row else None

    def region(self, region_id: str) -> dict[str, Any] | None:
        self._catch_up()
        with self._lock:
            return self._region_row(self.conn, region_id)

    def regions(self, *, repo: str | None = None, path: str | None = None,
                status: Sequence[str] | None = None, under: str | None = None,
                author: str | None = None, tool: str | None = None, since: str | None = None,
                columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Regions, oldest first. Filters run in SQL, so a big ledger hands back
        only what was asked for: `under` is a folder (or a file) in the
        repository, `since` an accepted-at lower bound (a date or timestamp),
        `columns` the columns wanted (all by default; accepted_event always)."""
        where, params = [], []
        for column, value in (("repo", repo), ("path", path), ("accepted_by", author), ("tool_name", tool)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if under:
            folder = under.rstrip("/")
            # path = folder, or path in [folder/, folder0): '0' sorts right after '/'
            where.append("(path = ? OR (path >= ? AND path < ?))")
            params += [folder, folder + "/", folder + "0"]
        if since:
            where.append("accepted_at >= ?")
            params.append(since)
        if status:
            where.append(f"status IN ({', '.join('?' * len(status))})")
            params.extend(status)
        unknown = set(columns or ()) - set(_REGION_COLUMNS)
        if unknown:
            raise ValueError(f"no region column {sorted(unknown)[0]!r}")
        wanted = ", ".join(dict.fromkeys([*columns, "accepted_event"])) if columns else "*"
        sql = f"SELECT {wanted} FROM regions" + (" WHERE " + " AND ".join(where) if where else "")
        self._catch_up()
        with self._lock:
            cursor = self.conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        # Sorted here: SQLite's ORDER BY would spill a big result to a temporary file.
        rows.sort(key=operator.itemgetter(names.index("accepted_event")))
        return [dict(zip(names, row)) for row in rows]

    def repos(self) -> list[str]:
        """Every repository this ledger has regions in."""
        self._catch_up()
        with self._lock:
            return [r[0] for r in self.conn.execute("SELECT DISTINCT repo FROM regions ORDER BY repo")]

    def rebuild_regions(self) -> list[dict[str, Any]]:
        """Replay the whole log into a fresh projection (in memory) and return it."""
        rows: dict[str, dict[str, Any]] = {}
        incidents = projection.Incidents()
        for event in self.events():
            content = event.content
            payload, actor = content["payload"], content["actor"]
            if event.type == "acceptance":
                rows[payload["regionId"]] = incidents.reopen(projection.from_acceptance(event.id, payload))
                continue
            if event.type == "incident-open":
                incidents.add(event.id, payload)
            ids = projection.region_ids(event.type, payload)
            if event.type == "incident-open":
                ids = projection.incident_regions((r for r in rows.values() if r["status"] != "ended"), payload)
            for region_id in ids:
                if region_id in rows:
                    rows[region_id] = projection.apply(rows[region_id], event.id, event.type, payload, actor)
        return sorted(rows.values(), key=lambda r: r["accepted_event"])


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is built.

    A batch is thousands of small acyclic dicts; each allocation burst would
    otherwise trigger collections that rescan everything the caller holds.
    Reference counting still frees everything as usual."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements (trigger bodies contain semicolons)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:60]}")


def _refuse_foreign_file(path: Path, create: bool) -> None:
    if not path.exists():
        if not create:
            raise NotALedger(f"{path}: no ledger here (record something first, or pass --db)")
        return
    if path.is_dir():
        raise NotALedger(f"{path}: is a directory, not a ledger file")
    with path.open("rb") as f:
        header = f.read(len(_SQLITE_HEADER))
    if header and header != _SQLITE_HEADER:
        raise NotALedger(f"{path}: not a SQLite database, so not an ailedger ledger; it was left as it is")
