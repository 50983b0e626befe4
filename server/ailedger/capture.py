"""Turn an accepted suggestion into an acceptance event payload.

Shared by the language server (`ailedger/recordAcceptance`) and the command
line (`ailedger record`, agent hooks): one schema, one set of checks.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .errors import UserError
from .ledger.canonical import sha256_text
from .ledger.identity import RepoRef
from .regions.positions import LINE_BREAK, Encoding, Pos, Span, slice_text

if TYPE_CHECKING:
    from .policy import Policy


class TextNotThere(UserError, ValueError):
    """The accepted text is not at the range named. Nothing is stored."""


def span_of(r: dict[str, Any]) -> Span:
    return Span(Pos(r["start"]["line"], r["start"]["character"]),
                Pos(r["end"]["line"], r["end"]["character"]))


def range_of(span: Span) -> dict[str, Any]:
    return {"start": {"line": span.start.line, "character": span.start.character},
            "end": {"line": span.end.line, "character": span.end.character}}


def check_text_at(document: str, params: dict[str, Any], encoding: Encoding) -> None:
    """Raise TextNotThere unless `params.text` is exactly at `params.range`."""
    span = span_of(params["range"])
    lines = len(LINE_BREAK.split(document))
    if span.end.line >= lines:
        raise TextNotThere(
            f"range: ends on line {span.end.line}, but the document has {lines} line(s) (0-based)"
        )
    found = slice_text(document, span, encoding)
    if found != params["text"]:
        shown = found if len(found) <= 40 else found[:37] + "..."
        raise TextNotThere(
            f"text: not found at range {span.start.line}:{span.start.character}-"
            f"{span.end.line}:{span.end.character} (that range holds {shown!r})"
        )


def acceptance_payload(
    params: dict[str, Any], *, region_id: str, user: str, where: RepoRef, policy: "Policy | None" = None
) -> dict[str, Any]:
    """The `acceptance` event payload for validated params.

    The one place every acceptance passes before it is stored (editor, CLI,
    hooks, proxy): secrets are masked in the text, prompt and parameters, the
    prompt is kept as the repository policy's retention says, and the policy
    in force is named. `policy` defaults to the working copy's `.ailedger.toml`
    (a broken one raises PolicyError: nothing is stored under a policy nobody
    can read)."""
    from . import policy as policies
    from .redact import redact_secrets, retain_prompt

    if policy is None:
        policy = policies.at(where.root)
    accepted_at = params.get("acceptedAt") or datetime.now(timezone.utc)
    return {
        "regionId": region_id,
        "user": user,
        "repo": where.repo,
        "path": where.path,
        "range": params["range"],
        "textSha256": sha256_text(params["text"]),  # of the text as accepted: reviews and placement match it
        "text": redact_secrets(params["text"]).text,
        "kind": params["kind"],
        # Left out and null mean the same (unknown): stored alike, every field written.
        "tool": {"version": None, **params["tool"]},
        "model": None if params.get("model") is None else {**_UNKNOWN_MODEL, **params["model"]},
        "prompt": retain_prompt(params.get("prompt"), policy.retention),
        "parameters": _redacted(params.get("parameters")),
        "sessionId": params.get("sessionId"),
        "itemId": params.get("itemId"),
        "acceptedAt": accepted_at,
        "policy": policy.ref(params["tool"], params["model"], where.path) if policy.source is not None else None,
    }


_UNKNOWN_MODEL = {"provider": None, "id": None, "version": None}


def _redacted(value: Any) -> Any:
    """Parameters with secrets masked in every string (a system prompt, a header)."""
    from .redact import redact_secrets

    if isinstance(value, str):
        return redact_secrets(value).text
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value


def acceptance_from_disk(raw: Any, *, region_id: str, user: str,
                         document: str | None = None) -> tuple[dict[str, Any], str]:
    """Validate params, check them against the file on disk, and build the
    acceptance payload: what `ailedger record` and the agent hooks store.
    Returns it with the file's text (to keep as the ledger's snapshot).
    `document` is the file's text if it was read already (a hook reads it
    before the agent goes on and may edit it again).
    Raises a UserError naming the field when anything is off."""
    from pathlib import Path
    from urllib.parse import unquote, urlparse

    from .files import read_document
    from .ledger.identity import repo_of
    from .models import AcceptanceParams, validate

    params = validate(AcceptanceParams, raw, "acceptance")
    uri = params["textDocument"]["uri"]
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        raise TextNotThere(f"textDocument.uri: only file:// URIs can be checked on disk, got {uri!r}")
    path = Path(unquote(parsed.path))
    try:
        if document is None:
            document = read_document(path)
    except (OSError, UnicodeDecodeError) as err:
        raise TextNotThere(f"textDocument.uri: cannot read {path}: {getattr(err, 'strerror', None) or err}") from None
    check_text_at(document, params, "utf-16")
    return acceptance_payload(params, region_id=region_id, user=user, where=repo_of(path)), document
