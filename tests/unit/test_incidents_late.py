"""Code accepted before an incident, reaching a ledger (or the service) after
it, is reopened by every incident in whose scope it is that was opened at or
after its acceptance, in log order. `projection.Incidents` looks only at
incidents opened since a region's acceptance; here it must give exactly the
rows the rule gives when each incident of the log is checked in turn."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

from ailedger.ledger import projection
from helpers import acceptance_payload

MODELS = [{"provider": "openai", "id": "gpt-4.1", "version": None}, {"provider": "openai", "id": "o3", "version": "1"},
          {"provider": "anthropic", "id": "claude", "version": None}]
SCOPES = [{"model": {"provider": "openai"}}, {"model": {"provider": "openai", "id": "o3"}}, {"tool": {"name": "cursor"}},
          {}, {"model": {"id": "claude"}, "since": "2026-03-01T00:00:00Z"}]


def instant(stamp: str) -> datetime:
    when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def each_in_turn(row: dict[str, Any], log: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The rule, incident by incident, as the projection applied it before it kept them by opening time."""
    for event_id, p in log:
        if projection.in_scope(row, p["scope"]) and instant(row["accepted_at"]) <= instant(p["openedAt"]):
            row = projection.apply(row, event_id, "incident-open", p, "")
    return row


def stamp(rng: random.Random, months: int = 12) -> str:
    # Whole days, so that acceptances and openings often fall on the same instant (the bound is inclusive);
    # some without an offset (UTC, as the models read them), some with one.
    day = f"2026-{rng.randint(1, months):02d}-{rng.randint(1, 28):02d}"
    return rng.choice([f"{day}T00:00:00Z", f"{day}T00:00:00", f"{day}T02:00:00+02:00"])


def test_late_code_is_reopened_as_by_each_incident_in_turn() -> None:
    rng = random.Random(7)
    log: list[tuple[str, dict[str, Any]]] = []
    incidents = projection.Incidents()
    checked = reopened = 0
    for k in range(400):
        if rng.random() < 0.25:  # an incident joins the log (openings not in log order: teams sync late)
            event = (f"01INCIDENT{k:016d}", {"incidentId": f"INC-{k:08d}", "scope": rng.choice(SCOPES),
                                             "reason": "recall", "openedBy": "lead@example.com",
                                             "openedAt": stamp(rng, months=7)})
            log.append(event)
            incidents.add(*event)
            continue
        payload = acceptance_payload(k, regionId=f"01REGION{k:018d}", acceptedAt=stamp(rng), model=rng.choice(MODELS),
                                     tool={"name": rng.choice(["copilot", "cursor"]), "version": None})
        row = projection.from_acceptance(f"01ACCEPT{k:018d}", payload)
        expected = each_in_turn(row, log)
        assert incidents.reopen(row) == expected, (payload, log)
        checked += 1
        reopened += expected["status"] == "reopened"
    assert len(incidents) == len(log) > 50
    assert 50 < reopened < checked - 50, reopened  # both outcomes met often (including by several incidents)


def test_with_no_incident_a_row_is_unchanged() -> None:
    row = projection.from_acceptance("01ACCEPT", acceptance_payload(1))
    assert projection.Incidents().reopen(row) is row and not projection.Incidents()
