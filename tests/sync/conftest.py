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

    def token(self, user: str, role: str = "reviewer", org: str = "default") -> str:
        out = subprocess.run([sys.executable, "-m", "ailedger", "serve", "token", "create", "--user", user,
                              "--role", role, "--org", org, "--data", str(self.data)],
                             capture_output=True, text=True, check=True, env=self.env)
        return out.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def service(tmp_path: Path, env: dict[str, str]):  # type: ignore[no-untyped-def]
    port, data = free_port(), tmp_path / "service"
    proc = subprocess.Popen([sys.executable, "-m", "ailedger", "serve", "--port", str(port), "--data", str(data)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:  # poll until it answers, with a deadline
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "ailedger serve did not start"
        time.sleep(0.05)
    yield Service(url, data, proc, env)
    proc.terminate()
    proc.wait(timeout=10)
