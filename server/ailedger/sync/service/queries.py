"""Region listings and review metrics, answered by the database: filters
and keyset paging use the indexes of schema.py; totals and metrics are SQL
aggregates over every matching region, however many there are."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import orjson

from ... import metrics
from .schema import AWAITING_SQL
from .storage import Tx, decode_cursor, encode_cursor

MAX_LIMIT = 1_000
# query parameter -> column (the dashboard's model filter is the displayed name, with version)
FILTERS = {"repo": "repo", "path": "path", "author": "accepted_by", "tool": "tool", "model": "model",
           "status": "status", "model_name": "model_name"}


def where(org: str, filters: dict[str, Any]) -> tuple[str, list[Any]]:
    """The WHERE clause for these filters (unknown keys are ignored; empty values mean "any")."""
    sql, params = ["org = ?"], [org]
    for key, column in FILTERS.items():
        if filters.get(key):
            sql.append(f"{column} = ?")
            params.append(filters[key])
    if filters.get("older_than"):
        sql.append("accepted_ts < ?")
        params.append(filters["older_than"])
    if filters.get("awaiting"):
        sql.append(AWAITING_SQL)
    return " AND ".join(sql), params


def regions_page(t: Tx, org: str, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of regions, oldest accepted first: {"regions", "next", "total"}."""
    clause, params = where(org, filters)
    total = t.x(f"SELECT COUNT(*) FROM regions WHERE {clause}", params).fetchone()[0]
    page_clause, page_params = clause, list(params)
    if cursor:
        after = decode_cursor(cursor)
        if len(after) != 2:
            raise ValueError("cursor is not one this service gave out")
        page_clause += " AND (accepted_ts > ? OR (accepted_ts = ? AND region_id > ?))"
        page_params += [after[0], after[0], after[1]]
    rows = t.rows(f"SELECT accepted_ts, region_id, row FROM regions WHERE {page_clause}"
                  " ORDER BY accepted_ts, region_id LIMIT ?", [*page_params, limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"regions": [orjson.loads(r[2]) for r in rows],
            "next": encode_cursor((rows[-1][0], rows[-1][1])) if more else None, "total": total}


def facets(t: Tx, org: str) -> dict[str, list[str]]:
    """The values each dashboard filter can take (kept at ingest, so this reads a small table)."""
    out: dict[str, list[str]] = {"repo": [], "author": [], "tool": [], "model": []}
    for facet, value in t.rows("SELECT facet, value FROM region_facets WHERE org = ? ORDER BY facet, value", (org,)):
        out.setdefault(facet, []).append(value)
    return out


def _stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


GROUPS = (("tool", "tool"), ("model", "model_name"), ("author", "accepted_by"))


def review_metrics(t: Tx, org: str, filters: dict[str, Any], now: datetime,
                   groups: tuple[tuple[str, str], ...] = GROUPS) -> metrics.Metrics:
    """The figures of `metrics.compute`, from SQL aggregates: overall and by
    tool, model and author (definitions in metrics.py)."""
    clause, params = where(org, filters)
    live = f"{clause} AND status <> 'ended'"
    bounds = [_stamp(now - timedelta(days=days)) for _, days in metrics.BUCKETS[:-1]]
    # An awaiting region is in the first bucket its age is below: accepted after now - bound.
    buckets = []
    upper = None
    for bound in bounds:
        cond = f"accepted_ts > '{bound}'" + (f" AND accepted_ts <= '{upper}'" if upper else "")
        buckets.append(f"SUM(CASE WHEN {AWAITING_SQL} AND {cond} THEN 1 ELSE 0 END)")
        upper = bound
    buckets.append(f"SUM(CASE WHEN {AWAITING_SQL} AND accepted_ts <= '{upper}' THEN 1 ELSE 0 END)")
    figures = ("COUNT(*), SUM(CASE WHEN status IN ('reviewed', 'rejected') THEN 1 ELSE 0 END),"
               " SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END), " + ", ".join(buckets))

    def grouped(column: str | None) -> dict[str | None, metrics.Figures]:
        key = column or "NULL"
        found = t.rows(f"SELECT {key}, {figures} FROM regions WHERE {live} GROUP BY {key}", params) if column else \
            t.rows(f"SELECT NULL, {figures} FROM regions WHERE {live}", params)
        medians = dict(t.rows(
            f"WITH r AS (SELECT {key} AS g, review_hours AS h, ROW_NUMBER() OVER (PARTITION BY {key}"
            f" ORDER BY review_hours) AS k, COUNT(*) OVER (PARTITION BY {key}) AS n FROM regions"
            f" WHERE {live} AND review_hours IS NOT NULL)"
            " SELECT g, AVG(h) FROM r WHERE k IN ((n + 1) / 2, (n + 2) / 2) GROUP BY g", params))
        out = {}
        for name, regions, reviewed, rejected, *ages in found:
            if not regions:
                continue
            ages = [int(a or 0) for a in ages]
            out[name] = metrics.Figures(
                regions=regions, reviewed=int(reviewed or 0), rejected=int(rejected or 0), awaiting=sum(ages),
                coverage=100 * int(reviewed or 0) / regions, median_hours_to_review=medians.get(name),
                awaiting_by_age={label: n for (label, _), n in zip(metrics.BUCKETS, ages)}, oldest_awaiting=None)
        return out

    overall = grouped(None).get(None) or metrics.Figures(0, 0, 0, 0, None, None,
                                                        {label: 0 for label, _ in metrics.BUCKETS}, None)
    ended = t.x(f"SELECT COUNT(*) FROM regions WHERE {clause} AND status = 'ended'", params).fetchone()[0]
    by = {}
    for group, column in groups:
        found = grouped(column)
        by[group] = sorted(found.items(), key=lambda kv: (-kv[1].regions, kv[0]))
    return metrics.Metrics(now=now.isoformat().replace("+00:00", "Z"), ended=ended, overall=overall, by=by)


def coverage_series(t: Tx, org: str, now: datetime, days: int = 14) -> list[tuple[str, float | None]]:
    """(day, share of regions accepted by then that had an approving review by then), in one scan."""
    ends = [(now - timedelta(days=back)).replace(hour=23, minute=59, second=59, microsecond=0)
            for back in range(days - 1, -1, -1)]
    cells = ", ".join(f"SUM(CASE WHEN accepted_ts <= '{_stamp(e)}' THEN 1 ELSE 0 END),"
                      f" SUM(CASE WHEN accepted_ts <= '{_stamp(e)}' AND first_approval_ts <= '{_stamp(e)}'"
                      " THEN 1 ELSE 0 END)" for e in ends)
    row = t.x(f"SELECT {cells} FROM regions WHERE org = ?", (org,)).fetchone()
    out: list[tuple[str, float | None]] = []
    for i, end in enumerate(ends):
        born, done = int(row[2 * i] or 0), int(row[2 * i + 1] or 0)
        out.append((end.strftime("%m-%d"), done / born if born else None))
    return out
