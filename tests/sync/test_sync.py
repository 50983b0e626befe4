"""Client and service together: push, pull, checkpoints, and refusals."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx

from ailedger.ledger.canonical import event_hash
from ailedger.ledger.store import Ledger
from helpers import acceptance_params, git
from helpers_service import check_security

AI = "    return price * qty\n"


def record(cli, repo: Path, db: Path) -> str:  # type: ignore[no-untyped-def]
    result = cli("record", "--db", str(db), input=json.dumps(acceptance_params(repo / "app.py", 3, AI)))
    assert result.code == 0, result.err
    return result.out.strip()


def sync_env(env: dict[str, str], service, token: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env.update(AILEDGER_ENDPOINT=service.url, AILEDGER_TOKEN=token)
    return env


def test_push_then_pull_into_another_ledger(cli, repo: Path, env, service, tmp_path: Path) -> None:
    alice, bob = tmp_path / "alice.db", tmp_path / "bob.db"
    region_id = record(cli, repo, alice)
    sync_env(env, service, service.token("dev@example.com"))
    first = cli("sync", "--db", str(alice))
    assert first.code == 0, first.err
    assert "pushed 1 event(s)" in first.out
    assert "pushed 0 event(s)" in cli("sync", "--db", str(alice)).out  # nothing twice
    status = cli("status", "--db", str(alice))
    assert "pending: 0 event(s)" in status.out and "last error: none" in status.out
    verify = cli("verify", "--db", str(alice))
    assert verify.code == 0 and "checked against 1 anchor(s)" in verify.out  # the signed checkpoint

    # Bob's ledger knows the repository, so it pulls Alice's region.
    clone = tmp_path / "bob-work"
    git(repo.parent, "clone", "-q", str(repo), str(clone))
    git(clone, "remote", "set-url", "origin", "git@git.example.com:acme/shop.git")
    (clone / "app.py").write_text((repo / "app.py").read_text())
    env["AILEDGER_USER"] = "bob@example.com"
    env["AILEDGER_TOKEN"] = service.token("bob@example.com")
    cli("record", "--db", str(bob), "--file", str(clone / "app.py"), "--lines", "1-1", "--tool", "x")
    pulled = cli("sync", "--db", str(bob))
    assert pulled.code == 0, pulled.err
    with Ledger(bob) as ledger:
        row = ledger.region(region_id)
        assert row is not None and row["accepted_by"] == "dev@example.com"
        assert ledger.verify().ok


def test_idempotency_key_and_duplicates(service, cli, repo: Path, env, tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    record(cli, repo, db)
    with Ledger(db) as ledger:
        event = ledger.recent(1)[0].to_wire()
    token = service.token("dev@example.com")
    headers = {"authorization": f"Bearer {token}", "idempotency-key": "k1"}
    body = json.dumps({"events": [event]})
    first = httpx.post(f"{service.url}/v1/events", content=body, headers=headers)
    again = httpx.post(f"{service.url}/v1/events", content=body, headers=headers)
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    other = httpx.post(f"{service.url}/v1/events", content=json.dumps({"events": [event], "x": 1}), headers=headers)
    assert other.status_code == 422 and "different body" in other.json()["error"]
    fresh = httpx.post(f"{service.url}/v1/events", content=body, headers={**headers, "idempotency-key": "k2"})
    assert fresh.json()["accepted"] == 0 and fresh.json()["duplicates"] == 1


def test_a_rewritten_history_is_refused_and_alerted(cli, repo: Path, env, service, tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    record(cli, repo, db)
    record(cli, repo, db)
    sync_env(env, service, service.token("dev@example.com"))
    assert cli("sync", "--db", str(db)).code == 0
    # Rewrite event 2 and re-chain it, then add a new event on top and push.
    raw = sqlite3.connect(db)
    raw.execute("DROP TRIGGER events_no_update")
    id_, device, prev, body = raw.execute("SELECT id, device, prev_hash, body FROM events WHERE seq = 2").fetchone()
    forged = body.replace("gpt-4.1", "gpt-3.5")
    raw.execute("UPDATE events SET body = ?, hash = ? WHERE seq = 2",
                (forged, event_hash(id_, device, 2, prev, forged.encode())))
    raw.commit()
    raw.close()
    record(cli, repo, db)
    refused = cli("sync", "--db", str(db))
    assert refused.code == 2 and "HTTP 409" in refused.err
    lead = service.token("lead@example.com", role="lead")
    alerts = httpx.get(f"{service.url}/v1/alerts", headers={"authorization": f"Bearer {lead}"}).json()["alerts"]
    assert alerts and alerts[0]["kind"] == "fork"
    verify = cli("verify", "--db", str(db))
    assert verify.code == 1
    assert "forked" in verify.err and "checkpoint" in verify.err  # caught against the service's signed anchor


def test_tokens_and_bad_requests(service, tmp_path: Path) -> None:
    check_security(service.url, service.token("dev@example.com"))


def test_a_misspelt_filter_is_an_error_not_an_empty_answer(cli, repo: Path, env, service, tmp_path: Path) -> None:
    """`status=unreviwed` or `?auther=` answered with `"total": 0` (or with
    every region) reads as an audit's answer; the service says what is wrong."""
    db = tmp_path / "l.db"
    record(cli, repo, db)
    sync_env(env, service, service.token("dev@example.com"))
    assert cli("sync", "--db", str(db)).code == 0
    lead = {"authorization": f"Bearer {service.token('lead@example.com', role='lead')}"}
    listed = httpx.get(f"{service.url}/v1/regions", params={"status": "unreviewed"}, headers=lead).json()
    assert listed["total"] == 1
    typo = httpx.get(f"{service.url}/v1/regions", params={"status": "unreviwed"}, headers=lead)
    assert typo.status_code == 400
    assert typo.json()["error"] == ("status 'unreviwed' is not one; expected one of unreviewed, reviewed,"
                                    " changed-after-review, rejected, reopened, ended")
    unknown = httpx.get(f"{service.url}/v1/regions", params={"auther": "dev@example.com"}, headers=lead)
    assert unknown.status_code == 400 and unknown.json()["error"].startswith("unknown parameter 'auther'; expected")
    for status in ("reviewed", "changed-after-review", "rejected", "reopened", "ended"):  # each a status: no error
        assert httpx.get(f"{service.url}/v1/regions", params={"status": status}, headers=lead).json()["total"] == 0


