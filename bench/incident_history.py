"""Acceptances pushed or pulled into an organisation with a history of
incidents: does the cost of each new acceptance grow with the number of
incidents ever opened? Every acceptance is checked against the incidents
that may reopen it (code accepted before an incident, synced after it); an
organisation opens a few a month, so after some years there are hundreds.

Floor: the same acceptances with no incident stored, in the same run,
interleaved (the machine is shared: the ratio is the figure).

1. The service (PostgreSQL, in this process, one push at a time): 10,000
   acceptances in batches of 1,000, with 0 / 100 / 1,000 incidents stored.
2. A ledger pulling those acceptances (`import_events`, then reading the
   regions), with 0 / 100 / 1,000 incidents already in it.
3. The projection alone (`Incidents.reopen`), per acceptance, beside the
   rule applied incident by incident (as before this bench was written).

Target (ours): 1,000 incidents cost an acceptance no more than 1.2x none.

    .venv/bin/python bench/incident_history.py [--events 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from helpers import acceptance_payload  # noqa: E402
from helpers_service import drop_made, postgres_schema  # noqa: E402

from ailedger.ledger import projection  # noqa: E402
from ailedger.ledger.ids import new_id  # noqa: E402
from ailedger.ledger.store import Ledger  # noqa: E402
from ailedger.sync.client import _wire, import_events  # noqa: E402
from ailedger.sync.service.app import _events_of  # noqa: E402
from ailedger.sync.service.postgres import PostgresStorage  # noqa: E402

HISTORY = (0, 100, 1000)
NOW = "2026-12-01T10:00:00Z"  # the acceptances' time: after every incident, as new code is


def incident(k: int) -> dict[str, Any]:
    """One of an organisation's past incidents: a model or a tool, opened some day of the three years before."""
    scope = [{"model": {"provider": "openai", "id": f"gpt-{k % 9}"}}, {"tool": {"name": "copilot"}},
             {"model": {"provider": "anthropic"}, "since": "2025-01-01T00:00:00Z"}][k % 3]
    opened = f"{2023 + k % 3}-{1 + k % 12:02d}-{1 + k % 28:02d}T09:00:00Z"
    return {"incidentId": f"INC-{k:08d}", "scope": scope, "reason": "recall", "openedBy": "lead@example.com",
            "openedAt": opened}


def acceptances(ledger: Ledger, count: int) -> None:
    for k in range(0, count, 5000):
        ledger.append_many([("acceptance", acceptance_payload(
            i, regionId=new_id(), acceptedAt=NOW, model={"provider": "openai", "id": f"gpt-{i % 9}", "version": None},
            path=f"src/m{i % 40}.py")) for i in range(k, min(count, k + 5000))], actor="dev@example.com")


def wire(ledger: Ledger) -> list[dict[str, Any]]:
    """The ledger's events as a push carries them, parsed as the service parses a push (1,000 at a time)."""
    rows = ledger.conn.execute("SELECT id, device, seq, prev_hash, hash, type, body FROM events ORDER BY rowid")
    events: list[dict[str, Any]] = []
    while batch := rows.fetchmany(1000):
        parsed, _, refusal = _events_of(b'{"events":[' + b",".join(_wire(r) for r in batch) + b"]}")
        assert refusal is None, refusal
        events += parsed
    return events


def service_push(events: list[dict[str, Any]], history: int, work: Path) -> float:
    """Seconds to push `events` (batches of 1,000) into a fresh schema holding `history` incidents."""
    storage = PostgresStorage(postgres_schema(f"bench_incidents_{history}"))
    try:
        lead = storage.principal(storage.create_token("lead@example.com", "lead", "default"))
        dev = storage.principal(storage.create_token("dev@example.com", "developer", "default"))
        if history:
            with Ledger(work / f"lead-{history}-{time.monotonic_ns()}.db") as ledger:
                ledger.append_many([("incident-open", incident(k)) for k in range(history)], actor="lead@example.com")
                history_events = wire(ledger)
                for k in range(0, history, 1000):
                    storage.push(lead, history_events[k:k + 1000], None, f"h{k}", lambda r: r)
        began = time.perf_counter()
        for k in range(0, len(events), 1000):
            storage.push(dev, [dict(e) for e in events[k:k + 1000]], None, f"b{k}", lambda r: r)
        return time.perf_counter() - began
    finally:
        storage.close()


def ledger_pull(events: list[dict[str, Any]], history: int, work: Path) -> float:
    """Seconds for a ledger holding `history` incidents to import `events` and project them."""
    with Ledger(work / f"puller-{history}-{time.monotonic_ns()}.db") as ledger:
        ledger.append_many([("incident-open", incident(k)) for k in range(history)], actor="lead@example.com")
        ledger.regions()
        began = time.perf_counter()
        for k in range(0, len(events), 1000):
            import_events(ledger, events[k:k + 1000])
        ledger.regions()  # the projection catches up on read
        return time.perf_counter() - began


def each_in_turn(row: dict[str, Any], log: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The rule incident by incident: what every acceptance paid before `Incidents`."""
    for event_id, p in log:
        if projection.in_scope(row, p["scope"]) and row["accepted_at"] <= p["openedAt"]:
            row = projection.apply(row, event_id, "incident-open", p, "")
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; medians are shown")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ailedger-incidents-"))
    with Ledger(work / "dev.db") as dev:
        acceptances(dev, args.events)
        events = wire(dev)
    assert len(events) == args.events
    pushed: dict[int, list[float]] = {h: [] for h in HISTORY}
    pulled: dict[int, list[float]] = {h: [] for h in HISTORY}
    try:
        for r in range(args.rounds):
            print(f"... round {r + 1} of {args.rounds}", file=sys.stderr, flush=True)
            for history in HISTORY:
                pushed[history].append(service_push(events, history, work))
                pulled[history].append(ledger_pull(events, history, work))
    finally:
        drop_made()
    rows = []
    for name, times in (("service push", pushed), ("ledger pull", pulled)):
        floor = statistics.median(times[0])
        for history in HISTORY:
            took = statistics.median(times[history])
            rows.append((f"{name}, {history:,} incidents stored", f"{args.events / took:,.0f} acc/s",
                         f"floor {args.events / floor:,.0f}", f"x{took / floor:.2f}",
                         history == 0 or took / floor <= 1.2))
    rows_of = [projection.from_acceptance(new_id(), acceptance_payload(
        i, regionId=new_id(), acceptedAt=NOW, model={"provider": "openai", "id": f"gpt-{i % 9}", "version": None}))
        for i in range(2000)]
    log = [(new_id(), incident(k)) for k in range(1000)]
    known = projection.Incidents(log)
    for name, check in (("projection: Incidents.reopen", known.reopen),
                        ("projection: each incident in turn", lambda row: each_in_turn(row, log))):
        began = time.process_time()
        for row in rows_of:
            check(row)
        rows.append((f"{name}, 1,000 incidents", f"{(time.process_time() - began) / len(rows_of) * 1e6:.1f} us/acc",
                     "", "", True))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'figure':>14}  {'beside':>14}  {'ratio':>7}  ok (<= 1.2x)")
    for name, figure, beside, ratio, ok in rows:
        print(f"{name:<{width}}  {figure:>14}  {beside:>14}  {ratio:>7}  {'yes' if ok else 'NO'}")
    return 0 if all(r[4] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
