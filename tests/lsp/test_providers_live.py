"""Approved providers in a real `ailedger lsp`: code from a model no
[[provider]] approves shows as `ai-unapproved` at the tier's severity, and
approving the model in `.ailedger.toml` clears it without a restart."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lsprotocol import types

from helpers import acceptance_params
from helpers_lsp import diagnostics_until, open_doc, ours, start

POLICY = """\
version = "{version}"

[[tier]]
name = "high"
paths = ["payments/**"]
approved-only = true
reviews = 0
severity = "warning"

[[provider]]
name = "openai"
models = [{models}]
contract = "MSA-2026-014"
"""
CODE = "def charge(amount):\n    return amount * 100\n"
AI = "    return amount * 100\n"


def write_policy(repo: Path, models: str, version: str) -> None:
    (repo / ".ailedger.toml").write_text(POLICY.format(models=models, version=version))


async def test_an_unapproved_model_shows_and_approving_it_clears_without_a_restart(repo: Path, env: dict[str, str]) -> None:
    write_policy(repo, '"gpt-4o*"', "p1")
    path = repo / "payments" / "charge.py"
    path.parent.mkdir()
    path.write_text(CODE)
    params = acceptance_params(path, 1, AI, model={"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"})
    done = subprocess.run([sys.executable, "-m", "ailedger", "record"], input=json.dumps(params), text=True,
                          capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    region_id = done.stdout.strip()
    client = await start(env, repo)
    try:
        uri = open_doc(client, path)
        [d] = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))
        assert (d.code, d.severity, d.data) == ("ai-unapproved", types.DiagnosticSeverity.Warning, {"regionId": region_id})
        assert "not approved in tier high (approved-only): model gpt-4.1@2025-04-14 is not among provider openai's " \
               "approved models (gpt-4o*)" in d.message
        hover = await client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(line=1, character=6)))
        assert "**ai-unapproved**: not approved in tier high" in hover.contents.value
        assert "no provider contract on record" in hover.contents.value  # not accepted under the contract

        write_policy(repo, '"gpt-4o*", "gpt-4.1@2025-*"', "p2")  # the organisation approves it
        await diagnostics_until(client, uri, lambda d: not ours(d))

        write_policy(repo, '"gpt-4o*"', "p3")  # and withdraws it again
        [d] = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))
        assert d.code == "ai-unapproved"
    finally:
        await client.shutdown_session()
        await client.stop()
