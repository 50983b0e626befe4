"""`ailedger import git-ai`: git-ai's authorship notes as regions.

The format followed is the Git AI Standard v3.0.0, `specs/git_ai_standard_v3.0.0.md`
in github.com/git-ai-project/git-ai (read at commit 55a1d728f): one note per
commit under `refs/notes/ai`; an attestation section (a file path at the
start of a line, quoted when it holds spaces; then entries indented by
exactly two spaces, `KEY RANGES`, RANGES like `1-4,9,12-20`, 1-based, in the
file as committed), a line holding exactly `---`, and a JSON metadata
section with `schema_version` "authorship/3.0.0". Keys `s_<14hex>::t_<14hex>`
name an AI session in `metadata.sessions` (by the part before `::`), bare
16 (or legacy 7) hex keys an AI session in `metadata.prompts`, and `h_`
keys a known human (`metadata.humans`): those lines are not imported. The
session's `agent_id` {tool, id, model} gives the tool, model and session.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..gitread import GitError, blob_text, commit_of, git
from ..placed import runs
from . import ImportRefused, Item, email_of, model_of

SCHEMA = "authorship/3.0.0"
_ENTRY = re.compile(r"^  (\S+) (\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)$")


def full_ref(ref: str) -> str:
    return ref if ref.startswith("refs/") else f"refs/notes/{ref}"


def notes(root: Path, ref: str) -> list[tuple[str, str]]:
    """(commit, note text) for every commit with a note under `ref`, oldest commit first."""
    ref = full_ref(ref)
    try:
        git(root, "rev-parse", "--verify", "--quiet", ref)
    except GitError:
        raise ImportRefused(f"no notes under {ref} in this repository (fetch them: git fetch origin '{ref}:{ref}')") from None
    listed = [line.split() for line in git(root, "notes", "--ref", ref, "list").splitlines() if line.strip()]
    found = []
    for blob, commit in listed:
        try:
            commit = commit_of(root, commit)
        except GitError:
            continue  # a note on an object that is not a commit this clone has
        when = int(git(root, "show", "-s", "--format=%ct", commit).strip())
        found.append((when, commit, git(root, "cat-file", "blob", blob)))
    return [(commit, text) for _, commit, text in sorted(found)]


def parse(note: str, commit: str) -> tuple[dict[str, list[tuple[str, list[int]]]], dict[str, Any]]:
    """({path: [(key, lines)]}, metadata) of one authorship log, or ImportRefused
    naming the commit and the line that breaks the standard."""
    lines = note.splitlines()
    if "---" not in lines:
        raise ImportRefused(f"git-ai note on {commit[:12]}: no '---' line between attestations and metadata")
    divider = lines.index("---")
    try:
        metadata = json.loads("\n".join(lines[divider + 1:]))
    except json.JSONDecodeError as err:
        raise ImportRefused(f"git-ai note on {commit[:12]}: the metadata is not JSON ({err})") from None
    if not isinstance(metadata, dict):
        raise ImportRefused(f"git-ai note on {commit[:12]}: the metadata is not a JSON object")
    files: dict[str, list[tuple[str, list[int]]]] = {}
    path = None
    for number, line in enumerate(lines[:divider], 1):
        if not line.strip():
            continue
        if not line.startswith(" "):
            path = line[1:-1] if len(line) > 1 and line.startswith('"') and line.endswith('"') else line
            files.setdefault(path, [])
            continue
        match = _ENTRY.match(line)
        if match is None or path is None:
            raise ImportRefused(f"git-ai note on {commit[:12]}, line {number}: expected '  KEY RANGES' under a file path, "
                               f"got {line!r}")
        numbers: list[int] = []
        for piece in match[2].split(","):
            a, _, b = piece.partition("-")
            first, last = int(a), int(b or a)
            if not 1 <= first <= last:
                raise ImportRefused(f"git-ai note on {commit[:12]}, line {number}: bad line range {piece!r}")
            numbers.extend(range(first, last + 1))
        files[path].append((match[1], numbers))
    return files, metadata


def session_of(key: str, metadata: dict[str, Any]) -> dict[str, Any] | None:
    """The AI session record a key points to; None for a known human."""
    if key.startswith("h_"):
        return None
    if key.startswith("s_"):
        record = (metadata.get("sessions") or {}).get(key.split("::", 1)[0])
    else:
        record = (metadata.get("prompts") or {}).get(key)
    return record if isinstance(record, dict) else {}


def items(root: Path, ref: str) -> tuple[list[Item], list[str]]:
    """Items for every AI line run in every note, and what was passed over."""
    out: list[Item] = []
    passed: list[str] = []
    for commit, note in notes(root, ref):
        files, metadata = parse(note, commit)
        version = metadata.get("schema_version")
        if version != SCHEMA:
            passed.append(f"note on {commit[:12]}: schema_version {version!r} is not {SCHEMA}; passed over")
            continue
        when = git(root, "show", "-s", "--format=%aI", commit).strip()
        for path, entries in files.items():
            blob = blob_text(root, commit, path)
            if blob is None:
                passed.append(f"note on {commit[:12]}: {path} is not a text file in that commit")
                continue
            for key, numbers in entries:
                session = session_of(key, metadata)
                if session is None:
                    continue  # a known human's lines
                agent = session.get("agent_id") if isinstance(session.get("agent_id"), dict) else {}
                for first, last in runs(numbers):
                    out.append(Item(
                        item_id=f"git-ai {commit} {path} {key} {first}-{last}", path=path, first=first, last=last,
                        source=blob, tool={"name": str(agent.get("tool") or "git-ai"), "version": None},
                        model=model_of(agent.get("model")),
                        parameters={"imported": "git-ai", "notesRef": full_ref(ref), "commit": commit,
                                    "attestation": key, "gitAiVersion": metadata.get("git_ai_version")},
                        accepted_at=when, accepted_by=email_of(session.get("human_author")),
                        session_id=str(agent["id"]) if agent.get("id") else None, prompt=_prompt(session)))
    return out, passed


def _prompt(session: dict[str, Any]) -> str | None:
    """The user's messages, where a legacy note still carries them (removed in v1.3.4)."""
    said = [m.get("text") for m in session.get("messages") or () if isinstance(m, dict) and m.get("type") == "user"]
    return "\n\n".join(t for t in said if isinstance(t, str)) or None
