"""`ailedger record --from git`, run by a post-commit hook: commits that an
AI tool marks as its own (aider's "(aider)" author suffix, a Co-authored-by
trailer naming an AI tool) have their added lines recorded."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from ..capture import range_of
from ..gitread import blob_text
from ..regions.inserted import inserted_hunks

# Co-authored-by names or addresses that AI tools write into commits.
AI_CO_AUTHORS: list[tuple[re.Pattern[str], str, str | None]] = [
    (re.compile(r"\bclaude\b|anthropic\.com", re.I), "claude-code", "anthropic"),
    (re.compile(r"\bcopilot\b", re.I), "copilot", None),
    (re.compile(r"\bcursor(agent)?\b|cursor\.(com|sh)", re.I), "cursor", None),
    (re.compile(r"\bcodex\b|openai\.com", re.I), "codex", "openai"),
    (re.compile(r"\baider\b", re.I), "aider", None),
    (re.compile(r"\bgemini\b", re.I), "gemini-cli", "google"),
    (re.compile(r"\bwindsurf\b|codeium", re.I), "windsurf", None),
    (re.compile(r"\bdevin\b", re.I), "devin", None),
]


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def ai_tool(root: Path) -> tuple[str, str | None] | None:
    """(tool, provider) that HEAD says wrote it, or None for a human commit."""
    author = _git(root, "log", "-1", "--format=%an").strip()
    if author.endswith("(aider)"):
        return "aider", None
    trailers = _git(root, "log", "-1", "--format=%(trailers:key=Co-authored-by,valueonly)")
    for line in trailers.splitlines():
        for pattern, tool, provider in AI_CO_AUTHORS:
            if pattern.search(line):
                return tool, provider
    return None


def commit_acceptances(root: Path) -> tuple[list[tuple[dict[str, Any], str]], str | None]:
    """(params, committed text of the file) for each run of lines HEAD added, if
    an AI tool marked HEAD; and the tool's name (None for a human commit)."""
    found = ai_tool(root)
    if found is None:
        return [], None
    tool, provider = found
    head = _git(root, "rev-parse", "HEAD").strip()
    has_parent = subprocess.run(["git", "-C", str(root), "rev-parse", "-q", "--verify", "HEAD~1"],
                                capture_output=True).returncode == 0
    names = _git(root, "diff-tree", "--no-commit-id", "-r", "--name-only", "--diff-filter=AM",
                 *([] if has_parent else ["--root"]), "HEAD").splitlines()
    out = []
    for name in names:
        after = blob_text(root, "HEAD", name)
        if after is None:
            continue
        before = blob_text(root, "HEAD~1", name) if has_parent else None
        for span, text in inserted_hunks(before, after):
            if text.strip():
                out.append(({
                    "textDocument": {"uri": (root / name).as_uri()},
                    "range": range_of(span), "text": text, "kind": "agent-edit",
                    "tool": {"name": tool, "version": None},
                    "model": {"provider": provider, "id": None, "version": None} if provider else None,
                    "prompt": None, "parameters": None, "sessionId": None, "itemId": head,
                }, after))
    return out, tool
