"""Review metrics that stay fast at any size: counts kept at ingest, in the
push's own transaction, from which the dashboard's unfiltered figures are
summed (a scan of a million regions per page view does not fit in 500 ms).

- `region_rollup`: regions by (dimension, value, status, accepted day);
  the day is kept only for the statuses awaiting review (it places them in
  an age bucket) and is '' otherwise. Dimension '' is the whole organisation.
- `region_review_minutes`: live regions by (dimension, value, minutes from
  acceptance to the first review, rounded to the minute): the median time
  to first review, exact to the minute.
- `region_daily`: regions by (accepted day, first-approval day), for the
  coverage chart.

Each push adds a region's keys for its new row and takes away those of its
old row. The age buckets' edges fall inside a day: regions of the three days
that hold an edge are counted from the regions table itself, exactly.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from ... import metrics
from .schema import AWAITING_SQL, RegionColumns

AWAITING = ("unreviewed", "changed-after-review", "reopened")


def facets(r: RegionColumns) -> tuple[tuple[str, str], ...]:
    """(dimension, value) of a region for each dimension the counts are kept by:
    tool, model (as people read it), author and repository."""
    return ("tool", r.tool), ("model", r.model_name), ("author", r.accepted_by), ("repo", r.repo)


def _facts(r: RegionColumns) -> tuple[Any, ...]:
    """What a region's keys depend on: regions of a batch mostly share them."""
    minutes = None if r.review_hours is None or r.status == "ended" else round(r.review_hours * 60)
    return r.org, r.status, r.accepted_ts[:10], (r.first_approval_ts or "")[:10], minutes, facets(r)


def _keys(facts: tuple[Any, ...]) -> tuple[list[tuple[Any, ...]], ...]:
    """A region's keys in the three tables, from its facts (dimension '' is the whole organisation)."""
    org, status, accepted_day, approval_day, minutes, named = facts
    values = (("", ""), *named)
    day = accepted_day if status in AWAITING else ""
    rollup = [(org, dim, value, status, day) for dim, value in values]
    review = [] if minutes is None else [(org, dim, value, minutes) for dim, value in values]
    return rollup, review, [(org, accepted_day, approval_day)]


Changes = tuple[Counter, Counter, Counter]  # type: ignore[type-arg]  # each table's counts: key -> change


def deltas(pairs: list[tuple[RegionColumns | None, RegionColumns]]) -> Changes:
    """(old, new) rows of regions in; how each table's counts change out.
    Each distinct set of facts is expanded into keys once, times its count."""
    weights: Counter = Counter()  # type: ignore[type-arg]
    for old, new in pairs:
        weights[_facts(new)] += 1
        if old is not None:
            weights[_facts(old)] -= 1
    out: Changes = (Counter(), Counter(), Counter())
    for facts, n in weights.items():
        if n:
            for counter, found in zip(out, _keys(facts)):
                for key in found:
                    counter[key] += n
    return out


def merged(changes: list[Changes]) -> Changes:
    """Several sets of changes as one (Counter.update adds, negatives included)."""
    out: Changes = (Counter(), Counter(), Counter())
    for change in changes:
        for mine, more in zip(out, change):
            mine.update(more)
    return out


TABLES = (("region_rollup", ("org", "dim", "value", "status", "day"), ("text",) * 5),
          ("region_review_minutes", ("org", "dim", "value", "minutes"), ("text", "text", "text", "bigint")),
          ("region_daily", ("org", "day", "approval_day"), ("text",) * 3))


