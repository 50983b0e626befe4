"""The commit that first contained a region's text.

Two sources, one answer. The git post-commit hook (`ailedger hooks install
git`) records a `commit` event for every live region of the committed files
that the commit holds: a fact seen at commit time, chained and synced, so
teammates and the audit service's trail have it (the projection keeps the
first). Where no hook saw the commit, git history answers: `git blame` of the
region's AI lines in the file as it is now, the newest of their commits
being the first to hold them all; a line not committed yet means no commit.
That answer is cached in the ledger's `commit_cache` table (not chained:
anyone can recompute it), keyed by region and the region's text hash, so
it is asked once per text.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .gitread import GitError, git
from .ledger.store import Ledger
from .placed import runs

_HEADER = re.compile(r"^([0-9a-f]{40}) \d+ (\d+)(?: \d+)?$")
_UNCOMMITTED = "0" * 40


@dataclass(frozen=True)
class CommitLink:
    sha: str
    at: str  # committer date, RFC 3339 UTC
    source: str  # "hook" (a commit event) or "history" (git blame, cached)

    def to_json(self) -> dict[str, str]:
        return {"sha": self.sha, "at": self.at, "source": self.source}

    def short(self) -> str:
        return self.sha[:12]


def known(ledger: Ledger, rows: list[dict[str, Any]]) -> dict[str, CommitLink]:
    """What the ledger already knows (commit events, then the cache); no git."""
    out = {r["region_id"]: CommitLink(r["first_commit"], r["first_commit_at"], "hook")
           for r in rows if r.get("first_commit")}
    keys = [(r["region_id"], r["text_sha256"]) for r in rows if r["region_id"] not in out]
    for rid, (sha, at) in ledger.cached_commits(keys).items():
        out[rid] = CommitLink(sha, at, "history")
    return out


def resolve(ledger: Ledger, root: Path, path: str, text: str,
            regions: dict[str, tuple[dict[str, Any], list[int]]]) -> dict[str, CommitLink]:
    """Links for regions of one file: region id -> (row, its AI lines, 0-based,
    in `text`, the file as it is now or an editor's buffer). Known ones from
    the ledger; the rest from one `git blame` of the file, then cached."""
    out = known(ledger, [row for row, _ in regions.values()])
    missing = {rid: sorted(set(lines)) for rid, (_, lines) in regions.items() if rid not in out and lines}
    if not missing:
        return out
    commits, times = _blame(root, path, text, sorted({n for lines in missing.values() for n in lines}))
    fresh = []
    for rid, lines in missing.items():
        shas = {commits.get(n) for n in lines}
        if None in shas or _UNCOMMITTED in shas:
            continue  # not all of its text is committed yet
        sha = max(shas, key=lambda s: times[s])  # the last of its lines to arrive: the first commit holding all
        link = CommitLink(sha, times[sha].isoformat().replace("+00:00", "Z"), "history")
        out[rid] = link
        fresh.append((rid, regions[rid][0]["text_sha256"], link.sha, link.at))
    try:
        ledger.cache_commits(fresh)
    except sqlite3.Error:  # a read-only ledger file: the answer stands, uncached
        pass
    return out


def _blame(root: Path, path: str, text: str, lines: list[int]) -> tuple[dict[int, str], dict[str, datetime]]:
    """0-based line -> commit, and each commit's committer time, for `lines` of `text`."""
    ranges: list[str] = []
    for first, last in runs(lines):
        ranges += ["-L", f"{first + 1},{last + 1}"]
    try:
        out = git(root, "blame", "--porcelain", "--contents", "-", *ranges, "--", path, input=text)
    except GitError:
        return {}, {}  # not in HEAD (a new file), or not a repository: nothing committed
    commits: dict[int, str] = {}
    times: dict[str, datetime] = {}
    sha = None
    for line in out.splitlines():
        if line.startswith("\t"):
            continue
        match = _HEADER.match(line)
        if match:
            sha = match[1]
            commits[int(match[2]) - 1] = sha
        elif line.startswith("committer-time ") and sha:
            times[sha] = datetime.fromtimestamp(int(line.split()[1]), timezone.utc)
    return commits, times


def ai_lines(spans: list[Any], fallback: Any) -> list[int]:
    """0-based lines of a region's AI text (its whole extent once none is left)."""
    from .placed import lines_of

    return sorted({n for s in (spans or [fallback]) for n in lines_of(s)})


def in_working_copy(ledger: Ledger, root: Path, repo: str, rows: list[dict[str, Any]]) -> dict[str, CommitLink]:
    """Links for many regions (a report): known ones, and for regions of this
    working copy's repository, git history's answer, one blame per file."""
    from collections import defaultdict

    from .files import read_document
    from .placed import regions_in

    out = known(ledger, rows)
    by_path: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r["region_id"] not in out and r["repo"] == repo and r["status"] != "ended":
            by_path[r["path"]].add(r["region_id"])
    for path, wanted in by_path.items():
        try:
            text = read_document(root / path)
        except (OSError, UnicodeDecodeError):
            continue
        placed = {p.row["region_id"]: (p.row, ai_lines(p.ai_spans, p.span))
                  for p in regions_in(ledger, root, path, text) if p.row["region_id"] in wanted}
        out.update(resolve(ledger, root, path, text, placed))
    return out


def link_commit(ledger: Ledger, root: Path, rev: str = "HEAD") -> int:
    """What the post-commit hook does: a `commit` event for the live regions of
    the files `rev` changed that it holds and that have no commit yet.
    Returns how many regions it linked."""
    from .gitread import blob_text
    from .ledger.canonical import sha256_text
    from .ledger.identity import current_user, repo_of_folder
    from .placed import regions_in
    from .regions.positions import LineIndex

    sha = git(root, "rev-parse", rev).strip()
    when = git(root, "show", "-s", "--format=%cI", sha).strip()
    repo = repo_of_folder(root).repo
    names = git(root, "diff-tree", "--no-commit-id", "-r", "-z", "--name-only", "--root", "--diff-filter=AMRC",
                sha).split("\0")
    from .ledger.projection import LIVE

    tracked = {r["path"] for r in ledger.regions(repo=repo, status=LIVE, columns=["path"])}
    hashes: dict[str, str] = {}
    for name in filter(None, names):
        if name not in tracked:
            continue  # no region there: nothing to read
        blob = blob_text(root, sha, name)
        if blob is None:
            continue
        index = LineIndex(blob)
        for p in regions_in(ledger, root, name, blob):
            if not p.row.get("first_commit"):
                hashes[p.row["region_id"]] = sha256_text(index.slice(p.span, "utf-16"))
    if hashes:
        ledger.append("commit", {"regionIds": sorted(hashes), "commit": sha, "committedAt": when,
                                 "textSha256": hashes}, actor=current_user())
    return len(hashes)
