"""An incident's scope as SQL over the regions table, so that neither a push
that opens an incident nor the incident's dashboard page reads every region
of the organisation.

`where` lets through every region the scope can name, never fewer, through
the indexed columns (the model as `provider/id` and as the name with its
version, the tool, the acceptance time); `projection.in_scope` then decides
on what is left (a tool's version, `since` compared as every ledger compares
it). SQLite's LIKE ignores case: more through, never fewer.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any


def where(scope: dict[str, Any]) -> tuple[str, list[Any]]:
    """` AND ...` clauses (empty if the scope names nothing indexed) and their parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    model, tool = scope.get("model") or {}, scope.get("tool") or {}
    provider, model_id, version = model.get("provider"), model.get("id"), model.get("version")
    if provider and model_id and version:  # the name as describe.model_name writes it
        clauses.append("model_name = ?")
        params.append(f"{provider}/{model_id}@{version}")
    elif provider and model_id:
        clauses.append("model = ?")
        params.append(f"{provider}/{model_id}")
    elif provider:  # `provider/...`, or the provider alone: a range of the model index ('0' follows '/')
        clauses.append("(model = ? OR (model >= ? AND model < ?))")
        params += [provider, f"{provider}/", f"{provider}0"]
    elif model_id:  # `.../id`, or the id alone: no index for a suffix, but read in SQL, not parsed in Python
        clauses.append("(model = ? OR model LIKE ? ESCAPE '\\')")
        params += [model_id, "%/" + model_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")]
    if tool.get("name"):
        clauses.append("tool = ?")
        params.append(tool["name"])
    since = _day(scope.get("since"))
    if since:  # `since` compares the recorded text, whose date may be a day off UTC's: two days' margin
        clauses.append("accepted_ts >= ?")
        params.append((since - timedelta(days=2)).isoformat())
    return "".join(f" AND {c}" for c in clauses), params


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
