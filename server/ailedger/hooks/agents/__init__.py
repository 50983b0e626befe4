"""Agent hook payloads, turned into acceptance params: one module per agent.

`handle(source, payload)` is what `ailedger record --from SOURCE` calls.
Modules are imported on demand: a hook process pays only for its own agent
(an agent waits on every before-edit hook).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs a before-edit hook milliseconds
if TYPE_CHECKING:
    from typing import Any

from .edits import Outcome

# --from NAME -> module in this package
AGENTS = {
    "claude-code": "claude", "codex": "claude", "cursor": "cursor", "copilot": "copilot", "gemini": "gemini",
    "windsurf": "windsurf", "cline": "cline", "opencode": "opencode", "generic": "generic",
}



def handle(source: str, payload: dict[str, Any]) -> Outcome:
    # __import__, not importlib.import_module: importlib's package loads warnings, time a hook cannot spare
    module = __import__(f"{__name__}.{AGENTS[source]}", fromlist=["handle"])
    out: Outcome = module.handle(source, payload)
    return out


__all__ = ["AGENTS", "Outcome", "handle"]
