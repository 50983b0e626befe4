"""Pure algorithms that follow AI-written regions through edits.

Nothing here knows about LSP, HTTP or SQLite: positions in, positions out.
"""
