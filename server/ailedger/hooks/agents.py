"""Claude Code, Codex and Cursor hook payloads, turned into acceptance params.

Claude Code and Codex share one wire format: PreToolUse (snapshot the files
the tool is about to edit, keyed by `tool_use_id`), PostToolUse (diff them
against what is there now), UserPromptSubmit (remember the prompt). Cursor
has no hook before an edit: `afterFileEdit` carries the edit's old and new
strings, which are undone on a copy to get the text before.
"""

from __future__ import annotations

import re
from pathlib import Path

# A before-edit hook runs this module on every edit and the agent waits:
# no typing, dataclasses or diffing imported at the top (see hooks/record.py).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from ..files import read_document
from . import state

EDIT_TOOLS = {"Write", "Edit", "MultiEdit", "NotebookEdit", "apply_patch"}
_PATCH_FILE = re.compile(r"^\*\*\* (?:Add|Update|Delete) File: (.+)$|^\*\*\* Move to: (.+)$", re.M)


class Outcome:
    def __init__(self) -> None:
        self.params: list[dict[str, Any]] = []  # acceptances to record
        self.stdout: str | None = None  # what the tool expects to read back, if anything
        self.notes: list[str] = []  # said on stderr


def handle(source: str, payload: dict[str, Any]) -> Outcome:
    if source == "cursor":
        return _cursor(payload)
    return _claude_like(source, payload)


def _read(path: Path) -> str | None:
    try:
        return read_document(path)
    except (OSError, UnicodeDecodeError):
        return None


def _paths(tool_name: str, tool_input: dict[str, Any], cwd: Path) -> list[Path]:
    """The files an edit tool is about to touch."""
    if tool_name == "apply_patch":
        patch = tool_input.get("command") or tool_input.get("patch") or tool_input.get("input") or ""
        if isinstance(patch, list):
            patch = "\n".join(str(p) for p in patch)
        names = [a or b for a, b in _PATCH_FILE.findall(str(patch))]
    else:
        names = [tool_input.get("file_path") or tool_input.get("notebook_path") or ""]
    return [(cwd / n.strip()).resolve() for n in names if n and n.strip()]


def _claude_like(source: str, p: dict[str, Any]) -> Outcome:
    event = p.get("hook_event_name")
    session = str(p.get("session_id") or "")
    out = Outcome()
    if event == "UserPromptSubmit":
        if isinstance(p.get("prompt"), str):
            state.save_prompt(source, session, p["prompt"])
        return out
    tool_name = p.get("tool_name")
    if tool_name not in EDIT_TOOLS or event not in ("PreToolUse", "PostToolUse"):
        return out
    tool_input = p.get("tool_input") or {}
    key = str(p.get("tool_use_id") or "")
    paths = _paths(tool_name, tool_input, Path(p.get("cwd") or "."))
    if event == "PreToolUse":
        state.save_files(source, key, {str(path): _read(path) for path in paths})
        return out
    before = state.take_files(source, key)
    model = _model(source, p)
    for path in paths:
        after = _read(path)
        if after is None:
            out.notes.append(f"{path} is gone or not text since the edit; nothing to record for it")
            continue
        if before is not None and str(path) in before:
            old = before[str(path)]
        elif tool_name == "Edit" and isinstance(tool_input.get("new_string"), str) and tool_input.get("new_string"):
            old = after.replace(tool_input["new_string"], str(tool_input.get("old_string", "")), 1)
        else:
            out.notes.append(f"no snapshot of {path} from before the edit (is the PreToolUse hook installed?); skipped")
            continue
        out.params += _params(path, old, after, source, model, state.last_prompt(source, session), session, key)
    return out


def _cursor(p: dict[str, Any]) -> Outcome:
    event = p.get("hook_event_name")
    session = str(p.get("conversation_id") or "")
    out = Outcome()
    if event == "beforeSubmitPrompt":
        if isinstance(p.get("prompt"), str):
            state.save_prompt("cursor", session, p["prompt"])
        out.stdout = '{"continue": true}'
        return out
    if event != "afterFileEdit" or not p.get("file_path"):
        return out
    path = Path(p["file_path"]).resolve()
    after = _read(path)
    if after is None:
        return out
    before = after
    for edit in reversed(p.get("edits") or []):
        new, old = edit.get("new_string"), edit.get("old_string")
        if isinstance(new, str) and isinstance(old, str) and new and new in before:
            before = before.replace(new, old, 1)
    model = {"provider": None, "id": p["model"], "version": None} if isinstance(p.get("model"), str) else None
    tool_version = p.get("cursor_version") if isinstance(p.get("cursor_version"), str) else None
    out.params = _params(path, before, after, "cursor", model, state.last_prompt("cursor", session),
                         session, str(p.get("generation_id") or ""), tool_version)
    return out


def _params(path: Path, before: str | None, after: str, tool: str, model: dict[str, Any] | None,
            prompt: str | None, session: str, item: str, tool_version: str | None = None) -> list[dict[str, Any]]:
    # Imported here, not at the top: a before-edit hook never diffs, and the agent waits on it.
    from ..capture import range_of
    from ..regions.inserted import inserted_hunks

    return [{
        "textDocument": {"uri": path.as_uri()},
        "range": range_of(span),
        "text": text,
        "kind": "agent-edit",
        "tool": {"name": tool, "version": tool_version},
        "model": model,
        "prompt": prompt,
        "parameters": None,
        "sessionId": session or None,
        "itemId": item or None,
    } for span, text in inserted_hunks(before, after) if text.strip()]


def _model(source: str, p: dict[str, Any]) -> dict[str, Any] | None:
    """The model, where the tool says: Codex in the payload, Claude Code in its transcript."""
    if isinstance(p.get("model"), str) and p["model"]:
        return {"provider": "openai" if source == "codex" else None, "id": p["model"], "version": None}
    if source == "claude-code" and isinstance(p.get("transcript_path"), str):
        name = _transcript_model(Path(p["transcript_path"]))
        if name:
            return {"provider": "anthropic", "id": name, "version": None}
    return None


def _transcript_model(path: Path) -> str | None:
    """The model of the last assistant message in a Claude Code transcript (JSON lines)."""
    import orjson

    try:
        with path.open("rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 262_144))  # the tail is enough, and transcripts grow large
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        message = entry.get("message") if isinstance(entry, dict) else None
        if isinstance(message, dict) and message.get("role") == "assistant" and isinstance(message.get("model"), str):
            return message["model"]
    return None
