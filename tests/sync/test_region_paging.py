"""More regions than any page: 5,600 of them, across repositories, paths,
authors, tools, models, statuses and ages. Paging through /v1/regions finds
each exactly once with an exact `total`; every filter agrees with a count by
hand over all of them; the dashboard's totals are the whole organisation's."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from html import unescape

import httpx

from ailedger.ledger.store import Ledger
from ailedger.sync.client import Endpoint, push
from ailedger.sync.service.app import COOKIE
from helpers import acceptance_payload

N = 5_600
NOW = datetime.now(timezone.utc)


def payload(i: int) -> dict:  # type: ignore[type-arg]
    accepted = NOW - timedelta(days=i % 45, hours=i % 7)
    return acceptance_payload(
        i, regionId=f"P{i:05d}", repo=f"git.example.com/acme/repo{i % 3}", path=f"src/m{i % 11}.py",
        user=f"dev{i % 5}@example.com", tool={"name": ("copilot", "cursor", "claude-code")[i % 3 == 0 and 2 or i % 2],
                                              "version": None},
        model={"provider": "openai", "id": ("gpt-4.1", "o3")[i % 4 == 0], "version": None},
        acceptedAt=accepted.isoformat().replace("+00:00", "Z"))


def seed(service, tmp_path) -> str:  # type: ignore[no-untyped-def]
    events = []
    for i in range(N):
        p = payload(i)
        events.append(("acceptance", p))
        if i % 4 == 1:  # reviewed a few hours later; every 8th of those rejected
            events.append(("review", {"regionIds": [p["regionId"]], "reviewer": "lead@example.com",
                                      "verdict": "rejected" if i % 32 == 1 else "approved",
                                      "textSha256": {p["regionId"]: p["textSha256"]},
                                      "reviewedAt": (datetime.fromisoformat(p["acceptedAt"]) + timedelta(hours=1 + i % 9)
                                                     ).isoformat().replace("+00:00", "Z")}))
        if i % 13 == 0:
            events.append(("region-ended", {"regionId": p["regionId"], "reason": "deleted"}))
    with Ledger(tmp_path / "seed.db") as ledger:
        for k in range(0, len(events), 5000):
            ledger.append_many(events[k:k + 5000], actor="dev0@example.com")
        token = service.token("dev0@example.com", role="lead")
        push(ledger, Endpoint(service.url, token), batch=5000)
    return token


def every(service, token: str, **params: str) -> tuple[list[dict], int]:  # type: ignore[no-untyped-def,type-arg]
    rows, cursor, totals = [], None, set()
    while True:
        page = httpx.get(f"{service.url}/v1/regions", params={**params, "limit": 1000, **({"cursor": cursor} if cursor
                                                                                             else {})},
                         headers={"authorization": f"Bearer {token}"}, timeout=60).json()
        rows += page["regions"]
        totals.add(page["total"])
        cursor = page["next"]
        if cursor is None:
            assert len(totals) == 1
            return rows, totals.pop()


def test_paging_finds_every_region_once_and_filters_agree_with_a_count(service, tmp_path) -> None:
    token = seed(service, tmp_path)
    everything, total = every(service, token)
    assert total == N and len(everything) == N
    assert len({r["region_id"] for r in everything}) == N  # each exactly once
    assert [r["accepted_at"] for r in everything] == sorted(r["accepted_at"] for r in everything)  # oldest first

    first = httpx.get(f"{service.url}/v1/regions", headers={"authorization": f"Bearer {token}"}).json()
    assert len(first["regions"]) == 100 and first["total"] == N and first["next"]  # default limit, says there is more

    def model(r):  # type: ignore[no-untyped-def]
        return "/".join(x for x in (r["model_provider"], r["model_id"]) if x)

    cases = [("repo", "git.example.com/acme/repo1", lambda r: r["repo"]), ("path", "src/m3.py", lambda r: r["path"]),
             ("author", "dev2@example.com", lambda r: r["accepted_by"]), ("tool", "claude-code", lambda r: r["tool_name"]),
             ("model", "openai/o3", model), ("status", "reviewed", lambda r: r["status"]),
             ("status", "rejected", lambda r: r["status"]), ("status", "ended", lambda r: r["status"])]
    for param, value, field in cases:
        expected = {r["region_id"] for r in everything if field(r) == value}
        found, total = every(service, token, **{param: value})
        assert total == len(expected) == len(found) and {r["region_id"] for r in found} == expected, (param, value)
        assert expected, (param, value)  # the seed has some of each
    cutoff = (NOW - timedelta(days=30)).isoformat()
    expected = {r["region_id"] for r in everything if datetime.fromisoformat(r["accepted_at"]).isoformat() < cutoff}
    found, total = every(service, token, olderThanDays="30", repo="git.example.com/acme/repo2")
    assert {r["region_id"] for r in found} == {r for r in expected if int(r[1:]) % 3 == 2} and total == len(found)

    # The dashboard: exact totals over all 5,600, and the next page of the unreviewed ones.
    html = httpx.get(f"{service.url}/", cookies={COOKIE: token}, timeout=60).text
    statuses = Counter(r["status"] for r in everything)
    awaiting = statuses["unreviewed"] + statuses["changed-after-review"] + statuses["reopened"]
    assert re.search(rf"<div class=num>{awaiting}</div>unreviewed AI regions", html)
    live = N - statuses["ended"]
    overall = unescape(re.search(r"<p class=metrics-overall>(.*?)</p>", html, re.S)[1])
    reviewed = statuses["reviewed"] + statuses["rejected"]
    assert overall.startswith(f"{live} AI-written regions, {reviewed} reviewed ({statuses['rejected']} rejected)")
    assert f"{statuses['ended']} ended regions are not counted" in overall
    assert len(re.findall("<tr class=region>", html)) == 100 and f"1–100 of {awaiting}" in html
    seen = set(re.findall(r"href='/regions/([^']+)'", html))
    pages = 1
    while (link := re.search(r'<a class=next rel=next href="\?([^"]+)"', html)):
        html = httpx.get(f"{service.url}/?{unescape(link[1])}", cookies={COOKIE: token}, timeout=60).text
        seen |= set(re.findall(r"href='/regions/([^']+)'", html))
        pages += 1
    assert len(seen) == awaiting and pages == -(-awaiting // 100)  # every unreviewed one, page by page


def test_dashboard_figures_kept_at_ingest_agree_with_the_regions(service, tmp_path) -> None:
    """The unfiltered dashboard sums counts kept at ingest; filtered, it asks
    the regions. A filter that keeps everything must show the same figures."""
    from ailedger.sync.service import queries, rollup
    from ailedger.sync.service.storage import open_storage

    seed(service, tmp_path)
    storage = open_storage(service.data, service.database_url)
    try:
        kept = storage.read(lambda t: rollup.review_metrics(t, "default", NOW, ("tool", "model", "author", "repo")))
        counted = storage.read(lambda t: queries.review_metrics(t, "default", {}, NOW))
    finally:
        storage.close()
    assert kept.overall.regions == N - len(range(0, N, 13))
    assert kept.overall == counted.overall and kept.ended == counted.ended
    assert kept.by == counted.by


def test_an_incident_counts_every_region_its_model_or_tool_wrote_deleted_ones_too(service, tmp_path) -> None:
    """The incident pages count in SQL what the scope names: the same counts
    as by hand over everything accepted, the deleted (ended) ones included."""
    from ailedger.incidents import Incident
    from ailedger.ledger.projection import from_acceptance
    from ailedger.placement.describe import model_name
    from ailedger.sync.service.incidents import affected
    from ailedger.sync.service.storage import open_storage

    token = seed(service, tmp_path)
    # A few more whose model names a provider alone, an id alone, or a provider that shares a prefix.
    models = [{"provider": None, "id": "o3", "version": None},
              {"provider": "openai-compat", "id": "o3", "version": None},
              {"provider": "openai", "id": None, "version": None},
              {"provider": "anthropic", "id": "o_3", "version": "v1"}]
    extra = [acceptance_payload(N + k, regionId=f"X{k:05d}", model=models[k % 4],
                                tool={"name": ("cursor", "copilot")[k % 2], "version": None}) for k in range(40)]
    with Ledger(tmp_path / "extra.db") as ledger:
        ledger.append_many([("acceptance", p) for p in extra], actor="dev0@example.com")
        push(ledger, Endpoint(service.url, token))
    since = (NOW - timedelta(days=20)).isoformat().replace("+00:00", "Z")
    scopes = [{"model": {"provider": "openai", "id": "o3"}}, {"model": {"provider": "openai"}},
              {"tool": {"name": "cursor"}}, {"model": {"provider": "openai", "id": "gpt-4.1"}, "since": since},
              {"model": {"provider": "openai", "id": "o3", "version": "2025-04-16"}}, {"model": {"id": "o3"}},
              {"model": {"provider": "openai-compat"}}, {"model": {"id": "o_3", "version": "v1"}},
              {"model": {"id": "oX3"}}, {"model": {"provider": "anthropic"}, "tool": {"name": "cursor"}}]
    storage = open_storage(service.data, service.database_url)
    try:
        for scope in scopes:
            incident = Incident("INC-TEST0001", "E0", scope, "test", "lead@example.com", NOW.isoformat(), None)
            found = affected(storage, "default", incident)
            wanted = []
            for p in [payload(i) for i in range(N)] + extra:
                model, tool = scope.get("model", {}), scope.get("tool", {})
                if all(p["model"].get(k) == v for k, v in model.items()) and \
                        all(p["tool"].get(k) == v for k, v in tool.items()) and \
                        not (scope.get("since") and p["acceptedAt"] < scope["since"]):
                    wanted.append(from_acceptance("E", p))
            assert found == {"regions": len(wanted), "repositories": len({r["repo"] for r in wanted}),
                             "authors": len({r["accepted_by"] for r in wanted}),
                             "by_model": sorted(Counter(model_name(r) for r in wanted).items()),
                             "by_repository": sorted(Counter(r["repo"] for r in wanted).items())}, scope
            seeded = [r for r in wanted if r["region_id"][0] == "P"]  # where the seed is in scope, so are the
            assert not seeded or any(int(r["region_id"][1:]) % 13 == 0 for r in seeded)  # deleted: counted too
    finally:
        storage.close()
