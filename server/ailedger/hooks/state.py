"""What a hook must remember between two invocations: the files before an
edit (keyed by the tool's id for that edit) and the session's last prompt."""

from __future__ import annotations

import os

# Not json, pathlib, orjson, nor typing at run time: a before-edit hook imports as little as it can.
from .fastjson import dumps, loads

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


def state_dir() -> Path:
    from pathlib import Path

    return Path(_state_dir())


def _state_dir() -> str:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "ailedger", "hooks")


def _file(tool: str, kind: str, key: str) -> str:
    return os.path.join(_state_dir(), tool, kind, _name(key))


def _name(key: str) -> str:
    """Keys come from the agent: never trusted as file names. In hex they are
    safe; only a long one is hashed, since hashlib loads OpenSSL, milliseconds
    that every before-edit hook would pay."""
    raw = key.encode()
    if len(raw) <= 64:
        return "k" + raw.hex()  # never empty, even for an empty key
    import hashlib

    return "h" + hashlib.sha256(raw).hexdigest()[:32]


def _save(path: str, value: Any) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(dumps(value))
    os.replace(tmp, path)


def _load(path: str) -> Any:
    with open(path, "rb") as f:
        return loads(f.read())


def save_files(tool: str, key: str, files: dict[str, str | None]) -> None:
    """Contents before an edit; None for a file that did not exist."""
    _save(_file(tool, "before", key), files)


def take_files(tool: str, key: str) -> dict[str, str | None] | None:
    path = _file(tool, "before", key)
    try:
        value = _load(path)
    except (OSError, ValueError):
        return None
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    return value


def save_prompt(tool: str, session: str, prompt: str) -> None:
    _save(_file(tool, "prompt", session), {"prompt": prompt})


def last_prompt(tool: str, session: str) -> str | None:
    try:
        return _load(_file(tool, "prompt", session))["prompt"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember(tool: str, kind: str, key: str, value: Any) -> None:
    """Keep a small value between hook runs (the session's model, an edit already recorded)."""
    _save(_file(tool, kind, key), {"value": value})


def recall(tool: str, kind: str, key: str) -> Any:
    try:
        return _load(_file(tool, kind, key))["value"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
