"""Ledger work the server does in its worker thread.

Each function takes the ledger first and does all of its I/O (SQLite, git,
the disk); the event loop only ever awaits them through `server.run_io`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ledger.identity import RepoRef, current_user, repo_of, repo_of_folder
from ..ledger.store import Ledger, StoredEvent
from ..ledger.projection import LIVE
from ..placement import FilePlacements, place, place_file  # place: for watch.refresh
from ..policy import Policy
from ..regions.positions import Span

SHOWN = LIVE


@dataclass
class Opened:
    ref: RepoRef
    rows: dict[str, dict[str, Any]]
    regions: list[tuple[str, Span, list[Span]]]  # UTF-16, in the text as opened
    copies: set[str] = field(default_factory=set)  # regions whose text is also (and first) somewhere else
    reanchored: int = 0
    lost: int = 0


def open_file(ledger: Ledger, path: Path, text: str) -> Opened:
    """The regions whose text is in a file as it is now (the placement
    engine: moved within it, renamed to it, moved or copied into it), with
    what changed since the ledger last saw it recorded."""
    found = place_file(ledger, path, text)
    opened = _settle(ledger, found)
    if found.rows or found.placements or ledger.snapshot(found.ref.repo, found.ref.path) is not None:
        ledger.save_snapshot(found.ref.repo, found.ref.path, text)
    return opened


def _settle(ledger: Ledger, found: FilePlacements) -> Opened:
    """Record what the engine found in one file: regions moved into it,
    positions changed within it; regions recorded here and found nowhere in
    the repository end ("not-found"), those found in another file move there."""
    from ..placement import locate, record_moves
    from ..placement.record import move_event, update_event

    ref, text = found.ref, found.text
    events: list[tuple[str, dict[str, Any]]] = []
    opened = Opened(ref, {}, [])
    for p in found.placements:
        if p.via == "copied":
            opened.copies.add(p.region_id)
        elif p.moved:
            events.append(move_event(p, text))
        elif p.via == "reanchored":
            events.append(update_event(p, text))
            opened.reanchored += 1
        opened.regions.append((p.region_id, p.span, p.ai_spans))
    if found.missing:
        layout = locate(ledger, ref.root)
        record_moves(ledger, layout)
        for region_id in found.missing:
            if not layout.of(region_id):
                events.append(("region-ended", {"regionId": region_id, "reason": "not-found"}))
                opened.lost += 1
    if events:
        ledger.append_many(events, actor=current_user())
    placed = {p.region_id for p in found.placements}
    opened.rows = {rid: row for rid in placed if (row := ledger.region(rid)) is not None and row["status"] in SHOWN}
    opened.regions = [r for r in opened.regions if r[0] in opened.rows]
    return opened


def follow_moves(ledger: Ledger, roots: list[Path]) -> int:
    """Start-up: record where regions went while no server ran (renamed
    files, code moved to another file), repository by repository."""
    from ..placement import locate, record_moves

    moved = 0
    for root in roots:
        moved += len(record_moves(ledger, locate(ledger, root)))
    return moved


def record(ledger: Ledger, events: list[tuple[str, dict[str, Any]]],
           snapshot: tuple[RepoRef, str] | None = None) -> list[StoredEvent]:
    """Append events by this user, and remember the file as it now is."""
    stored = ledger.append_many(events, actor=current_user()) if events else []
    if snapshot is not None:
        ref, text = snapshot
        ledger.save_snapshot(ref.repo, ref.path, text)
    return stored


def rows_of(ledger: Ledger, region_ids: list[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for region_id in region_ids:
        row = ledger.region(region_id)
        if row is not None:
            out[region_id] = row
    return out


def file_rows(ledger: Ledger, ref: RepoRef) -> dict[str, dict[str, Any]]:
    return {r["region_id"]: r for r in ledger.regions(repo=ref.repo, path=ref.path, status=SHOWN)}


def new_events(ledger: Ledger, after_rowid: int) -> tuple[int, list[StoredEvent]]:
    """Events appended (by anyone) since `after_rowid`, and the new watermark."""
    events = list(ledger.events(after_rowid=after_rowid, limit=10_000))
    return (events[-1].rowid if events else after_rowid), events


def last_rowid(ledger: Ledger) -> int:
    return ledger.conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM events").fetchone()[0]


def repo_of_path(_ledger: Ledger, path: Path) -> RepoRef:
    return repo_of(path)


def workspace_regions(ledger: Ledger, root: Path) -> dict[str, list[dict[str, Any]]]:
    """Regions of the repository at `root`, by file URI in this working copy."""
    ref = repo_of_folder(root)
    out: dict[str, list[dict[str, Any]]] = {}
    for row in ledger.regions(repo=ref.repo, status=SHOWN):
        out.setdefault((ref.root / row["path"]).as_uri(), []).append(row)
    return out


def record_acceptance(ledger: Ledger, params: dict[str, Any], region_id: str, ref: RepoRef,
                      policy: Policy) -> StoredEvent:
    """Store one acceptance (the file's snapshot follows, off this path)."""
    from ..capture import acceptance_payload

    user = current_user()
    payload = acceptance_payload(params, region_id=region_id, user=user, where=ref, policy=policy)
    return ledger.append("acceptance", payload, actor=user)


def record_review(ledger: Ledger, region_ids: list[str], verdict: str, note: str | None,
                  hashes: dict[str, str], policy: Policy) -> StoredEvent:
    from datetime import datetime, timezone

    user = current_user()
    return ledger.append("review", {
        "regionIds": region_ids, "reviewer": user, "verdict": verdict, "note": note,
        "textSha256": hashes, "reviewedAt": datetime.now(timezone.utc),
        "policy": policy.ref() if policy.source is not None else None,
    }, actor=user)


def save_snapshot(ledger: Ledger, ref: RepoRef, text: str) -> None:
    ledger.save_snapshot(ref.repo, ref.path, text)


def who_am_i(ledger: Ledger) -> str:
    """Who is using this editor ($AILEDGER_USER, git's user.email, the OS user)."""
    return current_user()


def warm_up(ledger: Ledger) -> str:
    """Load in the worker thread what handlers will need, before they need it."""
    from .. import models  # noqa: F401  (pydantic: the slowest import)
    from ..redact import redact_secrets

    redact_secrets("warm = 'up'")  # detect-secrets loads its plugins on first use (up to a second)
    return current_user()


def file_changed(ledger: Ledger, path: Path) -> int:
    """A file with regions changed on disk while no editor had it open (a
    checkout, a formatter, an agent): re-anchor its regions. Returns how many
    regions it holds."""
    from ..files import read_document

    ref = repo_of(path)
    rows = file_rows(ledger, ref)
    try:
        text = read_document(path)
    except (OSError, UnicodeDecodeError):
        return len(rows)  # gone for now (a branch switch): "not found" is decided when it is read again
    if not rows:
        # A move can reach us as a delete and a create (e.g. into a folder made a
        # moment before): a new file holding exactly what the ledger last saw of
        # a file that is gone is that file, renamed.
        old = _vanished_with(ledger, ref, text)
        return file_renamed(ledger, ref.root / old, path) if old else 0
    seen = ledger.snapshot(ref.repo, ref.path)
    if seen is not None and seen.same_as(text):
        return len(rows)
    _settle(ledger, place_file(ledger, path, text))
    ledger.save_snapshot(ref.repo, ref.path, text)
    return len(rows)


def file_renamed(ledger: Ledger, source: Path, dest: Path) -> int:
    """A file with regions was renamed or moved: its regions go with it."""
    old, new = repo_of(source), repo_of(dest)
    rows = file_rows(ledger, old)
    if not rows or old.repo != new.repo:
        return 0
    import orjson

    events = [("region-update", {
        "regionId": rid, "path": new.path,
        "range": {"start": {"line": r["start_line"], "character": r["start_char"]},
                  "end": {"line": r["end_line"], "character": r["end_char"]}},
        "aiRanges": orjson.loads(r["ai_ranges"]), "textSha256": r["text_sha256"],
        "aiFraction": r["ai_fraction"], "reason": "rename",
    }) for rid, r in rows.items()]
    ledger.append_many(events, actor=current_user())
    seen = ledger.snapshot(old.repo, old.path)
    if seen is not None:
        ledger.save_snapshot(new.repo, new.path, seen)
    return len(rows)


def _vanished_with(ledger: Ledger, ref: RepoRef, text: str) -> str | None:
    """The repository path of a vanished file whose last snapshot is `text`."""
    from ..ledger.canonical import sha256_text

    rows = ledger.conn.execute("SELECT path FROM file_snapshots WHERE repo = ? AND sha256 = ? AND path != ?",
                               (ref.repo, sha256_text(text), ref.path)).fetchall()
    gone = [p for (p,) in rows if not (ref.root / p).exists()]
    return gone[0] if len(gone) == 1 else None
