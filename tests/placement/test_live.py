"""The same scenarios with an editor open: `m.py` is open in a running
server while the code moves, and the editor says what it would (a
didChange with the reloaded text of an open file, workspace/didRenameFiles
and a close and open for a rename, workspace/didChangeWatchedFiles for
other files). The regions it then shows are the offline ones: the ground
truth the offline test checks `blame`, `check` and a fresh server against."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from helpers import git
from helpers_lsp import open_doc, regions, start
from placement.scenarios import SCENARIOS, agreement, begin
from placement.test_scenarios import NEEDED


def files(root: Path) -> dict[str, str]:
    listed = git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    return {p: (root / p).read_text() for p in dict.fromkeys(listed) if p and (root / p).is_file()}


def lines_of(ranges: list[dict]) -> set[int]:
    out: set[int] = set()
    for r in ranges:
        last = r["end"]["line"] - (1 if r["end"]["character"] == 0 else 0)
        out.update(range(r["start"]["line"] + 1, last + 2))
    return out


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_live_edits_end_where_the_offline_path_does(name: str, cli, repo: Path, env: dict[str, str]) -> None:
    begin(repo, cli)
    client = await start(env, repo)
    try:
        opened = {"m.py": (open_doc(client, repo / "m.py"), 1)}
        assert lines_of(sum((r["aiRanges"] for r in await regions(client, opened["m.py"][0])), [])) == set(range(5, 10))
        before = files(repo)
        truth = SCENARIOS[name](repo)
        after = files(repo)

        if truth.renamed:
            client.workspace_did_rename_files(types.RenameFilesParams(files=[
                types.FileRename((repo / old).as_uri(), (repo / new).as_uri()) for old, new in truth.renamed.items()]))
        watched = []
        for path in sorted(before.keys() | after.keys()):
            if path in opened and path in after and after[path] != before.get(path):
                uri, version = opened[path]  # the editor reloads the open file: its whole new text
                client.text_document_did_change(types.DidChangeTextDocumentParams(
                    types.VersionedTextDocumentIdentifier(uri=uri, version=version + 1),
                    [types.TextDocumentContentChangeWholeDocument(text=after[path])]))
                opened[path] = (uri, version + 1)
            elif path in opened and path not in after:
                client.text_document_did_close(types.DidCloseTextDocumentParams(
                    types.TextDocumentIdentifier(opened.pop(path)[0])))
            elif path not in opened and before.get(path) != after.get(path):
                kind = (types.FileChangeType.Deleted if path not in after else
                        types.FileChangeType.Created if path not in before else types.FileChangeType.Changed)
                watched.append(types.FileEvent((repo / path).as_uri(), kind))
        if watched:
            client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(watched))

        for path, want in truth.ai.items():
            if path not in opened:
                opened[path] = (open_doc(client, repo / path), 1)
            shown = await regions(client, opened[path][0])
            assert agreement(lines_of(sum((r["aiRanges"] for r in shown), [])), want) >= NEEDED, (path, shown)
            assert agreement(lines_of([r["range"] for r in shown]), truth.region(path)) >= NEEDED, (path, shown)
            assert all(r["status"] == "unreviewed" for r in shown)
    finally:
        await client.shutdown_session()
        await client.stop()

    # and the offline answer from the ledger the session left agrees
    result = cli("check", "--json", cwd=repo)
    assert result.code == 1, result.out


async def test_the_server_follows_code_moved_while_it_was_down(cli, repo: Path, env: dict[str, str]) -> None:
    import asyncio
    import time

    from ailedger.ledger.store import Ledger

    begin(repo, cli)
    SCENARIOS["function_moved"](repo)
    client = await start(env, repo)  # no file opened: start-up alone finds the move
    try:
        deadline = time.monotonic() + 20
        while True:
            with Ledger(env["AILEDGER_DB"], create=False) as ledger:
                moves = [e for e in ledger.events() if e.type == "region-move"]
            if moves or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)  # polling the ledger another process writes, with a deadline
        assert [(m.content["payload"]["fromPath"], m.content["payload"]["path"]) for m in moves] == [("m.py", "util.py")]
    finally:
        await client.shutdown_session()
        await client.stop()
