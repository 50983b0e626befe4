"""Claude Code and Codex: one wire format (code.claude.com/docs/en/hooks).

PreToolUse keeps the files an edit tool is about to touch (keyed by
`tool_use_id`), PostToolUse diffs them, UserPromptSubmit remembers the
prompt. Claude Code names its model in the transcript; Codex in the payload.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing (and pathlib) cost a before-edit hook milliseconds
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

from .. import state
from . import edits
from .edits import Outcome, mapping, text

EDIT_TOOLS = {"Write", "Edit", "MultiEdit", "NotebookEdit", "apply_patch"}


def paths(tool_name: str, tool_input: dict[str, Any], cwd: str) -> list[str]:
    if tool_name == "apply_patch":
        patch = tool_input.get("command") or tool_input.get("patch") or tool_input.get("input")
        return edits.resolve(edits.patch_files(patch), cwd)
    return edits.resolve([tool_input.get("file_path") or tool_input.get("notebook_path")], cwd)


def replacements(tool_name: str, tool_input: dict[str, Any]) -> list[tuple[str, str]]:
    """(old, new) pairs the tool applied, to rebuild the file when no snapshot was kept."""
    if tool_name == "Edit":
        return [(text(tool_input.get("old_string")), text(tool_input.get("new_string")))]
    if tool_name == "MultiEdit":
        return [(text(e.get("old_string")), text(e.get("new_string")))
                for e in tool_input.get("edits") or [] if isinstance(e, dict)]
    return []


def failed(response: Any) -> bool:
    """The tool said it failed (a string error, `success: false`, `error`)."""
    r = mapping(response)
    return r.get("success") is False or bool(r.get("error")) or r.get("is_error") is True


def handle(source: str, p: dict[str, Any]) -> Outcome:
    event = p.get("hook_event_name")
    session = text(p.get("session_id"))
    if event == "UserPromptSubmit":
        if isinstance(p.get("prompt"), str):
            state.save_prompt(source, session, p["prompt"])
        return Outcome()
    tool_name = text(p.get("tool_name"))
    if tool_name not in EDIT_TOOLS or event not in ("PreToolUse", "PostToolUse"):
        return Outcome()
    tool_input = mapping(p.get("tool_input"))
    key = edits.key(p.get("tool_use_id"), session=session, tool=tool_name)
    files = paths(tool_name, tool_input, text(p.get("cwd")) or ".")
    if event == "PreToolUse":
        edits.keep(source, key, files)
        return Outcome()
    if failed(p.get("tool_response")):
        edits.forget(source, key, files)
        return Outcome()
    return edits.after(edits.Edit(
        source=source, paths=files, edit_key=key, model=model(source, p),
        prompt=state.last_prompt(source, session), session=session, item=text(p.get("tool_use_id")),
        creates=tool_name in ("Write", "apply_patch"),
        replacements={path: replacements(tool_name, tool_input) for path in files}))


def model(source: str, p: dict[str, Any]) -> dict[str, Any] | None:
    """Codex names the model in the payload, Claude Code in its transcript."""
    if isinstance(p.get("model"), str) and p["model"]:
        return edits.model(p["model"], "openai" if source == "codex" else None)
    if source == "claude-code" and isinstance(p.get("transcript_path"), str):
        from pathlib import Path

        return edits.model(transcript_model(Path(p["transcript_path"])), "anthropic")
    return None


def transcript_model(path: Path) -> str | None:
    """The model of the last assistant message in a JSON-lines transcript."""
    from .sessions import tail_json_lines

    for entry in tail_json_lines(path):
        message = entry.get("message")
        if isinstance(message, dict) and message.get("role") == "assistant" and isinstance(message.get("model"), str):
            return message["model"]
    return None
