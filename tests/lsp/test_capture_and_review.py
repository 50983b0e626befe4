"""Capture, diagnostics, review and hover, through the real server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pytest_lsp import LanguageClient

from ailedger.ledger.store import Ledger
from helpers_lsp import as_dict, diagnostics_until, edit, ours, open_doc, record, regions

AI = "    discount = 0.1 if qty >= 10 else 0.0\n    return price * qty * (1 - discount)\n"


def write_app(repo: Path) -> Path:
    path = repo / "app.py"
    path.write_text("import os\n\ndef total(price, qty):\n" + AI + "\nprint(total(2, 3))\n")
    return path


def events(env: dict[str, str], type_: str) -> list[dict]:
    with Ledger(env["AILEDGER_DB"]) as ledger:
        return [e.content["payload"] for e in ledger.events() if e.type == type_]


async def test_acceptance_becomes_an_unreviewed_diagnostic(client: LanguageClient, repo: Path, env) -> None:
    uri = open_doc(client, write_app(repo))
    result = as_dict(await record(client, uri, (3, 0), (5, 0), AI, version=1))
    found = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))
    assert len(found) == 1
    d = found[0]
    assert (d.code, d.source, d.severity) == ("ai-unreviewed", "ailedger", types.DiagnosticSeverity.Information)
    assert d.data == {"regionId": result["regionId"]}
    assert (d.range.start.line, d.range.end.line) == (3, 5)
    assert "copilot 1.250.0" in d.message and "openai/gpt-4.1@2025-04-14" in d.message
    assert "accepted by dev@example.com just now" in d.message
    stored = events(env, "acceptance")
    assert [p["regionId"] for p in stored] == [result["regionId"]]
    assert stored[0]["text"] == AI and stored[0]["path"] == "app.py"


async def test_acceptance_before_its_edit_is_held_until_the_edit_arrives(client: LanguageClient, repo: Path) -> None:
    path = repo / "app.py"
    uri = open_doc(client, path)  # the AI text is not in the document yet
    pending = asyncio.ensure_future(record(client, uri, (4, 0), (6, 0), AI, version=2))
    await asyncio.sleep(0)  # let the request go out first, as a debouncing client would
    edit(client, uri, 2, (4, 0), (4, 0), AI)
    result = as_dict(await pending)
    assert result["regionId"]
    got = as_dict(await regions(client, uri))
    assert got[0]["range"] == {"start": {"line": 4, "character": 0}, "end": {"line": 6, "character": 0}}


async def test_acceptance_naming_a_version_that_never_comes_fails_and_stores_nothing(client, repo: Path, env) -> None:
    uri = open_doc(client, write_app(repo))
    started = time.monotonic()
    with pytest.raises(JsonRpcException) as caught:
        await record(client, uri, (3, 0), (5, 0), AI, version=7)
    assert caught.value.code == -32803  # RequestFailed
    assert "never sent version 7 within 2 s" in caught.value.message
    assert 1.5 < time.monotonic() - started < 8
    assert events(env, "acceptance") == []


async def test_acceptance_whose_text_is_not_there_fails_at_once(client, repo: Path, env) -> None:
    uri = open_doc(client, write_app(repo))
    started = time.monotonic()
    with pytest.raises(JsonRpcException) as caught:
        await record(client, uri, (0, 0), (2, 0), AI, version=1)
    assert caught.value.code == -32803
    assert "text: not at range 0:0-2:0 in document version 1" in caught.value.message
    assert time.monotonic() - started < 1.5
    assert events(env, "acceptance") == []


@pytest.mark.parametrize("mutate, field", [
    (lambda p: p.pop("text"), "text"),
    (lambda p: p.update(kind="autocomplete"), "kind"),
    (lambda p: p["range"]["start"].update(line="3"), "range.start.line"),
    (lambda p: p.update(model="gpt-4.1"), "model"),  # an object or null (or left out), not a bare name
])
async def test_schema_errors_are_invalid_params_naming_the_field(client, repo: Path, mutate, field: str) -> None:
    uri = open_doc(client, write_app(repo))
    params = {"textDocument": {"uri": uri}, "range": {"start": {"line": 3, "character": 0}, "end": {"line": 5, "character": 0}},
              "text": AI, "kind": "inline", "tool": {"name": "t"}, "model": None, "prompt": None, "parameters": None}
    mutate(params)
    with pytest.raises(JsonRpcInvalidParams) as caught:
        await client.protocol.send_request_async("ailedger/recordAcceptance", params)
    assert f"invalid params: {field}: " in caught.value.message


async def test_review_code_action_clears_the_diagnostic_and_records_the_text(client, repo: Path, env) -> None:
    uri = open_doc(client, write_app(repo))
    region_id = as_dict(await record(client, uri, (3, 0), (5, 0), AI, version=1))["regionId"]
    diagnostic = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))[0]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic])))
    quickfix = next(a for a in actions if a.title == "Mark AI-generated code as reviewed")
    assert quickfix.kind == types.CodeActionKind.QuickFix
    assert quickfix.command.command == "ailedger.markReviewed"
    assert list(quickfix.command.arguments) == [{"regionIds": [region_id], "verdict": "approved"}]
    assert any(a.title == "Mark all AI-generated code in this file as reviewed" for a in actions)
    await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=quickfix.command.command, arguments=quickfix.command.arguments))
    await diagnostics_until(client, uri, lambda d: not ours(d))
    review = events(env, "review")[0]
    assert review["regionIds"] == [region_id] and review["verdict"] == "approved"
    from ailedger.ledger.canonical import sha256_text
    assert review["textSha256"] == {region_id: sha256_text(AI)}

    # Changing the reviewed text brings the region back, as changed after review.
    edit(client, uri, 2, (4, 4), (4, 10), "result")
    back = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))
    assert back[0].code == "ai-changed-after-review"


async def test_hover_shows_provenance(client, repo: Path) -> None:
    uri = open_doc(client, write_app(repo))
    await record(client, uri, (3, 0), (5, 0), AI, version=1)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri), position=types.Position(4, 8)))
    text = hover.contents.value
    assert "openai/gpt-4.1@2025-04-14" in text and "copilot 1.250.0" in text
    assert "accepted by dev@example.com" in text and "no review yet" in text
    none = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri), position=types.Position(0, 1)))
    assert none is None


async def test_edits_move_split_and_end_regions(client, repo: Path, env) -> None:
    uri = open_doc(client, write_app(repo))
    region_id = as_dict(await record(client, uri, (3, 0), (5, 0), AI, version=1))["regionId"]
    edit(client, uri, 2, (0, 0), (0, 0), "# header\n")  # before: shifts down one line
    moved = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d)) and ours(d)[0].range.start.line == 4))
    assert moved[0].range.end.line == 6
    edit(client, uri, 3, (4, 4), (4, 4), "# human note\n    ")  # inside: kept, AI text split
    got = as_dict(await regions(client, uri))[0]
    assert got["range"]["start"]["line"] == 4 and got["range"]["end"]["line"] == 7
    assert len(got["aiRanges"]) == 2 and got["aiFraction"] < 1
    edit(client, uri, 4, (4, 0), (7, 0), "")  # delete all of it: the region ends
    await diagnostics_until(client, uri, lambda d: not ours(d))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not events(env, "region-ended"):
        await asyncio.sleep(0.05)  # polling the ledger file, which another process writes
    assert events(env, "region-ended") == [{"regionId": region_id, "reason": "deleted"}]


async def test_utf16_positions_with_emoji(client, repo: Path) -> None:
    path = repo / "emoji.py"
    path.write_text('face = "😀"; name = "名前"\n')
    uri = open_doc(client, path)
    text = 'name = "名前"'
    result = await record(client, uri, (0, 13), (0, 24), text, version=1)
    assert as_dict(result)["regionId"]
    found = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))
    assert (found[0].range.start.character, found[0].range.end.character) == (13, 24)


async def test_other_writers_appear_within_a_second(client, repo: Path, env) -> None:
    path = write_app(repo)
    uri = open_doc(client, path)
    await diagnostics_until(client, uri, lambda d: True)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "ailedger", "record", "--file", str(path), "--lines", "4-5",
                    "--tool", "claude-code"], check=True, env=env, capture_output=True)
    recorded = time.monotonic()
    found = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d)), deadline=5))
    assert time.monotonic() - recorded < 1.0, "diagnostic took more than 1 s after the record returned"
    assert found[0].range.start.line == 3 and "claude-code" in found[0].message
    del started


async def test_workspace_diagnostics_list_unopened_files(client, repo: Path, env) -> None:
    path = write_app(repo)
    subprocess.run([sys.executable, "-m", "ailedger", "record", "--file", str(path), "--lines", "4-5",
                    "--tool", "claude-code"], check=True, env=env, capture_output=True)
    report = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    items = {i.uri: i.items for i in report.items}
    assert [d.code for d in items[path.as_uri()]] == ["ai-unreviewed"]


async def test_severity_from_options_and_configuration(env, repo: Path) -> None:
    from helpers_lsp import start

    client = await start(env, repo, {"severity": "warning"})
    try:
        uri = open_doc(client, write_app(repo))
        await record(client, uri, (3, 0), (5, 0), AI, version=1)
        found = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))
        assert found[0].severity == types.DiagnosticSeverity.Warning
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"ailedger": {"severity": "hint"}}))
        await diagnostics_until(client, uri, lambda d: bool(ours(d)) and ours(d)[0].severity == types.DiagnosticSeverity.Hint)
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_regions_survive_a_restart_and_follow_changes_on_disk(env, repo: Path) -> None:
    from helpers_lsp import start

    path = write_app(repo)
    client = await start(env, repo)
    uri = open_doc(client, path)
    region_id = as_dict(await record(client, uri, (3, 0), (5, 0), AI, version=1))["regionId"]
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    await client.shutdown_session()
    await client.stop()

    # While no editor is open, someone adds lines above the region (a git pull, say).
    path.write_text("'''module docs'''\n\n\n" + path.read_text())
    client = await start(env, repo)
    try:
        open_doc(client, path)
        found = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))
        assert found[0].data == {"regionId": region_id}
        assert (found[0].range.start.line, found[0].range.end.line) == (6, 8)
    finally:
        await client.shutdown_session()
        await client.stop()
