"""A hook never blocks or fails the agent, and loses nothing: run as real
`ailedger record --from claude-code` processes (the payload shapes of
Claude Code's hooks reference, https://docs.claude.com/en/docs/claude-code/hooks:
PreToolUse / PostToolUse with `tool_use_id`), while another process holds
the ledger's write lock, with garbage on stdin, a vanished file, and a state
folder that cannot be written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ailedger.ledger.store import Ledger
from helpers_lsp import as_dict, diagnostics_until, open_doc, ours, regions, start

BEFORE = "import os\n\ndef total(price, qty):\n    return price * qty\n"
ADDED = "    if qty >= 10:\n        price *= 0.9\n"
AFTER = BEFORE.replace("    return", ADDED + "    return")
DEADLINE = 30  # seconds: "did not hang", not a timing assertion
HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


def hook(env: dict[str, str], payload: str, tool: str = "claude-code") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ailedger", "record", "--from", tool], input=payload,
                          capture_output=True, text=True, env=env, timeout=DEADLINE)


def edit_payload(event: str, repo: Path, path: Path, key: str) -> str:
    return json.dumps({
        "session_id": "sess-1", "cwd": str(repo), "hook_event_name": event, "tool_name": "Edit",
        "tool_use_id": key, "tool_input": {"file_path": str(path), "old_string": "    return price * qty\n",
                                           "new_string": ADDED + "    return price * qty\n"},
        **({"tool_response": {"success": True}} if event == "PostToolUse" else {}),
    })


def hook_log(env: dict[str, str]) -> str:
    log = Path(env["XDG_STATE_HOME"]) / "ailedger" / "hooks" / "hooks.log"
    return log.read_text() if log.exists() else ""


def spooled(env: dict[str, str]) -> list[Path]:
    return sorted(Path(env["AILEDGER_DB"] + ".spool").glob("*.json"))


def acceptances(env: dict[str, str]) -> list[dict[str, Any]]:
    with Ledger(env["AILEDGER_DB"], drain=False) as ledger:
        return [e.content["payload"] for e in ledger.events() if e.type == "acceptance"]


@contextmanager
def write_lock_held(env: dict[str, str]) -> Iterator[None]:
    """Another process holds the ledger's write lock (an open BEGIN IMMEDIATE) until the block ends."""
    Ledger(env["AILEDGER_DB"]).close()  # the ledger exists, as it would after any capture
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, env["AILEDGER_DB"]],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=DEADLINE)


def default_budget(env: dict[str, str]) -> dict[str, str]:
    """The environment with the hook's own budget (tests/conftest.py gives hooks a generous one)."""
    return {k: v for k, v in env.items() if k != "AILEDGER_HOOK_BUDGET"}


def agent_edits(env: dict[str, str], repo: Path, name: str, key: str, *, budget: bool = False) -> Path:
    """One edit: PreToolUse, the agent writes, PostToolUse (with the hook's own budget if `budget`)."""
    path = repo / name
    path.write_text(BEFORE)
    pre = hook(env, edit_payload("PreToolUse", repo, path, key))
    assert pre.returncode == 0, pre.stderr
    path.write_text(AFTER)
    post = hook(default_budget(env) if budget else env, edit_payload("PostToolUse", repo, path, key))
    assert post.returncode == 0, post.stderr
    return path


def spooled_soon(env: dict[str, str], count: int) -> list[Path]:
    """The spool once it holds `count` entries: on a loaded machine the hook may
    have let the agent go on and be spooling in the background."""
    return until(lambda: len(spooled(env)) == count and spooled(env))


@pytest.mark.slow
def test_an_edit_made_while_the_ledger_is_locked_waits_in_the_spool_and_is_appended_once(
        cli, repo: Path, env: dict[str, str]) -> None:
    with write_lock_held(env):
        agent_edits(env, repo, "app.py", "toolu_01", budget=True)
        [entry] = spooled_soon(env, 1)  # the hook gave up on the lock and left the edit here
        until(lambda: "the ledger is busy" in hook_log(env) and str(entry) in hook_log(env))
        assert acceptances(env) == []

    assert cli("log").code == 0  # the next ailedger process appends it
    assert spooled(env) == []
    [payload] = acceptances(env)
    assert payload["path"] == "app.py" and payload["text"] == ADDED
    assert payload["range"] == {"start": {"line": 3, "character": 0}, "end": {"line": 5, "character": 0}}
    assert (payload["sessionId"], payload["itemId"]) == ("sess-1", "toolu_01")

    assert cli("log").code == 0 and cli("verify").code == 0  # drained again: nothing doubles
    assert len(acceptances(env)) == 1
    blame = cli("blame", str(repo / "app.py"), cwd=repo)
    assert blame.code == 0 and "claude-code" in blame.out, blame.err


