"""Periodic sync with the audit service, inside the language server: push
this device's events and pull teammates' for the workspace's repositories.
All of it runs in the worker thread; the watcher then shows what arrived."""

from __future__ import annotations

import asyncio
from typing import Any

from .server import AiLedgerServer, log


def start(ls: AiLedgerServer) -> None:
    if ls.settings.sync_interval_ms > 0:
        asyncio.ensure_future(_loop(ls))


async def _loop(ls: AiLedgerServer) -> None:
    from ..sync.client import SyncError, endpoint_from_environment

    try:
        endpoint = endpoint_from_environment()
    except SyncError as err:
        log.info("sync is off: %s", err)
        return
    from .diagnostics import workspace_roots

    roots = workspace_roots(ls)
    while True:
        try:
            result = await ls.run_io(sync_round, endpoint, roots)
            log.info("synced: %s", result)
        except Exception as err:  # the service may be away: nothing is lost, try next round
            log.warning("sync failed (will retry): %s", err)
        await asyncio.sleep(ls.settings.sync_interval_ms / 1000)  # the sync interval, not a wait for the server


def sync_round(ledger: Any, endpoint: Any, roots: list[Any]) -> dict[str, int]:
    """Push, then pull for every repository the ledger or the workspace holds."""
    from ..ledger.identity import repo_of_folder
    from ..sync.client import Retry, pull, push

    pushed = push(ledger, endpoint, retry=Retry(attempts=3))
    repos = sorted(set(ledger.repos()) | {repo_of_folder(root).repo for root in roots})
    return {"pushed": pushed.pushed, "pulled": pull(ledger, endpoint, repos, retry=Retry(attempts=3))}
