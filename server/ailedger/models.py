"""The wire format: every message and event ailedger reads or writes.

This module is the single source of truth. `protocol/schema/*.json` is
generated from it (`ailedger schema --write protocol/schema`) and a test fails
when the two drift apart.

Messages are TypedDicts validated by pydantic: plain dicts in and out, which
keeps validation cheap on the append path (about half the cost of BaseModel
instances) and makes what is stored exactly what was validated. Field names
are camelCase on the wire (LSP style). Messages from outside ignore unknown
fields, so newer clients can talk to older servers; event payloads keep
whatever extra fields they carry, because the hash chain covers the stored
bytes. Event payloads may gain fields and values but never tighten: the
audit service checks every pushed event against these models, so a rule
added later would refuse an older ledger's events for good (a device cannot
push past an event of its chain); tighten with a new envelope `v` instead.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, TypeAdapter, ValidationError
from typing_extensions import NotRequired, TypedDict

from .errors import UserError
from .ledger.canonical import EVENT_VERSION

SCHEMA_VERSION = EVENT_VERSION  # the event envelope's `v`

from .vocabulary import KINDS, VERDICTS, EventType, Kind, Verdict  # noqa: F401  (re-exported)
RegionStatus = Literal[
    "unreviewed", "reviewed", "changed-after-review", "rejected", "reopened", "ended"
]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
NonEmpty = Annotated[str, Field(min_length=1, max_length=4096)]
LongText = Annotated[str, Field(max_length=1_000_000)]


def _utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC; everything is stored in UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
_WIRE = ConfigDict(extra="ignore")
_PAYLOAD = ConfigDict(extra="allow")


# Strict: "3" is not a line number. A client that sends strings has a bug we
# should name, not paper over.
Coordinate = Annotated[int, Field(ge=0, strict=True)]


class Position(TypedDict):
    line: Coordinate
    character: Coordinate


class _Range(TypedDict):
    start: Position
    end: Position


def _ordered(r: _Range) -> _Range:
    if (r["end"]["line"], r["end"]["character"]) < (r["start"]["line"], r["start"]["character"]):
        raise ValueError("range end is before its start")
    return r


Range = Annotated[_Range, AfterValidator(_ordered)]


class TextDocumentId(TypedDict):
    __pydantic_config__ = _WIRE  # type: ignore[misc]
    uri: NonEmpty
    version: NotRequired[int | None]


class Tool(TypedDict):
    __pydantic_config__ = _WIRE  # type: ignore[misc]
    name: NonEmpty
    version: NotRequired[str | None]


class ModelInfo(TypedDict):
    """Who made the model. Each part may be unknown (null), never invented."""

    __pydantic_config__ = _WIRE  # type: ignore[misc]
    provider: NotRequired[str | None]
    id: NotRequired[str | None]
    version: NotRequired[str | None]


class AcceptanceParams(TypedDict):
    """`ailedger/recordAcceptance` params, and `ailedger record`'s stdin.

    `range` is where the accepted text sits in the document *after* it was
    inserted. Every field that may be null may also be left out, with the
    same meaning: unknown (a Lua table cannot hold nil, and a hook author
    should not have to spell out every unknown).
    """

    __pydantic_config__ = _WIRE  # type: ignore[misc]
    textDocument: TextDocumentId
    range: Range
    text: Annotated[str, Field(min_length=1, max_length=1_000_000)]
    kind: Kind
    tool: Tool
    model: NotRequired[ModelInfo | None]
    prompt: NotRequired[LongText | None]
    parameters: NotRequired[dict[str, Any] | None]
    sessionId: NotRequired[str | None]
    itemId: NotRequired[str | None]
    acceptedAt: NotRequired[UtcDatetime | None]


class GenericHookEvent(TypedDict):
    """`ailedger record --from generic`'s stdin: any tool's before/after edit hook.

    `before-edit` keeps the listed files; the `after-edit` with the same
    `editId` diffs them and records what was inserted. Relative paths are
    taken from the hook's working directory.
    """

    __pydantic_config__ = _WIRE  # type: ignore[misc]
    event: Literal["before-edit", "after-edit"]
    editId: NonEmpty
    files: Annotated[list[NonEmpty], Field(min_length=1, max_length=10_000)]
    tool: Tool
    model: NotRequired[ModelInfo | None]
    sessionId: NotRequired[NonEmpty | None]
    prompt: NotRequired[LongText | None]


class AcceptanceResult(TypedDict):
    regionId: str
    eventId: str


class ReviewParams(TypedDict):
    """The one argument of the `ailedger.markReviewed` command."""

    __pydantic_config__ = _WIRE  # type: ignore[misc]
    regionIds: Annotated[list[NonEmpty], Field(min_length=1, max_length=10_000)]
    verdict: Verdict
    note: NotRequired[Annotated[str, Field(max_length=10_000)] | None]


# --- Event payloads: what the chain covers --------------------------------


class PolicyRef(TypedDict):
    """The repository policy (`.ailedger.toml`) in force when an event was made."""

    __pydantic_config__ = _PAYLOAD  # type: ignore[misc]
    version: NonEmpty
    sha256: NotRequired[Sha256 | None]
    retention: Literal["full", "redacted", "hash", "none"]
    contract: NotRequired[str | None]  # an acceptance's: the [[provider]] contract its model was used under
    unapproved: NotRequired[str | None]  # an acceptance's, in an approved-only tier: why no [[provider]] approves it


class Acceptance(TypedDict):
    """An AI suggestion a developer accepted: the birth of a region.

    `text` and `prompt` are stored after redaction (secrets always; the prompt
    as the policy's retention says); `textSha256` is of the text as accepted.
    """

    __pydantic_config__ = _PAYLOAD  # type: ignore[misc]
    regionId: NonEmpty
    user: str
    repo: str
    path: str
    range: Range
    textSha256: Sha256
    text: NotRequired[LongText | None]
    kind: Kind
    tool: Tool
    model: NotRequired[ModelInfo | None]
    prompt: NotRequired[LongText | None]
    parameters: NotRequired[dict[str, Any] | None]
    sessionId: NotRequired[str | None]
    itemId: NotRequired[str | None]
    acceptedAt: datetime
    policy: NotRequired[PolicyRef | None]


class _Review(TypedDict):
    __pydantic_config__ = _PAYLOAD  # type: ignore[misc]
    regionIds: Annotated[list[NonEmpty], Field(min_length=1)]
    reviewer: str
    verdict: Verdict
    note: NotRequired[str | None]
    textSha256: dict[str, Sha256]
    reviewedAt: datetime
    policy: NotRequired[PolicyRef | None]


def _every_region_hashed(r: _Review) -> _Review:
    missing = [i for i in r["regionIds"] if i not in r["textSha256"]]
    if missing:
        raise ValueError(f"textSha256 lacks region {missing[0]}")
    return r


Review = Annotated[_Review, AfterValidator(_every_region_hashed)]
"""A person's attestation, bound to the exact text each region held."""


class RegionUpdate(TypedDict):
    """Where a region now is, after edits or re-anchoring.

    Recorded when it matters for the audit (a save, a re-anchor, a human edit
    inside the region), not on every keystroke.
    """

    __pydantic_config__ = _PAYLOAD  # type: ignore[misc]
    regionId: NonEmpty
    path: str
    range: Range
    aiRanges: list[Range]
    textSha256: Sha256
    aiFraction: Annotated[float, Field(ge=0, le=1)]
    reason: Literal["edit", "save", "reanchor", "rename", "restore"]


class RegionMove(TypedDict):
    """A region's text found at another path than the ledger's: its file was
    renamed (`via: "rename"`, git's rename detection) or the code was moved
    to another file (`via: "content"`, its lines found there). Recorded once
    per move, by whoever's working copy first shows it."""

    __pydantic_config__ = _PAYLOAD  # type: ignore[misc]
    regionId: NonEmpty
    fromPath: str
    path: str
    range: Range
    aiRanges: list[Range]
    textSha256: Sha256
    aiFraction: Annotated[float, Field(ge=0, le=1)]
    via: Literal["rename", "content"]


class RegionEnded(TypedDict):
    """Every character of the region was deleted, or re-anchoring lost it."""

    __pydantic_config__ = _PAYLOAD  # type: ignore[misc]
    regionId: NonEmpty
    reason: Literal["deleted", "not-found", "file-deleted"]


class Reopen(TypedDict):
    """Incident response: put regions back under review everywhere."""

    __pydantic_config__ = _PAYLOAD  # type: ignore[misc]
    regionIds: Annotated[list[NonEmpty], Field(min_length=1)]
    reason: NonEmpty


class Commit(TypedDict):
    """The commit that first contained regions' text (the git post-commit hook)."""

    __pydantic_config__ = _PAYLOAD  # type: ignore[misc]
    regionIds: Annotated[list[NonEmpty], Field(min_length=1)]
    commit: Annotated[str, Field(pattern=r"^[0-9a-f]{40}([0-9a-f]{24})?$")]
    committedAt: datetime
    textSha256: dict[str, Sha256]  # each region's text in that commit


class IncidentScope(TypedDict):
    """Which code an incident is about: parts left out match anything."""

    __pydantic_config__ = _PAYLOAD  # type: ignore[misc]
    model: NotRequired[ModelInfo | None]
    tool: NotRequired[Tool | None]
    since: NotRequired[Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}")] | None]


def _names_a_suspect(s: IncidentScope) -> IncidentScope:
    if not any((s.get("model") or {}).values()) and not s.get("tool"):
        raise ValueError("an incident names a model or a tool")
    return s


class ProviderTermsRef(TypedDict):
    """The `[[provider]]` terms in force when an incident was opened."""

    __pydantic_config__ = _PAYLOAD  # type: ignore[misc]
    name: NonEmpty
    contract: NotRequired[str | None]
    contact: NotRequired[str | None]
    defectResponse: NotRequired[str | None]  # "72 hours"
    due: NotRequired[datetime | None]  # when the provider's answer to the defect report is due


class IncidentOpen(TypedDict):
    """A faulty model or tool: reopens review of every region it wrote, in
    every ledger the event reaches (matched by scope there, whoever wrote it)."""

    __pydantic_config__ = _PAYLOAD  # type: ignore[misc]
    incidentId: NonEmpty
    scope: Annotated[IncidentScope, AfterValidator(_names_a_suspect)]
    reason: NonEmpty
    openedBy: str
    openedAt: datetime
    provider: NotRequired[ProviderTermsRef | None]
    policy: NotRequired[PolicyRef | None]


class IncidentClose(TypedDict):
    """The outcome of an incident. Regions stay reopened until reviewed."""

    __pydantic_config__ = _PAYLOAD  # type: ignore[misc]
    incidentId: NonEmpty
    resolution: NonEmpty
    closedBy: str
    closedAt: datetime


PAYLOADS: dict[str, Any] = {
    "acceptance": Acceptance,
    "review": Review,
    "region-update": RegionUpdate,
    "region-ended": RegionEnded,
    "reopen": Reopen,
    "commit": Commit,
    "incident-open": IncidentOpen,
    "incident-close": IncidentClose,
    "region-move": RegionMove,
}


class Event(TypedDict):
    """One ledger event as it travels (sync) and as `ailedger log --json` prints it.

    The chain rule (protocol/PROTOCOL.md): `hash` is SHA-256 over the ASCII
    line `"{id} {device} {seq} {prevHash}\\n"` followed by the canonical JSON
    of `{"actor", "payload", "ts", "type", "v"}`.
    """

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    id: Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
    device: Annotated[str, Field(pattern=r"^[0-9a-f-]{8,64}$")]
    seq: Annotated[int, Field(ge=1)]
    prevHash: Sha256
    hash: Sha256
    type: EventType
    ts: str
    actor: str
    v: int
    payload: dict[str, Any]


MESSAGES: dict[str, Any] = {
    "AcceptanceParams": AcceptanceParams,
    "AcceptanceResult": AcceptanceResult,
    "ReviewParams": ReviewParams,
    "GenericHookEvent": GenericHookEvent,
    "Event": Event,
    **{f"payload.{name}": t for name, t in PAYLOADS.items()},
}


@cache
def adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


class InvalidMessage(UserError, ValueError):
    """A message failed validation. `str()` is one line naming the field."""

    def __init__(self, what: str, err: ValidationError) -> None:
        self.field = field_path(err)
        super().__init__(f"invalid {what}: {self.field}: {err.errors()[0]['msg']}")


def field_path(err: ValidationError) -> str:
    """Where pydantic's first error is, as `range.start.line`."""
    loc = err.errors()[0]["loc"]
    # Annotated validators add a function-name step to the path; readers want fields.
    parts = [str(p) for p in loc if not str(p).startswith(("function-", "_"))]
    return ".".join(parts) or "(top level)"


def validate(model: Any, data: Any, what: str) -> Any:
    """Validated (and normalised) data, or InvalidMessage naming the field."""
    try:
        return adapter(model).validate_python(data)
    except ValidationError as err:
        raise InvalidMessage(what, err) from None
