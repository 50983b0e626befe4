"""What only an after-event needs: the edit as the tool described it, and
its inserted or replaced runs as acceptance params (edits.py loads this
module on first use, so a before-edit hook never pays for it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...capture import range_of
from ...regions.inserted import inserted_hunks
from .. import state
from .edits import Outcome, read, undo


@dataclass
class Edit:
    """Everything an after-event knows about one tool call's edit."""

    source: str  # the hook's --from name: where its state is kept
    paths: list[Path] | list[str]
    edit_key: str | Any = ""  # or a function of the path, for session+tool+path pairing
    kind: str = "agent-edit"
    model: dict[str, Any] | None = None
    prompt: str | None = None
    session: str = ""
    item: str = ""
    tool_version: str | None = None
    creates: bool = False  # the tool writes whole files: no before means a new file
    replacements: dict[Path, list[tuple[str, str]]] | dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    tool_name: str | None = None  # the tool as recorded, when it is not `source` (generic)


def after(edit: Edit) -> Outcome:
    """After the edit: the inserted or replaced runs of each file, as acceptance params."""
    out = Outcome()
    for path in edit.paths:
        now = read(path)
        if now is None:
            out.notes.append(f"{path} is gone or not text since the edit; nothing to record for it")
            continue
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
        "textDocument": {"uri": Path(path).as_uri()},
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
