"""The incidents page in a real headless Chromium: from the dashboard's
home, a lead follows the link and sees the incident with its counts and the
provider's answer due, then its page. A screenshot is saved to
artifacts/incidents.png."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from helpers import acceptance_params
ARTIFACTS = Path(__file__).parents[2] / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's: never a downloaded browser
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

POLICY = '[[provider]]\nname = "openai"\nmodels = ["gpt-4.1*"]\ncontract = "MSA-2026-014"\ndefect-response = "36h"\n'


@pytest.mark.e2e
def test_a_lead_finds_the_incident_from_the_dashboard(cli, repo: Path, env, service) -> None:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    env.update(AILEDGER_ENDPOINT=service.url, AILEDGER_TOKEN=service.token("dev@example.com"))
    (repo / ".ailedger.toml").write_text(POLICY)
    (repo / "app.py").write_text("import os\n\ndef total(price, qty):\n    return price * qty\n\nX = 1\n")
    for line, text in ((3, "    return price * qty\n"), (5, "X = 1\n")):
        assert cli("record", input=json.dumps(acceptance_params(repo / "app.py", line, text))).code == 0
    opened = cli("incident", "open", "--model", "openai/gpt-4.1@2025-04-14", "--reason", "unsafe rounding", cwd=repo)
    assert opened.code == 0, opened.err
    incident = re.search(r"opened (INC-[0-9A-Z]{8})", opened.out)[1]

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.goto(f"{service.url}/login")
        page.fill("input[name=token]", service.token("lead@example.com", role="lead"))
        page.click("button[type=submit]")
        page.wait_for_selector("header a[href='/incidents']")
        page.click("header a[href='/incidents']")
        row = page.locator(f"tr[data-incident='{incident}']")
        row.wait_for()
        cells = row.locator("td").all_inner_texts()
        assert cells[:8] == [incident, "open", "model openai/gpt-4.1@2025-04-14", "unsafe rounding", "2", "1", "1",
                             cells[7]]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", cells[7])  # 36 hours after it was opened
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "incidents.png"), full_page=True)
        row.locator("a").click()
        page.wait_for_selector("table#incident")
        text = page.inner_text("table#incident")
        assert "MSA-2026-014" in text and "defect-response 36 hours" in text
        assert "2 regions in 1 repositories, accepted by 1 developers" in text
        browser.close()
