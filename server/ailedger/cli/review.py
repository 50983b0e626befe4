"""`ailedger review`: counter-sign AI-generated regions."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

HELP = """\
Record your review of one or more regions. The review is bound to the exact
text each region holds now in this working copy (its SHA-256): if that text
changes later, the region needs a new review.

examples:
  ailedger review 01JD3W6Q8V2K9R4T5Y7Z8X0A1B --verdict approved
  ailedger review 01JD3W... 01JD3X... --verdict rejected --note "leaks the API key"
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    from ..vocabulary import VERDICTS

    p = sub.add_parser("review", parents=[parent], help="mark regions as reviewed",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("region_ids", nargs="+", metavar="REGION_ID")
    p.add_argument("--verdict", required=True, choices=VERDICTS)
    p.add_argument("--note", help="why, for the record")
    p.set_defaults(run=run)


def current_text_sha(region: dict[str, Any], root: Path | None) -> tuple[str, bool]:
    """SHA-256 of the text the region holds in this working copy, and whether
    it was read from the file (else it is the ledger's last-known hash)."""
    from ..capture import span_of
    from ..files import read_document
    from ..ledger.canonical import sha256_text
    from ..regions.positions import slice_text

    if root is not None:
        try:
            text = read_document(root / region["path"])
        except (OSError, UnicodeDecodeError):
            return region["text_sha256"], False
        span = span_of({"start": {"line": region["start_line"], "character": region["start_char"]},
                        "end": {"line": region["end_line"], "character": region["end_char"]}})
        return sha256_text(slice_text(text, span, "utf-16")), True
    return region["text_sha256"], False


def run(args: argparse.Namespace) -> int:
    import sys
    from datetime import datetime, timezone

    from .. import policy as policies
    from ..ledger.errors import UnknownRegion
    from ..policy.assess import refuse_self_review
    from ..ledger.identity import _repo_of_dir, current_user
    from . import open_ledger

    here = _repo_of_dir(Path.cwd().resolve())
    policy = policies.at(here[1]) if here else policies.NO_POLICY  # a broken policy: exit 2, nothing written
    user = current_user()
    with open_ledger(args, create=False) as ledger:
        hashes: dict[str, str] = {}
        for region_id in args.region_ids:
            region = ledger.region(region_id)
            if region is None:
                raise UnknownRegion(f"no region {region_id} in {ledger.path}")
            root = here[1] if here and here[0] == region["repo"] else None
            if root is not None:
                refuse_self_review(region, policy.rules_for(region["path"]), user, args.verdict)
            hashes[region_id], from_file = current_text_sha(region, root)
            if not from_file:
                print(f"note: {region['path']} is not in this working copy; reviewing the text as "
                      "last recorded", file=sys.stderr)
        ledger.append("review", {
            "regionIds": list(args.region_ids), "reviewer": user, "verdict": args.verdict,
            "note": args.note, "textSha256": hashes, "reviewedAt": datetime.now(timezone.utc),
            "policy": policy.ref() if policy.source is not None else None,
        }, actor=user)
        for region_id in args.region_ids:
            print(f"{region_id}: {ledger.region(region_id)['status']}")
    return 0
