"""The regions table, derived from events.

Pure functions: an event and the region's current row in, the new row out.
The store applies them inside the append transaction, so the projection is
never out of step with the log, and `Ledger.rebuild_regions()` can replay the
log into an identical table.
"""

from __future__ import annotations

import orjson
from typing import Any

Row = dict[str, Any]

# The statuses that need a person's review, and the diagnostic (and SARIF
# rule) code each one shows as: the editor, the reports and the dashboard agree.
REVIEW_CODES = {
    "unreviewed": "ai-unreviewed",
    "changed-after-review": "ai-changed-after-review",
    "reopened": "ai-reopened",
}
# Every status of a region whose code still exists ("ended" is the only other).
LIVE = ("unreviewed", "reviewed", "changed-after-review", "rejected", "reopened")
STATUSES = (*LIVE, "ended")  # every status a region can have


def from_acceptance(event_id: str, p: dict[str, Any]) -> Row:
    r = p["range"]
    tool = p["tool"]
    model = p.get("model") or {}
    return {
        "region_id": p["regionId"],
        "repo": p["repo"],
        "path": p["path"],
        "start_line": r["start"]["line"],
        "start_char": r["start"]["character"],
        "end_line": r["end"]["line"],
        "end_char": r["end"]["character"],
        "ai_ranges": orjson.dumps([r]).decode(),
        "text_sha256": p["textSha256"],
        "ai_fraction": 1.0,
        "status": "unreviewed",
        "kind": p["kind"],
        "tool_name": tool["name"],
        "tool_version": tool.get("version"),
        "model_provider": model.get("provider"),
        "model_id": model.get("id"),
        "model_version": model.get("version"),
        "accepted_by": p["user"],
        "accepted_at": p["acceptedAt"],
        "accepted_event": event_id,
        "reviews": "[]",
        "reopened": None,
        "updated_event": event_id,
        "policy_version": (p.get("policy") or {}).get("version"),
        "first_commit": None,
        "first_commit_at": None,
        "contract": (p.get("policy") or {}).get("contract"),
        "reopen_reason": None,
    }


def apply(row: Row, event_id: str, type_: str, p: dict[str, Any], actor: str) -> Row:
    """The region after one non-acceptance event that names it."""
    row = dict(row, updated_event=event_id)
    if type_ == "review":
        reviews = orjson.loads(row["reviews"])
        reviews.append(
            {
                "eventId": event_id,
                "reviewer": p["reviewer"],
                "verdict": p["verdict"],
                "note": p.get("note"),
                "textSha256": p["textSha256"][row["region_id"]],
                "at": p["reviewedAt"],
                "policy": (p.get("policy") or {}).get("version"),
            }
        )
        row["reviews"] = orjson.dumps(reviews).decode()
    elif type_ in ("region-update", "region-move"):
        if p.get("reason") == "restore":  # an undo brought back a deleted region
            row["status"] = "unreviewed"
        r = p["range"]
        row.update(
            path=p["path"],
            start_line=r["start"]["line"],
            start_char=r["start"]["character"],
            end_line=r["end"]["line"],
            end_char=r["end"]["character"],
            ai_ranges=orjson.dumps(p["aiRanges"]).decode(),
            text_sha256=p["textSha256"],
            ai_fraction=p["aiFraction"],
        )
    elif type_ == "region-ended":
        row["status"] = "ended"
        return row
    elif type_ == "reopen":
        row["reopened"] = event_id
        row["reopen_reason"] = p["reason"]
    elif type_ == "commit":
        if not row.get("first_commit"):  # the first commit that held the text; later ones only repeat it
            row["first_commit"], row["first_commit_at"] = p["commit"], p["committedAt"]
    elif type_ == "incident-open":
        row["reopened"] = event_id
        row["reopen_reason"] = f"incident {p['incidentId']}: {p['reason']}"
    if row["status"] != "ended":
        row["status"] = status_of(row)
    return row


def current_reviews(row: Row) -> list[dict[str, Any]]:
    """Reviews that still count: those after the last reopen."""
    reviews = orjson.loads(row["reviews"])
    if row.get("reopened"):
        reviews = [r for r in reviews if r["eventId"] > row["reopened"]]
    return reviews


def status_of(row: Row) -> str:
    """What a person needs to know about a region's review, in one word.

    A review attests to the exact text it saw: approving text that has since
    changed is no longer a review of what is there.
    """
    reviews = current_reviews(row)
    if not reviews:
        return "reopened" if row.get("reopened") else "unreviewed"
    if reviews[-1]["verdict"] == "rejected":
        return "rejected"
    if any(r["textSha256"] == row["text_sha256"] for r in reviews if r["verdict"] != "rejected"):
        return "reviewed"
    return "changed-after-review"


def region_ids(type_: str, p: dict[str, Any]) -> list[str]:
    """The regions an event names. An incident names none: it speaks of a
    scope (`incident_regions`), and closing one changes no region."""
    if type_ in ("review", "reopen", "commit"):
        return list(p["regionIds"])
    if type_.startswith("incident-"):
        return []
    return [p["regionId"]]


SCOPE = (("model", "provider", "model_provider"), ("model", "id", "model_id"), ("model", "version", "model_version"),
          ("tool", "name", "tool_name"), ("tool", "version", "tool_version"))


def in_scope(row: Row, scope: dict[str, Any]) -> bool:
    """Did the model or tool an incident names write this region? Parts the
    scope leaves out match anything; `since` bounds the acceptance time."""
    for part, key, column in SCOPE:
        wanted = (scope.get(part) or {}).get(key)
        if wanted is not None and row[column] != wanted:
            return False
    since = scope.get("since")
    return not (since and row["accepted_at"] < since)


def under_incidents(row: Row, incidents: list[tuple[str, dict[str, Any]]]) -> Row:
    """A region whose acceptance reaches this ledger after an incident about
    it (a teammate synced late): reopened as if it had been here, for code
    accepted before the incident was opened. `incidents`: the earlier
    `incident-open` events (id, payload), in log order."""
    for event_id, p in incidents:
        if _reopens(row, p):
            row = apply(row, event_id, "incident-open", p, "")
    return row


def _reopens(row: Row, p: dict[str, Any]) -> bool:
    """An incident reopens code in its scope accepted before it was opened,
    whichever reached the ledger first: every ledger ends in the same state."""
    return in_scope(row, p["scope"]) and _instant(row["accepted_at"]) <= _instant(p["openedAt"])


def _instant(stamp: Any) -> Any:
    from datetime import datetime

    return stamp if not isinstance(stamp, str) else datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def incident_regions(rows: Any, p: dict[str, Any]) -> list[str]:
    """The regions an `incident-open` event reopens, of those given."""
    return [r["region_id"] for r in rows if _reopens(r, p)]
