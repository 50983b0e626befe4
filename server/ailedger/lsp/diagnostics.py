"""Unreviewed regions as diagnostics: pushed after every change (debounced,
never more than 100 ms late), after capture and review; and built for the
pulls (`textDocument/diagnostic`, `workspace/diagnostic`: pull_diagnostics.py)
that list the rest of the workspace.

Documents open in this session get pushed diagnostics only; the pull reports
cover the rest of the workspace. Clients that do both (Neovim, VS Code)
would otherwise show every diagnostic twice, and keep a pulled copy after a
review clears the pushed one until they happen to pull again.

Diagnostics are built as plain JSON dicts and each region's is cached until
its position or status changes: with a thousand regions this is the hot path
of every keystroke, and lsprotocol objects would cost more than the JSON.
"""

from __future__ import annotations

import time
from typing import Any

from lsprotocol import types

from ..paths import path_of
from .server import AiLedgerServer
from .settings import SEVERITIES
from .transport import notify

_MESSAGE_TTL = 30.0  # "accepted 3 minutes ago" is refreshed this often


def build(ls: AiLedgerServer, state: Any) -> list[dict[str, Any]]:
    """The document's diagnostics now: one per region that falls short of the
    policy (not reviewed, or not by enough of the right people), and one more
    where the integrating tool left out provenance the tier requires."""
    from .policy import rules_of

    rules = rules_of(ls, state)
    severity = SEVERITIES[rules.severity] if rules.severity else ls.settings.severity
    now = time.monotonic()
    minute = int(time.time() // 60)
    cache = state.diagnostic_cache
    out: list[dict[str, Any]] = []
    for region_id, sl, sc, el, ec in state.regions.extents():
        findings = state.findings(region_id, rules, minute)
        if not findings:
            continue
        where = (sl, sc, el, ec)
        hit = cache.get(region_id)
        if hit is not None and hit[0] == where and hit[1] is findings and hit[2] == severity and now - hit[3] < _MESSAGE_TTL:
            out.extend(hit[4])
            continue
        row = state.rows.get(region_id)
        status = state.status(region_id)
        diagnostics = [_diagnostic(where, severity, f, row, status, region_id) for f in findings]
        cache[region_id] = (where, findings, severity, now, diagnostics)
        out.extend(diagnostics)
    return out


def _diagnostic(where: tuple[int, int, int, int], severity: int, finding: Any, row: dict[str, Any] | None,
                status: str, region_id: str) -> dict[str, Any]:
    from ..placement.describe import finding_message

    sl, sc, el, ec = where
    return {
        "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
        "severity": severity,
        "source": "ailedger",
        "code": finding.code,
        "message": finding_message(dict(row, status=status), finding) if row else "AI-generated code not yet reviewed",
        "data": {"regionId": region_id},
    }


def publish(ls: AiLedgerServer, state: Any) -> None:
    state.publish_handle = None
    if ls.docs.get(state.uri) is not state:
        return
    notify(ls, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
           {"uri": state.uri, "version": state.version, "diagnostics": build(ls, state)})


def schedule(ls: AiLedgerServer, state: Any, *, now: bool = False) -> None:
    """Publish soon: bursts of keystrokes coalesce, but never wait past the debounce."""
    delay = ls.settings.debounce_ms
    if now or delay == 0:
        if state.publish_handle is not None:
            state.publish_handle.cancel()
        publish(ls, state)
    elif state.publish_handle is None:
        import asyncio

        state.publish_handle = asyncio.get_running_loop().call_later(delay / 1000, publish, ls, state)


def publish_all(ls: AiLedgerServer) -> None:
    for state in list(ls.docs.values()):
        if state.loaded.is_set():
            schedule(ls, state, now=True)


async def workspace_items(ls: AiLedgerServer) -> list[dict[str, Any]]:
    """A full report for every file not open here that has regions needing a
    review, in every repository of the workspace, from the ledger."""
    from . import ledger_io

    from ..policy import assess
    from .policy import current, ensure

    items: list[dict[str, Any]] = []
    seen = set(ls.docs)  # open documents get pushed diagnostics
    for root in workspace_roots(ls):
        await ensure(ls, root)
        policy = current(ls, root)
        for uri, rows in (await ls.run_io(ledger_io.workspace_regions, root)).items():
            if uri in seen:
                continue
            diagnostics = []
            for row in rows:
                rules = policy.rules_for(row["path"])
                severity = SEVERITIES[rules.severity] if rules.severity else ls.settings.severity
                where = (row["start_line"], row["start_char"], row["end_line"], row["end_char"])
                diagnostics += [_diagnostic(where, severity, f, row, row["status"], row["region_id"])
                                for f in assess(row, row["status"], rules)]
            items.append({"kind": "full", "uri": uri, "version": None, "items": diagnostics})
    return items


def workspace_roots(ls: AiLedgerServer) -> list[Any]:
    """The workspace folders as paths (the root URI when the client sent no folders)."""
    uris = [f.uri for f in (ls.workspace.folders or {}).values()]
    if not uris and ls.workspace.root_uri:
        uris = [ls.workspace.root_uri]
    return [p for p in (path_of(u) for u in uris) if p is not None and p.is_dir()]
