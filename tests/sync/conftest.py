"""A real `ailedger serve` on a free loopback port, with tokens."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest


@dataclass
class Service:
    url: str
    data: Path
    proc: subprocess.Popen
    env: dict[str, str]

    database_url: str | None = None

    def token(self, user: str, role: str = "reviewer", org: str = "default") -> str:
        backend = ["--database-url", self.database_url] if self.database_url else []
        out = subprocess.run([sys.executable, "-m", "ailedger", "serve", "token", "create", "--user", user,
                              "--role", role, "--org", org, "--data", str(self.data), *backend],
                             capture_output=True, text=True, check=True, env=self.env)
        return out.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_schema(name: str) -> str:
    """A fresh schema in the real PostgreSQL, and a URL whose tables land in it."""
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{name}"')
    return f"{POSTGRES}?options=-csearch_path%3D{name}"


@pytest.fixture(params=["sqlite", "postgres"])
def service(request: pytest.FixtureRequest, tmp_path: Path, env: dict[str, str]):  # type: ignore[no-untyped-def]
    port, data = free_port(), tmp_path / "service"
    url = None
    if request.param == "postgres":
        url = postgres_schema(f"t_{abs(hash(request.node.nodeid)):x}")
    backend = ["--database-url", url] if url else []
    proc = subprocess.Popen([sys.executable, "-m", "ailedger", "serve", "--port", str(port), "--data", str(data),
                             *backend], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:  # poll until it answers, with a deadline
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "ailedger serve did not start"
        time.sleep(0.05)
    yield Service(base, data, proc, env, url)
    proc.terminate()
    proc.wait(timeout=10)
