"""tests/hooks: real-shaped agent hook payloads (tests/hooks/fixtures/AGENT/EVENT.json, each
naming the documentation or source it follows in `_source`), run through the
real `ailedger record --from AGENT`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ailedger.ledger.store import Ledger

FIXTURES = Path(__file__).parent / "hooks" / "fixtures"

BEFORE = "import os\n\ndef total(price, qty):\n    return price * qty\n"
ADDED = "    if qty >= 10:\n        price *= 0.9\n"
AFTER = BEFORE.replace("    return", ADDED + "    return")
CREATED = "RATE = 0.9\n"
PROMPT = "add a bulk discount for dev@example.com"


def fixture(agent: str, name: str, repo: Path, **extra: Any) -> dict[str, Any]:
    """The fixture with {repo} filled in and its `_source` note dropped; `extra` merged on top."""
    raw = (FIXTURES / agent / f"{name}.json").read_text().replace("{repo}", str(repo))
    payload = json.loads(raw)
    assert payload.pop("_source"), f"{agent}/{name} names no source"
    return {**payload, **extra}


def send(cli, agent: str, payload: dict[str, Any] | str, repo: Path):  # type: ignore[no-untyped-def]
    result = cli("record", "--from", agent, input=payload if isinstance(payload, str) else json.dumps(payload), cwd=repo)
    assert result.code == 0, result.err
    return result


def acceptances(env: dict[str, str]) -> list[dict[str, Any]]:
    path = Path(env["AILEDGER_DB"])
    if not path.exists():
        return []
    with Ledger(path) as ledger:
        return [e.content["payload"] for e in ledger.events() if e.type == "acceptance"]


def text_on_disk(root: Path, payload: dict[str, Any]) -> str:
    """What the file holds now at the recorded range (whole lines, as hooks record them)."""
    lines = (root / payload["path"]).read_text().splitlines(keepends=True)
    r = payload["range"]
    assert r["start"]["character"] == 0 and r["end"]["character"] == 0
    return "".join(lines[r["start"]["line"]:r["end"]["line"]])
