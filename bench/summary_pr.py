"""`ailedger summary BASE..HEAD` on a large pull request.

A real git repository; a branch adding FILES files of LINES lines each, with
REGIONS AI regions recorded in them (some reviewed), committed. Prints the
median wall and CPU time (of --rounds runs, each a subprocess, start-up
included) beside two floors measured in the same run: `git diff BASE...HEAD`
(what any pull-request view must at least read) and `ailedger --version`
(process start); the ratio to their sum is of CPU time, which other work on
the machine does not inflate.

    .venv/bin/python bench/summary_pr.py [--files 300] [--lines 60] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ailedger.ledger.store import Ledger

TARGET_RATIO = 5.0  # summary's CPU time within 5x of (git diff + process start)'s


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def build(root: Path, db: Path, files: int, lines: int) -> int:
    git(root, "init", "-q", "-b", "main")
    git(root, "remote", "add", "origin", "git@git.example.com:acme/bench.git")
    (root / "README").write_text("bench\n")
    git(root, "add", ".")
    git(root, "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    ledger = Ledger(db)
    events, regions = [], 0
    for f in range(files):
        path = f"src/pkg_{f % 20}/mod_{f}.py"
        body = [f"value_{f}_{n} = compute({f}, {n})\n" for n in range(lines)]
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        text = "".join(body)
        (root / path).write_text(text)
        for start in range(0, lines - 5, 12):  # a 5-line AI region every 12 lines
            region = "".join(body[start:start + 5])
            events.append(("acceptance", {
                "regionId": f"01BENCHSUMMARY{regions:012d}", "user": "dev@example.com",
                "repo": "git.example.com/acme/bench", "path": path,
                "range": {"start": {"line": start, "character": 0}, "end": {"line": start + 5, "character": 0}},
                "textSha256": hashlib.sha256(region.encode()).hexdigest(), "text": region, "kind": "agent-edit",
                "tool": {"name": "claude-code", "version": "2.1.0"},
                "model": {"provider": "anthropic", "id": "claude-sonnet-4", "version": None},
                "prompt": None, "parameters": None, "acceptedAt": "2026-11-30T10:00:00Z"}))
            regions += 1
        ledger.append_many(events, actor="dev@example.com")
        ledger.save_snapshot("git.example.com/acme/bench", path, text)
        events = []
    ledger.close()
    git(root, "add", ".")
    git(root, "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-q", "-m", "feature")
    return regions


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run: the CPU time stays put when other work shares the machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--lines", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, db = Path(tmp) / "repo", Path(tmp) / "ledger.db"
        root.mkdir()
        regions = build(root, db, args.files, args.lines)
        env = {**os.environ, "AILEDGER_DB": str(db)}
        ail = [str(Path(sys.executable).with_name("ailedger"))]
        cases = {
            "floor: git diff main...feature": ["git", "diff", "main...feature"],
            "floor: ailedger --version": [*ail, "--version"],
            "summary main..feature (markdown)": [*ail, "summary", "main..feature"],
            "summary main..feature --format json": [*ail, "summary", "main..feature", "--format", "json"],
        }
        timed(cases["summary main..feature (markdown)"], root, env)  # warm the projection and the OS cache
        runs = {name: [timed(argv, root, env) for _ in range(args.rounds)] for name, argv in cases.items()}
    medians = {name: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r)) for name, r in runs.items()}
    floor = [medians["floor: git diff main...feature"][i] + medians["floor: ailedger --version"][i] for i in (0, 1)]
    print(f"{args.files} files, {args.files * args.lines:,} added lines, {regions:,} regions; "
          f"medians of {args.rounds} runs; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("floor = git diff + ailedger --version; the ratio is of CPU time (wall time grows on a shared machine)")
    print(f"{'command':40} {'median s':>9} {'cpu s':>7} {'x floor':>8} {'target':>7}  ok")
    for name, (wall, cpu) in medians.items():
        if name.startswith("floor"):
            print(f"{name:40} {wall:9.3f} {cpu:7.3f} {'':>8} {'':>7}  -")
        else:
            ratio = cpu / floor[1]
            print(f"{name:40} {wall:9.3f} {cpu:7.3f} {ratio:8.2f} {TARGET_RATIO:7.1f}  {'yes' if ratio <= TARGET_RATIO else 'NO'}")


if __name__ == "__main__":
    main()
