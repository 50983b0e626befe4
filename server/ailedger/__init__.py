"""ailedger: a paper trail and a human counter-signature for AI-generated code."""

__version__ = "0.1.0"
