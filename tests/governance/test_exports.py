"""Evidence for others' tools: `ailedger report --format agent-trace`, checked
against the Agent Trace spec's published schema, and `--format intoto`,
signed review attestations that `ailedger verify-attestation` checks, with
corruption probes (a flipped payload byte, a forged signature, another key)
that must each fail."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ailedger.ledger import device_key
from helpers import acceptance_params, git

SHARED = next(p / "shared" / "schemas" for p in Path(__file__).parents if (p / "shared" / "schemas").is_dir())
PRICE = "    discount = 0.1 if qty >= 10 else 0.0\n    return price * qty * (1 - discount)\n"
APP = "import os\n\ndef total(price, qty):\n" + PRICE + "\nprint(total(2, 3))\n"
TAX = "    return amount * 0.2\n"
LIB = "def tax(amount):\n" + TAX


@pytest.fixture
def regions(cli, repo: Path) -> dict[str, str]:
    """Two committed regions: app.py (copilot, gpt-4.1) and lib/tax.py (claude-code, sonnet)."""
    (repo / "app.py").write_text(APP)
    (repo / "lib").mkdir()
    (repo / "lib" / "tax.py").write_text(LIB)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "ai code")
    ids = {}
    for name, path, line, text, extra in (
        ("app", repo / "app.py", 3, PRICE, {}),
        ("tax", repo / "lib" / "tax.py", 1, TAX, {
            "tool": {"name": "claude-code", "version": "2.1.0"}, "kind": "agent-edit", "sessionId": "s-42",
            "model": {"provider": "anthropic", "id": "claude-sonnet-4", "version": "20250514"}}),
    ):
        result = cli("record", input=json.dumps(acceptance_params(path, line, text, **extra)))
        assert result.code == 0, result.err
        ids[name] = result.out.strip()
    return ids


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def statement(envelope: dict) -> dict:
    return json.loads(base64.b64decode(envelope["payload"]))


def test_agent_trace_records_are_valid_and_carry_the_review(cli, repo: Path, regions) -> None:
    assert cli("review", regions["app"], "--verdict", "approved", "--note", "checked", cwd=repo).code == 0
    result = cli("report", "--format", "agent-trace", cwd=repo)
    assert result.code == 0, result.err
    records = lines(result.out)
    schema = json.loads((SHARED / "agent-trace-record.schema.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    for record in records:
        validator.validate(record)
    app, tax = records
    assert app["files"] == [{"path": "app.py", "conversations": [{
        "contributor": {"type": "ai", "model_id": "openai/gpt-4.1-2025-04-14"},
        "ranges": [{"start_line": 4, "end_line": 5,
                    "content_hash": "sha256:" + hashlib.sha256(PRICE.encode()).hexdigest()}]}]}]
    assert app["vcs"] == {"type": "git", "revision": git(repo, "rev-parse", "HEAD").strip()}
    assert app["tool"] == {"name": "copilot", "version": "1.250.0"}
    ours = app["metadata"]["dev.ailedger"]
    assert ours["regionId"] == regions["app"] and ours["status"] == "reviewed"
    assert ours["acceptedBy"] == "dev@example.com" and ours["reviewers"] == ["dev@example.com"]
    assert ours["provider"] == {"provider": "openai", "id": "gpt-4.1", "version": "2025-04-14"}
    assert ours["integrator"] == {"tool": "copilot", "version": "1.250.0", "policy": None}
    [review] = ours["reviews"]
    assert (review["verdict"], review["note"], review["textSha256"]) == (
        "approved", "checked", hashlib.sha256(PRICE.encode()).hexdigest())
    assert tax["files"][0]["conversations"][0]["contributor"]["model_id"] == "anthropic/claude-sonnet-4-20250514"
    assert tax["metadata"]["dev.ailedger"]["status"] == "unreviewed"
    assert tax["metadata"]["dev.ailedger"]["sessionId"] == "s-42"


def test_agent_trace_names_a_revision_only_where_the_lines_hold(cli, repo: Path, tmp_path: Path, regions) -> None:
    (repo / "lib" / "tax.py").write_text(LIB + "\n# changed since the commit\n")
    by_path = {r["files"][0]["path"]: r for r in lines(cli("report", "--format", "agent-trace", cwd=repo).out)}
    assert "vcs" in by_path["app.py"] and "vcs" not in by_path["lib/tax.py"]
    outside = lines(cli("report", "--format", "agent-trace", cwd=tmp_path).out)
    assert len(outside) == 2 and not any("vcs" in r for r in outside)
    # The same state of a region is the same record.
    assert [r["id"] for r in outside] == [r["id"] for r in by_path.values()]


def test_intoto_envelopes_verify_and_match_the_ledger(cli, repo: Path, tmp_path: Path, regions) -> None:
    assert cli("review", regions["app"], "--verdict", "approved-with-changes", "--note", "renamed", cwd=repo).code == 0
    result = cli("report", "--format", "intoto")
    assert result.code == 0, result.err
    [envelope] = lines(result.out)  # the unreviewed region has no attestation
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    stmt = statement(envelope)
    event = json.loads(cli("log", "--json", "-n", "1").out)
    assert event["type"] == "review"
    assert stmt["_type"] == "https://in-toto.io/Statement/v1"
    assert stmt["predicateType"] == "https://ailedger.dev/review/v1"
    assert stmt["subject"] == [{"name": "app.py", "digest": {"sha256": event["payload"]["textSha256"][regions["app"]]},
                                "annotations": {"repository": "git.example.com/acme/shop", "regionId": regions["app"]}}]
    predicate = stmt["predicate"]
    assert predicate["review"]["verdict"] == "approved-with-changes" and predicate["review"]["note"] == "renamed"
    assert predicate["review"]["reviewer"] == event["payload"]["reviewer"]
    assert predicate["ledger"] == {"eventId": event["id"], "device": event["device"], "seq": event["seq"],
                                   "hash": event["hash"], "prevHash": event["prevHash"]}
    assert predicate["provenance"]["integrator"]["tool"] == "copilot"
    assert predicate["provenance"]["provider"]["id"] == "gpt-4.1"
    assert predicate["provenance"]["acceptedBy"] == "dev@example.com"

    path = tmp_path / "reviews.intoto.jsonl"
    path.write_text(result.out)
    ok = cli("verify-attestation", str(path))
    assert ok.code == 0, ok.err
    assert ok.out == (f"ok app.py (region {regions['app']}) reviewed by dev@example.com, "
                      f"verdict approved-with-changes, at {predicate['review']['reviewedAt']}\n")
    # A third party verifies with the printed public key, and the keyid names it.
    pem = cli("verify-attestation", "--print-key").out
    (tmp_path / "device.pub.pem").write_text(pem)
    assert cli("verify-attestation", str(path), "--key", str(tmp_path / "device.pub.pem")).code == 0
    public = serialization.load_pem_public_key(pem.encode())
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert envelope["signatures"][0]["keyid"] == "sha256:" + hashlib.sha256(raw).hexdigest()
    # One JSON document (a list of envelopes) is read too.
    (tmp_path / "one.json").write_text(json.dumps([envelope, envelope], indent=2))
    assert cli("verify-attestation", str(tmp_path / "one.json")).out.count("ok app.py") == 2


def _flip_payload(envelope: dict) -> None:
    body = bytearray(base64.b64decode(envelope["payload"]))
    at = body.index(b'"approved"') + 1
    body[at] ^= 0x01  # "approved" -> "`pproved": still JSON, no longer what was signed
    envelope["payload"] = base64.b64encode(bytes(body)).decode()


def _forge_signature(envelope: dict) -> None:
    sig = bytearray(base64.b64decode(envelope["signatures"][0]["sig"]))
    sig[0] ^= 0x80
    envelope["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()


def _resign_with_another_key(envelope: dict) -> None:
    from ailedger.export.intoto import envelope as seal

    envelope.update(seal(statement(envelope), Ed25519PrivateKey.generate()))


def _swap_payload_type(envelope: dict) -> None:
    envelope["payloadType"] = "application/json"


def _drop_signatures(envelope: dict) -> None:
    envelope["signatures"] = []


TAMPERING = [
    (_flip_payload, "bad signature"),
    (_forge_signature, "bad signature"),
    (_resign_with_another_key, "signed by unknown key sha256:"),
    (_swap_payload_type, "payloadType is 'application/json'"),
    (_drop_signatures, "malformed envelope: no signatures"),
]


def test_a_tampered_envelope_is_rejected_and_named(cli, repo: Path, tmp_path: Path, regions) -> None:
    for region in regions.values():
        assert cli("review", region, "--verdict", "approved", cwd=repo).code == 0
    report = cli("report", "--format", "intoto").out
    for tamper, reason in TAMPERING:
        good, second = lines(report)
        tamper(second)
        path = tmp_path / f"{tamper.__name__}.jsonl"
        path.write_text(json.dumps(good) + "\n" + json.dumps(second) + "\n")
        result = cli("verify-attestation", str(path))
        assert result.code == 1, tamper.__name__
        assert result.out.startswith("ok app.py"), tamper.__name__
        assert result.err.startswith("ailedger verify-attestation: FAILED: envelope at line 2 (lib/tax.py"), result.err
        assert reason in result.err and len(result.err.splitlines()) == 1, result.err


def test_another_devices_key_rejects_every_envelope(cli, repo: Path, tmp_path: Path, regions) -> None:
    assert cli("review", regions["app"], "--verdict", "approved", cwd=repo).code == 0
    (tmp_path / "e.jsonl").write_text(cli("report", "--format", "intoto").out)
    other = tmp_path / "other.pem"
    other.write_text(device_key.public_pem(Ed25519PrivateKey.generate().public_key()))
    result = cli("verify-attestation", str(tmp_path / "e.jsonl"), "--key", str(other))
    assert result.code == 1 and "envelope at line 1" in result.err and "unknown key" in result.err


def test_verify_attestation_usage_errors(cli, tmp_path: Path) -> None:
    missing = cli("verify-attestation", str(tmp_path / "nope.jsonl"))
    assert missing.code == 2 and "nope.jsonl" in missing.err and len(missing.err.splitlines()) == 1
    (tmp_path / "junk.jsonl").write_text("{not json\n")
    junk = cli("verify-attestation", str(tmp_path / "junk.jsonl"))
    assert junk.code == 2 and "line 1: not JSON" in junk.err
    assert cli("verify-attestation").code == 2
    (tmp_path / "e.json").write_text("{}")
    keyless = cli("verify-attestation", str(tmp_path / "e.json"))
    assert keyless.code == 2 and "no device key" in keyless.err and "--key" in keyless.err


def test_filters_apply_to_both_formats(cli, repo: Path, regions) -> None:
    for region in regions.values():
        assert cli("review", region, "--verdict", "approved", cwd=repo).code == 0

    def paths(fmt: str, *filters: str) -> list[str]:
        out = lines(cli("report", "--format", fmt, *filters, cwd=repo).out)
        if fmt == "intoto":
            return [statement(e)["subject"][0]["name"] for e in out]
        return [r["files"][0]["path"] for r in out]

    assert paths("agent-trace") == paths("intoto") == ["app.py", "lib/tax.py"]
    assert paths("agent-trace", "--path", "lib") == ["lib/tax.py"]
    assert paths("agent-trace", "--tool", "copilot", "--since", "2026-01-01") == ["app.py"]
    assert paths("intoto", "--model", "anthropic/claude-sonnet-4") == ["lib/tax.py"]
    assert paths("intoto", "--author", "someone@else.com") == []
    assert paths("intoto", "--status", "unreviewed") == []


def test_the_device_key_is_made_once_private_and_reused(cli, repo: Path, tmp_path: Path, regions) -> None:
    assert cli("review", regions["app"], "--verdict", "approved", cwd=repo).code == 0
    key = tmp_path / "device-key.pem"  # beside the ledger ($AILEDGER_DB)
    assert not key.exists()
    first = lines(cli("report", "--format", "intoto").out)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    before = key.read_bytes()
    assert lines(cli("report", "--format", "intoto").out) == first  # Ed25519 is deterministic
    assert key.read_bytes() == before


def test_concurrent_creation_yields_one_key(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "device-key.pem"
    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: device_key.load_or_create(path), range(16)))
    assert len({device_key.key_id(k.public_key()) for k in keys}) == 1
    assert [p.name for p in path.parent.iterdir()] == ["device-key.pem"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_edited_and_unknown_provenance_stay_valid_and_uninvented() -> None:
    from ailedger.export.agent_trace import records
    from ailedger.ledger.projection import from_acceptance
    from helpers import acceptance_payload

    edited = dict(from_acceptance("01EVENT", acceptance_payload(0, model=None, tool={"name": "aider"})),
                  ai_fraction=0.5)
    ended = dict(from_acceptance("01EVENT2", acceptance_payload(1)), status="ended")
    [record] = list(records([edited, ended], lambda event_id: None, lambda repo, path: None))
    schema = json.loads((SHARED / "agent-trace-record.schema.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(record)
    assert record["files"][0]["conversations"][0]["contributor"] == {"type": "mixed"}
    assert "tool" not in record and "vcs" not in record
    assert record["metadata"]["dev.ailedger"]["provider"] is None
    assert record["metadata"]["dev.ailedger"]["integrator"] == {"tool": "aider", "version": None, "policy": None}
