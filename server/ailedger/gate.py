"""`ailedger check`: does this working copy meet its policy? What CI asks.

Every AI region the ledger knows in the repository is found in the files as
they are now (at its recorded range, else by its text: the ledger may come
from a teammate's working copy, through the audit service), its review
status is taken for the text that is there, and the policy's findings are
sorted into what blocks a merge and what is only pending.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .files import read_document
from .ledger.canonical import sha256_text
from .ledger.identity import RepoRef
from .ledger.projection import LIVE, status_of
from .ledger.store import Ledger
from .placement import place
from .policy import Finding, Policy, TierRules, assess
from .regions.positions import LineIndex


@dataclass
class Shortfall:
    path: str
    first_line: int  # 1-based, as people count
    last_line: int
    finding: Finding
    rules: TierRules
    row: dict[str, Any]
    blocking: bool  # False: within the tier's deadline, reported but not failing


@dataclass
class GateResult:
    policy: Policy
    regions: int = 0  # AI regions present in this working copy
    missing: int = 0  # regions the ledger knows that are not in the files any more
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not any(s.blocking for s in self.shortfalls)


def blocking(finding: Finding, rules: TierRules) -> bool:
    """A tier with `max-unreviewed` lets unreviewed code through until its
    deadline; without one, the review must come before the merge. Missing
    provenance always blocks: nobody can answer for an unknown model; nor
    can a review make an unapproved model approved."""
    return finding.code in ("ai-missing-provenance", "ai-unapproved") or rules.max_unreviewed is None or finding.overdue is not None


def check(ledger: Ledger, ref: RepoRef, policy: Policy, now: datetime | None = None) -> GateResult:
    now = now or datetime.now(timezone.utc)
    result = GateResult(policy)
    by_path: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in ledger.regions(repo=ref.repo, status=LIVE):
        by_path[row["path"]][row["region_id"]] = row
    for path, rows in sorted(by_path.items()):
        try:
            text = read_document(ref.root / path)
        except (OSError, UnicodeDecodeError):
            result.missing += len(rows)
            continue
        index = LineIndex(text)
        placed = place(ledger, rows, text)
        result.missing += len(rows) - len(placed)
        rules = policy.rules_for(path)
        for region_id, span, _ in placed:
            row = dict(rows[region_id], text_sha256=sha256_text(index.slice(span, "utf-16")))
            result.regions += 1
            last = span.end.line - (1 if span.end.character == 0 and span.end.line > span.start.line else 0)
            for finding in assess(row, status_of(row), rules, now):
                result.shortfalls.append(Shortfall(path, span.start.line + 1, last + 1, finding, rules, row,
                                                   blocking(finding, rules)))
    return result
