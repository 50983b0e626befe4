"""An incident's scope as SQL over the regions table, so that neither a push
that opens an incident nor the incident pages read every region of the
organisation: the regions it names are found, and counted, by the database.

The rule is the ledger's own (`projection.in_scope`): each part the scope
gives (a model's provider, id and version, a tool's name and version) equals
the region's, parts left out match anything, and `since` bounds the recorded
acceptance time as text. The regions table holds each part as a column
(schema migration 6), so the clause is exact; beside it go the conditions
those parts imply on the indexed columns (the model as `provider/id` and as
the name with its version, the acceptance time in UTC), which let
PostgreSQL use an index.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ...ledger.projection import SCOPE

# (scope part, key, regions column): the projection's, where the regions table calls `tool_name` `tool`
PARTS = tuple((part, key, "tool" if column == "tool_name" else column) for part, key, column in SCOPE)


def where(scope: dict[str, Any]) -> tuple[str, list[Any]]:
    """` AND ...` clauses (empty if the scope names nothing) and their parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    for part, key, column in PARTS:
        wanted = (scope.get(part) or {}).get(key)
        if wanted is not None:
            clauses.append(f"{column} = ?")
            params.append(wanted)
    since = scope.get("since")
    if since:
        clauses.append("accepted_at >= ?")  # compared byte by byte, as Python compares the text
        params.append(since)
        day = _day(since)
        if day:  # implied, and indexed: the recorded text's date is at most a day off UTC's
            clauses.append("accepted_ts >= ?")
            params.append((day - timedelta(days=2)).isoformat())
    model = scope.get("model") or {}
    provider, model_id, version = model.get("provider"), model.get("id"), model.get("version")
    # What those imply for the indexed columns (storage.region_fields makes both from the same parts).
    if provider and model_id and version:
        clauses.append("model_name = ?")
        params.append(f"{provider}/{model_id}@{version}")
    elif provider and model_id:
        clauses.append("model = ?")
        params.append(f"{provider}/{model_id}")
    elif provider:  # `provider/...`, or the provider alone: a range of the model index ('0' follows '/')
        clauses.append("(model = ? OR (model >= ? AND model < ?))")
        params += [provider, f"{provider}/", f"{provider}0"]
    return "".join(f" AND {c}" for c in clauses), params


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
