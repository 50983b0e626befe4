"""What one text change does to a span: the rules of live tracking.

Positions here are plain (line, character) tuples: the tracker moves tens of
thousands of them per second and tuples are far cheaper to build and compare
than Pos objects.

The rules, for a change that deletes [start, end) and inserts text at start:

- text inserted exactly at a span's start or end lands outside it: typing
  next to AI code is not AI code, and a span never grows at its edges;
- text inserted strictly inside a span splits it; the tracker keeps a
  region's extent whole (the new text is inside the region) but splits its
  AI spans (the new text is not the AI's);
- deleted characters leave the span; a span whose characters are all
  deleted is gone.
"""

from __future__ import annotations

from dataclasses import dataclass

P = tuple[int, int]
Piece = tuple[P, P]


class Edit:
    """One change: [start, end) replaced by text that ends at new_end."""

    __slots__ = ("start", "end", "new_end", "inserts", "deletes", "line_delta")

    def __init__(self, start: P, end: P, new_end: P, inserts: bool) -> None:
        self.start = start
        self.end = end
        self.new_end = new_end
        self.inserts = inserts
        self.deletes = start < end
        self.line_delta = new_end[0] - end[0]

    def shift(self, p: P) -> P:
        """Where a position at or after the deleted range ends up."""
        if p[0] == self.end[0]:
            return self.new_end[0], p[1] - self.end[1] + self.new_end[1]
        return p[0] + self.line_delta, p[1]

    def move(self, p: P) -> P:
        """Where any position ends up if it sticks to the text after it (as a
        span's start does); never before where any span end ends up."""
        if p < self.start:
            return p
        return self.shift(p) if p > self.end else self.new_end

    def lines_down(self, lines: int) -> Edit:
        """The same change seen from coordinates that count lines from `lines`."""
        return Edit(
            (self.start[0] - lines, self.start[1]),
            (self.end[0] - lines, self.end[1]),
            (self.new_end[0] - lines, self.new_end[1]),
            self.inserts,
        )


def move_span(x: P, y: P, e: Edit) -> list[Piece]:
    """The pieces of span [x, y) that survive the change: none, one or two."""
    if y <= e.start:
        return [(x, y)]
    if x >= e.end:
        return [(e.shift(x), e.shift(y))]
    pieces = []
    if x < e.start:
        pieces.append((x, e.start))
    if y > e.end:
        pieces.append((e.new_end, e.shift(y)))
    return pieces


@dataclass(slots=True)
class MovedRegion:
    start: P
    end: P
    ai: list[Piece]
    modified: bool  # its AI text lost characters or got human text inside


def move_region(start: P, end: P, ai: list[Piece], e: Edit) -> MovedRegion | None:
    """A region after the change, or None when all its characters are gone."""
    extent = move_span(start, end, e)
    if not extent:
        return None
    # two pieces mean the change sits strictly inside: the extent stays whole
    modified = len(extent) == 2 and e.inserts
    moved_ai: list[Piece] = []
    for x, y in ai:
        if e.deletes and x < e.end and y > e.start:
            modified = True
        for piece in move_span(x, y, e):
            if moved_ai and moved_ai[-1][1] == piece[0]:
                # nothing left between them (a deletion inside one span, or of
                # the human text between two): one span again
                moved_ai[-1] = (moved_ai[-1][0], piece[1])
            else:
                moved_ai.append(piece)
    return MovedRegion(extent[0][0], extent[-1][1], moved_ai, modified)
