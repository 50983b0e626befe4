"""This device's Ed25519 signing key, kept beside the ledger file.

It signs the attestations `ailedger report --format intoto` exports. Created
once (`device-key.pem`, mode 0600) and never overwritten: replacing it would
orphan every attestation signed before. Several processes may create it at
once; the first link wins and the others load that key.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import LedgerError

FILENAME = "device-key.pem"


class BadKey(LedgerError):
    """A key file that is missing, unreadable or not Ed25519."""


def key_path(db: Path) -> Path:
    return db.parent / FILENAME


def load_or_create(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        _create(path)
    key = _load(path, private=True)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def _create(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        try:
            # A link, unlike a rename, never replaces a key another process made meanwhile.
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)


def load_public(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file holding the public or the private key."""
    key = _load(path, private=False)
    return key.public_key() if isinstance(key, Ed25519PrivateKey) else key


def _load(path: Path, *, private: bool) -> Ed25519PrivateKey | Ed25519PublicKey:
    """The Ed25519 key in a PEM file (a private key, or with `private=False` either kind)."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise BadKey(f"{path}: {err.strerror or err}") from None
    try:
        key = (serialization.load_pem_private_key(data, password=None)
               if private or b"PRIVATE KEY" in data else serialization.load_pem_public_key(data))
    except (ValueError, TypeError) as err:
        raise BadKey(f"{path}: not a PEM {'private ' if private else ''}key ({err})") from None
    if not isinstance(key, (Ed25519PrivateKey, Ed25519PublicKey)):
        raise BadKey(f"{path}: not an Ed25519 key")
    return key


def key_id(public: Ed25519PublicKey) -> str:
    """`sha256:` + hex of the raw 32-byte public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
