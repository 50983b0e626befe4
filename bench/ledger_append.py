"""Ledger append and verify throughput, beside the raw SQLite floor.

    .venv/bin/python bench/ledger_append.py [--events 100000]

The floor is a plain `executemany` of the very rows the ledger wrote, into an
identical table with the same pragmas and batch size: what SQLite alone costs.
All figures come from one run on one machine; compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ailedger.ledger.schema import MIGRATIONS
from ailedger.ledger.store import Ledger, _statements

BATCH = 1_000


def acceptance(i: int) -> dict:
    text = f"total = price * quantity  # line {i}\n"
    return {
        "regionId": f"01BENCH{i:019d}",
        "user": "dev@example.com",
        "repo": "git.example.com/acme/shop",
        "path": f"src/module_{i % 200}.py",
        "range": {"start": {"line": i % 5000, "character": 4}, "end": {"line": i % 5000 + 1, "character": 0}},
        "textSha256": hashlib.sha256(text.encode()).hexdigest(),
        "text": text,
        "kind": "inline",
        "tool": {"name": "copilot", "version": "1.250.0"},
        "model": {"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"},
        "prompt": None,
        "parameters": {"temperature": 0.2},
        "acceptedAt": "2026-11-27T12:00:00Z",
    }


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def one_round(work: Path, payloads: list, single: int) -> dict[str, float]:
    """One measurement of everything, on fresh files."""
    work.mkdir(parents=True)
    ledger = Ledger(work / "ledger.db")
    batched = timed(lambda: [
        ledger.append_many(payloads[k:k + BATCH], actor="dev@example.com")
        for k in range(0, len(payloads), BATCH)
    ])
    verify = []
    for _ in range(3):
        t = time.perf_counter()
        report = ledger.verify(anchor=False)
        verify.append(time.perf_counter() - t)
        assert report.ok and report.events == len(payloads), report.problem
    verify_cli = timed(lambda: subprocess.run(
        [sys.executable, "-m", "ailedger", "--db", str(work / "ledger.db"), "verify", "--no-anchor"],
        check=True, capture_output=True))

    rows = ledger.conn.execute(
        "SELECT id, device, seq, prev_hash, hash, type, body FROM events ORDER BY rowid").fetchall()
    floor_db = sqlite3.connect(work / "floor.db", isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL"):
        floor_db.execute(f"PRAGMA {pragma}")
    for statement in _statements(MIGRATIONS[0]):
        floor_db.execute(statement)

    def floor_insert() -> None:
        for k in range(0, len(rows), BATCH):
            floor_db.execute("BEGIN IMMEDIATE")
            floor_db.executemany(
                "INSERT INTO events (id, device, seq, prev_hash, hash, type, body) VALUES (?,?,?,?,?,?,?)",
                rows[k:k + BATCH])
            floor_db.execute("COMMIT")

    floor = timed(floor_insert)
    single_ledger = Ledger(work / "single.db")
    single_time = timed(lambda: [
        single_ledger.append(*payloads[i], actor="dev@example.com") for i in range(single)])
    n = len(payloads)
    return {"batched": n / batched, "floor": n / floor, "ratio": batched / floor,
            "single": single / single_time, "verify": statistics.median(verify), "verify_cli": verify_cli}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=5_000, help="single-event commits to time")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the table shows medians")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ailedger-bench-"))
    payloads = [("acceptance", acceptance(i)) for i in range(args.events)]
    rounds = []
    for r in range(args.rounds):
        print(f"... round {r + 1} of {args.rounds}", file=sys.stderr, flush=True)
        rounds.append(one_round(work / f"round{r}", payloads, args.single))
    m = {key: statistics.median(x[key] for x in rounds) for key in rounds[0]}
    n = args.events
    table = [
        ("batched append (validate+chain)", f"{m['batched']:,.0f} ev/s", ">= 50,000 ev/s", m["batched"] >= 50_000),
        ("raw SQLite executemany (floor)", f"{m['floor']:,.0f} ev/s", "-", True),
        ("batched / floor slowdown", f"{m['ratio']:.2f}x", "<= 4x", m["ratio"] <= 4),
        ("single-event commits", f"{m['single']:,.0f} ev/s", ">= 5,000 ev/s", m["single"] >= 5000),
        (f"verify {n:,} events", f"{m['verify']:.3f} s", "< 0.5 s", m["verify"] < 0.5),
        (f"`ailedger verify` CLI, {n:,} events", f"{m['verify_cli']:.3f} s", "(incl. start-up)", True),
    ]
    width = max(len(r[0]) for r in table)
    print(f"medians of {args.rounds} round(s)")
    print(f"{'measure':<{width}}  {'figure':>16}  {'target':>16}  ok")
    for name, figure, target, ok in table:
        print(f"{name:<{width}}  {figure:>16}  {target:>16}  {'yes' if ok else 'NO'}")
    return 0 if all(r[3] for r in table) else 1


if __name__ == "__main__":
    sys.exit(main())
