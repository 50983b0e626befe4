"""`ailedger record --from generic`: any tool with a before and an after hook.

The payload is models.GenericHookEvent (protocol/PROTOCOL.md "Generic agent
hook"): `before-edit` keeps the listed files under `editId`, `after-edit`
with the same `editId` diffs them and records what was inserted, with the
tool, model and prompt it names (a prompt sent only with before-edit is
kept for its after-edit).
"""

from __future__ import annotations

from pathlib import Path
TYPE_CHECKING = False  # typing costs a before-edit hook milliseconds
if TYPE_CHECKING:
    from typing import Any

from .. import state
from . import edits
from .edits import Outcome


def handle(source: str, p: dict[str, Any]) -> Outcome:
    from ...models import GenericHookEvent, validate

    event = validate(GenericHookEvent, p, "generic hook event")
    files = edits.resolve(event["files"], Path.cwd())
    key = edits.key(event["editId"])
    if event["event"] == "before-edit":
        edits.keep(source, key, files)
        if event.get("prompt"):
            state.save_prompt(source, key, event["prompt"])
        return Outcome()
    model = event.get("model")
    return edits.after(edits.Edit(
        source=source, paths=files, edit_key=key, tool_name=event["tool"]["name"],
        tool_version=event["tool"].get("version"),
        model={"provider": model.get("provider"), "id": model.get("id"), "version": model.get("version")} if model else None,
        prompt=event.get("prompt") or state.last_prompt(source, key), session=event.get("sessionId") or "",
        item=event["editId"], creates=True))
