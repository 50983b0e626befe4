"""Gemini CLI (github.com/google-gemini/gemini-cli docs/hooks/reference.md).

BeforeTool/AfterTool on `write_file` ({file_path, content}) and `replace`
({file_path, old_string, new_string}); no id for the tool call, so the two
pair by session, tool and path. `BeforeModel` carries `llm_request.model`,
kept for the session; `BeforeAgent` carries the user's prompt. A failed
call's AfterTool has `tool_response.error`.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing (and pathlib, re) cost a before-edit hook milliseconds
if TYPE_CHECKING:
    from typing import Any

from .. import state
from . import edits
from .edits import Outcome, mapping, text

EDIT_TOOLS = {"write_file", "replace"}


def handle(source: str, p: dict[str, Any]) -> Outcome:
    event = p.get("hook_event_name")
    session = text(p.get("session_id"))
    if event == "BeforeAgent":
        if isinstance(p.get("prompt"), str) and p["prompt"]:
            state.save_prompt(source, session, p["prompt"])
        return Outcome()
    if event == "BeforeModel":
        found = mapping(p.get("llm_request")).get("model")
        if isinstance(found, str) and found:
            state.remember(source, "model", session, found)
        return Outcome()
    tool = text(p.get("tool_name"))
    if tool not in EDIT_TOOLS or event not in ("BeforeTool", "AfterTool"):
        return Outcome()
    args = mapping(p.get("tool_input"))
    files = edits.resolve([args.get("file_path") or args.get("absolute_path")], text(p.get("cwd")) or ".")
    key = edits.key(None, session=session, tool=tool, path=files[0] if files else None)
    if event == "BeforeTool":
        edits.keep(source, key, files)
        return Outcome()
    response = p.get("tool_response")
    if isinstance(response, dict) and response.get("error"):
        edits.forget(source, key, files)
        return Outcome()
    pairs = [(text(args.get("old_string")), text(args.get("new_string")))] if tool == "replace" else []
    return edits.after(edits.Edit(
        source=source, paths=files, edit_key=key, model=edits.model(state.recall(source, "model", session), "google"),
        prompt=state.last_prompt(source, session), session=session, creates=tool == "write_file",
        replacements={path: pairs for path in files}))
