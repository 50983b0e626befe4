"""The service's Ed25519 key (created on first start) and its signed checkpoints."""

from __future__ import annotations

import base64
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ...ledger.canonical import canonical_bytes


class ServiceKey:
    def __init__(self, private: Ed25519PrivateKey) -> None:
        self.private = private
        raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_b64 = base64.b64encode(raw).decode()
        self.key_id = self.public_b64[:16]

    @classmethod
    def load_or_create(cls, path: Path) -> "ServiceKey":
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(key, Ed25519PrivateKey)
            return cls(key)
        key = Ed25519PrivateKey.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # fails if another replica sharing the folder made one first: use that one
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        return cls.load_or_create(path)

    def checkpoint(self, device: str, seq: int, digest: str, event_id: str) -> dict[str, Any]:
        """A signed statement: this device's chain reached `seq` with `hash`."""
        statement = {"device": device, "seq": seq, "hash": digest, "eventId": event_id,
                     "signedAt": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")}
        signature = base64.b64encode(self.private.sign(canonical_bytes(statement))).decode()
        return {**statement, "keyId": self.key_id, "publicKey": self.public_b64, "signature": signature}


def checkpoint_valid(checkpoint: dict[str, Any], public_b64: str | None = None) -> bool:
    """Is the checkpoint signed by the key it names (or by `public_b64`)?"""
    from cryptography.exceptions import InvalidSignature

    statement = {k: checkpoint[k] for k in ("device", "seq", "hash", "eventId", "signedAt")}
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64 or checkpoint["publicKey"]))
    try:
        key.verify(base64.b64decode(checkpoint["signature"]), canonical_bytes(statement))
    except (InvalidSignature, ValueError):
        return False
    return True
