"""`ailedger report`, `blame` and `stats` on a ledger of 1,000,000 events.

    .venv/bin/python bench/report_blame_1m.py [--events 1000000] [--rounds 3]

The ledger is realistic and reproducible (a fixed seed): acceptances across
ten repositories of 300 files each, two region updates per acceptance, a
review for most regions (some rejected, some never reviewed) and a few ended
regions; plus one 1,000-line file in a real git working copy whose 120
regions `blame` places. It is built once (about two minutes) and cached at
/tmp/ailedger-bench-1m-<VERSION>-<EVENTS>.db; each run copies the cache, so
the first command meets the lazy regions projection still to catch up with
every event. That cold run is shown on its own line; the other figures are
warm (projection caught up), medians of --rounds runs, each the wall time of
the real command as a subprocess, start-up included, and beside it the CPU
time the command used (steady when other work shares the machine).

The floors: `ailedger --version` (process start and argument parsing), and a
raw `SELECT count(*) FROM regions` in a fresh Python process.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ailedger.ledger.store import Ledger

VERSION = "v1"  # bump when the generated ledger changes
TARGET = 2.0
BATCH = 20_000
SHOP = "git.example.com/acme/shop"
REPOS = [SHOP] + [f"git.example.com/acme/{n}" for n in
                  ("api", "web", "infra", "ml", "billing", "search", "mobile", "auth", "data")]
TOOLS = [("copilot", "1.250.0"), ("cursor", "1.7.2"), ("claude-code", "2.1.0"), ("codex", "0.46.0"),
         ("aider", "0.86.1")]
MODELS = [("openai", "gpt-4.1", "2025-04-14"), ("openai", "gpt-5", None),
          ("anthropic", "claude-sonnet-4", "20250514"), ("anthropic", "claude-opus-4", None),
          ("google", "gemini-2.5-pro", None), (None, None, None)]
AUTHORS = [f"dev{i:02d}@example.com" for i in range(40)]
LEADS = [f"lead{i}@example.com" for i in range(6)]
START = datetime(2026, 6, 1, tzinfo=timezone.utc)
SPAN_HOURS = 24 * 170
BLAME_FILE = "src/pricing.py"
BLAME_LINES = 1_000
BLAME_REGIONS = 120


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def stamp(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def rng_range(line: int, lines: int) -> dict:
    return {"start": {"line": line, "character": 0}, "end": {"line": line + lines, "character": 0}}


def blame_text() -> tuple[str, list[tuple[int, str]]]:
    """The blamed file, and (first line, text) of each AI region in it."""
    lines = [f"def step_{i}(price, qty):  # line {i + 1}\n" if i % 4 == 0 else f"    value_{i} = price * {i}\n"
             for i in range(BLAME_LINES)]
    step = BLAME_LINES // BLAME_REGIONS
    regions = [(k * step, "".join(lines[k * step:k * step + 3])) for k in range(BLAME_REGIONS)]
    return "".join(lines), regions


def generate(n_events: int, rand: random.Random):
    """Yield (type, payload) in time order, about n_events of them."""
    _, blamed = blame_text()
    n_blamed = 2 * len(blamed)  # an acceptance and, for most, a review
    # acceptance + 2 updates + ~0.8 review + ~0.2 ended; a margin for chance, topped up below
    n_acceptances = (n_events - n_blamed) // 4 - n_events // 1000
    regions: list[tuple[str, str, str, datetime]] = []  # id, repo, path, accepted
    emitted = 0

    def acceptance(region_id: str, repo: str, path: str, line: int, text: str, when: datetime) -> tuple[str, dict]:
        tool, model = rand.choice(TOOLS), rand.choice(MODELS)
        return "acceptance", {
            "regionId": region_id, "user": rand.choice(AUTHORS), "repo": repo, "path": path,
            "range": rng_range(line, text.count("\n")), "textSha256": sha(text), "text": text,
            "kind": rand.choice(("inline", "inline", "next-edit", "chat-insert", "agent-edit")),
            "tool": {"name": tool[0], "version": tool[1]},
            "model": None if model[0] is None else {"provider": model[0], "id": model[1], "version": model[2]},
            "prompt": None, "parameters": {"temperature": 0.2}, "acceptedAt": stamp(when),
        }

    def review(region_id: str, text_sha: str, accepted: datetime) -> tuple[str, dict]:
        verdict = rand.choices(("approved", "approved-with-changes", "rejected"), (85, 5, 10))[0]
        return "review", {"regionIds": [region_id], "reviewer": rand.choice(LEADS), "verdict": verdict,
                          "textSha256": {region_id: text_sha},
                          "reviewedAt": stamp(accepted + timedelta(hours=rand.expovariate(1 / 30)))}

    for i in range(n_acceptances):
        when = START + timedelta(hours=SPAN_HOURS * i / n_acceptances)
        repo = REPOS[0] if rand.random() < 0.1 else rand.choice(REPOS[1:])
        path = f"src/pkg_{rand.randrange(30)}/module_{rand.randrange(10)}.py"
        line = rand.randrange(2000)
        text = f"    total_{i} = price * quantity  # {i}\n    return total_{i}\n"
        region_id = f"01BENCH{i:019d}"
        regions.append((region_id, repo, path, when))
        yield acceptance(region_id, repo, path, line, text, when)
        emitted += 1
        # Events about older regions, in time order with the acceptances.
        k = i - 37
        if k >= 0:
            rid, _, kpath, _ = regions[k]
            moved = f"    total_{k} = price * quantity  # {k}, edited\n    return total_{k}\n"
            for n, reason in enumerate(("edit", "save")):
                at = rng_range(100 + n + k % 1000, 2)
                yield "region-update", {"regionId": rid, "path": kpath, "range": at, "aiRanges": [at],
                                        "textSha256": sha(moved), "aiFraction": 0.9, "reason": reason}
            emitted += 2
        k = i - 100
        if k >= 0 and rand.random() < 0.8:
            rid, _, _, accepted = regions[k]
            yield review(rid, sha(f"    total_{k} = price * quantity  # {k}, edited\n    return total_{k}\n"), accepted)
            emitted += 1
        k = i - 500
        if k >= 0 and rand.random() < 0.2:
            yield "region-ended", {"regionId": regions[k][0], "reason": "deleted"}
            emitted += 1
    end = START + timedelta(hours=SPAN_HOURS)
    for n, (line, text) in enumerate(blamed):
        region_id = f"01BLAME{n:019d}"
        yield acceptance(region_id, SHOP, BLAME_FILE, line, text, end)
        if n % 3:
            yield review(region_id, sha(text), end)
        emitted += 1 + (1 if n % 3 else 0)
    while emitted < n_events:  # top up with saves of the blamed regions, so the count is exact
        line, text = blamed[emitted % len(blamed)]
        at = rng_range(line, 3)
        yield "region-update", {"regionId": f"01BLAME{emitted % len(blamed):019d}", "path": BLAME_FILE,
                                "range": at, "aiRanges": [at], "textSha256": sha(text), "aiFraction": 1.0,
                                "reason": "save"}
        emitted += 1


def build(path: Path, n_events: int) -> None:
    """Write the ledger to `path` (via a temporary file: a cache is whole or absent)."""
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    ledger = Ledger(partial)
    batch: list = []
    done = 0
    for item in generate(n_events, random.Random(20261127)):
        batch.append(item)
        if len(batch) == BATCH:
            ledger.append_many(batch, actor="bench@example.com")
            done += len(batch)
            batch = []
            if done % 100_000 == 0:
                rate = done / (time.perf_counter() - started)
                print(f"... built {done:,} of {n_events:,} events ({rate:,.0f} ev/s)", file=sys.stderr, flush=True)
    if batch:
        ledger.append_many(batch, actor="bench@example.com")
    assert ledger.count() == n_events, ledger.count()
    ledger.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ledger.close()
    os.replace(partial, path)
    print(f"... built in {time.perf_counter() - started:.0f} s: {path}", file=sys.stderr, flush=True)


def working_copy(root: Path) -> Path:
    """A git working copy of the shop repository holding the blamed file."""
    file = root / BLAME_FILE
    file.parent.mkdir(parents=True)
    file.write_text(blame_text()[0])
    git = ["git", "-C", str(root)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "remote", "add", "origin", f"git@{SHOP.replace('/', ':', 1)}.git"], check=True)
    return file


def command() -> list[str]:
    script = Path(sys.executable).with_name("ailedger")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ailedger"]


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of the command. The CPU time (user +
    system) is what the command itself cost: on a busy machine it stays put
    while the wall time grows."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="warm runs of each command; the table shows medians")
    parser.add_argument("--cache", type=Path, default=None, help="where the built ledger is kept between runs")
    args = parser.parse_args()
    cache = args.cache or Path(tempfile.gettempdir()) / f"ailedger-bench-1m-{VERSION}-{args.events}.db"
    if not cache.exists():
        print(f"... building a ledger of {args.events:,} events (once; cached at {cache})", file=sys.stderr)
        build(cache, args.events)
    work = Path(tempfile.mkdtemp(prefix="ailedger-bench-1m-"))
    try:
        db = work / "ledger.db"
        shutil.copyfile(cache, db)
        file = working_copy(work / "shop")
        env = {**os.environ, "AILEDGER_DB": str(db), "AILEDGER_USER": "bench@example.com", "COLUMNS": "160"}
        ail = command()
        cwd = file.parents[1]
        cases = [
            ("report --repo (table)", [*ail, "report", "--repo", SHOP]),
            ("report --repo --format json", [*ail, "report", "--repo", SHOP, "--format", "json"]),
            ("report --repo --format sarif", [*ail, "report", "--repo", SHOP, "--format", "sarif"]),
            ("report --status unreviewed --format sarif (all repos)",
             [*ail, "report", "--status", "unreviewed", "--format", "sarif"]),
            ("report --repo --path --author --since", [*ail, "report", "--repo", SHOP, "--path", "src/pkg_3",
                                                     "--author", "dev07@example.com", "--since", "2026-10-01"]),
            (f"blame {BLAME_FILE}:1-200", [*ail, "blame", f"{BLAME_FILE}:1-200"]),
            (f"blame {BLAME_FILE} (whole, {BLAME_LINES:,} lines)", [*ail, "blame", BLAME_FILE]),
            (f"blame {BLAME_FILE} --json", [*ail, "blame", BLAME_FILE, "--json"]),
            ("stats (all repos)", [*ail, "stats"]),
            ("stats --repo --format json", [*ail, "stats", "--repo", SHOP, "--format", "json"]),
        ]
        print("... cold: the first command projects every event into the regions table", file=sys.stderr)
        cold = timed(cases[1][1], cwd, env)
        with Ledger(db, create=False) as ledger:
            regions = ledger.conn.execute("SELECT count(*) FROM regions").fetchone()[0]
            in_repo = ledger.conn.execute("SELECT count(*) FROM regions WHERE repo = ?", (SHOP,)).fetchone()[0]
        floors = [
            ("floor: ailedger --version", [*ail, "--version"]),
            ("floor: raw sqlite3 SELECT count(*) FROM regions",
             [sys.executable, "-c", f"import sqlite3; sqlite3.connect({str(db)!r}).execute("
                                    "'SELECT count(*) FROM regions').fetchone()"]),
        ]
        rows = []
        for name, argv in floors + cases:
            print(f"... {name}", file=sys.stderr, flush=True)
            runs = [timed(argv, cwd, env) for _ in range(args.rounds)]
            rows.append((name, statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs),
                         name.startswith(("report", "blame"))))  # the target is for these two
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.events:,} events; {regions:,} regions, {in_repo:,} in {SHOP}; "
          f"warm figures are medians of {args.rounds} runs (wall time, process start included)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work slows wall times)")
    cold_name = "cold: first report after copying (projection catches up)"
    width = max(len(cold_name), *(len(r[0]) for r in rows))
    print(f"{'command':<{width}}  {'median s':>9}  {'cpu s':>7}  {'target s':>8}  ok")
    print(f"{cold_name:<{width}}  {cold[0]:>9.3f}  {cold[1]:>7.3f}  {'-':>8}  -")
    for name, figure, cpu, targeted in rows:
        verdict = ("yes" if figure < TARGET else "NO") if targeted else "-"
        print(f"{name:<{width}}  {figure:>9.3f}  {cpu:>7.3f}  {f'{TARGET:.1f}' if targeted else '-':>8}  {verdict}")
    return 0 if all(figure < TARGET for _, figure, _, targeted in rows if targeted) else 1


if __name__ == "__main__":
    sys.exit(main())
