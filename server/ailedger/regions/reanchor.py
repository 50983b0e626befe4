"""Re-anchoring: map regions from the text the ledger last saw to the text
now, by a line diff, the way `git blame` follows lines.

A line of a region survives only where the diff maps it to an identical line;
a reformatted line is a different line. "Not found" is a state, not a guess:
a region none of whose lines survive is reported as such, never attached to
lines the diff did not map.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from .positions import LINE_BREAK, Encoding, Pos, Span

Status = Literal["unchanged", "moved", "modified", "not-found"]


@dataclass(frozen=True)
class Reanchored:
    region_id: str
    span: Span | None
    ai_spans: list[Span]
    lines_kept: int
    lines_total: int
    status: Status


def line_map(old_lines: list[str], new_lines: list[str]) -> dict[int, int]:
    """Old line number -> new line number, for lines the diff keeps."""
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    mapping: dict[int, int] = {}
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            mapping[a + k] = b + k
    return mapping


def _lines_of(span: Span) -> range:
    """Lines a span covers (an end at column 0 does not cover that line)."""
    last = span.end.line if span.end.character > 0 or span.end.line == span.start.line else span.end.line - 1
    return range(span.start.line, last + 1)


def _map_span(span: Span, mapping: dict[int, int]) -> list[Span]:
    """The pieces of a span that survive, one per run of consecutive new lines."""
    pieces: list[Span] = []
    run: list[tuple[int, int]] = []  # (old line, new line)
    for line in _lines_of(span):
        new = mapping.get(line)
        if new is not None and run and new == run[-1][1] + 1 and line == run[-1][0] + 1:
            run.append((line, new))
            continue
        if run:
            pieces.append(_piece(span, run))
        run = [(line, new)] if new is not None else []
    if run:
        pieces.append(_piece(span, run))
    return pieces


def _piece(span: Span, run: list[tuple[int, int]]) -> Span:
    (first_old, first_new), (last_old, last_new) = run[0], run[-1]
    start = Pos(first_new, span.start.character if first_old == span.start.line else 0)
    if last_old == span.end.line:
        end = Pos(last_new, span.end.character)
    else:
        end = Pos(last_new + 1, 0)
    return Span(start, end)


def reanchor(old_text: str, new_text: str, regions: list[tuple[str, Span, list[Span]]],
             enc: Encoding) -> list[Reanchored]:
    """Where each region is in `new_text`. Positions are in `enc` units; since
    only identical lines are kept, character columns carry over unchanged."""
    del enc  # kept lines are identical, so columns need no conversion
    if old_text == new_text:
        return [Reanchored(rid, span, list(ai), len(_lines_of(span)), len(_lines_of(span)), "unchanged")
                for rid, span, ai in regions]
    mapping = line_map(LINE_BREAK.split(old_text), LINE_BREAK.split(new_text))
    out = []
    for rid, span, ai in regions:
        lines = _lines_of(span)
        kept = [line for line in lines if line in mapping]
        if not kept:
            out.append(Reanchored(rid, None, [], 0, len(lines), "not-found"))
            continue
        pieces = _map_span(span, mapping)
        new_span = Span(pieces[0].start, pieces[-1].end)
        ai_pieces = [p for s in ai for p in _map_span(s, mapping)]
        whole = len(kept) == len(lines) and len(pieces) == 1
        shift = pieces[0].start.line - span.start.line
        status: Status = "modified" if not whole else ("unchanged" if shift == 0 else "moved")
        out.append(Reanchored(rid, new_span, ai_pieces, len(kept), len(lines), status))
    return out
