"""What an edit inserted: the runs of lines in the new text that the diff
does not match to the old one (git's diff, as `git blame` sees it)."""

from __future__ import annotations

import re

from .diff import matching_lines
from .positions import Encoding, Pos, Span, unit_len

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """Lines with their line breaks (LSP's: \\n, \\r\\n, \\r); joining them gives back `text`."""
    return _LINES.findall(text)


def inserted_hunks(before: str | None, after: str, enc: Encoding = "utf-16") -> list[tuple[Span, str]]:
    """(span in `after`, exact text) of each run of new or changed lines."""
    old = split_lines(before or "")
    new = split_lines(after)
    kept = {j for _, j in matching_lines(old, new)} if old else set()
    hunks: list[tuple[Span, str]] = []
    run: list[int] = []
    for j in range(len(new) + 1):
        if j < len(new) and j not in kept:
            run.append(j)
            continue
        if run:
            first, last = run[0], run[-1]
            text = "".join(new[first:last + 1])
            stripped = new[last].rstrip("\r\n")
            end = Pos(last + 1, 0) if stripped != new[last] else Pos(last, unit_len(stripped, enc))
            hunks.append((Span(Pos(first, 0), end), text))
            run = []
    return hunks
