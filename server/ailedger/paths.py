"""Where ailedger keeps things on this machine, and the files editors name by URI."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "ailedger"


def default_db() -> Path:
    """`$AILEDGER_DB`, else `${XDG_DATA_HOME:-~/.local/share}/ailedger/ledger.db`."""
    return Path(os.environ["AILEDGER_DB"]) if os.environ.get("AILEDGER_DB") else data_home() / "ledger.db"


def resolve_db(flag: str | None) -> Path:
    """`--db`, else the default."""
    return Path(flag).expanduser() if flag else default_db()


def config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "ailedger"


def path_of(uri: str) -> Path | None:
    """The file a `file:` URI names (None for any other scheme: an unsaved buffer, a diff view)."""
    parsed = urlparse(uri)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None
