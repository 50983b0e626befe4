"""Repository policy (`.ailedger.toml`): tiers by path, reviews, deadlines,
provenance obligations and prompt retention. Pure: no LSP, no HTTP."""

from .assess import Finding, assess
from .load import FILENAME, NO_POLICY, Policy, PolicyError, TierRules, at, load, parse

__all__ = ["FILENAME", "NO_POLICY", "Finding", "Policy", "PolicyError", "TierRules", "assess", "at", "load", "parse"]
