"""Walk every device's hash chain and name the first event that is wrong.

What a walk alone catches: an edited event (its hash no longer matches its
content), a deleted one (a gap in a device's sequence), a reordered one (a
sequence number or id out of order), and an event rewritten together with its
own hash (the next event no longer links to it). What only an anchor catches:
truncation of the tail and a chain rewritten consistently from some point on.
An anchor is a head (device, seq, event id, hash) that a past `ailedger verify`
or the audit service's signed checkpoint vouched for.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any, Literal

from hashlib import sha256

from .canonical import GENESIS

ProblemKind = Literal["edited", "deleted", "reordered", "truncated", "forked"]


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    event_id: str
    device: str
    seq: int
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: event {self.event_id} (device {self.device[:8]}, seq {self.seq}): {self.detail}"


@dataclass
class Head:
    seq: int = 0
    hash: str = GENESIS
    id: str = ""


@dataclass
class Report:
    events: int = 0
    heads: dict[str, Head] = field(default_factory=dict)
    problem: Problem | None = None
    anchored: int = 0  # devices whose head was checked against an anchor

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(conn: sqlite3.Connection, anchors: dict[str, dict[str, Any]]) -> Report:
    report = Report()
    heads = report.heads
    rows = conn.execute(
        "SELECT id, device, seq, prev_hash, hash, CAST(body AS BLOB) FROM events ORDER BY rowid"
    )
    count = 0
    for event_id, device, seq, prev_hash, digest, body in _chunks(rows):
        count += 1
        head = heads.get(device)
        if head is None:
            head = heads[device] = Head()
        # canonical.event_hash, inlined: this loop is the whole cost of verify,
        # so the common case is one hash and one combined test.
        h = sha256(f"{event_id} {device} {seq} {prev_hash}\n".encode())
        h.update(body)
        if h.hexdigest() != digest or seq != head.seq + 1 or prev_hash != head.hash or event_id <= head.id:
            report.events = count
            report.problem = _diagnose(conn, head, event_id, device, seq, prev_hash, h.hexdigest() == digest)
            return report
        head.seq, head.hash, head.id = seq, digest, event_id
    report.events = count
    report.problem = _check_anchors(conn, heads, anchors)
    report.anchored = len(anchors)
    return report


def _diagnose(conn: sqlite3.Connection, head: Head, event_id: str, device: str, seq: int,
              prev_hash: str, hash_ok: bool) -> Problem:
    """Which way an event breaks its chain (the slow path: once per verify)."""
    if not hash_ok:
        return Problem("edited", event_id, device, seq, "its content does not match its hash")
    if seq <= head.seq:
        return Problem("reordered", event_id, device, seq, f"it stands after seq {head.seq} (event {head.id})")
    if seq > head.seq + 1:
        later = conn.execute(
            "SELECT id FROM events WHERE device = ? AND seq = ?", (device, head.seq + 1)
        ).fetchone()
        if later is not None:
            return Problem("reordered", later[0], device, head.seq + 1,
                           f"it stands after event {event_id} (seq {seq}) instead of before it")
        missing = f"seq {head.seq + 1}" if seq == head.seq + 2 else f"seq {head.seq + 1}-{seq - 1}"
        after = f"event {head.id}" if head.id else "the start of the chain"
        return Problem("deleted", event_id, device, seq, f"{missing} missing between {after} and this event")
    if prev_hash != head.hash:
        # This event is intact but does not link to the one before: that one
        # was rewritten together with its own hash.
        return Problem("edited", head.id, device, head.seq,
                       f"rewritten with a recomputed hash (event {event_id} after it links to another)")
    return Problem("reordered", head.id, device, head.seq,
                   f"its id is newer than event {event_id} after it: inserted out of order, or forged")


def _chunks(cursor: sqlite3.Cursor, size: int = 4096) -> Any:
    """Rows in batches: fewer round trips into SQLite than one row at a time."""
    while True:
        batch = cursor.fetchmany(size)
        if not batch:
            return
        yield from batch


def _check_anchors(
    conn: sqlite3.Connection, heads: dict[str, Head], anchors: dict[str, dict[str, Any]]
) -> Problem | None:
    for device, anchor in anchors.items():
        head = heads.get(device, Head())
        when = f"{anchor['source']} at {anchor['recorded_at']}"
        if head.seq < anchor["seq"]:
            last = f"event {head.id}" if head.id else "no events"
            return Problem(
                "truncated", anchor["event_id"], device, anchor["seq"],
                f"missing: the chain ends at seq {head.seq} ({last}), but {when} saw it reach this event",
            )
        row = conn.execute(
            "SELECT id, hash FROM events WHERE device = ? AND seq = ?", (device, anchor["seq"])
        ).fetchone()
        if row is None or row[1] != anchor["hash"]:
            now = f"event {row[0]} stands there now" if row else "nothing stands there now"
            moved = conn.execute(
                "SELECT seq FROM events WHERE id = ?", (anchor["event_id"],)
            ).fetchone()
            where = (
                f"; that event is now at seq {moved[0]}, so events were inserted before it"
                if moved and moved[0] != anchor["seq"] else ""
            )
            return Problem(
                "forked", anchor["event_id"], device, anchor["seq"],
                f"the chain was rewritten at or before this event, which {when} vouched for "
                f"({now}{where})",
            )
    return None
