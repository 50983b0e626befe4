"""log, review, verify and --help, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ailedger.cli import COMMANDS
from helpers import acceptance_params

AI_TEXT = "def total(price, qty):\n    return price * qty\n"


@pytest.fixture
def region_id(cli, repo: Path) -> str:
    result = cli("record", input=json.dumps(acceptance_params(repo / "app.py", 2, AI_TEXT)))
    assert result.code == 0, result.err
    return result.out.strip()


@pytest.mark.parametrize("command", [c for c in COMMANDS])
def test_every_command_has_help_with_an_example(cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    assert "example" in result.out


def test_log_table_and_json(cli, region_id: str) -> None:
    table = cli("log")
    assert table.code == 0 and "acceptance" in table.out and "copilot" in table.out
    lines = cli("log", "--json").out.splitlines()
    event = json.loads(lines[-1])
    assert event["type"] == "acceptance" and event["payload"]["regionId"] == region_id
    assert {"id", "device", "seq", "prevHash", "hash", "ts", "actor", "v"} <= event.keys()


def test_review_binds_to_the_text_in_the_working_copy(cli, repo: Path, region_id: str) -> None:
    result = cli("review", region_id, "--verdict", "approved", "--note", "checked the maths", cwd=repo)
    assert result.code == 0, result.err
    assert f"{region_id}: reviewed" in result.out
    # Change the AI's text: the review no longer covers what is there.
    (repo / "app.py").write_text((repo / "app.py").read_text().replace("price * qty", "price * qty * 2"))
    event = json.loads(cli("log", "--json", "-n", "1").out)
    assert event["payload"]["verdict"] == "approved" and event["payload"]["reviewer"] == "dev@example.com"
    assert cli("verify").code == 0


def test_review_of_unknown_region_is_a_clear_error(cli, region_id: str) -> None:
    result = cli("review", "01NOSUCHREGION000000000000", "--verdict", "approved")
    assert result.code == 2
    assert "no region 01NOSUCHREGION000000000000" in result.err


def test_review_rejects_unknown_verdict(cli, region_id: str) -> None:
    result = cli("review", region_id, "--verdict", "lgtm")
    assert result.code == 2 and "invalid choice: 'lgtm'" in result.err


def test_commands_on_a_missing_ledger_say_so(cli, tmp_path: Path) -> None:
    result = cli("log", "--db", str(tmp_path / "nowhere.db"))
    assert result.code == 2 and "no ledger here" in result.err
    assert not (tmp_path / "nowhere.db").exists()


def test_verify_reports_a_damaged_file_as_failed(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 80 + b"garbage" * 200)
    result = cli("verify", "--db", str(bad))
    assert result.code in (1, 2)
    assert str(bad) in result.err
