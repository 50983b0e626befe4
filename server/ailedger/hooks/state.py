"""What a hook must remember between two invocations: the files before an
edit (keyed by the tool's id for that edit) and the session's last prompt."""

from __future__ import annotations

import json  # not orjson, nor typing at run time: a before-edit hook imports as little as it can
import os
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "ailedger" / "hooks"


def _file(tool: str, kind: str, key: str) -> Path:
    return state_dir() / tool / kind / _name(key)


def _name(key: str) -> str:
    """Keys come from the agent: never trusted as file names. In hex they are
    safe; only a long one is hashed, since hashlib loads OpenSSL, milliseconds
    that every before-edit hook would pay."""
    raw = key.encode()
    if len(raw) <= 64:
        return "k" + raw.hex()  # never empty, even for an empty key
    import hashlib

    return "h" + hashlib.sha256(raw).hexdigest()[:32]


def _save(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    tmp.replace(path)


def save_files(tool: str, key: str, files: dict[str, str | None]) -> None:
    """Contents before an edit; None for a file that did not exist."""
    _save(_file(tool, "before", key), files)


def take_files(tool: str, key: str) -> dict[str, str | None] | None:
    path = _file(tool, "before", key)
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    path.unlink(missing_ok=True)
    return value


def save_prompt(tool: str, session: str, prompt: str) -> None:
    _save(_file(tool, "prompt", session), {"prompt": prompt})


def last_prompt(tool: str, session: str) -> str | None:
    try:
        return json.loads(_file(tool, "prompt", session).read_bytes())["prompt"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember(tool: str, kind: str, key: str, value: Any) -> None:
    """Keep a small value between hook runs (the session's model, an edit already recorded)."""
    _save(_file(tool, kind, key), {"value": value})


def recall(tool: str, kind: str, key: str) -> Any:
    try:
        return json.loads(_file(tool, kind, key).read_bytes())["value"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
