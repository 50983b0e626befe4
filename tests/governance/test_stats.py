"""Review metrics (`ailedger stats`): coverage, median time to first review
and the age of what still awaits review, on a hand-built ledger with known
answers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ailedger.ledger.store import Ledger
from ailedger.metrics import compute
from helpers import acceptance_payload, sha

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
OPENAI = {"provider": "openai", "id": "gpt-4.1", "version": None}
ANTHROPIC = {"provider": "anthropic", "id": "claude-sonnet-4", "version": None}
# (tool, model, author, accepted days before now, first review: (hours after acceptance, verdict) or None)
REGIONS = [
    ("copilot", OPENAI, "a@example.com", 40, (2, "approved")),  # 0 reviewed
    ("copilot", OPENAI, "a@example.com", 10, (4, "rejected")),  # 1 rejected (a finished review)
    ("copilot", ANTHROPIC, "b@example.com", 3, None),  # 2 unreviewed, 1-7 days
    ("cursor", ANTHROPIC, "b@example.com", 2 / 24, None),  # 3 unreviewed, <1 day
    ("cursor", OPENAI, "a@example.com", 20, (10, "approved")),  # 4 changed after review, 7-30 days
    ("claude-code", ANTHROPIC, "c@example.com", 5, (30, "approved")),  # 5 reviewed
    ("claude-code", None, "c@example.com", 50, None),  # 6 unreviewed, >30 days: the oldest
    ("copilot", OPENAI, "a@example.com", 60, None),  # 7 ended: not counted
]


def stamp(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def build(ledger: Ledger, now: datetime) -> list[str]:
    """The scenario above, as events; returns the region ids."""
    ids, events = [], []
    for i, (tool, model, author, days, review) in enumerate(REGIONS):
        accepted = now - timedelta(days=days)
        payload = acceptance_payload(i, tool={"name": tool, "version": None}, model=model, user=author,
                                     acceptedAt=stamp(accepted))
        region_id = payload["regionId"]
        ids.append(region_id)
        events.append(("acceptance", payload))
        if review:
            hours, verdict = review
            events.append(("review", {"regionIds": [region_id], "reviewer": "lead@example.com", "verdict": verdict,
                                      "textSha256": {region_id: payload["textSha256"]},
                                      "reviewedAt": stamp(accepted + timedelta(hours=hours))}))
    edited = acceptance_payload(4)["range"]
    events.append(("region-update", {"regionId": ids[4], "path": "app.py", "range": edited, "aiRanges": [],
                                     "textSha256": sha("changed by a person\n"), "aiFraction": 0.0,
                                     "reason": "edit"}))
    events.append(("region-ended", {"regionId": ids[7], "reason": "deleted"}))
    ledger.append_many(events, actor="dev@example.com")
    return ids


def test_figures_overall_and_by_tool_model_and_author(tmp_path: Path) -> None:
    with Ledger(tmp_path / "ledger.db") as ledger:
        ids = build(ledger, NOW)
        rows = ledger.regions()
    assert [r["status"] for r in rows] == ["reviewed", "rejected", "unreviewed", "unreviewed",
                                           "changed-after-review", "reviewed", "unreviewed", "ended"]
    m = compute(rows, NOW)
    o = m.overall
    assert (o.regions, o.reviewed, o.rejected, o.awaiting, m.ended) == (7, 3, 1, 4, 1)
    assert o.coverage == pytest.approx(300 / 7)
    assert o.median_hours_to_review == 7.0  # first reviews after 2, 4, 10 and 30 hours
    assert o.awaiting_by_age == {"<1d": 1, "1-7d": 1, "7-30d": 1, ">30d": 1}
    assert o.oldest_awaiting is not None and o.oldest_awaiting.region_id == ids[6]
    assert o.oldest_awaiting.age_days == 50.0 and o.oldest_awaiting.line == 7

    def table(group: str) -> list[tuple]:
        return [(name, f.regions, f.reviewed, None if f.coverage is None else round(f.coverage, 2),
                 f.median_hours_to_review, tuple(f.awaiting_by_age.values())) for name, f in m.by[group]]

    assert table("tool") == [
        ("copilot", 3, 2, 66.67, 3.0, (0, 1, 0, 0)),
        ("claude-code", 2, 1, 50.0, 30.0, (0, 0, 0, 1)),
        ("cursor", 2, 0, 0.0, 10.0, (1, 0, 1, 0)),
    ]
    assert table("model") == [
        ("anthropic/claude-sonnet-4", 3, 1, 33.33, 30.0, (1, 1, 0, 0)),
        ("openai/gpt-4.1", 3, 2, 66.67, 4.0, (0, 0, 1, 0)),
        ("unknown model", 1, 0, 0.0, None, (0, 0, 0, 1)),
    ]
    assert table("author") == [
        ("a@example.com", 3, 2, 66.67, 4.0, (0, 0, 1, 0)),
        ("b@example.com", 2, 0, 0.0, None, (1, 1, 0, 0)),
        ("c@example.com", 2, 1, 50.0, 30.0, (0, 0, 0, 1)),
    ]
    assert compute(rows, NOW).to_json() == m.to_json()  # deterministic given `now`


def test_stats_json_and_table_from_the_command(cli, env) -> None:
    with Ledger(env["AILEDGER_DB"]) as ledger:
        ids = build(ledger, datetime.now(timezone.utc))
    result = cli("stats", "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    overall = report["overall"]
    assert (overall["regions"], overall["reviewed"], overall["rejected"], report["ended"]) == (7, 3, 1, 1)
    assert overall["coveragePercent"] == 42.86 and overall["medianHoursToFirstReview"] == 7.0
    assert overall["awaitingByAge"] == {"<1d": 1, "1-7d": 1, "7-30d": 1, ">30d": 1}
    assert overall["oldestAwaiting"]["regionId"] == ids[6]
    assert [g["name"] for g in report["by"]["tool"]] == ["copilot", "claude-code", "cursor"]
    assert {g["name"]: g["coveragePercent"] for g in report["by"]["tool"]} == {
        "copilot": 66.67, "claude-code": 50.0, "cursor": 0.0}

    only_tool = json.loads(cli("stats", "--by", "tool", "--format", "json").out)
    assert list(only_tool["by"]) == ["tool"]
    recent = json.loads(cli("stats", "--since", (datetime.now(timezone.utc) - timedelta(days=7)).strftime("%Y-%m-%d"),
                            "--format", "json").out)
    assert recent["overall"]["regions"] == 3  # accepted 3 days, 2 hours and 5 days ago

    env["COLUMNS"] = "200"
    table = cli("stats")
    assert table.code == 0, table.err
    assert "7 AI-written regions, 3 reviewed (1 rejected): coverage 43%" in table.out
    assert "median time to first review 7.0 h" in table.out and "1 ended, not counted" in table.out
    assert "by tool" in table.out and "by model" in table.out and "by author" in table.out
    assert "unknown model" in table.out
    none = cli("stats", "--repo", "git.example.com/acme/elsewhere")
    assert none.code == 0 and "no regions match" in none.out


def test_an_empty_ledger_says_there_is_nothing_to_measure(cli, env) -> None:
    Ledger(env["AILEDGER_DB"]).close()
    result = cli("stats")
    assert result.code == 0 and "no AI-written regions in the ledger yet: nothing to measure" in result.out
    report = json.loads(cli("stats", "--format", "json").out)
    assert report["overall"]["regions"] == 0 and report["overall"]["coveragePercent"] is None
    assert report["overall"]["medianHoursToFirstReview"] is None and report["by"]["tool"] == []
    bad = cli("stats", "--since", "2026-11")
    assert bad.code == 2 and "expected YYYY-MM-DD" in bad.err