@pytest.mark.slow
async def test_a_fresh_language_server_appends_what_waits_in_the_spool(repo: Path, env: dict[str, str]) -> None:
    with write_lock_held(env):
        path = agent_edits(env, repo, "app.py", "toolu_02", budget=True)
        spooled_soon(env, 1)
    client = await start(env, repo)
    try:
        uri = open_doc(client, path)
        [region] = await regions(client, uri)
        diagnostics = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))
    finally:
        await client.shutdown_session()
        await client.stop()
    assert as_dict(region)["range"] == {"start": {"line": 3, "character": 0}, "end": {"line": 5, "character": 0}}
    assert [d.code for d in diagnostics] == ["ai-unreviewed"]
    assert spooled(env) == [] and [p["text"] for p in acceptances(env)] == [ADDED]


@pytest.mark.slow
def test_processes_draining_at_once_append_each_spooled_edit_once(cli, repo: Path, env: dict[str, str]) -> None:
    with write_lock_held(env):
        for n in range(3):
            agent_edits(env, repo, f"m{n}.py", f"toolu_1{n}", budget=True)
        spooled_soon(env, 3)
    drainers = [subprocess.Popen([sys.executable, "-m", "ailedger", "log"], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for p in drainers:
        assert p.wait(timeout=DEADLINE) == 0, p.stderr.read() if p.stderr else ""
    assert spooled(env) == []
    assert sorted(p["path"] for p in acceptances(env)) == ["m0.py", "m1.py", "m2.py"]
    assert cli("verify").code == 0


def test_a_drain_cut_short_after_its_commit_does_not_append_twice(repo: Path, env: dict[str, str]) -> None:
    with write_lock_held(env):
        agent_edits(env, repo, "app.py", "toolu_03", budget=True)
        [entry] = spooled_soon(env, 1)
    kept = entry.read_bytes()
    with Ledger(env["AILEDGER_DB"]):  # drains
        pass
    entry.write_bytes(kept)  # as if the process died after COMMIT, before removing the file
    with Ledger(env["AILEDGER_DB"]) as ledger:
        assert ledger.verify().ok
    assert spooled(env) == [] and len(acceptances(env)) == 1


def test_a_spool_entry_that_no_longer_validates_is_set_aside_not_dropped(env: dict[str, str]) -> None:
    Ledger(env["AILEDGER_DB"]).close()
    folder = Path(env["AILEDGER_DB"] + ".spool")
    folder.mkdir()
    (folder / "01JD000000000000000000BAD0.json").write_text(json.dumps(
        {"id": "01JD000000000000000000BAD0", "actor": "dev@example.com", "snapshots": [],
         "events": [{"type": "acceptance", "payload": {"regionId": "r"}}]}))
    with Ledger(env["AILEDGER_DB"]) as ledger:
        assert ledger.count() == 0
    assert spooled(env) == [] and [p.name for p in folder.iterdir()] == ["01JD000000000000000000BAD0.json.rejected"]


def test_a_spool_file_that_is_not_json_is_set_aside_and_the_ledger_still_opens(env: dict[str, str]) -> None:
    Ledger(env["AILEDGER_DB"]).close()
    folder = Path(env["AILEDGER_DB"] + ".spool")
    folder.mkdir()
    (folder / "01JD000000000000000000BAD1.json").write_text("{truncated")
    with Ledger(env["AILEDGER_DB"]) as ledger:
        assert ledger.verify().ok
    assert [p.name for p in folder.iterdir()] == ["01JD000000000000000000BAD1.json.rejected"]


def test_a_before_edit_hook_never_opens_the_ledger(repo: Path, env: dict[str, str]) -> None:
    path = repo / "app.py"
    done = hook(env, edit_payload("PreToolUse", repo, path, "toolu_04"))
    assert done.returncode == 0 and done.stderr == ""
    assert not Path(env["AILEDGER_DB"]).exists()


@pytest.mark.parametrize("garbage", ["{not json", "[1, 2]", ""])
def test_a_garbage_payload_exits_0_and_says_why(env: dict[str, str], garbage: str) -> None:
    done = hook(env, garbage)
    assert done.returncode == 0
    assert "not recorded: the hook payload on stdin is not" in hook_log(env)
    assert "not recorded" in done.stderr


def test_a_file_gone_before_the_after_hook_exits_0_and_says_why(repo: Path, env: dict[str, str]) -> None:
    path = repo / "app.py"
    assert hook(env, edit_payload("PreToolUse", repo, path, "toolu_05")).returncode == 0
    path.unlink()
    done = hook(env, edit_payload("PostToolUse", repo, path, "toolu_05"))
    assert done.returncode == 0
    assert f"{path} is gone" in hook_log(env)
    assert not Path(env["AILEDGER_DB"]).exists() or acceptances(env) == []


def test_an_unwritable_state_folder_exits_0_and_says_why_on_stderr(repo: Path, env: dict[str, str],
                                                                   tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # tests run as root, so a file stands where a folder must be
    env = {**env, "XDG_STATE_HOME": str(blocked)}
    done = hook(env, edit_payload("PreToolUse", repo, repo / "app.py", "toolu_06"))
    assert done.returncode == 0
    assert "not recorded" in done.stderr and str(blocked) in done.stderr


def test_an_edit_with_the_ledger_free_is_appended_at_once_and_leaves_no_spool(repo: Path, env: dict[str, str]) -> None:
    agent_edits(env, repo, "app.py", "toolu_07")
    assert not Path(env["AILEDGER_DB"] + ".spool").exists() or spooled(env) == []
    assert [p["text"] for p in acceptances(env)] == [ADDED]
    assert "recorded 1 AI-written region(s)" in hook_log(env)


def test_the_ledger_file_gone_is_made_again(repo: Path, env: dict[str, str]) -> None:
    agent_edits(env, repo, "app.py", "toolu_08")
    for suffix in ("", "-wal", "-shm"):
        Path(env["AILEDGER_DB"] + suffix).unlink(missing_ok=True)
    shutil.rmtree(Path(env["AILEDGER_DB"] + ".spool"), ignore_errors=True)
    agent_edits(env, repo, "app.py", "toolu_09")
    assert [p["itemId"] for p in acceptances(env)] == ["toolu_09"]


@pytest.mark.slow
def test_a_hook_past_its_budget_lets_the_agent_go_on_and_records_the_edit_as_it_saw_it(repo: Path, env: dict[str, str]) -> None:
    path = repo / "app.py"
    path.write_text(BEFORE)
    assert hook(env, edit_payload("PreToolUse", repo, path, "toolu_10")).returncode == 0
    path.write_text(AFTER)
    # A budget shorter than checking and storing an edit takes anywhere (loading the schema, the secret scanner).
    done = hook({**env, "AILEDGER_HOOK_BUDGET": "0.05"}, edit_payload("PostToolUse", repo, path, "toolu_10"))
    assert done.returncode == 0 and done.stderr == ""
    path.write_text("# the agent's next edit, made while the hook finishes\n" + AFTER)
    until(lambda: "finishing in the background" in hook_log(env))
    [payload] = until(lambda: "recorded 1 AI-written" in hook_log(env) and acceptances(env))
    assert payload["text"] == ADDED and payload["itemId"] == "toolu_10"


@pytest.mark.slow
def test_a_hook_that_cannot_read_its_files_gives_up_rather_than_hold_the_agent(repo: Path, env: dict[str, str]) -> None:
    # The transcript is a named pipe nobody writes: reading it blocks, as a hung network file system would.
    transcript = repo.parent / "transcript.jsonl"
    os.mkfifo(transcript)
    path = repo / "app.py"
    path.write_text(BEFORE)
    assert hook(env, edit_payload("PreToolUse", repo, path, "toolu_11")).returncode == 0
    path.write_text(AFTER)
    post = json.loads(edit_payload("PostToolUse", repo, path, "toolu_11"))
    done = hook(default_budget(env), json.dumps({**post, "transcript_path": str(transcript)}))
    assert done.returncode == 0
    assert "still reading the files after 5 s; gave up" in hook_log(env) and "gave up" in done.stderr
    assert _open_for_writing(transcript) is None  # and nothing is left behind, still reading it


def _open_for_writing(fifo: Path) -> int | None:
    try:
        return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # ENXIO: nobody has it open for reading (yet)
        return None


def until(condition: Any, deadline: float = DEADLINE) -> Any:
    """Poll `condition` until it holds, or fail at the deadline."""
    end = time.monotonic() + deadline
    while not (value := condition()):
        assert time.monotonic() < end, "condition not met before the deadline"
        time.sleep(0.05)
    return value
