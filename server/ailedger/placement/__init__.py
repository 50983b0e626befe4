"""Where is each region's text now? One engine for the editor, blame, check,
reports and the dashboard.

    locate(ledger, root)            every live region of the repository at `root`,
                                    placed in its working copy -> Layout
    place_file(ledger, path, text)  the regions whose text is in one file -> FilePlacements
    record_moves(ledger, layout)    append a `region-move` event for each region
                                    found at another path (idempotent)

A region is looked for at its recorded path first (its recorded range, else
the line diff from the ledger's last snapshot of the file), then at the path
git's rename detection maps that path to, then by content anywhere in the
repository's files (an index of line hashes). A region found nowhere is
`missing`: "not found" is a state, never a guess. Text copied into a second
place is placed twice, under the same region: both copies are the AI's lines.
"""

from .describe import model_name, region_message, tool_name
from .engine import FilePlacements, Layout, Placement, Via, locate, place_file
from .place import place, row_ai_spans, row_span
from .record import record_moves

__all__ = [
    "FilePlacements", "Layout", "Placement", "Via", "locate", "model_name", "place", "place_file",
    "record_moves", "region_message", "row_ai_spans", "row_span", "tool_name",
]
