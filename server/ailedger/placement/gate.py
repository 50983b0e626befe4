"""`ailedger check`: does this working copy meet its policy? What CI asks.

Every AI region the ledger knows in the repository is found in the files as
they are now by the placement engine (at its path, else where git says the
file went, else by its lines anywhere in the repository; a copy counts in
each place it is), its review
status is taken for the text that is there, and the policy's findings are
sorted into what blocks a merge and what is only pending.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..ledger.identity import RepoRef
from ..ledger.projection import status_of
from ..ledger.store import Ledger
from ..policy import Finding, Policy, TierRules, assess
from .engine import locate
from .record import record_moves


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


def check(ledger: Ledger, ref: RepoRef, policy: Policy, now: datetime | None = None, *,
          record: bool = True) -> GateResult:
    now = now or datetime.now(timezone.utc)
    result = GateResult(policy)
    layout = locate(ledger, ref.root)
    if record:  # a move shows in the trail (and to teammates) from the first check that sees it
        record_moves(ledger, layout)
    result.missing = len(layout.missing)
    for placement in sorted(layout.placements, key=lambda p: (p.path, p.span.start.line)):
        span, path = placement.span, placement.path
        row = dict(placement.row, text_sha256=placement.text_sha256)  # the review status of the text there
        rules = policy.rules_for(path)
        result.regions += 1
        last = span.end.line - (1 if span.end.character == 0 and span.end.line > span.start.line else 0)
        for finding in assess(row, status_of(row), rules, now):
            result.shortfalls.append(Shortfall(path, span.start.line + 1, last + 1, finding, rules, row,
                                               blocking(finding, rules)))
    return result
