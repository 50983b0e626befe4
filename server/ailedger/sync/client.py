"""Pushing this device's events to the audit service, and pulling others'.

The outbox is the ledger itself: this device's events past the endpoint's
watermark (`sync_state.pushed_rowid`), which advances only when the service
has answered 200. Nothing is ever evicted, however long the service is away.
A batch is retried only for what may succeed later (network errors, 429, 502,
503, 504), honouring Retry-After, with exponential backoff and jitter; each
batch carries an Idempotency-Key so a retry of a push the service already
committed is answered, not doubled.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import os
import random
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urlparse

import orjson

from ..errors import UserError
from ..ledger.store import Ledger
from .chain import hash_ok

RETRYABLE = {429, 502, 503, 504}
# This device's events past the watermark, read forward from it by rowid. The unary `+` keeps SQLite off the
# (device, seq) index: through it every batch read all the device's events and sorted them by rowid (pushing
# 20,000 events spent 7 us an event there, and more the longer the ledger).
PAST_WATERMARK = "rowid > ? AND +device = ?"


class SyncError(UserError):
    pass


@dataclass(frozen=True)
class Endpoint:
    url: str
    token: str


def endpoint_from_environment() -> Endpoint:
    """`$AILEDGER_ENDPOINT` and `$AILEDGER_TOKEN`, else the user's config file
    (never a file inside the repository: a token there would be committed)."""
    url, token = os.environ.get("AILEDGER_ENDPOINT"), os.environ.get("AILEDGER_TOKEN")
    if not (url and token):
        import tomllib

        from ..paths import config_home

        path = config_home() / "config.toml"
        if path.exists():
            try:
                sync = tomllib.loads(path.read_text()).get("sync", {})
            except tomllib.TOMLDecodeError as err:
                raise SyncError(f"{path}: {err}") from None
            url, token = url or sync.get("endpoint"), token or sync.get("token")
    if not url or not token:
        raise SyncError("no audit service configured: set AILEDGER_ENDPOINT and AILEDGER_TOKEN "
                        "(or [sync] endpoint/token in ~/.config/ailedger/config.toml)")
    check_url(url)
    return Endpoint(url.rstrip("/"), token)


def check_url(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme == "https":
        return
    if parsed.scheme != "http":
        raise SyncError(f"AILEDGER_ENDPOINT: expected an http(s) URL, got {url!r}")
    host = parsed.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SyncError(f"AILEDGER_ENDPOINT: plain http is refused except to loopback ({url}); use https")


@dataclass
class Retry:
    attempts: int = 8
    base: float = 0.2
    cap: float = 30.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                return min(float(retry_after), self.cap)
            except ValueError:
                pass
        return random.uniform(0, min(self.cap, self.base * 2 ** attempt))  # full jitter


@dataclass
class PushResult:
    pushed: int = 0
    duplicates: int = 0
    batches: int = 0
    checkpoints: list[dict[str, Any]] = field(default_factory=list)


def _send(client: Any, method: str, url: str, retry: Retry, **kwargs: Any) -> Any:
    import httpx

    last: str = ""
    for attempt in range(retry.attempts):
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TransportError as err:
            last = f"{type(err).__name__}: {err}"
            retry.sleep(retry.delay(attempt, None))
            continue
        if response.status_code in RETRYABLE:
            last = f"HTTP {response.status_code}"
            retry.sleep(retry.delay(attempt, response.headers.get("retry-after")))
            continue
        return response
    raise SyncError(f"the audit service did not answer after {retry.attempts} tries ({last}); "
                    "nothing was lost, run `ailedger sync` again later")


@functools.cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS context (its CA bundle, SSL_CERT_FILE and SSL_CERT_DIR
    honoured), made once a process: loading the bundle took 24 ms of CPU, and
    every push and pull opens a client (the editor's sync loop every minute)."""
    import httpx

    return httpx.create_ssl_context()


def _client(endpoint: Endpoint) -> Any:
    import httpx

    return httpx.Client(headers={"authorization": f"Bearer {endpoint.token}"}, timeout=30, verify=_tls())


def _wire(row: tuple[Any, ...]) -> bytes:
    """An event as it travels (the `Event` shape), from a ledger row (id, device,
    seq, prev_hash, hash, type, body): the envelope's JSON spliced onto the stored
    body's, which is never parsed (the body is a JSON object, never empty)."""
    envelope = orjson.dumps({"id": row[0], "device": row[1], "seq": row[2], "prevHash": row[3], "hash": row[4]})
    body = row[6].encode() if isinstance(row[6], str) else bytes(row[6])
    return envelope[:-1] + b"," + body[1:]


def push(ledger: Ledger, endpoint: Endpoint, *, batch: int = 1000, retry: Retry | None = None,
         progress: Callable[[int, int], None] | None = None) -> PushResult:
    retry = retry or Retry()
    result = PushResult()
    watermark = _state(ledger, endpoint.url)["pushed_rowid"]
    pending = _pending(ledger, watermark)
    with _client(endpoint) as client:
        while True:
            rows = ledger.conn.execute(
                "SELECT rowid, id, device, seq, prev_hash, hash, type, body FROM events"
                f" WHERE {PAST_WATERMARK} ORDER BY rowid LIMIT ?", (watermark, ledger.device, batch)).fetchall()
            if not rows:
                break
            body = b'{"events":[' + b",".join(_wire(r[1:]) for r in rows) + b"]}"
            key = hashlib.sha256(f"{endpoint.url} {rows[0][1]} {rows[-1][1]}".encode()).hexdigest()
            response = _send(client, "POST", f"{endpoint.url}/v1/events", retry, content=body,
                             headers={"idempotency-key": key, "content-type": "application/json"})
            if response.status_code != 200:
                message = _message(response) + _skew_hint(response)
                _record_error(ledger, endpoint.url, message)
                raise SyncError(f"the audit service refused the push: {message}")
            answer = response.json()
            for checkpoint in answer.get("checkpoints", []):
                _anchor(ledger, checkpoint)
                result.checkpoints.append(checkpoint)
            watermark = rows[-1][0]
            _advance(ledger, endpoint.url, watermark)
            result.pushed += answer.get("accepted", 0)
            result.duplicates += answer.get("duplicates", 0)
            result.batches += 1
            if progress:
                progress(min(result.pushed + result.duplicates, pending), pending)
    return result


