"""in-toto attestations of reviews: a Statement v1 per (review, region),
in a DSSE envelope signed with this device's Ed25519 key.

The subject is the reviewed text (its SHA-256, the digest the review event
binds); the predicate (`PREDICATE_TYPE`) names the region, who answers for
it (model provider, integrating tool and policy, who accepted it), the review
and the ledger event that holds it, with its chain hash. The signer vouches
for what its ledger holds: a teammate's review synced here is exported under
this device's key and names the teammate as reviewer.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..ledger.canonical import canonical_bytes
from ..ledger.device_key import key_id
from .agent_trace import EventOf, payload_of, responsibility

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://ailedger.dev/review/v1"


class BadAttestation(ValueError):
    """Why an envelope does not verify: one short phrase."""


def pae(payload_type: str, body: bytes) -> bytes:
    """DSSE's pre-authentication encoding: what the signature covers."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(body), body)


def statement(row: dict[str, Any], accepted: dict[str, Any], review: dict[str, Any],
              event: Any) -> dict[str, Any]:
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": row["path"], "digest": {"sha256": review["textSha256"]},
                     "annotations": {"repository": row["repo"], "regionId": row["region_id"]}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "region": {"id": row["region_id"], "repository": row["repo"], "path": row["path"],
                       "kind": row["kind"], "acceptanceEvent": row["accepted_event"]},
            "provenance": responsibility(row, accepted),
            "review": {"reviewer": review["reviewer"], "verdict": review["verdict"], "note": review["note"],
                       "reviewedAt": review["at"], "textSha256": review["textSha256"],
                       "policy": payload_of(event).get("policy")},
            "ledger": {"eventId": review["eventId"],
                       **({"device": event.device, "seq": event.seq, "hash": event.hash,
                           "prevHash": event.prev_hash} if event is not None else {})},
        },
    }


def statements(rows: Iterable[dict[str, Any]], event_of: EventOf) -> Iterator[dict[str, Any]]:
    """One statement per review of each region, oldest first."""
    for row in rows:
        accepted = payload_of(event_of(row["accepted_event"]))
        for review in orjson.loads(row["reviews"]):
            yield statement(row, accepted, review, event_of(review["eventId"]))


def envelope(stmt: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    body = canonical_bytes(stmt)
    signature = key.sign(pae(PAYLOAD_TYPE, body))
    return {"payloadType": PAYLOAD_TYPE, "payload": base64.b64encode(body).decode(),
            "signatures": [{"keyid": key_id(key.public_key()), "sig": base64.b64encode(signature).decode()}]}


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise BadAttestation(f"malformed envelope: {what} is not a string")
    try:  # DSSE allows either base64 alphabet, padded or not
        return base64.b64decode(value.replace("-", "+").replace("_", "/") + "=" * (-len(value) % 4),
                                validate=True)
    except (binascii.Error, ValueError):
        raise BadAttestation(f"malformed envelope: {what} is not base64") from None


def claimed_statement(env: Any) -> dict[str, Any]:
    """The statement an envelope carries, unverified (to name it in errors)."""
    if not isinstance(env, dict):
        raise BadAttestation("malformed envelope: not a JSON object")
    try:
        stmt = orjson.loads(_b64(env.get("payload"), "payload"))
    except orjson.JSONDecodeError:
        raise BadAttestation("malformed envelope: the payload is not JSON") from None
    if not isinstance(stmt, dict):
        raise BadAttestation("malformed envelope: the payload is not a JSON object")
    return stmt


def verify(env: Any, public: Ed25519PublicKey) -> dict[str, Any]:
    """The envelope's statement, once its signature by `public` checks out."""
    stmt = claimed_statement(env)
    if env.get("payloadType") != PAYLOAD_TYPE:
        raise BadAttestation(f"payloadType is {env.get('payloadType')!r}, not {PAYLOAD_TYPE}")
    signatures = env.get("signatures")
    if not isinstance(signatures, list) or not signatures or not all(isinstance(s, dict) for s in signatures):
        raise BadAttestation("malformed envelope: no signatures")
    ours = key_id(public)
    mine = [s for s in signatures if s.get("keyid") in (ours, None, "")]
    if not mine:
        keys = ", ".join(str(s.get("keyid")) for s in signatures)
        raise BadAttestation(f"signed by unknown key {keys} (expected {ours})")
    message = pae(PAYLOAD_TYPE, _b64(env["payload"], "payload"))
    for s in mine:
        try:
            public.verify(_b64(s.get("sig"), "sig"), message)
            break
        except InvalidSignature:
            continue
    else:
        raise BadAttestation("bad signature")
    if stmt.get("_type") != STATEMENT_TYPE:
        raise BadAttestation(f"statement _type is {stmt.get('_type')!r}, not {STATEMENT_TYPE}")
    if not isinstance(stmt.get("subject"), list) or not stmt["subject"]:
        raise BadAttestation("statement has no subject")
    return stmt


def describe(stmt: dict[str, Any]) -> str:
    """One line: what was attested, by whom, with which verdict."""
    subjects = ", ".join(
        f"{s.get('name')}" + (f" (region {s['annotations']['regionId']})"
                              if isinstance(s.get("annotations"), dict) and "regionId" in s["annotations"] else "")
        for s in (stmt.get("subject") if isinstance(stmt.get("subject"), list) else []) if isinstance(s, dict))
    predicate = stmt.get("predicate")
    review = predicate.get("review") if isinstance(predicate, dict) and stmt.get("predicateType") == PREDICATE_TYPE else None
    if not isinstance(review, dict):
        return f"{subjects}: {stmt.get('predicateType')}"
    return f"{subjects} reviewed by {review.get('reviewer')}, verdict {review.get('verdict')}, at {review.get('reviewedAt')}"
