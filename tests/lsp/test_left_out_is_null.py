"""Protocol rule: a field that may be null may also be left out, with the
same meaning (unknown). A Lua table cannot hold nil, so a Neovim client
leaves such fields out; the server must record exactly what explicit nulls
would have recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ailedger.ledger.store import Ledger
from helpers_lsp import as_dict, open_doc, regions

AI = "    return price * qty * 0.9\n"
TEXT = "def total(price, qty):\n" + AI


def request(uri: str, **fields: Any) -> dict[str, Any]:
    return {"textDocument": {"uri": uri, **fields.pop("document", {})},
            "range": {"start": {"line": 1, "character": 0}, "end": {"line": 2, "character": 0}},
            "text": AI, "kind": "inline", "tool": {"name": "nvim", **fields.pop("tool", {})}, **fields}


def stored(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    with Ledger(env["AILEDGER_DB"]) as ledger:
        return {e.content["payload"]["path"]: e.content["payload"] for e in ledger.events() if e.type == "acceptance"}


IDS = {"regionId", "path", "acceptedAt", "eventId", "acceptedEvent", "updatedEvent"}


def without_ids(value: Any) -> Any:
    """What two recordings share: everything but their own ids, file and time."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k not in IDS}
    return value


async def test_nullable_fields_left_out_record_the_same_as_explicit_nulls(client, repo: Path, env) -> None:
    for name in ("nulls.py", "omitted.py"):
        (repo / name).write_text(TEXT)
    nulls, omitted = open_doc(client, repo / "nulls.py"), open_doc(client, repo / "omitted.py")
    explicit = request(nulls, document={"version": None}, tool={"version": None}, model=None, prompt=None,
                       parameters=None, sessionId=None, itemId=None, acceptedAt=None)
    left_out = request(omitted)
    send = client.protocol.send_request_async
    assert set(as_dict(await send("ailedger/recordAcceptance", explicit))) == {"regionId", "eventId"}
    assert set(as_dict(await send("ailedger/recordAcceptance", left_out))) == {"regionId", "eventId"}

    events = stored(env)
    assert events["nulls.py"]["model"] is None and events["nulls.py"]["prompt"] is None
    assert without_ids(events["nulls.py"]) == without_ids(events["omitted.py"])
    assert events["omitted.py"]["tool"] == {"name": "nvim", "version": None}
    [a], [b] = as_dict(await regions(client, nulls)), as_dict(await regions(client, omitted))
    assert a["range"] == b["range"] == {"start": {"line": 1, "character": 0}, "end": {"line": 2, "character": 0}}
    assert without_ids(a) == without_ids(b)


async def test_model_parts_left_out_are_unknown_like_null_parts(client, repo: Path, env) -> None:
    for name in ("nulls.py", "omitted.py"):
        (repo / name).write_text(TEXT)
    nulls, omitted = open_doc(client, repo / "nulls.py"), open_doc(client, repo / "omitted.py")
    send = client.protocol.send_request_async
    await send("ailedger/recordAcceptance", request(nulls, model={"provider": None, "id": "gpt-4.1", "version": None}))
    await send("ailedger/recordAcceptance", request(omitted, model={"id": "gpt-4.1"}))
    events = stored(env)
    assert events["omitted.py"]["model"] == events["nulls.py"]["model"] == {"provider": None, "id": "gpt-4.1", "version": None}
    [a], [b] = as_dict(await regions(client, nulls)), as_dict(await regions(client, omitted))
    assert a["provenance"]["model"] == b["provenance"]["model"] == {"provider": None, "id": "gpt-4.1", "version": None}
