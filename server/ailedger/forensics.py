"""`ailedger blame`: who (and what) wrote each line of a file, from the
ledger and the file as it is now."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson

from .files import read_document
from .ledger.identity import repo_of
from .ledger.projection import LIVE
from .ledger.store import Ledger, Snapshot
from .placement import place
from .regions.inserted import split_lines

Attribution = Literal["ai", "ai-edited", "human", "untracked"]


@dataclass
class LineBlame:
    line: int  # 1-based, like an editor's gutter
    text: str
    attribution: Attribution
    region: dict[str, Any] | None = None  # the ledger row, for AI lines

    def reviews(self) -> list[dict[str, Any]]:
        return orjson.loads(self.region["reviews"]) if self.region else []


def blame(ledger: Ledger, path: Path) -> list[LineBlame]:
    """Every line of the file: the AI's own text, AI text a person changed,
    a person's, or untracked (the ledger knows nothing of this file)."""
    text = read_document(path)
    lines = split_lines(text)
    ref = repo_of(path)
    rows = {r["region_id"]: r for r in ledger.regions(repo=ref.repo, path=ref.path, status=LIVE)}
    seen = ledger.snapshot(ref.repo, ref.path)
    known = bool(rows) or seen is not None
    out = [LineBlame(i + 1, line.rstrip("\r\n"), "human" if known else "untracked") for i, line in enumerate(lines)]
    for region_id, span, ai_spans in _where(ledger, rows, seen, text):
        row = rows[region_id]
        covered = _lines(span)
        ai = set().union(*(_lines(s) for s in ai_spans)) if ai_spans else set()
        for n in covered:
            if n < len(out):
                out[n].attribution = "ai" if n in ai else "ai-edited"
                out[n].region = row
    return out


def _where(ledger: Ledger, rows: dict[str, dict[str, Any]], seen: Snapshot | None,
           text: str) -> list[tuple[str, Any, list[Any]]]:
    """Regions in the file as it is now: re-anchored from what the ledger last
    saw of it (read-only: blame records nothing), else placed by content."""
    if seen is None or seen.same_as(text) or not rows:
        return place(ledger, rows, text)
    from .placement import row_ai_spans, row_span
    from .regions.reanchor import reanchor

    regions = [(rid, row_span(row), row_ai_spans(row)) for rid, row in rows.items()]
    return [(r.region_id, r.span, r.ai_spans) for r in reanchor(*seen.against(text), regions, "utf-16")
            if r.span is not None]


def _lines(span: Any) -> set[int]:
    """0-based lines a span holds text on (an end at column 0 ends before that line)."""
    last = span.end.line if span.end.character > 0 else span.end.line - 1
    return set(range(span.start.line, max(span.start.line, last) + 1))
