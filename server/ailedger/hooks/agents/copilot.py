"""GitHub Copilot's agent hooks: VS Code's agent mode and the Copilot CLI.

Two dialects arrive (docs.github.com/en/copilot/reference/copilot-cli-reference/
cli-hooks-reference, code.visualstudio.com/docs/agents/reference/hooks-reference):

- the CLI's camelCase events (`preToolUse`, `postToolUse`, `postToolUseFailure`,
  `userPromptSubmitted`): no event name in the payload, `sessionId`,
  `toolName`, and `toolArgs` as a JSON *string*; no id for the tool call, so
  before and after pair by session, tool and path;
- the Claude-style form (PascalCase events, which the CLI and VS Code both
  send): `hook_event_name` (VS Code: `hookEventName`), `session_id`
  (VS Code: `sessionId`), `tool_name`, `tool_input`, `tool_use_id`.

The model comes from the CLI's session-state log
(`~/.copilot/session-state/ID/events.jsonl`) or the transcript VS Code names.
"""

from __future__ import annotations

import os
TYPE_CHECKING = False  # typing and pathlib cost a before-edit hook milliseconds
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

from .. import state
from . import edits
from .edits import Outcome, mapping, text

# VS Code's edit tools, then the CLI's.
CREATES = {"create_file", "create"}
EDIT_TOOLS = {"replace_string_in_file", "multi_replace_string_in_file", "insert_edit_into_file", "create_file",
              "apply_patch", "edit_notebook_file", "edit", "create", "editFiles"} | CREATES


def _arguments(value: Any) -> dict[str, Any]:
    """Tool arguments, however encoded: an object, a JSON string, or a bare patch."""
    import orjson

    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return {"input": value} if "*** Begin Patch" in value else {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _event(p: dict[str, Any]) -> str:
    """pre | post | failed | prompt | "" (the camelCase dialect names no event: tell by shape)."""
    name = text(p.get("hook_event_name") or p.get("hookEventName"))
    if name:
        return {"PreToolUse": "pre", "PostToolUse": "post", "PostToolUseFailure": "failed",
                "UserPromptSubmit": "prompt", "SessionStart": "prompt"}.get(name, "")
    if "toolName" in p:
        if "error" in p:
            return "failed"
        return "post" if "toolResult" in p else "pre"
    return "prompt" if "prompt" in p or "initialPrompt" in p else ""


def _failed(p: dict[str, Any]) -> bool:
    result = mapping(p.get("toolResult") or p.get("tool_result") or p.get("tool_response"))
    kind = text(result.get("resultType") or result.get("result_type"))
    return kind in ("failure", "denied", "error") or result.get("success") is False or bool(result.get("error"))


def files_and_edits(tool: str, args: dict[str, Any], cwd: str) -> tuple[list[str], dict[str, list[tuple[str, str]]]]:
    """The files a Copilot edit tool touches, and the (old, new) strings it replaced there."""
    if tool == "apply_patch" or "*** Begin Patch" in text(args.get("input")):
        return edits.resolve(edits.patch_files(args.get("input") or args.get("patch")), cwd), {}
    if tool == "multi_replace_string_in_file":
        pairs: dict[str, list[tuple[str, str]]] = {}
        for r in args.get("replacements") or []:
            if isinstance(r, dict):
                for path in edits.resolve([r.get("filePath")], cwd):
                    pairs.setdefault(path, []).append((text(r.get("oldString")), text(r.get("newString"))))
        return list(pairs), pairs
    if tool == "editFiles":
        return edits.resolve(args.get("files") or [], cwd), {}
    files = edits.resolve([args.get("filePath") or args.get("path") or args.get("file_path")], cwd)
    old = args.get("oldString") if "oldString" in args else args.get("old_str")
    new = args.get("newString") if "newString" in args else args.get("new_str")
    return files, ({files[0]: [(text(old), text(new))]} if files and isinstance(new, str) else {})


def handle(source: str, p: dict[str, Any]) -> Outcome:
    event = _event(p)
    session = text(p.get("sessionId") or p.get("session_id"))
    if event == "prompt":
        prompt = p.get("prompt") or p.get("initialPrompt") or p.get("initial_prompt")
        if isinstance(prompt, str) and prompt:
            state.save_prompt(source, session, prompt)
        return Outcome()
    tool = text(p.get("toolName") or p.get("tool_name"))
    if tool not in EDIT_TOOLS or event not in ("pre", "post", "failed"):
        return Outcome()
    args = _arguments(p.get("toolArgs") if "toolArgs" in p else p.get("tool_input"))
    files, pairs = files_and_edits(tool, args, text(p.get("cwd")) or ".")
    use_id = p.get("tool_use_id") or p.get("toolUseId")

    def key(path: str) -> str:
        return edits.key(use_id, session=session, tool=tool, path=path)

    if event == "pre":
        for path in files:
            edits.keep(source, key(path), [path])
        return Outcome()
    if event == "failed" or _failed(p):
        for path in files:
            edits.forget(source, key(path), [path])
        return Outcome()
    return edits.after(edits.Edit(
        source=source, paths=files, edit_key=key, model=model(p, session), prompt=state.last_prompt(source, session),
        session=session, item=text(use_id), creates=tool in CREATES, replacements=pairs))


def model(p: dict[str, Any], session: str) -> dict[str, Any] | None:
    """The payload's model, else the CLI's session-state log, else VS Code's transcript."""
    if isinstance(p.get("model"), str):
        return edits.model(p["model"])
    from pathlib import Path

    home = Path(os.environ.get("COPILOT_HOME") or Path.home() / ".copilot")
    logs = [home / "session-state" / session / "events.jsonl"] if session and "/" not in session and session not in (".", "..") else []
    transcript = p.get("transcript_path") or p.get("transcriptPath")
    logs += [Path(transcript)] if isinstance(transcript, str) and transcript else []
    from .sessions import session_model

    for log in logs:
        found = session_model(log)
        if found:
            return edits.model(found)
    return None
