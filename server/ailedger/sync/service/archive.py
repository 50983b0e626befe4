"""Old months out of the service: `ailedger serve export --before DATE`.

The export is JSON Lines that verify on their own:

    {"kind": "export", "v": 1, "before": "2026-12-01", "months": [...], "keyId": ..., "publicKey": ...}
    {"kind": "event", "org": ..., "cursor": N, "receivedAt": ..., "event": {id, device, seq, prevHash, hash, ...}}
    ... each device's events in seq order, then its checkpoint:
    {"kind": "checkpoint", "org": ..., "checkpoint": {device, seq, hash, eventId, signedAt, keyId, ...}}
    {"kind": "end", "events": N, "devices": M}

Every event's hash covers its content and position and links to the one
before it (a device's first exported event links to seq 0's zero hash, or to
an earlier export's last); the service signs, at export time, a checkpoint of
each device's last exported event, so the file is anchored to the service's
key; the end line catches a cut-off file.

With `drop` (PostgreSQL only) the file is written, fsynced, read back and
verified, and only then are the whole months' partitions detached and
dropped. The devices' heads and `event_ids` stay, so chains continue and a
re-sent old event is still a duplicate.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

import orjson

from ...errors import UserError
from ..chain import hash_ok
from . import partitions
from .keys import ServiceKey, checkpoint_valid
from .storage import Storage, _now

PAGE = 5_000
ZERO = "0" * 64


class ExportError(UserError):
    """A refused export or a file that does not verify: one line."""


@dataclass
class Summary:
    events: int = 0
    devices: int = 0
    months: list[str] = field(default_factory=list)
    before: str = ""


def boundary(storage: Storage, before: str) -> str:
    """The month boundary for `--before DATE` (YYYY-MM): never past the current month, which is not over."""
    try:
        month = partitions.month_start(before)
    except ValueError as err:
        raise ExportError(str(err)) from None
    current = partitions.month_of(storage.received_now())
    if month > current:
        raise ExportError(f"--before {before}: the month {current} is not over; export whole months before it")
    return month


def _events(storage: Storage, edge: str) -> Iterator[tuple[Any, ...]]:
    """Events received before `edge` (YYYY-MM-01), by device then seq, one page per query."""
    after: tuple[str, int] = ("", -1)
    while True:
        rows = storage.read(lambda t: t.rows(
            "SELECT device, seq, id, prev_hash, hash, body, org, cursor, received_at FROM events"
            " WHERE received_at < ? AND (device > ? OR (device = ? AND seq > ?)) ORDER BY device, seq LIMIT ?",
            (edge, after[0], after[0], after[1], PAGE)))
        yield from rows
        if len(rows) < PAGE:
            return
        after = (rows[-1][0], rows[-1][1])


def _months(storage: Storage, edge: str) -> list[str]:
    return [r[0] for r in storage.read(lambda t: t.rows(
        "SELECT DISTINCT substr(received_at, 1, 7) FROM events WHERE received_at < ? ORDER BY 1", (edge,)))]


def write(storage: Storage, key: ServiceKey, month: str, out: IO[bytes],
          progress: Callable[[str], None]) -> Summary:
    edge = f"{month}-01"
    months = _months(storage, edge)
    if not months:
        raise ExportError(f"nothing to export: no events received before {edge}")
    total = storage.read(lambda t: t.x("SELECT COUNT(*) FROM events WHERE received_at < ?", (edge,)).fetchone()[0])
    summary = Summary(months=months, before=edge)
    out.write(orjson.dumps({"kind": "export", "v": 1, "before": edge, "months": months, "events": total,
                            "keyId": key.key_id, "publicKey": key.public_b64, "exportedAt": _now()}) + b"\n")
    last: tuple[Any, ...] | None = None

    def close_device(row: tuple[Any, ...]) -> None:
        device, seq, event_id, _, digest, _, org = row[:7]
        out.write(orjson.dumps({"kind": "checkpoint", "org": org,
                                "checkpoint": key.checkpoint(device, seq, digest, event_id)}) + b"\n")
        summary.devices += 1

    for row in _events(storage, edge):
        device, seq, event_id, prev_hash, digest, body, org, cursor, received_at = row
        if last is not None and last[0] != device:
            close_device(last)
        event = {"id": event_id, "device": device, "seq": seq, "prevHash": prev_hash, "hash": digest,
                 **orjson.loads(body)}
        out.write(orjson.dumps({"kind": "event", "org": org, "cursor": cursor, "receivedAt": received_at,
                                "event": event}) + b"\n")
        summary.events += 1
        last = row
        if summary.events % 50_000 == 0:
            progress(f"exported {summary.events} of {total} events")
    if last is not None:
        close_device(last)
    out.write(orjson.dumps({"kind": "end", "events": summary.events, "devices": summary.devices}) + b"\n")
    progress(f"exported {summary.events} events of {summary.devices} devices, months {', '.join(months)}")
    return summary


def verify(lines: Iterable[bytes]) -> Summary:
    """Recheck an export: chains, hashes, checkpoints, completeness. Raises
    ExportError naming the first line that is wrong."""
    summary = Summary()
    header: dict[str, Any] | None = None
    prev: dict[str, Any] | None = None  # the last event of the device being read
    done: set[str] = set()
    ended = False
    for number, line in enumerate(lines, 1):
        where = f"line {number}"
        try:
            item = orjson.loads(line)
            kind = item["kind"]
        except (orjson.JSONDecodeError, TypeError, KeyError):
            raise ExportError(f"{where}: not an export line (malformed JSON)") from None
        try:
            header, prev, ended = _check_line(where, item, kind, header, prev, done, ended, summary)
        except (KeyError, TypeError, AttributeError) as err:
            raise ExportError(f"{where}: {kind!r} line: a field is missing or malformed ({err})") from None
    if header is None:
        raise ExportError("the file is empty")
    if not ended:
        raise ExportError("the file ends before its end line (cut off?)")
    return summary


def _check_line(where: str, item: dict[str, Any], kind: str, header: dict[str, Any] | None,
                prev: dict[str, Any] | None, done: set[str], ended: bool,
                summary: Summary) -> tuple[dict[str, Any], dict[str, Any] | None, bool]:
    """One line against what came before it: (header, the device's last event, ended)."""
    if ended:
        raise ExportError(f"{where}: a line after the end line")
    if header is None:
        if kind != "export":
            raise ExportError(f"{where}: the file does not start with an export line")
        summary.before, summary.months = item["before"], item["months"]
        return item, None, False
    if kind == "event":
        e = item["event"]
        if not isinstance(e, dict) or not hash_ok(e):
            raise ExportError(f"{where}: event {e.get('id', '?')}: its hash does not match its content")
        if item["receivedAt"] >= header["before"]:
            raise ExportError(f"{where}: event {e['id']} was received after the export's bound")
        if prev is not None and prev["device"] == e["device"]:
            if e["seq"] != prev["seq"] + 1 or e["prevHash"] != prev["hash"]:
                raise ExportError(f"{where}: event {e['id']} does not follow seq {prev['seq']} of its device")
        else:
            if prev is not None:
                raise ExportError(f"{where}: device {prev['device'][:8]} has no checkpoint")
            if e["device"] in done:
                raise ExportError(f"{where}: device {e['device'][:8]} appears twice")
            if e["seq"] == 1 and e["prevHash"] != ZERO:
                raise ExportError(f"{where}: event {e['id']}: seq 1 does not start from the zero hash")
        prev = e
        summary.events += 1
    elif kind == "checkpoint":
        c = item["checkpoint"]
        if prev is None or c["device"] != prev["device"]:
            raise ExportError(f"{where}: a checkpoint for a device with no events before it")
        if not checkpoint_valid(c, header["publicKey"]):
            raise ExportError(f"{where}: the checkpoint of device {c['device'][:8]} is not signed by the"
                          " export's key")
        if (c["seq"], c["hash"], c["eventId"]) != (prev["seq"], prev["hash"], prev["id"]):
            raise ExportError(f"{where}: the checkpoint of device {c['device'][:8]} does not match its last event")
        done.add(prev["device"])
        prev = None
        summary.devices += 1
    elif kind == "end":
        if prev is not None:
            raise ExportError(f"{where}: device {prev['device'][:8]} has no checkpoint")
        if (item["events"], item["devices"]) != (summary.events, summary.devices) or \
                header["events"] != summary.events:
            raise ExportError(f"{where}: the end line counts {item['events']} events, the file holds "
                              f"{summary.events}")
        ended = True
    else:
        raise ExportError(f"{where}: unknown line kind {kind!r}")
    return header, prev, ended


def verify_file(path: Path) -> Summary:
    try:
        with path.open("rb") as f:
            return verify(f)
    except OSError as err:
        raise ExportError(f"{path}: {err.strerror}") from None


def export(storage: Storage, key: ServiceKey, before: str, out: str, drop: bool,
           progress: Callable[[str], None]) -> Summary:
    """Write the export to `out` (a path, or '-' for stdout); with `drop`, then drop its months."""
    month = boundary(storage, before)
    if drop and not storage.postgres:
        raise ExportError("--drop: the embedded SQLite backend keeps every event (no partitions);"
                          " export works there, dropping needs PostgreSQL")
    if drop and out == "-":
        raise ExportError("--drop needs --out FILE: the file is read back and verified before anything is dropped")
    if out == "-":
        return write(storage, key, month, sys.stdout.buffer, progress)
    path = Path(out)
    if path.exists():
        raise ExportError(f"--out {out}: the file exists; choose a new name")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as f:
            summary = write(storage, key, month, f, progress)
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, path)  # never over a file that appeared meanwhile
    finally:
        tmp.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    if drop:
        progress(f"reading {out} back to verify it")
        again = verify_file(path)
        if (again.events, again.months) != (summary.events, summary.months):
            raise ExportError(f"{out}: reads back {again.events} events, {summary.events} were written")
        drop_months(storage, month, summary, path.name, progress)
    return summary


