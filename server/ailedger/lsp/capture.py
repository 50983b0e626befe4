"""`ailedger/recordAcceptance`: an editor client says an AI suggestion landed.

Clients debounce didChange, so the request may arrive before the edit that
carries its text: it is held (up to 2 s) until the document reaches the
version it names, or, naming none, until the text is there. A region is
never stored over text that is not there.
"""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from .server import AiLedgerServer

REQUEST_FAILED = -32803  # LSP ErrorCodes.RequestFailed
HOLD_SECONDS = 2.0


class RequestFailed(JsonRpcException):
    CODE = REQUEST_FAILED


def register(server: AiLedgerServer) -> None:
    @server.feature("ailedger/recordAcceptance")
    async def record_acceptance(ls: AiLedgerServer, params: Any) -> dict[str, str]:
        return await capture(ls, params)


async def capture(ls: AiLedgerServer, raw: Any) -> dict[str, str]:
    from ..capture import range_of, span_of
    from ..ledger import projection
    from ..ledger.ids import new_id
    from ..models import AcceptanceParams, InvalidMessage, validate
    from . import ledger_io
    from .diagnostics import schedule
    from .policy import current as current_policy
    from .state import convert_span

    try:
        params = validate(AcceptanceParams, raw, "params")
    except InvalidMessage as err:
        raise JsonRpcInvalidParams(str(err)) from None
    uri = params["textDocument"]["uri"]
    state = ls.docs.get(uri)
    if state is None:
        raise RequestFailed(f"textDocument.uri: {uri} is not open in the editor (send didOpen first)")
    await state.loaded.wait()
    if state.ref is None:
        raise RequestFailed(f"textDocument.uri: only file:// documents can be recorded, got {uri}")
    span = span_of(params["range"])
    version = params["textDocument"].get("version")

    def text_there() -> bool:
        return span.end.line < state.line_count() and state.text_of(span) == params["text"]

    def ready() -> bool:
        return state.version >= version if version is not None else text_there()

    if not await state.wait_until(ready, HOLD_SECONDS):
        if version is not None:
            raise RequestFailed(
                f"textDocument.version: the editor never sent version {version} within {HOLD_SECONDS:g} s "
                f"(the server has version {state.version}); nothing was stored")
        raise RequestFailed(_not_there(state, span, params["text"], f" within {HOLD_SECONDS:g} s"))
    if not text_there():
        raise RequestFailed(_not_there(state, span, params["text"], ""))

    region_id = new_id()
    stored = dict(params, range=range_of(convert_span(state.line_text, span, state.encoding, "utf-16")))
    state.regions.add(region_id, span)  # now, so edits made while we store it move it
    try:
        event = await ls.run_io(ledger_io.record_acceptance, stored, region_id, state.ref,
                                current_policy(ls, state.ref.root))
    except Exception as err:
        state.regions.remove(region_id)
        raise RequestFailed(f"could not store the acceptance: {err}") from None
    ls.own_events.add(event.id)
    state.rows[region_id] = projection.from_acceptance(event.id, event.content["payload"])
    state.snapshot_due = True
    schedule(ls, state, now=True)
    return {"regionId": region_id, "eventId": event.id}


def _not_there(state: Any, span: Any, text: str, when: str) -> str:
    found = state.text_of(span)
    shown = found if len(found) <= 40 else found[:37] + "..."
    return (f"text: not at range {span.start.line}:{span.start.character}-{span.end.line}:{span.end.character}"
            f" in document version {state.version}{when} (it holds {shown!r}); nothing was stored")
