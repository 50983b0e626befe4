"""The chain rule, applied to events as they travel (dicts in the `Event`
shape): shared by the service, which checks every push, and the client,
which checks every pull."""

from __future__ import annotations

from typing import Any

from ..ledger.canonical import event_body, event_hash
from ..vocabulary import EVENT_TYPES

ENVELOPE = ("id", "device", "seq", "prevHash", "hash", "type", "ts", "actor", "v", "payload")


def body_of(event: dict[str, Any]) -> bytes:
    return event_body(event["type"], event["ts"], event["actor"], event["payload"], event["v"])


def hashed_body(event: dict[str, Any]) -> bytes | None:
    """The canonical body the event's hash covers, or None if its hash does not
    cover exactly its content and position."""
    body = body_of(event)
    ok = event_hash(event["id"], event["device"], event["seq"], event["prevHash"], body) == event["hash"]
    return body if ok else None


def hash_ok(event: dict[str, Any]) -> bool:
    """Does the event's hash cover exactly its content and position?"""
    return hashed_body(event) is not None


def shape_error(event: Any) -> str | None:
    """What is wrong with an event's shape, or None."""
    if not isinstance(event, dict):
        return "an event is not a JSON object"
    missing = [k for k in ENVELOPE if k not in event]
    if missing:
        return f"event {event.get('id', '?')}: missing {missing[0]}"
    for key in ("id", "device", "prevHash", "hash", "type", "ts", "actor"):
        if not isinstance(event[key], str):
            return f"event {event.get('id', '?')}: {key} must be a string"
    if event["type"] not in EVENT_TYPES:
        return f"event {event['id']}: unknown type {event['type']!r}; expected one of {', '.join(EVENT_TYPES)}"
    if not isinstance(event["seq"], int) or isinstance(event["seq"], bool) or event["seq"] < 1:
        return f"event {event['id']}: seq must be a positive integer"
    if not isinstance(event["payload"], dict) or not isinstance(event["v"], int):
        return f"event {event['id']}: payload must be an object and v an integer"
    return None
