"""The words of the wire format that the command line also needs at start-up
(choices for `--kind`, `--verdict`). `models.py` builds its types from them;
kept apart so that building the parser does not import pydantic."""

from typing import Literal

Kind = Literal["inline", "partial-inline", "next-edit", "chat-insert", "agent-edit"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
Verdict = Literal["approved", "approved-with-changes", "rejected"]
VERDICTS: tuple[str, ...] = Verdict.__args__  # type: ignore[attr-defined]
EventType = Literal["acceptance", "review", "region-update", "region-ended", "reopen", "commit", "incident-open",
                    "incident-close", "region-move"]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
