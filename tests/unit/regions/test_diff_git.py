"""matching_lines pairs exactly the lines `git diff` (Myers, git's defaults) pairs."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ailedger.regions.diff import matching_lines

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.M)
# many repeats, so there are many equally short diffs to choose from
COMMON = ["", "}", "    return x", "  if (a) {", "foo()", "bar()", "\tbaz", "x = 1", "", "    "]


def git_changed(old: list[str], new: list[str], tmp: Path) -> tuple[set[int], set[int]]:
    """Indices of the lines git's diff deletes from old and adds to new."""
    (tmp / "a").write_text("".join(line + "\n" for line in old))
    (tmp / "b").write_text("".join(line + "\n" for line in new))
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    out = subprocess.run(
        ["git", "diff", "--no-index", "-U0", "a", "b"], cwd=tmp, env=env, capture_output=True, text=True
    ).stdout
    deleted, added = set(), set()
    for m in HUNK.finditer(out):
        old_start, old_count = int(m[1]), int(m[2] or 1)
        new_start, new_count = int(m[3]), int(m[4] or 1)
        deleted |= set(range(old_start - 1, old_start - 1 + old_count))
        added |= set(range(new_start - 1, new_start - 1 + new_count))
    return deleted, added


def ours_changed(old: list[str], new: list[str]) -> tuple[set[int], set[int]]:
    pairs = matching_lines(old, new)
    return set(range(len(old))) - {i for i, _ in pairs}, set(range(len(new))) - {j for _, j in pairs}


def edited(rng: random.Random, lines: list[str], fresh: str) -> list[str]:
    new = list(lines)
    for _ in range(rng.randint(1, 8)):
        i = rng.randint(0, len(new))
        op = rng.random()
        if op < 0.4:
            new[i:i] = [rng.choice(COMMON) if rng.random() < 0.6 else f"{fresh}{rng.randint(0, 40)}" for _ in range(5)]
        elif op < 0.8:
            del new[i : i + rng.randint(1, 5)]
        else:
            block = new[i : i + rng.randint(1, 6)]
            del new[i : i + len(block)]
            j = rng.randint(0, len(new))
            new[j:j] = block
    return new


def test_the_matched_lines_are_equal_and_in_order() -> None:
    old, new = ["a", "b", "c", "b"], ["b", "c", "x", "b", "a"]
    pairs = matching_lines(old, new)
    assert all(old[i] == new[j] for i, j in pairs)
    assert pairs == sorted(pairs) and [j for _, j in pairs] == sorted(j for _, j in pairs)
    assert matching_lines([], ["a"]) == [] and matching_lines(["a"], ["a"]) == [(0, 0)]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_agrees_with_git_on_small_texts_full_of_repeats(tmp_path: Path) -> None:
    rng = random.Random(7)
    for case in range(200):
        size = rng.randint(0, 60)
        old = [rng.choice(COMMON) if rng.random() < 0.6 else f"u{rng.randint(0, 40)}" for _ in range(size)]
        new = edited(rng, old, "v")
        assert ours_changed(old, new) == git_changed(old, new, tmp_path), (case, old, new)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_agrees_with_git_where_its_cost_limits_cut_the_search(tmp_path: Path) -> None:
    # thousands of lines, mostly changed: Myers' cost passes 256 and xdiff
    # settles for a good enough path; we must settle for the same one
    rng = random.Random(11)
    for alphabet in (40, 200):
        old = [f"x{rng.randint(0, alphabet)}" for _ in range(2500)]
        new = [line if rng.random() < 0.3 else f"x{rng.randint(0, alphabet)}" for line in old]
        assert ours_changed(old, new) == git_changed(old, new, tmp_path)
