"""Incident response: find what a model wrote, reopen it, and see it come
back in the editor and, after sync, in a teammate's ledger."""

from __future__ import annotations

import json
from pathlib import Path

from ailedger.ledger.store import Ledger
from helpers import acceptance_params
from helpers_lsp import diagnostics_until, ours, start
from lsprotocol import types

AI = "    return price * qty\n"


def record(cli, repo: Path, model: dict) -> str:  # type: ignore[no-untyped-def]
    (repo / "app.py").write_text("import os\n\ndef total(price, qty):\n" + AI)
    result = cli("record", input=json.dumps(acceptance_params(repo / "app.py", 3, AI, model=model)))
    assert result.code == 0, result.err
    return result.out.strip()


def test_incident_lists_and_reopens_only_that_models_regions(cli, repo: Path, env) -> None:
    bad = record(cli, repo, {"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"})
    good = record(cli, repo, {"provider": "anthropic", "id": "claude-sonnet-4", "version": None})
    assert cli("review", bad, good, "--verdict", "approved", cwd=repo).code == 0
    listed = cli("incident", "--model", "openai/gpt-4.1@2025-04-14")
    assert listed.code == 0 and bad in listed.out and good not in listed.out and "1 region(s) found" in listed.out
    assert "0 region(s) found" in cli("incident", "--model", "openai/gpt-4.1@2024-01-01").out
    refused = cli("incident", "--model", "openai/gpt-4.1", "--reopen")
    assert refused.code == 2 and "--reopen needs --reason" in refused.err
    reopened = cli("incident", "--model", "openai/gpt-4.1", "--reopen", "--reason", "faulty model version")
    assert reopened.code == 0 and "1 region(s) reopened" in reopened.out
    with Ledger(env["AILEDGER_DB"]) as ledger:
        assert ledger.region(bad)["status"] == "reopened"
        assert ledger.region(good)["status"] == "reviewed"
        assert ledger.verify().ok


async def test_a_reopened_region_comes_back_in_the_editor(cli, repo: Path, env) -> None:
    region = record(cli, repo, {"provider": "openai", "id": "gpt-4.1", "version": None})
    assert cli("review", region, "--verdict", "approved", cwd=repo).code == 0
    client = await start(env, repo)
    try:
        uri = (repo / "app.py").as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri, "python", 1, (repo / "app.py").read_text())))
        await diagnostics_until(client, uri, lambda d: True)
        assert not ours(client.diagnostics[uri])
        assert cli("incident", "--model", "openai/gpt-4.1", "--reopen", "--reason", "recall").code == 0
        found = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))
        assert found[0].code == "ai-reopened" and found[0].data == {"regionId": region}
    finally:
        await client.shutdown_session()
        await client.stop()
