"""Agent Trace (https://agent-trace.dev, trace-record schema v1) records.

One record per live region: a region is one acceptance, in one file, so the
record holds one file with one conversation (contributor `ai`, or `mixed`
once a person edited inside it) and the region's lines. Line numbers are the
ledger's last-known positions; `vcs` names the working copy's HEAD only when
the file there is as committed, so that the lines hold at that revision.
Everything the schema has no field for (review status, reviews, who accepted,
the integrator's policy) travels under `metadata["dev.ailedger"]`.
Written as JSON Lines, as the spec's reference implementation stores traces.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from ..ledger.store import StoredEvent

VERSION = "1.0"
KEY = "dev.ailedger"
# Record ids are stable for one state of a region (uuid5 of region and its latest event).
_NAMESPACE = uuid.UUID("6f1c3a52-5d0e-4f43-9a1e-7c2b8d9e0a41")

EventOf = Callable[[str], "StoredEvent | None"]
Vcs = Callable[[str, str], "dict[str, str] | None"]


def payload_of(event: StoredEvent | None) -> dict[str, Any]:
    return event.content["payload"] if event is not None else {}


def responsibility(row: dict[str, Any], accepted: dict[str, Any]) -> dict[str, Any]:
    """Who answers for a region: the model's provider, the integrating tool
    (with the policy in force when it was accepted) and the person who accepted it;
    `contract`: the [[provider]] contract the model was used under, if any."""
    model = {"provider": row["model_provider"], "id": row["model_id"], "version": row["model_version"]}
    return {
        "provider": model if any(model.values()) else None,
        "contract": (accepted.get("policy") or {}).get("contract"),
        "integrator": {"tool": row["tool_name"], "version": row["tool_version"],
                       "policy": accepted.get("policy")},
        "acceptedBy": row["accepted_by"],
        "acceptedAt": row["accepted_at"],
    }


def models_dev_id(row: dict[str, Any]) -> str | None:
    """`provider/id`, with a dated version folded in as the providers' own ids do
    (`anthropic/claude-sonnet-4-20250514`); None when the model is unknown."""
    model_id = row["model_id"]
    if not model_id:
        return None
    version = row["model_version"]
    if version and version not in model_id:
        model_id = f"{model_id}-{version}"
    name = f"{row['model_provider']}/{model_id}" if row["model_provider"] else model_id
    return name if len(name) <= 250 else None


def line_span(r: dict[str, Any]) -> tuple[int, int]:
    """1-based first and last line of an LSP range (an end at column 0 ends the line before)."""
    start, end = r["start"]["line"] + 1, r["end"]["line"] + 1
    if r["end"]["character"] == 0 and end > start:
        end -= 1
    return start, end


def record(row: dict[str, Any], event_of: EventOf, vcs: dict[str, str] | None) -> dict[str, Any]:
    accepted = payload_of(event_of(row["accepted_event"]))
    latest = event_of(row["updated_event"])
    contributor: dict[str, Any] = {"type": "ai" if row["ai_fraction"] >= 1 else "mixed"}
    if model_id := models_dev_id(row):
        contributor["model_id"] = model_id
    start, end = line_span({"start": {"line": row["start_line"], "character": row["start_char"]},
                            "end": {"line": row["end_line"], "character": row["end_char"]}})
    reviews = orjson.loads(row["reviews"])
    out: dict[str, Any] = {
        "version": VERSION,
        "id": str(uuid.uuid5(_NAMESPACE, f"{row['region_id']} {row['updated_event']}")),
        "timestamp": latest.content["ts"] if latest is not None else row["accepted_at"],
    }
    if vcs:
        out["vcs"] = vcs
    if row["tool_version"]:  # the schema needs both; an unknown version is not invented
        out["tool"] = {"name": row["tool_name"], "version": row["tool_version"]}
    out["files"] = [{"path": row["path"], "conversations": [{
        "contributor": contributor,
        "ranges": [{"start_line": start, "end_line": end, "content_hash": f"sha256:{row['text_sha256']}"}],
    }]}]
    out["metadata"] = {KEY: {
        "regionId": row["region_id"],
        "repository": row["repo"],
        "status": row["status"],
        "kind": row["kind"],
        **responsibility(row, accepted),
        "reviewers": list(dict.fromkeys(r["reviewer"] for r in reviews)),
        "reviews": [{"reviewer": r["reviewer"], "verdict": r["verdict"], "note": r["note"], "at": r["at"],
                     "textSha256": r["textSha256"], "policy": r.get("policy"), "eventId": r["eventId"]}
                    for r in reviews],
        "aiFraction": row["ai_fraction"],
        "aiLines": [list(line_span(r)) for r in orjson.loads(row["ai_ranges"])],
        "textSha256": row["text_sha256"],
        "sessionId": accepted.get("sessionId"),
        "events": {"acceptance": row["accepted_event"], "latest": row["updated_event"],
                   "reopen": row["reopened"]},
    }}
    return out


def records(rows: Iterable[dict[str, Any]], event_of: EventOf, vcs: Vcs) -> Iterator[dict[str, Any]]:
    """A record per region whose code still exists (ended regions attribute no lines)."""
    for row in rows:
        if row["status"] != "ended":
            yield record(row, event_of, vcs(row["repo"], row["path"]))


def working_copy_vcs(folder: Path) -> Vcs:
    """`{type: git, revision: HEAD}` for files of the working copy around `folder`
    that are as committed there; None for other repositories and changed files."""
    from ..ledger.identity import _git, repo_of_folder

    ref = repo_of_folder(folder)
    head = _git(ref.root, "rev-parse", "--verify", "--quiet", "HEAD")
    if head is None:
        return lambda repo, path: None
    changed = {p for args in (("diff", "--name-only", "-z", "HEAD"), ("ls-files", "-z", "--others"))
               for p in (_git(ref.root, *args) or "").split("\0")}

    def vcs(repo: str, path: str) -> dict[str, str] | None:
        return {"type": "git", "revision": head} if repo == ref.repo and path not in changed else None

    return vcs
