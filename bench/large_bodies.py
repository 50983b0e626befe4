"""Pushes of acceptances that carry a long prompt (4 kB, as a chat or an
agent's request with its context does), on PostgreSQL: an event body past
2 kB is compressed as it is stored, with lz4 since schema version 7, with
pglz (PostgreSQL's default) before.

Floor: the same number of acceptances with no prompt (bodies under 2 kB:
nothing to compress), in the same run, interleaved; the figure is
PostgreSQL's CPU per event (all its processes) and the push's wall time,
one push of 1,000 at a time, in this process.

    .venv/bin/python bench/large_bodies.py [--events 4000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).parent))
from helpers import acceptance_payload  # noqa: E402
from helpers_service import drop_made, postgres_schema  # noqa: E402
from incident_history import wire  # noqa: E402
from service_scale import postgres_cpu  # noqa: E402

from ailedger.ledger.ids import new_id  # noqa: E402
from ailedger.ledger.store import Ledger  # noqa: E402
from ailedger.sync.service.postgres import PostgresStorage  # noqa: E402
from ailedger.sync.service.schema import event_tables  # noqa: E402

WORDS = ("the pricing module bulk discount orders items rounding rules tests cart shipping weight customer invoice"
         " refactor keep add update handle edge case when quantity is zero negative return error message").split()


def prompt(rng: random.Random) -> str:
    """About 4 kB of a request in words (compressible as prose is, not as random bytes)."""
    return " ".join(rng.choice(WORDS) for _ in range(600))


def events(work: Path, count: int, long_prompts: bool) -> list[dict[str, Any]]:
    rng = random.Random(7)
    with Ledger(work / f"dev-{long_prompts}.db") as ledger:
        for k in range(0, count, 1000):
            ledger.append_many([("acceptance", acceptance_payload(
                i, regionId=new_id(), prompt=prompt(rng) if long_prompts else None))
                for i in range(k, min(count, k + 1000))], actor="dev@example.com")
        return wire(ledger)


def push_all(batch: list[dict[str, Any]], compression: str) -> tuple[float, float]:
    """(wall seconds, PostgreSQL CPU seconds) to push `batch` into a fresh schema storing bodies with `compression`."""
    storage = PostgresStorage(postgres_schema(f"bench_bodies_{compression}"))
    try:
        if compression == "pglz":  # as before schema version 7
            def back(t: Any) -> None:
                for table in event_tables(t):
                    t.x(f'ALTER TABLE "{table}" ALTER COLUMN body SET COMPRESSION pglz')
            storage.prepare(storage.received_now())
            storage.write(back)
        dev = storage.principal(storage.create_token("dev@example.com", "developer", "default"))
        storage.prepare(storage.received_now())
        began, cpu = time.perf_counter(), postgres_cpu()
        for k in range(0, len(batch), 1000):
            storage.push(dev, [dict(e) for e in batch[k:k + 1000]], None, f"b{k}", lambda r: r)
        return time.perf_counter() - began, postgres_cpu() - cpu
    finally:
        storage.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are shown")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ailedger-bodies-"))
    short, long = events(work, args.events, False), events(work, args.events, True)
    size = statistics.mean(len(e["payload"]["prompt"] or "") for e in long)
    cases = {"no prompt (floor)": (short, "lz4"), "4 kB prompts, lz4 (this release)": (long, "lz4"),
             "4 kB prompts, pglz (before)": (long, "pglz")}
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    try:
        for r in range(args.rounds):
            print(f"... round {r + 1} of {args.rounds}", file=sys.stderr, flush=True)
            for name, (batch, compression) in cases.items():
                found[name].append(push_all(batch, compression))
    finally:
        drop_made()
    floor = statistics.median(cpu for _, cpu in found["no prompt (floor)"])
    width = max(map(len, cases))
    print(f"{args.events:,} acceptances pushed 1,000 at a time; prompts of {size:,.0f} characters")
    print(f"{'measure':<{width}}  {'push wall':>12}  {'PostgreSQL CPU':>16}  {'vs floor':>9}")
    for name in cases:
        wall = statistics.median(w for w, _ in found[name]) / args.events * 1e6
        cpu = statistics.median(c for _, c in found[name])
        print(f"{name:<{width}}  {wall:>9.0f} us  {cpu / args.events * 1e6:>10.0f} us/ev  {cpu / floor:>8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
