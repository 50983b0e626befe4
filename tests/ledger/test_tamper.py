"""Tamper probes: each corruption of a stored ledger makes `ailedger verify`
exit 1 and name the event and what happened to it.

The probes drop the append-only triggers with raw sqlite3, as an attacker with
write access to the file would.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ailedger.ledger.canonical import event_body, event_hash
from ailedger.ledger.store import Ledger

from helpers import acceptance_payload

N = 10


@pytest.fixture
def ledger_file(env: dict[str, str]) -> Path:
    path = Path(env["AILEDGER_DB"])
    with Ledger(path) as ledger:
        ledger.append_many([("acceptance", acceptance_payload(i)) for i in range(N)], actor="dev@example.com")
    return path


def rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT rowid, id, device, seq, prev_hash, hash, type, body FROM events ORDER BY rowid").fetchall()


def tamper(path: Path, *statements: tuple[str, tuple]) -> None:
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER events_no_update")
    db.execute("DROP TRIGGER events_no_delete")
    for sql, params in statements:
        db.execute(sql, params)
    db.commit()
    db.close()


def test_intact_ledger_verifies(cli, ledger_file: Path) -> None:
    result = cli("verify")
    assert result.code == 0, result.err
    assert f"{N} event(s) in 1 chain(s), intact" in result.out


def test_triggers_forbid_update_and_delete(ledger_file: Path) -> None:
    db = sqlite3.connect(ledger_file)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE events SET body = '{}' WHERE seq = 3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM events WHERE seq = 3")


def test_edited_payload_is_named(cli, ledger_file: Path) -> None:
    victim = rows(ledger_file)[4]
    tamper(ledger_file, ("UPDATE events SET body = replace(body, 'copilot', 'c0pilot') WHERE id = ?", (victim[1],)))
    result = cli("verify")
    assert result.code == 1
    assert f"edited: event {victim[1]}" in result.err
    assert "does not match its hash" in result.err


def test_event_rewritten_with_its_own_hash_is_named(cli, ledger_file: Path) -> None:
    victim = rows(ledger_file)[4]
    _, event_id, device, seq, prev, _, _, body = victim
    forged = body.replace("copilot", "c0pilot")
    digest = event_hash(event_id, device, seq, prev, forged.encode())
    tamper(ledger_file, ("UPDATE events SET body = ?, hash = ? WHERE id = ?", (forged, digest, event_id)))
    result = cli("verify")
    assert result.code == 1
    assert f"edited: event {event_id}" in result.err
    assert "recomputed hash" in result.err


def test_deleted_event_is_named(cli, ledger_file: Path) -> None:
    all_rows = rows(ledger_file)
    tamper(ledger_file, ("DELETE FROM events WHERE id = ?", (all_rows[5][1],)))
    result = cli("verify")
    assert result.code == 1
    assert f"deleted: event {all_rows[6][1]}" in result.err
    assert f"seq 6 missing between event {all_rows[4][1]}" in result.err


def test_swapped_events_are_named(cli, ledger_file: Path) -> None:
    all_rows = rows(ledger_file)
    a, b = all_rows[3], all_rows[4]
    # Swap the two rows' contents in place (rowids stay), keeping every hash valid.
    swap = "UPDATE events SET id = ?, device = ?, seq = ?, prev_hash = ?, hash = ?, type = ?, body = ? WHERE rowid = ?"
    tamper(
        ledger_file,
        ("UPDATE events SET id = 'placeholder', seq = -1 WHERE rowid = ?", (a[0],)),
        (swap, (*a[1:], b[0])),
        (swap, (*b[1:], a[0])),
    )
    assert [r[1] for r in rows(ledger_file)][3:5] == [b[1], a[1]]
    result = cli("verify")
    assert result.code == 1
    assert f"reordered: event {a[1]}" in result.err
    assert f"stands after event {b[1]}" in result.err


def test_truncated_tail_is_caught_against_the_anchor(cli, ledger_file: Path) -> None:
    assert cli("verify").code == 0  # records the anchor: head at seq N
    all_rows = rows(ledger_file)
    tamper(ledger_file, ("DELETE FROM events WHERE seq > ?", (N - 3,)))
    result = cli("verify")
    assert result.code == 1
    assert f"truncated: event {all_rows[-1][1]}" in result.err
    assert f"the chain ends at seq {N - 3} (event {all_rows[N - 4][1]})" in result.err


def test_truncation_without_an_anchor_is_not_claimed(cli, ledger_file: Path) -> None:
    """Without an anchor a truncated chain is still a valid chain: say so honestly."""
    tamper(ledger_file, ("DELETE FROM events WHERE seq > ?", (N - 3,)))
    result = cli("verify")
    assert result.code == 0
    assert "no anchor yet" in result.out


def rechain(path: Path, chain: list[tuple[str, str, str]]) -> None:
    """Replace the whole stored chain by `chain` (id, type, body), every hash recomputed."""
    device = rows(path)[0][2]
    statements = [("DELETE FROM events", ())]
    prev = "0" * 64
    for seq, (event_id, type_, body) in enumerate(chain, start=1):
        digest = event_hash(event_id, device, seq, prev, body.encode())
        statements.append(("INSERT INTO events (id, device, seq, prev_hash, hash, type, body) VALUES (?,?,?,?,?,?,?)",
                           (event_id, device, seq, prev, digest, type_, body)))
        prev = digest
    tamper(path, *statements)


def forged_body() -> str:
    return event_body("acceptance", "2026-11-27T12:00:00Z", "mallory@example.com", acceptance_payload(99), 1).decode()


def test_forged_event_inserted_with_recomputed_chain_is_caught(
    cli, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forger who picks an id that fits between its neighbours and re-chains
    everything after it leaves a consistent chain: only the anchor catches it."""
    path = Path(env["AILEDGER_DB"])
    clock = iter(range(1 << 100, 1 << 101, 1 << 60))  # ids far apart, so one fits between
    monkeypatch.setattr("ailedger.ledger.ids.ulid_int_now", lambda: next(clock))
    with Ledger(path) as ledger:
        for i in range(N):
            ledger.append("acceptance", acceptance_payload(i), actor="dev@example.com")
    assert cli("verify").code == 0  # the anchor: head at seq N
    original = rows(path)
    from ailedger.ledger.ids import ulid_str, ulid_to_int

    between = ulid_str((ulid_to_int(original[3][1]) + ulid_to_int(original[4][1])) // 2)
    chain = [(r[1], r[6], r[7]) for r in original]
    rechain(path, chain[:4] + [(between, "acceptance", forged_body())] + chain[4:])
    result = cli("verify")
    assert result.code == 1
    assert f"forked: event {original[-1][1]}" in result.err
    assert f"that event is now at seq {N + 1}, so events were inserted before it" in result.err


def test_history_rewritten_from_the_middle_is_caught(cli, ledger_file: Path) -> None:
    assert cli("verify").code == 0
    original = rows(ledger_file)
    chain = [(r[1], r[6], r[7]) for r in original]
    chain[5] = (chain[5][0], "acceptance", forged_body())
    rechain(ledger_file, chain)
    result = cli("verify")
    assert result.code == 1
    assert f"forked: event {original[-1][1]}" in result.err
    assert "rewritten at or before this event" in result.err


def test_forged_event_with_a_fresh_id_is_caught_without_an_anchor(cli, ledger_file: Path) -> None:
    original = rows(ledger_file)
    forged_id = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"  # a freshly minted id sorts after every older one
    chain = [(r[1], r[6], r[7]) for r in original]
    rechain(ledger_file, chain[:4] + [(forged_id, "acceptance", forged_body())] + chain[4:])
    result = cli("verify")
    assert result.code == 1
    assert f"reordered: event {forged_id}" in result.err
    assert "forged" in result.err
