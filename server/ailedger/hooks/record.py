"""`ailedger record --from TOOL`: what an installed hook runs.

A hook must never get in the agent's way: whatever goes wrong is said on
stderr (and in the hook log), and the exit code is 0.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from typing import Any

from ..errors import UserError


def run_hook(source: str, args: argparse.Namespace) -> int:
    from .names import ANSWER_FIRST

    if source in ANSWER_FIRST:  # whatever goes wrong below, the tool gets its answer
        print(ANSWER_FIRST[source], flush=True)
    try:
        recorded = _record(source, args)
    except Exception as err:  # noqa: BLE001 - a hook reports and lets the agent go on
        message = str(err) if isinstance(err, UserError) else f"{type(err).__name__}: {err}"
        _say(source, f"not recorded: {message}")
        return 0
    if recorded:
        _say(source, f"recorded {recorded} AI-written region(s)", log_only=True)
    return 0


def _record(source: str, args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..capture import acceptance_from_disk, acceptance_payload, check_text_at
    from ..cli import open_ledger
    from ..ledger.identity import current_user, repo_of
    from ..ledger.ids import new_id
    from ..models import AcceptanceParams, validate

    user = current_user()
    payloads: list[dict[str, Any]] = []
    snapshots: dict[tuple[str, str], str] = {}
    if source == "git":
        from .git_commit import commit_acceptances

        root = Path.cwd()
        found, _ = commit_acceptances(root)
        for params, committed in found:
            checked = validate(AcceptanceParams, params, "acceptance")
            check_text_at(committed, checked, "utf-16")  # against the commit, not the working tree
            path = Path(params["textDocument"]["uri"][len("file://"):])
            payload = acceptance_payload(checked, region_id=new_id(), user=user, where=repo_of(path))
            payloads.append(payload)
            snapshots[(payload["repo"], payload["path"])] = committed
    else:
        from .agents import handle

        outcome = handle(source, _payload())
        if outcome.stdout is not None:
            print(outcome.stdout)
        for note in outcome.notes:
            _say(source, note)
        for params in outcome.params:
            payload, document = acceptance_from_disk(params, region_id=new_id(), user=user)
            payloads.append(payload)
            snapshots[(payload["repo"], payload["path"])] = document
    if payloads:
        with open_ledger(args) as ledger:
            ledger.append_many([("acceptance", p) for p in payloads], actor=user)
            for (repo, path), text in snapshots.items():
                ledger.save_snapshot(repo, path, text)
    if source == "git":
        _link_commit(args)
    return len(payloads)


def _link_commit(args: argparse.Namespace) -> None:
    """Every commit: which regions it first holds (`commit` events, see commits.py)."""
    from pathlib import Path

    from ..cli import open_ledger
    from ..commits import link_commit
    from ..paths import resolve_db

    if not Path(resolve_db(getattr(args, "db", None))).exists():
        return  # no ledger, no regions: a human repository stays untouched
    with open_ledger(args, create=False) as ledger:
        linked = link_commit(ledger, Path.cwd())
    if linked:
        _say("git", f"linked {linked} region(s) to the commit", log_only=True)


def _payload() -> dict[str, Any]:
    import orjson

    data = sys.stdin.buffer.read() if sys.stdin is not None else b""
    try:
        payload = orjson.loads(data)
    except orjson.JSONDecodeError as err:
        raise UserError(f"the hook payload on stdin is not JSON: {err}") from None
    if not isinstance(payload, dict):
        raise UserError("the hook payload on stdin is not a JSON object")
    return payload


def _say(source: str, message: str, *, log_only: bool = False) -> None:
    from .state import state_dir

    if not log_only:
        print(f"ailedger ({source} hook): {message}", file=sys.stderr)
    try:
        log = state_dir() / "hooks.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as f:
            f.write(f"{datetime.now(timezone.utc).isoformat(timespec='seconds')} {source}: {message}\n")
    except OSError:
        pass
