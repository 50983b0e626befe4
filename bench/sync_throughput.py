"""Sync throughput to a local audit service (SQLite and PostgreSQL), and the
client's memory while it pushes a large backlog.

    .venv/bin/python bench/sync_throughput.py [--events 50000] [--backlog 1000000]

Memory is sampled (RSS) as the backlog drains: flat means it does not grow
with the backlog. One run, one machine: compare the figures side by side.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from helpers import acceptance_payload  # noqa: E402

from ailedger.ledger.store import Ledger  # noqa: E402
from ailedger.sync.client import Endpoint, push  # noqa: E402
from ailedger.sync.service.local import start  # noqa: E402

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def fill(path: Path, count: int) -> Ledger:
    ledger = Ledger(path)
    for k in range(0, count, 10_000):
        ledger.append_many([("acceptance", acceptance_payload(i, regionId=f"B{i}"))
                            for i in range(k, min(count, k + 10_000))], actor="bench@example.com")
    return ledger


def fresh_schema(name: str) -> str:
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{name}"')
    return f"{POSTGRES}?options=-csearch_path%3D{name}"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=50_000, help="events pushed for the throughput figures")
    parser.add_argument("--backlog", type=int, default=1_000_000, help="backlog for the memory figure (0: skip)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ailedger-syncbench-"))
    print(f"... filling a ledger with {args.events:,} events", file=sys.stderr, flush=True)
    ledger = fill(work / "ledger.db", args.events)
    rows = []
    for name, url in (("SQLite", None), ("PostgreSQL", fresh_schema("bench_sync"))):
        print(f"... pushing to {name}", file=sys.stderr, flush=True)
        service = start(work / f"service-{name}", url)
        base, token = service.url, service.token("bench@example.com")
        began = time.perf_counter()
        result = push(ledger, Endpoint(base, token), batch=1000)
        elapsed = time.perf_counter() - began
        service.stop()
        assert result.pushed == args.events, result
        rate = args.events / elapsed
        rows.append((f"push {args.events:,} events to {name}", f"{rate:,.0f} ev/s",
                     ">= 5,000 ev/s" if name == "SQLite" else "-", rate >= 5000 or name != "SQLite"))
    if args.backlog:
        print(f"... memory while pushing a {args.backlog:,}-event backlog", file=sys.stderr, flush=True)
        big = fill(work / "big.db", args.backlog)
        service = start(work / "service-memory")
        base, token = service.url, service.token("bench@example.com")
        samples: list[tuple[int, float]] = []
        marks = {int(args.backlog * f) for f in (0.1, 0.25, 0.5, 0.75, 1.0)}

        def progress(done: int, total: int) -> None:
            if any(done >= m and all(s[0] < m for s in samples) for m in marks):
                samples.append((done, rss_mb()))

        before = rss_mb()
        push(big, Endpoint(base, token), batch=1000, progress=progress)
        service.stop()
        growth = max(s[1] for s in samples) - min(s[1] for s in samples)
        trail = ", ".join(f"{d // 1000}k: {m:.0f} MB" for d, m in samples)
        rows.append((f"client RSS pushing {args.backlog:,}", f"{before:.0f}->{samples[-1][1]:.0f} MB",
                     "flat", growth < 30))
        print(f"    samples: {trail}", file=sys.stderr)
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'figure':>16}  {'target':>14}  ok")
    for name, figure, target, ok in rows:
        print(f"{name:<{width}}  {figure:>16}  {target:>14}  {'yes' if ok else 'NO'}")
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
