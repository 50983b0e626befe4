"""Approved providers (`[[provider]]` in `.ailedger.toml`): which models and
tools the organisation agreed to use, under which contract, and what the
provider owes when a model turns out faulty (`defect-response`).

Pure: a policy's providers, a tool and a model in; an `Approval` out. The
editor, `ailedger check`, SARIF, the acceptance record (the contract in
force) and `ailedger incident` (when the provider's answer is due) all ask
`approval`.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Mapping


@dataclass(frozen=True)
class Pattern:
    """`ID-GLOB[@VERSION-GLOB]`: `gpt-4.1*`, `o3@2025-*`. Case-sensitive, as ids are."""

    text: str
    name: re.Pattern[str]
    version: re.Pattern[str] | None  # None: any version, even an unknown one

    def matches(self, name: str | None, version: str | None) -> bool:
        if name is None or not self.name.match(name):
            return False
        # A version glob is a promise about versions: an unknown version cannot keep it.
        return self.version is None or (version is not None and bool(self.version.match(version)))


def pattern(text: str) -> Pattern:
    """Raises ValueError when the pattern cannot mean anything."""
    if text.strip() != text:
        raise ValueError("starts or ends with a space")
    name, at, version = text.partition("@")
    if not name:
        raise ValueError("nothing before '@' (write '*@VERSION' for any model at a version)")
    if at and not version:
        raise ValueError("nothing after '@' (leave '@' out for any version)")
    if "@" in version:
        raise ValueError("more than one '@'")
    compiled = [re.compile(fnmatch.translate(part)) for part in (name, version) if part]
    return Pattern(text, compiled[0], compiled[1] if version else None)


@dataclass(frozen=True)
class ProviderTerms:
    name: str  # model.provider
    models: tuple[Pattern, ...]
    tools: tuple[Pattern, ...] | None  # None: any tool
    contract: str | None = None
    defect_response: timedelta | None = None
    contact: str | None = None

    def terms(self) -> dict[str, Any]:
        """The terms as records and reports carry them."""
        return {"name": self.name, "contract": self.contract, "contact": self.contact,
                "defectResponse": duration_text(self.defect_response) if self.defect_response else None}


@dataclass(frozen=True)
class Approval:
    approved: bool
    provider: ProviderTerms | None  # the approving provider; else the one named, if declared
    reason: str  # why not, in the policy's words ("" when approved)


def approval(providers: tuple[ProviderTerms, ...], tool: Mapping[str, Any] | None,
             model: Mapping[str, Any] | None) -> Approval:
    """Does a `[[provider]]` approve this model used through this tool?
    `tool` and `model` are as the wire has them ({name, version},
    {provider, id, version}, or None: unknown)."""
    model = model or {}
    tool = tool or {}
    name, model_id, version = model.get("provider"), model.get("id"), model.get("version")
    if not name or not model_id:
        return Approval(False, None, "the tool did not say which model wrote it (an unknown model is not approved)")
    declared = next((p for p in providers if p.name == name), None)
    if declared is None:
        known = ", ".join(p.name for p in providers) or "none"
        return Approval(False, None, f"provider {name} is not approved (approved providers: {known})")
    shown = f"{model_id}@{version}" if version else model_id
    if not any(m.matches(model_id, version) for m in declared.models):
        globs = ", ".join(m.text for m in declared.models)
        return Approval(False, declared, f"model {shown} is not among provider {name}'s approved models ({globs})")
    if declared.tools is not None and not any(t.matches(tool.get("name"), tool.get("version")) for t in declared.tools):
        tool_shown = "@".join(p for p in (tool.get("name"), tool.get("version")) if p) or "an unknown tool"
        globs = ", ".join(t.text for t in declared.tools)
        return Approval(False, declared, f"tool {tool_shown} is not approved for provider {name} (tools: {globs})")
    return Approval(True, declared, "")


def row_approval(providers: tuple[ProviderTerms, ...], row: Mapping[str, Any]) -> Approval:
    """`approval` for a region row of the ledger's projection."""
    return approval(providers, {"name": row.get("tool_name"), "version": row.get("tool_version")},
                    {"provider": row.get("model_provider"), "id": row.get("model_id"),
                     "version": row.get("model_version")})


def duration_text(span: timedelta) -> str:
    """"72h" -> "72 hours", "2w" -> "14 days": how a deadline is said to people."""
    hours = span.total_seconds() / 3600
    if hours < 48:
        return f"{hours:g} hours" if hours != 1 else "1 hour"
    return f"{hours / 24:g} days"
