"""Live tracking: the regions of one document, moved through LSP changes.

The tracker never sees the document text: it moves positions by the range
and inserted text of each change (edit.py holds the rules).

Speed. A keystroke must cost far less than a millisecond with 10,000 regions,
so a change must not visit every region. Regions are kept sorted by start in
chunks of about _LOAD, and line numbers are stored relative twice over:

- a chunk adds its lazy `delta` to the lines of all its regions, so a change
  that adds or removes lines moves every later chunk with one addition;
- a region keeps its first line in `line` and its positions relative to it,
  so moving a region down is one addition too.

A change finds the chunk holding its start by bisection, visits the regions
of that chunk (and of any chunk the change reaches), and adds the line delta
to later chunks. Regions in earlier chunks can reach the change only by
spanning it; each chunk keeps `reach`, an upper bound on the ends of its own
and all earlier regions, so the walk back stops at the first chunk that
cannot reach. Starts keep their order under any change (every start moves by
the same monotone map), so chunks never need re-sorting.
"""

from __future__ import annotations

from collections.abc import Iterator

from bisect import bisect_right
from dataclasses import dataclass, field

from .edit import Edit, P, Piece, move_region
from .positions import Encoding, Pos, Span, text_end

# Regions per chunk: a chunk splits at twice this. Bigger chunks make the
# touched chunk dearer, smaller ones the per-chunk delta update;
# bench/regions_edit.py measures the balance.
_LOAD = 64

# before any position: the reach of nothing
_NOWHERE: P = (-1, 0)


@dataclass
class ChangeEffect:
    """What one change did to the regions of its document."""

    # regions whose AI text lost characters or got human text inside
    modified: set[str] = field(default_factory=set)
    # regions whose characters were all deleted, with the span they had just
    # before the change (so a caller can offer to undo)
    ended: dict[str, Span] = field(default_factory=dict)
    # some surviving region's span or AI spans changed
    moved: bool = False


Snapshot = list[tuple[str, Span, list[Span]]]


class _Region:
    __slots__ = ("id", "line", "start", "end", "ai", "chunk")

    def __init__(self, region_id: str, start: P, end: P, ai: list[Piece], chunk: _Chunk) -> None:
        """start, end and ai in chunk coordinates."""
        self.id = region_id
        self.chunk = chunk
        self.place(start, end, ai)

    def place(self, start: P, end: P, ai: list[Piece]) -> None:
        line = self.line = start[0]
        self.start = (0, start[1])
        self.end = (end[0] - line, end[1])
        self.ai = [((x[0] - line, x[1]), (y[0] - line, y[1])) for x, y in ai]

    def at(self, p: P) -> P:
        """A position of this region in chunk coordinates."""
        return self.line + p[0], p[1]

    def placed(self) -> tuple[P, P, list[Piece]]:
        """start, end and ai in chunk coordinates."""
        at = self.at
        return at(self.start), at(self.end), [(at(x), at(y)) for x, y in self.ai]


class _Chunk:
    __slots__ = ("regions", "delta", "max_end", "reach")

    def __init__(self, regions: list[_Region], delta: int, reach: P) -> None:
        self.regions = regions
        self.delta = delta
        self.max_end: P = max((r.at(r.end) for r in regions), default=_NOWHERE)
        self.reach = reach  # in this chunk's coordinates
        for r in regions:
            r.chunk = self

    def first_start(self) -> P:
        first = self.regions[0]
        return first.line + self.delta, first.start[1]

    def real(self, p: P) -> P:
        return p[0] + self.delta, p[1]

    def local(self, p: P) -> P:
        return p[0] - self.delta, p[1]


def _pos(p: P) -> Pos:
    return Pos(p[0], p[1])


def _tuple(p: Pos) -> P:
    return p.line, p.character


def _subtract(pieces: list[Piece], cut: Piece) -> list[Piece]:
    """pieces minus the positions in cut."""
    out = []
    for x, y in pieces:
        if y <= cut[0] or x >= cut[1]:
            out.append((x, y))
            continue
        if x < cut[0]:
            out.append((x, cut[0]))
        if y > cut[1]:
            out.append((cut[1], y))
    return out


