"""`.ailedger.toml`: every rule, every kind of error, prompt retention, and
the CI gate's three exit codes (`ailedger check`)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest

from ailedger.ledger.projection import from_acceptance, status_of
from ailedger.ledger.store import Ledger
from ailedger.policy import PolicyError, assess, parse
from helpers import acceptance_params, acceptance_payload, sha

POLICY = """\
version = "2026-11-a"

[prompts]
retention = "hash"

[roles]
security = ["carol@example.com", "dan@example.com"]

[default]
max-unreviewed = "7d"

[[tier]]
name = "high"
paths = ["payments/**", "*.sql"]
reviews = 2
roles = ["security"]
self-review = false
severity = "error"
require-provenance = ["model.id", "model.version"]

[[tier]]
name = "generated"
paths = ["gen/**"]
reviews = 0
"""

NOW = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)


def policy(text: str = POLICY):  # type: ignore[no-untyped-def]
    return parse(text.encode(), Path("/repo/.ailedger.toml"))


def row(path: str = "payments/charge.py", *, reviews: list[tuple[str, str]] = (), model_version: str | None = "v1",
        accepted_by: str = "alice@example.com", accepted_at: str = "2026-11-27T10:00:00Z") -> dict:
    p = acceptance_payload(path=path, user=accepted_by, acceptedAt=accepted_at,
                           model={"provider": "openai", "id": "gpt-4.1", "version": model_version})
    r = from_acceptance("01EVENT0000000000000000000", p)
    r["reviews"] = orjson.dumps([{"eventId": f"01REVIEW{i:018d}", "reviewer": who, "verdict": verdict, "note": None,
                                  "textSha256": r["text_sha256"], "at": "2026-11-27T11:00:00Z"}
                                 for i, (who, verdict) in enumerate(reviews)]).decode()
    return r


def codes(r: dict, now: datetime = NOW) -> list[str]:
    rules = policy().rules_for(r["path"])
    return [f.code for f in assess(r, status_of(r), rules, now)]


# --- the file: tiers by glob, and errors that name file, line and key -------

def test_tiers_match_by_glob_first_match_wins_else_the_default() -> None:
    p = policy()
    assert p.version == "2026-11-a" and p.retention == "hash"
    assert p.rules_for("payments/stripe/charge.py").name == "high"
    assert p.rules_for("db/migrations/001.sql").name == "high"  # `*.sql`: any depth
    assert p.rules_for("src/payments/charge.py").name == "default"  # `payments/**` is at the root only
    assert p.rules_for("gen/client.py").reviews == 0
    high = p.rules_for("payments/x.py")
    assert (high.reviews, high.severity, high.self_review, high.max_unreviewed) == (2, "error", False, timedelta(days=7))
    assert high.eligible == {"carol@example.com", "dan@example.com"}


def test_a_policy_without_version_is_named_by_its_digest() -> None:
    assert policy("[default]\nreviews = 1\n").version.startswith("sha256:")


@pytest.mark.parametrize(("text", "line", "says"), [
    ('[default]\nreviews = [\n', 2, "invalid TOML"),
    ('[default]\nreviews = 1\nreviews = 2\n\n', 3, "invalid TOML: Cannot overwrite a value"),
    ('[[tier]]\nname = "a"\npaths = ["a/**"]\nreveiws = 2\n', 4, "tier[0].reveiws: unknown key (allowed here: reviews"),
    ('[[tier]]\nname = "a"\npaths = ["a/**"]\n\n[[tier]]\nname = "b"\npaths = ["ok/**", "b/[x"]\n', 7,
     "tier[1].paths[1]: bad glob 'b/[x': '[' has no closing ']'"),
    ('[[tier]]\nname = "a"\npaths = ["/abs/**"]\n', 3, "drop the leading '/'"),
    ('[roles]\nsec = ["carol@example.com"]\n[[tier]]\nname = "a"\npaths = ["a/**"]\nroles = ["sec"]\nreviews = 2\n', 7,
     "tier[0].reviews: impossible: 2 distinct reviews, but only 1 person may review (sec)"),
    ('[[tier]]\nname = "a"\npaths = ["a/**"]\nroles = ["board"]\n', 4, "tier[0].roles: unknown role 'board'"),
    ('[prompts]\nretention = "everything"\n', 2, 'prompts.retention: must be one of "full", "redacted", "hash" or "none"'),
    ('[default]\nmax-unreviewed = "soon"\n', 2, 'default.max-unreviewed: expected a positive duration'),
    ('[default]\nreviews = -1\n', 2, "default.reviews: input should be greater than or equal to 0"),
])
def test_policy_errors_are_one_line_with_file_line_and_key(text: str, line: int, says: str) -> None:
    with pytest.raises(PolicyError) as err:
        policy(text)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"/repo/.ailedger.toml:{line}: "), message
    assert says in message, message


# --- the rules, region by region --------------------------------------------

def test_a_region_needing_two_reviews_is_under_reviewed_after_one() -> None:
    assert codes(row()) == ["ai-unreviewed"]
    assert codes(row(reviews=[("carol@example.com", "approved")])) == ["ai-under-reviewed"]
    assert codes(row(reviews=[("carol@example.com", "approved"), ("dan@example.com", "approved-with-changes")])) == []


def test_the_same_reviewer_twice_counts_once() -> None:
    assert codes(row(reviews=[("carol@example.com", "approved"), ("carol@example.com", "approved")])) == ["ai-under-reviewed"]


def test_only_the_review_board_counts_in_a_high_tier() -> None:
    r = row(reviews=[("carol@example.com", "approved"), ("mallory@example.com", "approved")])
    [finding] = assess(r, status_of(r), policy().rules_for(r["path"]), NOW)
    assert finding.code == "ai-under-reviewed"
    assert "has 1: carol@example.com" in finding.message and "mallory@example.com is not in security" in finding.message


def test_the_author_cannot_approve_their_own_code_where_self_review_is_off() -> None:
    mine = row(accepted_by="carol@example.com", reviews=[("carol@example.com", "approved"), ("dan@example.com", "approved")])
    [finding] = assess(mine, status_of(mine), policy().rules_for(mine["path"]), NOW)
    assert finding.code == "ai-under-reviewed" and "no self-review in tier high" in finding.message
    elsewhere = row("src/app.py", accepted_by="carol@example.com", reviews=[("carol@example.com", "approved")])
    assert codes(elsewhere) == []  # the default tier allows it


def test_a_tier_that_needs_no_review_has_no_finding() -> None:
    assert codes(row("gen/client.py")) == []


def test_text_changed_after_review_needs_a_new_one() -> None:
    r = row("src/app.py", reviews=[("bob@example.com", "approved")])
    r["text_sha256"] = sha("something else\n")
    assert codes(r) == ["ai-changed-after-review"]


def test_overdue_regions_say_by_how_much() -> None:
    r = row("src/app.py", accepted_at="2026-11-10T12:00:00Z")
    [finding] = assess(r, status_of(r), policy().rules_for("src/app.py"), NOW)
    assert finding.overdue == timedelta(days=10)
    assert "overdue: unreviewed 17 days (tier default allows 7 days)" in finding.message


def test_missing_provenance_is_its_own_finding_until_someone_answers_for_it() -> None:
    r = row(model_version=None)
    assert codes(r) == ["ai-unreviewed", "ai-missing-provenance"]
    assert codes(row("src/app.py", model_version=None)) == ["ai-unreviewed"]  # not required there
    reviewed = row(model_version=None, reviews=[("carol@example.com", "approved"), ("dan@example.com", "approved")])
    assert codes(reviewed) == []


# --- prompt retention, applied before anything is stored ----------------------

PROMPT = "make the charge idempotent; ask alice@example.com; key sk-ant-api03-FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000"


@pytest.mark.parametrize("mode", ["full", "redacted", "hash", "none"])
def test_prompt_retention_applies_before_the_ledger(cli, repo: Path, env, mode: str) -> None:
    (repo / ".ailedger.toml").write_text(f'version = "r1"\n[prompts]\nretention = "{mode}"\n')
    (repo / "app.py").write_text("import os\nx = 1\n")
    params = acceptance_params(repo / "app.py", 1, "x = 1\n", prompt=PROMPT)
    result = cli("record", input=json.dumps(params))
    assert result.code == 0, result.err
    with Ledger(env["AILEDGER_DB"]) as ledger:
        [event] = [e for e in ledger.events() if e.type == "acceptance"]
        stored = event.content["payload"]
        assert stored["policy"]["version"] == "r1" and stored["policy"]["retention"] == mode
        assert ledger.region(stored["regionId"])["policy_version"] == "r1"
    prompt = stored["prompt"]
    assert "sk-ant-api03" not in (prompt or "")  # a secret never survives, whatever the mode
    if mode == "full":
        assert prompt.startswith("make the charge idempotent; ask alice@example.com; key [REDACTED:")
    elif mode == "redacted":
        assert prompt.startswith("make the charge idempotent") and "alice@example.com" not in prompt
    elif mode == "hash":
        assert prompt == "sha256:" + sha(PROMPT)
    else:
        assert prompt is None


def test_a_broken_policy_stops_record_and_stores_nothing(cli, repo: Path, env) -> None:
    (repo / ".ailedger.toml").write_text('[prompts]\nretention = "all"\n')
    params = acceptance_params(repo / "app.py", 3, "    return price * qty\n")
    result = cli("record", input=json.dumps(params))
    assert result.code == 2
    assert result.err.strip().endswith(f'{repo}/.ailedger.toml:2: prompts.retention: must be one of "full", "redacted", "hash" or "none"')
    assert not Path(env["AILEDGER_DB"]).exists() or Ledger(env["AILEDGER_DB"]).count() == 0


# --- the CI gate -------------------------------------------------------------------

GATE_POLICY = """\
version = "gate-1"
[roles]
security = ["carol@example.com", "dan@example.com"]
[[tier]]
name = "high"
paths = ["payments/**"]
reviews = 2
roles = ["security"]
self-review = false
require-provenance = ["model.version"]
[[tier]]
name = "low"
paths = ["scripts/**"]
max-unreviewed = "14d"
"""


def gate_repo(cli, repo: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    (repo / ".ailedger.toml").write_text(GATE_POLICY)
    files = {"payments/charge.py": "def charge(amount):\n    return amount * 100\n",
             "scripts/tidy.py": "print('tidy')\n"}
    ids = {}
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        first = text.splitlines(keepends=True)[-1]
        result = cli("record", input=json.dumps(acceptance_params(path, text.count("\n") - 1, first)))
        assert result.code == 0, result.err
        ids[name] = result.out.strip()
    return ids


def test_check_fails_listing_what_falls_short_then_passes_once_reviewed(cli, repo: Path, env) -> None:
    ids = gate_repo(cli, repo)
    failed = cli("check", cwd=repo)
    assert failed.code == 1, failed.err
    lines = failed.out.splitlines()
    assert any(line.startswith("FAIL    payments/charge.py:2-2 ai-unreviewed [tier high]: needs 2 reviews by security")
               for line in lines), failed.out
    assert any(line.startswith("pending scripts/tidy.py:1-1 ai-unreviewed [tier low]") for line in lines), failed.out
    assert "falls short of .ailedger.toml (policy gate-1)" in failed.err

    def review(who: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ailedger", "review", ids["payments/charge.py"], "--verdict",
                               "approved"], cwd=repo, env=dict(env, AILEDGER_USER=who), capture_output=True, text=True)

    mine = review("dev@example.com")  # the author, in a tier without self-review
    assert mine.returncode == 2 and "where whoever accepted AI code cannot approve it" in mine.stderr
    assert review("carol@example.com").returncode == 0
    still = cli("check", "--json", cwd=repo)
    assert still.code == 1
    [finding] = [f for f in json.loads(still.out)["findings"] if f["blocking"]]
    assert finding["code"] == "ai-under-reviewed" and finding["path"] == "payments/charge.py"
    assert review("dan@example.com").returncode == 0
    passed = cli("check", cwd=repo)
    assert passed.code == 0, passed.out + passed.err
    assert passed.out.strip().splitlines()[-1] == (
        "ok: 2 AI regions in work meet .ailedger.toml (policy gate-1); 1 pending within their tier's deadline")


def test_check_blocks_missing_provenance_and_code_past_its_deadline(cli, repo: Path, env) -> None:
    (repo / ".ailedger.toml").write_text(GATE_POLICY)
    path = repo / "scripts" / "old.py"
    path.parent.mkdir()
    path.write_text("print('old')\n")
    params = acceptance_params(path, 0, "print('old')\n", acceptedAt="2026-01-01T00:00:00Z")
    assert cli("record", input=json.dumps(params)).code == 0
    pay = repo / "payments" / "refund.py"
    pay.parent.mkdir()
    pay.write_text("refund = 1\n")
    params = acceptance_params(pay, 0, "refund = 1\n", model={"provider": "openai", "id": "gpt-4.1", "version": None})
    assert cli("record", input=json.dumps(params)).code == 0
    failed = cli("check", cwd=repo)
    assert failed.code == 1
    assert "FAIL    scripts/old.py:1-1 ai-unreviewed [tier low]: overdue: unreviewed" in failed.out
    assert ("FAIL    payments/refund.py:1-1 ai-missing-provenance [tier high]: the integrating tool did not report "
            "model.version") in failed.out


def test_check_exit_2_on_a_broken_policy_or_no_ledger(cli, repo: Path, env, tmp_path: Path) -> None:
    (repo / ".ailedger.toml").write_text('[[tier]]\nname = "x"\npaths = ["a/***"]\n')
    broken = cli("check", cwd=repo)
    assert broken.code == 2 and broken.out == ""
    assert broken.err.strip() == (f"ailedger check: {repo}/.ailedger.toml:3: tier[0].paths[0]: bad glob 'a/***': "
                                  "'***' is not a pattern: use '**' for any folders, '*' within a name")
    (repo / ".ailedger.toml").write_text(GATE_POLICY)
    nothing = cli("check", "--db", str(tmp_path / "absent.db"), cwd=repo)
    assert nothing.code == 2 and "no ledger at" in nothing.err
    assert not (tmp_path / "absent.db").exists()
    assert cli("check", str(tmp_path / "nowhere")).code == 2
