"""Recording what the engine found: a region at another path is a move."""

from __future__ import annotations

from ..ledger.store import Ledger, StoredEvent
from .engine import Layout


def record_moves(ledger: Ledger, layout: Layout) -> list[StoredEvent]:
    """A `region-move` event for each region found at another path than the
    ledger's; a move already recorded is not recorded again."""
    return []
