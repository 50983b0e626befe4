"""The commit that first held a region's text: from the git hook's `commit`
events, else from git history (cached), shown by `blame`, `report` (table,
JSON, CSV, SARIF) and the editor's hover."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from lsprotocol import types

from helpers import git
from helpers_lsp import diagnostics_until, open_doc, ours, start

AI = "def hyp(a, b):\n    return (a * a + b * b) ** 0.5\n"


def ai_file(repo: Path) -> Path:
    path = repo / "calc.py"
    path.write_text("import math\n\n" + AI + "\nprint(hyp(3, 4))\n")
    return path


def record(cli, repo: Path) -> str:  # type: ignore[no-untyped-def]
    result = cli("record", "--file", "calc.py", "--lines", "3-4", "--tool", "claude-code@2.1.0",
                 "--model", "anthropic/claude-sonnet-4@20250514", cwd=repo)
    assert result.code == 0, result.err
    return result.out.strip()


def blamed(cli, repo: Path) -> dict[int, dict]:  # type: ignore[no-untyped-def]
    result = cli("blame", "calc.py", "--json", cwd=repo)
    assert result.code == 0, result.err
    return {b["line"]: b for b in map(json.loads, result.out.splitlines())}


def commit(repo: Path, message: str) -> str:
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def test_without_the_hook_git_history_answers(cli, repo: Path) -> None:
    ai_file(repo)
    record(cli, repo)
    assert blamed(cli, repo)[3]["commit"] is None  # not committed yet
    first = commit(repo, "hyp")
    (repo / "calc.py").write_text((repo / "calc.py").read_text() + "print(hyp(5, 12))\n")
    commit(repo, "more")  # later commits hold it too; the first is the answer
    lines = blamed(cli, repo)
    assert lines[3]["commit"]["sha"] == first and lines[4]["commit"]["sha"] == first
    assert lines[3]["commit"]["source"] == "history" and lines[1]["commit"] is None
    table = cli("blame", "calc.py", cwd=repo).out
    assert first[:12] in table
    report = [json.loads(line) for line in cli("report", "--format", "json", cwd=repo).out.splitlines()]
    assert report[0]["first_commit"] == first
    rows = list(csv.DictReader(io.StringIO(cli("report", "--format", "csv", cwd=repo).out)))
    assert rows[0]["first_commit"] == first
    sarif = json.loads(cli("report", "--format", "sarif", cwd=repo).out)
    assert sarif["runs"][0]["results"][0]["properties"]["firstCommit"] == first
    assert first[:12] in cli("report", cwd=repo).out


def test_a_region_partly_uncommitted_has_no_commit_yet(cli, repo: Path) -> None:
    path = ai_file(repo)
    commit(repo, "hyp")
    path.write_text(path.read_text().replace("** 0.5\n", "** 0.5  # pythagoras\n"))  # not committed
    result = cli("record", "--file", "calc.py", "--lines", "3-4", "--tool", "copilot", cwd=repo)
    assert result.code == 0, result.err
    assert blamed(cli, repo)[3]["commit"] is None


def test_the_git_hook_links_each_region_to_its_first_commit(cli, repo: Path, env) -> None:
    assert cli("hooks", "install", "git", cwd=repo).code == 0
    ai_file(repo)
    region = record(cli, repo)
    first = commit(repo, "hyp")  # the post-commit hook runs here
    links = [e for e in map(json.loads, cli("log", "--json", "-n", "100").out.splitlines()) if e["type"] == "commit"]
    assert [(e["payload"]["regionIds"], e["payload"]["commit"]) for e in links] == [([region], first)]
    assert blamed(cli, repo)[3]["commit"] == {"sha": first, "at": links[0]["payload"]["committedAt"], "source": "hook"}
    (repo / "calc.py").write_text((repo / "calc.py").read_text() + "print(1)\n")
    commit(repo, "more")
    again = [e for e in map(json.loads, cli("log", "--json", "-n", "100").out.splitlines()) if e["type"] == "commit"]
    assert len(again) == 1  # a region learns its first commit once
    assert cli("verify").code == 0


@pytest.mark.parametrize("committed", [True, False])
async def test_hover_names_the_first_commit(cli, env, repo: Path, committed: bool) -> None:
    path = ai_file(repo)
    record(cli, repo)
    sha = commit(repo, "hyp") if committed else None
    client = await start(env, repo)
    try:
        uri = open_doc(client, path)
        await diagnostics_until(client, uri, lambda d: bool(ours(d)))
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri), position=types.Position(3, 6)))
        text = hover.contents.value
        if sha:
            assert f"first committed in `{sha[:12]}`" in text
        else:
            assert "not committed yet" in text
    finally:
        await client.shutdown_session()
        await client.stop()
