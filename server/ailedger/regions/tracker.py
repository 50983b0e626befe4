"""Live tracking: the regions of one document, moved through LSP changes.

The tracker never sees the document text: it moves positions by the range
and inserted text of each change (see edit.py for the rules).

Speed. A keystroke must cost far less than a millisecond with 10,000 regions,
so a change must not visit every region. Regions are kept sorted by start in
chunks of about _LOAD. Each chunk stores its line numbers relative to a lazy
`delta`, and remembers the largest end of its regions. A change then
- skips chunks whose regions all end before it (one comparison each),
- moves the regions of the chunk(s) it touches one by one,
- and shifts every chunk that starts on a later line by adding the change's
  line delta to `delta` (one integer each).
Starts keep their order under any change (every start moves by the same
monotone map), so chunks never need re-sorting.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from .edit import Edit, P, Piece, move_region
from .positions import Encoding, Pos, Span, text_end

# Regions per chunk. Smaller chunks make the touched chunk cheaper and the
# walk over all chunks dearer; bench/regions_edit.py measures the balance.
_LOAD = 64


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
    __slots__ = ("id", "start", "end", "ai", "chunk")

    def __init__(self, region_id: str, start: P, end: P, ai: list[Piece], chunk: _Chunk) -> None:
        self.id = region_id
        self.start = start  # line numbers relative to chunk.delta
        self.end = end
        self.ai = ai
        self.chunk = chunk


class _Chunk:
    __slots__ = ("regions", "delta", "max_end")

    def __init__(self, regions: list[_Region], delta: int) -> None:
        self.regions = regions
        self.delta = delta
        # (-1, 0) sorts before any position: an empty chunk ends nowhere
        self.max_end: P = max((r.end for r in regions), default=(-1, 0))
        for r in regions:
            r.chunk = self


def _pos(p: P, delta: int) -> Pos:
    return Pos(p[0] + delta, p[1])


def _span(x: P, y: P, delta: int) -> Span:
    return Span(_pos(x, delta), _pos(y, delta))


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
        r = self._regions[region_id]
        return _span(r.start, r.end, r.chunk.delta)

    def ai_spans(self, region_id: str) -> list[Span]:
        r = self._regions[region_id]
        return [_span(x, y, r.chunk.delta) for x, y in r.ai]

    def snapshot(self) -> Snapshot:
        return [(r.id, self.span(r.id), self.ai_spans(r.id)) for c in self._chunks for r in c.regions]

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
            chunk.max_end = max(o.end for o in chunk.regions)
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
            d = chunk.delta
            local = ((cut[0][0] - d, cut[0][1]), (cut[1][0] - d, cut[1][1]))
            if chunk.regions[0].start >= local[1]:
                break
            if chunk.max_end <= local[0]:
                continue
            for r in chunk.regions:
                if r.end > local[0] and r.start < local[1]:
                    r.ai = _subtract(r.ai, local)

    def _insert(self, region_id: str, start: P, end: P, ai: list[Piece]) -> None:
        chunks = self._chunks
        if not chunks:
            chunk = _Chunk([], 0)
            chunks.append(chunk)
        else:
            # the last chunk whose first region starts at or before this one
            i = max(0, bisect_right(chunks, start, key=lambda c: _first_start(c)) - 1)
            chunk = chunks[i]
        d = chunk.delta
        local_start, local_end = (start[0] - d, start[1]), (end[0] - d, end[1])
        local_ai = [((x[0] - d, x[1]), (y[0] - d, y[1])) for x, y in ai]
        r = _Region(region_id, local_start, local_end, local_ai, chunk)
        regions = chunk.regions
        at = bisect_right(regions, local_start, key=lambda o: o.start)
        regions.insert(at, r)
        chunk.max_end = max(chunk.max_end, local_end)
        self._regions[region_id] = r
        if len(regions) > 2 * _LOAD:
            half = len(regions) // 2
            chunks.insert(chunks.index(chunk) + 1, _Chunk(regions[half:], chunk.delta))
            del regions[half:]
            chunk.max_end = max(o.end for o in regions)

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
        emptied = False
        for i, chunk in enumerate(chunks):
            d = chunk.delta
            if chunk.regions[0].start[0] + d > edit.end[0]:
                # this chunk and all later ones lie on lines after the change
                if edit.line_delta:
                    for later in chunks[i:]:
                        later.delta += 0
                    effect.moved = True
                break
            if chunk.max_end <= (edit.start[0] - d, edit.start[1]):
                continue
            self._edit_chunk(chunk, edit.lines_down(d), effect)
            emptied = emptied or not chunk.regions
        if emptied:
            self._chunks = [c for c in chunks if c.regions]
        return effect

    def _edit_chunk(self, chunk: _Chunk, e: Edit, effect: ChangeEffect) -> None:
        regions = chunk.regions
        kept = []
        for i, r in enumerate(regions):
            if r.end <= e.start:
                kept.append(r)
                continue
            if r.start[0] > e.end[0]:
                # this region and the rest of the chunk lie on later lines
                rest = regions[i:]
                if e.line_delta:
                    for later in rest:
                        self._shift_lines(later, e.line_delta)
                    effect.moved = True
                kept.extend(rest)
                break
            moved = move_region(r.start, r.end, r.ai, e)
            if moved is None:
                effect.ended[r.id] = _span(r.start, r.end, chunk.delta)
                del self._regions[r.id]
                continue
            if moved.modified:
                effect.modified.add(r.id)
            if (moved.start, moved.end, moved.ai) != (r.start, r.end, r.ai):
                effect.moved = True
                r.start, r.end, r.ai = moved.start, moved.end, moved.ai
            kept.append(r)
        chunk.regions = kept
        if kept:
            chunk.max_end = max(r.end for r in kept)

    @staticmethod
    def _shift_lines(r: _Region, lines: int) -> None:
        r.start = (r.start[0] + lines, r.start[1])
        r.end = (r.end[0] + lines, r.end[1])
        r.ai = [((x[0] + lines, x[1]), (y[0] + lines, y[1])) for x, y in r.ai]


def _first_start(chunk: _Chunk) -> P:
    first = chunk.regions[0].start
    return first[0] + chunk.delta, first[1]
