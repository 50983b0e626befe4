"""`ailedger record`: one schema for the editor and the hooks; bad input is a
one-line error naming the field, exit 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ailedger.ledger.store import Ledger
from helpers import acceptance_params

AI_TEXT = "def total(price, qty):\n    return price * qty\n"


def count(env: dict[str, str]) -> int:
    path = Path(env["AILEDGER_DB"])
    if not path.exists():
        return 0
    with Ledger(path) as ledger:
        return ledger.count()


def test_record_from_json_on_stdin(cli, repo: Path, env: dict[str, str]) -> None:
    params = acceptance_params(repo / "app.py", 2, AI_TEXT)
    result = cli("record", input=json.dumps(params))
    assert result.code == 0, result.err
    region_id = result.out.strip()
    with Ledger(env["AILEDGER_DB"]) as ledger:
        region = ledger.region(region_id)
        event = ledger.recent(1)[0].content
    assert region["repo"] == "git.example.com/acme/shop" and region["path"] == "app.py"
    assert (region["start_line"], region["end_line"]) == (2, 4)
    assert event["actor"] == "dev@example.com"
    assert event["payload"]["text"] == AI_TEXT and event["payload"]["prompt"] == "multiply price by quantity"
    assert event["payload"]["model"] == {"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"}


def test_record_from_flags_takes_whole_lines_from_the_file(cli, repo: Path, env: dict[str, str]) -> None:
    result = cli("record", "--file", "work/app.py", "--lines", "3-4", "--tool", "claude-code@2.1.0",
                 "--model", "anthropic/claude-sonnet-4@20250514", "--json")
    assert result.code == 0, result.err
    ids = json.loads(result.out)
    with Ledger(env["AILEDGER_DB"]) as ledger:
        payload = ledger.event(ids["eventId"]).content["payload"]
    assert payload["text"] == AI_TEXT
    assert payload["kind"] == "agent-edit"
    assert payload["range"] == {"start": {"line": 2, "character": 0}, "end": {"line": 4, "character": 0}}
    assert payload["model"] == {"provider": "anthropic", "id": "claude-sonnet-4", "version": "20250514"}
    assert payload["tool"] == {"name": "claude-code", "version": "2.1.0"}


def test_utf16_positions_with_emoji(cli, repo: Path, env: dict[str, str]) -> None:
    (repo / "emoji.js").write_text('const face = "😀"; const name = "名前";\n')
    # "const name" starts after 19 UTF-16 units: the emoji counts 2.
    params = acceptance_params(repo / "emoji.js", 0, 'const name = "名前";', range={
        "start": {"line": 0, "character": 19}, "end": {"line": 0, "character": 37}})
    result = cli("record", input=json.dumps(params))
    assert result.code == 0, result.err
    params["range"]["start"]["character"] = 18  # one unit off: refused
    params["range"]["end"]["character"] = 36
    result = cli("record", input=json.dumps(params))
    assert result.code == 2 and "text: not found at range 0:18-0:36" in result.err


BAD = [
    ("{not json", "malformed JSON on stdin"),
    ('{"range": {}}', "invalid acceptance: textDocument: Field required"),
    ("KIND", "invalid acceptance: kind: "),
    ("LINE", "invalid acceptance: range.start.line: Input should be a valid integer"),
    ("MISMATCH", "text: not found at range 0:0-2:0"),
    ("PAST_END", "range: ends on line 40, but the document has 5 line(s)"),
    ("NOFILE", "textDocument.uri: cannot read"),
    ("", "stdin is empty"),
]


@pytest.mark.parametrize("body, message", BAD, ids=[m.split(":")[0] for _, m in BAD])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(cli, repo: Path, env: dict[str, str],
                                                         body: str, message: str) -> None:
    params = acceptance_params(repo / "app.py", 2, AI_TEXT)
    if body == "KIND":
        params["kind"] = "autocomplete"
    elif body == "LINE":
        params["range"]["start"]["line"] = "two"
    elif body == "MISMATCH":
        params["range"] = {"start": {"line": 0, "character": 0}, "end": {"line": 2, "character": 0}}
    elif body == "PAST_END":
        params["range"] = {"start": {"line": 39, "character": 0}, "end": {"line": 40, "character": 0}}
    elif body == "NOFILE":
        params["textDocument"]["uri"] = (repo / "missing.py").as_uri()
    stdin = json.dumps(params) if body.isupper() else body
    result = cli("record", input=stdin)
    assert result.code == 2
    assert message in result.err
    assert result.err.count("\n") == 1, result.err
    assert count(env) == 0


def test_flag_errors_name_the_flag(cli, repo: Path, env: dict[str, str]) -> None:
    result = cli("record", "--file", "work/app.py", "--lines", "3-99", "--tool", "x")
    assert (result.code, result.err.strip()) == (2, "ailedger record: --lines: 3-99 does not fit a file of 4 line(s)")
    result = cli("record", "--file", "work/app.py", "--lines", "3-4")
    assert result.code == 2 and "--tool: required" in result.err
    assert count(env) == 0
