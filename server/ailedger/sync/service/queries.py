"""Region listings and review metrics, answered by the database: filters
and keyset paging use the indexes of schema.py; totals and metrics are SQL
aggregates over every matching region, however many there are."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import orjson

from ... import metrics
from .rollup import AWAITING
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


# filter -> region_rollup's dimension (the same value: see rollup._keys)
ROLLUP_DIMS = {"repo": "repo", "author": "author", "tool": "tool", "model_name": "model"}


def count(t: Tx, org: str, filters: dict[str, Any], clause: str, params: list[Any]) -> int:
    """All regions matching: from the counts kept at ingest (rollup.py) when the
    filters are a status (or awaiting) and at most one of the rollup's
    dimensions, else counted through the filter's index."""
    asked = [k for k in (*FILTERS, "older_than") if filters.get(k) and k != "status"]
    if len(asked) <= 1 and all(k in ROLLUP_DIMS for k in asked):
        sql, args = "SELECT COALESCE(SUM(n), 0) FROM region_rollup WHERE org = ? AND dim = ? AND value = ?", [org]
        args += [ROLLUP_DIMS[asked[0]], filters[asked[0]]] if asked else ["", ""]
        if filters.get("status"):
            sql, args = sql + " AND status = ?", [*args, filters["status"]]
        if filters.get("awaiting"):
            sql += f" AND {AWAITING_SQL}"
        return int(t.x(sql, args).fetchone()[0])
    return int(t.x(f"SELECT COUNT(*) FROM regions WHERE {clause}", params).fetchone()[0])


def regions_page(t: Tx, org: str, filters: dict[str, Any], limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of regions, oldest accepted first: {"regions", "next", "total"}."""
    clause, params = where(org, filters)
    total = count(t, org, filters, clause, params)
    page_clause, page_params = clause, list(params)
    if cursor:
        after = decode_cursor(cursor)
        if len(after) != 2:
            raise ValueError("cursor is not one this service gave out")
        page_clause += " AND (accepted_ts > ? OR (accepted_ts = ? AND region_id > ?))"
        page_params += [after[0], after[0], after[1]]
    select = "SELECT accepted_ts, region_id, row FROM regions WHERE {} ORDER BY accepted_ts, region_id LIMIT ?"
    if filters.get("awaiting") and not any(filters.get(k) for k in FILTERS):
        # One ordered scan of regions_status per awaiting status, merged: no index of its own to keep.
        arms = " UNION ALL ".join(f"SELECT * FROM ({select.format(page_clause + ' AND status = ?')}) AS a{i}"
                                  for i, _ in enumerate(AWAITING))
        rows = t.rows(f"SELECT * FROM ({arms}) AS u ORDER BY accepted_ts, region_id LIMIT ?",
                      [x for status in AWAITING for x in (*page_params, status, limit + 1)] + [limit + 1])
    else:
        rows = t.rows(select.format(page_clause), [*page_params, limit + 1])
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


GROUPS = (("tool", "tool"), ("model", "model_name"), ("author", "accepted_by"), ("repo", "repo"))


def review_metrics(t: Tx, org: str, filters: dict[str, Any], now: datetime,
                   groups: tuple[tuple[str, str], ...] = GROUPS) -> metrics.Metrics:
    """The figures of `metrics.compute`, from SQL aggregates over every
    matching region (definitions in metrics.py): overall and by tool, model
    and author. On PostgreSQL one scan (GROUPING SETS, the median as
    percentile_cont); SQLite has neither, so a query per group there."""
    clause, params = where(org, filters)
    live = f"{clause} AND status <> 'ended'"
    bounds = [_stamp(now - timedelta(days=days)) for _, days in metrics.BUCKETS[:-1]]
    # An awaiting region is in the first bucket its age is below: accepted after now - bound.
    buckets, upper = [], None
    for bound in bounds:
        cond = f"accepted_ts > '{bound}'" + (f" AND accepted_ts <= '{upper}'" if upper else "")
        buckets.append(f"SUM(CASE WHEN {AWAITING_SQL} AND {cond} THEN 1 ELSE 0 END)")
        upper = bound
    buckets.append(f"SUM(CASE WHEN {AWAITING_SQL} AND accepted_ts <= '{upper}' THEN 1 ELSE 0 END)")
    figures = ("COUNT(*), SUM(CASE WHEN status IN ('reviewed', 'rejected') THEN 1 ELSE 0 END),"
               " SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END), " + ", ".join(buckets))
    columns = [c for _, c in groups]
    found: dict[str | None, list[tuple[Any, ...]]] = {None: [], **{c: [] for c in columns}}  # column -> rows
    if t.postgres:
        median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY review_hours)"
        sets = ", ".join(["()"] + [f"({c})" for c in columns])
        picked = ", ".join(columns) or "NULL"
        which = f"GROUPING({', '.join(columns)})" if columns else "0"
        for row in t.rows(f"SELECT {which}, {picked}, {median}, {figures} FROM regions WHERE {live}"
                          f" GROUP BY GROUPING SETS ({sets})", params):
            flags, names, rest = row[0], row[1:1 + max(1, len(columns))], row[1 + max(1, len(columns)):]
            if flags == (1 << len(columns)) - 1:
                found[None].append((None, *rest))
            else:
                k = next(i for i in range(len(columns)) if not flags & (1 << (len(columns) - 1 - i)))
                found[columns[k]].append((names[k], *rest))
    else:
        for column in (None, *columns):
            key = column or "NULL"
            medians = dict(t.rows(
                f"WITH r AS (SELECT {key} AS g, review_hours AS h, ROW_NUMBER() OVER (PARTITION BY {key}"
                f" ORDER BY review_hours) AS k, COUNT(*) OVER (PARTITION BY {key}) AS n FROM regions"
                f" WHERE {live} AND review_hours IS NOT NULL)"
                " SELECT g, AVG(h) FROM r WHERE k IN ((n + 1) / 2, (n + 2) / 2) GROUP BY g", params))
            group_by = f" GROUP BY {column}" if column else ""
            found[column] = [(r[0], medians.get(r[0]), *r[1:]) for r in
                             t.rows(f"SELECT {key}, {figures} FROM regions WHERE {live}{group_by}", params)]

    def figures_of(rows: list[tuple[Any, ...]]) -> dict[Any, metrics.Figures]:
        out = {}
        for name, median, regions, reviewed, rejected, *ages in rows:
            if not regions:
                continue
            ages = [int(a or 0) for a in ages]
            out[name] = metrics.Figures(
                regions=regions, reviewed=int(reviewed or 0), rejected=int(rejected or 0), awaiting=sum(ages),
                coverage=100 * int(reviewed or 0) / regions,
                median_hours_to_review=None if median is None else float(median),
                awaiting_by_age={label: n for (label, _), n in zip(metrics.BUCKETS, ages)}, oldest_awaiting=None)
        return out

    overall = figures_of(found[None]).get(None) or metrics.Figures(
        0, 0, 0, 0, None, None, {label: 0 for label, _ in metrics.BUCKETS}, None)
    ended_clause, ended_params = where(org, {**filters, "status": "ended"})
    ended = count(t, org, {**filters, "status": "ended"}, ended_clause, ended_params)
    by = {group: sorted(figures_of(found[column]).items(), key=lambda kv: (-kv[1].regions, kv[0]))
          for group, column in groups}
    return metrics.Metrics(now=now.isoformat().replace("+00:00", "Z"), ended=ended, overall=overall, by=by)
