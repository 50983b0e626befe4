"""Incidents: a faulty model or tool, the regions it wrote, and the defect
report the provider gets.

Pure: incident events and region rows (as the ledger's projection has them)
in; records, counts and reports out. `ailedger incident` reads them from the
local ledger, the audit service's incident pages from its events table: both
count the same way.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

from .placement.describe import model_name, tool_name
from .ledger.projection import REVIEW_CODES, in_scope

EXAMPLES = 10  # locations a report shows: enough to reproduce, not a dump of the codebase
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    """`INC-7F3K2Q9M`: short enough to say on a call, unique across the organisation in practice."""
    return "INC-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


@dataclass
class Incident:
    id: str
    event_id: str
    scope: dict[str, Any]
    reason: str
    opened_by: str
    opened_at: str
    provider: dict[str, Any] | None  # the [[provider]] terms in force when it was opened
    closed: dict[str, Any] | None = None  # the incident-close payload

    @property
    def status(self) -> str:
        return "closed" if self.closed else "open"

    @property
    def due(self) -> str | None:
        """When the provider's answer is due (its contract's defect-response), if it has one."""
        return (self.provider or {}).get("due")


def from_events(events: Iterable[tuple[str, str, dict[str, Any]]]) -> dict[str, Incident]:
    """Incidents from (event id, type, payload), in log order; the first
    close of an incident is its outcome."""
    out: dict[str, Incident] = {}
    for event_id, type_, p in events:
        if type_ == "incident-open" and p["incidentId"] not in out:
            out[p["incidentId"]] = Incident(p["incidentId"], event_id, p["scope"], p["reason"], p["openedBy"],
                                            _ts(p["openedAt"]), p.get("provider"))
        elif type_ == "incident-close" and p["incidentId"] in out and out[p["incidentId"]].closed is None:
            out[p["incidentId"]].closed = dict(p, closedAt=_ts(p["closedAt"]))
    return out


def _ts(value: Any) -> str:
    return value if isinstance(value, str) else value.isoformat().replace("+00:00", "Z")


def scope_text(scope: dict[str, Any]) -> str:
    """`model openai/gpt-4.1@2025-04-14, tool copilot, since 2026-11-01`."""
    parts = []
    model = scope.get("model") or {}
    if any(model.values()):
        name = "/".join(p for p in (model.get("provider"), model.get("id")) if p) or "any model"
        parts.append(f"model {name}@{model['version']}" if model.get("version") else f"model {name}")
    tool = scope.get("tool") or {}
    if tool:
        parts.append(f"tool {tool['name']}@{tool['version']}" if tool.get("version") else f"tool {tool['name']}")
    if scope.get("since"):
        parts.append(f"since {scope['since']}")
    return ", ".join(parts)


def affected(rows: Iterable[dict[str, Any]], incident: Incident) -> list[dict[str, Any]]:
    """The regions in the incident's scope whose code still exists."""
    return [r for r in rows if r["status"] != "ended" and in_scope(r, incident.scope)]


def counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {"regions": len(rows), "repositories": len({r["repo"] for r in rows}),
            "authors": len({r["accepted_by"] for r in rows}),
            "pendingReview": sum(r["status"] in REVIEW_CODES for r in rows)}


def report(incident: Incident, rows: list[dict[str, Any]], texts: dict[str, str | None] | None = None) -> dict[str, Any]:
    """The defect report for the provider: what is affected and how much, a
    few locations to look at, the contract it falls under. No code unless
    `texts` (region id -> the accepted text, already redacted) is given;
    no developer names, only counts of them."""
    rows = sorted(rows, key=lambda r: r["accepted_at"])
    provider = incident.provider or {}
    examples = []
    for r in rows[:EXAMPLES]:
        example = {"repository": r["repo"], "path": r["path"], "lines": [r["start_line"] + 1, _last_line(r)],
                   "model": model_name(r), "tool": tool_name(r), "acceptedAt": r["accepted_at"],
                   "status": r["status"], "contract": r.get("contract")}
        if texts is not None:
            example["code"] = texts.get(r["region_id"])
        examples.append(example)
    return {
        "incident": {"id": incident.id, "status": incident.status, "scope": scope_text(incident.scope),
                     "reason": incident.reason, "openedBy": incident.opened_by, "openedAt": incident.opened_at,
                     "closedBy": (incident.closed or {}).get("closedBy"),
                     "closedAt": (incident.closed or {}).get("closedAt"),
                     "resolution": (incident.closed or {}).get("resolution")},
        "provider": {"name": provider.get("name") or (incident.scope.get("model") or {}).get("provider"),
                     "contract": provider.get("contract"), "contact": provider.get("contact"),
                     "defectResponse": provider.get("defectResponse"), "answerDue": provider.get("due")},
        "affected": counts(rows),
        "byModelVersion": [{"model": m, "regions": n} for m, n in sorted(Counter(model_name(r) for r in rows).items())],
        "byDate": [{"date": d, "regions": n} for d, n in sorted(Counter(r["accepted_at"][:10] for r in rows).items())],
        "window": {"first": rows[0]["accepted_at"] if rows else None, "last": rows[-1]["accepted_at"] if rows else None},
        "examples": examples,
    }


def _last_line(r: dict[str, Any]) -> int:
    end = r["end_line"] - (1 if r["end_char"] == 0 and r["end_line"] > r["start_line"] else 0)
    return end + 1


def markdown(rep: dict[str, Any]) -> str:
    inc, prov, hit = rep["incident"], rep["provider"], rep["affected"]
    lines = [
        f"# Defect report {inc['id']}: {inc['scope']}",
        "",
        f"- Reason: {inc['reason']}",
        f"- Opened by {inc['openedBy']} at {inc['openedAt']}; status: {inc['status']}",
    ]
    if inc["resolution"]:
        lines.append(f"- Closed by {inc['closedBy']} at {inc['closedAt']}: {inc['resolution']}")
    lines += [
        f"- Provider: {prov['name'] or 'unknown'}; contract: {prov['contract'] or 'none on record'}"
        + (f"; contact: {prov['contact']}" if prov["contact"] else ""),
    ]
    if prov["answerDue"]:
        lines.append(f"- Answer due: {prov['answerDue']} (defect-response {prov['defectResponse']})")
    lines += [
        "",
        "## Affected",
        "",
        f"{hit['regions']} regions in {hit['repositories']} repositories, accepted by {hit['authors']} developers; "
        f"{hit['pendingReview']} awaiting review again.",
        f"Accepted between {rep['window']['first'] or '-'} and {rep['window']['last'] or '-'}.",
        "",
        "| model version | regions |",
        "|---|---|",
        *[f"| {m['model']} | {m['regions']} |" for m in rep["byModelVersion"]],
        "",
        "| accepted on | regions |",
        "|---|---|",
        *[f"| {d['date']} | {d['regions']} |" for d in rep["byDate"]],
        "",
        "## Example locations",
        "",
    ]
    for e in rep["examples"]:
        lines.append(f"- {e['repository']}:{e['path']}:{e['lines'][0]}-{e['lines'][1]} ({e['model']} via {e['tool']}, "
                     f"{e['acceptedAt']}, {e['status']})")
        if e.get("code") is not None:
            lines += ["", "  ```", *[f"  {line}" for line in e["code"].splitlines()], "  ```"]
    return "\n".join(lines) + "\n"
