"""Finding a region's lines in a file by content, the way `git blame -C`
finds lines copied from another file: exact lines, in order, with enough
real text among them that a match is no coincidence.

A region's lines are the lines of the text the AI wrote (its acceptance).
Where they are found, the lines between the first and the last found line
are the region; the found lines are its AI text, the others a person's edits
(moved with edits: only the lines that are still the AI's count).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from zlib import crc32

from ..regions.diff import matching_lines
from ..regions.positions import LINE_BREAK, Pos, Span, unit_len

# git blame -C wants 40 alphanumeric characters before it calls lines copied
# from another file, and -M 20 within one: the same thresholds here.
ELSEWHERE_SCORE = 40
SAME_FILE_SCORE = 20
# A line with fewer letters and digits than this (blank, "}", "else:") never
# decides where a region is; it can still be inside one.
SIGNIFICANT = 3


def score(line: str) -> int:
    """How much real text a line carries: its letters and digits."""
    return sum(map(str.isalnum, line))


def key(line: str) -> int:
    """A line's hash in the index (stable across processes, unlike hash())."""
    return crc32(line.encode("utf-8", "surrogatepass"))


def split(text: str) -> tuple[list[str], list[bool]]:
    """Lines as `git blame` counts them (no empty last line after a final
    break), and whether each ends in a line break."""
    contents = LINE_BREAK.split(text)
    if contents[-1] == "":
        contents.pop()
        return contents, [True] * len(contents)
    return contents, [True] * (len(contents) - 1) + [False]


@dataclass(frozen=True, slots=True)
class Found:
    span: Span  # first found line to the end of the last (UTF-16)
    ai_spans: list[Span]  # runs of found lines
    score: int  # letters and digits on the found lines


@dataclass(frozen=True, slots=True)
class Needle:
    """A region's lines as the AI wrote them, and what each weighs."""

    lines: list[str]
    weights: list[int]

    @property
    def total(self) -> int:
        return sum(w for w in self.weights if w >= SIGNIFICANT)

    def significant(self) -> Iterator[tuple[str, int]]:
        for line, weight in zip(self.lines, self.weights):
            if weight >= SIGNIFICANT:
                yield line, weight


def needle(text: str) -> Needle:
    """The lines of a region's text to look for."""
    lines = split(text)[0] if text else []
    return Needle(lines, [score(line) for line in lines])


def find(needle: Needle, hay: Sequence[str], breaks: Sequence[bool], *, elsewhere: bool,
         positions: dict[str, list[int]] | None = None) -> Found | None:
    """Where a region's lines are in `hay` (a file's), if enough of them are.

    Each occurrence of a significant line votes for the offset it implies;
    the best offset gives a window (room for lines a person added or removed
    around and inside the region) where git's line diff pairs them exactly."""
    lines, weights = needle.lines, needle.weights
    total = sum(weights)
    if positions is None:
        wanted = set(lines)
        positions = {}
        for j, line in enumerate(hay):
            if line in wanted:
                positions.setdefault(line, []).append(j)
    votes: Counter[int] = Counter()
    for i, line in enumerate(lines):
        if weights[i] >= SIGNIFICANT:
            for j in positions.get(line, ()):
                votes[j - i] += weights[i]
    if not votes:
        return None
    offset = max(votes.items(), key=lambda kv: (kv[1], -kv[0]))[0]
    lo, hi = max(0, offset - len(lines)), min(len(hay), offset + 2 * len(lines))
    pairs = [(i, j + lo) for i, j in matching_lines(lines, hay[lo:hi])]
    # a blank line or a lone brace matched at either end is a coincidence,
    # not the region's edge
    while pairs and weights[pairs[0][0]] < SIGNIFICANT:
        pairs.pop(0)
    while pairs and weights[pairs[-1][0]] < SIGNIFICANT:
        pairs.pop()
    if not pairs:
        return None
    found = sum(weights[i] for i, _ in pairs)
    needed = ELSEWHERE_SCORE if elsewhere else SAME_FILE_SCORE
    if found < min(needed, total) or total < SIGNIFICANT * 3:
        return None  # too little real text to tell a region from a coincidence
    runs: list[tuple[int, int]] = []
    for _, j in pairs:
        if runs and runs[-1][1] == j - 1:
            runs[-1] = (runs[-1][0], j)
        else:
            runs.append((j, j))
    ai = [_line_span(hay, breaks, a, b) for a, b in runs]
    return Found(Span(ai[0].start, ai[-1].end), ai, found)


def _line_span(hay: Sequence[str], breaks: Sequence[bool], first: int, last: int) -> Span:
    end = Pos(last + 1, 0) if breaks[last] else Pos(last, unit_len(hay[last], "utf-16"))
    return Span(Pos(first, 0), end)
