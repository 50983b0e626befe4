"""What the server knows about each open document.

Everything here is touched only on the event loop; none of it does I/O.
Region positions in the ledger are always UTF-16 (the LSP default, and what
`ailedger record` writes); in a session they are in the negotiated encoding,
converted once when they cross that boundary.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..ledger import projection
from ..ledger.canonical import sha256_text
from ..ledger.identity import RepoRef
from ..placement import row_ai_spans, row_span  # noqa: F401  (the LSP modules take them from here)
from ..regions.positions import Encoding, LineIndex, Pos, Span, column_to_index, unit_len
from ..regions.tracker import DocumentRegions



@dataclass
class DocState:
    uri: str
    path: Path | None
    encoding: Encoding
    text: str
    version: int
    regions: DocumentRegions
    ref: RepoRef | None = None
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # ledger rows: provenance, reviews
    live_sha: dict[str, str] = field(default_factory=dict)  # text hash now, where it may differ from the row's
    stale: set[str] = field(default_factory=set)  # regions whose text changed since live_sha was computed
    unrecorded: set[str] = field(default_factory=set)  # moved or edited since the ledger last heard
    copies: set[str] = field(default_factory=set)  # a region's text copied here: shown, never recorded from here
    ended: dict[str, tuple[Span, str]] = field(default_factory=dict)  # deleted regions: last span, text hash
    loaded: asyncio.Event = field(default_factory=asyncio.Event)
    pending: list[tuple[str, list[Any]]] = field(default_factory=list)  # changes that came while loading
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    publish_handle: asyncio.TimerHandle | None = None
    _index: LineIndex | None = None
    _status: dict[str, tuple[Any, str, str]] = field(default_factory=dict)
    _findings: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    # region id -> (extent, code, severity, built at, diagnostic dict)
    diagnostic_cache: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    snapshot_due: bool = False  # the ledger should remember this text (written off the capture path)

    def changed(self) -> None:
        """Wake whoever waits for this document to reach some state."""
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait (without polling) until `condition()` holds after some change, or time runs out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                return condition()
        return True

    # --- region text and status -------------------------------------------

    def index(self) -> LineIndex:
        """Line starts of the current text; built once per text version."""
        if self._index is None or self._index.text is not self.text:
            self._index = LineIndex(self.text)
        return self._index

    def line_count(self) -> int:
        return len(self.index().starts)

    def text_of(self, span: Span) -> str:
        """The exact text of a span, line breaks as they are in the document."""
        return self.index().slice(span, self.encoding)

    def line_text(self, line: int) -> str:
        return self.index().line(line)

    def sha_now(self, region_id: str) -> str:
        if region_id in self.stale or region_id not in self.live_sha:
            if region_id in self.stale or region_id not in self.rows:
                self.live_sha[region_id] = sha256_text(self.text_of(self.regions.span(region_id)))
            else:
                self.live_sha[region_id] = self.rows[region_id]["text_sha256"]
            self.stale.discard(region_id)
        return self.live_sha[region_id]

    def status(self, region_id: str) -> str:
        """The review status of the text as it is in this editor right now.

        Cached until the region's row (replaced whole on every ledger refresh)
        or its text changes: publishing asks this of every region per keystroke."""
        row = self.rows.get(region_id)
        if row is None:
            return "unreviewed"
        sha = self.sha_now(region_id)
        hit = self._status.get(region_id)
        if hit is not None and hit[0] is row and hit[1] == sha:
            return hit[2]
        status = projection.status_of(dict(row, text_sha256=sha))
        self._status[region_id] = (row, sha, status)
        return status

    def findings(self, region_id: str, rules: Any, minute: int | None = None) -> list[Any]:
        """What the policy says of the region now (see `policy.assess`).

        The same list object comes back until the row (replaced whole on every
        ledger refresh), the region's text (every edit marks it stale), the
        rules or the minute ("overdue" grows with the clock) change: this runs
        for every region on every keystroke, and the diagnostics cache
        compares its result by identity."""
        if minute is None:
            minute = int(time.time() // 60)
        row = self.rows.get(region_id)
        hit = self._findings.get(region_id)
        if (hit is not None and hit[0] is row and hit[1] is rules and hit[2] == minute
                and region_id not in self.stale and hit[4] == self.live_sha.get(region_id)):
            return hit[3]
        from datetime import datetime, timezone

        from ..policy import Finding, assess

        status = self.status(region_id)
        if row is None:
            found = [Finding("ai-unreviewed", "", rules.name)] if rules.reviews else []
        else:
            found = assess(dict(row, text_sha256=self.sha_now(region_id)), status, rules,
                           datetime.now(timezone.utc))
        self._findings[region_id] = (row, rules, minute, found, self.live_sha.get(region_id))
        return found

    def ai_fraction(self, region_id: str) -> float:
        whole = len(self.text_of(self.regions.span(region_id)))
        ai = sum(len(self.text_of(span)) for span in self.regions.ai_spans(region_id))
        return round(ai / whole, 4) if whole else 0.0


Documents = dict[str, DocState]  # the open documents, by URI (the server's `docs`)


def convert(line: str, pos: Pos, src: Encoding, dst: Encoding) -> Pos:
    """A position on `line` in `src` units, as `dst` units."""
    if src == dst or line.isascii():
        return pos
    return Pos(pos.line, unit_len(line[:column_to_index(line, pos.character, src)], dst))


def convert_span(line_text: Callable[[int], str], span: Span, src: Encoding, dst: Encoding) -> Span:
    if src == dst:
        return span
    return Span(convert(line_text(span.start.line), span.start, src, dst),
                convert(line_text(span.end.line), span.end, src, dst))
