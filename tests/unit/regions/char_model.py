"""A brute-force oracle for live tracking: the document as a list of
characters, each knowing which region's AI wrote it and which regions'
extents it lies in. Slow and obviously right; DocumentRegions must agree."""

from __future__ import annotations

from dataclasses import dataclass

from ailedger.regions.positions import Encoding, Pos, Span, offset_at, unit_len


@dataclass(frozen=True)
class Char:
    ch: str
    owner: str | None  # the region whose AI wrote it; None for human text
    inside: frozenset[str]  # regions whose extent holds it


State = dict[str, tuple[Span, list[Span]]]


class CharModel:
    def __init__(self, text: str, enc: Encoding) -> None:
        self.enc = enc
        self.chars = [Char(c, None, frozenset()) for c in text]

    @property
    def text(self) -> str:
        return "".join(c.ch for c in self.chars)

    def offset(self, pos: Pos) -> int:
        return offset_at(self.text, pos, self.enc)

    def positions(self) -> list[Pos]:
        """The position of every offset 0..len."""
        out, line, col = [], 0, 0
        chars = self.chars
        for i, c in enumerate(chars):
            out.append(Pos(line, col))
            if c.ch == "\n" or (c.ch == "\r" and (i + 1 == len(chars) or chars[i + 1].ch != "\n")):
                line, col = line + 1, 0
            elif c.ch != "\r":  # the \r of a \r\n: the \n ends the line
                col += unit_len(c.ch, self.enc)
        out.append(Pos(line, col))
        return out

    def add(self, region_id: str, span: Span, ai_spans: list[Span]) -> None:
        a, b = self.offset(span.start), self.offset(span.end)
        for i in range(a, b):
            c = self.chars[i]
            self.chars[i] = Char(c.ch, c.owner, c.inside | {region_id})
        for s in ai_spans:
            for i in range(self.offset(s.start), self.offset(s.end)):
                c = self.chars[i]
                self.chars[i] = Char(c.ch, region_id, c.inside)

    def apply(self, start: Pos, end: Pos, text: str) -> tuple[set[str], dict[str, Span], bool]:
        """The change, and what a tracker must report: modified, ended, moved."""
        before = self.state()
        a, b = self.offset(start), self.offset(end)
        deleted = self.chars[a:b]
        del self.chars[a:b]
        left = self.chars[a - 1].inside if a > 0 else frozenset()
        right = self.chars[a].inside if a < len(self.chars) else frozenset()
        # new text is inside a region only with the region on both sides
        inside = left & right
        self.chars[a:a] = [Char(c, None, inside) for c in text]
        after = self.state()
        modified = {c.owner for c in deleted if c.owner is not None}
        if text:
            modified |= inside
        ended = {r: before[r][0] for r in before if r not in after}
        moved = any(after[r] != before[r] for r in after)
        return modified - set(ended), ended, moved

    def state(self) -> State:
        pos = self.positions()
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        runs: dict[str, list[Span]] = {}
        for i, c in enumerate(self.chars):
            for r in c.inside:
                first.setdefault(r, i)
                last[r] = i
            if c.owner is None:
                continue
            prev = self.chars[i - 1].owner if i > 0 else None
            owned = runs.setdefault(c.owner, [])
            if prev == c.owner:
                owned[-1] = Span(owned[-1].start, pos[i + 1])
            else:
                owned.append(Span(pos[i], pos[i + 1]))
        return {r: (Span(pos[first[r]], pos[last[r] + 1]), runs.get(r, [])) for r in first}