def test_other_organisations_see_nothing(cli, repo: Path, env, service, tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    record(cli, repo, db)
    sync_env(env, service, service.token("dev@example.com", org="acme"))
    assert cli("sync", "--db", str(db)).code == 0
    outsider = {"authorization": f"Bearer {service.token('eve@example.com', org='evil')}"}
    assert httpx.get(f"{service.url}/v1/events", headers=outsider).json()["events"] == []
    with Ledger(db) as ledger:
        event = ledger.recent(1)[0].to_wire()
    # Eve cannot append to Alice's device chain either.
    nxt = dict(event, id="7ZZZZZZZZZZZZZZZZZZZZZZZZZ", seq=2, prevHash=event["hash"])
    r = httpx.post(f"{service.url}/v1/events", content=json.dumps({"events": [nxt]}), headers=outsider)
    assert r.status_code in (403, 409)
    # Nor review Alice's region from a device of her own: refused, and the region is as it was.
    region_id = event["payload"]["regionId"]
    alice = {"authorization": f"Bearer {service.token('lead@example.com', role='lead', org='acme')}"}
    before = httpx.get(f"{service.url}/v1/regions", headers=alice).json()["regions"]
    with Ledger(tmp_path / "eve.db") as eve:
        eve.append_many([("review", {"regionIds": [region_id], "reviewer": "eve@example.com", "verdict": "approved",
                                     "textSha256": {region_id: event["payload"]["textSha256"]},
                                     "reviewedAt": "2026-11-28T09:00:00Z"})], actor="eve@example.com")
        body = json.dumps({"events": [e.to_wire() for e in eve.recent(1)]})
    r = httpx.post(f"{service.url}/v1/events", content=body, headers=outsider)
    assert r.status_code == 403 and "belongs to another organisation" in r.json()["error"]
    assert httpx.get(f"{service.url}/v1/regions", headers=alice).json()["regions"] == before
    assert before and before[0]["status"] == "unreviewed"


def test_plain_http_to_another_host_is_refused(cli, env, tmp_path: Path) -> None:
    env.update(AILEDGER_ENDPOINT="http://audit.example.com", AILEDGER_TOKEN="t")
    result = cli("sync", "--db", str(tmp_path / "l.db"))
    assert result.code == 2 and "plain http is refused except to loopback" in result.err


def test_openapi_document_is_served_and_matches_protocol(service) -> None:
    served = httpx.get(f"{service.url}/v1/openapi.json").json()
    on_disk = json.loads((Path(__file__).parents[2] / "protocol" / "schema" / "openapi.json").read_text())
    assert served == on_disk
    assert {"/v1/events", "/v1/regions", "/v1/checkpoint"} <= served["paths"].keys()
