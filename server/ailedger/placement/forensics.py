"""`ailedger blame`: who (and what) wrote each line of a file, from the
ledger and the file as it is now."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson

from ..ledger.store import Ledger
from ..regions.inserted import split_lines
from .engine import place_file

Attribution = Literal["ai", "ai-edited", "human", "untracked"]


@dataclass
class LineBlame:
    line: int  # 1-based, like an editor's gutter
    text: str
    attribution: Attribution
    region: dict[str, Any] | None = None  # the ledger row, for AI lines

    def reviews(self) -> list[dict[str, Any]]:
        return orjson.loads(self.region["reviews"]) if self.region else []


def blame(ledger: Ledger, path: Path) -> list[LineBlame]:
    """Every line of the file: the AI's own text, AI text a person changed,
    a person's, or untracked (the ledger knows nothing of this file).
    Read-only: blame records nothing."""
    found = place_file(ledger, path)
    known = found.known or bool(found.placements)
    out = [LineBlame(i + 1, line.rstrip("\r\n"), "human" if known else "untracked")
           for i, line in enumerate(split_lines(found.text))]
    for placement in found.placements:
        ai = placement.ai_lines()
        for n in sorted(placement.lines()):
            if n < len(out) and out[n].attribution != "ai":  # where copies overlap, the AI's text wins
                out[n].attribution = "ai" if n in ai else "ai-edited"
                out[n].region = placement.row
    return out
