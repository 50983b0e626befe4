"""The dashboard's incident pages: `/incidents` (every incident of the
organisation, with what it touched and when the provider's answer is due;
and the AI code accepted from models or tools its tier's policy does not
approve) and `/incidents/{id}` (one incident: counts by model version and
repository, the provider's terms, the outcome).

Read from the service's events and regions tables with SQL that runs the
same on SQLite and PostgreSQL: incidents folded by the same pure functions
as `ailedger incident` (`ailedger.incidents`), the regions they touched
counted by the database (scope.py). Rendered by the dashboard's Jinja2
templates, autoescape on: every value from a ledger is text, never markup.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from urllib.parse import urlencode

from ... import incidents
from ...placement.describe import model_name, tool_name
from ...ledger.projection import from_acceptance
from . import scope
from .dashboard import first_shown, message, render
from .schema import UNAPPROVED_SQL
from .storage import decode_number_cursor, encode_cursor

INCIDENT_TYPES = ("incident-open", "incident-close")


def _query(storage: Any, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """`?` placeholders; the backend adapts them (PostgreSQL's `%s`)."""
    return list(storage.read(lambda t: t.rows(sql, params)))


def organisation_incidents(storage: Any, org: str) -> list[incidents.Incident]:
    # Incidents belong to no repository (storage.py stores them with none): the events' (org, repo, cursor)
    # index finds them without reading every event.
    rows = _query(storage, "SELECT id, type, body FROM events WHERE org = ? AND repo IS NULL AND type IN (?, ?)"
                  " ORDER BY cursor", [org, *INCIDENT_TYPES])
    found = incidents.from_events((r[0], r[1], orjson.loads(r[2])["payload"]) for r in rows)
    return sorted(found.values(), key=lambda i: i.opened_at, reverse=True)


def affected(storage: Any, org: str, incident: incidents.Incident) -> dict[str, Any]:
    """What the incident's model or tool wrote anywhere in the organisation
    (deleted code too: the provider's report counts what the model produced),
    counted by the database over the regions its scope names (scope.py):
    regions, repositories and authors, by model version and by repository."""
    clause, params = scope.where(incident.scope)
    sql, params = f"FROM regions WHERE org = ?{clause}", [org, *params]

    def count(t: Any) -> tuple[list[tuple[Any, ...]], int]:
        if t.postgres:  # one scan: the cells, and (the empty grouping set) the distinct authors of them all
            rows = t.rows(f"SELECT GROUPING(model_name, repo), model_name, repo, COUNT(*),"
                          f" COUNT(DISTINCT accepted_by) {sql} GROUP BY GROUPING SETS ((model_name, repo), ())", params)
            return [r[1:4] for r in rows if r[0] == 0], next(r[4] for r in rows if r[0] != 0)
        return (t.rows(f"SELECT model_name, repo, COUNT(*) {sql} GROUP BY model_name, repo", params),
                t.x(f"SELECT COUNT(DISTINCT accepted_by) {sql}", params).fetchone()[0])

    cells, authors = storage.read(count)
    by_model: Counter[str] = Counter()
    by_repository: Counter[str] = Counter()
    for model, repo, n in cells:
        by_model[model] += n
        by_repository[repo] += n
    return {"regions": sum(by_model.values()), "repositories": len(by_repository), "authors": authors,
            "by_model": sorted(by_model.items()), "by_repository": sorted(by_repository.items())}


UNAPPROVED_PAGE = 200  # unapproved acceptances per page of /incidents (the next page is a link)


def unapproved(storage: Any, org: str, cursor: str | None = None) -> dict[str, Any]:
    """Acceptances recorded as unapproved by the policy in force (an
    approved-only tier, no [[provider]] approving the model and tool): the
    exact total, and one page of them, most recent first, with the reason
    and the cursor of the next page (None on the last)."""
    where = UNAPPROVED_SQL.replace("%", "%%") if storage.postgres else UNAPPROVED_SQL  # psycopg's placeholders
    sql, params = f"FROM events WHERE org = ? AND {where}", [org]
    total = _query(storage, f"SELECT COUNT(*) {sql}", params)[0][0]
    if cursor:
        sql, params = sql + " AND cursor < ?", [*params, decode_number_cursor(cursor)]
    rows = _query(storage, f"SELECT cursor, id, body {sql} ORDER BY cursor DESC LIMIT ?",
                  [*params, UNAPPROVED_PAGE + 1])
    shown = []
    for _, event_id, body in rows[:UNAPPROVED_PAGE]:
        p = orjson.loads(body)["payload"]
        row = from_acceptance(event_id, p)
        shown.append({"region_id": row["region_id"], "repo": row["repo"], "path": row["path"],
                      "line": row["start_line"] + 1, "model": model_name(row), "tool": tool_name(row),
                      "accepted_by": row["accepted_by"], "accepted_at": _shown(row["accepted_at"]),
                      "reason": p["policy"]["unapproved"]})
    more = len(rows) > UNAPPROVED_PAGE
    next_page = encode_cursor((str(rows[UNAPPROVED_PAGE - 1][0]),)) if more else None
    return {"total": total, "shown": shown, "next": next_page}


def summary(incident: incidents.Incident, hit: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An incident as its pages show it; `hit` is what `affected` counted."""
    due = incident.due
    overdue = bool(due and not incident.closed and datetime.fromisoformat(due.replace("Z", "+00:00")) < now)
    return {"id": incident.id, "status": incident.status, "scope": incidents.scope_text(incident.scope),
            "reason": incident.reason, "opened_by": incident.opened_by, "opened_at": _shown(incident.opened_at),
            "due": _shown(due) if due else None, "overdue": overdue, "provider": incident.provider or {},
            "closed": dict(incident.closed, closedAt=_shown(incident.closed["closedAt"])) if incident.closed else None,
            **hit}


def _shown(stamp: str) -> str:
    return stamp[:16].replace("T", " ") + " UTC"


def routes(storage: Any, session: Any) -> list[Route]:
    """The pages, for leads and admins (as the dashboard's home)."""

    async def lead(request: Request) -> Any:
        who = await session(request)
        if who is None:
            return RedirectResponse("/login", status_code=303)
        if who.role not in ("lead", "admin"):
            return HTMLResponse(render("incidents.html", forbidden=True), status_code=403)
        return who

    async def listing(request: Request) -> Response:
        who = await lead(request)
        if isinstance(who, Response):
            return who

        q = request.query_params
        first = first_shown(q)

        def load() -> dict[str, Any]:
            now = datetime.now(timezone.utc)
            page = unapproved(storage, who.org, q.get("cursor") or None)
            return {"incidents": [summary(i, affected(storage, who.org, i), now)
                                  for i in organisation_incidents(storage, who.org)],
                    "unapproved_total": page["total"], "unapproved": page["shown"], "first": first,
                    "next_query": urlencode({"cursor": page["next"], "from": first + len(page["shown"])})
                    if page["next"] else None, "limit": UNAPPROVED_PAGE}

        try:
            found = await run_in_threadpool(load)
        except ValueError as err:  # a cursor this service did not give out
            return HTMLResponse(message("Bad request", str(err)), status_code=400)
        return HTMLResponse(render("incidents.html", **found))

    async def detail(request: Request) -> Response:
        who = await lead(request)
        if isinstance(who, Response):
            return who
        wanted = request.path_params["incident_id"]

        def load() -> dict[str, Any] | None:
            found = next((i for i in organisation_incidents(storage, who.org) if i.id == wanted), None)
            return summary(found, affected(storage, who.org, found), datetime.now(timezone.utc)) if found else None

        found = await run_in_threadpool(load)
        return HTMLResponse(render("incident.html", incident=found, wanted=wanted),
                            status_code=200 if found else 404)

    return [Route("/incidents", listing, methods=["GET"]),
            Route("/incidents/{incident_id}", detail, methods=["GET"])]
