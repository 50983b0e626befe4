"""Every agent's real-shaped payloads through the real `ailedger record --from
NAME`: the exact ranges and text (checked against the file on disk), the model
where the tool gives one, the prompt under each retention mode; a created
file, a failed call, interleaved edits and a newer version's extra fields."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from helpers_hooks import ADDED, AFTER, BEFORE, CREATED, PROMPT, acceptances, fixture, send, text_on_disk

WRITE = "(the agent writes the file)"

# agent, the events in order, the model the tool gives (None: it gives none), the tool as recorded
EDITS: dict[str, tuple[str, list[str], dict[str, Any] | None, str]] = {
    "copilot-cli": ("copilot", ["cli-prompt", "cli-pre-edit", WRITE, "cli-post-edit"],
                    {"provider": None, "id": "gpt-5.1", "version": None}, "copilot"),
    "copilot-vscode": ("copilot", ["vscode-prompt", "vscode-pre-replace", WRITE, "vscode-post-replace"], None, "copilot"),
    "copilot-cli-compat": ("copilot", ["cli-prompt", "compat-pre-apply-patch", WRITE, "compat-post-apply-patch"],
                           {"provider": None, "id": "gpt-5.1", "version": None}, "copilot"),
    "gemini": ("gemini", ["before-agent", "before-model", "before-tool-replace", WRITE, "after-tool-replace"],
               {"provider": "google", "id": "gemini-2.5-pro", "version": None}, "gemini"),
    "windsurf": ("windsurf", ["pre-user-prompt", "pre-write-code", WRITE, "post-write-code"],
                 {"provider": None, "id": "SWE-1.5", "version": None}, "windsurf"),
    "cline": ("cline", ["user-prompt-submit", "pre-tool-use-replace", WRITE, "post-tool-use-replace"],
              {"provider": "anthropic", "id": "claude-sonnet-4-5-20250929", "version": None}, "cline"),
    "opencode": ("opencode", ["chat-message", "tool-before-edit", WRITE, "tool-after-edit"],
                 {"provider": "anthropic", "id": "claude-sonnet-4-5", "version": None}, "opencode"),
    "cursor-tool": ("cursor", ["before-submit-prompt", "pre-tool-use-write", WRITE, "post-tool-use-write"],
                    {"provider": None, "id": "claude-4.5-sonnet", "version": None}, "cursor"),
    "cursor-agent": ("cursor", ["before-submit-prompt", WRITE, "after-file-edit"],
                     {"provider": None, "id": "claude-4.5-sonnet", "version": None}, "cursor"),
    "generic": ("generic", ["before-edit", WRITE, "after-edit"],
                {"provider": "acme", "id": "acme-coder-1", "version": None}, "acme-agent"),
}


def copilot_session_state(home: Path) -> None:
    """The Copilot CLI's own session log, where it names the model (cli-config-dir-reference: session-state/ID/events.jsonl)."""
    log = home / ".copilot" / "session-state" / "9b2e6c1a-cli" / "events.jsonl"
    log.parent.mkdir(parents=True)
    log.write_text("\n".join(json.dumps(e) for e in [
        {"type": "session.start", "data": {"sessionId": "9b2e6c1a-cli", "selectedModel": "claude-sonnet-4.5"}},
        {"type": "user.message", "data": {"content": PROMPT}},
        {"type": "session.model_change", "data": {"previousModel": "claude-sonnet-4.5", "newModel": "gpt-5.1"}},
    ]) + "\n")


def run_edit(cli, repo: Path, env: dict[str, str], case: str,  # type: ignore[no-untyped-def]
             *, extra: dict[str, Any] | None = None) -> None:
    agent, events, _, _ = EDITS[case]
    home = Path(env["HOME"])
    if agent == "copilot":
        copilot_session_state(home)
    (repo / "app.py").write_text(BEFORE)
    for event in events:
        if event == WRITE:
            (repo / "app.py").write_text(AFTER)
        else:
            send(cli, agent, fixture(agent, event, repo, **(extra or {})), repo)


