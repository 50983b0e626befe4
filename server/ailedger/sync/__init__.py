"""Sync: the client that pushes and pulls ledger events (`client.py`) and
the organisation's audit service (`service/`)."""
