"""Checks that every audit service replica must pass, shared by the tests."""

from __future__ import annotations

import httpx

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
MADE: set[str] = set()  # the schemas this test run made, dropped when it ends (drop_made)


def postgres_schema(name: str) -> str:
    """A fresh schema in the real PostgreSQL, and a URL whose tables land in it."""
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{name}"')
    MADE.add(name)
    return f"{POSTGRES}?options=-csearch_path%3D{name}"


def drop_made() -> None:
    """Drop the schemas this run made: their names hold a per-process hash, so
    each run would leave some sixty more behind in the shared database (seen:
    130 schemas, 3.7 GB). Only this run's: another run may be using its own."""
    import psycopg

    if not MADE:
        return
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        for name in sorted(MADE):
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    MADE.clear()


def check_security(base: str, token: str) -> None:
    """Tokens, malformed and hostile requests: refused cleanly, nothing harmed."""
    url = f"{base}/v1/events"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(url, headers={"authorization": "Bearer wrong"}).json() == httpx.get(url).json()
    good = {"authorization": f"Bearer {token}"}
    bad_json = httpx.post(url, content=b"{not json", headers=good)
    assert bad_json.status_code == 400 and bad_json.json()["error"].startswith("malformed JSON")
    big = httpx.post(url, content=b"x" * (9 * 1024 * 1024), headers=good)
    assert big.status_code == 413
    for hostile in ("x' OR 1=1 --", "'; DROP TABLE events; --", "\" OR \"\"=\""):
        r = httpx.get(url, params={"repo": hostile}, headers=good)
        assert r.status_code == 200 and r.json()["events"] == []
        assert httpx.get(url, params={"after": hostile}, headers=good).status_code == 400
        assert httpx.get(url, params={"limit": hostile}, headers=good).status_code == 400
        for param in ("repo", "path", "author", "tool", "model"):
            r = httpx.get(f"{base}/v1/regions", params={param: hostile}, headers=good)
            assert r.status_code == 200 and r.json()["regions"] == [], param
        r = httpx.get(f"{base}/v1/regions", params={"status": hostile}, headers=good)  # not a status: says so
        assert r.status_code == 400 and "expected one of unreviewed" in r.json()["error"]
        assert httpx.get(f"{base}/v1/regions", params={"olderThanDays": hostile}, headers=good).status_code == 400
        assert httpx.get(f"{base}/v1/checkpoint", params={"device": hostile}, headers=good).status_code == 404
    assert httpx.get(f"{base}/v1/events", headers=good).status_code == 200  # the table is still there
    member = httpx.get(f"{base}/v1/alerts", headers=good)
    assert member.status_code == 403
    for params in ({"limit": 0}, {"limit": 1001}, {"limit": "ten"}, {"cursor": "x' OR 1=1 --"}, {"cursor": "WzFd"},
                   {"olderThanDays": "nan"}, {"olderThanDays": "inf"}, {"olderThanDays": "-5"}):
        r = httpx.get(f"{base}/v1/regions", params=params, headers=good)
        assert r.status_code == 400 and r.json()["error"], params
    for days in ("1e308", "730000"):  # further back than anything stored (and than datetime reaches)
        r = httpx.get(f"{base}/v1/regions", params={"olderThanDays": days}, headers=good)
        assert r.status_code == 200 and r.json()["total"] == 0, days
    # Out of range for a cursor, and NUL characters (PostgreSQL's text cannot hold one): 400s, not 500s.
    for params in ({"after": -1}, {"after": 2 ** 64}, {"limit": -3}, {"limit": 0}, {"repo": "a\x00b"}):
        r = httpx.get(url, params=params, headers=good)
        assert r.status_code == 400 and "\n" not in r.json()["error"], params
    for path, params in (("/v1/regions", {"status": "\x00"}), ("/v1/checkpoint", {"device": "\x00"}),
                         ("/regions/a%00b", {})):
        r = httpx.get(f"{base}{path}", params=params, headers=good, cookies={"ailedger_token": token})
        assert r.status_code == 400 and "NUL" in r.json()["error"], path
