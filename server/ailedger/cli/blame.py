"""`ailedger blame FILE[:LINE[-LINE]]`: the forensic question, line by line."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from ..commits import CommitLink
    from ..placement.forensics import LineBlame
    from ..ledger.store import Ledger

HELP = """\
For each line of a file: written by an AI (and still its text), AI text a
person has since changed, a person's, or untracked (the ledger has no record
of the file). For AI lines: the tool, provider/model/version, who accepted
it and when, and who reviewed it with what verdict. Answered from the ledger
and the file as it is now, wherever the code came from: a renamed file, a
function moved or copied here from another file (blame records nothing).

examples:
  ailedger blame src/pricing.py
  ailedger blame src/pricing.py:40-60
  ailedger blame src/pricing.py:42 --json
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("blame", parents=[parent], help="who wrote each line: AI or human",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", metavar="FILE[:LINE[-LINE]]")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(run=run)


def _target(spec: str) -> tuple[str, int | None, int | None]:
    from pathlib import Path

    from . import UsageError

    path, _, lines = spec.rpartition(":") if ":" in spec and not Path(spec).exists() else (spec, "", "")
    if not lines:
        return spec, None, None
    try:
        a, _, b = lines.partition("-")
        return path, int(a), int(b or a)
    except ValueError:
        raise UsageError(f"expected FILE[:LINE[-LINE]], got {spec!r}") from None


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    import orjson

    from ..placement.describe import ago, model_name, tool_name
    from ..placement.forensics import blame
    from . import UsageError, open_ledger

    name, first, last = _target(args.target)
    path = Path(name).resolve()
    if not path.is_file():
        raise UsageError(f"{name}: no such file")
    with open_ledger(args, create=False) as ledger:
        lines = blame(ledger, path)
        commits = _commits(ledger, path, lines)
    if first is not None:
        if not 1 <= first <= (last or first) <= len(lines):
            raise UsageError(f"{args.target}: the file has {len(lines)} line(s)")
        lines = lines[first - 1:last]
    if args.json:
        for b in lines:
            row = b.region or {}
            print(orjson.dumps({
                "line": b.line, "attribution": b.attribution, "text": b.text,
                "regionId": row.get("region_id"), "tool": row.get("tool_name"),
                "toolVersion": row.get("tool_version"),
                "model": {"provider": row.get("model_provider"), "id": row.get("model_id"),
                          "version": row.get("model_version")} if row else None,
                "contract": row.get("contract"),
                "acceptedBy": row.get("accepted_by"), "acceptedAt": row.get("accepted_at"),
                "status": row.get("status"),
                "commit": commits[row["region_id"]].to_json() if row.get("region_id") in commits else None,
                "reviews": [{"reviewer": r["reviewer"], "verdict": r["verdict"], "at": r["at"]} for r in b.reviews()],
            }).decode())
        return 0
    from .columns import print_columns

    table = []
    for b in lines:
        if b.region is None:
            table.append((str(b.line), b.attribution, "", "", "", b.text))
            continue
        r = b.region
        reviews = b.reviews()
        review = f"{reviews[-1]['verdict']} by {reviews[-1]['reviewer']}" if reviews else r["status"]
        link = commits.get(r["region_id"])
        contract = f" (contract {r['contract']})" if r.get("contract") else ""
        table.append((str(b.line), b.attribution, f"{tool_name(r)} / {model_name(r)}{contract}",
                      f"{r['accepted_by']}, {ago(r['accepted_at'])}", review,
                      link.short() if link else "uncommitted", b.text))
    print_columns(("line", "who", "tool / model", "accepted", "review", "commit", "text"), table)
    return 0


def _commits(ledger: "Ledger", path: "Path", lines: "list[LineBlame]") -> "dict[str, CommitLink]":
    """The commit that first held each AI region shown (commits.py)."""
    from ..commits import resolve
    from ..files import read_document
    from ..ledger.identity import repo_of

    regions: dict[str, tuple[dict, list[int]]] = {}
    for b in lines:
        if b.region is not None:
            _, ai = regions.setdefault(b.region["region_id"], (b.region, []))
            if b.attribution == "ai":
                ai.append(b.line - 1)
    if not regions:
        return {}
    ref = repo_of(path)
    return resolve(ledger, ref.root, ref.path, read_document(path), regions)
