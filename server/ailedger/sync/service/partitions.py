"""PostgreSQL's `events` table, partitioned by the month events were received
(declarative `PARTITION BY RANGE (received_at)`), so a month can be exported
and dropped whole.

The partition key is the stored `received_at` text: one UTC form
(`YYYY-MM-DDTHH:MM:SSZ`, compared byte by byte with COLLATE "C"), so text order
is time order and the SQL stays shared with the embedded SQLite backend.
A partitioned table's unique keys must include its key, so event-id and
(device, seq) uniqueness live in the small unpartitioned `event_ids` table
(written in the same statement as the events; kept when months are dropped,
so a re-sent old event is still a duplicate, not a fork).

A month's partition is created before a push that needs it, in its own short
transaction under an advisory lock (replicas that meet a new month together
create it once); `events_default` catches anything outside every month.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

MONTH = re.compile(r"^events_(\d{4})_(\d{2})$")


def month_of(received_at: str) -> str:
    """'2026-11-30T23:59:59Z' -> '2026-11'."""
    return received_at[:7]


def next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def name(month: str) -> str:
    return f"events_{month[:4]}_{month[5:7]}"


def create_sql(month: str, parent: str = "events") -> str:
    return (f"CREATE TABLE IF NOT EXISTS {name(month)} PARTITION OF {parent}"
            f" FOR VALUES FROM ('{month}-01') TO ('{next_month(month)}-01')")


def months(t: Any) -> list[str]:
    """The months that have a partition in this schema, oldest first."""
    rows = t.x("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                        " WHERE i.inhparent = to_regclass('events')").fetchall()
    found = [MONTH.match(r[0]) for r in rows]
    return sorted(f"{m[1]}-{m[2]}" for m in found if m)


def ensure(t: Any, month: str) -> None:
    """The month's partition exists (created now if not: `t` is a short
    transaction of its own, so the lock on `events` is held only briefly)."""
    if t.x("SELECT to_regclass(?)", (name(month),)).fetchone()[0] is not None:
        return
    t.x("SELECT pg_advisory_xact_lock(hashtext('ailedger-partition:' || current_schema()))")
    t.x(create_sql(month))


def month_start(value: str) -> str:
    """A DATE (YYYY-MM-DD) -> the first day of its month; ValueError names what is wrong."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--before {value!r}: expected a date, YYYY-MM-DD") from None
    return f"{day.year:04d}-{day.month:02d}"
