"""Two people, two ledgers, two working copies of one repository, one audit
service: Alice's region shows as a diagnostic in Bob's editor at the right
lines (his copy has other lines above it), and Bob's review clears it in
Alice's editor."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from helpers import git
from helpers_lsp import diagnostics_until, ours, start

AI = "    discount = 0.1 if qty >= 10 else 0.0\n    return price * qty * (1 - discount)\n"
BASE = "import os\n\ndef total(price, qty):\n" + AI


async def test_a_teammates_region_and_review_travel_through_the_service(cli, repo: Path, env, service,
                                                                        tmp_path: Path) -> None:
    alice_app = repo / "app.py"
    alice_app.write_text(BASE)
    git(repo, "commit", "-qam", "pricing")
    bob_copy = tmp_path / "bob-work"
    git(repo.parent, "clone", "-q", str(repo), str(bob_copy))
    git(bob_copy, "remote", "set-url", "origin", "git@git.example.com:acme/shop.git")
    bob_app = bob_copy / "app.py"
    bob_app.write_text("# Bob's local notes\n# more\n# and more\n" + BASE)  # his copy differs above

    alice = {**env, "AILEDGER_DB": str(tmp_path / "alice.db"), "AILEDGER_USER": "alice@example.com",
             "AILEDGER_ENDPOINT": service.url, "AILEDGER_TOKEN": service.token("alice@example.com")}
    bob = {**env, "AILEDGER_DB": str(tmp_path / "bob.db"), "AILEDGER_USER": "bob@example.com",
           "AILEDGER_ENDPOINT": service.url, "AILEDGER_TOKEN": service.token("bob@example.com")}
    env.update(alice)
    recorded = cli("record", "--file", str(alice_app), "--lines", "4-5", "--tool", "copilot")
    assert recorded.code == 0, recorded.err
    region_id = recorded.out.strip()

    fast = {"syncIntervalMs": 200}
    alice_lsp = await start(alice, repo, fast)
    bob_lsp = await start(bob, bob_copy, fast)
    try:
        alice_uri = alice_app.as_uri()
        alice_lsp.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(alice_uri, "python", 1, alice_app.read_text())))
        await diagnostics_until(alice_lsp, alice_uri, lambda d: bool(ours(d)))

        bob_uri = bob_app.as_uri()
        bob_lsp.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(bob_uri, "python", 1, bob_app.read_text())))
        found = ours(await diagnostics_until(bob_lsp, bob_uri, lambda d: bool(ours(d)), deadline=30))
        assert found[0].data == {"regionId": region_id}
        assert (found[0].range.start.line, found[0].range.end.line) == (6, 8)  # three lines lower than Alice's
        assert "accepted by alice@example.com" in found[0].message

        await bob_lsp.workspace_execute_command_async(types.ExecuteCommandParams(
            command="ailedger.markReviewed", arguments=[{"regionIds": [region_id], "verdict": "approved"}]))
        await diagnostics_until(bob_lsp, bob_uri, lambda d: not ours(d))
        await diagnostics_until(alice_lsp, alice_uri, lambda d: not ours(d), deadline=30)  # cleared for Alice
    finally:
        for client in (alice_lsp, bob_lsp):
            await client.shutdown_session()
            await client.stop()
