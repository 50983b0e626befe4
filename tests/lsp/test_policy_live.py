"""The repository policy in the editor: tier severity, multi-review, the
review board, self-review, missing provenance, live reload, and a broken
policy that leaves the last good one in force."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from ailedger.ledger.store import Ledger
from helpers import acceptance_params
from helpers_lsp import DEADLINE, as_dict, diagnostics_until, edit, open_doc, ours, record, start

POLICY = """\
version = "{version}"
[roles]
security = ["carol@example.com", "dan@example.com"]
[[tier]]
name = "high"
paths = ["payments/**"]
reviews = 2
roles = ["security"]
self-review = false
severity = "{severity}"
require-provenance = ["model.version"]
"""
CODE = "def charge(amount):\n    return amount * 100\n"
AI = "    return amount * 100\n"


def write_policy(repo: Path, severity: str = "error", version: str = "p1") -> None:
    (repo / ".ailedger.toml").write_text(POLICY.format(severity=severity, version=version))


def ailedger(env: dict[str, str], user: str, *args: str, input: str | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "ailedger", *args], input=input, capture_output=True, text=True,
                          env=dict(env, AILEDGER_USER=user), cwd=cwd, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def charge_file(repo: Path) -> Path:
    path = repo / "payments" / "charge.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(CODE)
    return path


async def review(client, region_id: str) -> None:  # type: ignore[no-untyped-def]
    await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="ailedger.markReviewed", arguments=[{"regionIds": [region_id], "verdict": "approved"}]))


async def wait_for_message(client, condition) -> types.ShowMessageParams:  # type: ignore[no-untyped-def]
    async def wait() -> types.ShowMessageParams:
        while True:
            for message in client.messages:
                if condition(message.message):
                    return message
            await client.wait_for_notification(types.WINDOW_SHOW_MESSAGE)
    return await asyncio.wait_for(wait(), DEADLINE)


async def test_two_reviews_by_the_board_with_tier_severity(repo: Path, env: dict[str, str]) -> None:
    write_policy(repo)
    path = charge_file(repo)
    region = ailedger(env, "alice@example.com", "record", input=json.dumps(acceptance_params(path, 1, AI)))
    client = await start(dict(env, AILEDGER_USER="carol@example.com"), repo)
    try:
        uri = open_doc(client, path)
        [d] = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))
        assert (d.code, d.severity) == ("ai-unreviewed", types.DiagnosticSeverity.Error)
        assert "needs 2 reviews by security (tier high), has 0" in d.message

        await review(client, region)  # carol: one of two
        [d] = ours(await diagnostics_until(client, uri, lambda d: any(x.code == "ai-under-reviewed" for x in ours(d))))
        assert "has 1: carol@example.com" in d.message and d.severity == types.DiagnosticSeverity.Error

        ailedger(env, "mallory@example.com", "review", region, "--verdict", "approved", cwd=repo)  # not on the board
        ailedger(env, "dan@example.com", "review", region, "--verdict", "approved", cwd=repo)  # another writer
        await diagnostics_until(client, uri, lambda d: not ours(d))
        with Ledger(env["AILEDGER_DB"]) as ledger:
            reviews = [e.content["payload"] for e in ledger.events() if e.type == "review"]
        assert [r["reviewer"] for r in reviews] == ["carol@example.com", "mallory@example.com", "dan@example.com"]
        assert reviews[0]["policy"] == {"version": "p1", "sha256": reviews[0]["policy"]["sha256"], "retention": "redacted"}
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_the_author_cannot_approve_and_missing_provenance_shows(repo: Path, env: dict[str, str]) -> None:
    write_policy(repo)
    path = charge_file(repo)
    client = await start(env, repo)  # dev@example.com accepts and then tries to approve
    try:
        uri = open_doc(client, path)
        result = as_dict(await record(client, uri, (1, 0), (2, 0), AI,
                                      model={"provider": "openai", "id": "gpt-4.1", "version": None}))
        found = ours(await diagnostics_until(client, uri, lambda d: len(ours(d)) == 2))
        assert sorted(d.code for d in found) == ["ai-missing-provenance", "ai-unreviewed"]
        missing = next(d for d in found if d.code == "ai-missing-provenance")
        assert "did not report model.version (required in tier high)" in missing.message
        assert missing.data == {"regionId": result["regionId"]}

        with pytest.raises(JsonRpcException) as refused:
            await review(client, result["regionId"])
        assert "tier high, where whoever accepted AI code cannot approve it" in str(refused.value)
        assert "ask security" in str(refused.value)
        with Ledger(env["AILEDGER_DB"]) as ledger:
            assert [e.type for e in ledger.events()] == ["acceptance"]
            assert ledger.region(result["regionId"])["policy_version"] == "p1"

        hover = await client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(1, 6)))
        text = hover.contents.value
        assert "tool (integrator): copilot 1.250.0, under policy p1" in text
        assert "tier high (policy p1): needs 2 reviews by security, not by whoever accepted it" in text
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_policy_reloads_live_and_a_broken_one_keeps_the_last_good(repo: Path, env: dict[str, str]) -> None:
    write_policy(repo, severity="error")
    path = charge_file(repo)
    ailedger(env, "alice@example.com", "record", input=json.dumps(acceptance_params(path, 1, AI)))
    client = await start(dict(env, AILEDGER_USER="carol@example.com"), repo)
    try:
        uri = open_doc(client, path)
        [d] = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))
        assert d.severity == types.DiagnosticSeverity.Error

        write_policy(repo, severity="hint", version="p2")
        await diagnostics_until(client, uri, lambda d: [x.severity for x in ours(d)] == [types.DiagnosticSeverity.Hint])

        (repo / ".ailedger.toml").write_text(POLICY.format(severity="loud", version="p3"))
        message = await wait_for_message(client, lambda m: ".ailedger.toml:" in m)
        assert message.type == types.MessageType.Error
        assert message.message == (
            f'ailedger: {repo}/.ailedger.toml:10: tier[0].severity: must be one of "error", "warning", '
            '"information" or "hint" (keeping the last good policy: version p2)')
        edit(client, uri, 2, (0, 0), (0, 0), "# charged in cents\n")  # the server republishes: still p2's severity
        [d] = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d)) and ours(d)[0].range.start.line == 2))
        assert d.severity == types.DiagnosticSeverity.Hint
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_a_hover_between_an_edit_and_its_publish_does_not_hide_the_change(repo: Path, env: dict[str, str]) -> None:
    """The policy's findings are cached per region; a hover that reads the new
    text first must not leave the debounced publish with the old answer."""
    path = repo / "app.py"
    path.write_text("import os\n" + AI)
    client = await start(env, repo, options={"diagnosticsDebounceMs": 100})
    try:
        uri = open_doc(client, path)
        region = as_dict(await record(client, uri, (1, 0), (2, 0), AI))["regionId"]
        await diagnostics_until(client, uri, lambda d: bool(ours(d)))
        await review(client, region)
        await diagnostics_until(client, uri, lambda d: not ours(d))
        edit(client, uri, 2, (1, 11), (1, 17), "cents")  # `amount` -> `cents`, inside the reviewed text
        hover = await client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(1, 6)))
        assert "changed after review" in hover.contents.value
        [d] = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))
        assert d.code == "ai-changed-after-review"
    finally:
        await client.shutdown_session()
        await client.stop()
