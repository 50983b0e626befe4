"""An incident reopen travels: a second ledger sees it after sync."""

from __future__ import annotations

import json
from pathlib import Path

from ailedger.ledger.store import Ledger
from helpers import acceptance_params

AI = "    return price * qty\n"


def test_a_reopen_reaches_a_teammates_ledger(cli, repo: Path, env, service, tmp_path: Path) -> None:
    (repo / "app.py").write_text("import os\n\ndef total(price, qty):\n" + AI)
    alice, bob = tmp_path / "alice.db", tmp_path / "bob.db"
    env.update(AILEDGER_ENDPOINT=service.url, AILEDGER_TOKEN=service.token("dev@example.com"))
    region = cli("record", "--db", str(alice), input=json.dumps(acceptance_params(repo / "app.py", 3, AI))).out.strip()
    assert cli("review", region, "--verdict", "approved", "--db", str(alice), cwd=repo).code == 0
    assert cli("sync", "--db", str(alice)).code == 0
    env.update(AILEDGER_USER="bob@example.com", AILEDGER_TOKEN=service.token("bob@example.com"))
    assert cli("sync", "--db", str(bob), cwd=repo).code == 0  # pulls the repository he works in
    with Ledger(bob) as ledger:
        assert ledger.region(region)["status"] == "reviewed"

    env.update(AILEDGER_USER="dev@example.com", AILEDGER_TOKEN=service.token("dev@example.com"))
    assert cli("incident", "--model", "openai/gpt-4.1", "--reopen", "--reason", "recall", "--db", str(alice)).code == 0
    assert cli("sync", "--db", str(alice)).code == 0
    env.update(AILEDGER_USER="bob@example.com", AILEDGER_TOKEN=service.token("bob@example.com"))
    assert cli("sync", "--db", str(bob), cwd=repo).code == 0
    with Ledger(bob) as ledger:
        assert ledger.region(region)["status"] == "reopened"
        assert ledger.verify().ok
