"""A local audit service as a subprocess (`ailedger serve` on a free loopback
port): for the demo, the tests and the benchmarks."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalService:
    url: str
    port: int
    data: Path
    database_url: str | None
    env: dict[str, str] | None
    proc: subprocess.Popen[bytes]

    def _backend(self) -> list[str]:
        return ["--data", str(self.data), *(["--database-url", self.database_url] if self.database_url else [])]

    def token(self, user: str, role: str = "reviewer", org: str = "default") -> str:
        out = subprocess.run([sys.executable, "-m", "ailedger", "serve", "token", "create", "--user", user,
                              "--role", role, "--org", org, *self._backend()],
                             capture_output=True, text=True, check=True, env=self.env)
        return out.stdout.strip()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def kill(self) -> None:
        """SIGKILL: no draining, no clean-up (a crash)."""
        self.proc.kill()
        self.proc.wait(timeout=30)

    def restart(self) -> None:
        """Start it again on the same port and data (after `stop` or `kill`)."""
        self.proc = _spawn(self.port, self._backend(), self.env, self.log)
        _wait(self.url, self.proc, self.log)

    @property
    def log(self) -> Path:
        return self.data / f"serve-{self.port}.log"


def start(data: Path, database_url: str | None = None, *, port: int | None = None,
          env: dict[str, str] | None = None) -> LocalService:
    port = port or free_port()
    service = LocalService(f"http://127.0.0.1:{port}", port, data, database_url, env, None)  # type: ignore[arg-type]
    service.proc = _spawn(port, service._backend(), env, service.log)
    _wait(service.url, service.proc, service.log)
    return service


def start_many(count: int, data: Path, database_url: str, *, env: dict[str, str] | None = None) -> list[LocalService]:
    """Replicas on one database and one --data folder (so one service key),
    started at once (their migrations race, as a deployment's would)."""
    services = []
    for _ in range(count):
        port = free_port()
        service = LocalService(f"http://127.0.0.1:{port}", port, data, database_url, env, None)  # type: ignore[arg-type]
        service.proc = _spawn(port, service._backend(), env, service.log)
        services.append(service)
    for service in services:
        _wait(service.url, service.proc, service.log)
    return services


def _spawn(port: int, backend: list[str], env: dict[str, str] | None, log: Path) -> subprocess.Popen[bytes]:
    """The service's stderr (a JSON line per request) goes to a file: a pipe nobody reads would fill and stall it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as sink:
        return subprocess.Popen([sys.executable, "-m", "ailedger", "serve", "--port", str(port), *backend],
                                stdout=subprocess.DEVNULL, stderr=sink, env=env)


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    """Until /healthz answers (polling, with a deadline), or say why not."""
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"ailedger serve exited: {log.read_text(errors='replace')[-500:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"ailedger serve did not answer at {url} within {timeout:g} s")
        time.sleep(0.05)
