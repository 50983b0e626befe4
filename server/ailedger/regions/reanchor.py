"""Re-anchoring: follow regions across a change made outside the editor.

When a file changes behind our back (a checkout, a formatter, another working
copy) there are no incremental edits to follow, only the last text we knew
and the text now. Regions then follow lines the way `git blame` does: a line
diff (diff.py) pairs identical lines, and a region keeps exactly the lines
the diff pairs. Nothing is guessed: a region none of whose lines survive is
"not-found", never attached to similar-looking lines, and a reformatted line
is a different line, so reformatting shows up as lost lines, never as AI
text silently turning human or human text turning AI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .diff import matching_lines
from .positions import LINE_BREAK, Encoding, Pos, Span, unit_len

Status = Literal["unchanged", "moved", "modified", "not-found"]


@dataclass(frozen=True, slots=True)
class Reanchored:
    region_id: str
    span: Span | None  # None when not found
    ai_spans: list[Span]
    lines_kept: int
    lines_total: int
    status: Status


@dataclass(frozen=True, slots=True)
class _Lines:
    """A text as lines: their contents, and whether each ends in a break."""

    contents: list[str]
    breaks: list[bool]

    @classmethod
    def of(cls, text: str) -> _Lines:
        contents = LINE_BREAK.split(text)
        # text ending in a line break has an empty last LSP line holding no
        # character: git does not count it as a line, and neither do we
        if contents[-1] == "":
            contents.pop()
            return cls(contents, [True] * len(contents))
        return cls(contents, [True] * (len(contents) - 1) + [False])


def _lines_of(span: Span) -> range:
    """The lines holding at least one character (or line break) of span."""
    return range(span.start.line, span.end.line + (1 if span.end.character else 0))


def _follow(span: Span, line_map: dict[int, int], new: _Lines, enc: Encoding) -> list[Span]:
    """The pieces of span on lines the diff kept, in the new text. Pieces on
    consecutive kept lines join up again."""
    pieces: list[Span] = []
    for line in _lines_of(span):
        target = line_map.get(line)
        if target is None:
            continue
        start = span.start.character if line == span.start.line else 0
        if line == span.end.line:
            end = Pos(target, span.end.character)
        elif new.breaks[target]:
            end = Pos(target + 1, 0)  # through the line break
        else:  # same content, but the new text ends without a break here
            end = Pos(target, unit_len(new.contents[target], enc))
        piece = Span(Pos(target, start), end)
        if pieces and pieces[-1].end == piece.start:
            pieces[-1] = Span(pieces[-1].start, piece.end)
        else:
            pieces.append(piece)
    return pieces


def reanchor(
    old_text: str, new_text: str, regions: list[tuple[str, Span, list[Span]]], enc: Encoding
) -> list[Reanchored]:
    """Where each region (id, span, ai spans in old_text) lies in new_text."""
    old, new = _Lines.of(old_text), _Lines.of(new_text)
    line_map = dict(matching_lines(old.contents, new.contents))
    out = []
    for region_id, span, ai_spans in regions:
        lines = _lines_of(span)
        kept = [line_map[line] for line in lines if line in line_map]
        if not kept:
            out.append(Reanchored(region_id, None, [], 0, len(lines), "not-found"))
            continue
        extent = _follow(span, line_map, new, enc)
        # lines inserted between kept lines are inside the region, as when
        # typed there live
        new_span = Span(extent[0].start, extent[-1].end)
        new_ai = [piece for s in ai_spans for piece in _follow(s, line_map, new, enc)]
        contiguous = kept[-1] - kept[0] == len(kept) - 1
        if len(kept) < len(lines) or not contiguous:
            status: Status = "modified"
        elif new_span == span and new_ai == ai_spans:
            status = "unchanged"
        else:
            status = "moved"
        out.append(Reanchored(region_id, new_span, new_ai, len(kept), len(lines), status))
    return out
