"""What the placement engine answers: where a region is, in one file or
in a whole working copy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..ledger.identity import RepoRef
from ..regions.positions import Span

# How a region was found: at its recorded range; moved within its file (line
# diff from the last snapshot, or its lines found in the file); in the file
# its file was renamed to; in another file; a second copy of text that is
# also still somewhere else.
Via = Literal["recorded", "reanchored", "renamed", "moved", "copied"]
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Placement:
    region_id: str
    path: str  # repository-relative, with forward slashes
    span: Span  # UTF-16, in the file as it is now
    ai_spans: list[Span]  # the parts still holding the AI's own text
    via: Via
    row: Row  # the ledger's row: provenance, reviews, the recorded path
    text_sha256: str  # of the region's text here: what a review must have seen

    @property
    def moved(self) -> bool:
        """Found at another path than the ledger's, and nowhere else first
        (a move to record; copies are not moves)."""
        return self.via in ("renamed", "moved")

    def lines(self) -> set[int]:
        """0-based lines the region holds text on."""
        return lines_of(self.span)

    def ai_lines(self) -> set[int]:
        return set().union(*(lines_of(s) for s in self.ai_spans)) if self.ai_spans else set()


@dataclass
class FilePlacements:
    """The regions whose text is in one file."""

    ref: RepoRef
    text: str
    placements: list[Placement]
    known: bool  # the ledger knows this file (regions recorded here, or a snapshot)
    rows: dict[str, Row] = field(default_factory=dict)  # rows recorded at this path
    missing: list[str] = field(default_factory=list)  # recorded here, found neither here nor moved elsewhere


@dataclass
class Layout:
    """Every live region of a repository, placed in one working copy."""

    ref: RepoRef
    rows: dict[str, Row]
    placements: list[Placement]
    missing: list[str]  # region ids found nowhere: "not found" is a state
    texts: dict[str, str] = field(default_factory=dict)  # path -> text, for files holding placements

    def at(self, path: str) -> list[Placement]:
        return [p for p in self.placements if p.path == path]

    def moves(self) -> list[Placement]:
        return [p for p in self.placements if p.moved]

    def of(self, region_id: str) -> list[Placement]:
        """Where a region is: its main place first, then its copies."""
        return [p for p in self.placements if p.region_id == region_id]


def lines_of(span: Span) -> set[int]:
    """0-based lines a span holds text on (an end at column 0 ends before that line)."""
    last = span.end.line if span.end.character > 0 else span.end.line - 1
    return set(range(span.start.line, max(span.start.line, last) + 1))
