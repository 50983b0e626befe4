"""Command-line spellings of a tool and a model, shared by the commands."""

from __future__ import annotations

from typing import Any


def tool_spec(spec: str) -> dict[str, Any]:
    """`NAME[@VERSION]` -> {name, version}."""
    name, _, version = spec.partition("@")
    return {"name": name, "version": version or None}


def model_spec(spec: str) -> dict[str, Any]:
    """`[PROVIDER/]ID[@VERSION]` -> {provider, id, version}; missing parts are None (unknown)."""
    rest, _, version = spec.partition("@")
    provider, _, model_id = rest.rpartition("/")
    return {"provider": provider or None, "id": model_id or None, "version": version or None}
