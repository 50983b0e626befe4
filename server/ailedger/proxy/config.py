"""Which model the client configured, read from the settings it sends.

copilot-language-server reads `github.copilot.selectedCompletionModel`:
copilot.vim (`g:copilot_settings`), copilot.el (`copilot-completion-model`)
and copilot.lua send it nested as `{"github": {"copilot":
{"selectedCompletionModel": ...}}}` in `workspace/didChangeConfiguration`;
VS Code-style clients may send the dotted key flat. Other inline-completion
servers commonly take a plain `model` (or `copilot.model`). Only the model id
is known this way: provider and version stay unknown (null), never guessed.
"""

from __future__ import annotations

from typing import Any

MODEL_KEYS = (
    "github.copilot.selectedCompletionModel",
    "copilot.selectedCompletionModel",
    "selectedCompletionModel",
    "copilot.model",
    "model",
)


def lookup(settings: Any, dotted: str) -> Any:
    """`settings[a][b][c]` for "a.b.c", also when some of the levels are
    written as one dotted key (`{"github.copilot": {...}}`)."""
    if not isinstance(settings, dict):
        return None
    if dotted in settings:
        return settings[dotted]
    parts = dotted.split(".")
    for i in range(1, len(parts)):
        head = ".".join(parts[:i])
        if head in settings:
            found = lookup(settings[head], ".".join(parts[i:]))
            if found is not None:
                return found
    return None


def model_from(settings: Any) -> tuple[bool, dict[str, Any] | None]:
    """(whether the settings name a model, the model as `ModelInfo`)."""
    for key in MODEL_KEYS:
        value = lookup(settings, key)
        if isinstance(value, str) and value.strip():
            return True, {"provider": None, "id": value.strip(), "version": None}
        if isinstance(value, dict) and any(isinstance(value.get(k), str) for k in ("id", "name")):
            parts = {k: value.get(k) if isinstance(value.get(k), str) else None for k in ("provider", "id", "version")}
            if parts["id"] is None:
                parts["id"] = value.get("name")
            return True, parts
    return False, None


def settings_of_sections(items: list[Any], results: list[Any]) -> dict[str, Any]:
    """A `workspace/configuration` answer, as one settings object keyed by section."""
    merged: dict[str, Any] = {}
    for item, result in zip(items, results):
        section = item.get("section") if isinstance(item, dict) else None
        if section:
            merged[section] = result
        elif isinstance(result, dict):
            merged.update(result)
    return merged
