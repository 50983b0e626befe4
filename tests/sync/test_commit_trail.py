"""A region's trail on the audit service's dashboard shows the commit the
git hook linked it to, once the developer has synced."""

from __future__ import annotations

from pathlib import Path

import httpx

from ailedger.sync.service.app import COOKIE
from helpers import git

AI = "def hyp(a, b):\n    return (a * a + b * b) ** 0.5\n"


def test_the_trail_shows_the_first_commit(cli, repo: Path, env, service) -> None:  # type: ignore[no-untyped-def]
    env.update(AILEDGER_ENDPOINT=service.url, AILEDGER_TOKEN=service.token("dev@example.com"))
    assert cli("hooks", "install", "git", cwd=repo).code == 0
    (repo / "calc.py").write_text("import math\n\n" + AI)
    region = cli("record", "--file", "calc.py", "--lines", "3-4", "--tool", "claude-code", cwd=repo).out.strip()
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "hyp")  # the post-commit hook links the region
    sha = git(repo, "rev-parse", "HEAD").strip()
    assert cli("sync").code == 0
    lead = service.token("lead@example.com", role="lead")
    page = httpx.get(f"{service.url}/regions/{region}", cookies={COOKIE: lead})
    assert page.status_code == 200
    assert f"first committed in <code>{sha[:12]}</code>" in page.text
    assert f"committed in {sha[:12]}" in page.text.split("<h2>Trail</h2>")[1]
