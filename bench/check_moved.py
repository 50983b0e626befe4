"""`ailedger check` on a repository where code moved between files, beside
the cost of reading the repository once.

    .venv/bin/python bench/check_moved.py [--files 5000] [--lines 100000] [--regions 2000] [--moved 200]

A generated git repository (a fixed seed): --files files holding --lines
lines in all, --regions AI regions recorded in the ledger (acceptances and
the snapshots an editor would have left), then --moved of them cut from
their file and pasted at the end of another file, and committed. Each
round starts from a copy of the ledger made before anything saw the moves,
so every `check` finds them again by content:

- check, cold: no line-hash index yet (the first check on a machine);
- check: the index cached beside the ledger (what every later check meets);
- check, moves already recorded: a second check on the same ledger;
- LSP start-up re-anchoring: the server's start-up pass over the workspace
  (`ledger_io.follow_moves`, what runs in its worker thread after
  `initialized`), in-process, index cached.

The floor is `git ls-files | xargs cat > /dev/null` run in the same round;
the target is check <= 5x the floor. `ailedger --version` is shown for
scale: the Python process start every command pays. Figures are medians of --rounds rounds,
wall time, process start included for the commands.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ailedger.ledger.store import Ledger

REPO = "git.example.com/acme/big"
TARGET = 5.0


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def function(n: int) -> str:
    """An AI-written function, distinct per region."""
    return (f"def ai_price_{n}(price, qty, rate={n % 97}):\n"
            f'    """Discounted total number {n}: bulk orders of {n % 13 + 2} or more."""\n'
            f"    if qty >= {n % 13 + 2}:\n"
            f"        return round(price * qty * (1 - rate / 1000), {n % 4})\n"
            f"    return price * qty + {n}\n")


def human(file: int, i: int) -> str:
    return f"value_{file}_{i} = compute({file}, {i})  # human line\n"


def generate(root: Path, files: int, lines: int, regions: int, moved: int, rand: random.Random):
    """Write the repository before the moves; return (texts, region list)."""
    per_file = lines // files
    texts: dict[str, str] = {}
    placed = []  # (region number, path, first line)
    for f in range(files):
        path = f"pkg_{f // 100:02d}/mod_{f:05d}.py"
        body = [human(f, i) for i in range(per_file)]
        if f < regions:
            at = rand.randrange(2, per_file - 7)
            body[at:at + 5] = function(f).splitlines(keepends=True)  # the file keeps its line count
            placed.append((f, path, at))
        texts[path] = "".join(body)
    for path, text in texts.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return texts, placed


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def build(work: Path, args: argparse.Namespace) -> tuple[Path, Path]:
    rand = random.Random(20261201)
    root = work / "big"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "remote", "add", "origin", f"git@{REPO.replace('/', ':', 1)}.git")
    texts, placed = generate(root, args.files, args.lines, args.regions, args.moved, rand)
    git(root, "add", "-A")
    git(root, "-c", "user.email=b@example.com", "-c", "user.name=b", "commit", "-q", "-m", "start")
    db = work / "before-moves.db"
    with Ledger(db) as ledger:
        events = []
        for n, path, at in placed:
            text = function(n)
            r = {"start": {"line": at, "character": 0}, "end": {"line": at + 5, "character": 0}}
            events.append(("acceptance", {
                "regionId": f"01BENCHMOVE{n:015d}", "user": "dev@example.com", "repo": REPO, "path": path,
                "range": r, "textSha256": sha(text), "text": text, "kind": "agent-edit",
                "tool": {"name": "claude-code", "version": "2.1.0"},
                "model": {"provider": "anthropic", "id": "claude-sonnet-4", "version": "20250514"},
                "prompt": None, "parameters": None, "acceptedAt": "2026-11-30T12:00:00Z"}))
        ledger.append_many(events, actor="dev@example.com")
        # the snapshots an editor leaves (masking has nothing to mask in generated code)
        ledger.conn.executemany("INSERT OR REPLACE INTO file_snapshots VALUES (?,?,?,?)",
                                [(REPO, path, sha(texts[path]), texts[path]) for _, path, _ in placed])
        ledger.regions(repo=REPO)  # project now: rounds measure placement, not the projection
    # the moves: cut from the origin, pasted at the end of a file without regions
    movers = rand.sample(placed, args.moved)
    targets = rand.sample(range(args.regions, args.files), args.moved)
    for (n, path, at), t in zip(movers, targets):
        text = function(n)
        (root / path).write_text(texts[path].replace(text, ""))
        dest = root / f"pkg_{t // 100:02d}/mod_{t:05d}.py"
        dest.write_text(dest.read_text() + "\n\n" + text)
    git(root, "add", "-A")
    git(root, "-c", "user.email=b@example.com", "-c", "user.name=b", "commit", "-q", "-m", "moves")
    return root, db


def command() -> list[str]:
    script = Path(sys.executable).with_name("ailedger")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ailedger"]


def timed(argv: list[str], cwd: Path, env: dict[str, str], *, shell: bool = False) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(argv if not shell else argv[0], cwd=cwd, env=env, shell=shell,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - start, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=5_000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--regions", type=int, default=2_000)
    parser.add_argument("--moved", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ailedger-bench-moved-"))
    try:
        print("... generating the repository and the ledger", file=sys.stderr, flush=True)
        root, pristine = build(work, args)
        db = work / "ledger.db"
        env = {**os.environ, "AILEDGER_DB": str(db), "AILEDGER_USER": "bench@example.com"}
        # As installed by pip: compiled once. With PYTHONDONTWRITEBYTECODE set (some
        # sandboxes do), every run would compile the package again and time that.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        import compileall

        import ailedger

        compileall.compile_dir(Path(ailedger.__file__).parent, quiet=1)
        ail = command()
        index = work / "placement-index"
        figures: dict[str, list[float]] = {k: [] for k in
                                           ("floor", "version", "cold", "check", "recorded", "startup",
                                                                "startup-cold")}
        found = None
        for r in range(args.rounds):
            print(f"... round {r + 1} of {args.rounds}", file=sys.stderr, flush=True)
            figures["floor"].append(timed(["git ls-files -z | xargs -0 cat > /dev/null"], root, env, shell=True)[0])
            figures["version"].append(timed([*ail, "--version"], root, env)[0])
            shutil.rmtree(index, ignore_errors=True)
            shutil.copyfile(pristine, db)
            took, code = timed([*ail, "check", "--json"], root, env)
            figures["cold"].append(took)
            shutil.copyfile(pristine, db)  # the moves unrecorded again; the index stays
            took, code = timed([*ail, "check", "--json"], root, env)
            assert code == 1, "unreviewed AI code must fail the check"
            figures["check"].append(took)
            figures["recorded"].append(timed([*ail, "check", "--json"], root, env)[0])
            if found is None:
                out = subprocess.run([*ail, "check", "--json"], cwd=root, env=env, capture_output=True, text=True)
                import json

                report = json.loads(out.stdout)
                found = (report["regions"], report["notInWorkingCopy"])
                with Ledger(db, create=False) as ledger:
                    moves = ledger.conn.execute("SELECT count(*) FROM events WHERE type = 'region-move'").fetchone()[0]
            for name, cold in (("startup", False), ("startup-cold", True)):
                shutil.copyfile(pristine, db)
                if cold:
                    shutil.rmtree(index, ignore_errors=True)
                from ailedger.lsp import ledger_io

                with Ledger(db, create=False) as ledger:
                    start = time.perf_counter()
                    ledger_io.follow_moves(ledger, [root])
                    figures[name].append(time.perf_counter() - start)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in figures.items()}
    floor = med["floor"]
    print(f"{args.files:,} files, {args.lines:,} lines, {args.regions:,} regions, {args.moved} moved to other files; "
          f"check placed {found[0]:,} regions ({found[1]} not found), recorded {moves} moves; "
          f"medians of {args.rounds} rounds, wall time")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    rows = [
        ("floor: git ls-files | xargs cat > /dev/null", floor, None),
        ("for scale: ailedger --version (process start)", med["version"], None),
        ("ailedger check (index cached, 200 moves to find)", med["check"], TARGET),
        ("ailedger check, cold (no index yet)", med["cold"], None),
        ("ailedger check, moves already recorded", med["recorded"], None),
        ("LSP start-up re-anchoring (index cached)", med["startup"], None),
        ("LSP start-up re-anchoring, cold", med["startup-cold"], None),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'median s':>9}  {'x floor':>7}  {'target':>6}  ok")
    for name, value, target in rows:
        ratio = value / floor
        ok = ("yes" if ratio <= target else "NO") if target else "-"
        print(f"{name:<{width}}  {value:>9.3f}  {ratio:>7.1f}  {f'{target:.0f}x' if target else '-':>6}  {ok}")
    return 0 if med["check"] / floor <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
