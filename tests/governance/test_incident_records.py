"""Incidents as records: `ailedger incident open | list | report | close`,
the defect report checked field by field, and the reopen it causes in the
ledger (rebuilt from the log alike)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ailedger.ledger.store import Ledger
from helpers import acceptance_params

POLICY = """\
[[provider]]
name = "openai"
models = ["gpt-4.1*"]
contract = "MSA-2026-014"
defect-response = "2d"
contact = "security@openai.example"
"""
LINES = ["    a = price * qty  # SECRET-FREE\n", "    b = qty - 1\n", "    c = price + 1\n"]


def record(cli, repo: Path, line: int, model: dict, accepted_at: str, user: str = "dev@example.com") -> str:  # type: ignore[no-untyped-def]
    params = acceptance_params(repo / "app.py", line, LINES[line - 3], model=model, acceptedAt=accepted_at)  # 0-based
    result = cli("record", input=json.dumps(params))
    assert result.code == 0, result.err
    return result.out.strip()


def scenario(cli, repo: Path, env) -> dict[str, str]:  # type: ignore[no-untyped-def]
    (repo / ".ailedger.toml").write_text(POLICY)
    (repo / "app.py").write_text("import os\n\ndef total(price, qty):\n" + "".join(LINES))
    old = {"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"}
    new = {"provider": "openai", "id": "gpt-4.1", "version": "2025-06-01"}
    other = {"provider": "anthropic", "id": "claude-sonnet-4", "version": None}
    return {"old": record(cli, repo, 3, old, "2026-11-20T09:00:00Z"),
            "new": record(cli, repo, 4, new, "2026-11-25T10:00:00Z"),
            "other": record(cli, repo, 5, other, "2026-11-26T10:00:00Z")}


def open_incident(cli, repo: Path, *args: str) -> str:  # type: ignore[no-untyped-def]
    opened = cli("incident", "open", *args, cwd=repo)
    assert opened.code == 0, opened.err
    return re.search(r"^opened (INC-[0-9A-Z]{8}): ", opened.out, re.M)[1]


def test_open_reopens_in_scope_and_the_report_has_every_field(cli, repo: Path, env) -> None:
    ids = scenario(cli, repo, env)
    assert cli("review", *ids.values(), "--verdict", "approved", cwd=repo).code == 0
    before = datetime.now(timezone.utc)
    incident = open_incident(cli, repo, "--model", "openai/gpt-4.1", "--reason", "string-built SQL")

    with Ledger(env["AILEDGER_DB"]) as ledger:
        assert [ledger.region(ids[k])["status"] for k in ("old", "new", "other")] == ["reopened", "reopened", "reviewed"]
        assert ledger.region(ids["old"])["reopen_reason"] == f"incident {incident}: string-built SQL"
        rebuilt = {r["region_id"]: r for r in ledger.rebuild_regions()}
        assert {k: rebuilt[v]["status"] for k, v in ids.items()} == {"old": "reopened", "new": "reopened", "other": "reviewed"}
        [event] = list(ledger.events_of("incident-open"))
        payload = event.content["payload"]
        assert payload["scope"] == {"model": {"provider": "openai", "id": "gpt-4.1", "version": None}}
        assert payload["openedBy"] == "dev@example.com"
        assert ledger.verify().ok

    report = json.loads(cli("incident", "report", incident, "--format", "json").out)
    assert report["incident"]["id"] == incident
    assert report["incident"]["status"] == "open"
    assert report["incident"]["scope"] == "model openai/gpt-4.1"
    assert report["incident"]["reason"] == "string-built SQL"
    assert report["incident"]["openedBy"] == "dev@example.com"
    opened_at = datetime.fromisoformat(report["incident"]["openedAt"].replace("Z", "+00:00"))
    assert before - timedelta(seconds=1) <= opened_at <= datetime.now(timezone.utc)
    assert (report["incident"]["closedBy"], report["incident"]["resolution"]) == (None, None)
    assert report["provider"] == {
        "name": "openai", "contract": "MSA-2026-014", "contact": "security@openai.example",
        "defectResponse": "2 days",
        "answerDue": (opened_at + timedelta(days=2)).isoformat(timespec="microseconds").replace("+00:00", "Z")}
    assert report["affected"] == {"regions": 2, "repositories": 1, "authors": 1, "pendingReview": 2}
    assert report["byModelVersion"] == [{"model": "openai/gpt-4.1@2025-04-14", "regions": 1},
                                        {"model": "openai/gpt-4.1@2025-06-01", "regions": 1}]
    assert report["byDate"] == [{"date": "2026-11-20", "regions": 1}, {"date": "2026-11-25", "regions": 1}]
    assert report["window"] == {"first": "2026-11-20T09:00:00Z", "last": "2026-11-25T10:00:00Z"}
    assert [(e["path"], e["lines"], e["model"], e["status"], e["contract"]) for e in report["examples"]] == [
        ("app.py", [4, 4], "openai/gpt-4.1@2025-04-14", "reopened", "MSA-2026-014"),
        ("app.py", [5, 5], "openai/gpt-4.1@2025-06-01", "reopened", "MSA-2026-014")]
    assert all("code" not in e for e in report["examples"])  # no code text unless asked
    assert "price * qty" not in json.dumps(report) and "dev@example.com" not in json.dumps(report["examples"])

    with_code = json.loads(cli("incident", "report", incident, "--format", "json", "--include-code").out)
    assert [e["code"] for e in with_code["examples"]] == LINES[:2]

    markdown = cli("incident", "report", incident).out
    assert markdown.startswith(f"# Defect report {incident}: model openai/gpt-4.1\n")
    for line in ("- Reason: string-built SQL",
                 "- Provider: openai; contract: MSA-2026-014; contact: security@openai.example",
                 "2 regions in 1 repositories, accepted by 1 developers; 2 awaiting review again.",
                 "| openai/gpt-4.1@2025-04-14 | 1 |", "| 2026-11-25 | 1 |",
                 "- git.example.com/acme/shop:app.py:4-4 (openai/gpt-4.1@2025-04-14 via copilot 1.250.0, "
                 "2026-11-20T09:00:00Z, reopened)"):
        assert line in markdown.splitlines(), line
    assert "price * qty" not in markdown


def test_version_and_since_narrow_the_scope_and_close_is_recorded_once(cli, repo: Path, env) -> None:
    ids = scenario(cli, repo, env)
    assert cli("review", *ids.values(), "--verdict", "approved", cwd=repo).code == 0
    narrow = open_incident(cli, repo, "--model", "openai/gpt-4.1@2025-06-01", "--reason", "regression")
    late = open_incident(cli, repo, "--tool", "copilot", "--since", "2026-11-26", "--reason", "bad tab")
    with Ledger(env["AILEDGER_DB"]) as ledger:
        assert {k: ledger.region(v)["status"] for k, v in ids.items()} == \
            {"old": "reviewed", "new": "reopened", "other": "reopened"}

    listed = cli("incident", "list").out.splitlines()
    assert listed[-1] == "2 incident(s), 2 open"
    assert any(line.startswith(f"{narrow}  open    model openai/gpt-4.1@2025-06-01: regression  (1 regions, "
                               "1 awaiting review; opened by dev@example.com") for line in listed)
    assert any(line.startswith(f"{late}  open    tool copilot, since 2026-11-26: bad tab  (1 regions") for line in listed)

    closed = cli("incident", "close", narrow, "--resolution", "fixed upstream")
    assert closed.code == 0 and f"closed {narrow}: fixed upstream" in closed.out
    again = cli("incident", "close", narrow, "--resolution", "twice")
    assert again.code == 2 and f"{narrow} was closed by dev@example.com at " in again.err and "fixed upstream" in again.err
    assert cli("incident", "close", "INC-NOPE0000", "--resolution", "x").code == 2
    [entry] = [json.loads(line) for line in cli("incident", "list", "--json").out.splitlines()
               if json.loads(line)["id"] == narrow]
    assert (entry["status"], entry["resolution"], entry["regions"]) == ("closed", "fixed upstream", 1)
    report = json.loads(cli("incident", "report", narrow, "--format", "json").out)
    assert (report["incident"]["status"], report["incident"]["closedBy"], report["incident"]["resolution"]) == \
        ("closed", "dev@example.com", "fixed upstream")
    assert report["provider"]["answerDue"] is not None  # the terms stay on the record


def test_bad_incident_commands_say_what_is_wrong_and_record_nothing(cli, repo: Path, env) -> None:
    scenario(cli, repo, env)
    with Ledger(env["AILEDGER_DB"]) as ledger:
        count = ledger.count()
    for args, says in ((["open", "--reason", "x"], "name the suspect: --model"),
                       (["open", "--model", "openai/gpt-4.1", "--since", "last week", "--reason", "x"],
                        "--since 'last week': expected a date, YYYY-MM-DD"),
                       (["report", "INC-NOPE0000"], "no incident INC-NOPE0000")):
        result = cli("incident", *args, cwd=repo)
        assert result.code == 2 and says in result.err and len(result.err.strip().splitlines()) == 1, result.err
    (repo / ".ailedger.toml").write_text("[[provider]]\nname = 'openai'\n")
    broken = cli("incident", "open", "--model", "openai/gpt-4.1", "--reason", "x", cwd=repo)
    assert broken.code == 2 and ".ailedger.toml:1: provider[0].models: field required" in broken.err
    with Ledger(env["AILEDGER_DB"]) as ledger:
        assert ledger.count() == count


def test_an_incident_reopens_code_that_reaches_a_ledger_after_it(tmp_path: Path) -> None:
    """Carol wrote code with the faulty model before the incident, offline;
    her acceptance reaches Alice's ledger after Alice opened the incident:
    it arrives reopened (and the rebuilt projection agrees). Code accepted
    after the incident was opened is new code, merely unreviewed."""
    from ailedger.sync.client import import_events
    from helpers import acceptance_payload

    model = {"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"}
    with Ledger(tmp_path / "carol.db") as carol, Ledger(tmp_path / "alice.db") as alice:
        before = carol.append("acceptance", acceptance_payload(1, model=model, acceptedAt="2026-11-20T09:00:00Z"),
                              actor="carol@example.com")
        opened = alice.append("incident-open", {
            "incidentId": "INC-TEST0001", "scope": {"model": {"provider": "openai", "id": "gpt-4.1"}},
            "reason": "recall", "openedBy": "alice@example.com", "openedAt": "2026-11-27T12:00:00Z"},
            actor="alice@example.com")
        after = carol.append("acceptance", acceptance_payload(2, model=model, acceptedAt="2026-11-28T09:00:00Z"),
                             actor="carol@example.com")
        other = carol.append("acceptance", acceptance_payload(3, acceptedAt="2026-11-20T09:00:00Z",
                                                              model={"provider": "anthropic", "id": "claude"}),
                             actor="carol@example.com")
        assert import_events(alice, [e.to_wire() for e in (before, after, other)]) == 3
        ids = [e.content["payload"]["regionId"] for e in (before, after, other)]
        assert [alice.region(i)["status"] for i in ids] == ["reopened", "unreviewed", "unreviewed"]
        assert alice.region(ids[0])["reopened"] == opened.id
        assert alice.region(ids[0])["reopen_reason"] == "incident INC-TEST0001: recall"
        assert {r["region_id"]: r["status"] for r in alice.rebuild_regions()} == dict(zip(ids, ["reopened", "unreviewed", "unreviewed"]))

        assert import_events(carol, [opened.to_wire()]) == 1  # the advisory reaches Carol's ledger: the same states
        assert [carol.region(i)["status"] for i in ids] == ["reopened", "unreviewed", "unreviewed"]
        assert alice.verify().ok and carol.verify().ok


def test_sarif_carries_the_incidents_reason(cli, repo: Path, env) -> None:
    ids = scenario(cli, repo, env)
    incident = open_incident(cli, repo, "--model", "openai/gpt-4.1@2025-06-01", "--reason", "regression")
    sarif = json.loads(cli("report", "--format", "sarif", cwd=repo).out)
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "ai-reopened"]
    assert result["partialFingerprints"] == {"ailedgerRegionId/v1": ids["new"]}
    assert result["message"]["text"].endswith(f". Reopened: incident {incident}: regression")
    assert result["properties"]["contract"] == "MSA-2026-014"
