"""Redaction: no corpus secret survives, ordinary code is untouched.

The corpus (redaction_corpus/) holds FAKE secrets of real shapes, each file
beside a `.expected.json` listing its values and kinds, and clean files
(some copied from this repository) that must come through byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ailedger.ledger.store import Ledger
from ailedger.redact import Finding, mask_personal, redact_secrets, retain_prompt
from helpers import acceptance_params

CORPUS = Path(__file__).parent / "redaction_corpus"
SECRET_FILES = sorted(p for p in (CORPUS / "secrets").iterdir() if not p.name.endswith(".expected.json"))
CLEAN_FILES = sorted((CORPUS / "clean").iterdir())


def expected(path: Path) -> list[dict[str, str]]:
    return json.loads(path.with_name(path.name + ".expected.json").read_text())


def all_secret_values() -> set[str]:
    return {e["value"] for path in SECRET_FILES for e in expected(path)}


def occurrences(text: str, value: str) -> list[int]:
    found, at = [], text.find(value)
    while at >= 0:
        found.append(at)
        at = text.find(value, at + 1)
    return found


@pytest.mark.parametrize("path", SECRET_FILES, ids=lambda p: p.name)
def test_every_corpus_secret_is_masked_whole_and_named(path: Path) -> None:
    text = path.read_text()
    result = redact_secrets(text)
    for secret in expected(path):
        value = secret["value"]
        assert value not in result.text
        for at in occurrences(text, value):
            # One finding covers the whole value: no tail of it is left behind.
            covering = [f.kind for f in result.findings if f.start <= at and at + len(value) <= f.end]
            assert covering == [secret["kind"]], (value[:12], covering)


@pytest.mark.parametrize("path", SECRET_FILES, ids=lambda p: p.name)
def test_windows_line_endings_hide_nothing(path: Path) -> None:
    masked = redact_secrets(path.read_text().replace("\n", "\r\n")).text
    assert [e["value"][:12] for e in expected(path) if e["value"] in masked] == []


def test_threads_get_the_same_answers() -> None:
    # The editor redacts in worker threads; detect-secrets is used without its global settings.
    texts = [p.read_text() for p in SECRET_FILES + CLEAN_FILES]
    alone = [redact_secrets(t) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(redact_secrets, texts * 4)) == alone * 4


@pytest.mark.parametrize("path", CLEAN_FILES, ids=lambda p: p.name)
def test_clean_files_are_byte_identical(path: Path) -> None:
    text = path.read_text()
    result = redact_secrets(text)
    assert result.findings == ()
    assert result.text == text


@pytest.mark.parametrize("path", SECRET_FILES + CLEAN_FILES, ids=lambda p: p.name)
def test_redacting_twice_changes_nothing(path: Path) -> None:
    once = redact_secrets(path.read_text())
    twice = redact_secrets(once.text)
    assert twice.text == once.text and twice.findings == ()


@pytest.mark.parametrize("path", SECRET_FILES, ids=lambda p: p.name)
def test_findings_are_places_in_the_original(path: Path) -> None:
    text = path.read_text()
    result = redact_secrets(text)
    rebuilt, pos = [], 0
    for f in result.findings:
        assert pos <= f.start < f.end
        assert f.line == text.count("\n", 0, f.start) + 1
        rebuilt += [text[pos:f.start], f"[REDACTED:{f.kind}]"]
        pos = f.end
    assert "".join(rebuilt) + text[pos:] == result.text
    assert not any(e["value"] in repr(result.findings) for e in expected(path))


def test_surrounding_text_is_kept_exactly() -> None:
    text = 'x = 1\napi_key = "AKIAFAKE7Q2ZJ4K8M1XW"\nurl = "https://user:pa55-FAKE@db.example.com/app"\n'
    result = redact_secrets(text)
    assert result.text == ('x = 1\napi_key = "[REDACTED:aws-access-key]"\n'
                           'url = "https://user:[REDACTED:url-password]@db.example.com/app"\n')
    assert result.findings == (Finding("aws-access-key", 2, 17, 37), Finding("url-password", 3, 59, 68))


def test_a_private_key_block_is_replaced_whole() -> None:
    result = redact_secrets((CORPUS / "secrets" / "id_rsa.txt").read_text())
    assert result.text == "[REDACTED:private-key]\n"
    assert [f.kind for f in result.findings] == ["private-key"]


@pytest.mark.parametrize("line", [
    'password = os.environ["PASSWORD"]',
    "password = getpass()",
    'token = request.headers["Authorization"]',
    'API_KEY = "<your-api-key>"',
    "password: ${DB_PASSWORD}",
    "  password: str",
    "max_tokens: 4096",
    'text_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"',
])
def test_references_and_placeholders_are_not_secrets(line: str) -> None:
    assert redact_secrets(line).text == line


# --- prompt retention -------------------------------------------------------

PROMPT = ("I am alice@example.com on 10.1.2.3 (fe80::1ff:fe23:4567:890a), files in /home/alice/shop "
          "and C:\\Users\\alice\\shop, call +1 415 555 0134. Key: AKIAFAKE7Q2ZJ4K8M1XW")


def test_full_keeps_the_prompt_but_masks_secrets() -> None:
    kept = retain_prompt(PROMPT, "full")
    assert kept == PROMPT.replace("AKIAFAKE7Q2ZJ4K8M1XW", "[REDACTED:aws-access-key]")


def test_redacted_also_masks_personal_identifiers() -> None:
    assert retain_prompt(PROMPT, "redacted") == (
        "I am [REDACTED:email] on [REDACTED:ip-address] ([REDACTED:ip-address]), files in "
        "/home/[REDACTED:user-name]/shop and C:\\Users\\[REDACTED:user-name]\\shop, call [REDACTED:phone]. "
        "Key: [REDACTED:aws-access-key]")


def test_hash_keeps_only_the_digest_of_the_original() -> None:
    prompt = (CORPUS / "secrets" / "prompts.txt").read_text()
    kept = retain_prompt(prompt, "hash")
    assert kept == "sha256:" + hashlib.sha256(prompt.encode()).hexdigest()


def test_none_keeps_nothing_and_unknown_modes_are_refused() -> None:
    assert retain_prompt(PROMPT, "none") is None
    assert all(retain_prompt(None, mode) is None for mode in ("full", "redacted", "hash", "none"))
    with pytest.raises(ValueError, match="retention"):
        retain_prompt(PROMPT, "everything")


@pytest.mark.parametrize("text", [
    "version 1.2.3 and 2026-11-27 12:30:45", "MAC 00:1a:2b:3c:4d:5e", "std::vector<int> v;",
    "pip install detect-secrets==1.5.0", "ratio 3.14159265", "see /home/ and /Users/",
])
def test_personal_masking_leaves_ordinary_text(text: str) -> None:
    assert mask_personal(text).text == text


# --- properties -------------------------------------------------------------

ORDINARY = st.sampled_from([
    "def", "return", "self.items", "import os", "total_price", "AbstractSingletonProxyFactoryBean", "0x1f",
    "42", "3.14", "#1f6feb", "v2.31.0", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "550e8400-e29b-41d4-a716-446655440000", "01JDQ4ZK8Y3M5N7P9R1T3V5X7Z", "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    "password", "token", "secret", "api_key", "=", ":", "(", ")", "[", "]", "{", "}", '"', "'", ",", ".",
    "os.environ[\"TOKEN\"]", "getpass()", "lorem", "ipsum", "Authorization", "Bearer", "https://example.com/a",
])


@settings(max_examples=300, deadline=None, derandomize=True)  # CI must not meet a new example each run
@given(st.lists(ORDINARY, max_size=40), st.lists(st.sampled_from([" ", "\n", "  "]), min_size=40, max_size=40))
def test_text_without_secret_shapes_is_unchanged(words: list[str], gaps: list[str]) -> None:
    text = "".join(w + g for w, g in zip(words, gaps))
    assert redact_secrets(text).text == text


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
       | st.lists(st.sampled_from(sorted(all_secret_values())) | st.text(max_size=8), max_size=6).map(" ".join))
def test_redaction_is_idempotent_on_any_text(text: str) -> None:
    once = redact_secrets(text)
    assert redact_secrets(once.text).text == once.text


# --- end to end: the ledger and what sync sends ----------------------------

def test_no_corpus_secret_reaches_the_ledgers_events(cli, repo: Path, env) -> None:  # type: ignore[no-untyped-def]
    (repo / ".ailedger.toml").write_text('version = "t"\n[prompts]\nretention = "full"\n')
    secrets_text = (CORPUS / "secrets" / "config.py").read_text()
    prompt = (CORPUS / "secrets" / "prompts.txt").read_text()
    (repo / "settings.py").write_text(secrets_text)
    params = acceptance_params(repo / "settings.py", 0, secrets_text, prompt=prompt,
                               parameters={"system": prompt, "headers": [(CORPUS / "secrets" / "aws.env").read_text()]})
    result = cli("record", input=json.dumps(params), cwd=repo)
    assert result.code == 0, result.err
    with Ledger(env["AILEDGER_DB"]) as ledger:
        wire = json.dumps([event.to_wire() for event in ledger.events()])
        regions = json.dumps(ledger.regions(), default=str)
    assert "[REDACTED:aws-access-key]" in wire and "[REDACTED:jwt]" in wire
    leaked = [v[:12] for v in all_secret_values() if v in wire or v in regions]
    assert leaked == []


def test_no_corpus_secret_anywhere_in_the_ledger_file(cli, repo: Path, env) -> None:  # type: ignore[no-untyped-def]
    secrets_text = (CORPUS / "secrets" / "config.py").read_text()
    (repo / "settings.py").write_text(secrets_text)
    result = cli("record", input=json.dumps(acceptance_params(repo / "settings.py", 0, secrets_text)), cwd=repo)
    assert result.code == 0, result.err
    db = sqlite3.connect(env["AILEDGER_DB"])
    dump = "\n".join(db.iterdump())
    assert [v[:12] for v in all_secret_values() if v in dump] == []


def test_a_secret_on_an_unchanged_line_does_not_disturb_re_anchoring(cli, repo: Path, env) -> None:  # type: ignore[no-untyped-def]
    """Snapshots are masked in place: the diff against the file as it is now
    masks alike, so a line holding a secret still matches itself and stays
    the AI's own text (not "edited by a person") when lines move around it."""
    from ailedger.placement.forensics import blame
    from ailedger.ledger.store import Ledger

    secret = next(v for v in sorted(all_secret_values()) if "\n" not in v and '"' not in v and len(v) > 20)
    ai = f'API_KEY = "{secret}"\nFEE = 3\n'
    path = repo / "settings.py"
    path.write_text("import os\n" + ai)
    assert cli("record", input=json.dumps(acceptance_params(path, 1, ai)), cwd=repo).code == 0
    path.write_text("import os\n# a comment a person added\n" + ai + "print(FEE)\n")
    with Ledger(env["AILEDGER_DB"]) as ledger:
        assert secret not in ledger.snapshot(ledger.repos()[0], "settings.py").masked
        lines = blame(ledger, path)
    assert [b.attribution for b in lines] == ["human", "human", "ai", "ai", "human"]


@pytest.mark.parametrize("path", [p for p in SECRET_FILES] + sorted((CORPUS / "clean").glob("*")), ids=lambda p: p.name)
def test_masking_in_place_finds_what_redaction_finds_and_keeps_positions(path: Path) -> None:
    """Snapshots are masked by scanning only the lines that could hold a
    secret: it must mask exactly what a scan of the whole text finds."""
    from ailedger.redact import mask_in_place

    for text in (path.read_text(), path.read_text().replace("\n", "\r\n"), "İstanbul\n" + path.read_text()):
        masked = mask_in_place(text)
        assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
        expected = list(text)
        for f in redact_secrets(text).findings:
            expected[f.start:f.end] = ["*" if c not in "\r\n" else c for c in text[f.start:f.end]]
        assert masked == "".join(expected)
