"""The dashboard's "Review metrics" section shows the figures of `ailedger
stats` (coverage and median time to first review by tool, model and author),
computed from the regions the service stored, on both backends."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html import unescape

import httpx

from ailedger.ledger.store import Ledger
from ailedger.sync.service.app import COOKIE
from helpers import acceptance_payload

# (tool, author, accepted days before now, hours to its review or None)
REGIONS = [("copilot", "a@example.com", 3, 6), ("copilot", "b@example.com", 1.1, None),
           ("claude-code", "a@example.com", 10, 2)]


def stamp(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def rows_of(html: str, group: str) -> dict[str, list[str]]:
    table = re.search(rf"<table class=metrics data-group={group}>(.*?)</table>", html, re.S)
    assert table, f"no metrics table by {group}"
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr class=metric>(.*?)</tr>", table[1])]
    return {unescape(c[0]): [unescape(x) for x in c[1:]] for c in cells}


def test_dashboard_shows_review_metrics_by_tool_model_and_author(cli, env, service) -> None:
    now = datetime.now(timezone.utc)
    events = []
    for i, (tool, author, days, hours) in enumerate(REGIONS):
        accepted = now - timedelta(days=days)
        payload = acceptance_payload(i, tool={"name": tool, "version": None}, user=author, acceptedAt=stamp(accepted))
        events.append(("acceptance", payload))
        if hours is not None:
            region = payload["regionId"]
            events.append(("review", {"regionIds": [region], "reviewer": "lead@example.com", "verdict": "approved",
                                      "textSha256": {region: payload["textSha256"]},
                                      "reviewedAt": stamp(accepted + timedelta(hours=hours))}))
    with Ledger(env["AILEDGER_DB"]) as ledger:
        ledger.append_many(events, actor="dev@example.com")
    env.update(AILEDGER_ENDPOINT=service.url, AILEDGER_TOKEN=service.token("dev@example.com"))
    assert cli("sync").code == 0

    lead = service.token("lead@example.com", role="lead")
    page = httpx.get(f"{service.url}/", cookies={COOKIE: lead})
    assert page.status_code == 200, page.text
    html = page.text
    assert "<h2>Review metrics</h2>" in html
    overall = unescape(re.search(r"<p class=metrics-overall>(.*?)</p>", html, re.S)[1])
    assert "3 AI-written regions, 2 reviewed (0 rejected): coverage <b>67%</b>" in overall
    assert "median time to first review <b>4.0 h</b>" in overall  # reviews after 6 and 2 hours
    assert "1-7d: 1" in overall  # the unreviewed one waits since 1.1 days
    # columns: regions, reviewed, coverage, median time to first review, awaiting <1d, 1-7d, 7-30d, >30d
    assert rows_of(html, "tool") == {"copilot": ["2", "1", "50%", "6.0 h", "0", "1", "0", "0"],
                                     "claude-code": ["1", "1", "100%", "2.0 h", "0", "0", "0", "0"]}
    assert rows_of(html, "model") == {"openai/gpt-4.1": ["3", "2", "67%", "4.0 h", "0", "1", "0", "0"]}
    assert rows_of(html, "author") == {"a@example.com": ["2", "2", "100%", "4.0 h", "0", "0", "0", "0"],
                                       "b@example.com": ["1", "0", "0%", "–", "0", "1", "0", "0"]}
    assert "67%</div>review coverage" in html  # the headline agrees

    # The filters narrow the metrics too.
    only = httpx.get(f"{service.url}/", params={"tool": "claude-code"}, cookies={COOKIE: lead}).text
    assert rows_of(only, "tool") == {"claude-code": ["1", "1", "100%", "2.0 h", "0", "0", "0", "0"]}
    assert "(the regions the filters keep)" in only
