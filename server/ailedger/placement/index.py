"""The repository's files and the hashes of their lines, to find a region's
text in files other than its own without reading every file every time.

Files are those git would show: tracked, and untracked but not ignored (a
plain `mv` before the commit). Each file's line hashes are cached by its
size and modification time in one file beside the ledger, so a run reads
only what changed since the last one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import subprocess
from array import array
from collections.abc import Hashable
from pathlib import Path
from typing import Any
from zlib import crc32

_VERSION = 1
_MAX_FILE = 2_000_000  # bytes: bigger files are data, not code anyone moved a function into


def files_of(root: Path) -> list[str]:
    """Repository-relative paths of the working copy's files."""
    out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         stdin=subprocess.DEVNULL, capture_output=True)
    if out.returncode != 0:
        return []
    return list(dict.fromkeys(p.decode("utf-8", "surrogateescape") for p in out.stdout.split(b"\0") if p))


def cache_path(ledger_path: Path, root: Path) -> Path:
    """Beside the ledger, one file per working copy."""
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    return ledger_path.parent / "placement-index" / f"{digest}.pickle"


def read_cache(path: Path) -> Any:
    """What `write_cache` left at `path`, or None (missing, half-written by
    an older version, or not ours): a cache is rebuilt, never trusted."""
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
        return None


def _current(saved: Any) -> dict[str, Any]:
    """The entries of a (version, entries) cache this version wrote, else none."""
    if isinstance(saved, tuple) and len(saved) == 2 and saved[0] == _VERSION and isinstance(saved[1], dict):
        return saved[1]
    return {}


def write_cache(path: Path, value: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # readers see the old file or the new one, never half
    except OSError:
        pass  # a read-only place: the next run builds it again, nothing worse


def line_keys(data: bytes) -> array:
    """crc32 of each line (as `lines.key` hashes a line's text)."""
    if not data:
        return array("I")
    pieces = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    if pieces[-1] == b"":
        pieces.pop()
    return array("I", map(crc32, pieces))


class LineIndex:
    """path -> the crc32 of each of its lines, for one working copy."""

    def __init__(self, root: Path, cache: Path | None) -> None:
        self.root = root
        self.cache = cache
        self.files: dict[str, array] = {}
        self.stats: dict[str, tuple[int, int]] = {}  # path -> (mtime_ns, size)
        self.read: dict[str, bytes] = {}  # files read this run, so nobody opens them twice
        self.changed = 0  # files read this time (not from the cache)

    def build(self) -> "LineIndex":
        old: dict[str, tuple[int, int, array]] = {}
        if self.cache is not None:
            old = _current(read_cache(self.cache))
        fresh: dict[str, tuple[int, int, array]] = {}
        root = str(self.root)
        for path in files_of(self.root):
            full = os.path.join(root, path)
            try:
                st = os.stat(full)
            except OSError:
                continue  # tracked, but deleted in this working copy
            if st.st_size > _MAX_FILE or not stat.S_ISREG(st.st_mode):
                continue
            hit = old.get(path)
            if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
                fresh[path] = hit
            else:
                try:
                    with open(full, "rb") as f:
                        data = f.read()
                except OSError:
                    continue
                if b"\0" in data[:8192]:
                    continue  # binary
                fresh[path] = (st.st_mtime_ns, st.st_size, line_keys(data))
                self.read[path] = data
                self.changed += 1
        self.files = {p: keys for p, (_, _, keys) in fresh.items()}
        self.stats = {p: (m, n) for p, (m, n, _) in fresh.items()}
        if self.cache is not None and (self.changed or len(fresh) != len(old)):
            self._save(fresh)
        return self

    def _save(self, entries: dict[str, tuple[int, int, array]]) -> None:
        assert self.cache is not None
        write_cache(self.cache, (_VERSION, entries))


class PlacedCache:
    """Where step 1 found a file's regions, kept while nothing it depends on
    changes: the file (size and modification time), its rows (their last
    event) and the ledger's snapshot of it; and, under ("search", path),
    which regions step 3 should look for in a file. A check then reads only
    the files that changed."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[Hashable, tuple[Any, Any]] = {}
        self.dirty = False
        if path is not None:
            self.entries = _current(read_cache(path))

    def get(self, path: Hashable, key: Any) -> Any:
        hit = self.entries.get(path)
        return hit[1] if hit is not None and hit[0] == key else None

    def put(self, path: Hashable, key: Any, value: Any) -> None:
        self.entries[path] = (key, value)
        self.dirty = True

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        write_cache(self.path, (_VERSION, self.entries))
