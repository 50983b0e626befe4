"""What the policy says about one region now: the one question the editor,
`ailedger check`, the reports and the dashboard all ask.

Pure: a region row (as the ledger projects it, with `text_sha256` the hash
of the text there now), its review status, the rules of its tier, and the
time in; findings out. No finding means the region meets the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ..errors import UserError
from ..ledger.projection import REVIEW_CODES, current_reviews
from .load import TierRules
from .providers import row_approval

APPROVING = ("approved", "approved-with-changes")
_FIELDS = {"tool.version": "tool_version", "model.provider": "model_provider",
           "model.id": "model_id", "model.version": "model_version"}


@dataclass(frozen=True)
class Finding:
    code: str  # ai-unreviewed | ai-under-reviewed | ai-changed-after-review | ai-reopened | ai-missing-provenance | ai-unapproved
    message: str  # what is missing, in the policy's words
    tier: str
    overdue: timedelta | None = None  # how long past the tier's deadline


def approvals(row: dict[str, Any], rules: TierRules) -> tuple[list[str], list[str]]:
    """Reviewers whose approval of the text as it is now counts, and the
    reasons others do not (their own code, not on the review board)."""
    counted: list[str] = []
    ignored: list[str] = []
    for r in current_reviews(row):
        who = r["reviewer"]
        if r["verdict"] not in APPROVING or r["textSha256"] != row["text_sha256"] or who in counted:
            continue
        if not rules.self_review and who == row["accepted_by"]:
            ignored.append(f"{who} accepted it (no self-review in tier {rules.name})")
        elif rules.eligible is not None and who not in rules.eligible:
            ignored.append(f"{who} is not in {rules.board}")
        else:
            counted.append(who)
    return counted, ignored


def assess(row: dict[str, Any], status: str, rules: TierRules, now: datetime | None = None) -> list[Finding]:
    if status in ("ended", "rejected"):
        return []
    findings: list[Finding] = []
    if status in ("changed-after-review", "reopened"):
        # A reopen says why (an incident's reason): everyone who sees the region should read it.
        why = row.get("reopen_reason") if status == "reopened" else None
        findings.append(Finding(REVIEW_CODES[status], f"reopened: {why}" if why else "", rules.name))
    else:
        counted, ignored = approvals(row, rules)
        if len(counted) < rules.reviews:
            code = "ai-unreviewed" if not counted and not ignored else "ai-under-reviewed"
            findings.append(Finding(code, _shortfall(rules, counted, ignored), rules.name))
    if findings and rules.max_unreviewed is not None:
        accepted = datetime.fromisoformat(row["accepted_at"].replace("Z", "+00:00"))
        late = (now or datetime.now(timezone.utc)) - accepted - rules.max_unreviewed
        if late > timedelta(0):
            f = findings[0]
            note = f"overdue: unreviewed {_days(late + rules.max_unreviewed)} (tier {rules.name} allows {_days(rules.max_unreviewed)})"
            findings[0] = Finding(f.code, "; ".join(p for p in (f.message, note) if p), f.tier, late)
    missing = [name for name in rules.require_provenance if not row.get(_FIELDS[name])]
    if findings and missing:  # a review is someone taking responsibility for what the tool did not say
        findings.append(Finding("ai-missing-provenance",
                                f"the integrating tool did not report {', '.join(missing)} "
                                f"(required in tier {rules.name})", rules.name))
    if rules.approved_only:  # a review does not make a model the organisation has no contract for approved
        found = row_approval(rules.providers, row)
        if not found.approved:
            findings.append(Finding("ai-unapproved", f"not approved in tier {rules.name} (approved-only): "
                                                     f"{found.reason}", rules.name))
    return findings


class SelfReview(UserError, ValueError):
    """The accepting developer tried to approve their own code where the tier forbids it."""


def refuse_self_review(row: dict[str, Any], rules: TierRules, reviewer: str, verdict: str) -> None:
    """Raise SelfReview before anything is written; a rejection is always
    allowed (anyone may say "this is wrong")."""
    if verdict in APPROVING and not rules.self_review and row["accepted_by"] == reviewer:
        raise SelfReview(
            f"{row['path']} is in tier {rules.name}, where whoever accepted AI code cannot approve it "
            f"(self-review = false); ask {rules.board or 'a teammate'} to review it. Nothing was recorded.")


def _shortfall(rules: TierRules, counted: list[str], ignored: list[str]) -> str:
    if rules.reviews == 1 and not ignored and rules.eligible is None:
        return ""  # the plain case: the headline says it all
    need = f"needs {rules.reviews} review{'s' if rules.reviews != 1 else ''}"
    if rules.eligible is not None:
        need += f" by {rules.board}"
    parts = [f"{need} (tier {rules.name}), has {len(counted)}"]
    if counted:
        parts[0] += f": {', '.join(counted)}"
    parts += [f"not counted: {why}" for why in ignored]
    return "; ".join(parts)


def _days(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    if hours < 48:
        return f"{hours:.0f} hours" if round(hours) != 1 else "1 hour"
    return f"{hours / 24:.0f} days"
