"""A region's trail on the dashboard lists every event that speaks of it,
each once, in order: its acceptance (which the service keeps on the region's
row, not as a trail row), reviews, and acceptances of the same region again
(an agent rewriting it), within one push and across pushes; also for a region
whose acceptance was stored with a trail row of its own, as services before
this one stored them."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from ailedger.ledger.store import Ledger
from ailedger.sync.client import Endpoint, push
from ailedger.sync.service.app import COOKIE
from ailedger.sync.service.storage import open_storage
from helpers import acceptance_payload


def review(region_id: str, sha: str, verdict: str = "approved") -> tuple[str, dict]:  # type: ignore[type-arg]
    return ("review", {"regionIds": [region_id], "reviewer": "lead@example.com", "verdict": verdict,
                       "textSha256": {region_id: sha}, "reviewedAt": "2026-11-28T09:00:00Z"})


def shown(service, token: str, region_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The trail page's rows, as the short hashes it prints."""
    page = httpx.get(f"{service.url}/regions/{region_id}", cookies={COOKIE: token}, timeout=30)
    assert page.status_code == 200, page.text[:300]
    return re.findall(r"<tr class=event>.*?<code>([0-9a-f]{12})</code>", page.text)


def naming(ledger: Ledger, region_id: str) -> list[str]:
    """The ledger's events that name the region, oldest first, as short hashes."""
    return [e.hash[:12] for e in ledger.events() if region_id in e.body]


def test_the_trail_holds_every_acceptance_and_review_of_a_region_once(service, tmp_path: Path) -> None:
    again = acceptance_payload(1, regionId="01TRAILAGAIN000000000000000", text="y = 2\n")
    once = acceptance_payload(2, regionId="01TRAILONCE0000000000000000")
    with Ledger(tmp_path / "dev.db") as ledger:
        token = service.token("dev@example.com", role="lead")
        endpoint = Endpoint(service.url, token)
        ledger.append_many([("acceptance", once), ("acceptance", again), review(again["regionId"], again["textSha256"]),
                            ("acceptance", {**again, "text": "y = 3\n"})], actor="dev@example.com")
        push(ledger, endpoint)  # accepted twice in one push
        ledger.append_many([("acceptance", {**again, "text": "y = 4\n"}),
                            review(again["regionId"], again["textSha256"], "rejected")], actor="dev@example.com")
        push(ledger, endpoint)  # and again in a later one
        assert len(naming(ledger, again["regionId"])) == 5
        assert shown(service, token, again["regionId"]) == naming(ledger, again["regionId"])
        assert shown(service, token, once["regionId"]) == naming(ledger, once["regionId"])


def test_an_acceptance_stored_with_its_own_trail_row_is_listed_once(service, tmp_path: Path) -> None:
    region = acceptance_payload(3, regionId="01TRAILOLD00000000000000000")
    with Ledger(tmp_path / "dev.db") as ledger:
        token = service.token("dev@example.com", role="lead")
        ledger.append_many([("acceptance", region)], actor="dev@example.com")
        push(ledger, Endpoint(service.url, token))
        first = list(ledger.events())[-1].id
        storage = open_storage(service.data, service.database_url)  # as an earlier service stored acceptances
        storage.write(lambda t: t.x("INSERT INTO region_events VALUES (?, ?)", (region["regionId"], first)))
        storage.close()
        assert shown(service, token, region["regionId"]) == naming(ledger, region["regionId"])
        ledger.append_many([("acceptance", {**region, "text": "z = 5\n"})], actor="dev@example.com")
        push(ledger, Endpoint(service.url, token))  # its row now names the new acceptance; the old one keeps its row
        assert len(naming(ledger, region["regionId"])) == 2
        assert shown(service, token, region["regionId"]) == naming(ledger, region["regionId"])


def test_a_long_trail_is_paged_oldest_first_each_event_once(service, tmp_path: Path) -> None:
    """A region in a file saved all day gains an update at each save: its page shows 200 events with the exact
    count and a link to the next 200, and following the links meets every event once, in order."""
    from ailedger.sync.service.dashboard import TRAIL_PAGE

    region = acceptance_payload(4, regionId="01TRAILLONG0000000000000000")
    updates = [("region-update", {"regionId": region["regionId"], "path": region["path"],
                                  "range": {"start": {"line": k, "character": 0}, "end": {"line": k + 1, "character": 0}},
                                  "aiRanges": [], "textSha256": region["textSha256"], "aiFraction": 1.0, "reason": "save"})
               for k in range(1, TRAIL_PAGE + 50)]
    with Ledger(tmp_path / "dev.db") as ledger:
        token = service.token("dev@example.com", role="lead")
        ledger.append_many([("acceptance", region), *updates], actor="dev@example.com")
        push(ledger, Endpoint(service.url, token))
        expected = naming(ledger, region["regionId"])
    assert len(expected) == TRAIL_PAGE + 50
    first = httpx.get(f"{service.url}/regions/{region['regionId']}", cookies={COOKIE: token}, timeout=30)
    assert f"1–{TRAIL_PAGE} of {TRAIL_PAGE + 50} events, oldest first" in first.text
    seen, page = [], first
    while True:
        seen += re.findall(r"<tr class=event>.*?<code>([0-9a-f]{12})</code>", page.text)
        link = re.search(r"<a class=next rel=next href=\"\?([^\"]+)\">", page.text)
        if link is None:
            break
        page = httpx.get(f"{service.url}/regions/{region['regionId']}?{link.group(1).replace('&amp;', '&')}",
                         cookies={COOKIE: token}, timeout=30)
        assert page.status_code == 200, page.text[:300]
    assert seen == expected
    assert f"{TRAIL_PAGE + 1}–{TRAIL_PAGE + 50} of {TRAIL_PAGE + 50} events" in page.text
    bad = httpx.get(f"{service.url}/regions/{region['regionId']}?cursor=nonsense", cookies={COOKIE: token}, timeout=30)
    assert bad.status_code == 400 and "cursor is not one this service gave out" in bad.text
