"""Capture from coding agents and git: their hook payloads in, acceptances out.

`ailedger hooks install TOOL` writes the tool's hook configuration (install.py);
the tool then runs `ailedger record --from TOOL` with its payload on stdin
(record.py, one module per agent in agents/); `ailedger hooks status` says
which AI tools on this machine are not hooked (status.py).
"""

# `record --from NAME`: the command line checks a hook's NAME before it loads
# anything else, and hooks/names.py costs nothing to import.
from .names import SOURCES  # noqa: F401
