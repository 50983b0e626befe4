"""`ailedger serve`: the organisation's audit service."""
