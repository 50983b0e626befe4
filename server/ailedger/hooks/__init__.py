"""Capture from coding agents and git: their hook payloads in, acceptances out.

`ailedger hooks install TOOL` writes the tool's hook configuration;
the tool then runs `ailedger record --from TOOL` with its payload on stdin.
"""

# `record --from NAME`. Kept here, where importing costs nothing: the command
# line checks a hook's NAME before it loads anything else.
SOURCES = ("claude-code", "cursor", "codex", "git")
