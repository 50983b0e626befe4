"""Reading the session and transcript files agents keep, for the model they used."""

from __future__ import annotations

TYPE_CHECKING = False  # typing and pathlib cost a before-edit hook milliseconds
if TYPE_CHECKING:
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



def session_model(path: Path) -> str | None:
    """The model last named in a Copilot session log (JSON lines of `{type, data}`:
    the CLI's `session-state/ID/events.jsonl`, and the transcript VS Code hands its
    hooks, which logs the same entry types): `session.model_change` data.newModel,
    `session.start`/`session.resume` data.selectedModel, or an entry's data.model."""
    for entry in tail_json_lines(path):  # newest first
        data = entry.get("data")
        if isinstance(data, dict):
            for key in ("newModel", "selectedModel", "model"):
                if isinstance(data.get(key), str) and data[key]:
                    return str(data[key])
    return None
