"""Importing attribution other tools recorded (git-ai notes, Agent Trace
records) as ailedger regions, so review can be added on top.

Each imported line run becomes a region of kind `agent-edit` that starts
unreviewed, with `parameters.imported` naming where it came from. Its text
is read where the source says the lines hold: a commit's blob (git-ai; an
Agent Trace record with a git revision), else the file as it is now. It is
recorded there and, when the working copy has moved on, carried to where
those lines are now by the same line diff `blame` uses (a `region-update`,
reason `reanchor`); runs whose lines are gone are not imported.

Importing twice changes nothing: a region's id is derived from a stable
item id (source, commit or record id, file, lines), and a run whose text an
existing region already holds at the same place is not imported again.
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..capture import acceptance_payload, range_of
from ..errors import UserError
from ..files import read_document
from ..ledger.canonical import sha256_text
from ..ledger.identity import RepoRef, current_user, repo_of_folder
from ..ledger.store import Ledger
from ..models import AcceptanceParams, validate
from ..placed import follow, regions_in
from ..regions.inserted import split_lines
from ..regions.positions import Pos, Span, slice_text, text_end


class ImportRefused(UserError, ValueError):
    """Input that cannot be imported: nothing is written."""


@dataclass(frozen=True)
class Item:
    """One run of AI-written lines another tool attests."""

    item_id: str  # stable across imports: the dedupe key
    path: str  # relative to the repository root, forward slashes
    first: int  # 1-based, inclusive
    last: int
    source: str  # the file's text the line numbers refer to
    tool: dict[str, Any]
    model: dict[str, Any] | None
    parameters: dict[str, Any]
    accepted_at: str | None = None
    accepted_by: str | None = None
    session_id: str | None = None
    prompt: str | None = None
    content_sha256: str | None = None  # when the source says what the lines hold


@dataclass
class Outcome:
    imported: int = 0
    duplicates: int = 0
    skipped: list[str] = field(default_factory=list)  # one line each: what was not imported, and why


def region_id_for(item_id: str) -> str:
    """26 characters of Crockford base32, like the ledger's own ids, from the item id."""
    digest = hashlib.sha256(item_id.encode()).digest()
    return base64.b32encode(digest).decode()[:26].translate(str.maketrans("ILOU", "1234"))


def model_of(name: str | None) -> dict[str, Any] | None:
    """`provider/id` (models.dev style) or a bare model id; never an invented provider."""
    if not name:
        return None
    provider, slash, model_id = name.partition("/")
    return {"provider": provider, "id": model_id, "version": None} if slash else {"provider": None, "id": name, "version": None}


def email_of(author: str | None) -> str | None:
    """`Name <email>` -> email; a bare address stays as it is."""
    if not author:
        return None
    if "<" in author and author.endswith(">"):
        return author[author.rindex("<") + 1:-1] or None
    return author.strip() or None


def store(ledger: Ledger, root: Path, items: list[Item]) -> Outcome:
    """Record the items not recorded before, in one transaction (all or none)."""
    from .. import policy as policies

    ref = repo_of_folder(root)
    policy = policies.at(ref.root)  # a broken .ailedger.toml stops the import before anything is written
    outcome = Outcome()
    by_file: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_file[item.path].append(item)
    events: list[tuple[str, dict[str, Any]]] = []
    snapshots: dict[str, str] = {}
    for path, file_items in by_file.items():
        try:
            current = read_document(ref.root / path)
        except (OSError, UnicodeDecodeError):
            outcome.skipped += [f"{path}:{i.first}-{i.last}: the file is not in the working copy" for i in file_items]
            continue
        held = {(p.span, p.row["text_sha256"]) for p in regions_in(ledger, ref.root, path, current)}
        for item in file_items:
            found = _one(ledger, RepoRef(ref.repo, ref.root, path), item, current, held, outcome, policy)
            if found:
                events += found
                snapshots[path] = current
    if events:
        user = current_user()
        ledger.append_many(events, actor=user)
        for path, text in snapshots.items():
            ledger.save_snapshot(ref.repo, path, text)
    return outcome


def _one(ledger: Ledger, where: RepoRef, item: Item, current: str, held: set[tuple[Span, str]],
         outcome: Outcome, policy: Any) -> list[tuple[str, dict[str, Any]]]:
    name = f"{item.path}:{item.first}-{item.last}"
    region_id = region_id_for(item.item_id)
    if ledger.region(region_id) is not None:
        outcome.duplicates += 1
        return []
    lines = split_lines(item.source)
    if not 1 <= item.first <= item.last <= len(lines):
        outcome.skipped.append(f"{name}: past the end of the file ({len(lines)} lines)")
        return []
    text = "".join(lines[item.first - 1:item.last])
    if not text.strip():
        outcome.skipped.append(f"{name}: blank lines only")
        return []
    if item.content_sha256 and item.content_sha256 != sha256_text(text):
        outcome.skipped.append(f"{name}: the lines there do not hold the attested content (content_hash differs)")
        return []
    start = Pos(item.first - 1, 0)
    span = Span(start, text_end(start, text, "utf-16"))
    moved = follow(item.source, current, span)
    if moved is None:
        outcome.skipped.append(f"{name}: those lines are no longer in the working copy")
        return []
    now_span, now_ai = moved
    now_text = slice_text(current, now_span, "utf-16")
    if (now_span, sha256_text(now_text)) in held:
        outcome.duplicates += 1  # the same text at the same place: recorded already (by a hook, say)
        return []
    params = validate(AcceptanceParams, {
        "textDocument": {"uri": (where.root / item.path).as_uri()}, "range": range_of(span), "text": text,
        "kind": "agent-edit", "tool": item.tool, "model": item.model, "prompt": item.prompt,
        "parameters": item.parameters, "sessionId": item.session_id, "itemId": item.item_id,
        "acceptedAt": item.accepted_at,
    }, "imported acceptance")
    payload = acceptance_payload(params, region_id=region_id, user=item.accepted_by or current_user(), where=where,
                                 policy=policy)
    events: list[tuple[str, dict[str, Any]]] = [("acceptance", payload)]
    if (now_span, now_ai) != (span, [span]):
        ai = sum(len(slice_text(current, s, "utf-16")) for s in now_ai)
        events.append(("region-update", {
            "regionId": region_id, "path": item.path, "range": range_of(now_span),
            "aiRanges": [range_of(s) for s in now_ai], "textSha256": sha256_text(now_text),
            "aiFraction": round(ai / len(now_text), 4) if now_text else 0.0, "reason": "reanchor",
        }))
    held.add((now_span, sha256_text(now_text)))
    outcome.imported += 1
    return events

