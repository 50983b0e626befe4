"""Deliver a hook's checked events: into the ledger if its write lock comes
in time, else into the spool beside it (`ledger/spool.py`), where the next
ailedger process that opens the ledger appends them.

The entry is always written to the spool first and then drained, so there is
one way in and a crash at any point loses nothing: either the drain
committed (its marker says so) or the file is still there.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

SHORTEST_WAIT = 0.05  # even a late hook tries the lock once


def deliver(db: Path, payloads: list[dict[str, Any]], files: dict[tuple[str, str], str],
            actor: str, deadline: float) -> str:
    """Append acceptance `payloads` (already checked against the files on
    disk) and the `files` they were checked against, by (repo, path); give up
    waiting for the lock at `deadline` (time.monotonic()). Returns what
    happened, in a sentence for the hook log."""
    from ..ledger import spool
    from ..ledger.canonical import sha256_text
    from ..ledger.errors import LedgerError
    from ..ledger.ids import new_id
    from ..ledger.store import Ledger
    from ..redact import mask_in_place

    ledger, why = None, "the ledger is busy (another process holds its write lock)"
    try:
        ledger = Ledger(db, busy_timeout=_left(deadline), drain=False)
    except (LedgerError, sqlite3.Error) as err:
        why = f"the ledger cannot be opened ({err})"
    try:
        entry = {
            "id": new_id(),
            "actor": actor,
            "events": [{"type": "acceptance", "payload": p} for p in payloads],
            "snapshots": [{
                "repo": repo, "path": path, "sha256": sha256_text(text), "masked": mask_in_place(text),
                "seen": _seen(ledger, repo, path),
            } for (repo, path), text in files.items()],
        }
        waiting = spool.write(db, entry)
        if ledger is not None:
            ledger.drain_spool(wait=_left(deadline))
    finally:
        if ledger is not None:
            ledger.close()
    if not waiting.exists():
        return f"recorded {len(payloads)} AI-written region(s)"
    return (f"{why}: {len(payloads)} AI-written region(s) wait in {waiting};"
            " the next ailedger process that opens the ledger appends them")


def _left(deadline: float) -> float:
    return max(SHORTEST_WAIT, deadline - time.monotonic())


def _seen(ledger: Any, repo: str, path: str) -> str | None:
    """The hash of the ledger's snapshot of a file now (readers never wait for a writer)."""
    if ledger is None:
        return None
    try:
        known = ledger.snapshot(repo, path)
    except sqlite3.Error:
        return None
    return known.sha256 if known is not None else None
