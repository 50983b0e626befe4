"""The before/after edit core every agent module shares.

A before-event keeps each file the tool is about to touch (state.py, keyed
by the edit); the matching after-event diffs the file now on disk against
what was kept and turns each inserted or replaced run of lines into
acceptance params. Pairing is by the tool's own id for the edit where it
gives one, else by session, tool and path: two edits in flight never share
a key, so they never mix.
"""

from __future__ import annotations

import os

from ...files import read_document
from .. import state

# A before-edit hook runs this module and the agent waits on it: no typing,
# dataclasses, pathlib, re or diffing at the top (each costs it milliseconds).
# What only an after-event needs (Edit, after, params) lives in diffing.py and
# is loaded when first asked for. Paths here are strings (os.path).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Iterable

    from .diffing import Edit, after, params  # noqa: F401

_PATCH_FILE = r"^\*\*\* (?:Add|Update) File: (.+)$|^\*\*\* Move to: (.+)$"


class Outcome:
    def __init__(self, params: list[dict[str, Any]] | None = None, stdout: str | None = None,
                 notes: list[str] | None = None) -> None:
        self.params = params if params is not None else []  # acceptances to record
        self.stdout = stdout  # what the tool expects to read back, if anything
        self.notes = notes if notes is not None else []  # said on stderr and in the hook log


def read(path: Path | str) -> str | None:
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


def resolve(names: Iterable[Any], cwd: Path | str) -> list[str]:
    """Absolute paths of the files named, relative ones taken from the tool's cwd
    (symbolic links resolved, as Path.resolve() does)."""
    out = []
    for name in names:
        if isinstance(name, str) and name.strip():
            path = os.path.realpath(os.path.join(cwd, name.strip()))
            if path not in out:
                out.append(path)
    return out


def patch_files(patch: Any) -> list[str]:
    """Files an `*** Begin Patch` patch adds or changes (Codex's, Copilot's, Cline's, OpenCode's)."""
    if isinstance(patch, list):
        patch = "\n".join(str(p) for p in patch)
    import re  # only patches need it

    return [a or b for a, b in re.findall(_PATCH_FILE, patch if isinstance(patch, str) else "", re.M)]


def key(edit_id: Any, *, session: str = "", tool: str = "", path: Path | str | None = None) -> str:
    """The tool's id for the edit where it gives one, else session + tool + path."""
    if isinstance(edit_id, str | int) and str(edit_id):
        return f"id:{edit_id}"
    return f"s:{session}\x00{tool}\x00{path or ''}"


def keep(source: str, edit_key: str, paths: Iterable[Path | str]) -> None:
    """Before the edit: keep each file as it is (None for one that does not exist yet)."""
    for path in paths:
        state.save_files(source, f"{edit_key}\x00{path}", {str(path): read(path)})


def forget(source: str, edit_key: str, paths: Iterable[Path | str]) -> None:
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


def __getattr__(name: str) -> Any:
    if name in ("Edit", "after", "params"):
        from . import diffing

        return getattr(diffing, name)
    raise AttributeError(name)
