"""The before/after edit core every agent module shares.

A before-event keeps each file the tool is about to touch (state.py, keyed
by the edit); the matching after-event diffs the file now on disk against
what was kept and turns each inserted or replaced run of lines into
acceptance params. Pairing is by the tool's own id for the edit where it
gives one, else by session, tool and path: two edits in flight never share
a key, so they never mix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ...capture import range_of
from ...files import read_document
from ...regions.inserted import inserted_hunks
from .. import state

_PATCH_FILE = re.compile(r"^\*\*\* (?:Add|Update) File: (.+)$|^\*\*\* Move to: (.+)$", re.M)


@dataclass
class Outcome:
    params: list[dict[str, Any]] = field(default_factory=list)  # acceptances to record
    stdout: str | None = None  # what the tool expects to read back, if anything
    notes: list[str] = field(default_factory=list)  # said on stderr and in the hook log


def read(path: Path) -> str | None:
    try:
        return read_document(path)
    except (OSError, UnicodeDecodeError):
        return None


def text(value: Any) -> str:
    """A payload field that should be a string, or "" (never a crash on a newer shape)."""
    return value if isinstance(value, str) else ""


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def model(model_id: Any, provider: str | None = None) -> dict[str, Any] | None:
    """The model as the tool names it; None when it does not (never invented)."""
    if not isinstance(model_id, str) or not model_id.strip() or model_id == "unknown":
        return None
    return {"provider": provider, "id": model_id, "version": None}


def resolve(names: Iterable[Any], cwd: Path) -> list[Path]:
    """Absolute paths of the files named, relative ones taken from the tool's cwd."""
    out = []
    for name in names:
        if isinstance(name, str) and name.strip():
            path = (cwd / name.strip()).resolve()
            if path not in out:
                out.append(path)
    return out


def patch_files(patch: Any) -> list[str]:
    """Files an `*** Begin Patch` patch adds or changes (Codex's, Copilot's, Cline's, OpenCode's)."""
    if isinstance(patch, list):
        patch = "\n".join(str(p) for p in patch)
    return [a or b for a, b in _PATCH_FILE.findall(patch if isinstance(patch, str) else "")]


def key(edit_id: Any, *, session: str = "", tool: str = "", path: Path | None = None) -> str:
    """The tool's id for the edit where it gives one, else session + tool + path."""
    if isinstance(edit_id, str | int) and str(edit_id):
        return f"id:{edit_id}"
    return f"s:{session}\x00{tool}\x00{path or ''}"


def keep(source: str, edit_key: str, paths: Iterable[Path]) -> None:
    """Before the edit: keep each file as it is (None for one that does not exist yet)."""
    for path in paths:
        state.save_files(source, f"{edit_key}\x00{path}", {str(path): read(path)})


def forget(source: str, edit_key: str, paths: Iterable[Path]) -> None:
    """A failed or refused edit: drop what was kept for it."""
    for path in paths:
        state.take_files(source, f"{edit_key}\x00{path}")


def undo(after: str, edits: list[tuple[str, str]]) -> str | None:
    """The text before a list of (old, new) replacements, undone last first on a copy;
    None when a replacement is not found (it cannot be reconstructed)."""
    before = after
    for old, new in reversed(edits):
        if not new:
            return None
        at = before.find(new)
        if at < 0:
            return None
        before = before[:at] + old + before[at + len(new):]
    return before


@dataclass
class Edit:
    """Everything an after-event knows about one tool call's edit."""

    source: str  # the hook's --from name: where its state is kept
    paths: list[Path]
    edit_key: str | Any = ""  # or a function of the path, for session+tool+path pairing
    kind: str = "agent-edit"
    model: dict[str, Any] | None = None
    prompt: str | None = None
    session: str = ""
    item: str = ""
    tool_version: str | None = None
    creates: bool = False  # the tool writes whole files: no before means a new file
    replacements: dict[Path, list[tuple[str, str]]] = field(default_factory=dict)
    tool_name: str | None = None  # the tool as recorded, when it is not `source` (generic)


def after(edit: Edit) -> Outcome:
    """After the edit: the inserted or replaced runs of each file, as acceptance params."""
    out = Outcome()
    for path in edit.paths:
        now = read(path)
        if now is None:
            continue  # deleted, or not text
        edit_key = edit.edit_key(path) if callable(edit.edit_key) else edit.edit_key
        kept = state.take_files(edit.source, f"{edit_key}\x00{path}")
        if kept is not None and str(path) in kept:
            old = kept[str(path)]
        elif edit.replacements.get(path):
            old = undo(now, edit.replacements[path])
            if old is None:
                out.notes.append(f"{path}: the edit's new text is not in the file; skipped")
                continue
        elif edit.creates:
            old = None  # a file the tool created: all of it is the tool's
        else:
            out.notes.append(f"no snapshot of {path} from before the edit (is the before-edit hook installed?); skipped")
            continue
        out.params += params(path, old, now, edit)
    return out


def params(path: Path, before: str | None, now: str, edit: Edit) -> list[dict[str, Any]]:
    return [{
        "textDocument": {"uri": path.as_uri()},
        "range": range_of(span),
        "text": inserted,
        "kind": edit.kind,
        "tool": {"name": edit.tool_name or edit.source, "version": edit.tool_version},
        "model": edit.model,
        "prompt": edit.prompt,
        "parameters": None,
        "sessionId": edit.session or None,
        "itemId": edit.item or None,
    } for span, inserted in inserted_hunks(before, now) if inserted.strip()]
