"""The regions table, derived from events.

Pure functions: an event and the region's current row in, the new row out.
The store applies them inside the append transaction, so the projection is
never out of step with the log, and `Ledger.rebuild_regions()` can replay the
log into an identical table.
"""

from __future__ import annotations

import bisect
from datetime import datetime, timezone
from typing import Any, Iterable

import orjson

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


class Incidents:
    """The `incident-open` events known so far (id, payload), in log order,
    for an acceptance that reaches the ledger after them (a teammate synced
    late): code accepted before an incident was opened is reopened as if it
    had been here. Only an incident opened at or after a region's acceptance
    can reopen it, and most code is accepted after every incident there is,
    so they are also kept by opening time and an acceptance looks only at
    those opened since it: none, usually, where checking each incident of an
    organisation's history took 63 us an acceptance at 100 incidents."""

    def __init__(self, known: Iterable[tuple[str, dict[str, Any]]] = ()) -> None:
        self._log: list[tuple[str, dict[str, Any]]] = []
        self._opened: list[tuple[datetime, int]] = []  # (opened at, place in the log), sorted
        for event_id, payload in known:
            self.add(event_id, payload)

    def add(self, event_id: str, payload: dict[str, Any]) -> None:
        """The next `incident-open` event of the log."""
        bisect.insort(self._opened, (_instant(payload["openedAt"]), len(self._log)))
        self._log.append((event_id, payload))

    def __len__(self) -> int:
        return len(self._log)

    def reopen(self, row: Row) -> Row:
        """A region just accepted, as the incidents opened since its acceptance leave it (in log order)."""
        if not self._opened:
            return row
        since = bisect.bisect_left(self._opened, (_instant(row["accepted_at"]), -1))
        for k in sorted(k for _, k in self._opened[since:]):
            event_id, p = self._log[k]
            if in_scope(row, p["scope"]):
                row = apply(row, event_id, "incident-open", p, "")
        return row


def _instant(stamp: str) -> datetime:
    """An RFC 3339 time as an instant (without an offset, UTC: as the models read it)."""
    when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def incident_regions(rows: Any, p: dict[str, Any]) -> list[str]:
    """The regions an `incident-open` event reopens, of those given: in its
    scope and accepted no later than it was opened, whichever reached the
    ledger first, so every ledger ends in the same state."""
    opened = _instant(p["openedAt"])
    return [r["region_id"] for r in rows if in_scope(r, p["scope"]) and _instant(r["accepted_at"]) <= opened]
