"""Errors a user sees: each prints as one line that names what is wrong."""

from ..errors import UserError


class LedgerError(UserError):
    """Base class; `str(err)` is the one-line message."""


class NotALedger(LedgerError):
    """The file exists but is not an ailedger ledger. It is never overwritten."""


class CorruptLedger(LedgerError):
    """SQLite says the file is damaged."""


class NewerLedger(LedgerError):
    """The ledger was written by a newer ailedger."""


class InvalidEvent(LedgerError):
    """An event or payload failed validation; nothing was written."""


class UnknownRegion(LedgerError):
    """No region with that id in this ledger."""
