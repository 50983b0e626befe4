"""Reading a git repository for `summary`, commit links and `import git-ai`:
plain `git` subprocesses, bytes decoded as UTF-8, failures as one-line errors.

No git process inherits stdin: in the language server stdin is the editor's
LSP pipe, and a child that read from it would swallow the editor's requests."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import UserError


class GitError(UserError, ValueError):
    """git refused (a bad revision, not a repository): printed as one line."""


def git(root: Path, *args: str, input: str | None = None) -> str:
    out = subprocess.run(["git", "-C", str(root), "-c", "core.quotePath=false", *args], input=input,
                         stdin=subprocess.DEVNULL if input is None else None, capture_output=True,
                         text=True, encoding="utf-8", errors="replace")
    if out.returncode != 0:
        message = (out.stderr.strip().splitlines() or [f"git {args[0]} failed"])[-1]
        raise GitError(message.removeprefix("fatal: ").removeprefix("error: "))
    return out.stdout


def toplevel(cwd: Path) -> Path:
    try:
        return Path(git(cwd, "rev-parse", "--show-toplevel").strip())
    except GitError:
        raise GitError(f"{cwd} is not inside a git repository") from None


def commit_of(root: Path, rev: str) -> str:
    """The full sha of a revision that names a commit, or GitError naming it."""
    if not rev or rev.startswith("-"):
        raise GitError(f"{rev!r} is not a revision")
    out = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if out.returncode != 0:
        raise GitError(f"{rev!r} is not a commit in this repository")
    return out.stdout.strip()


def blob_text(root: Path, rev: str, path: str) -> str | None:
    """The file at a revision exactly as stored (line endings untouched), or
    None when it is not there or is not UTF-8 text."""
    out = subprocess.run(["git", "-C", str(root), "show", f"{rev}:{path}"], stdin=subprocess.DEVNULL,
                         capture_output=True)
    if out.returncode != 0:
        return None
    try:
        return out.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return None


def blob_texts(root: Path, rev: str, paths: list[str]) -> dict[str, str | None]:
    """`blob_text` for many files at once: one `git cat-file --batch`, not a process a file."""
    if not paths:
        return {}
    if any("\n" in p for p in paths):  # cat-file --batch reads one name a line
        return {p: blob_text(root, rev, p) for p in paths}
    request = "".join(f"{rev}:{p}\n" for p in paths).encode("utf-8")
    out = subprocess.run(["git", "-C", str(root), "cat-file", "--batch"], input=request, capture_output=True)
    if out.returncode != 0:
        raise GitError((out.stderr.decode("utf-8", "replace").strip().splitlines() or ["git cat-file failed"])[-1])
    data, at, found = out.stdout, 0, {}
    for path in paths:
        end = data.index(b"\n", at)
        header = data[at:end].split()
        at = end + 1
        if len(header) != 3 or header[1] != b"blob":  # "<name> missing", or not a file
            found[path] = None
            continue
        size = int(header[2])
        content, at = data[at:at + size], at + size + 1  # the content, then a newline
        try:
            found[path] = content.decode("utf-8")
        except UnicodeDecodeError:
            found[path] = None
    return found
