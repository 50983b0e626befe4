"""An incident is an advisory to the whole organisation: Alice opens it on
her ledger, and Bob's open editor (his own ledger, his own working copy,
the same audit service) shows the region as `ai-reopened` with her reason,
without a restart; the dashboard lists it with what it touched and when the
provider's answer is due; closing it is recorded and shown."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from lsprotocol import types

from ailedger.ledger.store import Ledger
from helpers import git
from helpers_lsp import diagnostics_until, ours, start

AI = "    discount = 0.1 if qty >= 10 else 0.0\n    return price * qty * (1 - discount)\n"
BASE = "import os\n\ndef total(price, qty):\n" + AI
POLICY = """\
version = "2026-12"

[[provider]]
name = "openai"
models = ["gpt-4.1*"]
contract = "MSA-2026-014"
defect-response = "72h"
contact = "security@openai.example"
"""
REASON = "CVE-2026-1234: discounts computed with floats"


def signed_in(service, user: str) -> httpx.Client:  # type: ignore[no-untyped-def]
    client = httpx.Client(base_url=service.url, timeout=30)
    response = client.post("/login", data={"token": service.token(user, role="lead")})
    assert response.status_code == 303, response.text
    return client


async def test_an_incident_reaches_a_teammates_editor_and_the_dashboard(cli, repo: Path, env, service,
                                                                        tmp_path: Path) -> None:
    (repo / ".ailedger.toml").write_text(POLICY)
    app = repo / "app.py"
    app.write_text(BASE)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "pricing")
    bob_copy = tmp_path / "bob-work"
    git(repo.parent, "clone", "-q", str(repo), str(bob_copy))
    git(bob_copy, "remote", "set-url", "origin", "git@git.example.com:acme/shop.git")
    bob_app = bob_copy / "app.py"

    alice = {**env, "AILEDGER_DB": str(tmp_path / "alice.db"), "AILEDGER_USER": "alice@example.com",
             "AILEDGER_ENDPOINT": service.url, "AILEDGER_TOKEN": service.token("alice@example.com")}
    bob = {**env, "AILEDGER_DB": str(tmp_path / "bob.db"), "AILEDGER_USER": "bob@example.com",
           "AILEDGER_ENDPOINT": service.url, "AILEDGER_TOKEN": service.token("bob@example.com")}
    env.update(alice)
    recorded = cli("record", "--file", str(app), "--lines", "4-5", "--tool", "copilot",
                   "--model", "openai/gpt-4.1@2025-04-14", cwd=repo)
    assert recorded.code == 0, recorded.err
    region_id = recorded.out.strip()
    assert cli("sync", cwd=repo).code == 0

    bob_lsp = await start(bob, bob_copy, {"syncIntervalMs": 200})
    try:
        uri = bob_app.as_uri()
        bob_lsp.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri, "python", 1, bob_app.read_text())))
        await diagnostics_until(bob_lsp, uri, lambda d: bool(ours(d)), deadline=30)
        await bob_lsp.workspace_execute_command_async(types.ExecuteCommandParams(
            command="ailedger.markReviewed", arguments=[{"regionIds": [region_id], "verdict": "approved"}]))
        await diagnostics_until(bob_lsp, uri, lambda d: not ours(d))

        opened = cli("incident", "open", "--model", "openai/gpt-4.1", "--reason", REASON, cwd=repo)
        assert opened.code == 0, opened.err
        incident_id = re.search(r"opened (INC-[0-9A-Z]{8})", opened.out)[1]
        assert "1 region(s) reopened" in opened.out and f"sent to {service.url}" in opened.out
        assert "provider openai: contract MSA-2026-014; answer due" in opened.out

        [d] = ours(await diagnostics_until(bob_lsp, uri, lambda d: any(x.code == "ai-reopened" for x in ours(d)),
                                           deadline=30))
        assert d.data == {"regionId": region_id}
        assert d.message.endswith(f"reopened: incident {incident_id}: {REASON}")
        hover = await bob_lsp.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(line=3, character=6)))
        assert f"**ai-reopened**: reopened: incident {incident_id}: {REASON}" in hover.contents.value
        assert "under contract MSA-2026-014" in hover.contents.value  # the contract it was accepted under
    finally:
        await bob_lsp.shutdown_session()
        await bob_lsp.stop()
    with Ledger(bob["AILEDGER_DB"]) as ledger:
        assert ledger.verify().ok

    lead = signed_in(service, "lead@example.com")
    page = lead.get("/")
    assert page.status_code == 200 and "href='/incidents'" in page.text  # reachable from the dashboard's home
    assert f"/regions/{region_id}" in page.text  # reopened, so open for review again on the home page too
    [served] = lead.get("/v1/regions", headers={"authorization": f"Bearer {alice['AILEDGER_TOKEN']}"}).json()["regions"]
    assert (served["status"], served["reopen_reason"]) == ("reopened", f"incident {incident_id}: {REASON}")
    listing = lead.get("/incidents")
    assert listing.status_code == 200
    row = re.search(rf'<tr data-incident="{incident_id}">(.*?)</tr>', listing.text, re.S)[1]
    assert ">open<" in row and "model openai/gpt-4.1" in row and REASON in row
    counts = dict(re.findall(r'data-count=(\w+)>(\d+)<', row))
    assert counts == {"regions": "1", "repositories": "1", "authors": "1"}
    due = re.search(r'class="due">([^<]+)<', row)[1]
    expected = datetime.now(timezone.utc) + timedelta(hours=72)
    shown = datetime.strptime(due, "%Y-%m-%d %H:%M UTC").replace(tzinfo=timezone.utc)
    assert abs(shown - expected) < timedelta(minutes=5)

    closed = cli("incident", "close", incident_id, "--resolution", "provider fixed it in 2025-05-01", cwd=repo)
    assert closed.code == 0, closed.err
    detail = lead.get(f"/incidents/{incident_id}")
    assert detail.status_code == 200
    assert '<td class="ok" id=status>closed</td>' in detail.text
    assert re.search(r"id=resolution>by alice@example.com, [0-9: -]+UTC: provider fixed it in 2025-05-01<",
                     detail.text)
    assert "MSA-2026-014" in detail.text and "openai/gpt-4.1@2025-04-14</td><td class=num>1" in detail.text
    assert lead.get("/incidents/INC-NOTTHERE").status_code == 404


def test_the_dashboard_shows_unapproved_code_and_escapes_what_ledgers_say(cli, repo: Path, env, service) -> None:
    (repo / ".ailedger.toml").write_text(POLICY + "\n[default]\napproved-only = true\n")
    app = repo / "app.py"
    app.write_text(BASE)
    env.update(AILEDGER_ENDPOINT=service.url, AILEDGER_TOKEN=service.token("dev@example.com"))
    unapproved = cli("record", "--file", str(app), "--lines", "4-4", "--tool", "windsurf",
                     "--model", "mistral/codestral@25.01", cwd=repo)
    approved = cli("record", "--file", str(app), "--lines", "5-5", "--tool", "copilot",
                   "--model", "openai/gpt-4.1@2025-04-14", cwd=repo)
    assert unapproved.code == 0 and approved.code == 0, unapproved.err + approved.err
    opened = cli("incident", "open", "--tool", "windsurf", "--reason", "<script>alert(1)</script>", cwd=repo)
    assert opened.code == 0 and f"sent to {service.url}" in opened.out, opened.err
    assert cli("sync", cwd=repo).code == 0

    page = signed_in(service, "lead@example.com").get("/incidents")
    assert page.status_code == 200
    assert '<span class="bad" id=unapproved-total>1</span>' in page.text
    row = re.search(rf'<tr data-region="{unapproved.out.strip()}">(.*?)</tr>', page.text, re.S)[1]
    assert "mistral/codestral@25.01" in row and "windsurf" in row
    assert "not approved in tier default (approved-only): provider mistral is not approved (approved providers: openai)" in row
    assert approved.out.strip() not in page.text
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "no defect-response in the contract" in page.text  # a tool's incident names no provider's terms
    reviewer = httpx.Client(base_url=service.url, timeout=30)
    reviewer.post("/login", data={"token": service.token("rev@example.com")})
    assert reviewer.get("/incidents").status_code == 403  # for leads and admins, as the dashboard's home


def test_code_that_reaches_the_service_after_the_incident_arrives_reopened(cli, repo: Path, env, service,
                                                                          tmp_path: Path) -> None:
    """Carol wrote code with the faulty model yesterday, offline; she syncs
    after Alice opened the incident: the service (and so the dashboard)
    has it reopened, as every ledger does."""
    import json

    from helpers import acceptance_params

    app = repo / "app.py"
    app.write_text(BASE)
    env.update(AILEDGER_ENDPOINT=service.url, AILEDGER_TOKEN=service.token("alice@example.com"),
               AILEDGER_USER="alice@example.com", AILEDGER_DB=str(tmp_path / "alice.db"))
    # Alice has a ledger (code from another model, not in the incident) and opens the incident from it.
    assert cli("record", "--file", str(app), "--lines", "4-4", "--tool", "copilot", "--model", "openai/o3", cwd=repo).code == 0
    opened = cli("incident", "open", "--model", "openai/gpt-4.1", "--reason", REASON, cwd=repo)
    assert opened.code == 0 and f"sent to {service.url}" in opened.out, opened.err

    env.update(AILEDGER_TOKEN=service.token("carol@example.com"), AILEDGER_USER="carol@example.com",
               AILEDGER_DB=str(tmp_path / "carol.db"))
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    params = acceptance_params(app, 4, AI.splitlines(keepends=True)[1], acceptedAt=yesterday)
    carol = cli("record", input=json.dumps(params), cwd=repo)
    assert carol.code == 0, carol.err
    assert cli("sync", cwd=repo).code == 0
    served = httpx.get(f"{service.url}/v1/regions", params={"limit": 100},
                       headers={"authorization": f"Bearer {service.token('lead@example.com', role='lead')}"}).json()
    status = {r["region_id"]: (r["status"], r["reopen_reason"]) for r in served["regions"]}
    incident_id = re.search(r"opened (INC-[0-9A-Z]{8})", opened.out)[1]
    assert status[carol.out.strip()] == ("reopened", f"incident {incident_id}: {REASON}")
    with Ledger(tmp_path / "carol.db") as ledger:  # her own ledger pulled the advisory: the same state
        assert ledger.region(carol.out.strip())["status"] == "reopened"
