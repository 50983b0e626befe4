"""The names `ailedger record --from` takes (import-light: read at every CLI start)."""

AGENT_SOURCES = ("claude-code", "codex", "cursor", "copilot", "gemini", "windsurf", "cline", "opencode", "generic")
SOURCES = (*AGENT_SOURCES, "git")

# What a tool must read back on stdout whatever happens (printed before the payload is read).
ANSWER_FIRST = {"cline": '{"cancel": false}'}
