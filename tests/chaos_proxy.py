"""A loopback HTTP proxy the test controls: it fails a share of requests the
ways networks and overloaded services do. Given several upstream ports it
is a round-robin load balancer over them (each request to the next one)."""

from __future__ import annotations

import asyncio
import random
import threading
from dataclasses import dataclass, field


@dataclass
class Counts:
    forwarded: int = 0
    unavailable: int = 0  # 503
    throttled: int = 0  # 429 with Retry-After
    reset: int = 0  # connection reset before the service saw it
    lost: int = 0  # the service committed, the answer never arrived
    upstream_down: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


async def _read_message(reader: asyncio.StreamReader) -> bytes | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    body = await reader.readexactly(length) if length else b""
    return head + body


class ChaosProxy:
    def __init__(self, upstream_port: int | list[int], failure_rate: float = 0.3, seed: int = 7) -> None:
        self.upstreams = [upstream_port] if isinstance(upstream_port, int) else list(upstream_port)
        self._next = 0
        self.rate = failure_rate
        self.rng = random.Random(seed)
        self.counts = Counts()
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "ChaosProxy":
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop:
            self._loop.call_soon_threadsafe(self._loop.stop)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _forward(self, request: bytes) -> bytes | None:
        port = self.upstreams[self._next % len(self.upstreams)]
        self._next += 1
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            self.counts.upstream_down += 1
            return None
        try:
            head, _, body = request.partition(b"\r\n\r\n")
            lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"connection:")]
            writer.write(b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + body)
            await writer.drain()
            return await _read_message(reader)
        except (OSError, asyncio.IncompleteReadError):
            self.counts.upstream_down += 1
            return None
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await _read_message(reader)
            if request is None:
                writer.close()
                return
            roll = self.rng.random()
            quarter = self.rate / 4
            if roll < quarter:
                self.counts.unavailable += 1
                writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
            elif roll < 2 * quarter:
                self.counts.throttled += 1
                writer.write(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n")
            elif roll < 3 * quarter:
                self.counts.reset += 1
                writer.transport.abort()
                return
            else:
                response = await self._forward(request)
                if response is None or roll < self.rate:  # upstream away, or the answer is lost
                    if response is not None:
                        self.counts.lost += 1
                    writer.transport.abort()
                    return
                self.counts.forwarded += 1
                writer.write(response)
            await writer.drain()
