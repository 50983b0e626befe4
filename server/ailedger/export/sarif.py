"""SARIF 2.1.0 for code-scanning tools (GitHub code scanning reads it):
one result per region that needs a review, and, under a policy, one per
region whose model or tool no [[provider]] approves (`ai-unapproved`, at its
tier's severity); a rule per diagnostic code, locations as
repository-relative paths."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .. import __version__
from ..placement.describe import model_name, region_message, tool_name
from ..ledger.projection import REVIEW_CODES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULES = {
    "ai-unreviewed": ("AI-generated code not yet reviewed",
                      "A person must review code an AI wrote before it counts as reviewed."),
    "ai-changed-after-review": ("AI-generated code changed after its review",
                                "The text changed after it was reviewed; the review no longer covers it."),
    "ai-reopened": ("AI-generated code reopened for review",
                    "An incident reopened this code's review (a faulty model or tool version)."),
    "ai-unapproved": ("AI-generated code from an unapproved model or tool",
                      "The tier is approved-only: no [[provider]] in the policy approves this model and tool."),
}
LEVELS = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}


def sarif(rows: list[dict[str, Any]], policy: Any = None, repo: str | None = None) -> dict[str, Any]:
    """`policy` (with `repo`, the repository it governs): add its
    `ai-unapproved` findings for that repository's regions."""
    rules = [{"id": rule_id, "name": rule_id, "shortDescription": {"text": short},
              "fullDescription": {"text": full}, "defaultConfiguration": {"level": "warning"}}
             for rule_id, (short, full) in RULES.items()]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    now = datetime.now(timezone.utc)
    results = []
    for row in rows:
        why = f". Reopened: {row['reopen_reason']}" if row["status"] == "reopened" and row.get("reopen_reason") else ""
        found = [(code, "warning", region_message(row, now) + why)] if (code := REVIEW_CODES.get(row["status"])) else []
        if policy is not None and row["repo"] == repo and row["status"] not in ("ended", "rejected"):
            from ..policy.providers import row_approval

            tier = policy.rules_for(row["path"])
            approval = row_approval(tier.providers, row) if tier.approved_only else None
            if approval is not None and not approval.approved:
                found.append(("ai-unapproved", LEVELS.get(tier.severity or "", "warning"),
                              f"{region_message(row, now)}. Not approved in tier {tier.name} (approved-only): "
                              f"{approval.reason}"))
        if not found:
            continue
        end_line = row["end_line"] if row["end_char"] > 0 or row["end_line"] == row["start_line"] else row["end_line"] - 1
        region: dict[str, Any] = {"startLine": row["start_line"] + 1, "startColumn": row["start_char"] + 1,
                                  "endLine": end_line + 1}
        if row["end_char"] > 0:
            region["endColumn"] = row["end_char"] + 1
        results += [{
            "ruleId": code,
            "ruleIndex": index[code],
            "level": level,
            "message": {"text": text},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": row["path"], "uriBaseId": "%SRCROOT%"}, "region": region}}],
            "partialFingerprints": {"ailedgerRegionId/v1": row["region_id"]},
            "properties": {
                "repository": row["repo"], "regionId": row["region_id"], "kind": row["kind"],
                "tool": tool_name(row), "policy": row.get("policy_version"), "model": model_name(row),
                "contract": row.get("contract"), "acceptedBy": row["accepted_by"],
                "acceptedAt": row["accepted_at"], "aiFraction": row["ai_fraction"],
                "firstCommit": row.get("first_commit"),
            },
        } for code, level, text in found]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "ailedger", "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository root."}}},
            "results": results,
        }],
    }
