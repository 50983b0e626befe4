"""A move the placement engine records travels like any event: the audit
service's regions and trail show the new path, and a teammate's ledger
has the region at the new path after a pull."""

from __future__ import annotations

import httpx

from ailedger.ledger.store import Ledger
from helpers import git
from placement.scenarios import begin, git_mv


def test_a_recorded_move_reaches_the_service_and_a_teammate(cli, repo, env, service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    begin(repo, cli)
    git_mv(repo)
    assert cli("check", cwd=repo).code == 1  # finds the region in moved.py, records the move
    env.update(AILEDGER_ENDPOINT=service.url, AILEDGER_TOKEN=service.token("dev@example.com"))
    pushed = cli("sync")
    assert pushed.code == 0, pushed.err

    headers = {"Authorization": f"Bearer {service.token('dev@example.com')}"}
    [region] = httpx.get(f"{service.url}/v1/regions", headers=headers).json()["regions"]
    assert region["path"] == "moved.py"
    region_id = region["region_id"]
    with httpx.Client(base_url=service.url) as browser:  # the dashboard, signed in as a person would
        browser.post("/login", data={"token": service.token("dev@example.com")})
        trail = browser.get(f"/regions/{region_id}")
    assert trail.status_code == 200 and "moved from m.py to moved.py:5" in trail.text

    clone = tmp_path / "bob-work"
    git(repo.parent, "clone", "-q", str(repo), str(clone))
    git(clone, "remote", "set-url", "origin", "git@git.example.com:acme/shop.git")  # the same repository
    bob = tmp_path / "bob.db"
    env.update(AILEDGER_USER="bob@example.com", AILEDGER_TOKEN=service.token("bob@example.com"))
    cli("record", "--db", str(bob), "--file", str(clone / "moved.py"), "--lines", "1-1", "--tool", "x")
    assert cli("sync", "--db", str(bob)).code == 0
    with Ledger(bob) as ledger:
        row = ledger.region(region_id)
        assert row is not None and row["path"] == "moved.py" and row["start_line"] == 4
