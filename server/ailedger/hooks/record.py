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
    from typing import Any

BUDGET = 1.0  # seconds from the hook's start until the agent goes on (once the hook has read the files)
LOCK_SHARE = 0.75  # of the budget: then waiting for the ledger's write lock ends, and the edit is spooled
READ_LIMIT = 5.0  # reading the files keeps the agent waiting (a late snapshot would be wrong), up to this
HANG_LIMIT = 60.0  # a hook finishing in the background gives up after this long


def budget() -> float:
    """`$AILEDGER_HOOK_BUDGET` seconds (a slow disk or a loaded machine may want more), else BUDGET."""
    try:
        value = float(os.environ.get("AILEDGER_HOOK_BUDGET") or BUDGET)
    except ValueError:
        return BUDGET
    return value if value > 0 else BUDGET


def run_hook(source: str, args: Any) -> int:
    from .names import ANSWER_FIRST

    if source in ANSWER_FIRST:  # whatever goes wrong below, the tool gets its answer
        print(ANSWER_FIRST[source], flush=True)
    seconds = budget()
    watchdog = _Watchdog(source, seconds)
    try:
        said = _record(source, getattr(args, "db", None), watchdog)
    except Exception as err:  # noqa: BLE001 - a hook reports and lets the agent go on
        from ..errors import UserError

        message = str(err) if isinstance(err, UserError) else f"{type(err).__name__}: {err}"
        said = f"not recorded: {message}"
    finally:
        watchdog.disarm()
    if said:
        _say(source, said, log_only=said.startswith("recorded"))
    return 0


def _record(source: str, db: str | None, watchdog: _Watchdog) -> str | None:
    if source == "git":
        found = _from_git()
        watchdog.read()
        said = _deliver(db, found, watchdog) if found else None
        watchdog.in_ledger = True  # never fork with the ledger open (see _Watchdog)
        _link_commit(db)  # every commit, AI-marked or not: which regions it first holds
        return said
    else:
        from .agents import handle

        outcome = handle(source, _payload())
        if outcome.stdout is not None:
            print(outcome.stdout, flush=True)
        texts = _read_edited(outcome.params)  # before the agent may go on and edit them again
        watchdog.read()
        for note in outcome.notes:
            _say(source, note)
        if not outcome.params:
            return None  # a before-edit or prompt event: nothing for the ledger
        found = _from_disk(source, outcome.params, texts)
    return _deliver(db, found, watchdog) if found else None


def _deliver(db: str | None, found: list[tuple[dict[str, Any], str]], watchdog: _Watchdog) -> str | None:
    from ..ledger.identity import current_user
    from ..paths import resolve_db
    from .spool import deliver

    payloads = [payload for payload, _ in found]
    files = {(payload["repo"], payload["path"]): text for payload, text in found}
    deadline = watchdog.started + LOCK_SHARE * watchdog.seconds
    watchdog.in_ledger = True  # never fork with the ledger open (see _Watchdog); its waits end by `deadline`
    return deliver(resolve_db(db), payloads, files, current_user(), deadline)


def _read_edited(params: list[dict[str, Any]]) -> dict[str, str]:
    """The text of each file the acceptances name, by URI, as it is now."""
    if not params:
        return {}
    from pathlib import Path
    from urllib.parse import unquote, urlparse

    from ..files import read_document

    texts = {}
    for uri in {str((p.get("textDocument") or {}).get("uri")) for p in params}:
        if not uri.startswith("file:"):
            continue
        try:
            texts[uri] = read_document(Path(unquote(urlparse(uri).path)))
        except (OSError, UnicodeDecodeError, ValueError):
            pass  # acceptance_from_disk tries again, and names the problem
    return texts


def _from_disk(source: str, params: list[dict[str, Any]],
               texts: dict[str, str]) -> list[tuple[dict[str, Any], str]]:
    """Acceptance payloads checked against the files as the hook read them,
    each with the file's text; one that does not check out is named and skipped."""
    from ..capture import acceptance_from_disk
    from ..errors import UserError
    from ..ledger.identity import current_user
    from ..ledger.ids import new_id

    user = current_user()
    found = []
    for p in params:
        try:
            uri = str((p.get("textDocument") or {}).get("uri"))
            found.append(acceptance_from_disk(p, region_id=new_id(), user=user, document=texts.get(uri)))
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


