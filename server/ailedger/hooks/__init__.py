"""Capture from coding agents and git: their hook payloads in, acceptances out.

`ailedger hooks install TOOL` writes the tool's hook configuration;
the tool then runs `ailedger record --from TOOL` with its payload on stdin.
"""