class DocumentRegions:
    """The regions of one document, in positions of one encoding."""

    def __init__(self, encoding: Encoding = "utf-16") -> None:
        self.encoding = encoding
        self._chunks: list[_Chunk] = []
        self._regions: dict[str, _Region] = {}

    # --- queries -----------------------------------------------------------

    def __contains__(self, region_id: object) -> bool:
        return region_id in self._regions

    def __len__(self) -> int:
        return len(self._regions)

    def ids(self) -> list[str]:
        """Region ids in document order (by start)."""
        return [r.id for chunk in self._chunks for r in chunk.regions]

    def span(self, region_id: str) -> Span:
        start, end, _ = self._real(self._regions[region_id])
        return Span(_pos(start), _pos(end))

    def ai_spans(self, region_id: str) -> list[Span]:
        _, _, ai = self._real(self._regions[region_id])
        return [Span(_pos(x), _pos(y)) for x, y in ai]

    def extents(self) -> Iterator[tuple[str, int, int, int, int]]:
        """(id, start line, start character, end line, end character) of
        every region in document order, in one pass without building Spans:
        publishing diagnostics asks this on every keystroke."""
        for chunk in self._chunks:
            delta = chunk.delta
            for r in chunk.regions:
                line = r.line + delta
                yield r.id, line, r.start[1], line + r.end[0], r.end[1]

    def snapshot(self) -> Snapshot:
        return [(r.id, self.span(r.id), self.ai_spans(r.id)) for c in self._chunks for r in c.regions]

    @staticmethod
    def _real(r: _Region) -> tuple[P, P, list[Piece]]:
        start, end, ai = r.placed()
        real = r.chunk.real
        return real(start), real(end), [(real(x), real(y)) for x, y in ai]

    # --- changing the set of regions ---------------------------------------

    def add(self, region_id: str, span: Span, ai_spans: list[Span] | None = None) -> None:
        """Track a new region; its AI text takes those characters away from
        the AI text of any older region (the newest writer owns them)."""
        if region_id in self._regions:
            raise ValueError(f"region {region_id!r} is already tracked")
        if span.empty:
            raise ValueError("a region must cover at least one character")
        start, end = _tuple(span.start), _tuple(span.end)
        ai = self._normalise(start, end, [span] if ai_spans is None else ai_spans)
        for piece in ai:
            self._claim(piece)
        self._insert(region_id, start, end, ai)

    def remove(self, region_id: str) -> None:
        r = self._regions.pop(region_id)
        chunk = r.chunk
        chunk.regions.remove(r)
        if chunk.regions:
            chunk.max_end = max(o.at(o.end) for o in chunk.regions)
        else:
            self._chunks.remove(chunk)

    def restore(self, snapshot: Snapshot) -> None:
        """Replace every region by those of a snapshot (after a whole-document
        change, re-anchored by the caller)."""
        self._chunks.clear()
        self._regions.clear()
        for region_id, span, ai_spans in snapshot:
            self.add(region_id, span, ai_spans)

    @staticmethod
    def _normalise(start: P, end: P, spans: list[Span]) -> list[Piece]:
        pieces = sorted((_tuple(s.start), _tuple(s.end)) for s in spans if not s.empty)
        merged: list[Piece] = []
        for x, y in pieces:
            if x < start or y > end:
                raise ValueError("an AI span must lie inside its region")
            if merged and x <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(y, merged[-1][1]))
            else:
                merged.append((x, y))
        return merged

    def _claim(self, cut: Piece) -> None:
        for chunk in self._chunks:
            local = (chunk.local(cut[0]), chunk.local(cut[1]))
            if chunk.regions[0].at(chunk.regions[0].start) >= local[1]:
                break
            if chunk.max_end <= local[0]:
                continue
            for r in chunk.regions:
                start, end, ai = r.placed()
                if end > local[0] and start < local[1]:
                    r.place(start, end, _subtract(ai, local))

    def _insert(self, region_id: str, start: P, end: P, ai: list[Piece]) -> None:
        chunks = self._chunks
        if not chunks:
            chunks.append(_Chunk([], 0, _NOWHERE))
            i = 0
        else:
            # the last chunk whose first region starts at or before this one
            i = max(0, bisect_right(chunks, start, key=_Chunk.first_start) - 1)
        chunk = chunks[i]
        local = chunk.local
        r = _Region(region_id, local(start), local(end), [(local(x), local(y)) for x, y in ai], chunk)
        regions = chunk.regions
        regions.insert(bisect_right(regions, r.at(r.start), key=lambda o: o.at(o.start)), r)
        chunk.max_end = max(chunk.max_end, local(end))
        for later in chunks[i:]:
            later.reach = max(later.reach, later.local(end))
        self._regions[region_id] = r
        if len(regions) > 2 * _LOAD:
            half = len(regions) // 2
            chunks.insert(i + 1, _Chunk(regions[half:], chunk.delta, chunk.reach))
            del regions[half:]
            chunk.max_end = max(o.at(o.end) for o in regions)

    # --- edits ---------------------------------------------------------------

    def apply_change(self, start: Pos, end: Pos, text: str) -> ChangeEffect:
        """Move the regions through one ranged LSP content change: the text in
        [start, end) is replaced by `text`. Positions must be valid in the
        document before the change (the caller owns the text and clamps)."""
        if end < start:
            raise ValueError(f"change ends before it starts: {start} > {end}")
        new_end = text_end(start, text, self.encoding)
        edit = Edit(_tuple(start), _tuple(end), _tuple(new_end), bool(text))
        effect = ChangeEffect()
        chunks = self._chunks
        if not chunks:
            return effect
        k = max(0, bisect_right(chunks, edit.start, key=_Chunk.first_start) - 1)
        # earlier chunks whose regions may span the change
        first = k
        while first > 0 and chunks[first - 1].real(chunks[first - 1].reach) > edit.start:
            first -= 1
        last = k  # one past the last chunk starting on or before the change's last line
        while last < len(chunks) and chunks[last].first_start()[0] <= edit.end[0]:
            last += 1
        for chunk in chunks[first:last]:
            self._edit_chunk(chunk, edit.lines_down(chunk.delta), effect)
        if edit.line_delta and last < len(chunks):
            for later in chunks[last:]:
                later.delta += edit.line_delta
            effect.moved = True
        # recompute the visited chunks' reach from the chunk before them,
        # which the change did not touch; this also tightens stale bounds
        reach = chunks[first - 1].real(chunks[first - 1].reach) if first else _NOWHERE
        for chunk in chunks[first:last]:
            reach = max(reach, chunk.real(chunk.max_end))
            chunk.reach = chunk.local(reach)
        if effect.ended:
            self._chunks = [c for c in chunks if c.regions]
        return effect

    def _edit_chunk(self, chunk: _Chunk, e: Edit, effect: ChangeEffect) -> None:
        """Apply a change, in this chunk's coordinates, to its regions."""
        if chunk.max_end <= e.start:
            return
        regions = chunk.regions
        # regions starting on later lines only move down
        later = bisect_right(regions, e.end[0], key=lambda r: r.line)
        if e.line_delta and later < len(regions):
            for r in regions[later:]:
                r.line += e.line_delta
            effect.moved = True
        ended = False
        start_line = e.start[0]
        for r in regions[:later]:
            if r.line + r.end[0] < start_line or r.at(r.end) <= e.start:
                continue
            before = r.placed()
            moved = move_region(*before, e)
            if moved is None:
                effect.ended[r.id] = Span(_pos(chunk.real(before[0])), _pos(chunk.real(before[1])))
                del self._regions[r.id]
                ended = True
                continue
            if moved.modified:
                effect.modified.add(r.id)
            if (moved.start, moved.end, moved.ai) != before:
                effect.moved = True
                r.place(moved.start, moved.end, moved.ai)
        if ended:
            chunk.regions = [r for r in regions if self._regions.get(r.id) is r]
        # an upper bound: ends move by the same monotone map as max_end
        chunk.max_end = e.move(chunk.max_end)
