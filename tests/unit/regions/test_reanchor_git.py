"""Regions re-anchored commit by commit hold the lines `git blame` gives to
the commit that planted them."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ailedger.regions.positions import Pos, Span
from ailedger.regions.reanchor import reanchor

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

SEED = 1720  # difflib (0.93) and Myers without git's sliding (0.90) both fail here
COMMITS = 60
BLOCKS = [(8, 30), (45, 60), (75, 110), (130, 150), (170, 195)]  # [first, last) lines

# repeated lines (blank, return, closing) make the diff's choices matter
NAMES = ["alpha", "beta", "gamma", "delta", "omega", "total", "items", "count"]


def code_line(rng: random.Random) -> str:
    name, other = rng.sample(NAMES, 2)
    return rng.choice(
        [
            f"    {name} = {other} + {rng.randint(0, 99)}",
            f"    {name} = '{other}-{rng.randint(0, 999)}'",
            f"    if {name} > {rng.randint(0, 9)}:",
            f"        {name}.append({other})",
            "",
            "    return result",
            "        continue",
            f"def {name}_{rng.randint(0, 999)}({other}):",
        ]
    )


def reformat(line: str, rng: random.Random) -> str:
    """What a formatter does to a line: re-indent it or swap its quotes."""
    if "'" in line and rng.random() < 0.5:
        return line.replace("'", '"')
    return line[4:] if line.startswith("        ") and rng.random() < 0.5 else "    " + line


def mutate(lines: list[str], rng: random.Random) -> list[str]:
    lines = list(lines)
    for _ in range(rng.randint(1, 2)):
        op = rng.choice(["insert", "insert", "delete", "move", "move", "reformat", "rewrite"])
        i = rng.randrange(len(lines) + 1)
        n = rng.randint(1, 4)
        if op == "insert":
            lines[i:i] = [code_line(rng) for _ in range(n)]
        elif op == "delete":
            del lines[i : i + n]
        elif op == "move":
            block = lines[i : i + n]
            del lines[i : i + n]
            j = rng.randrange(len(lines) + 1)
            lines[j:j] = block
        elif op == "reformat":
            lines[i : i + n] = [reformat(line, rng) for line in lines[i : i + n]]
        else:
            lines[i : i + 1] = [code_line(rng)] if i < len(lines) else []
    return lines


def lines_of(span: Span) -> set[int]:
    return set(range(span.start.line, span.end.line + (1 if span.end.character else 0)))


def blamed_lines(repo: Path, env: dict[str, str], commit: str, planted: set[int]) -> set[int]:
    """Lines of the file now that blame gives to `commit`'s planted lines."""
    out = subprocess.run(
        ["git", "blame", "--porcelain", "file.py"], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout
    held = set()
    for sha, orig, final in re.findall(r"^([0-9a-f]{40}) (\d+) (\d+)", out, re.M):
        if sha == commit and int(orig) - 1 in planted:
            held.add(int(final) - 1)
    return held


def test_reanchored_regions_agree_with_git_blame(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    home = tmp_path / "home"
    home.mkdir()
    # no user or system config: git's defaults (Myers, indent heuristic)
    env = {
        **os.environ,
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    repo = tmp_path / "repo"
    repo.mkdir()

    def commit(lines: list[str]) -> str:
        (repo / "file.py").write_bytes("".join(line + "\n" for line in lines).encode())
        subprocess.run(["git", "add", "file.py"], cwd=repo, env=env, check=True)
        subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "edit"], cwd=repo, env=env, check=True)
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, env=env, check=True, capture_output=True, text=True
        ).stdout.strip()

    subprocess.run(["git", "init", "-q"], cwd=repo, env=env, check=True)
    lines = [code_line(rng) for _ in range(200)]
    planting = commit(lines)
    planted = {line for first, last in BLOCKS for line in range(first, last)}
    regions = [
        (f"r{i}", Span(Pos(first, 0), Pos(last, 0)), [Span(Pos(first, 0), Pos(last, 0))])
        for i, (first, last) in enumerate(BLOCKS)
    ]

    text = "".join(line + "\n" for line in lines)
    for _ in range(COMMITS):
        lines = mutate(lines, rng)
        commit(lines)
        new_text = "".join(line + "\n" for line in lines)
        regions = [(r.region_id, r.span, r.ai_spans) for r in reanchor(text, new_text, regions, "utf-16") if r.span]
        text = new_text

    ours = {line for _, _, ai in regions for s in ai for line in lines_of(s)}
    theirs = blamed_lines(repo, env, planting, planted)
    agreement = len(ours & theirs) / len(ours | theirs)
    print(f"git blame agreement: {agreement:.4f} ({len(ours & theirs)} of {len(ours | theirs)} lines)")
    assert len(theirs) > 40, "the edits should leave a good part of the planted lines"
    assert agreement >= 0.99
