"""`ailedger verify-attestation`: check in-toto review attestations (DSSE envelopes)."""

from __future__ import annotations

import argparse

HELP = """\
Check the in-toto review attestations that `ailedger report --format intoto`
wrote: each DSSE envelope's Ed25519 signature (over DSSE's pre-authentication
encoding), its payloadType and its in-toto Statement v1. FILE holds JSON Lines
(one envelope a line) or one JSON document (an envelope, or a list of them);
`-` reads stdin. The key is this device's (beside the ledger), or --key.

Prints one line per envelope that verifies. Exit 0 when all verify; exit 1
naming the first one that does not and why (bad signature, unknown key,
malformed envelope); exit 2 when FILE is missing or not JSON.

--print-key prints this device's public key (PEM; created on first use), to
hand to whoever verifies your attestations.

examples:
  ailedger report --format intoto > reviews.intoto.jsonl
  ailedger verify-attestation reviews.intoto.jsonl
  ailedger verify-attestation --print-key > device.pub.pem
  ailedger verify-attestation reviews.intoto.jsonl --key device.pub.pem
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("verify-attestation", parents=[parent], help="check in-toto review attestations",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", nargs="?", metavar="FILE", help="envelopes (JSON Lines or one JSON document), or -")
    p.add_argument("--key", metavar="PUBKEY.pem", help="the signer's public key (default: this device's)")
    p.add_argument("--print-key", action="store_true", help="print this device's public key (PEM) and exit")
    p.set_defaults(run=run)


def envelopes(text: str) -> list[tuple[str, object]]:
    """(where, envelope) pairs from JSON Lines, or one JSON document (an envelope or a list)."""
    import orjson

    from . import UsageError

    found: list[tuple[str, object]] = []
    bad = None
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                found.append((f"envelope at line {number}", orjson.loads(line)))
            except orjson.JSONDecodeError as err:
                bad = bad or f"line {number}: not JSON ({err})"
    if bad is not None or (len(found) == 1 and isinstance(found[0][1], list)):
        try:
            whole = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise UsageError(bad or "not JSON") from None
        found = ([(f"envelope {i}", env) for i, env in enumerate(whole, 1)] if isinstance(whole, list)
                 else [("the envelope", whole)])
    if not found:
        raise UsageError("no envelopes in the input")
    return found


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from ..export.intoto import BadAttestation, claimed_statement, describe, verify
    from ..ledger import device_key
    from ..paths import resolve_db
    from . import UsageError

    own = device_key.key_path(resolve_db(args.db))
    if args.print_key:
        sys.stdout.write(device_key.public_pem(device_key.load_or_create(own).public_key()))
        return 0
    if not args.file:
        raise UsageError("name the FILE of envelopes to check (or --print-key)")
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"{args.file}: {getattr(err, 'strerror', None) or err}") from None
    found = envelopes(text)
    if args.key:
        public = device_key.load_public(Path(args.key))
    elif own.exists():
        public = device_key.load_public(own)
    else:
        raise UsageError(f"no device key at {own}: pass the signer's --key PUBKEY.pem")
    for where, env in found:
        try:
            stmt = verify(env, public)
        except BadAttestation as err:
            try:
                claims = f" ({describe(claimed_statement(env))})"
            except BadAttestation:
                claims = ""
            print(f"ailedger verify-attestation: FAILED: {where}{claims}: {err}", file=sys.stderr)
            return 1
        print(f"ok {describe(stmt)}")
    return 0
