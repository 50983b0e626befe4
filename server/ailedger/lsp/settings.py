"""Settings from `initializationOptions` and `workspace/didChangeConfiguration`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SEVERITIES = {"error": 1, "warning": 2, "information": 3, "info": 3, "hint": 4}
MAX_DEBOUNCE_MS = 100  # diagnostics are never later than this after a change


@dataclass
class Settings:
    severity: int = SEVERITIES["information"]
    debounce_ms: int = 50
    watch_interval_ms: int = 250  # how often to look for other writers' events
    sync_interval_ms: int = 60_000  # how often to sync with the audit service (0: never)

    def update(self, options: Any) -> list[str]:
        """Apply the options a client sent; return one line per ignored value."""
        problems: list[str] = []
        if isinstance(options, dict):
            options = options.get("ailedger", options)
        if not isinstance(options, dict):
            return problems
        if "severity" in options:
            value = str(options["severity"]).lower()
            if value in SEVERITIES:
                self.severity = SEVERITIES[value]
            else:
                problems.append(f"ailedger: severity {options['severity']!r} is not one of {', '.join(SEVERITIES)}")
        for key, attribute, cap in (("diagnosticsDebounceMs", "debounce_ms", MAX_DEBOUNCE_MS),
                                    ("syncIntervalMs", "sync_interval_ms", None)):
            if key not in options:
                continue
            value = options[key]
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                setattr(self, attribute, min(value, cap) if cap is not None else value)
            else:
                problems.append(f"ailedger: {key} must be a whole number of milliseconds, got {value!r}")
        return problems
