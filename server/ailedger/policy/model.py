"""`.ailedger.toml`: what a repository's team agreed on, as pydantic models.

Keys are kebab-case (as in Cargo.toml and ruff.toml). Every table forbids
unknown keys: a misspelt `self-reveiw` must fail loudly, not be ignored.

    version = "2026-11"                  # shown in reports as the policy in force

    [prompts]
    retention = "redacted"               # full | redacted | hash | none

    [roles]
    security = ["carol@example.com", "dan@example.com"]

    [default]                            # code that no tier names
    reviews = 1

    [[tier]]                             # the first tier whose paths match wins
    name = "high"
    paths = ["payments/**", "auth/**"]
    reviews = 2                          # distinct approvals of the exact text
    roles = ["security"]                 # who may give them (with `reviewers`)
    self-review = false                  # the accepting developer's own does not count
    severity = "error"
    max-unreviewed = "2d"
    require-provenance = ["model.id", "model.version"]
    approved-only = true                 # only models and tools a [[provider]] approves

    [[provider]]                         # a provider the organisation has a contract with
    name = "openai"                      # matches model.provider
    models = ["gpt-4.1*", "o3@2025-*"]   # globs over model.id, optionally @ a model.version glob
    tools = ["copilot", "cursor"]        # globs over tool.name (left out: any tool)
    contract = "MSA-2026-014"            # the reference reports and attestations name
    defect-response = "72h"              # how long the provider has to answer a defect report
    contact = "security@openai.example"
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Severity = Literal["error", "warning", "information", "hint"]
Retention = Literal["full", "redacted", "hash", "none"]
ProvenanceField = Literal["tool.version", "model.provider", "model.id", "model.version"]
PROVENANCE_FIELDS: tuple[str, ...] = ProvenanceField.__args__  # type: ignore[attr-defined]

_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def _duration(value: object) -> object:
    """"36h", "2d", "1w" (a bare number is days)."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as \"36h\", \"2d\" or \"1w\"")
    if isinstance(value, (int, float)):
        value = f"{value}d"
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*", value)
        if m and float(m[1]) > 0:
            return timedelta(seconds=float(m[1]) * _UNITS[m[2]])
    raise ValueError(f"expected a positive duration such as \"36h\", \"2d\" or \"1w\", got {value!r}")


Duration = Annotated[timedelta, BeforeValidator(_duration)]
Person = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False,
                              alias_generator=lambda name: name.replace("_", "-"))


class Rules(_Strict):
    """What a tier (or the default) asks of AI-written code."""

    reviews: Annotated[int, Field(ge=0, le=20)] | None = None
    roles: list[Annotated[str, Field(min_length=1)]] | None = None
    reviewers: list[Person] | None = None
    self_review: bool | None = None
    severity: Severity | None = None
    max_unreviewed: Duration | None = None
    require_provenance: list[ProvenanceField] | None = None
    approved_only: Annotated[bool, Field(strict=True)] | None = None  # "yes" is a typo, not true


class Tier(Rules):
    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    paths: Annotated[list[str], Field(min_length=1)]


Glob = Annotated[str, Field(min_length=1, max_length=200)]


class Provider(_Strict):
    """A provider the organisation agreed to use, and on what terms."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    models: list[Glob]  # an empty list is refused with its own message (load.py)
    tools: list[Glob] | None = None
    contract: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    defect_response: Duration | None = None
    contact: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class Prompts(_Strict):
    retention: Retention = "redacted"


class PolicyFile(_Strict):
    version: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    prompts: Prompts = Prompts()
    roles: dict[Annotated[str, Field(min_length=1)], list[Person]] = {}
    default: Rules = Rules()
    tier: list[Tier] = []
    provider: list[Provider] = []
