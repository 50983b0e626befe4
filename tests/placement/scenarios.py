"""Ways code moves in a git repository, each with the ground truth of where
the AI's lines end up.

Every scenario starts the same way (`begin`): `main` has `m.py` and
`util.py`; branch `feature` adds an AI-written function to `m.py`, recorded
with `ailedger record` and committed. A scenario then moves the code the way
people do and returns `Truth`: for each file, the 1-based lines still the
AI's own text, and the lines of the region (those plus lines a person
changed inside it).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from helpers import acceptance_params, git

AI = (
    "def bulk_discount(price, qty):\n"
    '    """Ten percent off for ten or more, as the pricing page says."""\n'
    "    if qty >= 10:\n"
    "        return round(price * qty * 0.9, 2)\n"
    "    return price * qty\n"
)
HEAD = "import os\nimport sys\n\n\n"
TAIL = "\n\ndef main():\n    print(bulk_discount(2, 3))\n"
UTIL = "def helper(values):\n    return sorted(set(values))\n"
AI_LINES = set(range(5, 10))  # where begin() puts it in m.py
RENAMED = {"m.py": "moved.py"}


@dataclass
class Truth:
    ai: dict[str, set[int]]  # path -> lines still the AI's text
    edited: dict[str, set[int]] = field(default_factory=dict)  # path -> region lines a person changed
    renamed: dict[str, str] = field(default_factory=dict)  # old path -> new path, as an editor would say

    def region(self, path: str) -> set[int]:
        return self.ai.get(path, set()) | self.edited.get(path, set())


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def begin(root: Path, cli: Callable[..., object]) -> None:
    (root / "m.py").write_text(HEAD + TAIL.lstrip("\n"))
    (root / "util.py").write_text(UTIL)
    commit(root, "m.py and util.py")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "m.py").write_text(HEAD + AI + TAIL)
    result = cli("record", input=json.dumps(acceptance_params(root / "m.py", 4, AI)))
    assert result.code == 0, result.err  # type: ignore[attr-defined]
    commit(root, "bulk discount (AI)")


def shifted(lines: set[int], by: int) -> set[int]:
    return {n + by for n in lines}


# --- the scenarios ------------------------------------------------------------


def git_mv(root: Path) -> Truth:
    git(root, "mv", "m.py", "moved.py")
    commit(root, "rename")
    return Truth({"moved.py": AI_LINES}, renamed=RENAMED)


def rename_with_edits(root: Path) -> Truth:
    git(root, "mv", "m.py", "moved.py")
    edited = AI.replace("if qty >= 10:", "if qty >= 12:")
    (root / "moved.py").write_text("# pricing\n# (moved from m.py)\n\n" + HEAD + edited + TAIL)
    commit(root, "rename and edit")
    return Truth({"moved.py": shifted(AI_LINES, 3) - {10}}, {"moved.py": {10}}, RENAMED)


def plain_mv(root: Path) -> Truth:
    os.rename(root / "m.py", root / "moved.py")  # git has not been told
    return Truth({"moved.py": AI_LINES}, renamed=RENAMED)


def function_moved(root: Path) -> Truth:
    (root / "m.py").write_text(HEAD + TAIL.lstrip("\n"))
    (root / "util.py").write_text(UTIL + "\n\n" + AI)
    commit(root, "move bulk_discount to util")
    return Truth({"util.py": AI_LINES})  # two lines of util, two blank ones, then the function


def copied(root: Path) -> Truth:
    (root / "other.py").write_text("import math\n\n" + AI)
    commit(root, "copy bulk_discount")
    return Truth({"m.py": AI_LINES, "other.py": shifted(AI_LINES, -2)})


def _main_inserts_above(root: Path, lines: int) -> None:
    git(root, "checkout", "-q", "main")
    (root / "m.py").write_text("".join(f"# licence line {i}\n" for i in range(lines)) + HEAD + TAIL.lstrip("\n"))
    commit(root, "licence header")


def rebase(root: Path) -> Truth:
    _main_inserts_above(root, 6)
    git(root, "checkout", "-q", "feature")
    git(root, "rebase", "-q", "main")
    return Truth({"m.py": shifted(AI_LINES, 6)})


def squash_rebase(root: Path) -> Truth:
    git(root, "mv", "m.py", "moved.py")
    with open(root / "moved.py", "a") as f:
        f.write("\n\nmain()\n")
    commit(root, "rename, call main")
    env = dict(os.environ, GIT_SEQUENCE_EDITOR="sed -i -e '2s/^pick/squash/'", GIT_EDITOR="true")
    subprocess.run(["git", "-C", str(root), "rebase", "-q", "-i", "main"], check=True, env=env, capture_output=True)
    assert git(root, "rev-list", "--count", "main..HEAD").strip() == "1"
    return Truth({"moved.py": AI_LINES}, renamed=RENAMED)


def squash_merge(root: Path) -> Truth:
    _main_inserts_above(root, 4)
    git(root, "merge", "-q", "--squash", "feature")
    commit(root, "bulk discount (squashed)")
    git(root, "branch", "-q", "-D", "feature")
    return Truth({"m.py": shifted(AI_LINES, 4)})


def cherry_pick(root: Path) -> Truth:
    feature = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "-b", "release", "main")
    (root / "m.py").write_text("#!/usr/bin/env python3\n# release 2.1\n# do not edit\n" + HEAD + TAIL.lstrip("\n"))
    commit(root, "release header")
    git(root, "cherry-pick", feature)
    return Truth({"m.py": shifted(AI_LINES, 3)})


def deleted_and_restored(root: Path) -> Truth:
    git(root, "rm", "-q", "m.py")
    commit(root, "drop m.py")
    git(root, "checkout", "HEAD~1", "--", "m.py")
    commit(root, "bring m.py back")
    return Truth({"m.py": AI_LINES})


SCENARIOS: dict[str, Callable[[Path], Truth]] = {
    f.__name__: f for f in (git_mv, rename_with_edits, plain_mv, function_moved, copied, rebase, squash_rebase,
                            squash_merge, cherry_pick, deleted_and_restored)
}
# scenarios after which the region's text lives at another path than m.py
MOVES = {"git_mv", "rename_with_edits", "plain_mv", "function_moved", "squash_rebase"}


def agreement(got: set[int], want: set[int]) -> float:
    """Share of lines both agree on (1.0 when both are empty)."""
    union = got | want
    return len(got & want) / len(union) if union else 1.0
