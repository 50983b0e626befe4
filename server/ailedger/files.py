"""Reading files exactly as editors see them."""

from __future__ import annotations

TYPE_CHECKING = False  # not pathlib at run time: a before-edit hook reads files through here
if TYPE_CHECKING:
    from pathlib import Path


def read_document(path: Path | str) -> str:
    """The file's text with its line endings untouched (\\r\\n stays \\r\\n):
    positions must count the same characters the editor counts."""
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()
