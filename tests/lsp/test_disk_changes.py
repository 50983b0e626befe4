"""Files the editor does not have open follow changes on disk: another tool
rewrites them, or git renames them; the ledger records where regions went."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from lsprotocol import types

from ailedger.ledger.store import Ledger
from helpers import git

AI = "    discount = 0.1 if qty >= 10 else 0.0\n    return price * qty * (1 - discount)\n"


async def ledger_until(env: dict[str, str], condition, deadline: float = 10.0):  # type: ignore[no-untyped-def]
    """Poll the ledger (written by the server process) until `condition(ledger)` holds."""
    end = time.monotonic() + deadline
    while True:
        with Ledger(env["AILEDGER_DB"]) as ledger:
            value = condition(ledger)
        if value or time.monotonic() > end:
            return value
        await asyncio.sleep(0.05)


async def watching(client) -> None:  # type: ignore[no-untyped-def]
    """Until the server says it watches the workspace (a deadline, no fixed sleep)."""
    end = time.monotonic() + 10
    while not any("watching" in m.message for m in client.log_messages):
        assert time.monotonic() < end, "the server never started watching the workspace"
        await asyncio.sleep(0.02)


def plant(repo: Path, env: dict[str, str]) -> str:
    path = repo / "pricing.py"
    path.write_text("def total(price, qty):\n" + AI)
    result = subprocess.run([sys.executable, "-m", "ailedger", "record", "--file", str(path), "--lines", "2-3",
                             "--tool", "claude-code"], check=True, env=env, capture_output=True, text=True)
    with Ledger(env["AILEDGER_DB"]) as ledger:
        ledger.save_snapshot("git.example.com/acme/shop", "pricing.py", path.read_text())
    return result.stdout.strip()


async def test_a_file_rewritten_on_disk_is_reanchored(client, repo: Path, env: dict[str, str]) -> None:
    region_id = plant(repo, env)
    await watching(client)
    path = repo / "pricing.py"
    path.write_text('"""Prices."""\n\nimport math\n\n' + path.read_text())  # another tool adds a header

    def moved(ledger: Ledger):  # type: ignore[no-untyped-def]
        row = ledger.region(region_id)
        return row if row["start_line"] == 5 else None

    row = await ledger_until(env, moved)
    assert row is not None, "the region was not re-anchored after the file changed on disk"
    assert (row["start_line"], row["end_line"]) == (5, 7)
    report = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    items = {i.uri: i.items for i in report.items}
    assert [d.range.start.line for d in items[path.as_uri()]] == [5]


async def test_a_renamed_file_takes_its_regions_along(client, repo: Path, env: dict[str, str]) -> None:
    region_id = plant(repo, env)
    git(repo, "add", "pricing.py")
    git(repo, "commit", "-q", "-m", "pricing")
    await watching(client)
    (repo / "billing").mkdir()
    git(repo, "mv", "pricing.py", "billing/prices.py")
    row = await ledger_until(env, lambda ledger: ledger.region(region_id)["path"] == "billing/prices.py"
                             and ledger.region(region_id))
    assert row, "the region did not follow the rename"
    assert (row["start_line"], row["end_line"]) == (1, 3)
    with Ledger(env["AILEDGER_DB"]) as ledger:
        reasons = [e.content["payload"].get("reason") for e in ledger.events() if e.type == "region-update"]
    assert "rename" in reasons


async def test_a_move_seen_as_delete_and_create_is_still_a_rename(client, repo: Path, env: dict[str, str]) -> None:
    region_id = plant(repo, env)
    await watching(client)
    (repo / "billing").mkdir()
    (repo / "billing" / "prices.py").write_text((repo / "pricing.py").read_text())  # no move event at all:
    (repo / "pricing.py").unlink()  # a copy, then a delete
    row = await ledger_until(env, lambda ledger: ledger.region(region_id)["path"] == "billing/prices.py"
                             and ledger.region(region_id))
    assert row, "the region did not follow the file to its new path"
