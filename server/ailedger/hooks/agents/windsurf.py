"""Windsurf's Cascade (docs.windsurf.com/windsurf/cascade/hooks).

Every payload has `agent_action_name` (the event), `trajectory_id` (the
conversation), `execution_id` and `timestamp`, and `tool_info`:
`pre_write_code`/`post_write_code` carry {file_path, edits: [{old_string,
new_string}]}, `pre_user_prompt` carries {user_prompt}. `model_name`, where
Cascade sends it, names the model. Before and after pair by trajectory and
path; without a before, the edits are undone on a copy.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing (and pathlib, re) cost a before-edit hook milliseconds
if TYPE_CHECKING:
    from typing import Any

from .. import state
from . import edits
from .edits import Outcome, mapping, text


def handle(source: str, p: dict[str, Any]) -> Outcome:
    event = text(p.get("agent_action_name") or p.get("hook_event_name"))
    session = text(p.get("trajectory_id"))
    info = mapping(p.get("tool_info"))
    if isinstance(p.get("model_name"), str) and p["model_name"]:
        state.remember(source, "model", session, p["model_name"])
    if event == "pre_user_prompt":
        if isinstance(info.get("user_prompt"), str) and info["user_prompt"]:
            state.save_prompt(source, session, info["user_prompt"])
        return Outcome()
    if event not in ("pre_write_code", "post_write_code") or not text(info.get("file_path")):
        return Outcome()
    files = edits.resolve([info["file_path"]], ".")
    key = edits.key(None, session=session, tool="write_code", path=files[0])
    if event == "pre_write_code":
        edits.keep(source, key, files)
        return Outcome()
    pairs = [(text(e.get("old_string")), text(e.get("new_string"))) for e in info.get("edits") or [] if isinstance(e, dict)]
    # An edit whose old text is empty writes a new file (Cascade's shape for a created file).
    creates = bool(pairs) and all(not old for old, _ in pairs)
    return edits.after(edits.Edit(
        source=source, paths=files, edit_key=key, model=edits.model(state.recall(source, "model", session)),
        prompt=state.last_prompt(source, session), session=session, item=text(p.get("execution_id")),
        creates=creates, replacements={} if creates else {files[0]: pairs}))