@pytest.fixture
def home(env: dict[str, str], tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    env["HOME"] = str(path)
    return path


@pytest.mark.parametrize("retention", ["full", "redacted", "hash", "none"])
@pytest.mark.parametrize("case", EDITS)
def test_an_agent_edit_is_recorded_exactly_with_model_and_prompt(cli, repo: Path, env, home, case: str, retention: str) -> None:
    (repo / ".ailedger.toml").write_text(f'[prompts]\nretention = "{retention}"\n')
    run_edit(cli, repo, env, case)
    _, _, model, tool = EDITS[case]
    [payload] = acceptances(env)
    assert payload["text"] == ADDED == text_on_disk(repo, payload)
    assert payload["range"] == {"start": {"line": 3, "character": 0}, "end": {"line": 5, "character": 0}}
    assert (payload["path"], payload["kind"], payload["tool"]["name"]) == ("app.py", "agent-edit", tool)
    assert payload["model"] == model
    assert payload["prompt"] == {
        "full": PROMPT,
        "redacted": "add a bulk discount for [REDACTED:email]",
        "hash": "sha256:" + hashlib.sha256(PROMPT.encode()).hexdigest(),
        "none": None,
    }[retention]


@pytest.mark.parametrize("case", EDITS)
def test_a_newer_versions_extra_fields_are_ignored(cli, repo: Path, env, home, case: str) -> None:
    run_edit(cli, repo, env, case, extra={"schemaVersion": 7, "futureField": {"nested": [1, 2]}, "hook_trace_id": "t-1"})
    [payload] = acceptances(env)
    assert payload["text"] == ADDED == text_on_disk(repo, payload)


# agent, the after-event of a tool that created a file, with no before-event
CREATED_FILES = {
    "copilot-cli": ("copilot", "cli-post-create"), "copilot-vscode": ("copilot", "vscode-post-create"),
    "gemini": ("gemini", "after-tool-write"), "windsurf": ("windsurf", "post-write-code-new-file"),
    "cline": ("cline", "post-tool-use-write"), "opencode": ("opencode", "tool-after-write"),
    "generic": ("generic", "after-edit-new-file"),
}


@pytest.mark.parametrize("case", CREATED_FILES)
def test_a_created_file_records_all_of_it(cli, repo: Path, env, home, case: str) -> None:
    agent, event = CREATED_FILES[case]
    (repo / "rates.py").write_text(CREATED)
    send(cli, agent, fixture(agent, event, repo), repo)
    [payload] = acceptances(env)
    assert (payload["path"], payload["text"]) == ("rates.py", CREATED)
    assert payload["range"] == {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}


# agent, before-event, the failed call's after-event
FAILED = {
    "copilot-cli": ("copilot", "cli-pre-edit", "cli-post-failure"),
    "copilot-vscode": ("copilot", "vscode-pre-replace", "vscode-post-failure"),
    "gemini": ("gemini", "before-tool-replace", "after-tool-error"),
    "cline": ("cline", "pre-tool-use-replace", "post-tool-use-failed"),
    "opencode": ("opencode", "tool-before-edit", "tool-after-edit-error"),
}


@pytest.mark.parametrize("case", FAILED)
def test_a_failed_call_records_nothing(cli, repo: Path, env, home, case: str) -> None:
    agent, before, failed = FAILED[case]
    (repo / "app.py").write_text(BEFORE)
    send(cli, agent, fixture(agent, before, repo), repo)
    (repo / "app.py").write_text(AFTER)  # even if the file changed: the tool said its call failed
    send(cli, agent, fixture(agent, failed, repo), repo)
    assert acceptances(env) == []


def test_copilot_cli_edits_in_flight_at_once_never_mix(cli, repo: Path, env, home) -> None:
    """The CLI gives no id for a tool call: before and after pair by session, tool and path."""
    util = repo / "util.py"
    (repo / "app.py").write_text(BEFORE)
    util.write_text("def f():\n    pass\n")
    other = fixture("copilot", "cli-pre-edit", repo)
    args = json.loads(other["toolArgs"]) | {"path": str(util), "old_str": "    pass\n", "new_str": "    return 1\n"}
    other["toolArgs"] = json.dumps(args)
    send(cli, "copilot", fixture("copilot", "cli-pre-edit", repo), repo)
    send(cli, "copilot", other, repo)
    (repo / "app.py").write_text(AFTER)
    util.write_text("def f():\n    return 1\n")
    send(cli, "copilot", {**other, "toolResult": {"resultType": "success", "textResultForLlm": "ok"}}, repo)
    send(cli, "copilot", fixture("copilot", "cli-post-edit", repo), repo)
    got = {p["path"]: p["text"] for p in acceptances(env)}
    assert got == {"util.py": "    return 1\n", "app.py": ADDED}


def test_vscode_edits_of_one_session_pair_by_tool_use_id(cli, repo: Path, env, home) -> None:
    """Two edits in flight in one chat session, their after-events in the other order."""
    (repo / "app.py").write_text(BEFORE)
    (repo / "util.py").write_text("def f():\n    pass\n")
    second = {"filePath": str(repo / "util.py"), "oldString": "    pass\n", "newString": "    return 1\n"}
    pre_b = fixture("copilot", "vscode-pre-replace", repo, tool_input=second, tool_use_id="toolu_vrtx_09")
    post_b = fixture("copilot", "vscode-post-replace", repo, tool_input=second, tool_use_id="toolu_vrtx_09")
    send(cli, "copilot", fixture("copilot", "vscode-pre-replace", repo), repo)
    send(cli, "copilot", pre_b, repo)
    (repo / "app.py").write_text(AFTER)
    (repo / "util.py").write_text("def f():\n    return 1\n")
    send(cli, "copilot", post_b, repo)
    send(cli, "copilot", fixture("copilot", "vscode-post-replace", repo), repo)
    got = {p["path"]: (p["text"], p["itemId"]) for p in acceptances(env)}
    assert got == {"util.py": ("    return 1\n", "toolu_vrtx_09"), "app.py": (ADDED, "toolu_vrtx_01")}


def test_vscode_multi_replace_records_each_file(cli, repo: Path, env, home) -> None:
    (repo / "app.py").write_text(BEFORE)
    (repo / "util.py").write_text("def f():\n    pass\n")
    send(cli, "copilot", fixture("copilot", "vscode-pre-multi-replace", repo), repo)
    (repo / "app.py").write_text(AFTER)
    (repo / "util.py").write_text("def f():\n    return 1\n")
    send(cli, "copilot", fixture("copilot", "vscode-post-multi-replace", repo), repo)
    got = {p["path"]: p["text"] for p in acceptances(env)}
    assert got == {"util.py": "    return 1\n", "app.py": ADDED}
    assert all(text_on_disk(repo, p) == p["text"] for p in acceptances(env))


def test_opencode_interleaved_calls_pair_by_call_id(cli, repo: Path, env, home) -> None:
    (repo / "app.py").write_text(BEFORE)
    (repo / "util.py").write_text("def f():\n    pass\n")
    args = {"filePath": str(repo / "util.py"), "oldString": "    pass\n", "newString": "    return 1\n"}
    call = {"tool": "edit", "sessionID": "ses_4b1f", "callID": "toolu_oc_07"}
    send(cli, "opencode", fixture("opencode", "tool-before-edit", repo), repo)
    send(cli, "opencode", fixture("opencode", "tool-before-edit", repo, input=call, output={"args": args}), repo)
    (repo / "app.py").write_text(AFTER)
    (repo / "util.py").write_text("def f():\n    return 1\n")
    send(cli, "opencode", fixture("opencode", "tool-after-edit", repo, input={**call, "args": args}), repo)
    send(cli, "opencode", fixture("opencode", "tool-after-edit", repo), repo)
    got = {p["path"]: p["text"] for p in acceptances(env)}
    assert got == {"util.py": "    return 1\n", "app.py": ADDED}


def test_cursor_tab_edit_is_recorded_as_inline(cli, repo: Path, env, home) -> None:
    after = BEFORE.replace("return price * qty", "return round(price * qty, 2)")
    (repo / "app.py").write_text(after)  # Cursor's Tab hook runs after the edit
    send(cli, "cursor", fixture("cursor", "after-tab-file-edit", repo), repo)
    [payload] = acceptances(env)
    assert payload["kind"] == "inline"
    assert payload["text"] == "    return round(price * qty, 2)\n" == text_on_disk(repo, payload)
    assert payload["range"]["start"]["line"] == 3
    assert payload["tool"] == {"name": "cursor", "version": "2.1.20"}


def test_cursor_edit_seen_by_both_its_hooks_is_recorded_once(cli, repo: Path, env, home) -> None:
    (repo / "app.py").write_text(BEFORE)
    send(cli, "cursor", fixture("cursor", "pre-tool-use-write", repo), repo)
    (repo / "app.py").write_text(AFTER)
    send(cli, "cursor", fixture("cursor", "after-file-edit", repo), repo)
    send(cli, "cursor", fixture("cursor", "post-tool-use-write", repo), repo)
    [payload] = acceptances(env)
    assert payload["text"] == ADDED


AGENTS = ["copilot", "gemini", "windsurf", "cline", "opencode", "cursor", "generic", "claude-code", "codex"]


@pytest.mark.parametrize("agent", AGENTS)
def test_garbage_never_fails_the_agent(cli, repo: Path, env, home, agent: str) -> None:
    for garbage in ("{not json", "[1, 2]", ""):
        result = cli("record", "--from", agent, input=garbage, cwd=repo)
        assert result.code == 0
        assert "not recorded" in result.err
        if agent == "cline":
            assert json.loads(result.out) == {"cancel": False}
    assert acceptances(env) == []


# an after-event whose file is gone
GONE = {"copilot": "cli-post-edit", "gemini": "after-tool-replace", "windsurf": "post-write-code", "cline": "post-tool-use-replace",
        "opencode": "tool-after-edit", "cursor": "after-file-edit", "generic": "after-edit"}


@pytest.mark.parametrize("agent", GONE)
def test_a_missing_file_never_fails_the_agent(cli, repo: Path, env, home, agent: str) -> None:
    (repo / "app.py").unlink()
    result = send(cli, agent, fixture(agent, GONE[agent], repo), repo)
    if agent == "cline":
        assert json.loads(result.out) == {"cancel": False}
    assert acceptances(env) == []


def test_a_bad_generic_event_is_named_in_one_line(cli, repo: Path, env, home) -> None:
    result = send(cli, "generic", {"event": "after-edit", "editId": "e1", "files": [], "tool": {"name": "x"}}, repo)
    assert "files" in result.err and result.err.count("\n") == 1
    assert acceptances(env) == []


def _proto_names(value: Any) -> Any:
    """Cline's HookInput with protobuf's own field names (tool_name, task_id, ...)."""
    import re

    if isinstance(value, dict):
        return {re.sub(r"(?<=[a-z])([A-Z])", lambda m: "_" + m.group(1).lower(), k) if k != "parameters" else k: _proto_names(v)
                for k, v in value.items()}
    return value


def test_cline_payload_in_proto_field_names_is_read_too(cli, repo: Path, env, home) -> None:
    (repo / "app.py").write_text(BEFORE)
    send(cli, "cline", _proto_names(fixture("cline", "pre-tool-use-replace", repo)), repo)
    (repo / "app.py").write_text(AFTER)
    result = send(cli, "cline", _proto_names(fixture("cline", "post-tool-use-replace", repo)), repo)
    assert json.loads(result.out) == {"cancel": False}
    [payload] = acceptances(env)
    assert payload["text"] == ADDED and payload["sessionId"] == "1764614399123"


def test_vscode_insert_edit_is_recorded_from_its_snapshot(cli, repo: Path, env, home) -> None:
    """insert_edit_into_file names no old and new strings: only the before-snapshot tells what changed."""
    (repo / "app.py").write_text(BEFORE)
    send(cli, "copilot", fixture("copilot", "vscode-pre-insert-edit", repo), repo)
    (repo / "app.py").write_text(AFTER)
    send(cli, "copilot", fixture("copilot", "vscode-post-insert-edit", repo), repo)
    [payload] = acceptances(env)
    assert payload["text"] == ADDED == text_on_disk(repo, payload) and payload["itemId"] == "toolu_vrtx_05"


def test_cursor_tab_edit_is_undone_where_its_range_says(cli, repo: Path, env, home) -> None:
    """Tab's new text also appears earlier in the file: the range, not the first match, says which line changed."""
    (repo / "app.py").write_text("total = price\nvalue = price\n")
    edit = {"old_string": "pric", "new_string": "price", "old_line": "value = pric", "new_line": "value = price",
            "range": {"start_line_number": 2, "start_column": 9, "end_line_number": 2, "end_column": 13}}
    send(cli, "cursor", fixture("cursor", "after-tab-file-edit", repo, edits=[edit]), repo)
    [payload] = acceptances(env)
    assert payload["text"] == "value = price\n" and payload["range"]["start"]["line"] == 1
