"""`ailedger proxy`: a transparent LSP proxy in front of an inline-completion
server (copilot-language-server and the like) that records the suggestions
the developer accepts.

Bytes are forwarded first and observed afterwards: `pump` moves them, the
observer thread frames and parses copies (`framing`, `session`), and the
recorder thread writes the ledger (`recorder`). Nothing the observer or the
recorder does can delay or alter a forwarded byte.
"""