def drop_months(storage: Storage, month: str, summary: Summary, export_name: str,
                progress: Callable[[str], None]) -> None:
    """Detach and drop the partitions of months before `month`, in one
    transaction that first checks they still hold exactly what was exported."""
    edge = f"{month}-01"

    def run(t: Any) -> list[str]:
        t.x("SELECT pg_advisory_xact_lock(hashtext('ailedger-partition:' || current_schema()))")
        t.x("LOCK TABLE events IN SHARE MODE")  # pushes wait; what was exported cannot change under us
        count = t.x("SELECT COUNT(*) FROM events WHERE received_at < ?", (edge,)).fetchone()[0]
        if count != summary.events:
            raise ExportError(f"the database now holds {count} events before {edge}, the export {summary.events};"
                              " nothing dropped: export again")
        gone = []
        for m in partitions.months(t):
            if m < month:
                n, last = t.x(f"SELECT COUNT(*), COALESCE(MAX(cursor), 0) FROM {partitions.name(m)}").fetchone()
                t.x(f"ALTER TABLE events DETACH PARTITION {partitions.name(m)}")
                t.x(f"DROP TABLE {partitions.name(m)}")
                t.x("INSERT INTO dropped_months VALUES (?,?,?,?,?) ON CONFLICT (month) DO NOTHING",
                    (m, n, last, export_name, _now()))
                gone.append(m)
        # Stray rows the default partition holds from before the edge were exported too: whole months only.
        t.x("DELETE FROM events_default WHERE received_at < ?", (edge,))
        return gone

    gone = storage.write(run)
    progress(f"dropped months {', '.join(gone) or '(none had a partition)'}; exported to {export_name}")


def stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
