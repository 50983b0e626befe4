"""Other writers: acceptances and reviews that other processes append (an
agent hook's `ailedger record`, a CLI review) show up in open documents
within a second, without a restart.

The worker thread looks for new events every `watch_interval_ms`; a check
with nothing new is one indexed query.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from lsprotocol import types

from .server import AiLedgerServer, log


def register(server: AiLedgerServer) -> None:
    @server.feature(types.INITIALIZED)
    async def initialized(ls: AiLedgerServer, params: types.InitializedParams) -> None:
        from . import ledger_io

        from . import files_watch

        await ls.run_io(ledger_io.warm_up)
        from .diagnostics import workspace_roots

        try:  # code moved or renamed while no editor ran: its regions follow it before files open
            await ls.run_io(ledger_io.follow_moves, workspace_roots(ls))
        except Exception:
            log.exception("could not follow regions moved while the server was down")
        # What is loaded now lives as long as the server: keep the cyclic
        # collector from rescanning it, which showed as 2-50 ms pauses on
        # keystrokes with thousands of regions.
        gc.freeze()
        gc.set_threshold(20_000, 20, 20)
        ls._watcher = asyncio.ensure_future(watch(ls))  # type: ignore[attr-defined]
        try:
            files_watch.start(ls)
        except Exception:  # e.g. out of inotify watches: the editor path still works
            log.exception("could not watch the workspace for changes on disk")
        from . import sync_loop

        sync_loop.start(ls)


async def watch(ls: AiLedgerServer) -> None:
    from . import ledger_io

    seen = await ls.run_io(ledger_io.last_rowid)
    while True:
        await asyncio.sleep(ls.settings.watch_interval_ms / 1000)  # a polling interval, not a wait for the server
        try:
            seen, events = await ls.run_io(ledger_io.new_events, seen)
            mine = {e.id for e in events} & ls.own_events
            ls.own_events -= mine
            events = [e for e in events if e.id not in mine]
            if events:
                await refresh(ls, events)
            for state in list(ls.docs.values()):
                if state.snapshot_due and state.ref is not None:
                    state.snapshot_due = False
                    await ls.run_io(ledger_io.save_snapshot, state.ref, state.text)
        except Exception:
            log.exception("watching the ledger failed; trying again")


async def refresh(ls: AiLedgerServer, events: list[Any]) -> None:
    """Bring open documents up to date with events they have not seen."""
    from . import ledger_io
    from .diagnostics import schedule
    from .state import convert_span

    touched: dict[str, set[str]] = {}
    for event in events:
        payload = event.content["payload"]
        ids = payload.get("regionIds") or [payload.get("regionId")]
        for state in ls.docs.values():
            if state.ref is None or not state.loaded.is_set():
                continue
            mine = event.type == "acceptance" and payload.get("repo") == state.ref.repo and payload.get("path") == state.ref.path
            # An incident speaks of a model or tool, not of regions: any open document may hold some.
            if mine or event.type == "incident-open" or any(r in state.rows for r in ids):
                touched.setdefault(state.uri, set()).update(ids)
    for uri in touched:
        state = ls.docs.get(uri)
        if state is None:
            continue
        rows = await ls.run_io(ledger_io.file_rows, state.ref)
        fresh = {r: row for r, row in rows.items()
                 if r not in state.regions and r not in state.ended and row["status"] != "ended"}
        if fresh:
            placed = await ls.run_io(ledger_io.place, fresh, state.text)
            for region_id, span, ai in placed:
                state.regions.add(region_id, convert_span(state.line_text, span, "utf-16", state.encoding),
                                  [convert_span(state.line_text, s, "utf-16", state.encoding) for s in ai])
        state.rows.update(rows)
        for region_id in list(state.regions.ids()):
            if rows.get(region_id, {}).get("status") == "ended":
                state.regions.remove(region_id)
        schedule(ls, state, now=True)
