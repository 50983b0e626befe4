"""Where a region is in one working copy's text, from what the ledger knows."""

from __future__ import annotations

from typing import Any

import orjson

from ..capture import span_of
from ..ledger.canonical import sha256_text
from ..ledger.store import Ledger
from ..regions.positions import LineIndex, Pos, Span


def row_span(row: dict[str, Any]) -> Span:
    return Span(Pos(row["start_line"], row["start_char"]), Pos(row["end_line"], row["end_char"]))


def row_ai_spans(row: dict[str, Any]) -> list[Span]:
    return [span_of(r) for r in orjson.loads(row["ai_ranges"])]


def place(ledger: Ledger, rows: dict[str, dict[str, Any]], text: str) -> list[tuple[str, Span, list[Span]]]:
    """Where regions are in this working copy's `text` (UTF-16 positions).

    At the recorded range when the text there is the recorded text; else
    wherever the accepted text occurs exactly once (another working copy may
    have other lines around it); regions found nowhere are left out: "not
    found here" is a state, not a guess. Nothing is recorded, because
    positions belong to a working copy and the ledger's range is the writer's.
    """

    index = LineIndex(text)
    out: list[tuple[str, Span, list[Span]]] = []
    for region_id, row in rows.items():
        span = row_span(row)
        if span.end.line < len(index.starts) and sha256_text(index.slice(span, "utf-16")) == row["text_sha256"]:
            out.append((region_id, span, row_ai_spans(row)))
            continue
        event = ledger.event(row["accepted_event"])
        accepted = event.content["payload"].get("text") if event else None
        if not accepted or row["ai_fraction"] < 1:
            continue
        at = text.find(accepted)
        if at < 0 or text.find(accepted, at + 1) >= 0:
            continue
        found = Span(index.pos(at, "utf-16"), index.pos(at + len(accepted), "utf-16"))
        out.append((region_id, found, [found]))
    return out
