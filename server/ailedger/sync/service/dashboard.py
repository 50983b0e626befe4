"""The team lead's dashboard: server-rendered pages, no JavaScript, nothing
loaded from outside the service (it must work where only loopback is
reachable). Every value from the ledger is HTML-escaped."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any

from ... import metrics
from ...placement.describe import ago, model_name, tool_name
from ...ledger.projection import REVIEW_CODES

OPEN = tuple(REVIEW_CODES)
STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d232b;background:#f6f7f9}
header{background:#1d232b;color:#fff;padding:12px 24px;display:flex;gap:24px;align-items:baseline}
header h1{font-size:18px;margin:0} header a{color:#9cc3ff}
main{padding:16px 24px;max-width:1200px}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:12px 16px;margin:0 0 16px}
h2{font-size:15px;margin:0 0 8px} h3{font-size:13px;margin:12px 0 4px} table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff2;vertical-align:top}
th{font-weight:600;color:#4a5460} .num{font-size:26px;font-weight:700} .stats{display:flex;gap:32px}
.bad{color:#b3261e} .ok{color:#1e7b34} form.filters{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:8px}
input,select,button{font:inherit;padding:3px 6px} code{font-size:12px}
table.metrics :is(td,th):not(:first-child){text-align:right}
"""


def page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)} · ailedger</title>"
            f"<style>{STYLE}</style></head><body><header><h1>ailedger audit</h1><a href='/'>unreviewed</a>"
            f"<a href='/incidents'>incidents</a>"
            f"<a href='/logout'>sign out</a></header><main>{body}</main></body></html>")


def login(error: str = "") -> str:
    message = f"<p class=bad>{escape(error)}</p>" if error else ""
    return page("Sign in", f"""<section><h2>Sign in</h2>{message}
<form method=post action=/login><label>Access token <input type=password name=token size=50 autofocus></label>
<button type=submit>Sign in</button></form>
<p>Create one with <code>ailedger serve token create --user you@example.com --role lead</code>.</p></section>""")


def overview(regions: list[dict[str, Any]], alerts: list[dict[str, Any]], filters: dict[str, str],
             now: datetime | None = None) -> str:
    """The organisation's regions (all of them: the chart and the filters' choices),
    the unreviewed ones among those the filters keep, and the tamper alerts."""
    now = now or datetime.now(timezone.utc)
    kept = [r for r in regions if all(not v or _field(r, k) == v for k, v in filters.items())]
    open_rows = [r for r in kept if r["status"] in OPEN]
    coverage = metrics.coverage_text(metrics.compute(regions, now, groups=()).overall.coverage)
    stats = (f"<section class=stats><div><div class=num>{len(open_rows)}</div>unreviewed AI regions</div>"
             f"<div><div class=num>{coverage}</div>review coverage</div>"
             f"<div><div class='num {'bad' if alerts else 'ok'}'>{len(alerts)}</div>tamper alerts</div></section>")
    return page("Unreviewed AI code", stats + _filters(regions, filters) + _table(open_rows, now)
                + _metrics(kept, now, filtered=any(filters.values())) + _chart(regions, now) + _alerts(alerts))


def _field(row: dict[str, Any], key: str) -> str:
    return {"repo": row["repo"], "author": row["accepted_by"], "tool": row["tool_name"],
            "model": model_name(row)}.get(key, "")


def _filters(regions: list[dict[str, Any]], chosen: dict[str, str]) -> str:
    def select(name: str, label: str, values: set[str]) -> str:
        options = "".join(f"<option{' selected' if chosen.get(name) == v else ''}>{escape(v)}</option>"
                          for v in sorted(values))
        return f"<label>{label} <select name={name}><option value=''>all</option>{options}</select></label>"

    return ("<form class=filters method=get action=/>"
            + select("repo", "repository", {r["repo"] for r in regions})
            + select("author", "author", {r["accepted_by"] for r in regions})
            + select("tool", "tool", {r["tool_name"] for r in regions})
            + select("model", "model", {model_name(r) for r in regions})
            + "<button type=submit>filter</button></form>")


