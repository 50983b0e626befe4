"""Document sync: open, change, save, close, and the settings that shape them.

Changes move regions through the pure tracker on the event loop (no I/O);
what the ledger must hear (a region deleted, moved or edited) is handed to
the worker thread.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..paths import path_of
from .server import AiLedgerServer, log


def register(server: AiLedgerServer) -> None:
    server.docs = {}

    @server.feature(types.INITIALIZE)
    def initialize(ls: AiLedgerServer, params: types.InitializeParams) -> None:
        for problem in ls.settings.update(params.initialization_options):
            log.warning(problem)
        ls.start_loading()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: AiLedgerServer, params: types.DidChangeConfigurationParams) -> None:
        from .diagnostics import publish_all

        for problem in ls.settings.update(params.settings):
            ls.window_show_message(types.ShowMessageParams(types.MessageType.Warning, problem))
        publish_all(ls)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: AiLedgerServer, params: types.DidOpenTextDocumentParams) -> None:
        await open_document(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AiLedgerServer, params: types.DidChangeTextDocumentParams) -> None:
        from .diagnostics import schedule

        state = ls.docs.get(params.text_document.uri)
        if state is None:
            return
        doc = ls.workspace.get_text_document(state.uri)
        before, state.text, state.version = state.text, doc.source, doc.version
        if state.loaded.is_set():
            apply_changes(ls, state, before, params.content_changes)
            schedule(ls, state)
        else:
            state.pending.append((before, list(params.content_changes)))
        state.changed()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: AiLedgerServer, params: types.DidSaveTextDocumentParams) -> None:
        state = ls.docs.get(params.text_document.uri)
        if state is not None and state.loaded.is_set():
            await record_positions(ls, state, "save")

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: AiLedgerServer, params: types.DidCloseTextDocumentParams) -> None:
        state = ls.docs.pop(params.text_document.uri, None)
        if state is None:
            return
        if state.publish_handle is not None:
            state.publish_handle.cancel()
        if state.loaded.is_set():
            await record_positions(ls, state, "save")
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=state.uri, diagnostics=[]))


async def open_document(ls: AiLedgerServer, uri: str) -> None:
    from ..regions.tracker import DocumentRegions
    from . import ledger_io
    from .diagnostics import schedule
    from .policy import ensure as ensure_policy
    from .state import DocState, convert_span

    doc = ls.workspace.get_text_document(uri)
    encoding = ls.encoding
    state = DocState(uri, path_of(uri), encoding, doc.source, doc.version or 0, DocumentRegions(encoding))  # type: ignore[arg-type]
    ls.docs[uri] = state
    if state.path is None:
        state.loaded.set()
        return
    opening_text = state.text
    try:
        opened = await ls.run_io(ledger_io.open_file, state.path, opening_text)
    except Exception:  # the editor goes on without us; say why in the log
        log.exception("could not load regions for %s", uri)
        state.loaded.set()
        return
    await ensure_policy(ls, opened.ref.root)
    if ls.docs.get(uri) is not state:
        return  # closed (or reopened) while we were loading
    from ..regions.positions import LINE_BREAK

    lines = LINE_BREAK.split(opening_text)
    line_text = lambda n: lines[n] if n < len(lines) else ""  # noqa: E731
    state.ref, state.rows, state.copies = opened.ref, opened.rows, opened.copies
    for region_id, span, ai in opened.regions:
        state.regions.add(region_id, convert_span(line_text, span, "utf-16", encoding),
                          [convert_span(line_text, s, "utf-16", encoding) for s in ai])
    for before, changes in state.pending:
        apply_changes(ls, state, before, changes)
    state.pending.clear()
    state.loaded.set()
    state.changed()
    schedule(ls, state)


def apply_changes(ls: AiLedgerServer, state: Any, before: str, changes: list[Any]) -> None:
    """Move the document's regions through one didChange's edits (pure, no I/O)."""
    from ..ledger.canonical import sha256_text
    from ..regions.positions import Pos, Span, text_end

    ended: list[str] = []
    restored: list[str] = []
    for change in changes:
        if not isinstance(change, types.TextDocumentContentChangePartial):
            whole_document_replaced(state, before)
            continue
        start = Pos(change.range.start.line, change.range.start.character)
        end = Pos(change.range.end.line, change.range.end.character)
        effect = state.regions.apply_change(start, end, change.text)
        state.stale |= effect.modified
        state.unrecorded |= effect.modified
        for region_id, span in effect.ended.items():
            known = state.live_sha.get(region_id) if region_id not in state.stale else None
            row = state.rows.get(region_id)
            state.ended[region_id] = (span, known or (row["text_sha256"] if row else ""))
            ended.append(region_id)
        if change.text and state.ended:
            inserted = sha256_text(change.text)
            for region_id, (span, sha) in list(state.ended.items()):
                if span.start == start and sha == inserted:  # an undo put it back
                    state.regions.add(region_id, Span(start, text_end(start, change.text, state.encoding)))
                    del state.ended[region_id]
                    state.live_sha[region_id] = sha
                    restored.append(region_id)
                    if region_id in ended:
                        ended.remove(region_id)
    # a copy is the region's text in a second place: what happens to it here moves nothing
    ours = set(state.rows) - state.copies
    events = [("region-ended", {"regionId": r, "reason": "deleted"}) for r in ended if r in ours]
    events += [region_update(state, r, "restore") for r in restored if r in ours]
    if events:
        asyncio.ensure_future(_record_and_refresh(ls, state, events))


def whole_document_replaced(state: Any, before: str) -> None:
    """A change without a range: map regions by a line diff, like a reopened file."""
    from ..regions.reanchor import reanchor

    results = reanchor(before, state.text, state.regions.snapshot(), state.encoding)
    state.regions.restore([(r.region_id, r.span, r.ai_spans) for r in results if r.span is not None])
    for r in results:
        if r.status != "unchanged":
            state.stale.add(r.region_id)
            state.unrecorded.add(r.region_id)


def region_update(state: Any, region_id: str, reason: str) -> tuple[str, dict[str, Any]]:
    """A region-update event for where the region is now (ledger positions are UTF-16)."""
    from ..capture import range_of
    from .state import convert_span

    span = convert_span(state.line_text, state.regions.span(region_id), state.encoding, "utf-16")
    ai = [convert_span(state.line_text, s, state.encoding, "utf-16") for s in state.regions.ai_spans(region_id)]
    return ("region-update", {
        "regionId": region_id, "path": state.ref.path, "range": range_of(span),
        "aiRanges": [range_of(s) for s in ai], "textSha256": state.sha_now(region_id),
        "aiFraction": state.ai_fraction(region_id), "reason": reason,
    })


async def record_positions(ls: AiLedgerServer, state: Any, reason: str) -> None:
    """Tell the ledger where regions are now, for those it does not know yet."""
    from ..capture import range_of
    from .state import convert_span

    if state.ref is None:
        return
    events = []
    for region_id in state.regions.ids():
        row = state.rows.get(region_id)
        if row is None or region_id in state.copies:
            continue
        span = convert_span(state.line_text, state.regions.span(region_id), state.encoding, "utf-16")
        known = range_of(span) == {"start": {"line": row["start_line"], "character": row["start_char"]},
                                   "end": {"line": row["end_line"], "character": row["end_char"]}}
        if region_id in state.unrecorded or not known:
            events.append(region_update(state, region_id, "edit" if region_id in state.unrecorded else reason))
    state.unrecorded.clear()
    await _record_and_refresh(ls, state, events, snapshot=True)


async def _record_and_refresh(ls: AiLedgerServer, state: Any, events: list[Any], snapshot: bool = False) -> None:
    from . import ledger_io
    from .diagnostics import schedule

    try:
        stored = await ls.run_io(ledger_io.record, events, (state.ref, state.text) if snapshot else None)
        ls.own_events.update(e.id for e in stored)
        if events:
            rows = await ls.run_io(ledger_io.rows_of, [e[1]["regionId"] for e in events])
            state.rows.update(rows)
    except Exception:
        log.exception("could not record region changes for %s", state.uri)
        return
    schedule(ls, state)
