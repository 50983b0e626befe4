"""Waiting on what the proxy writes to the ledger or to stderr."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from proxy.lspclient import DEADLINE


def acceptances(db: Path, count: int, stderr: list[str] | None = None, deadline: float = DEADLINE) -> list[dict[str, Any]]:
    """The ledger's acceptance payloads, once there are `count` of them."""
    from ailedger.ledger.errors import LedgerError
    from ailedger.ledger.store import Ledger

    give_up = time.monotonic() + deadline
    while True:
        found = []
        try:
            with Ledger(db, create=False) as ledger:
                found = [e.content["payload"] for e in ledger.events() if e.type == "acceptance"]
        except LedgerError:
            pass  # not there yet, or the proxy is creating it right now
        if len(found) >= count or time.monotonic() > give_up:
            assert len(found) == count, (found, stderr)
            return found
        time.sleep(0.02)  # polling a file another process writes: no message to wait on


def until(condition: Callable[[], Any], stderr: list[str] | None = None, deadline: float = DEADLINE) -> Any:
    give_up = time.monotonic() + deadline
    while not (value := condition()):
        if time.monotonic() > give_up:
            raise TimeoutError(f"condition never held; stderr: {stderr}")
        time.sleep(0.02)
    return value
