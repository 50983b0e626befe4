"""Checks that every audit service replica must pass, shared by the tests."""

from __future__ import annotations

import httpx

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_schema(name: str) -> str:
    """A fresh schema in the real PostgreSQL, and a URL whose tables land in it."""
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{name}"')
    return f"{POSTGRES}?options=-csearch_path%3D{name}"


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
        for param in ("repo", "path", "author", "tool", "model", "status"):
            r = httpx.get(f"{base}/v1/regions", params={param: hostile}, headers=good)
            assert r.status_code == 200 and r.json()["regions"] == [], param
        assert httpx.get(f"{base}/v1/regions", params={"olderThanDays": hostile}, headers=good).status_code == 400
        assert httpx.get(f"{base}/v1/checkpoint", params={"device": hostile}, headers=good).status_code == 404
    assert httpx.get(f"{base}/v1/events", headers=good).status_code == 200  # the table is still there
    member = httpx.get(f"{base}/v1/alerts", headers=good)
    assert member.status_code == 403
    for params in ({"limit": 0}, {"limit": 1001}, {"limit": "ten"}, {"cursor": "x' OR 1=1 --"}, {"cursor": "WzFd"}):
        r = httpx.get(f"{base}/v1/regions", params=params, headers=good)
        assert r.status_code == 400 and r.json()["error"], params