def write(t: Any, changes: Changes) -> None:
    for (table, columns, types), counter in zip(TABLES, changes):
        rows = [(*key, n) for key, n in sorted(counter.items()) if n]  # sorted: concurrent pushes lock alike
        t.insert(table, (*columns, "n"), (*types, "bigint"), rows,
                 f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET n = {table}.n + excluded.n")


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def review_metrics(t: Any, org: str, now: datetime, groups: tuple[str, ...]) -> metrics.Metrics:
    """`queries.review_metrics` without filters, from the kept counts."""
    bounds = [now - timedelta(days=days) for _, days in metrics.BUCKETS[:-1]]  # edges, newest first
    edge_days = [b.strftime("%Y-%m-%d") for b in bounds]
    # a whole day after the first edge's day is <1d; between the first and second edges' days 1-7d; ...
    bucket_sql = " ".join(
        f"WHEN day > '{edge}' THEN {i}" for i, edge in enumerate(edge_days)) + f" ELSE {len(edge_days)}"
    edges = ", ".join(f"'{d}'" for d in edge_days)
    cells: dict[tuple[str, str], list[int]] = {}
    for dim, value, status, bucket, n in t.rows(
            f"SELECT dim, value, status, CASE WHEN status IN ('unreviewed', 'changed-after-review', 'reopened')"
            f" AND day NOT IN ({edges}) THEN CASE {bucket_sql} END ELSE -1 END AS bucket, SUM(n) FROM region_rollup"
            " WHERE org = ? AND n <> 0 GROUP BY dim, value, status, bucket", (org,)):
        cell = cells.setdefault((dim, value), [0] * (4 + len(metrics.BUCKETS)))  # live, reviewed, rejected, ended
        n = int(n)
        if status == "ended":
            cell[3] += n
            continue
        cell[0] += n
        cell[1] += n if status in ("reviewed", "rejected") else 0
        cell[2] += n if status == "rejected" else 0
        if bucket is not None and bucket >= 0:
            cell[4 + bucket] += n
    # The days that hold an edge: their awaiting regions, placed by their exact
    # age and counted in SQL (a day holds thousands of regions at scale).
    ranges = " OR ".join("(accepted_ts >= ? AND accepted_ts < ?)" for _ in edge_days)
    span = [x for d in edge_days for x in (d, d + "U")]  # 'U' sorts after 'T': the whole day
    age = "CASE " + " ".join(f"WHEN accepted_ts > '{_stamp(b)}' THEN {i}" for i, b in enumerate(bounds)) \
        + f" ELSE {len(bounds)} END"
    per = " UNION ALL ".join(f"SELECT '{dim}', {column}, age, COUNT(*) FROM edge GROUP BY {column}, age"
                             for dim, column in (("tool", "tool"), ("model", "model_name"),
                                                 ("author", "accepted_by"), ("repo", "repo")))
    per = f"SELECT '', '', age, COUNT(*) FROM edge GROUP BY age UNION ALL {per}"
    for dim, value, bucket, n in t.rows(
            f"WITH edge AS (SELECT tool, model_name, accepted_by, repo, {age} AS age FROM regions"
            f" WHERE org = ? AND {AWAITING_SQL} AND ({ranges})) {per}", [org, *span]):
        cells.setdefault((dim, value), [0] * (4 + len(metrics.BUCKETS)))[4 + bucket] += int(n)
    medians = {(dim, value): (lo + hi) / 2 / 60 for dim, value, lo, hi in t.rows(
        "WITH h AS (SELECT dim, value, minutes, SUM(n) OVER (PARTITION BY dim, value ORDER BY minutes) AS upto,"
        " SUM(n) OVER (PARTITION BY dim, value) AS total FROM region_review_minutes WHERE org = ? AND n > 0)"
        " SELECT dim, value, MIN(CASE WHEN upto >= (CAST(total AS BIGINT) + 1) / 2 THEN minutes END),"
        " MIN(CASE WHEN upto >= (CAST(total AS BIGINT) + 2) / 2 THEN minutes END) FROM h GROUP BY dim, value", (org,))}

    def figures(key: tuple[str, str]) -> metrics.Figures:
        live, reviewed, rejected, _, *ages = cells.get(key, [0] * (4 + len(metrics.BUCKETS)))
        return metrics.Figures(regions=live, reviewed=reviewed, rejected=rejected, awaiting=sum(ages),
                               coverage=100 * reviewed / live if live else None,
                               median_hours_to_review=medians.get(key),
                               awaiting_by_age={label: n for (label, _), n in zip(metrics.BUCKETS, ages)},
                               oldest_awaiting=None)

    by = {}
    for group in groups:
        named = [(value, figures((dim, value))) for dim, value in cells if dim == group]
        by[group] = sorted(((v, f) for v, f in named if f.regions), key=lambda kv: (-kv[1].regions, kv[0]))
    ended = cells.get(("", ""), [0, 0, 0, 0])[3]
    return metrics.Metrics(now=now.isoformat().replace("+00:00", "Z"), ended=ended, overall=figures(("", "")), by=by)


def coverage_series(t: Any, org: str, now: datetime, days: int = 14) -> list[tuple[str, float | None]]:
    """(day, share of the regions accepted by that day's end that had an approving review by then)."""
    ends = [(now - timedelta(days=back)).strftime("%Y-%m-%d") for back in range(days - 1, -1, -1)]
    cells = t.rows("SELECT day, approval_day, n FROM region_daily WHERE org = ? AND n <> 0", (org,))
    out: list[tuple[str, float | None]] = []
    for end in ends:
        born = sum(n for day, _, n in cells if day <= end)
        done = sum(n for day, approved, n in cells if day <= end and approved and approved <= end)
        out.append((end[5:], done / born if born else None))
    return out
