"""Shared fixtures: a throwaway ledger, a throwaway git repository, and the
real `ailedger` command run as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import git


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The PostgreSQL schemas the tests made go with the run (helpers_service.drop_made)."""
    import psycopg

    from helpers_service import drop_made

    try:
        drop_made()
    except psycopg.Error as err:  # the run's result stands; the schemas stay behind
        print(f"\nleft the tests' PostgreSQL schemas behind: {err}", file=sys.stderr)


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment with its own ledger, user and XDG folders."""
    values = {
        "AILEDGER_DB": str(tmp_path / "ledger.db"),
        "AILEDGER_USER": "dev@example.com",
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
        # A hook lets the agent go on after 1 s and finishes in the background; on a
        # loaded test machine that would race the assertions that follow it.
        "AILEDGER_HOOK_BUDGET": "60",
        "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return {**os.environ, **values}


@pytest.fixture
def cli(env: dict[str, str], tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run the real `ailedger` command: cli("verify") -> Result."""

    def run(*args: str, input: str | None = None, cwd: Path | None = None) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "ailedger", *args], input=input, capture_output=True,
            text=True, env=env, cwd=cwd or tmp_path, timeout=120,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def repo(tmp_path: Path, env: dict[str, str]) -> Path:
    """A git working copy with an origin remote and one committed file."""
    root = tmp_path / "work"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "remote", "add", "origin", "git@git.example.com:acme/shop.git")
    (root / "app.py").write_text("import os\n\ndef total(price, qty):\n    return price * qty\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    return root
