"""The proxy's copy of an open document, kept as the server keeps its own:
didOpen, then didChange (incremental or whole), in the negotiated position
encoding.

Lines are stored with their line breaks, so an edit rewrites only the lines
it touches (an edit at the end of a long file costs no more than one at the
start) and the text is joined only when an acceptance needs checking.
"""

from __future__ import annotations

import re
from typing import Any

from ..regions.positions import Encoding, Pos, offset_at, unit_len

_BREAK = re.compile(r"(\r\n|\r|\n)")  # LSP's line breaks, kept by split


def split_lines(text: str) -> list[str]:
    """Lines with their breaks; the last one has none (and may be empty)."""
    parts = _BREAK.split(text)
    return [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)] + [parts[-1]]


def content(line: str) -> str:
    return line.rstrip("\r\n")


class Document:
    __slots__ = ("lines", "version")

    def __init__(self, text: str, version: int | None) -> None:
        self.lines = split_lines(text)
        self.version = version

    def text(self) -> str:
        return "".join(self.lines)

    def _locate(self, pos: Pos, enc: Encoding) -> tuple[int, int]:
        """(line, index into that line) of an LSP position, clamped as LSP says:
        past the end of a line is its end, past the last line is the end of the text."""
        if pos.line >= len(self.lines):
            last = len(self.lines) - 1
            return last, len(content(self.lines[last]))
        line = content(self.lines[pos.line])
        return pos.line, offset_at(line, Pos(0, pos.character), enc)

    def apply(self, change: dict[str, Any], enc: Encoding) -> None:
        """One entry of didChange's contentChanges."""
        r = change.get("range")
        if r is None:
            self.lines = split_lines(change["text"])
            return
        sl, si = self._locate(Pos(r["start"]["line"], r["start"]["character"]), enc)
        el, ei = self._locate(Pos(r["end"]["line"], r["end"]["character"]), enc)
        if (el, ei) < (sl, si):
            raise ValueError("range end is before its start")
        lines = self.lines
        chunk = lines[sl][:si] + change["text"] + lines[el][ei:]
        # "\r" then "\n" on either side of the edit is one break, not two
        if sl > 0 and chunk.startswith("\n") and lines[sl - 1].endswith("\r"):
            sl -= 1
            chunk = lines[sl] + chunk
        if chunk.endswith("\r") and el + 1 < len(lines) and lines[el + 1].startswith("\n"):
            el += 1
            chunk += lines[el]
        new = split_lines(chunk)
        if el < len(lines) - 1:
            new.pop()  # chunk ends with line el's break: the empty remainder is not a line
        lines[sl : el + 1] = new

    def slice(self, start: Pos, end: Pos, enc: Encoding) -> str:
        sl, si = self._locate(start, enc)
        el, ei = self._locate(end, enc)
        if sl == el:
            return self.lines[sl][si:ei]
        return self.lines[sl][si:] + "".join(self.lines[sl + 1 : el]) + self.lines[el][:ei]

    def line_count(self) -> int:
        return len(self.lines)

    def to_utf16(self, pos: Pos, enc: Encoding) -> Pos:
        """The same position counted in UTF-16 code units (the ledger's unit)."""
        if enc == "utf-16":
            return pos
        line, index = self._locate(pos, enc)
        return Pos(line, unit_len(content(self.lines[line])[:index], "utf-16"))
