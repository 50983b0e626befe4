"""Reading the session and transcript files agents keep, for the model they used."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def tail_json_lines(path: Path, size: int = 262_144) -> list[dict[str, Any]]:
    """The JSON objects in the last `size` bytes of a JSON-lines file, newest first
    (the tail is enough, and transcripts grow large)."""
    import orjson

    try:
        with path.open("rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - size))
            lines = f.read().splitlines()
    except OSError:
        return []
    out = []
    for line in reversed(lines):
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(entry, dict):
            out.append(entry)
    return out


_MODEL_KEYS = ("modelId", "model", "selectedModel", "newModel")


def last_model_in(path: Path, size: int = 4_000_000) -> str | None:
    """The last model named in a transcript kept as JSON lines or as one JSON
    document (VS Code's chat sessions: `requests[].modelId`); None if none is."""
    import orjson

    entries = tail_json_lines(path)
    if not entries:
        try:
            if path.stat().st_size > size:
                return None
            doc = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        entries = [doc]
    for entry in entries:  # newest first
        found = _last_model(entry)
        if found:
            return found
    return None


def _last_model(value: Any, depth: int = 0) -> str | None:
    if depth > 12:
        return None
    if isinstance(value, dict):
        for key in _MODEL_KEYS:
            v = value.get(key)
            if isinstance(v, str) and v:
                found = v
                break
            if isinstance(v, dict) and isinstance(v.get("id"), str):
                found = v["id"]
                break
        else:
            found = None
        later = [_last_model(v, depth + 1) for v in value.values() if isinstance(v, dict | list)]
        later = [f for f in later if f]
        return later[-1] if later else found
    if isinstance(value, list):
        for item in reversed(value):
            found = _last_model(item, depth + 1)
            if found:
                return found
    return None
