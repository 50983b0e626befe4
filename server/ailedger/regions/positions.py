"""LSP positions: (line, character) in a negotiated encoding, and their text.

Python strings index code points; LSP counts UTF-16 code units by default
(UTF-8 bytes or UTF-32 code points when negotiated). Everything that turns an
LSP position into a string index, or back, goes through this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Encoding = Literal["utf-8", "utf-16", "utf-32"]

# LSP ends a line at \r\n, \n or \r; str.splitlines also splits on \v, \f,
# \x1c-\x1e, \x85, \u2028 and \u2029, which would disagree with editors.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, order=True, slots=True)
class Pos:
    line: int
    character: int


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open range [start, end) of a document."""

    start: Pos
    end: Pos

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"span ends before it starts: {self.start} > {self.end}")

    @property
    def empty(self) -> bool:
        return self.start == self.end


def unit_len(s: str, enc: Encoding) -> int:
    """Length of s in the units positions count in."""
    if enc == "utf-32" or s.isascii():
        return len(s)
    # surrogatepass: a lone surrogate (from a broken client) still has a size
    if enc == "utf-16":
        return len(s.encode("utf-16-le", "surrogatepass")) // 2
    return len(s.encode("utf-8", "surrogatepass"))


def text_end(start: Pos, text: str, enc: Encoding) -> Pos:
    """Where text ends once inserted at start."""
    pieces = LINE_BREAK.split(text)
    if len(pieces) == 1:
        return Pos(start.line, start.character + unit_len(text, enc))
    return Pos(start.line + len(pieces) - 1, unit_len(pieces[-1], enc))


def _line_bounds(text: str, line: int) -> tuple[int, int] | None:
    """String offsets where a line starts and where its content ends."""
    start = 0
    for _ in range(line):
        brk = LINE_BREAK.search(text, start)
        if brk is None:
            return None
        start = brk.end()
    brk = LINE_BREAK.search(text, start)
    return start, brk.start() if brk else len(text)


def _column_to_index(content: str, character: int, enc: Encoding) -> int:
    """Index in content of a character column; a column past the end clamps
    to the end, one inside a character rounds down to its start."""
    if enc == "utf-32" or content.isascii():
        return min(character, len(content))
    units = 0
    for i, ch in enumerate(content):
        units += unit_len(ch, enc)
        if units > character:
            return i
    return len(content)


column_to_index = _column_to_index  # for callers that hold one line


def offset_at(text: str, pos: Pos, enc: Encoding) -> int:
    """String index of an LSP position in text.

    As LSP says, a character past the end of its line means the end of that
    line; a line past the last one means the end of the text.
    """
    bounds = _line_bounds(text, pos.line)
    if bounds is None:
        return len(text)
    start, content_end = bounds
    return start + _column_to_index(text[start:content_end], pos.character, enc)


def pos_at(text: str, offset: int, enc: Encoding) -> Pos:
    """LSP position of a string index in text (clamped to the text)."""
    offset = max(0, min(offset, len(text)))
    line, start = 0, 0
    for brk in LINE_BREAK.finditer(text):
        if brk.end() > offset:
            # an offset between the \r and \n of a \r\n is still on this line
            offset = min(offset, brk.start())
            break
        line, start = line + 1, brk.end()
    return Pos(line, unit_len(text[start:offset], enc))


def slice_text(text: str, span: Span, enc: Encoding) -> str:
    return text[offset_at(text, span.start, enc) : offset_at(text, span.end, enc)]


class LineIndex:
    """One text's line starts, for many lookups: `offset_at` scans the text
    from the start every time, which is fine once and slow a thousand times."""

    __slots__ = ("text", "starts")

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]

    def line(self, n: int) -> str:
        """Line n's content, without its line break ("" past the end)."""
        if n >= len(self.starts):
            return ""
        end = self.starts[n + 1] if n + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[n]:end].rstrip("\r\n")

    def offset(self, pos: Pos, enc: Encoding) -> int:
        if pos.line >= len(self.starts):
            return len(self.text)
        return self.starts[pos.line] + _column_to_index(self.line(pos.line), pos.character, enc)

    def slice(self, span: Span, enc: Encoding) -> str:
        return self.text[self.offset(span.start, enc):self.offset(span.end, enc)]

    def pos(self, offset: int, enc: Encoding) -> Pos:
        from bisect import bisect_right

        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        content = self.line(line)
        return Pos(line, unit_len(content[:min(offset - start, len(content))], enc))
