"""Agent hooks: real-shaped payloads through `ailedger record --from TOOL`,
checked against the files they edited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ailedger.ledger.store import Ledger
from helpers import git

BEFORE = "import os\n\ndef total(price, qty):\n    return price * qty\n"
ADDED = "    if qty >= 10:\n        price *= 0.9\n"
AFTER = BEFORE.replace("    return", ADDED + "    return")


def acceptances(env: dict[str, str]) -> list[dict[str, Any]]:
    path = Path(env["AILEDGER_DB"])
    if not path.exists():
        return []
    with Ledger(path) as ledger:
        return [e.content["payload"] for e in ledger.events() if e.type == "acceptance"]


def claude(event: str, repo: Path, **fields: Any) -> str:
    return json.dumps({"session_id": "sess-1", "transcript_path": str(repo.parent / "transcript.jsonl"),
                       "cwd": str(repo), "hook_event_name": event, **fields})


def test_claude_code_edit_is_recorded_with_model_and_prompt(cli, repo: Path, env) -> None:
    (repo.parent / "transcript.jsonl").write_text("\n".join(json.dumps(e) for e in [
        {"type": "user", "message": {"role": "user", "content": "add a bulk discount"}},
        {"type": "assistant", "message": {"role": "assistant", "model": "claude-sonnet-4-5-20250929", "content": []}},
    ]) + "\n")
    app = repo / "app.py"
    app.write_text(BEFORE)
    edit = {"tool_name": "Edit", "tool_use_id": "toolu_01", "tool_input": {
        "file_path": str(app), "old_string": "    return price * qty\n", "new_string": ADDED + "    return price * qty\n"}}
    assert cli("record", "--from", "claude-code", input=claude("UserPromptSubmit", repo, prompt="add a bulk discount")).code == 0
    assert cli("record", "--from", "claude-code", input=claude("PreToolUse", repo, **edit)).code == 0
    app.write_text(AFTER)  # the agent edits
    result = cli("record", "--from", "claude-code", input=claude("PostToolUse", repo, tool_response={"success": True}, **edit))
    assert result.code == 0, result.err
    [payload] = acceptances(env)
    assert payload["text"] == ADDED
    assert payload["range"] == {"start": {"line": 3, "character": 0}, "end": {"line": 5, "character": 0}}
    assert payload["kind"] == "agent-edit" and payload["tool"]["name"] == "claude-code"
    assert payload["model"] == {"provider": "anthropic", "id": "claude-sonnet-4-5-20250929", "version": None}
    assert payload["prompt"] == "add a bulk discount"
    assert (payload["sessionId"], payload["itemId"]) == ("sess-1", "toolu_01")


def test_claude_code_write_of_a_new_file_records_all_of_it(cli, repo: Path, env) -> None:
    new = repo / "discount.py"
    write = {"tool_name": "Write", "tool_use_id": "toolu_02", "tool_input": {"file_path": str(new), "content": ADDED}}
    cli("record", "--from", "claude-code", input=claude("PreToolUse", repo, **write))
    new.write_text(ADDED)
    cli("record", "--from", "claude-code", input=claude("PostToolUse", repo, **write))
    [payload] = acceptances(env)
    assert payload["path"] == "discount.py" and payload["text"] == ADDED
    assert payload["model"] is None  # no transcript: unknown, not invented


def test_codex_apply_patch_records_each_file(cli, repo: Path, env) -> None:
    app = repo / "app.py"
    app.write_text(BEFORE)
    patch = ("*** Begin Patch\n*** Update File: app.py\n@@\n+" + ADDED.replace("\n", "\n+").rstrip("+") +
             "*** Add File: notes.py\n+# notes\n*** End Patch\n")
    payload = {"session_id": "s", "cwd": str(repo), "model": "gpt-5-codex", "tool_name": "apply_patch",
               "tool_use_id": "call_9", "tool_input": {"command": patch}}
    cli("record", "--from", "codex", input=json.dumps({**payload, "hook_event_name": "PreToolUse"}))
    app.write_text(AFTER)
    (repo / "notes.py").write_text("# notes\n")
    result = cli("record", "--from", "codex", input=json.dumps({**payload, "hook_event_name": "PostToolUse"}))
    assert result.code == 0, result.err
    got = {p["path"]: p for p in acceptances(env)}
    assert got["app.py"]["text"] == ADDED and got["notes.py"]["text"] == "# notes\n"
    assert got["app.py"]["model"] == {"provider": "openai", "id": "gpt-5-codex", "version": None}


def test_cursor_after_file_edit_and_prompt(cli, repo: Path, env) -> None:
    app = repo / "app.py"
    app.write_text(AFTER)  # Cursor's hook runs after the edit
    base = {"conversation_id": "conv-1", "generation_id": "gen-1", "workspace_roots": [str(repo)],
            "model": "claude-4.5-sonnet", "cursor_version": "2.0.77"}
    prompt = cli("record", "--from", "cursor", input=json.dumps({**base, "hook_event_name": "beforeSubmitPrompt", "prompt": "discount"}))
    assert json.loads(prompt.out) == {"continue": True}
    result = cli("record", "--from", "cursor", input=json.dumps({**base, "hook_event_name": "afterFileEdit", "file_path": str(app),
        "edits": [{"old_string": "    return price * qty\n", "new_string": ADDED + "    return price * qty\n"}]}))
    assert result.code == 0, result.err
    [payload] = acceptances(env)
    assert payload["text"] == ADDED and payload["range"]["start"]["line"] == 3
    assert payload["tool"] == {"name": "cursor", "version": "2.0.77"} and payload["prompt"] == "discount"


def test_a_broken_payload_never_fails_the_agent(cli, repo: Path, env) -> None:
    result = cli("record", "--from", "claude-code", input="{not json")
    assert result.code == 0
    assert "not recorded: the hook payload on stdin is not JSON" in result.err
    assert acceptances(env) == []


def test_git_post_commit_records_ai_marked_commits_only(cli, repo: Path, env) -> None:
    assert cli("hooks", "install", "git", cwd=repo).code == 0
    app = repo / "app.py"
    app.write_text(BEFORE + "# human line\n")
    git(repo, "commit", "-qam", "human change")
    assert acceptances(env) == []
    app.write_text(AFTER + "# human line\n")
    git(repo, "commit", "-qam", "Add bulk discount\n\nCo-authored-by: Claude <noreply@anthropic.com>")
    [payload] = acceptances(env)
    assert payload["text"] == ADDED and payload["tool"]["name"] == "claude-code"
    assert payload["itemId"] == git(repo, "rev-parse", "HEAD").strip()
    (repo / "b.py").write_text("x = 1\n")
    git(repo, "add", "b.py")
    git(repo, "-c", "user.name=Dev (aider)", "commit", "-qm", "aider: add b", "--author", "Dev (aider) <dev@example.com>")
    assert [p["tool"]["name"] for p in acceptances(env)] == ["claude-code", "aider"]
