"""Review metrics over regions: coverage, time to first review, and how old
the unreviewed ones are, overall and by tool, model and author.

Pure: region rows in (as `Ledger.regions()` and the audit service's storage
return them), figures out, given the moment `now`. `ailedger stats` and the
dashboard both show these figures, so they always agree.

Definitions:
- Counted: regions whose code still exists. Ended regions (every character
  deleted, or lost) are left out and only counted as `ended`.
- Reviewed: a person gave a verdict on the text as it is now, that is status
  `reviewed` or `rejected`. A rejection is a finished review (the work left is
  a fix, not a review) and is counted among the reviewed, and shown on its own.
- Awaiting review: `unreviewed`, `changed-after-review` and `reopened` (the
  statuses the editor shows a diagnostic for). Their age runs from acceptance.
- Coverage: reviewed / counted, in percent.
- Time to first review: from acceptance to the region's earliest review of
  any verdict (a later reopen or change does not undo that it happened), over
  the counted regions that have one; the median, in hours.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import orjson

from .placement.describe import model_name
from .ledger.projection import LIVE, REVIEW_CODES

AWAITING = tuple(REVIEW_CODES)
REVIEWED = tuple(s for s in LIVE if s not in REVIEW_CODES)  # reviewed, rejected
DAY = 86_400.0
# (label, upper bound in days): a region falls in the first bucket its age is below.
BUCKETS: tuple[tuple[str, float], ...] = (("<1d", 1), ("1-7d", 7), ("7-30d", 30), (">30d", float("inf")))
GROUPS: dict[str, Callable[[dict[str, Any]], str]] = {
    "tool": lambda row: row["tool_name"],
    "model": model_name,
    "author": lambda row: row["accepted_by"],
}


@dataclass(frozen=True)
class Oldest:
    """The unreviewed region that has waited longest."""

    region_id: str
    repo: str
    path: str
    line: int  # 1-based
    accepted_by: str
    accepted_at: str
    age_days: float


@dataclass(frozen=True)
class Figures:
    regions: int  # counted (live) regions
    reviewed: int  # of which reviewed or rejected
    rejected: int  # of which rejected
    awaiting: int  # of which awaiting review
    coverage: float | None  # percent reviewed; None without regions
    median_hours_to_review: float | None  # None when nothing was reviewed
    awaiting_by_age: dict[str, int]  # bucket label -> regions awaiting review
    oldest_awaiting: Oldest | None

    def to_json(self) -> dict[str, Any]:
        return {
            "regions": self.regions, "reviewed": self.reviewed, "rejected": self.rejected,
            "awaiting": self.awaiting,
            "coveragePercent": None if self.coverage is None else round(self.coverage, 2),
            "medianHoursToFirstReview": (None if self.median_hours_to_review is None
                                         else round(self.median_hours_to_review, 2)),
            "awaitingByAge": self.awaiting_by_age,
            "oldestAwaiting": None if self.oldest_awaiting is None else {
                "regionId": self.oldest_awaiting.region_id, "repo": self.oldest_awaiting.repo,
                "path": self.oldest_awaiting.path, "line": self.oldest_awaiting.line,
                "acceptedBy": self.oldest_awaiting.accepted_by, "acceptedAt": self.oldest_awaiting.accepted_at,
                "ageDays": round(self.oldest_awaiting.age_days, 2)},
        }


@dataclass(frozen=True)
class Metrics:
    now: str
    ended: int  # regions left out because their code is gone
    overall: Figures
    by: dict[str, list[tuple[str, Figures]]]  # "tool" | "model" | "author" -> (name, figures), most regions first

    def to_json(self) -> dict[str, Any]:
        return {"now": self.now, "ended": self.ended, "overall": self.overall.to_json(),
                "by": {group: [{"name": name, **f.to_json()} for name, f in rows]
                       for group, rows in self.by.items()}}


@dataclass
class _Tally:
    regions: int = 0
    reviewed: int = 0
    rejected: int = 0
    hours: list[float] = field(default_factory=list)
    ages: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    oldest: tuple[datetime, str, dict[str, Any]] | None = None  # (accepted, region id, row)

    def add(self, row: dict[str, Any], status: str, accepted: datetime, first_review_hours: float | None,
            age_bucket: int | None) -> None:
        self.regions += 1
        if status in REVIEWED:
            self.reviewed += 1
            self.rejected += status == "rejected"
        if first_review_hours is not None:
            self.hours.append(first_review_hours)
        if age_bucket is not None:
            self.ages[age_bucket] += 1
            if self.oldest is None or (accepted, row["region_id"]) < self.oldest[:2]:
                self.oldest = (accepted, row["region_id"], row)

    def figures(self, now: datetime) -> Figures:
        oldest = None
        if self.oldest is not None:
            accepted, _, row = self.oldest
            oldest = Oldest(row["region_id"], row["repo"], row["path"], row["start_line"] + 1,
                            row["accepted_by"], row["accepted_at"], max(0.0, (now - accepted).total_seconds() / DAY))
        return Figures(
            regions=self.regions, reviewed=self.reviewed, rejected=self.rejected,
            awaiting=sum(self.ages),
            coverage=100 * self.reviewed / self.regions if self.regions else None,
            median_hours_to_review=statistics.median(self.hours) if self.hours else None,
            awaiting_by_age={label: n for (label, _), n in zip(BUCKETS, self.ages)},
            oldest_awaiting=oldest,
        )


def compute(rows: Iterable[dict[str, Any]], now: datetime,
            groups: Iterable[str] = tuple(GROUPS)) -> Metrics:
    """The figures for these regions, overall and for each of `groups`."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    groups = list(groups)
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        raise ValueError(f"unknown group {unknown[0]!r}; expected one of {', '.join(GROUPS)}")
    overall = _Tally()
    tallies = [(GROUPS[g], {}) for g in groups]  # (name of a row, name -> tally), in `groups` order
    ended = 0
    for row in rows:
        status = row["status"]
        if status not in LIVE:
            ended += 1
            continue
        accepted = _when(row["accepted_at"])
        hours = _first_review_hours(row["reviews"], accepted)
        bucket = _bucket((now - accepted).total_seconds() / DAY) if status in AWAITING else None
        overall.add(row, status, accepted, hours, bucket)
        for name_of, found in tallies:
            name = name_of(row)
            tally = found.get(name)
            if tally is None:
                tally = found[name] = _Tally()
            tally.add(row, status, accepted, hours, bucket)
    return Metrics(
        now=now.isoformat().replace("+00:00", "Z"),
        ended=ended,
        overall=overall.figures(now),
        by={g: [(name, t.figures(now)) for name, t in sorted(found.items(), key=lambda kv: (-kv[1].regions, kv[0]))]
            for g, (_, found) in zip(groups, tallies)},
    )


def _when(stamp: str) -> datetime:
    when = datetime.fromisoformat(stamp)  # RFC 3339, "Z" included (Python 3.11+)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _first_review_hours(reviews: str | list[dict[str, Any]] | None, accepted: datetime) -> float | None:
    """Hours from acceptance to the earliest review; `reviews` as stored (JSON) or parsed."""
    if not reviews or reviews == "[]":
        return None
    if isinstance(reviews, (str, bytes)):
        reviews = orjson.loads(reviews)
    first = min(_when(r["at"]) for r in reviews)
    return max(0.0, (first - accepted).total_seconds() / 3600)


def _bucket(age_days: float) -> int:
    return next(i for i, (_, below) in enumerate(BUCKETS) if age_days < below)


def hours_text(hours: float | None) -> str:
    """A duration for people: "45 min", "5.2 h", "3.1 days"; "–" for none."""
    if hours is None:
        return "–"
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def coverage_text(percent: float | None) -> str:
    return "–" if percent is None else f"{percent:.0f}%"
