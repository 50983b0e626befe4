"""Tamper alerts are paged with an exact total: a device that keeps pushing a
broken chain adds an alert per push, and neither /v1/alerts nor the
dashboard loads them all (the home page shows the most recent and says how
many there are; /alerts pages through every one)."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import httpx

from ailedger.ledger.store import Ledger
from ailedger.sync.service.app import COOKIE
from helpers import acceptance_payload

REFUSED = 130


def test_alerts_page_with_an_exact_total(service, tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.append_many([("acceptance", acceptance_payload(i)) for i in range(2)], actor="dev@example.com")
        second = [e for e in ledger.recent(2) if e.seq == 2][0].to_wire()  # seq 2 of a device the service never saw
    dev = {"authorization": f"Bearer {service.token('dev@example.com')}"}
    with httpx.Client(timeout=30) as client:
        for _ in range(REFUSED):
            refused = client.post(f"{service.url}/v1/events", content=json.dumps({"events": [second]}), headers=dev)
            assert refused.status_code == 409 and refused.json()["kind"] == "gap"
        lead_token = service.token("lead@example.com", role="lead")
        lead = {"authorization": f"Bearer {lead_token}"}
        seen, cursor = [], None
        while True:
            page = client.get(f"{service.url}/v1/alerts", params={"limit": 50, **({"cursor": cursor} if cursor else {})},
                              headers=lead).json()
            assert page["total"] == REFUSED and len(page["alerts"]) <= 50
            seen += page["alerts"]
            cursor = page["next"]
            if cursor is None:
                break
        assert len(seen) == REFUSED and {a["kind"] for a in seen} == {"gap"}
        assert [a["at"] for a in seen] == sorted(a["at"] for a in seen)  # oldest first
        for params in ({"limit": 0}, {"limit": 1001}, {"cursor": "x"}, {"cursor": "WyJhIl0"}):
            bad = client.get(f"{service.url}/v1/alerts", params=params, headers=lead)
            assert bad.status_code == 400 and bad.json()["error"], params

        client.cookies.set(COOKIE, lead_token)
        home = unescape(client.get(f"{service.url}/").text)
        assert re.search(rf"<div class='num bad'>{REFUSED}</div>tamper alerts", home)
        assert f"the 20 most recent of {REFUSED}" in home and home.count("<tr class=alert>") == 20
        first = unescape(client.get(f"{service.url}/alerts").text)
        assert f"1–100 of {REFUSED}, most recent first" in first and first.count("<tr class=alert>") == 100
        link = re.search(r'<a class=next rel=next href="\?([^"]+)">next 100</a>', first)
        assert link
        rest = unescape(client.get(f"{service.url}/alerts?{link.group(1)}").text)
        assert f"101–{REFUSED} of {REFUSED}" in rest and rest.count("<tr class=alert>") == REFUSED - 100
        assert "next 100" not in rest
