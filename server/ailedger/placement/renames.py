"""Where git's rename detection says a file went: a `git mv` not yet
committed (the index), or a commit that renamed it (`git log` finds the
commit that removed the path, `git diff --find-renames` what it became).

A plain `mv` git has not seen is not here: the content search finds it.
"""

from __future__ import annotations

import subprocess
from functools import cached_property
from pathlib import Path


def _git(root: Path, *args: str) -> str:
    out = subprocess.run(["git", "-C", str(root), *args], stdin=subprocess.DEVNULL, capture_output=True)
    return out.stdout.decode("utf-8", "surrogateescape") if out.returncode == 0 else ""


def _renames(name_status: str) -> dict[str, str]:
    """old -> new from `--name-status -z` output."""
    fields = name_status.split("\0")
    out: dict[str, str] = {}
    i = 0
    while i < len(fields):
        status = fields[i]
        if status.startswith(("R", "C")) and i + 2 < len(fields):
            if status.startswith("R"):
                out[fields[i + 1]] = fields[i + 2]
            i += 3
        elif status:
            i += 2
        else:
            i += 1
    return out


class Renames:
    """Rename lookups for one working copy, each git question asked once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._seen: dict[str, str | None] = {}

    @cached_property
    def _staged(self) -> dict[str, str]:
        return _renames(_git(self.root, "diff", "--cached", "--find-renames", "--name-status", "-z"))

    def _committed(self, old: str) -> str | None:
        commit = _git(self.root, "log", "-1", "--format=%H", "--diff-filter=D", "--", old).strip()
        if not commit:
            return None
        parent = _git(self.root, "rev-parse", "-q", "--verify", f"{commit}^").strip()
        if not parent:
            return None
        return _renames(_git(self.root, "diff", "--find-renames", "--name-status", "-z", parent, commit)).get(old)

    def of(self, old: str) -> str | None:
        """The path `old` has now in this working copy, by renames git saw."""
        if old not in self._seen:
            path, hops = old, 0
            while hops < 20 and not (self.root / path).is_file():  # renamed again, later
                new = self._staged.get(path) or self._committed(path)
                if new is None or new == path:
                    break
                path, hops = new, hops + 1
            self._seen[old] = path if path != old and (self.root / path).is_file() else None
        return self._seen[old]
