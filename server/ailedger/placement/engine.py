"""The placement engine: where each region's text is in a working copy now."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..files import read_document
from ..ledger.identity import RepoRef, repo_of, repo_of_folder
from ..ledger.projection import LIVE
from ..ledger.store import Ledger
from ..regions.positions import Span
from .place import place, row_ai_spans, row_span

# How a region was found: at its recorded range; moved within its file (line
# diff from the last snapshot, or its lines found in the file); in the file
# its file was renamed to; in another file; a second copy of text that is
# also still somewhere else.
Via = Literal["recorded", "reanchored", "renamed", "moved", "copied"]


@dataclass(frozen=True, slots=True)
class Placement:
    region_id: str
    path: str  # repository-relative, with forward slashes
    span: Span  # UTF-16, in the file as it is now
    ai_spans: list[Span]  # the parts still holding the AI's own text
    via: Via
    row: dict[str, Any]  # the ledger's row: provenance, reviews, the recorded path

    @property
    def moved(self) -> bool:
        """At another path than the ledger's (a move to record; copies are not moves)."""
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
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # rows recorded at this path


@dataclass
class Layout:
    """Every live region of a repository, placed in one working copy."""

    ref: RepoRef
    rows: dict[str, dict[str, Any]]
    placements: list[Placement]
    missing: list[str]  # region ids found nowhere: "not found" is a state
    texts: dict[str, str] = field(default_factory=dict)  # path -> text, for files holding placements

    def at(self, path: str) -> list[Placement]:
        return [p for p in self.placements if p.path == path]

    def moves(self) -> list[Placement]:
        return [p for p in self.placements if p.moved]


def lines_of(span: Span) -> set[int]:
    """0-based lines a span holds text on (an end at column 0 ends before that line)."""
    last = span.end.line if span.end.character > 0 else span.end.line - 1
    return set(range(span.start.line, max(span.start.line, last) + 1))


def place_file(ledger: Ledger, path: Path, text: str | None = None) -> FilePlacements:
    """The regions whose text is in the file at `path` (its text now, read
    from disk unless given). Read-only: nothing is recorded."""
    from ..regions.reanchor import reanchor

    if text is None:
        text = read_document(path)
    ref = repo_of(path)
    rows = {r["region_id"]: r for r in ledger.regions(repo=ref.repo, path=ref.path, status=LIVE)}
    seen = ledger.snapshot(ref.repo, ref.path)
    if seen is None or seen.same_as(text) or not rows:
        found = place(ledger, rows, text)
        placements = [Placement(rid, ref.path, span, ai, "recorded", rows[rid]) for rid, span, ai in found]
    else:
        regions = [(rid, row_span(row), row_ai_spans(row)) for rid, row in rows.items()]
        placements = [Placement(r.region_id, ref.path, r.span, r.ai_spans,
                                "recorded" if r.status == "unchanged" else "reanchored", rows[r.region_id])
                      for r in reanchor(*seen.against(text), regions, "utf-16") if r.span is not None]
    return FilePlacements(ref, text, placements, bool(rows) or seen is not None, rows)


def locate(ledger: Ledger, root: Path, *, paths: Iterable[str] | None = None) -> Layout:
    """Every live region of the repository at `root`, placed in its working copy."""
    ref = repo_of_folder(root)
    rows = {r["region_id"]: r for r in ledger.regions(repo=ref.repo, status=LIVE)}
    by_path: dict[str, dict[str, dict[str, Any]]] = {}
    for rid, row in rows.items():
        by_path.setdefault(row["path"], {})[rid] = row
    placements: list[Placement] = []
    texts: dict[str, str] = {}
    for path in sorted(by_path):
        try:
            text = read_document(ref.root / path)
        except (OSError, UnicodeDecodeError):
            continue
        found = place(ledger, by_path[path], text)
        if found:
            texts[path] = text
        placements += [Placement(rid, path, span, ai, "recorded", rows[rid]) for rid, span, ai in found]
    placed = {p.region_id for p in placements}
    return Layout(ref, rows, placements, [rid for rid in rows if rid not in placed], texts)
