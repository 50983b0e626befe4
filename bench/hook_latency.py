"""Wall time of an agent hook, process start to exit, as an agent sees it:
the command `ailedger hooks install claude-code` writes into
.claude/settings.json, run with the payload on stdin (Claude Code's
PreToolUse / PostToolUse on a 1,000-line file in a git repository).
The floor, `python3 -c pass` with the venv's interpreter (the one the hook
runs), runs interleaved in the same loop so that machine load hits both
alike; when the `python3` on PATH is another program (a pyenv shim), it is
timed too and shown beside it.

Targets: before-edit median <= 2x the floor; before-edit p99 under 1 s while
another process holds the ledger's write lock for 5 s.

    python bench/hook_latency.py [--runs 100]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINES = 1000
HOLD = 5.0  # seconds the other process keeps the write lock
PYTHON = Path(sys.executable)
AILEDGER = PYTHON.parent / "ailedger"
HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


CPU: dict[float, float] = {}  # wall sample -> the child's CPU time (user + system), for a load-independent view


def wall(argv: list[str], stdin: bytes, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert proc.stdin is not None
    proc.stdin.write(stdin)
    proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
    CPU[elapsed] = usage.ru_utime + usage.ru_stime
    return elapsed


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


class Hooks:
    def __init__(self, root: Path) -> None:
        self.repo = root / "work"
        self.repo.mkdir()
        self.file = self.repo / "big.py"
        self.file.write_text("".join(f"value_{i} = {i}\n" for i in range(LINES)))
        self.env = {**os.environ, "AILEDGER_DB": str(root / "ledger.db"), "AILEDGER_USER": "bench@example.com",
                    "XDG_STATE_HOME": str(root / "state"), "XDG_CONFIG_HOME": str(root / "config"),
                    "GIT_CONFIG_GLOBAL": os.devnull}
        # An installed ailedger has its bytecode cached; a hook would not compile every module every time.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env.pop("AILEDGER_HOOK_BUDGET", None)  # the hook's own budget, as users get it
        for args in (["init", "-q"], ["remote", "add", "origin", "git@git.example.com:acme/bench.git"]):
            subprocess.run(["git", *args], cwd=self.repo, check=True)
        subprocess.run([str(AILEDGER), "hooks", "install", "claude-code"], cwd=self.repo, env=self.env, check=True,
                       stdout=subprocess.DEVNULL)
        settings = json.loads((self.repo / ".claude" / "settings.json").read_text())
        self.command = shlex.split(settings["hooks"]["PreToolUse"][0]["hooks"][0]["command"])  # what Claude Code runs
        self.n = 0

    def payload(self, event: str, key: str) -> bytes:
        return json.dumps({
            "session_id": "bench", "cwd": str(self.repo), "hook_event_name": event,
            "tool_name": "Edit", "tool_use_id": key,
            "tool_input": {"file_path": str(self.file), "old_string": "value_0 = 0\n",
                           "new_string": "value_0 = 0\nadded = 1\n"},
        }).encode()

    def before(self) -> float:
        self.n += 1
        return wall(self.command, self.payload("PreToolUse", f"b{self.n}"), self.env)

    def after(self) -> float:
        """One whole edit; only the after-edit hook is timed."""
        self.n += 1
        key = f"a{self.n}"
        wall(self.command, self.payload("PreToolUse", key), self.env)
        lines = self.file.read_text().splitlines(keepends=True)
        lines.insert(len(lines) // 2, f"added_{self.n} = {self.n}\n")
        self.file.write_text("".join(lines))
        return wall(self.command, self.payload("PostToolUse", key), self.env)


def _acceptances(env: dict[str, str]) -> int:
    with sqlite3.connect(env["AILEDGER_DB"]) as conn:
        return conn.execute("SELECT COUNT(*) FROM events WHERE type = 'acceptance'").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        hooks = Hooks(Path(tmp))
        floor_env = dict(hooks.env)
        floor, before, after, path_floor = [], [], [], []
        on_path = shutil.which("python3")
        other = on_path is not None and Path(on_path).resolve() != PYTHON.resolve()
        hooks.after()  # warm-up: creates the ledger, caches the bytecode
        hooks.before()
        for _ in range(runs):
            floor.append(wall([str(PYTHON), "-c", "pass"], b"", floor_env))
            if other:
                path_floor.append(wall([str(on_path), "-c", "pass"], b"", floor_env))
            before.append(hooks.before())
            after.append(hooks.after())

        holder = subprocess.Popen([str(PYTHON), "-c", HOLDER, hooks.env["AILEDGER_DB"], str(HOLD)],
                                  stdout=subprocess.PIPE, text=True)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        locked_before, locked_after, locked_floor = [], [], []
        while holder.poll() is None:
            locked_floor.append(wall([str(PYTHON), "-c", "pass"], b"", floor_env))
            locked_before.append(hooks.before())
            if len(locked_after) < 2:
                locked_after.append(hooks.after())
        holder.wait()
        spool = Path(hooks.env["AILEDGER_DB"] + ".spool")
        spooled = len(list(spool.glob("*.json")))
        expected = runs + 1 + len(locked_after)
        deadline = time.monotonic() + 60  # a hook that let the agent go on may still be finishing
        while True:
            subprocess.run([str(AILEDGER), "verify"], env=hooks.env, check=True, stdout=subprocess.DEVNULL)
            events = _acceptances(hooks.env)
            if events >= expected or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        left = len(list(spool.glob("*.json")))
        log = Path(hooks.env["XDG_STATE_HOME"]) / "ailedger" / "hooks" / "hooks.log"
        background = log.read_text().count("finishing in the background")

    base = statistics.median(floor)
    print(f"hook wall time, process start to exit ({LINES:,}-line file, {runs} interleaved runs)")
    print(f"hook command: {shlex.join(hooks.command)}")
    if other:
        print(f"python3 on PATH: {on_path} (not the venv's interpreter; the floor is the venv's, the stricter)")
    print()
    cpu_base = statistics.median(CPU[v] for v in floor)
    print(f"{'':44} {'median':>9} {'p99':>9} {'x floor':>8} {'CPU med':>9} {'x floor':>8}")
    rows = [
        ("floor: python3 -c pass (the venv's)", floor),
        *([("python3 -c pass, the python3 on PATH", path_floor)] if path_floor else []),
        ("before-edit (PreToolUse)", before),
        ("after-edit (PostToolUse, appends)", after),
        (f"floor, while the lock is held ({len(locked_floor)} runs)", locked_floor),
        (f"before-edit, lock held {HOLD:g} s ({len(locked_before)} runs)", locked_before),
        (f"after-edit, lock held (spools; {len(locked_after)} runs)", locked_after),
    ]
    for name, values in rows:
        med, cpu = statistics.median(values), statistics.median(CPU[v] for v in values)
        print(f"{name:44} {med * 1000:7.1f}ms {p99(values) * 1000:7.1f}ms {med / base:7.2f}x"
              f" {cpu * 1000:7.1f}ms {cpu / cpu_base:7.2f}x")
    ratio = statistics.median(before) / base
    print(f"\nbefore-edit median / floor: {ratio:.2f}x (target <= 2x): {'ok' if ratio <= 2 else 'MISSED'}")
    worst = p99(locked_before)
    print(f"before-edit p99 with the lock held: {worst * 1000:.0f} ms (target < 1 s): {'ok' if worst < 1 else 'MISSED'}")
    print(f"after-edits spooled under the lock: {spooled}; left after the next `ailedger verify`: {left};"
          f" acceptances in the ledger: {events} (expected {expected});"
          f" hooks that let the agent go on at the budget and finished in the background: {background}")


if __name__ == "__main__":
    main()
