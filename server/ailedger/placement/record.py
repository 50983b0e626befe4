"""Recording what the engine found: a region at another path is a move.

A move is recorded once: the event changes the region's path, so the next
look finds it at its recorded path and records nothing. Where a region
moves into a file that holds other regions, their positions and the file's
snapshot are recorded with it, so the next line diff starts from the text
all of them were placed in.
"""

from __future__ import annotations

from typing import Any

from ..capture import range_of
from ..ledger.canonical import sha256_text
from ..ledger.identity import current_user
from ..ledger.store import Ledger, StoredEvent
from ..regions.positions import LineIndex
from .model import Layout, Placement


def move_event(placement: Placement, text: str) -> tuple[str, dict[str, Any]]:
    index = LineIndex(text)
    region = index.slice(placement.span, "utf-16")
    ai = sum(len(index.slice(s, "utf-16")) for s in placement.ai_spans)
    return ("region-move", {
        "regionId": placement.region_id, "fromPath": placement.row["path"], "path": placement.path,
        "range": range_of(placement.span), "aiRanges": [range_of(s) for s in placement.ai_spans],
        "textSha256": sha256_text(region), "aiFraction": round(ai / len(region), 4) if region else 0.0,
        "via": "rename" if placement.via == "renamed" else "content",
    })


def update_event(placement: Placement, text: str) -> tuple[str, dict[str, Any]]:
    kind, payload = move_event(placement, text)
    del payload["fromPath"], payload["via"]
    return "region-update", dict(payload, reason="reanchor")


def _recorded_at(row: dict[str, Any], placement: Placement) -> bool:
    return (row["path"] == placement.path and range_of(placement.span) == {
        "start": {"line": row["start_line"], "character": row["start_char"]},
        "end": {"line": row["end_line"], "character": row["end_char"]}})


def record_moves(ledger: Ledger, layout: Layout) -> list[StoredEvent]:
    """A `region-move` event for each region found at another path than the
    ledger's (idempotent), with the positions of the regions that share its
    new file and that file's snapshot."""
    moves = [p for p in layout.moves() if p.path in layout.texts]
    if not moves:
        return []
    events: list[tuple[str, dict[str, Any]]] = []
    for p in moves:
        current = ledger.region(p.region_id)
        if current is None or current["path"] == p.path:  # someone recorded it meanwhile
            continue
        events.append(move_event(p, layout.texts[p.path]))
    destinations = {p.path for p in moves}
    for p in layout.placements:
        if p.path in destinations and not p.moved and p.via != "copied" and not _recorded_at(p.row, p):
            events.append(update_event(p, layout.texts[p.path]))
    stored = ledger.append_many(events, actor=current_user(), derived=True) if events else []
    ledger.save_snapshots(layout.ref.repo, {path: layout.texts[path] for path in destinations})
    return stored
