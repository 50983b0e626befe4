"""Repository policy (`.ailedger.toml`): tiers by path, reviews, deadlines,
provenance obligations, prompt retention and approved providers. Pure: no
LSP, no HTTP."""

from .assess import Finding, assess
from .providers import Approval, ProviderTerms, approval
from .load import FILENAME, NO_POLICY, Policy, PolicyError, TierRules, at, load, parse

__all__ = ["FILENAME", "NO_POLICY", "Approval", "Finding", "Policy", "PolicyError", "ProviderTerms", "TierRules",
           "approval", "assess", "at", "load", "parse"]