def _table(rows: list[dict[str, Any]], now: datetime) -> str:
    if not rows:
        return "<section><h2>Unreviewed AI regions</h2><p class=ok>Nothing waiting for review.</p></section>"
    body = "".join(
        f"<tr class=region><td>{escape(r['repo'])}</td>"
        f"<td><a href='/regions/{escape(r['region_id'])}'>{escape(r['path'])}:{r['start_line'] + 1}</a></td>"
        f"<td>{escape(r['accepted_by'])}</td><td>{escape(tool_name(r))}</td><td>{escape(model_name(r))}</td>"
        f"<td>{escape(r['status'])}</td><td>{escape(ago(r['accepted_at'], now))}</td></tr>"
        for r in sorted(rows, key=lambda r: r["accepted_at"]))
    return ("<section><h2>Unreviewed AI regions</h2><table><tr><th>repository</th><th>where</th><th>accepted by</th>"
            f"<th>tool</th><th>model</th><th>status</th><th>age</th></tr>{body}</table></section>")


def _metrics(rows: list[dict[str, Any]], now: datetime, filtered: bool) -> str:
    """Coverage, time to first review and the age of what waits, by tool, model and author
    (the figures of `ailedger stats`, from the same code)."""
    found = metrics.compute(rows, now)
    o = found.overall
    from .storage import REGION_LIMIT

    scope = " (the regions the filters keep)" if filtered else ""
    if len(rows) >= REGION_LIMIT:
        scope += f" (the {REGION_LIMIT:,} most recent)"
    if o.regions == 0:
        return f"<section id=metrics><h2>Review metrics</h2><p>No AI-written regions{scope} to measure.</p></section>"
    ages = ", ".join(f"{escape(label)}: {n}" for label, n in o.awaiting_by_age.items())
    summary = (f"<p class=metrics-overall>{o.regions} AI-written regions{scope}, {o.reviewed} reviewed "
               f"({o.rejected} rejected): coverage <b>{metrics.coverage_text(o.coverage)}</b>; median time to "
               f"first review <b>{escape(metrics.hours_text(o.median_hours_to_review))}</b>; {o.awaiting} awaiting "
               f"review by age ({ages}).{f' {found.ended} ended regions are not counted.' if found.ended else ''}"
               "</p>")
    head = ("<tr><th>{}</th><th>regions</th><th>reviewed</th><th>coverage</th><th>median time to first review</th>"
            + "".join(f"<th>awaiting {escape(label)}</th>" for label, _ in metrics.BUCKETS) + "</tr>")
    tables = "".join(
        f"<h3>by {group}</h3><table class=metrics data-group={group}>{head.format(group)}"
        + "".join(f"<tr class=metric><td>{escape(name)}</td><td>{f.regions}</td><td>{f.reviewed}</td>"
                  f"<td>{metrics.coverage_text(f.coverage)}</td><td>{escape(metrics.hours_text(f.median_hours_to_review))}</td>"
                  + "".join(f"<td>{n}</td>" for n in f.awaiting_by_age.values()) + "</tr>"
                  for name, f in figures)
        + "</table>"
        for group, figures in found.by.items())
    return f"<section id=metrics><h2>Review metrics</h2>{summary}{tables}</section>"


def coverage_series(regions: list[dict[str, Any]], now: datetime, days: int = 14) -> list[tuple[str, float | None]]:
    """(day, share of regions accepted by then that had an approving review by then)."""
    out: list[tuple[str, float | None]] = []
    for back in range(days - 1, -1, -1):
        end = (now - timedelta(days=back)).replace(hour=23, minute=59, second=59)
        cutoff = end.isoformat().replace("+00:00", "Z")
        born = [r for r in regions if r["accepted_at"] <= cutoff]
        done = [r for r in born if any(v["verdict"] != "rejected" and v["at"] <= cutoff for v in _reviews(r))]
        out.append((end.strftime("%m-%d"), len(done) / len(born) if born else None))
    return out


