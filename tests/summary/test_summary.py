"""`ailedger summary BASE..HEAD`: a branch in a real git repository with AI,
human and reviewed code, checked line by line against what the test knows,
in JSON and in Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import git

HUMAN_TOP = "import math\n\n"
REVIEWED = "def area(r):\n    return math.pi * r * r\n"  # copilot / openai gpt-4.1, approved
UNREVIEWED = "def volume(r):\n    return 4 / 3 * math.pi * r ** 3\n"  # claude-code / anthropic, no review
EDITED = "def clamp(x):\n    x = max(x, 0)\n    return min(x, 1)\n"  # copilot, approved, then a person edits line 2
HUMAN_END = "\nprint(area(2))\n"


def record(cli, repo: Path, path: str, lines: str, tool: str, model: str) -> str:  # type: ignore[no-untyped-def]
    result = cli("record", "--file", path, "--lines", lines, "--tool", tool, "--model", model, cwd=repo)
    assert result.code == 0, result.err
    return result.out.strip()


@pytest.fixture
def branch(cli, repo: Path) -> Path:  # type: ignore[no-untyped-def]
    git(repo, "checkout", "-q", "-b", "feature")
    geo = repo / "geo.py"
    geo.write_text(HUMAN_TOP + REVIEWED + UNREVIEWED + EDITED + HUMAN_END)
    reviewed = record(cli, repo, "geo.py", "3-4", "copilot@1.250.0", "openai/gpt-4.1@2025-04-14")
    record(cli, repo, "geo.py", "5-6", "claude-code@2.1.0", "anthropic/claude-sonnet-4@20250514")
    edited = record(cli, repo, "geo.py", "7-9", "copilot@1.250.0", "openai/gpt-4.1@2025-04-14")
    for region in (reviewed, edited):
        assert cli("review", region, "--verdict", "approved", cwd=repo).code == 0
    geo.write_text(geo.read_text().replace("x = max(x, 0)", "x = max(x, 0.0)"))  # a person, after the review
    app = repo / "app.py"  # committed on main before the branch: only the added lines count
    app.write_text(app.read_text() + "\n\ndef tax(v):\n    return v * 0.2\n")
    record(cli, repo, "app.py", "7-8", "claude-code@2.1.0", "anthropic/claude-sonnet-4@20250514")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "geometry")
    # main moves on meanwhile: its new lines are not the pull request's
    git(repo, "checkout", "-q", "main")
    (repo / "later.py").write_text("x = 1\ny = 2\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "on main")
    git(repo, "checkout", "-q", "feature")
    return repo


# What each added line is, by the test's own account (1-based lines in HEAD).
TRUTH = {
    "geo.py": {1: "human", 2: "human", 3: "reviewed", 4: "reviewed", 5: "unreviewed", 6: "unreviewed",
               7: "changed", 8: "ai-edited", 9: "changed", 10: "human", 11: "human"},
    "app.py": {5: "human", 6: "human", 7: "unreviewed", 8: "unreviewed"},
}


def expected(lines: dict[int, str]) -> dict[str, int]:
    kinds = list(lines.values())
    ai = [k for k in kinds if k in ("reviewed", "unreviewed", "changed")]
    return {"addedLines": len(kinds), "aiLines": len(ai), "reviewedLines": kinds.count("reviewed"),
            "unreviewedLines": kinds.count("unreviewed"), "changedAfterReviewLines": kinds.count("changed"),
            "rejectedLines": 0, "aiEditedLines": kinds.count("ai-edited"), "humanLines": kinds.count("human")}


def test_json_counts_every_added_line_as_the_test_knows_it(cli, branch: Path) -> None:
    result = cli("summary", "main..feature", "--format", "json", cwd=branch)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["range"] == "main..feature"
    files = {f["path"]: f for f in report["files"]}
    assert set(files) == {"geo.py", "app.py"}  # later.py landed on main, not on the branch
    names = {"reviewed": "reviewed", "unreviewed": "unreviewed", "changedAfterReview": "changed",
             "aiEdited": "ai-edited", "human": "human"}
    for path, lines in TRUTH.items():
        assert {k: files[path][k] for k in expected(lines)} == expected(lines), path
        seen = {n: names[kind] for kind, spans in files[path]["lineRanges"].items()
                for first, last in spans for n in range(first, last + 1)}
        assert seen == lines, path  # line by line
    everything = {f"{p}:{n}": k for p, lines in TRUTH.items() for n, k in lines.items()}
    assert {k: report["totals"][k] for k in expected(everything)} == expected(everything)
    by_tool = {(t["tool"], t["model"]): t for t in report["totals"]["byTool"]}
    claude = by_tool[("claude-code 2.1.0", "anthropic/claude-sonnet-4@20250514")]
    copilot = by_tool[("copilot 1.250.0", "openai/gpt-4.1@2025-04-14")]
    assert (claude["aiLines"], claude["unreviewedLines"], claude["reviewedLines"]) == (4, 4, 0)
    assert (copilot["aiLines"], copilot["reviewedLines"], copilot["changedAfterReviewLines"]) == (4, 2, 2)
    # three dots mean the same pull request
    again = cli("summary", "main...feature", "--format", "json", cwd=branch)
    assert json.loads(again.out)["totals"] == report["totals"]


def test_markdown_is_a_pull_request_comment(cli, branch: Path) -> None:
    result = cli("summary", "main..HEAD", cwd=branch)
    assert result.code == 0, result.err
    text = result.out
    assert "**8 of 15 added lines are AI-written** (53%); 2 reviewed, 4 unreviewed, 2 changed after review" in text
    rows = {line.split(" | ")[0].strip("| "): line for line in text.splitlines() if line.startswith("| ")}
    assert rows["`geo.py`"] == "| `geo.py` | 11 | 6 | 2 | 2 | 2 | 0 |"
    assert rows["`app.py`"] == "| `app.py` | 4 | 2 | 0 | 2 | 0 | 0 |"
    assert rows["**Total**"] == "| **Total** | **15** | **8** | **2** | **4** | **2** | **0** |"
    assert rows["claude-code 2.1.0"] == "| claude-code 2.1.0 | anthropic/claude-sonnet-4@20250514 | 4 | 0 | 4 | 0 |"


def test_a_reviewed_branch_says_so_and_a_human_one_has_no_ai(cli, branch: Path) -> None:
    regions = [json.loads(line)["region_id"] for line in cli("report", "--format", "json").out.splitlines()]
    for region in regions:
        assert cli("review", region, "--verdict", "approved", cwd=branch).code == 0
    assert "all of them reviewed" in cli("summary", "main..feature", cwd=branch).out
    git(branch, "checkout", "-q", "-b", "plain", "main")
    (branch / "notes.txt").write_text("a person's words\n")
    git(branch, "add", ".")
    git(branch, "commit", "-q", "-m", "human")
    assert "**No AI-written lines** among the 1 added." in cli("summary", "main..plain", cwd=branch).out


@pytest.mark.parametrize("spec, message", [
    ("main", "expected BASE..HEAD"),
    ("main..", "expected BASE..HEAD"),
    ("main..no-such-branch", "'no-such-branch' is not a commit"),
])
def test_a_bad_range_is_one_line_and_exit_2(cli, branch: Path, spec: str, message: str) -> None:
    result = cli("summary", spec, cwd=branch)
    assert result.code == 2 and message in result.err and len(result.err.strip().splitlines()) == 1
    assert result.out == ""


def test_a_range_without_a_merge_base_is_refused(cli, repo: Path) -> None:
    git(repo, "checkout", "-q", "--orphan", "lonely")
    (repo / "other.txt").write_text("unrelated\n")
    git(repo, "add", "other.txt")
    git(repo, "commit", "-q", "-m", "unrelated history")
    result = cli("record", "--file", "other.txt", "--tool", "copilot", cwd=repo)  # a ledger to open
    assert result.code == 0, result.err
    refused = cli("summary", "main..lonely", cwd=repo)
    assert refused.code == 2 and "share no history" in refused.err and len(refused.err.strip().splitlines()) == 1
