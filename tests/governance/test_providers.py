"""Approved providers: `[[provider]]` tables, `approved-only` tiers, the
`ai-unapproved` finding, its errors, the CI gate and SARIF, and the contract
an acceptance records."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import jsonschema
import pytest

from ailedger.ledger.projection import from_acceptance, status_of
from ailedger.ledger.store import Ledger
from ailedger.policy import PolicyError, assess, parse
from helpers import acceptance_params, acceptance_payload

POLICY = """\
version = "2026-12"

[[tier]]
name = "high"
paths = ["payments/**"]
approved-only = true
severity = "error"

[[provider]]
name = "openai"
models = ["gpt-4.1@2025-*", "o3"]
tools = ["copilot", "cursor*"]
contract = "MSA-2026-014"
defect-response = "72h"
contact = "security@openai.example"

[[provider]]
name = "anthropic"
models = ["claude-sonnet-4*"]
"""
# The published schema, unedited, beside the checkout (as test_blame_and_report finds it), or the shared copy.
SARIF_SCHEMA = next(p for p in (Path(__file__).parents[2].parent / "shared" / "schemas", Path("/work/shared/schemas"))
                    if p.is_dir()) / "sarif-2.1.0.schema.json"


def policy(text: str = POLICY):  # type: ignore[no-untyped-def]
    return parse(text.encode(), Path("/repo/.ailedger.toml"))


def row(model: dict | None, tool: str = "copilot", path: str = "payments/charge.py") -> dict:
    return from_acceptance("01EVENT0000000000000000000", acceptance_payload(
        path=path, model=model, tool={"name": tool, "version": "1.250.0"}))


def unapproved(r: dict) -> list[str]:
    rules = policy().rules_for(r["path"])
    return [f.message for f in assess(r, status_of(r), rules) if f.code == "ai-unapproved"]


@pytest.mark.parametrize("model, tool", [
    ({"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"}, "copilot"),
    ({"provider": "openai", "id": "o3", "version": None}, "cursor-tab"),  # no version glob: any version
    ({"provider": "anthropic", "id": "claude-sonnet-4-5", "version": None}, "claude-code"),  # no tools: any
])
def test_approved_models_and_tools_have_no_finding(model: dict, tool: str) -> None:
    assert unapproved(row(model, tool)) == []


@pytest.mark.parametrize("model, tool, says", [
    ({"provider": "openai", "id": "gpt-4.1", "version": "2024-11-20"}, "copilot",
     "model gpt-4.1@2024-11-20 is not among provider openai's approved models (gpt-4.1@2025-*, o3)"),
    ({"provider": "openai", "id": "gpt-4.1", "version": None}, "copilot",  # a version glob needs a known version
     "model gpt-4.1 is not among provider openai's approved models"),
    ({"provider": "openai", "id": "gpt-4o", "version": "2025-01-01"}, "copilot", "model gpt-4o@2025-01-01 is not among"),
    ({"provider": "openai", "id": "o3", "version": None}, "windsurf",
     "tool windsurf@1.250.0 is not approved for provider openai (tools: copilot, cursor*)"),
    ({"provider": "mistral", "id": "codestral", "version": None}, "copilot",
     "provider mistral is not approved (approved providers: openai, anthropic)"),
    (None, "copilot", "the tool did not say which model wrote it (an unknown model is not approved)"),
    ({"provider": "openai", "id": None, "version": None}, "copilot", "the tool did not say which model wrote it"),
])
def test_unapproved_models_and_tools_are_a_finding_naming_tier_and_provider(model, tool: str, says: str) -> None:
    [message] = unapproved(row(model, tool))
    assert message.startswith("not approved in tier high (approved-only): ")
    assert says in message


def test_approved_only_applies_only_where_the_tier_says_and_a_review_does_not_lift_it() -> None:
    assert unapproved(row(None, path="src/app.py")) == []  # the default tier is not approved-only
    r = row({"provider": "mistral", "id": "codestral", "version": None})
    r["reviews"] = json.dumps([{"eventId": "01REVIEW000000000000000000", "reviewer": "carol@example.com",
                                "verdict": "approved", "note": None, "textSha256": r["text_sha256"],
                                "at": "2026-11-27T13:00:00Z"}])
    assert status_of(r) == "reviewed"
    assert [f.code for f in assess(r, "reviewed", policy().rules_for(r["path"]))] == ["ai-unapproved"]


def test_approved_only_in_the_default_reaches_every_tier_unless_one_turns_it_off() -> None:
    p = policy(POLICY.replace('[[tier]]\nname = "high"', '[default]\napproved-only = true\n\n[[tier]]\nname = "high"', 1)
               + '\n[[tier]]\nname = "sandbox"\npaths = ["sandbox/**"]\napproved-only = false\n')
    assert p.rules_for("src/app.py").approved_only and p.rules_for("payments/x.py").approved_only
    assert not p.rules_for("sandbox/x.py").approved_only


def test_the_contract_in_force_is_what_an_acceptance_records() -> None:
    p = policy()
    copilot = {"name": "copilot", "version": "1.250.0"}
    assert p.ref(copilot, {"provider": "openai", "id": "o3"})["contract"] == "MSA-2026-014"
    assert "contract" not in p.ref(copilot, {"provider": "openai", "id": "gpt-4o"})  # not under the contract
    assert "contract" not in p.ref(copilot, {"provider": "anthropic", "id": "claude-sonnet-4"})  # none declared
    assert "contract" not in p.ref()


BAD = [
    ('[[provider]]\nname = "openai"\nmodel = ["gpt-4.1"]\n', 3,
     "provider[0].model: unknown key (allowed here: name, models, tools, contract, defect-response, contact)"),
    ('[[provider]]\nname = "openai"\n', 1, "provider[0].models: field required"),
    ('[[provider]]\nname = "openai"\nmodels = []\n', 3, "provider[0].models: an empty list approves no model: name at least one"),
    ('[[provider]]\nname = "openai"\nmodels = ["gpt-4.1"]\ntools = []\n', 4, "provider[0].tools: an empty list approves no tool: leave `tools` out for any tool"),
    ('[[provider]]\nname = "openai"\nmodels = ["gpt-4.1", "gpt-4o@"]\n', 3,
     "provider[0].models[1]: bad pattern 'gpt-4o@': nothing after '@' (leave '@' out for any version)"),
    ('[[provider]]\nname = "openai"\nmodels = ["@2025-*"]\n', 3, "provider[0].models[0]: bad pattern '@2025-*': nothing before '@' (write '*@VERSION' for any model at a version)"),
    ('[[provider]]\nname = "openai"\nmodels = ["o3"]\ndefect-response = "soon"\n', 4,
     "provider[0].defect-response: expected a positive duration such as \"36h\", \"2d\" or \"1w\", got 'soon'"),
    ('[[provider]]\nname = "openai"\nmodels = ["o3"]\n\n[[provider]]\nname = "openai"\nmodels = ["gpt-4.1"]\n', 6,
     "provider[1].name: provider 'openai' is declared twice"),
    ('[default]\napproved-only = true\n', 2,
     "default.approved-only: impossible: approved-only = true, but no [[provider]] is declared, so nothing is approved"),
    ('[[tier]]\nname = "high"\npaths = ["x/**"]\napproved-only = "yes"\n', 4, "tier[0].approved-only: input should be a valid boolean"),
]


@pytest.mark.parametrize("text, line, says", BAD)
def test_bad_provider_tables_are_one_line_with_file_line_and_key(text: str, line: int, says: str) -> None:
    with pytest.raises(PolicyError) as err:
        policy(text)
    message = str(err.value)
    assert "\n" not in message
    assert message == f"/repo/.ailedger.toml:{line}: {says}"


# --- the CI gate and SARIF --------------------------------------------------

CODE = "def charge(amount):\n    return amount * 100\n"
AI = "    return amount * 100\n"


def test_check_fails_on_unapproved_code_naming_tier_and_provider_and_sarif_carries_it(cli, repo: Path, env) -> None:
    (repo / ".ailedger.toml").write_text(POLICY)
    path = repo / "payments" / "charge.py"
    path.parent.mkdir()
    path.write_text(CODE)
    params = acceptance_params(path, 1, AI, model={"provider": "openai", "id": "gpt-4.1", "version": "2024-11-20"})
    region = cli("record", input=json.dumps(params)).out.strip()
    assert cli("review", region, "--verdict", "approved", "--db", env["AILEDGER_DB"], cwd=repo).code == 0

    failed = cli("check", str(repo))
    assert failed.code == 1, failed.err
    [line] = [line for line in failed.out.splitlines() if line.startswith("FAIL")]
    assert line.startswith("FAIL    payments/charge.py:2-2 ai-unapproved [tier high]: not approved in tier high "
                           "(approved-only): model gpt-4.1@2024-11-20 is not among provider openai's approved models")
    report = json.loads(cli("check", str(repo), "--json").out)
    [finding] = report["findings"]
    assert (finding["code"], finding["tier"], finding["blocking"], finding["regionId"]) == \
        ("ai-unapproved", "high", True, region)

    reported = cli("report", "--format", "sarif", cwd=repo)
    assert reported.code == 0, reported.err
    sarif = json.loads(reported.out)
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "ai-unapproved"]
    assert result["level"] == "error"  # the tier's severity
    assert "provider openai" in result["message"]["text"] and "tier high" in result["message"]["text"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "payments/charge.py"
    rule = sarif["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == "ai-unapproved"

    # Approving the model in the policy lets the same code through, with nothing re-recorded.
    (repo / ".ailedger.toml").write_text(POLICY.replace('"gpt-4.1@2025-*"', '"gpt-4.1@*"'))
    passed = cli("check", str(repo))
    assert passed.code == 0 and "ok: 1 AI region" in passed.out


def test_an_acceptance_names_the_contract_and_blame_and_reports_show_it(cli, repo: Path, env) -> None:
    (repo / ".ailedger.toml").write_text(POLICY)
    path = repo / "payments" / "charge.py"
    path.parent.mkdir()
    path.write_text(CODE)
    params = acceptance_params(path, 1, AI, model={"provider": "openai", "id": "o3", "version": None})
    region = cli("record", input=json.dumps(params)).out.strip()
    with Ledger(env["AILEDGER_DB"]) as ledger:
        accepted = ledger.event(ledger.region(region)["accepted_event"]).content["payload"]
        assert accepted["policy"]["contract"] == "MSA-2026-014"
        assert ledger.region(region)["contract"] == "MSA-2026-014"
    blame = cli("blame", str(path), cwd=repo)
    assert blame.code == 0 and "contract MSA-2026-014" in blame.out
    table = cli("report", cwd=repo).out
    assert "contract" in table.splitlines()[0] and "MSA-2026-014" in table
    rows = [json.loads(line) for line in cli("report", "--format", "json", cwd=repo).out.splitlines()]
    assert [r["contract"] for r in rows if r["region_id"] == region] == ["MSA-2026-014"]
    [trace] = [json.loads(line) for line in cli("report", "--format", "agent-trace", cwd=repo).out.splitlines()]
    assert trace["metadata"]["dev.ailedger"]["contract"] == "MSA-2026-014"
    assert cli("review", region, "--verdict", "approved", cwd=repo).code == 0
    [envelope] = [json.loads(line) for line in cli("report", "--format", "intoto", cwd=repo).out.splitlines()]
    statement = json.loads(base64.b64decode(envelope["payload"]))
    provenance = statement["predicate"]["provenance"]
    assert (provenance["contract"], provenance["provider"]["provider"], provenance["acceptedBy"]) == \
        ("MSA-2026-014", "openai", "dev@example.com")
