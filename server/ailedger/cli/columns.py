"""Aligned plain-text columns, for listings that can run to thousands of rows
(`report`, `blame`): rich's Table measures and renders every cell, about a
millisecond a row, which a report of a big ledger cannot afford."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def print_columns(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Left-aligned columns two spaces apart; the last one is not padded (it
    may be long, like a line of code). The header is bold on a terminal."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers[:-1])]

    def line(cells: Sequence[str]) -> str:
        return "  ".join([c.ljust(w) for c, w in zip(cells, widths)] + [cells[-1]]).rstrip()

    head = line(headers)
    if sys.stdout.isatty():
        head = f"\x1b[1m{head}\x1b[0m"
    sys.stdout.write("\n".join([head, *map(line, rows)]) + "\n")
