"""OpenCode (github.com/sst/opencode packages/plugin/src/index.ts).

OpenCode has no command hooks; `ailedger hooks install opencode` writes a
plugin (opencode_plugin.js) that forwards three of its hooks to
`ailedger record --from opencode`, one JSON object per call:
`{"hook": "tool.execute.before" | "tool.execute.after" | "chat.message",
"input": ..., "output": ...}` with OpenCode's own input and output objects.
`tool.execute.*` carry `{tool, sessionID, callID}` (and `args` after);
the edit tools are `write` {filePath, content}, `edit` {filePath,
oldString, newString}, `multiedit` {filePath, edits} and `patch` /
`apply_patch` {patchText}. `chat.message` carries the user's message parts
and the model ({providerID, modelID}), kept for the session.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing (and pathlib, re) cost a before-edit hook milliseconds
if TYPE_CHECKING:
    from typing import Any

from .. import state
from . import edits
from .edits import Outcome, mapping, text

EDIT_TOOLS = {"write", "edit", "multiedit", "patch", "apply_patch"}


def handle(source: str, p: dict[str, Any]) -> Outcome:
    hook = text(p.get("hook"))
    given, output = mapping(p.get("input")), mapping(p.get("output"))
    session = text(given.get("sessionID"))
    if hook == "chat.message":
        _chat_message(source, session, given, output)
        return Outcome()
    tool = text(given.get("tool"))
    if tool not in EDIT_TOOLS or hook not in ("tool.execute.before", "tool.execute.after"):
        return Outcome()
    args = mapping(output.get("args") if hook == "tool.execute.before" else given.get("args"))
    cwd = text(p.get("directory")) or "."
    if tool in ("patch", "apply_patch"):
        files = edits.resolve(edits.patch_files(args.get("patchText") or args.get("patch")), cwd)
    else:
        files = edits.resolve([args.get("filePath")], cwd)
    key = edits.key(given.get("callID"), session=session, tool=tool)
    if hook == "tool.execute.before":
        edits.keep(source, key, files)
        return Outcome()
    if mapping(output.get("metadata")).get("error") or output.get("error"):
        edits.forget(source, key, files)
        return Outcome()
    if tool == "edit":
        pairs = [(text(args.get("oldString")), text(args.get("newString")))]
    elif tool == "multiedit":
        pairs = [(text(e.get("oldString")), text(e.get("newString"))) for e in args.get("edits") or [] if isinstance(e, dict)]
    else:
        pairs = []
    found = state.recall(source, "model", session)
    model = edits.model(found.get("modelID"), found.get("providerID")) if isinstance(found, dict) else None
    return edits.after(edits.Edit(
        source=source, paths=files, edit_key=key, model=model, prompt=state.last_prompt(source, session),
        session=session, item=text(given.get("callID")), creates=tool == "write",
        replacements={path: pairs for path in files}))


def _chat_message(source: str, session: str, given: dict[str, Any], output: dict[str, Any]) -> None:
    model = mapping(given.get("model"))
    if isinstance(model.get("modelID"), str):
        state.remember(source, "model", session, {"modelID": model["modelID"], "providerID": text(model.get("providerID")) or None})
    message = mapping(output.get("message"))
    if message.get("role") not in (None, "user"):
        return
    parts = [text(part.get("text")) for part in output.get("parts") or []
             if isinstance(part, dict) and part.get("type") == "text" and not part.get("synthetic")]
    prompt = "\n".join(t for t in parts if t)
    if prompt:
        state.save_prompt(source, session, prompt)