def _reviews(row: dict[str, Any]) -> list[dict[str, Any]]:
    import orjson

    value = row.get("reviews", "[]")
    return orjson.loads(value) if isinstance(value, str) else list(value)


def _chart(regions: list[dict[str, Any]], now: datetime) -> str:
    series = coverage_series(regions, now)
    width, height, pad = 640, 160, 28
    step = (width - 2 * pad) / max(1, len(series) - 1)
    points = [(pad + i * step, height - pad - (v or 0) * (height - 2 * pad)) for i, (_, v) in enumerate(series)]
    line = " ".join(f"{x:.0f},{y:.0f}" for (x, y), (_, v) in zip(points, series) if v is not None)
    labels = "".join(f"<text x='{x:.0f}' y='{height - 8}' font-size='10' text-anchor='middle'>{d}</text>"
                     for (x, _), (d, _) in zip(points, series) if series.index((d, _)) % 2 == 0)
    dots = "".join(f"<circle cx='{x:.0f}' cy='{y:.0f}' r='3' fill='#2f6fdb'><title>{d}: {v:.0%}</title></circle>"
                   for (x, y), (d, v) in zip(points, series) if v is not None)
    return (f"<section><h2>Review coverage, last {len(series)} days</h2>"
            f"<svg id=coverage width={width} height={height} role=img aria-label='review coverage over time'>"
            f"<line x1={pad} y1={height - pad} x2={width - pad} y2={height - pad} stroke='#ccd'/>"
            f"<text x=2 y={pad + 4} font-size=10>100%</text><text x=2 y={height - pad} font-size=10>0%</text>"
            f"<polyline fill=none stroke='#2f6fdb' stroke-width=2 points='{line}'/>{dots}{labels}</svg></section>")


def _alerts(alerts: list[dict[str, Any]]) -> str:
    if not alerts:
        return "<section><h2>Tamper alerts</h2><p class=ok>None: every chain verified.</p></section>"
    rows = "".join(f"<tr class=alert><td>{escape(a['at'])}</td><td>{escape(a['kind'])}</td>"
                   f"<td><code>{escape(a['device'][:8])}</code></td><td>{escape(a['detail'])}</td></tr>" for a in alerts)
    return (f"<section><h2 class=bad>Tamper alerts</h2><table><tr><th>when</th><th>kind</th><th>device</th>"
            f"<th>what</th></tr>{rows}</table></section>")


def trail(region: dict[str, Any] | None, events: list[dict[str, Any]]) -> str:
    if region is None:
        return page("Region", "<section><h2>No such region</h2></section>")
    rows = "".join(
        f"<tr class=event><td>{escape(e['ts'][:19].replace('T', ' '))}</td><td>{escape(e['type'])}</td>"
        f"<td>{escape(e['actor'])}</td><td>{escape(_what(e))}</td><td><code>{escape(e['hash'][:12])}</code></td></tr>"
        for e in events)
    head = (f"<section><h2>{escape(region['path'])}:{region['start_line'] + 1} in {escape(region['repo'])}</h2>"
            f"<p>{escape(tool_name(region))}, {escape(model_name(region))}, accepted by "
            f"{escape(region['accepted_by'])}; now <b>{escape(region['status'])}</b>"
            + (f"; first committed in <code>{escape(region['first_commit'][:12])}</code>" if region.get("first_commit") else "")
            + "</p></section>")
    return page("Region trail", head + "<section><h2>Trail</h2><table><tr><th>when</th><th>event</th><th>by</th>"
                f"<th>what</th><th>hash</th></tr>{rows}</table></section>")


def _what(event: dict[str, Any]) -> str:
    p = event["payload"]
    if event["type"] == "review":
        return f"{p['verdict']}" + (f": {p['note']}" if p.get("note") else "")
    if event["type"] == "acceptance":
        return f"{p['kind']} of {len(p.get('text') or '')} characters"
    if event["type"] == "commit":
        return f"committed in {p['commit'][:12]}"
    if event["type"] == "region-move":
        return f"moved from {p['fromPath']} to {p['path']}:{p['range']['start']['line'] + 1}"
    return str(p.get("reason", ""))
