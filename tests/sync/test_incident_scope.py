"""An incident pushed to the service reopens exactly the regions every ledger
reopens (the ledger's own projection is the reference), over scopes that
name a provider alone, a model id alone, a version, a tool with its version,
`since`, and code accepted after the incident was opened; and it leaves the
rows of every other region as they were (the service narrows the candidates
in SQL, scope.py, instead of reading and rewriting the organisation's)."""

from __future__ import annotations

from pathlib import Path

import httpx

from ailedger.ledger.store import Ledger
from ailedger.sync.client import Endpoint, pull, push
from helpers import acceptance_payload

OPENED = "2026-11-20T12:00:00Z"
MODELS = [{"provider": "openai", "id": "o3", "version": None},
          {"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"},
          {"provider": "openai", "id": "gpt-4.1", "version": None},
          {"provider": "anthropic", "id": None, "version": None},
          {"provider": "anthropic", "id": "claude-sonnet-4", "version": None},
          {"provider": "anthropicx", "id": "claude-sonnet-4", "version": None},  # not anthropic's
          {"provider": "acme", "id": "gpt_5", "version": None},
          {"provider": "acme", "id": "gptx5", "version": None}]  # `_` is not a wildcard
TOOLS = [{"name": "cursor", "version": "1.2"}, {"name": "cursor", "version": "1.3"},
         {"name": "copilot", "version": None}]
# `since` compares the recorded text: 2026-11-16T01:00+05:00 is in scope of since 2026-11-16 (though
# the 15th in UTC), 2026-11-15T23:30-05:00 is not (though the 16th in UTC). The last two: at, and after,
# the opening.
WHEN = ["2026-11-01T09:00:00Z", "2026-11-15T23:30:00-05:00", "2026-11-16T01:00:00+05:00", "2026-11-19T10:00:00Z",
        "2026-11-20T12:00:00Z", "2026-11-21T08:00:00Z"]
SCOPES = [{"model": {"provider": "anthropic"}},
          {"model": {"id": "gpt_5"}},
          {"model": {"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"}},
          {"model": {"provider": "openai", "id": "o3"}},
          {"tool": {"name": "cursor", "version": "1.2"}},
          {"tool": {"name": "copilot"}, "since": "2026-11-16"}]


def seed(ledger: Ledger) -> None:
    events, i = [], 0
    for model in MODELS:
        for tool in TOOLS:
            for when in WHEN:
                events.append(("acceptance", acceptance_payload(i, regionId=f"R{i:04d}", model=model, tool=tool,
                                                                acceptedAt=when)))
                i += 1
    # Enough of one model that its recall is reopened in several chunks (storage.REOPEN_CHUNK; 500 on SQLite).
    events += [("acceptance", acceptance_payload(i + k, regionId=f"Q{k:04d}", model=MODELS[0], tool=TOOLS[2],
                                                 acceptedAt=WHEN[k % 4])) for k in range(1_200)]
    ledger.append_many(events, actor="dev@example.com")


def served(service, token: str) -> dict[str, tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    rows, cursor = [], None
    while True:
        page = httpx.get(f"{service.url}/v1/regions", params={"limit": 1000, **({"cursor": cursor} if cursor else {})},
                         headers={"authorization": f"Bearer {token}"}, timeout=30).json()
        rows += page["regions"]
        cursor = page["next"]
        if cursor is None:
            return {r["region_id"]: (r["status"], r["reopened"]) for r in rows}


def versions(service) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each region row's version (PostgreSQL's xmin): it changes when the row is written."""
    import psycopg

    with psycopg.connect(service.database_url) as conn:
        return dict(conn.execute("SELECT region_id, xmin::text FROM regions").fetchall())


def test_an_incident_reopens_what_every_ledger_reopens_and_touches_nothing_else(service, tmp_path: Path) -> None:
    dev = service.token("dev@example.com")
    assert SCOPES[3] == {"model": {"provider": "openai", "id": "o3"}}  # the recall of 1,200 and more
    lead_token = service.token("lead@example.com", role="lead")
    with Ledger(tmp_path / "dev.db") as ledger, Ledger(tmp_path / "lead.db") as lead:
        seed(ledger)
        push(ledger, Endpoint(service.url, dev))
        for n, scope in enumerate(SCOPES):
            lead.append_many([("incident-open", {"incidentId": f"INC-{n}", "scope": scope, "reason": "recall",
                                                 "openedBy": "lead@example.com", "openedAt": OPENED})],
                             actor="lead@example.com")
            before = versions(service) if service.database_url else {}
            push(lead, Endpoint(service.url, lead_token))
            pull(ledger, Endpoint(service.url, dev), ["git.example.com/acme/shop"])  # the reference: the ledger's own projection
            expected = {r["region_id"]: (r["status"], r["reopened"]) for r in ledger.regions()}
            found = served(service, lead_token)
            assert found == expected, scope
            reopened = {rid for rid, (_, by) in found.items() if by == lead.recent(1)[0].id}
            assert reopened, scope  # each scope names some of the seeded code
            assert all(found[rid][0] == "reopened" for rid in reopened)
            for status in ("unreviewed", "reopened", "ended"):  # the kept counts moved with the rows
                kept = httpx.get(f"{service.url}/v1/regions", params={"status": status, "limit": 1},
                                 headers={"authorization": f"Bearer {lead_token}"}).json()["total"]
                assert kept == sum(s == status for s, _ in found.values()), (scope, status)
            if before:
                after = versions(service)
                assert {rid for rid in after if after[rid] != before[rid]} == reopened, scope
