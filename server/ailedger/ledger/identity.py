"""Who is acting, and which repository a file belongs to.

Repository identity must be the same in every working copy of a repository,
on every machine, so it is the normalised `origin` URL where there is one
(`git@host:org/repo.git` and `https://host/org/repo` are one repository).
"""

from __future__ import annotations

import functools
import getpass
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


def _git(cwd: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(cwd), *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


@functools.cache
def current_user() -> str:
    """`$AILEDGER_USER`, else `git config user.email`, else the OS user."""
    return (
        os.environ.get("AILEDGER_USER")
        or _git(Path.cwd(), "config", "user.email")
        or getpass.getuser()
    )


_SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/]+)@)?(?P<host>[^:/]+):(?P<path>(?!//).+)$")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?(?P<path>/.*)?$", re.I)


def normalise_remote(url: str) -> str:
    """`host/path` without scheme, user, port, `.git` or trailing slash; host lower-cased."""
    url = url.strip()
    match = _URL.match(url)
    if match is None and "://" not in url:
        match = _SCP_LIKE.match(url)
    if match is None:
        return url.rstrip("/")
    path = (match.group("path") or "").strip("/")
    if path.endswith(".git"):
        path = path[:-4]
    return f"{match.group('host').lower()}/{path}".rstrip("/")


@dataclass(frozen=True)
class RepoRef:
    repo: str  # the identity, the same in every working copy
    root: Path  # this working copy's root
    path: str  # the file's path relative to root, with forward slashes


@functools.lru_cache(maxsize=256)
def _repo_of_dir(directory: Path) -> tuple[str, Path] | None:
    top = _git(directory, "rev-parse", "--show-toplevel")
    if top is None:
        return None
    root = Path(top).resolve()
    origin = _git(root, "config", "--get", "remote.origin.url")
    return (normalise_remote(origin) if origin else f"local:{root}"), root


def repo_of_folder(folder: Path) -> RepoRef:
    """The repository a folder is in (path: the folder, relative to its root)."""
    folder = folder.resolve()
    found = _repo_of_dir(folder)
    if found is None:
        return RepoRef(f"local:{folder}", folder, ".")
    repo, root = found
    return RepoRef(repo, root, PurePosixPath(folder.relative_to(root)).as_posix())


def repo_of(file: Path) -> RepoRef:
    """The repository a file belongs to; outside git, its folder stands in."""
    file = file.resolve()
    found = _repo_of_dir(file.parent)
    if found is None:
        return RepoRef(f"local:{file.parent}", file.parent, file.name)
    repo, root = found
    return RepoRef(repo, root, PurePosixPath(file.relative_to(root)).as_posix())
