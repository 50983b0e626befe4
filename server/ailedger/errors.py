"""The root of every error a user should see as one line (and exit code 2).

Kept free of imports so that catching it costs nothing at start-up."""


class UserError(Exception):
    """Bad input or a refused operation: `str(err)` is the whole message."""
