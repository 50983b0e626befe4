"""The /incidents page lists AI code from unapproved models or tools a page
at a time, most recent first: following the next-page links finds every
unapproved acceptance exactly once, the total is exact, approved ones never
appear, and a cursor the service did not give out is refused in one line."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import httpx

from ailedger.ledger.store import Ledger
from ailedger.sync.client import Endpoint, push
from helpers import acceptance_payload

N = 700  # 466 unapproved: three pages of up to 200
POLICY = {"version": "2026-12", "retention": "full"}


def test_unapproved_code_pages_with_an_exact_total(service, tmp_path: Path) -> None:
    with Ledger(tmp_path / "dev.db") as ledger:
        ledger.append_many([("acceptance", acceptance_payload(
            i, regionId=f"U{i:05d}", policy={**POLICY, "unapproved": f"provider mistral is not approved ({i})"}
            if i % 3 else POLICY)) for i in range(N)], actor="dev@example.com")
        push(ledger, Endpoint(service.url, service.token("dev@example.com")))
    expected = {f"U{i:05d}" for i in range(N) if i % 3}

    lead = httpx.Client(base_url=service.url, timeout=30)
    assert lead.post("/login", data={"token": service.token("lead@example.com", role="lead")}).status_code == 303
    seen: list[str] = []
    url: str | None = "/incidents"
    pages = 0
    while url:
        page = lead.get(url)
        assert page.status_code == 200, page.text
        assert f"id=unapproved-total>{len(expected)}</span>" in page.text
        found = re.findall(r'<tr data-region="(U\d{5})">', page.text)
        assert f"{len(seen) + 1}–{len(seen) + len(found)} of {len(expected)}, most recent first" in page.text
        seen += found
        link = re.search(r'<a class=next rel=next href="([^"]+)">', page.text)
        url = "/incidents" + unescape(link[1]) if link else None
        pages += 1
    assert pages == -(-len(expected) // 200) == 3
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert seen == sorted(seen, reverse=True)  # pushed in order: most recent first
    bad = lead.get("/incidents", params={"cursor": "x' OR 1=1 --"})
    assert bad.status_code == 400 and "cursor is not one this service gave out" in bad.text
