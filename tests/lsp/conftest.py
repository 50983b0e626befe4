"""The real `ailedger lsp` as a subprocess, driven by pytest-lsp's client."""

from __future__ import annotations

from pathlib import Path

import pytest_asyncio

from helpers_lsp import start


@pytest_asyncio.fixture
async def client(env: dict[str, str], repo: Path):  # type: ignore[no-untyped-def]
    client = await start(env, repo)
    yield client
    await client.shutdown_session()
    await client.stop()
