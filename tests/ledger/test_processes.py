"""Several processes share one ledger (the language server plus hook
processes), and a process can die at any moment: nothing acknowledged is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ailedger.ledger.store import Ledger

APPENDER = Path(__file__).with_name("appender.py")


def start(db: Path, count: int, batch: int, tag: str, env: dict[str, str]) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, str(APPENDER), str(db), str(count), str(batch), tag],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**env, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1]), env.get("PYTHONPATH", "")])},
    )
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    return proc


@pytest.mark.slow
def test_two_processes_appending_at_once_make_one_valid_chain(env: dict[str, str]) -> None:
    db = Path(env["AILEDGER_DB"])
    Ledger(db).close()  # created once, as the first process would
    procs = [start(db, 5_000, 1, tag, env) for tag in ("a", "b")]
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = [proc.communicate(timeout=600) for proc in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert "database is locked" not in err
        assert len(out.split()) == 5_000
    with Ledger(db) as ledger:
        report = ledger.verify()
        assert report.ok, report.problem
        assert report.events == 10_000
        assert len(report.heads) == 1  # one device, one chain
        assert next(iter(report.heads.values())).seq == 10_000
        actors = ledger.conn.execute("SELECT COUNT(DISTINCT json_extract(body, '$.actor')) FROM events").fetchone()[0]
        assert actors == 2


@pytest.mark.slow
@pytest.mark.parametrize("batch", [1, 50])
def test_kill_9_while_appending_loses_nothing_acknowledged(env: dict[str, str], batch: int) -> None:
    db = Path(env["AILEDGER_DB"])
    proc = start(db, 0, batch, "crash", env)  # appends until killed
    proc.stdin.write("go\n")
    proc.stdin.flush()
    acknowledged: list[str] = []
    deadline = time.monotonic() + 120
    while len(acknowledged) < 1_500 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert len(acknowledged) >= 1_500, proc.stderr.read()
    with Ledger(db) as ledger:
        stored = {row[0] for row in ledger.conn.execute("SELECT id FROM events")}
        assert set(acknowledged) <= stored
        assert len(stored) % batch == 0  # a batch is all or nothing
        report = ledger.verify()
        assert report.ok, report.problem


@pytest.mark.slow
def test_opening_a_ledger_while_another_process_creates_it(tmp_path: Path) -> None:
    """Readers racing the creator see either no ledger yet or a whole one."""
    import concurrent.futures

    from ailedger.ledger.errors import NotALedger

    for round_ in range(20):
        path = tmp_path / f"race{round_}.db"

        def create() -> None:
            Ledger(path).close()

        def open_existing() -> str:
            try:
                Ledger(path, create=False).close()
                return "opened"
            except NotALedger as err:
                return "missing" if "no ledger here" in str(err) else f"refused: {err}"

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            creator = pool.submit(create)
            readers = [pool.submit(open_existing) for _ in range(3)]
            creator.result()
            results = [r.result() for r in readers]
        assert all(r in ("opened", "missing") for r in results), results