def pull(ledger: Ledger, endpoint: Endpoint, repos: list[str], *, retry: Retry | None = None) -> int:
    """Import other devices' events for these repositories; returns how many were new."""
    retry = retry or Retry()
    imported = 0
    with _client(endpoint) as client:
        for repo in repos:
            key = f"{endpoint.url}#{repo}"
            cursor = int(_state(ledger, key)["pull_cursor"] or 0)
            while True:
                response = _send(client, "GET", f"{endpoint.url}/v1/events", retry,
                                 params={"repo": repo, "after": cursor, "limit": 1000})
                if response.status_code != 200:
                    raise SyncError(f"the audit service refused the pull: {_message(response)}")
                answer = orjson.loads(response.content)
                if not answer["events"]:
                    break
                imported += import_events(ledger, answer["events"])
                cursor = answer["cursor"]
                _set(ledger, key, pull_cursor=str(cursor))
    return imported


def import_events(ledger: Ledger, events: list[dict[str, Any]]) -> int:
    """Store other devices' events exactly as they were chained (ids and hashes
    unchanged), after checking each chain links; returns how many were new."""
    new = 0
    with ledger._write() as conn:
        for e in sorted(events, key=lambda e: (e["device"], e["seq"])):
            if e["device"] == ledger.device:
                continue
            known = conn.execute("SELECT hash FROM events WHERE id = ?", (e["id"],)).fetchone()
            if known is not None:
                if known[0] != e["hash"]:
                    raise SyncError(f"event {e['id']} from the service differs from the local copy")
                continue
            if not hash_ok(e):
                raise SyncError(f"event {e['id']} from the service does not match its hash")
            head = conn.execute("SELECT seq, hash FROM events WHERE device = ? ORDER BY seq DESC LIMIT 1",
                                (e["device"],)).fetchone()
            seq, prev = head if head else (0, "0" * 64)
            if e["seq"] != seq + 1 or e["prevHash"] != prev:
                raise SyncError(f"event {e['id']} does not follow device {e['device'][:8]}'s chain here (seq {seq})")
            body = orjson.dumps({k: e[k] for k in ("actor", "payload", "ts", "type", "v")}).decode()
            conn.execute("INSERT INTO events (id, device, seq, prev_hash, hash, type, body) VALUES (?,?,?,?,?,?,?)",
                         (e["id"], e["device"], e["seq"], e["prevHash"], e["hash"], e["type"], body))
            new += 1
    return new


def status(ledger: Ledger, url: str) -> dict[str, Any]:
    row = _state(ledger, url)
    return {"endpoint": url, "pending": _pending(ledger, row["pushed_rowid"]),
            "lastSuccess": row["last_success"], "lastError": row["last_error"]}


def _pending(ledger: Ledger, watermark: int) -> int:
    return ledger.conn.execute(f"SELECT COUNT(*) FROM events WHERE {PAST_WATERMARK}",
                               (watermark, ledger.device)).fetchone()[0]


def _anchor(ledger: Ledger, checkpoint: dict[str, Any]) -> None:
    from .service.keys import checkpoint_valid

    if checkpoint.get("device") == ledger.device and checkpoint_valid(checkpoint):
        ledger.add_anchor(checkpoint["device"], checkpoint["seq"], checkpoint["eventId"], checkpoint["hash"],
                          "checkpoint", checkpoint["signature"])


def _message(response: Any) -> str:
    try:
        return f"HTTP {response.status_code}: {response.json().get('error')}"
    except ValueError:
        return f"HTTP {response.status_code}"


def _skew_hint(response: Any) -> str:
    """A push the service found invalid: this ledger validated each of its own
    events when it wrote them, so the likely cause is a service older than
    this client, which does not know a kind or value it writes."""
    try:
        invalid = response.status_code == 400 and response.json().get("kind") == "invalid"
    except ValueError:
        return ""
    return (" (this ledger checked the event when it was written: if the audit service runs an older ailedger"
            " than this one, upgrade the service)") if invalid else ""


def _state(ledger: Ledger, url: str) -> dict[str, Any]:
    row = ledger.conn.execute("SELECT pushed_rowid, pull_cursor, last_success, last_error FROM sync_state"
                              " WHERE endpoint = ?", (url,)).fetchone()
    keys = ("pushed_rowid", "pull_cursor", "last_success", "last_error")
    return dict(zip(keys, row)) if row else dict(zip(keys, (0, None, None, None)))


def _set(ledger: Ledger, url: str, **values: Any) -> None:
    with ledger._write() as conn:
        conn.execute("INSERT OR IGNORE INTO sync_state (endpoint) VALUES (?)", (url,))
        for column, value in values.items():
            conn.execute(f"UPDATE sync_state SET {column} = ? WHERE endpoint = ?", (value, url))


def _advance(ledger: Ledger, url: str, rowid: int) -> None:
    _set(ledger, url, pushed_rowid=rowid, last_success=datetime.now(timezone.utc).isoformat(timespec="seconds"),
         last_error=None)


def _record_error(ledger: Ledger, url: str, message: str) -> None:
    _set(ledger, url, last_error=message)
