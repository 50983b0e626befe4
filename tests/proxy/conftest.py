"""`ailedger proxy` in front of the stand-in server, driven as an editor would."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from proxy.lspclient import Client

STANDIN = Path(__file__).with_name("standin.py")


def proxy_argv(db: Path, *server: str) -> list[str]:
    return [sys.executable, "-m", "ailedger", "proxy", "--db", str(db), "--", *(server or (sys.executable, str(STANDIN)))]


@pytest.fixture
def start(env: dict[str, str], repo: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """start(db=..., server=[...]) -> a Client talking to `ailedger proxy`."""
    clients: list[Client] = []

    def run(db: Path | None = None, server: tuple[str, ...] = ()) -> Client:
        client = Client(proxy_argv(db or tmp_path / "ledger.db", *server), env, repo)
        clients.append(client)
        return client

    yield run
    for client in clients:
        if client.proc.poll() is None:
            client.proc.kill()
            client.proc.wait()
