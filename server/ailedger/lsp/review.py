"""Review: the "Mark AI-generated code as reviewed" code actions and the
`ailedger.markReviewed` command they run."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from .capture import RequestFailed

from .server import AiLedgerServer

TITLE = "Mark AI-generated code as reviewed"
TITLE_ALL = "Mark all AI-generated code in this file as reviewed"
COMMAND = "ailedger.markReviewed"
SOURCE_KIND = "source.ailedger.markReviewed"


def register(server: AiLedgerServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, SOURCE_KIND]),
    )
    def code_action(ls: AiLedgerServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return actions(ls, params)

    @server.command(COMMAND)
    async def mark_reviewed(ls: AiLedgerServer, *arguments: Any) -> dict[str, Any]:
        return await review(ls, arguments[0] if arguments else None)


def _command(title: str, region_ids: list[str]) -> types.Command:
    return types.Command(title=title, command=COMMAND,
                         arguments=[{"regionIds": region_ids, "verdict": "approved"}])


def actions(ls: AiLedgerServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    from .policy import rules_of

    state = ls.docs.get(params.text_document.uri)
    if state is None or not state.loaded.is_set():
        return []
    wanted = params.context.only
    out: list[types.CodeAction] = []
    if not wanted or types.CodeActionKind.QuickFix in wanted:
        offered: set[str] = set()
        for diagnostic in params.context.diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            region_id = data.get("regionId")
            if diagnostic.source != "ailedger" or region_id not in state.regions or region_id in offered:
                continue
            offered.add(region_id)
            out.append(types.CodeAction(
                title=TITLE, kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                is_preferred=True, command=_command(TITLE, [region_id])))
    rules = rules_of(ls, state)
    open_ids = [r for r in state.regions.ids() if state.findings(r, rules)]
    if open_ids and (not wanted or any(SOURCE_KIND.startswith(k) for k in wanted)):
        out.append(types.CodeAction(title=TITLE_ALL, kind=SOURCE_KIND, command=_command(TITLE_ALL, open_ids)))
    return out


async def review(ls: AiLedgerServer, raw: Any) -> dict[str, Any]:
    from ..models import InvalidMessage, ReviewParams, validate
    from ..policy import NO_POLICY
    from . import ledger_io
    from .diagnostics import schedule
    from .policy import current

    try:
        params = validate(ReviewParams, raw, "ailedger.markReviewed argument")
    except InvalidMessage as err:
        raise JsonRpcInvalidParams(str(err)) from None
    region_ids = list(dict.fromkeys(params["regionIds"]))
    hashes: dict[str, str] = {}
    policy = NO_POLICY
    user = await ls.run_io(ledger_io.who_am_i)
    for state in ls.docs.values():
        for region_id in region_ids:
            if region_id in state.regions and region_id not in hashes:
                hashes[region_id] = state.sha_now(region_id)  # the text the reviewer sees
                if state.ref is not None:
                    policy = current(ls, state.ref.root)
                _refuse_self_review(ls, state, region_id, user, params["verdict"])
    missing = [r for r in region_ids if r not in hashes]
    if missing:  # not open here: attest to the text as the ledger last saw it
        rows = await ls.run_io(ledger_io.rows_of, missing)
        unknown = [r for r in missing if r not in rows]
        if unknown:
            raise JsonRpcInvalidParams(f"regionIds: no region {unknown[0]} in the ledger")
        hashes.update({r: rows[r]["text_sha256"] for r in missing})
    event = await ls.run_io(ledger_io.record_review, region_ids, params["verdict"], params.get("note"), hashes,
                            policy)
    ls.own_events.add(event.id)
    rows = await ls.run_io(ledger_io.rows_of, region_ids)
    for state in ls.docs.values():
        if any(r in state.regions for r in region_ids):
            state.rows.update({r: row for r, row in rows.items() if r in state.regions})
            schedule(ls, state, now=True)
    return {"eventId": event.id, "statuses": {r: rows[r]["status"] for r in rows}}


def _refuse_self_review(ls: AiLedgerServer, state: Any, region_id: str, user: str, verdict: str) -> None:
    from ..policy.assess import SelfReview, refuse_self_review
    from .policy import rules_of

    row = state.rows.get(region_id)
    if row is not None:
        try:
            refuse_self_review(row, rules_of(ls, state), user, verdict)
        except SelfReview as err:
            raise RequestFailed(str(err)) from None
