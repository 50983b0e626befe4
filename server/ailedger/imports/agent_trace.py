"""`ailedger import agent-trace FILE`: Agent Trace records as regions.

Agent Trace (https://agent-trace.dev, trace-record schema v1, the schema in
shared/schemas/agent-trace-record.schema.json; `export/agent_trace.py`
writes the same records): JSON Lines, one record a line, each with `id`,
`timestamp`, optional `vcs {type, revision}` and `tool {name, version}`, and
`files[].conversations[].ranges[]` of 1-based inclusive `start_line` /
`end_line`. A range's `contributor` overrides its conversation's; only
`ai` ranges are imported (`mixed` ones hold a person's text too, `human` and
`unknown` are not the AI's). The lines hold at `vcs.revision` when it names a
git commit here, else in the file as it is now; a `content_hash` of the form
`sha256:HEX` must match them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..gitread import GitError, blob_text, commit_of
from . import ImportRefused, Item, model_of


def read(file: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, record) for each record of a JSON Lines file, or ImportRefused naming the line."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ImportRefused(f"{file}: cannot read it ({getattr(err, 'strerror', None) or err})") from None
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ImportRefused(f"{file}:{number}: not JSON ({err.msg})") from None
        _check(record, f"{file}:{number}")
        out.append((number, record))
    return out


def _check(record: Any, where: str) -> None:
    """The fields the import relies on, shaped as the schema says."""
    def need(ok: bool, what: str) -> None:
        if not ok:
            raise ImportRefused(f"{where}: {what}")

    need(isinstance(record, dict), "a trace record must be a JSON object")
    for key in ("version", "id", "timestamp"):
        need(isinstance(record.get(key), str) and record[key], f"{key}: a non-empty string is required")
    need(isinstance(record.get("files"), list), "files: a list is required")
    for f, entry in enumerate(record["files"]):
        need(isinstance(entry, dict) and isinstance(entry.get("path"), str) and entry["path"],
             f"files[{f}].path: a non-empty string is required")
        need(isinstance(entry.get("conversations"), list), f"files[{f}].conversations: a list is required")
        for c, conversation in enumerate(entry["conversations"]):
            need(isinstance(conversation, dict) and isinstance(conversation.get("ranges"), list),
                 f"files[{f}].conversations[{c}].ranges: a list is required")
            for r, span in enumerate(conversation["ranges"]):
                at = f"files[{f}].conversations[{c}].ranges[{r}]"
                need(isinstance(span, dict), f"{at}: an object is required")
                first, last = span.get("start_line"), span.get("end_line")
                need(type(first) is int and type(last) is int and 1 <= first <= last,
                     f"{at}: start_line and end_line must be 1-based integers, start_line <= end_line")


def _contributor(conversation: dict[str, Any], span: dict[str, Any]) -> dict[str, Any]:
    found = span.get("contributor") or conversation.get("contributor") or {}
    return found if isinstance(found, dict) else {}


def items(root: Path, file: Path) -> tuple[list[Item], list[str]]:
    out: list[Item] = []
    passed: list[str] = []
    for number, record in read(file):
        source_rev = _revision(root, record.get("vcs"))
        tool = record.get("tool") if isinstance(record.get("tool"), dict) else {}
        ours = (record.get("metadata") or {}).get("dev.ailedger") or {}
        for entry in record["files"]:
            path = entry["path"].removeprefix("./")
            source = _text(root, source_rev, path)
            if source is None:
                passed.append(f"{file}:{number}: {path} is not a text file in the working copy")
                continue
            for conversation in entry["conversations"]:
                for span in conversation["ranges"]:
                    contributor = _contributor(conversation, span)
                    first, last = span["start_line"], span["end_line"]
                    if contributor.get("type") != "ai":
                        passed.append(f"{file}:{number}: {path}:{first}-{last} is "
                                      f"{contributor.get('type', 'unknown')}, not AI: passed over")
                        continue
                    digest = span.get("content_hash")
                    out.append(Item(
                        item_id=f"agent-trace {record['id']} {path} {first}-{last}", path=path, first=first,
                        last=last, source=source,
                        tool={"name": str(tool.get("name") or "unknown"), "version": tool.get("version")},
                        model=model_of(contributor.get("model_id")),
                        parameters={"imported": "agent-trace", "traceId": record["id"],
                                    "revision": source_rev, "conversation": conversation.get("url")},
                        accepted_at=record["timestamp"],
                        accepted_by=ours.get("acceptedBy") if isinstance(ours.get("acceptedBy"), str) else None,
                        content_sha256=digest[7:] if isinstance(digest, str) and digest.startswith("sha256:") else None))
    return out, passed


def _revision(root: Path, vcs: Any) -> str | None:
    """The git commit the record's lines hold at, when this repository has it."""
    if not isinstance(vcs, dict) or vcs.get("type") != "git" or not isinstance(vcs.get("revision"), str):
        return None
    try:
        return commit_of(root, vcs["revision"])
    except GitError:
        return None


def _text(root: Path, revision: str | None, path: str) -> str | None:
    if revision is not None:
        return blob_text(root, revision, path)
    from ..files import read_document

    try:
        return read_document(root / path)
    except (OSError, UnicodeDecodeError):
        return None
