"""How a region is described to people: diagnostics, the demo, reports."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Any


def model_name(row: dict[str, Any]) -> str:
    """`provider/id@version`, or "unknown model": never invented."""
    return _model_name(row.get("model_provider"), row.get("model_id"), row.get("model_version"))


@lru_cache(maxsize=4096)  # a report over a big ledger names the same few models thousands of times
def _model_name(provider: str | None, id_: str | None, version: str | None) -> str:
    name = "/".join(p for p in (provider, id_) if p)
    if not name:
        return "unknown model"
    return f"{name}@{version}" if version else name


def tool_name(row: dict[str, Any]) -> str:
    return _tool_name(row["tool_name"], row.get("tool_version"))


@lru_cache(maxsize=4096)
def _tool_name(name: str, version: str | None) -> str:
    return f"{name} {version}" if version else name


def ago(when: str, now: datetime | None = None) -> str:
    """"3 minutes ago", for an RFC 3339 timestamp."""
    then = datetime.fromisoformat(when.replace("Z", "+00:00"))
    seconds = int(((now or datetime.now(timezone.utc)) - then).total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


HEADLINES = {
    "unreviewed": "AI-generated code not yet reviewed",
    "changed-after-review": "AI-generated code changed after its review",
    "reopened": "AI-generated code reopened for review",
    "rejected": "AI-generated code rejected in review",
    "reviewed": "AI-generated code, reviewed",
    "ended": "AI-generated code, since deleted",
}


def region_message(row: dict[str, Any], now: datetime | None = None) -> str:
    """One line: what it is, which tool and model, who accepted it, when."""
    return (
        f"{HEADLINES.get(row['status'], 'AI-generated code')}: {tool_name(row)}, {model_name(row)}, "
        f"accepted by {row['accepted_by']} {ago(row['accepted_at'], now)}"
    )


def finding_message(row: dict[str, Any], finding: Any, now: datetime | None = None) -> str:
    """A diagnostic's message: the region in one line, then what the policy
    still asks of it (`policy.Finding`)."""
    if finding.code == "ai-missing-provenance":
        return (f"AI-generated code without the provenance its tier requires: {finding.message}; "
                f"{tool_name(row)}, accepted by {row['accepted_by']} {ago(row['accepted_at'], now)}")
    if finding.code == "ai-unapproved":
        return (f"AI-generated code from a model or tool the policy does not approve: {tool_name(row)}, "
                f"{model_name(row)}, accepted by {row['accepted_by']} {ago(row['accepted_at'], now)}. {finding.message}")
    headline = region_message(row, now)
    if finding.code == "ai-under-reviewed" and row.get("status") == "reviewed":
        headline = headline.replace(HEADLINES["reviewed"], "AI-generated code not reviewed enough", 1)
    return f"{headline}. {finding.message}" if finding.message else headline
