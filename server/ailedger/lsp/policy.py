"""The repository policy (`.ailedger.toml`) as the server applies it: loaded
once per working copy, reloaded when the file changes on disk, and, when an
edit breaks it, the last good policy stays in force while the editor says
what is wrong (file, line, key)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..policy import FILENAME, NO_POLICY, Policy
from .server import AiLedgerServer, log


@dataclass
class Held:
    policy: Policy
    error: str | None = None


def register(server: AiLedgerServer) -> None:
    server.policies = {}  # type: ignore[attr-defined]


def current(ls: AiLedgerServer, root: Path | None) -> Policy:
    """The policy in force for a working copy (no I/O: the event loop asks this)."""
    held = ls.policies.get(root) if root is not None else None  # type: ignore[attr-defined]
    return held.policy if held is not None else NO_POLICY


async def ensure(ls: AiLedgerServer, root: Path) -> None:
    """Load a working copy's policy the first time one of its files opens."""
    if root not in ls.policies:  # type: ignore[attr-defined]
        await reload(ls, root)


async def reload(ls: AiLedgerServer, root: Path) -> bool:
    """Read a working copy's policy again; True when the policy in force changed
    (the caller republishes diagnostics: this module sits below them)."""
    held: dict[Path, Held] = ls.policies  # type: ignore[attr-defined]
    before = held.get(root)
    try:
        loaded = await ls.run_io(_read, root)
    except Exception as err:  # a broken file (PolicyError) or an unreadable one: never take the server down
        kept = before.policy if before is not None else NO_POLICY
        held[root] = Held(kept, str(err))
        which = f"version {kept.version}" if kept.source is not None else "no policy"
        message = f"ailedger: {err} (keeping the last good policy: {which})"
        log.warning("%s", message)
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))
        return False
    held[root] = Held(loaded)
    if before is not None and (before.policy is not loaded or before.error):
        text = f"ailedger: policy {loaded.version} in force ({root / FILENAME})" if loaded.source \
            else f"ailedger: no policy file in {root}; the defaults apply"
        ls.window_log_message(types.LogMessageParams(types.MessageType.Info, text))
        return True
    return False


def _read(ledger: Any, root: Path) -> Policy:
    from .. import policy as policies

    return policies.at(root)


def is_policy_file(path: Path) -> bool:
    return path.name == FILENAME


async def file_changed(ls: AiLedgerServer, path: Path) -> bool:
    """`.ailedger.toml` changed on disk: reload it if it is a working copy's;
    True when the policy in force changed."""
    return path.parent in ls.policies and await reload(ls, path.parent)  # type: ignore[attr-defined]


def rules_of(ls: AiLedgerServer, state: Any) -> Any:
    """The tier rules of an open document."""
    if state.ref is None:
        return NO_POLICY.default
    return current(ls, state.ref.root).rules_for(state.ref.path)
