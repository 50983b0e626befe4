"""The spool: events a hook could not append in time, waiting beside the ledger.

An agent waits on every hook, so a hook may not queue behind another
process's write lock for long. When it cannot get the lock in time it leaves
its already-checked events here, one JSON file per hook run
(`<ledger file>.spool/<id>.json`, written to a temporary name, fsynced, then
renamed), and whoever opens the ledger next appends them
(`Ledger.drain_spool`). The drain records each file's id in `meta` in the
same transaction as its events, so two processes draining at once, or a
drain after a crash between the commit and the file's removal, append
nothing twice.

An entry: `{"id", "actor", "events": [{"type", "payload"}], "snapshots":
[{"repo", "path", "sha256", "masked", "seen"}]}`: the payloads are the ones
the hook checked against the file on disk (redacted, as the ledger would
store them); each snapshot is the file as the hook saw it (masked in place),
and `seen` the hash of the ledger's snapshot of that file at the time (null
when unknown), so a drain never puts back an older file over a newer one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

_SUFFIX = ".json"
REJECTED = ".rejected"


def folder(ledger_path: Path) -> Path:
    return ledger_path.with_name(ledger_path.name + ".spool")


def marker(entry_id: str) -> str:
    """The `meta` key that says an entry was appended."""
    return f"spool:{entry_id}"


def write(ledger_path: Path, entry: dict[str, Any]) -> Path:
    """Put an entry in the spool, durably: it is there whole or not at all."""
    where = folder(ledger_path)
    where.mkdir(parents=True, exist_ok=True)
    final = where / f"{entry['id']}{_SUFFIX}"
    tmp = where / f".{entry['id']}.tmp"  # not *.json: a drainer never sees it half-written
    with tmp.open("wb") as f:
        f.write(orjson.dumps(entry))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, final)
    _fsync_folder(where)  # the rename itself survives a power cut
    return final


def pending(ledger_path: Path) -> list[Path]:
    """Entries waiting, oldest first (ids are time-ordered ULIDs)."""
    try:
        names = [e.name for e in os.scandir(folder(ledger_path)) if e.name.endswith(_SUFFIX)]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [folder(ledger_path) / n for n in sorted(names)]


def read(path: Path) -> dict[str, Any] | None:
    """An entry, or None when another drainer already removed it."""
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return None


def reject(path: Path) -> None:
    """Set aside an entry that cannot be appended, for a person to look at:
    never retried forever, never deleted."""
    try:
        os.replace(path, path.with_name(path.name + REJECTED))
    except FileNotFoundError:
        pass


def _fsync_folder(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open a folder
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