def _link_commit(db: str | None) -> None:
    """Which regions the commit just made first holds (`commit` events, see commits.py)."""
    from pathlib import Path

    from ..commits import link_commit
    from ..ledger.store import Ledger
    from ..paths import resolve_db

    path = resolve_db(db)
    if not Path(path).exists():
        return  # no ledger, no regions: a human repository stays untouched
    with Ledger(path, create=False) as ledger:
        linked = link_commit(ledger, Path.cwd())
    if linked:
        _say("git", f"linked {linked} region(s) to the commit", log_only=True)


def _payload() -> dict[str, Any]:
    # Not orjson (it loads datetime, uuid and platform), nor json (re, enum, ...):
    # milliseconds a before-edit hook cannot spare.
    from ..errors import UserError
    from .fastjson import loads

    data = sys.stdin.buffer.read() if sys.stdin is not None else b""
    try:
        payload = loads(data)
    except ValueError as err:
        raise UserError(f"the hook payload on stdin is not JSON: {err}") from None
    if not isinstance(payload, dict):
        raise UserError("the hook payload on stdin is not a JSON object")
    return payload


class _Watchdog:
    """Keeps a hook within its budget without losing an edit.

    While the hook reads the files it must keep (a before-edit snapshot, the
    text after an edit), the agent waits: a snapshot taken after the agent
    went on and edited would be wrong. That ends at READ_LIMIT, the hook
    giving up. Once the files are read, at the budget the agent goes on and
    the hook finishes in the background: fork, the process the agent waits
    on exits 0, and the child (detached, stdin, stdout and stderr on
    /dev/null so that the agent's pipes close) carries on from where it was,
    so a slow git or secret scan loses nothing; it gives up after HANG_LIMIT.
    It never forks with the ledger open: SQLite's file locks belong to a
    process and a child does not inherit them, so a child carrying on a
    parent's connection could write without holding the lock. Once the
    ledger is open the hook finishes where it is: every wait there ends at
    the lock deadline. Everything a hook writes is atomic (state files,
    spool entries, ledger transactions), so stopping it anywhere leaves
    nothing half-made."""

    def __init__(self, source: str, seconds: float) -> None:
        signal = _signals()

        self.source, self.seconds, self.started = source, seconds, time.monotonic()
        self.reading, self.in_ledger, self.armed = True, False, False
        if not hasattr(signal, "setitimer") or not hasattr(os, "fork"):  # pragma: no cover - Windows
            return
        try:
            self.before = signal.signal(signal.SIGALRM, self._due)
        except ValueError:  # not the main thread: hooks run in-process, with no agent waiting
            return
        signal.setitimer(signal.ITIMER_REAL, seconds)
        self.armed = True

    def read(self) -> None:
        """The files are read: from the budget on, the agent need not wait."""
        self.reading = False
        if self.armed and time.monotonic() - self.started >= self.seconds:
            self._detach()

    def disarm(self) -> None:
        signal = _signals()

        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.before)
            self.armed = False

    def _due(self, _signum: int, _frame: object) -> None:
        signal = _signals()

        if not self.reading and not self.in_ledger:
            self._detach()
            return
        # Reading the files, or about to finish in the ledger (whose waits end at the lock
        # deadline): the agent waits, up to READ_LIMIT for something hung.
        signal.signal(signal.SIGALRM, self._give_up)
        signal.setitimer(signal.ITIMER_REAL, max(0.01, READ_LIMIT - (time.monotonic() - self.started)))

    def _give_up(self, _signum: int, _frame: object) -> None:
        doing = "still reading the files" if self.reading else "the ledger still not done"
        _say(self.source, f"{doing} after {READ_LIMIT:g} s; gave up so the agent can go on, not recorded")
        sys.stdout.flush()
        os._exit(0)

    def _detach(self) -> None:
        signal = _signals()

        sys.stdout.flush()
        sys.stderr.flush()
        if os.fork():
            os._exit(0)  # the agent goes on
        os.setsid()
        quiet = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(quiet, fd)
        signal.signal(signal.SIGALRM, self._hung)
        signal.setitimer(signal.ITIMER_REAL, HANG_LIMIT)
        _say(self.source, f"took over {self.seconds:g} s; finishing in the background (pid {os.getpid()})",
             log_only=True)

    def _hung(self, _signum: int, _frame: object) -> None:
        _say(self.source, f"still busy after {HANG_LIMIT:g} s in the background; gave up, not recorded", log_only=True)
        os._exit(0)


def _signals() -> Any:
    """`_signal`, the C module that `signal` wraps in enums: the same functions and
    constants without importing enum (milliseconds of every before-edit hook)."""
    try:
        import _signal

        return _signal
    except ImportError:  # pragma: no cover - a Python without it
        import signal

        return signal


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
