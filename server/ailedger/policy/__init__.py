"""Repository policy (`.ailedger.toml`): tiers by path, reviews, deadlines,
provenance obligations and prompt retention. Pure: no LSP, no HTTP."""

from .assess import Finding, approvals, assess
from .load import FILENAME, NO_POLICY, Policy, PolicyError, TierRules, at, find, load, parse

__all__ = ["FILENAME", "NO_POLICY", "Finding", "Policy", "PolicyError", "TierRules", "approvals", "assess", "at",
           "find", "load", "parse"]
