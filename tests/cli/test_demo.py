def test_demo_walks_through_capture_gate_review_verify_sync_and_tamper(cli) -> None:
    result = cli("demo")
    assert result.code == 0, result.err
    out = " ".join(result.out.split())
    assert "secrets masked first: bulk discount for 10+ items; test key [REDACTED:openai-key]" in out
    assert "sk-proj-FAKE" not in out
    assert "ailedger(ai-unreviewed) AI-generated code not yet reviewed: copilot 1.250.0, openai/gpt-4.1@2025-04-14" in out
    assert "FAIL pricing.py:2-3 ai-unreviewed [tier pricing]" in out and "-> exit 1" in out
    assert "the region is now reviewed" in out
    assert "ok: 1 AI region meets .ailedger.toml (policy demo-1) -> exit 0" in out
    assert "ok: 2 events, chain intact" in out
    assert "synced 2 events to the audit service" in out and "lists 1 region(s)" in out
    assert "FAILED: edited: event" in out
