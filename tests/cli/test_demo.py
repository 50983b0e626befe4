def test_demo_walks_through_capture_gate_move_review_verify_sync_incident_and_tamper(cli) -> None:
    result = cli("demo")
    assert result.code == 0, result.err
    out = " ".join(result.out.split())
    assert "secrets masked first: bulk discount for 10+ items; test key [REDACTED:openai-key]" in out
    assert "sk-proj-FAKE" not in out
    assert "ailedger(ai-unreviewed) AI-generated code not yet reviewed: copilot 1.250.0, openai/gpt-4.1@2025-04-14" in out
    assert "The agent's after-edit hook recorded cart.py:3-6 (agent-edit, acme-agent 0.3.1, openai/gpt-4.1)" in out
    assert "FAIL cart.py:3-6 ai-unreviewed [tier default]" in out
    assert "FAIL pricing.py:2-3 ai-unreviewed [tier pricing]" in out and "-> exit 1" in out
    assert "git mv cart.py basket.py: the placement engine finds the agent's code at basket.py:3" in out
    assert "region is now reviewed" in out
    assert "ok: 2 AI region(s) meet .ailedger.toml (policy demo-1) -> exit 0" in out
    assert "ok: 4 events, chain intact" in out
    assert "synced 4 events to the audit service" in out and "lists 2 region(s)" in out
    assert "opened INC-" in out and "2 region(s) reopened in 1 repository here" in out
    assert "pricing.py is now reopened" in out
    assert "sent to http://127.0.0.1:" in out  # the incident went to the service of the step before, at once
    assert "The audit service reopened the same 2 region(s) for the whole organisation" in out
    assert "FAILED: edited: event" in out
