"""Where is each region's text now? One engine for the editor, blame, check,
reports and the dashboard.

    locate(ledger, root, *, index=True) -> Layout
        every live region of the repository at `root`, placed in its working
        copy: Layout.placements (main place first, then copies), .missing
        (region ids found nowhere), .rows, .texts; .at(path), .of(region_id),
        .moves()
    place_file(ledger, path, text=None) -> FilePlacements
        the regions whose text is in one file (recorded there, renamed to it,
        moved or copied into it): .placements, .missing (recorded there and
        found neither there nor moved), .rows, .known, .ref, .text
    record_moves(ledger, layout) -> list[StoredEvent]
        a `region-move` event for each region found at another path
        (idempotent), with the positions of the regions sharing its new file

    Placement(region_id, path, span, ai_spans, via, row, text_sha256)
        span and ai_spans in UTF-16 positions of the file as it is now; via is
        "recorded" | "reanchored" | "renamed" | "moved" | "copied";
        .lines() / .ai_lines() are 0-based line numbers; .moved

A region is looked for at its recorded path first (its recorded range, else
the line diff from the ledger's last snapshot of the file, else its lines in
that file), then at the path git's rename detection maps that path to, then
by content anywhere in the repository's files (an index of line hashes
cached beside the ledger). A region found nowhere is `missing`: "not found"
is a state, never a guess. Text copied into a second place is placed twice,
under the same region: both copies are the AI's lines.
"""

from .describe import model_name, region_message, tool_name
from .engine import locate, place_file
from .model import FilePlacements, Layout, Placement, Via
from .place import place, row_ai_spans, row_span
from .record import record_moves

__all__ = [
    "FilePlacements", "Layout", "Placement", "Via", "locate", "model_name", "place", "place_file",
    "record_moves", "region_message", "row_ai_spans", "row_span", "tool_name",
]
