"""The team lead's dashboard: server-rendered pages from Jinja2 templates
(templates/, autoescaped), no JavaScript, nothing loaded from outside the
service (it must work where only loopback is reachable). Every figure comes
from the database's own queries (queries.py): exact at any size."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ... import metrics
from ...placement.describe import ago, model_name, tool_name

TEMPLATES = Path(__file__).parent / "templates"
PAGE = 100  # unreviewed regions per dashboard page (the next page is a link)
ALERTS_SHOWN = 20  # the most recent tamper alerts on the home page (all of them, paged, on /alerts)
ALERTS_PAGE = 100
TRAIL_PAGE = 200  # events of one region's trail per page, oldest first

env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"], default=True),
                  trim_blocks=False)
env.globals.update(ago=ago, model_name=model_name, tool_name=tool_name, coverage_text=metrics.coverage_text,
                   hours_text=metrics.hours_text, buckets=metrics.BUCKETS)


def render(name: str, **context: Any) -> str:
    return env.get_template(name).render(**context)


def first_shown(q: Any) -> int:
    """The number of a page's first row (`from`, 1 on the first page or when it is not a number)."""
    try:
        return max(1, int(q.get("from", "1")))
    except ValueError:
        return 1


def message(title: str, text: str, heading: str = "") -> str:
    return render("message.html", title=title, text=text, heading=heading)


def login(error: str = "") -> str:
    return render("login.html", error=error)


def overview(*, page: dict[str, Any], first: int, found: metrics.Metrics, coverage: float | None,
             series: list[tuple[str, float | None]], alerts: dict[str, Any], facets: dict[str, list[str]],
             chosen: dict[str, str], now: datetime) -> str:
    """The unreviewed regions the filters keep (a page of them, with the exact
    total and a link to the next page), the review metrics and the tamper alerts."""
    scope = " (the regions the filters keep)" if any(chosen.values()) else ""
    next_query = urlencode({**{k: v for k, v in chosen.items() if v}, "cursor": page["next"] or "",
                            "from": first + len(page["regions"])})
    return render("overview.html", page=page, first=first, found=found, coverage=metrics.coverage_text(coverage),
                  chart=chart(series), alerts=alerts, facets=facets, chosen=chosen, now=now, scope=scope,
                  next_query=next_query, limit=PAGE)


def alerts_page(alerts: dict[str, Any], first: int) -> str:
    """A page of tamper alerts, most recent first, with a link to the next."""
    next_query = urlencode({"cursor": alerts["next"], "from": first + len(alerts["alerts"])}) if alerts["next"] else None
    return render("alerts.html", alerts=alerts, first=first, next_query=next_query, limit=ALERTS_PAGE)


def chart(series: list[tuple[str, float | None]], width: int = 640, height: int = 160,
          pad: int = 28) -> dict[str, Any]:
    step = (width - 2 * pad) / max(1, len(series) - 1)
    points = [{"day": day, "value": v, "x": f"{pad + i * step:.0f}",
               "y": f"{height - pad - (v or 0) * (height - 2 * pad):.0f}"} for i, (day, v) in enumerate(series)]
    line = " ".join(f"{p['x']},{p['y']}" for p in points if p["value"] is not None)
    return {"points": points, "line": line, "width": width, "height": height, "pad": pad}


def trail(region: dict[str, Any], events: dict[str, Any], first: int) -> str:
    """A region and a page of its trail (storage.trail's), with a link to the next."""
    next_query = urlencode({"cursor": events["next"], "from": first + len(events["events"])}) if events["next"] else None
    return render("trail.html", region=region, events=events, first=first, next_query=next_query, limit=TRAIL_PAGE,
                  what=_what)


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
