"""What an operator sees of a running replica: Prometheus metrics (one
registry per app, so tests may run several) and one JSON line per request
on stderr."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import orjson
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

log = logging.getLogger("ailedger.serve")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.pushes = Counter("ailedger_pushes", "Push requests answered, by outcome", ["outcome"],
                              registry=self.registry)
        self.events = Counter("ailedger_events", "Events received, stored or already known", ["result"],
                              registry=self.registry)
        self.refusals = Counter("ailedger_refusals", "Pushes refused, by kind (gap, fork, altered, ...)", ["kind"],
                                registry=self.registry)
        self.latency = Histogram("ailedger_request_seconds", "Request latency", ["route", "method"],
                                 registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.in_flight = Gauge("ailedger_requests_in_flight", "Requests being answered", registry=self.registry)


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
                                 "level": record.levelname.lower(), "msg": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


class Observe:
    """ASGI middleware: latency by route, requests in flight, a log line each."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = [500]

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.in_flight.dec()
            elapsed = time.perf_counter() - began
            name = getattr(scope.get("endpoint"), "__name__", "unmatched")  # set by the router
            self.metrics.latency.labels(name, scope["method"]).observe(elapsed)
            if name not in ("prometheus", "health", "ready"):
                log.info("request", extra={"fields": {"method": scope["method"], "path": scope["path"],
                                                      "status": status[0], "ms": round(elapsed * 1000, 1)}})
