"""A real `ailedger serve` on a free loopback port, with tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from ailedger.sync.service.local import start


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
    url = postgres_schema(f"t_{abs(hash(request.node.nodeid)):x}") if request.param == "postgres" else None
    running = start(tmp_path / "service", url, env=env)
    yield running
    running.stop()
