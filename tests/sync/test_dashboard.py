"""The team lead's dashboard in a real headless Chromium: sign in, see the
unreviewed regions and the coverage chart, open a region's trail. A
screenshot is saved to artifacts/dashboard.png."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from helpers import acceptance_params

ARTIFACTS = Path(__file__).parents[2] / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def scenario(cli, repo: Path, env, service) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Two regions synced by a developer: one reviewed, one not."""
    env.update(AILEDGER_ENDPOINT=service.url, AILEDGER_TOKEN=service.token("dev@example.com"))
    (repo / "app.py").write_text("import os\n\ndef total(price, qty):\n    return price * qty\n\nX = 1\n")
    first = cli("record", input=json.dumps(acceptance_params(repo / "app.py", 3, "    return price * qty\n"))).out.strip()
    second = cli("record", input=json.dumps(acceptance_params(repo / "app.py", 5, "X = 1\n",
                                                              tool={"name": "claude-code"}))).out.strip()
    assert cli("review", second, "--verdict", "approved", cwd=repo).code == 0
    assert cli("sync").code == 0
    return first, second


@pytest.mark.e2e
def test_dashboard_lists_unreviewed_regions_and_shows_the_chart(cli, repo: Path, env, service) -> None:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    unreviewed, reviewed = scenario(cli, repo, env, service)
    lead = service.token("lead@example.com", role="lead")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(f"{service.url}/")
        assert page.url.endswith("/login")
        page.fill("input[name=token]", "not-a-token")
        page.click("button[type=submit]")
        assert "That token is not valid." in page.content()
        page.fill("input[name=token]", lead)
        page.click("button[type=submit]")
        page.wait_for_selector("tr.region")
        rows = page.locator("tr.region")
        assert rows.count() == 1
        text = rows.first.inner_text()
        assert "app.py:4" in text and "dev@example.com" in text and "copilot" in text and "unreviewed" in text
        assert page.locator("svg#coverage polyline").count() == 1
        assert page.locator("svg#coverage circle").count() >= 1
        assert "50%" in page.inner_text("section.stats")  # one of two regions reviewed
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        page.click("tr.region a")
        page.wait_for_selector("tr.event")
        assert unreviewed in page.url and "acceptance" in page.inner_text("table")
        browser.close()
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
    del reviewed
