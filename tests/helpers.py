"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def acceptance_payload(i: int = 0, **overrides: Any) -> dict[str, Any]:
    """A valid `acceptance` event payload, for store-level tests."""
    text = f"value_{i} = compute({i})\n"
    payload = {
        "regionId": f"01TESTREGION{i:014d}",
        "user": "dev@example.com",
        "repo": "git.example.com/acme/shop",
        "path": "app.py",
        "range": {"start": {"line": i, "character": 0}, "end": {"line": i + 1, "character": 0}},
        "textSha256": sha(text),
        "text": text,
        "kind": "inline",
        "tool": {"name": "copilot", "version": "1.250.0"},
        "model": {"provider": "openai", "id": "gpt-4.1", "version": None},
        "prompt": None,
        "parameters": {"temperature": 0.2},
        "acceptedAt": "2026-11-27T12:00:00Z",
    }
    payload.update(overrides)
    return payload


def acceptance_params(path: Path, line: int, text: str, **overrides: Any) -> dict[str, Any]:
    """`ailedger/recordAcceptance` params for whole lines `text` starting at `line`."""
    lines = text.count("\n")
    params = {
        "textDocument": {"uri": path.as_uri()},
        "range": {"start": {"line": line, "character": 0}, "end": {"line": line + lines, "character": 0}},
        "text": text,
        "kind": "inline",
        "tool": {"name": "copilot", "version": "1.250.0"},
        "model": {"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"},
        "prompt": "multiply price by quantity",
        "parameters": {"temperature": 0.2},
    }
    params.update(overrides)
    return params
