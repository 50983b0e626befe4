"""Cursor (cursor.com/docs/agent/hooks): agent edits and Tab.

`afterFileEdit` (agent) and `afterTabFileEdit` (Tab, kind `inline`) fire
after the file is written and carry the edit's old and new strings, which
are undone on a copy to get the text before. `preToolUse`/`postToolUse`
on the file tools pair by `tool_use_id` like Claude Code's hooks; when both
are installed the agent's edit is recorded once, by whichever hook sees it
first (the other sees the file as it recorded it, and skips).
`beforeSubmitPrompt` remembers the prompt and must answer `{"continue": true}`.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing and pathlib cost a before-edit hook milliseconds
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

from .. import state
from . import edits
from .edits import Outcome, mapping, text

# Cursor's file tools as its preToolUse hook names them (Write creates or overwrites).
FILE_TOOLS = {"Write", "Edit", "StrReplace", "MultiEdit", "Delete"}


def handle(source: str, p: dict[str, Any]) -> Outcome:
    event = p.get("hook_event_name")
    session = text(p.get("conversation_id"))
    if event == "beforeSubmitPrompt":
        if isinstance(p.get("prompt"), str):
            state.save_prompt(source, session, p["prompt"])
        return Outcome(stdout='{"continue": true}')
    common = {"source": source, "model": edits.model(p.get("model")), "session": session,
              "prompt": state.last_prompt(source, session), "tool_version": text(p.get("cursor_version")) or None}
    if event in ("afterFileEdit", "afterTabFileEdit"):
        return _after_file_edit(p, tab=event == "afterTabFileEdit", common=common)
    if event in ("preToolUse", "postToolUse") and p.get("tool_name") in FILE_TOOLS:
        tool_input = mapping(p.get("tool_input"))
        cwd = text(p.get("cwd")) or next(iter(p.get("workspace_roots") or []), ".")
        files = edits.resolve([tool_input.get("file_path") or tool_input.get("path") or tool_input.get("target_file")], cwd)
        key = edits.key(p.get("tool_use_id"), session=session, tool=text(p.get("tool_name")))
        if event == "preToolUse":
            edits.keep(source, key, files)
            return Outcome()
        out = edits.after(edits.Edit(paths=files, edit_key=key, item=text(p.get("tool_use_id")),
                                     creates=p.get("tool_name") == "Write", **common))
        out.params = [q for q in out.params if not _seen(q)]
        return out
    return Outcome()  # postToolUseFailure and the rest: nothing was written


def _after_file_edit(p: dict[str, Any], *, tab: bool, common: dict[str, Any]) -> Outcome:
    if not text(p.get("file_path")):
        return Outcome()
    from pathlib import Path

    path = Path(p["file_path"]).resolve()
    now = edits.read(path)
    if now is None:
        return Outcome()
    before = now
    for edit in reversed([e for e in p.get("edits") or [] if isinstance(e, dict)]):
        before = _undo_one(before, text(edit.get("old_string")), text(edit.get("new_string")), mapping(edit.get("range")))
    found = edits.params(path, before, now, edits.Edit(
        paths=[path], kind="inline" if tab else "agent-edit", item=text(p.get("generation_id")), **common))
    return Outcome(params=[q for q in found if not _seen(q)])


def _seen(params: dict[str, Any]) -> bool:
    """Has the other hook (afterFileEdit or postToolUse) already recorded this very
    text at this very place? Then this one is the same edit, seen twice."""
    import hashlib

    mark = hashlib.sha256(repr((params["textDocument"]["uri"], params["range"], params["text"])).encode()).hexdigest()
    if state.recall("cursor", "recorded", mark):
        return True
    state.remember("cursor", "recorded", mark, True)
    return False


def _undo_one(now: str, old: str, new: str, where: dict[str, Any]) -> str:
    """Undo one replacement; Tab's edits say where (1-based line and column), so a
    short `new_string` that also appears earlier in the file is undone in the right place."""
    if not new:
        return now
    at = -1
    line, column = where.get("start_line_number"), where.get("start_column")
    if isinstance(line, int) and isinstance(column, int) and line >= 1 and column >= 1:
        lines = now.splitlines(keepends=True)
        if line <= len(lines):
            offset = sum(len(s) for s in lines[:line - 1]) + column - 1
            if now.startswith(new, offset):
                at = offset
    if at < 0:
        at = now.find(new)
    return now if at < 0 else now[:at] + old + now[at + len(new):]
