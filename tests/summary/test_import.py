"""`ailedger import git-ai` and `ailedger import agent-trace`: attribution
another tool recorded becomes regions at the right lines (checked with
`ailedger blame --json`), unreviewed, saying where it came from; importing
twice adds nothing; bad input is refused whole."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import jsonschema
import pytest

from helpers import git

# ../shared/schemas beside the repository (the nearest one up, so a worktree finds it too)
SHARED = next(p / "shared" / "schemas" for p in Path(__file__).parents if (p / "shared" / "schemas").is_dir())

CALC = ("import math\n"                          # 1  human
        "\n"                                     # 2
        "def hyp(a, b):\n"                       # 3  AI (session key)
        "    return math.sqrt(a * a + b * b)\n"  # 4  AI
        "\n"                                     # 5
        "def mean(xs):\n"                        # 6  known human (h_ key)
        "    return sum(xs) / len(xs)\n"         # 7  known human
        "\n"                                     # 8
        "def sign(x):\n"                         # 9  AI (legacy key)
        "    return (x > 0) - (x < 0)\n")        # 10 AI

SESSION = "s_" + hashlib.sha256(b"cursor:6ef2299e-a67f-432b-aa80-3d2fb4d28999").hexdigest()[:14]
LEGACY = hashlib.sha256(b"claude:conv_abc123def456").hexdigest()[:16]
HUMAN = "h_" + hashlib.sha256(b"Dev <dev@example.com>").hexdigest()[:14]


def authorship_log(commit_parent: str) -> str:
    """An authorship log shaped as Git AI Standard v3.0.0 says (specs/git_ai_standard_v3.0.0.md
    in github.com/git-ai-project/git-ai, sections 1.2.3-1.2.7: sessions, humans and legacy
    prompts in one note, as 1.2.7 "Mixed Format" allows)."""
    attestations = (f"calc.py\n"
                    f"  {SESSION}::t_9f8e7d6c5b4a32 3-4\n"
                    f"  {HUMAN} 6-7\n"
                    f"  {LEGACY} 9,10\n")
    metadata = {
        "schema_version": "authorship/3.0.0",
        "git_ai_version": "1.4.5",
        "base_commit_sha": commit_parent,
        "prompts": {LEGACY: {
            "agent_id": {"tool": "claude", "id": "conv_abc123def456", "model": "claude-sonnet-4-5-20250514"},
            "human_author": "Ada <ada@example.com>",
            "total_additions": 2, "total_deletions": 0, "accepted_lines": 2, "overriden_lines": 0}},
        "humans": {HUMAN: {"author": "Dev <dev@example.com>"}},
        "sessions": {SESSION: {
            "agent_id": {"tool": "cursor", "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999", "model": "gpt-5"},
            "human_author": "dev@example.com"}},
    }
    return attestations + "---\n" + json.dumps(metadata, indent=2) + "\n"


def blame(cli, path: str, cwd: Path) -> dict[int, dict]:  # type: ignore[no-untyped-def]
    result = cli("blame", path, "--json", cwd=cwd)
    assert result.code == 0, result.err
    return {b["line"]: b for b in map(json.loads, result.out.splitlines())}


def events(cli) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(line) for line in cli("log", "-n", "10000", "--json").out.splitlines()]


@pytest.fixture
def noted(repo: Path) -> Path:
    """calc.py committed with a git-ai note; then a person adds two lines on top and commits."""
    parent = git(repo, "rev-parse", "HEAD").strip()
    (repo / "calc.py").write_text(CALC)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "calc")
    (repo / "note.txt").write_text(authorship_log(parent))
    git(repo, "notes", "--ref", "ai", "add", "-F", str(repo / "note.txt"), "HEAD")
    (repo / "note.txt").unlink()
    (repo / "calc.py").write_text("#!/usr/bin/env python3\n# geometry helpers\n" + CALC)
    git(repo, "commit", "-q", "-am", "header")
    return repo


def test_git_ai_notes_become_regions_at_the_right_lines(cli, noted: Path) -> None:
    result = cli("import", "git-ai", cwd=noted)
    assert result.code == 0, result.err
    assert "imported 2 region(s)" in result.out
    lines = blame(cli, "calc.py", noted)
    ai = {n for n, b in lines.items() if b["attribution"] == "ai"}
    assert ai == {5, 6, 11, 12}  # the note's 3-4 and 9-10, two lines lower now
    assert lines[5]["tool"] == "cursor" and lines[5]["model"] == {"provider": None, "id": "gpt-5", "version": None}
    assert lines[11]["tool"] == "claude" and lines[11]["model"]["id"] == "claude-sonnet-4-5-20250514"
    assert lines[11]["acceptedBy"] == "ada@example.com"
    assert {lines[n]["status"] for n in ai} == {"unreviewed"}
    assert lines[8]["attribution"] == "human"  # the known human's lines are not the AI's
    [first, second] = [e for e in events(cli) if e["type"] == "acceptance"]
    note_commit = git(noted, "rev-parse", "HEAD~1").strip()
    assert first["payload"]["parameters"]["imported"] == "git-ai"
    assert first["payload"]["parameters"]["commit"] == note_commit
    assert first["payload"]["sessionId"] == "6ef2299e-a67f-432b-aa80-3d2fb4d28999"
    assert first["payload"]["text"] == "def hyp(a, b):\n    return math.sqrt(a * a + b * b)\n"
    # the gate sees them
    assert cli("check", cwd=noted).code == 1


def test_importing_git_ai_twice_adds_nothing(cli, noted: Path) -> None:
    assert cli("import", "git-ai", "--ref", "refs/notes/ai", cwd=noted).code == 0
    before = events(cli)
    again = cli("import", "git-ai", "--ref", "ai", cwd=noted)
    assert again.code == 0 and "imported 0 region(s); 2 already recorded" in again.out
    assert events(cli) == before


def test_a_malformed_note_is_refused_whole(cli, noted: Path) -> None:
    broken = "calc.py\n  not a range line\n---\n{\"schema_version\": \"authorship/3.0.0\", \"prompts\": {}}\n"
    git(noted, "notes", "--ref", "ai", "add", "-f", "-m", broken, "HEAD")
    result = cli("import", "git-ai", cwd=noted)
    assert result.code == 2 and "line 2" in result.err and len(result.err.strip().splitlines()) == 1
    assert cli("import", "git-ai", "--ref", "refs/notes/none", cwd=noted).code == 2
    assert events(cli) == []


# --- Agent Trace -----------------------------------------------------------

def trace_record(files: list[dict], **extra: object) -> dict:
    """An Agent Trace record (agent-trace.dev trace-record schema v1), checked
    against shared/schemas/agent-trace-record.schema.json before use."""
    record = {"version": "1.0", "id": str(uuid.uuid4()), "timestamp": "2026-11-30T10:00:00Z",
              "tool": {"name": "opencode", "version": "0.9.1"}, "files": files, **extra}
    record = {k: v for k, v in record.items() if v is not None}  # tool=None: a record naming no tool
    schema = json.loads((SHARED / "agent-trace-record.schema.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(record)
    return record


def digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def traced(repo: Path) -> tuple[Path, Path]:
    (repo / "calc.py").write_text(CALC)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "calc")
    at_commit = git(repo, "rev-parse", "HEAD").strip()
    (repo / "calc.py").write_text("# header\n" + CALC)  # not committed: the working copy moved on
    model = {"type": "ai", "model_id": "anthropic/claude-opus-4-5-20251101"}
    records = [
        # lines as they are now, with the content hash the spec allows
        trace_record([{"path": "calc.py", "conversations": [{"contributor": model, "ranges": [
            {"start_line": 4, "end_line": 5, "content_hash": digest("def hyp(a, b):\n    return math.sqrt(a * a + b * b)\n")},
            {"start_line": 7, "end_line": 8, "contributor": {"type": "human"}},
        ]}]}]),
        # lines as they were at a commit: followed to where they are now
        trace_record([{"path": "calc.py", "conversations": [{"contributor": model, "ranges": [
            {"start_line": 9, "end_line": 10}]}]}], vcs={"type": "git", "revision": at_commit}),
    ]
    file = repo.parent / "traces.jsonl"
    file.write_text("".join(json.dumps(r) + "\n" for r in records))
    return repo, file


def test_agent_trace_records_become_regions_at_the_right_lines(cli, traced) -> None:
    repo, file = traced
    result = cli("import", "agent-trace", str(file), cwd=repo)
    assert result.code == 0, result.err
    assert "imported 2 region(s)" in result.out and "human, not AI" in result.err
    lines = blame(cli, "calc.py", repo)
    assert {n for n, b in lines.items() if b["attribution"] == "ai"} == {4, 5, 10, 11}
    assert lines[4]["model"] == {"provider": "anthropic", "id": "claude-opus-4-5-20251101", "version": None}
    assert lines[10]["tool"] == "opencode" and lines[10]["toolVersion"] == "0.9.1"
    assert lines[10]["status"] == "unreviewed" and lines[7]["attribution"] == "human"
    acceptances = [e["payload"] for e in events(cli) if e["type"] == "acceptance"]
    assert {a["parameters"]["imported"] for a in acceptances} == {"agent-trace"}
    before = events(cli)
    again = cli("import", "agent-trace", str(file), cwd=repo)
    assert again.code == 0 and "imported 0 region(s); 2 already recorded" in again.out
    assert events(cli) == before


def test_our_own_agent_trace_export_round_trips_into_another_ledger(cli, env, traced) -> None:
    repo, file = traced
    assert cli("import", "agent-trace", str(file), cwd=repo).code == 0
    exported = repo.parent / "export.jsonl"
    exported.write_text(cli("report", "--format", "agent-trace", cwd=repo).out)
    schema = json.loads((SHARED / "agent-trace-record.schema.json").read_text())
    for line in exported.read_text().splitlines():
        jsonschema.validators.validator_for(schema)(schema).validate(json.loads(line))
    original = {n: b["attribution"] for n, b in blame(cli, "calc.py", repo).items()}
    env["AILEDGER_DB"] = str(repo.parent / "other-ledger.db")
    result = cli("import", "agent-trace", str(exported), cwd=repo)
    assert result.code == 0 and "imported 2 region(s)" in result.out, result.err
    assert {n: b["attribution"] for n, b in blame(cli, "calc.py", repo).items()} == original


def test_a_bad_trace_record_is_refused_whole(cli, traced) -> None:
    repo, file = traced
    bad = json.loads(file.read_text().splitlines()[0])
    bad["files"][0]["conversations"][0]["ranges"][0]["start_line"] = 0
    file.write_text(file.read_text() + json.dumps(bad) + "\n")
    result = cli("import", "agent-trace", str(file), cwd=repo)
    assert result.code == 2 and "traces.jsonl:3" in result.err and "start_line" in result.err
    assert events(cli) == []
    missing = cli("import", "agent-trace", str(repo / "nope.jsonl"), cwd=repo)
    assert missing.code == 2 and "cannot read it" in missing.err


def test_a_range_whose_content_hash_does_not_match_is_not_imported(cli, repo: Path) -> None:
    (repo / "calc.py").write_text(CALC)
    record = trace_record([{"path": "calc.py", "conversations": [{"contributor": {"type": "ai"}, "ranges": [
        {"start_line": 3, "end_line": 4, "content_hash": digest("something else\n")},
        {"start_line": 9, "end_line": 10, "content_hash": digest("def sign(x):\n    return (x > 0) - (x < 0)\n")},
    ]}]}], tool=None)
    file = repo.parent / "one.jsonl"
    file.write_text(json.dumps(record) + "\n")
    result = cli("import", "agent-trace", str(file), cwd=repo)
    assert result.code == 0 and "imported 1 region(s)" in result.out
    assert "calc.py:3-4: the lines there do not hold the attested content" in result.err
    lines = blame(cli, "calc.py", repo)
    assert {n for n, b in lines.items() if b["attribution"] == "ai"} == {9, 10}
    assert lines[9]["tool"] == "unknown"  # the record named no tool: none is invented
