"""`ailedger record --from TOOL`: what an installed hook runs.

A hook must never get in the agent's way: whatever happens it exits 0, and
within a budget; what went wrong is said on stderr and in the hook log
(`${XDG_STATE_HOME:-~/.local/state}/ailedger/hooks/hooks.log`).

A before-edit event only keeps the files in the hooks' state and never opens
the ledger, and this module imports next to nothing at the top: the agent
waits on it before every edit. An after-edit event is checked against the
file on disk here and now, then appended, or, if another process holds the
ledger's write lock past the budget, left in the spool (hooks/spool.py).
"""

from __future__ import annotations

import os
import sys
import time
TYPE_CHECKING = False

if TYPE_CHECKING:  # typing costs milliseconds to import, and a before-edit hook has few to spare
    from typing import Any, Callable

BUDGET = 1.0  # seconds from the hook's start until the agent goes on, whatever the hook is doing
LOCK_SHARE = 0.75  # the part of it spent at most before waiting for the ledger's write lock ends in the spool
HANG_LIMIT = 60.0  # a hook finishing in the background gives up after this long


def budget() -> float:
    """`$AILEDGER_HOOK_BUDGET` seconds (a slow disk or a loaded machine may want more), else BUDGET."""
    try:
        value = float(os.environ.get("AILEDGER_HOOK_BUDGET") or BUDGET)
    except ValueError:
        return BUDGET
    return value if value > 0 else BUDGET


def run_hook(source: str, args: Any) -> int:
    started, seconds = time.monotonic(), budget()
    disarm = _watchdog(source, seconds)
    try:
        said = _record(source, getattr(args, "db", None), started + LOCK_SHARE * seconds)
    except Exception as err:  # noqa: BLE001 - a hook reports and lets the agent go on
        from ..errors import UserError

        message = str(err) if isinstance(err, UserError) else f"{type(err).__name__}: {err}"
        said = f"not recorded: {message}"
    finally:
        disarm()
    if said:
        _say(source, said, log_only=said.startswith("recorded"))
    return 0


def _record(source: str, db: str | None, deadline: float) -> str | None:
    if source == "git":
        found = _from_git()
    else:
        from .agents import handle

        outcome = handle(source, _payload())
        if outcome.stdout is not None:
            print(outcome.stdout, flush=True)
        for note in outcome.notes:
            _say(source, note)
        if not outcome.params:
            return None  # a before-edit or prompt event: nothing for the ledger
        found = _from_disk(source, outcome.params)
    if not found:
        return None
    from ..ledger.identity import current_user
    from ..paths import resolve_db
    from .spool import deliver

    payloads = [payload for payload, _ in found]
    files = {(payload["repo"], payload["path"]): text for payload, text in found}
    return deliver(resolve_db(db), payloads, files, current_user(), deadline)


def _from_disk(source: str, params: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """Acceptance payloads checked against the files as they are now, each
    with the file's text; one that does not check out is named and skipped."""
    from ..capture import acceptance_from_disk
    from ..errors import UserError
    from ..ledger.identity import current_user
    from ..ledger.ids import new_id

    user = current_user()
    found = []
    for p in params:
        try:
            found.append(acceptance_from_disk(p, region_id=new_id(), user=user))
        except UserError as err:
            _say(source, f"not recorded: {err}")
    return found


def _from_git() -> list[tuple[dict[str, Any], str]]:
    """AI-marked lines of the commit just made, checked against the commit (not the working tree)."""
    from pathlib import Path

    from ..capture import acceptance_payload, check_text_at
    from ..ledger.identity import current_user, repo_of
    from ..ledger.ids import new_id
    from ..models import AcceptanceParams, validate
    from .git_commit import commit_acceptances

    user = current_user()
    commits, _ = commit_acceptances(Path.cwd())
    found = []
    for params, committed in commits:
        checked = validate(AcceptanceParams, params, "acceptance")
        check_text_at(committed, checked, "utf-16")
        path = Path(params["textDocument"]["uri"][len("file://"):])
        found.append((acceptance_payload(checked, region_id=new_id(), user=user, where=repo_of(path)), committed))
    return found


def _payload() -> dict[str, Any]:
    import json  # not orjson: that one loads datetime, uuid and platform, milliseconds a before-edit hook cannot spare

    from ..errors import UserError

    data = sys.stdin.buffer.read() if sys.stdin is not None else b""
    try:
        payload = json.loads(data)
    except ValueError as err:
        raise UserError(f"the hook payload on stdin is not JSON: {err}") from None
    if not isinstance(payload, dict):
        raise UserError("the hook payload on stdin is not a JSON object")
    return payload


def _watchdog(source: str, seconds: float) -> Callable[[], None]:
    """After `seconds`, let the agent go on and finish in the background: fork,
    the process the agent waits on exits 0, and the child (detached, its
    stdin, stdout and stderr on /dev/null so that the agent's pipes close)
    goes on from where it was, so a slow disk or git loses no edit. A child
    still busy after HANG_LIMIT gives up; everything a hook writes is atomic
    (state files, spool entries, ledger transactions), so stopping it
    anywhere leaves nothing half-made."""
    import signal

    if not hasattr(signal, "setitimer") or not hasattr(os, "fork"):  # pragma: no cover - Windows
        return lambda: None

    def hung(_signum: int, _frame: object) -> None:
        _say(source, f"still busy after {HANG_LIMIT:g} s; gave up, not recorded", log_only=True)
        os._exit(0)

    def detach(_signum: int, _frame: object) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        if os.fork():
            os._exit(0)  # the agent goes on
        os.setsid()
        quiet = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(quiet, fd)
        signal.signal(signal.SIGALRM, hung)
        signal.setitimer(signal.ITIMER_REAL, HANG_LIMIT)
        _say(source, f"took over {seconds:g} s; finishing in the background (pid {os.getpid()})", log_only=True)

    try:
        before = signal.signal(signal.SIGALRM, detach)
    except ValueError:  # not the main thread: someone runs hooks in-process, and has no agent waiting
        return lambda: None
    signal.setitimer(signal.ITIMER_REAL, seconds)

    def disarm() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)

    return disarm


def _say(source: str, message: str, *, log_only: bool = False) -> None:
    from datetime import datetime, timezone

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
