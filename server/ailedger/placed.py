"""Where a file's live regions are in some text of that file, and where a
span of one version of a file is in another: the one door
through which `summary`, the commit links and the importers ask the
placement engine (`ailedger.placement`). Keeping every call here lets the
engine change behind this module."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .ledger.store import Ledger
from .placement.model import lines_of  # noqa: F401 - one definition, for summary and commits
from .regions.positions import Span


@dataclass(frozen=True)
class Placed:
    row: dict[str, Any]  # the ledger's region row
    span: Span  # where the region is in the text asked about (UTF-16)
    ai_spans: list[Span]  # the parts still holding the AI's own text


def regions_in(ledger: Ledger, root: Path, path: str, text: str) -> list[Placed]:
    """The live regions found in `text` taken as the file `path` of the
    repository at `root` (its working copy, or a commit's blob of it): those
    recorded there, and those renamed, moved or copied into it (the placement
    engine's `place_file`); regions not found there are left out. Read-only."""
    from .placement import place_file

    return [Placed(p.row, p.span, p.ai_spans) for p in place_file(ledger, root / path, text).placements]


def follow(before: str, after: str, span: Span) -> tuple[Span, list[Span]] | None:
    """Where a span of `before` (a commit's blob of a file) is in `after` (the
    file now), with the parts still as they were; None when none of its lines
    survive. The line diff `blame` re-anchors by."""
    from .regions.reanchor import reanchor

    if before == after:
        return span, [span]
    [result] = reanchor(before, after, [("", span, [span])], "utf-16")
    return (result.span, result.ai_spans) if result.span is not None else None


def runs(lines: list[int]) -> list[tuple[int, int]]:
    """Sorted line numbers as (first, last) runs of consecutive lines."""
    out: list[tuple[int, int]] = []
    for n in sorted(set(lines)):
        if out and out[-1][1] == n - 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out
