"""Forensics and evidence: `ailedger blame` line by line, and `ailedger
report` in each format, SARIF checked against the official 2.1.0 schema."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from helpers import acceptance_params

SHARED = next(p / "shared" / "schemas" for p in Path(__file__).parents if (p / "shared" / "schemas").is_dir())
AI = "    discount = 0.1 if qty >= 10 else 0.0\n    return price * qty * (1 - discount)\n"
FILE = "import os\n\ndef total(price, qty):\n" + AI + "\nprint(total(2, 3))\n"


@pytest.fixture
def recorded(cli, repo: Path) -> tuple[Path, str]:
    path = repo / "app.py"
    path.write_text(FILE)
    result = cli("record", input=json.dumps(acceptance_params(path, 3, AI)))
    assert result.code == 0, result.err
    return path, result.out.strip()


def blame(cli, target: str, cwd: Path) -> list[dict]:  # type: ignore[no-untyped-def]
    result = cli("blame", target, "--json", cwd=cwd)
    assert result.code == 0, result.err
    return [json.loads(line) for line in result.out.splitlines()]


def test_blame_tells_ai_human_and_edited_ai_lines_apart(cli, repo: Path, recorded) -> None:
    path, region_id = recorded
    # A person edits the second AI line and adds a line of their own elsewhere.
    path.write_text(FILE.replace("(1 - discount)", "(1.0 - discount)").replace("import os\n", "import os\nimport sys\n"))
    lines = blame(cli, "app.py", repo)
    by_line = {b["line"]: b for b in lines}
    assert by_line[1]["attribution"] == "human" and by_line[2]["attribution"] == "human"
    assert by_line[5]["attribution"] == "ai" and by_line[5]["regionId"] == region_id
    assert by_line[5]["model"] == {"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"}
    assert by_line[5]["tool"] == "copilot" and by_line[5]["acceptedBy"] == "dev@example.com"


def test_blame_of_a_line_range_and_an_untracked_file(cli, repo: Path, recorded) -> None:
    lines = blame(cli, "app.py:4-5", repo)
    assert [(b["line"], b["attribution"]) for b in lines] == [(4, "ai"), (5, "ai")]
    (repo / "other.py").write_text("x = 1\n")
    assert blame(cli, "other.py", repo)[0]["attribution"] == "untracked"
    bad = cli("blame", "app.py:40-50", cwd=repo)
    assert bad.code == 2 and "the file has 7 line(s)" in bad.err


def test_blame_shows_the_review(cli, repo: Path, recorded, env) -> None:
    _, region_id = recorded
    assert cli("review", region_id, "--verdict", "approved-with-changes", cwd=repo).code == 0
    line = blame(cli, "app.py:4", repo)[0]
    assert line["reviews"][0]["verdict"] == "approved-with-changes" and line["status"] == "reviewed"
    env["COLUMNS"] = "200"  # a wide terminal, so the table does not fold
    table = cli("blame", "app.py", cwd=repo)
    assert "approved-with-changes by dev@example.com" in table.out


def test_sarif_report_is_valid_and_names_each_unreviewed_region(cli, repo: Path, recorded) -> None:
    _, region_id = recorded
    result = cli("report", "--format", "sarif")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    schema = json.loads((SHARED / "sarif-2.1.0.schema.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(report)
    [finding] = report["runs"][0]["results"]
    assert finding["ruleId"] == "ai-unreviewed"
    location = finding["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app.py"
    assert location["region"] == {"startLine": 4, "startColumn": 1, "endLine": 5}
    assert finding["partialFingerprints"]["ailedgerRegionId/v1"] == region_id
    assert cli("review", region_id, "--verdict", "approved", cwd=repo).code == 0
    assert json.loads(cli("report", "--format", "sarif").out)["runs"][0]["results"] == []


def test_json_csv_and_table_reports_with_filters(cli, repo: Path, recorded) -> None:
    _, region_id = recorded
    rows = [json.loads(line) for line in cli("report", "--format", "json").out.splitlines()]
    assert [r["region_id"] for r in rows] == [region_id] and rows[0]["reviews"] == []
    table = list(csv.DictReader(io.StringIO(cli("report", "--format", "csv").out)))
    assert table[0]["path"] == "app.py" and table[0]["start_line"] == "4" and table[0]["model_id"] == "gpt-4.1"
    assert "app.py:4" in cli("report").out
    assert cli("report", "--model", "openai/gpt-4.1", "--format", "json").out.strip()
    assert not cli("report", "--model", "anthropic/claude", "--format", "json").out.strip()
    assert not cli("report", "--tool", "cursor", "--format", "json").out.strip()
    assert not cli("report", "--since", "2999-01-01", "--format", "json").out.strip()


def test_reports_say_who_answers_for_what(cli, repo: Path, recorded) -> None:
    """Provider (model), integrator (tool and the policy in force), the
    developer who accepted, and the reviewers: in every report format."""
    _, region_id = recorded
    (repo / ".ailedger.toml").write_text('version = "team-7"\n')
    assert cli("review", region_id, "--verdict", "approved-with-changes", cwd=repo).code == 0
    [row] = list(csv.DictReader(io.StringIO(cli("report", "--format", "csv").out)))
    assert (row["model_provider"], row["tool_name"], row["accepted_by"]) == ("openai", "copilot", "dev@example.com")
    assert row["reviewers"] == "dev@example.com (approved-with-changes)"
    [line] = cli("report", "--format", "json").out.splitlines()
    assert json.loads(line)["reviews"][0]["policy"] == "team-7"  # the policy the review was made under
    table = " ".join(cli("report").out.split())
    assert "reviewed by" in table and "dev@example.com (approved-with-changes)" in table
