"""A real `ailedger serve` on a free loopback port, with tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from ailedger.sync.service.local import start
from helpers_service import postgres_schema


@pytest.fixture(params=["sqlite", "postgres"])
def service(request: pytest.FixtureRequest, tmp_path: Path, env: dict[str, str]):  # type: ignore[no-untyped-def]
    url = postgres_schema(f"t_{abs(hash(request.node.nodeid)):x}") if request.param == "postgres" else None
    running = start(tmp_path / "service", url, env=env)
    yield running
    running.stop()
