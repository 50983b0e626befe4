"""The audit service's HTTP API (`/v1/`), an ASGI app on Starlette.

Storage calls block, so they run in the thread pool, and so does parsing a
push's body; the event loop only receives, authenticates and answers.
Nothing here decides correctness: every replica of this app answers alike
from the same database.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta, timezone
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ...ledger.projection import STATUSES
from ..chain import shape_error
from . import dashboard, incidents, queries, rollup
from .keys import ServiceKey
from .observe import Metrics, Observe, log
from .openapi import PAGING, REGION_FILTERS
from .storage import Principal, Refused, Storage, Unavailable

MAX_BODY = 8 * 1024 * 1024
MAX_EVENTS = 5_000
COOKIE = "ailedger_token"
REGION_PARAMETERS = (*REGION_FILTERS, *PAGING)


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def region_filters(q: Any) -> dict[str, Any]:
    """The listing filters of a query string; ValueError names a bad one. A
    misspelt parameter or status is an error, not a filter that matches
    nothing (or everything): an auditor reading "total": 0 would take it as
    the answer."""
    unknown = [k for k in q.keys() if k not in REGION_PARAMETERS]
    if unknown:
        raise ValueError(f"unknown parameter {unknown[0]!r}; expected any of {', '.join(REGION_PARAMETERS)}")
    if q.get("status") and q["status"] not in STATUSES:
        raise ValueError(f"status {q['status']!r} is not one; expected one of {', '.join(STATUSES)}")
    filters: dict[str, Any] = {k: q.get(k) for k in REGION_FILTERS if k != "olderThanDays"}
    if q.get("olderThanDays"):
        try:
            days = float(q["olderThanDays"])
        except ValueError:
            raise ValueError("olderThanDays must be a number") from None
        if not 0 <= days < math.inf:  # NaN fails this too
            raise ValueError("olderThanDays must be a number of days, 0 or more")
        try:
            older = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="microseconds")
            older = older.replace("+00:00", "Z")  # as storage.stamp writes them (isoformat pads the year)
        except OverflowError:  # before the year 1: nothing stored is older
            older = "0001-01-01T00:00:00.000000Z"
        filters["older_than"] = older
    return filters


def page_limit(q: Any) -> int:
    """A listing's `limit` (default 100, at most 1,000); ValueError says what is wrong."""
    try:
        limit = int(q.get("limit", "100"))
    except ValueError:
        raise ValueError("limit must be a whole number") from None
    if not 1 <= limit <= queries.MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {queries.MAX_LIMIT:,}")
    return limit


def _events_of(body: bytes) -> tuple[list[dict[str, Any]], str, tuple[int, str] | None]:
    """A push's events and the body's SHA-256, or (status, message) saying what is wrong with it."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as err:
        return [], "", (400, f"malformed JSON: {err}")
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        return [], "", (400, "expected an object with an `events` list")
    if len(events) > MAX_EVENTS:
        return [], "", (413, f"at most {MAX_EVENTS} events per push")
    for event in events:
        problem = shape_error(event)
        if problem:
            return [], "", (400, problem)
    return events, hashlib.sha256(body).hexdigest(), None


class RefuseNul:
    """ASGI middleware: a NUL character in a request's path or query is a 400.
    No stored text holds one (PostgreSQL's cannot), so it could match nothing,
    and handed to PostgreSQL it fails the query (a 500)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope["query_string"]):
            await _error(400, "the request's path or query holds a NUL character")(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(storage: Storage, key: ServiceKey) -> Any:
    seen = Metrics()

    async def principal(request: Request) -> Principal | None:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        return await run_in_threadpool(storage.principal, header[7:].strip())

    def unauthorized() -> JSONResponse:
        # The same answer for a missing, wrong or revoked token: it learns nothing.
        return _error(401, "a valid bearer token is required")

    async def push(request: Request) -> Response:
        who = await principal(request)
        if who is None:
            return unauthorized()
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            return _error(413, f"body larger than {MAX_BODY} bytes; push in smaller batches")
        chunks, size = [], 0
        async for chunk in request.stream():
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY:
                return _error(413, f"body larger than {MAX_BODY} bytes; push in smaller batches")
        # Parsed and hashed in the thread pool: a batch takes milliseconds the event loop owes other requests.
        events, body_sha, refusal = await run_in_threadpool(_events_of, b"".join(chunks))
        if refusal:
            return _error(*refusal)
        key_header = request.headers.get("idempotency-key")
        try:
            if key_header:
                again = await run_in_threadpool(storage.idempotent, key_header, body_sha)
                if again is not None:
                    seen.pushes.labels("repeated").inc()
                    return Response(again[1], status_code=again[0], media_type="application/json")

            def respond(result: dict[str, Any]) -> dict[str, Any]:
                checkpoints = [key.checkpoint(d, h["seq"], h["hash"], h["eventId"]) for d, h in result["heads"].items()]
                return {"accepted": result["accepted"], "duplicates": result["duplicates"], "checkpoints": checkpoints}

            status, response = await run_in_threadpool(storage.push, who, events, key_header, body_sha, respond)
        except Refused as refused:
            seen.pushes.labels("refused").inc()
            seen.refusals.labels(refused.kind).inc()
            log.warning("push refused", extra={"fields": {"kind": refused.kind, "user": who.user, "org": who.org,
                                                          "eventId": refused.event_id, "detail": refused.message}})
            return _error(refused.status, refused.message, kind=refused.kind, eventId=refused.event_id or None)
        answer = orjson.loads(response)
        seen.pushes.labels("stored").inc()
        seen.events.labels("stored").inc(answer.get("accepted", 0))
        seen.events.labels("duplicate").inc(answer.get("duplicates", 0))
        return Response(response, status_code=status, media_type="application/json")

    async def pull(request: Request) -> Response:
        who = await principal(request)
        if who is None:
            return unauthorized()
        try:
            after = int(request.query_params.get("after", "0"))
            limit = min(int(request.query_params.get("limit", "1000")), 5_000)
        except ValueError:
            return _error(400, "after and limit must be whole numbers")
        if not 0 <= after < 2 ** 63 or limit < 1:  # a cursor is a BIGINT; a page holds one event at least
            return _error(400, "after must be a cursor this service gave out (0 for the first) and limit at least 1")
        events, cursor = await run_in_threadpool(storage.events, who.org, request.query_params.get("repo"), after, limit)
        return Response(orjson.dumps({"events": events, "cursor": cursor}), media_type="application/json")

    async def checkpoint(request: Request) -> Response:
        who = await principal(request)
        if who is None:
            return unauthorized()
        device = request.query_params.get("device", "")
        head = await run_in_threadpool(storage.head, who.org, device)
        if head is None:
            return _error(404, f"no events from device {device!r}")
        return JSONResponse(key.checkpoint(device, head["seq"], head["hash"], head["eventId"]))

    async def alerts(request: Request) -> Response:
        who = await principal(request)
        if who is None:
            return unauthorized()
        if who.role not in ("lead", "admin"):
            return _error(403, "tamper alerts are for leads and admins")
        q = request.query_params
        try:
            page = await run_in_threadpool(storage.alerts, who.org, page_limit(q), q.get("cursor") or None)
        except ValueError as err:  # a bad limit, or a cursor this service did not give out
            return _error(400, str(err))
        return JSONResponse(page)

    async def regions(request: Request) -> Response:
        who = await principal(request)
        if who is None:
            return unauthorized()
        q = request.query_params
        try:
            filters, limit = region_filters(q), page_limit(q)
        except ValueError as err:
            return _error(400, str(err))
        try:
            page = await run_in_threadpool(storage.regions, who.org, filters, limit, q.get("cursor") or None)
        except ValueError as err:  # a cursor this service did not give out
            return _error(400, str(err))
        return Response(orjson.dumps(page), media_type="application/json")

    async def revoke(request: Request) -> Response:
        """DELETE /v1/token: the presented token stops working, on every replica at once."""
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not token or not await run_in_threadpool(storage.revoke_token, token):
            return unauthorized()
        return JSONResponse({"revoked": True})

    # --- the dashboard (a browser signs in with a token kept in a cookie) ---

    async def session(request: Request) -> Principal | None:
        token = request.cookies.get(COOKIE)
        return await run_in_threadpool(storage.principal, token) if token else None

    async def lead_session(request: Request) -> Principal | Response:
        """The signed-in lead or admin, or the answer for anyone else."""
        who = await session(request)
        if who is None:
            return RedirectResponse("/login", status_code=303)
        if who.role not in ("lead", "admin"):
            return HTMLResponse(dashboard.message("Not for you", "The dashboard is for leads and admins."),
                                status_code=403)
        return who

    async def home(request: Request) -> Response:
        who = await lead_session(request)
        if isinstance(who, Response):
            return who
        q = request.query_params
        chosen = {k: q.get(k, "") for k in ("repo", "author", "tool", "model")}
        filters = {"repo": chosen["repo"], "author": chosen["author"], "tool": chosen["tool"],
                   "model_name": chosen["model"]}
        first = dashboard.first_shown(q)
        now = datetime.now(timezone.utc)

        def gather(t: Any) -> dict[str, Any]:
            # Unfiltered figures come from the counts kept at ingest; filtered ones from the regions themselves.
            everything = rollup.review_metrics(t, who.org, now, tuple(g for g, _ in queries.GROUPS))
            found = queries.review_metrics(t, who.org, filters, now) if any(filters.values()) else everything
            return {"page": queries.regions_page(t, who.org, {**filters, "awaiting": True}, dashboard.PAGE,
                                                 q.get("cursor") or None),
                    "found": found, "coverage": everything.overall.coverage,
                    "series": rollup.coverage_series(t, who.org, now), "facets": queries.facets(t, who.org)}

        try:
            found = await run_in_threadpool(storage.read, gather)
        except ValueError as err:
            return HTMLResponse(dashboard.message("Bad request", str(err)), status_code=400)
        alerts_found = await run_in_threadpool(storage.alerts, who.org, dashboard.ALERTS_SHOWN, newest_first=True)
        return HTMLResponse(dashboard.overview(**found, first=first, alerts=alerts_found, chosen=chosen, now=now))

    async def alerts_page(request: Request) -> Response:
        """Every tamper alert, most recent first, a page at a time."""
        who = await lead_session(request)
        if isinstance(who, Response):
            return who
        q = request.query_params
        first = dashboard.first_shown(q)
        try:
            page = await run_in_threadpool(storage.alerts, who.org, dashboard.ALERTS_PAGE, q.get("cursor") or None,
                                           newest_first=True)
        except ValueError as err:
            return HTMLResponse(dashboard.message("Bad request", str(err)), status_code=400)
        return HTMLResponse(dashboard.alerts_page(page, first))

    async def region_page(request: Request) -> Response:
        who = await session(request)
        if who is None:
            return RedirectResponse("/login", status_code=303)
        region_id = request.path_params["region_id"]
        region = await run_in_threadpool(storage.region, who.org, region_id)
        if region is None:
            return HTMLResponse(dashboard.message("Region", "", heading="No such region"), status_code=404)
        q = request.query_params
        try:
            events = await run_in_threadpool(storage.trail, who.org, region_id, dashboard.TRAIL_PAGE,
                                             q.get("cursor") or None)
        except ValueError as err:
            return HTMLResponse(dashboard.message("Bad request", str(err)), status_code=400)
        return HTMLResponse(dashboard.trail(region, events, dashboard.first_shown(q)))

    async def login(request: Request) -> Response:
        if request.method == "GET":
            return HTMLResponse(dashboard.login())
        from urllib.parse import parse_qs

        form = parse_qs((await request.body())[:4096].decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0].strip()
        who = await run_in_threadpool(storage.principal, token) if token else None
        if who is None:
            return HTMLResponse(dashboard.login("That token is not valid."), status_code=401)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    async def logout(request: Request) -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    async def openapi(request: Request) -> Response:
        from .openapi import document

        return JSONResponse(document())

    async def health(request: Request) -> Response:
        """Alive (says nothing of the database: that is /readyz)."""
        return JSONResponse({"ok": True, "publicKey": key.public_b64})

    async def ready(request: Request) -> Response:
        """Ready for traffic: the database answers and its schema is current."""
        problem = await run_in_threadpool(storage.ready)
        if problem:
            return _error(503, problem)
        return JSONResponse({"ready": True})

    async def prometheus(request: Request) -> Response:
        return Response(generate_latest(seen.registry), media_type=CONTENT_TYPE_LATEST)

    async def unavailable(request: Request, exc: Exception) -> Response:
        log.error("database unavailable", extra={"fields": {"path": request.url.path, "detail": str(exc)}})
        return JSONResponse({"error": f"the database is unavailable: {exc}"}, status_code=503,
                            headers={"retry-after": "1"})

    app = Starlette(routes=[
        Route("/v1/events", push, methods=["POST"]),
        Route("/v1/events", pull, methods=["GET"]),
        Route("/v1/checkpoint", checkpoint, methods=["GET"]),
        Route("/v1/alerts", alerts, methods=["GET"]),
        Route("/v1/regions", regions, methods=["GET"]),
        Route("/v1/token", revoke, methods=["DELETE"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/readyz", ready, methods=["GET"]),
        Route("/metrics", prometheus, methods=["GET"]),
        Route("/v1/openapi.json", openapi, methods=["GET"]),
        Route("/", home, methods=["GET"]),
        Route("/regions/{region_id}", region_page, methods=["GET"]),
        Route("/alerts", alerts_page, methods=["GET"]),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["GET"]),
        *incidents.routes(storage, session),
    ], exception_handlers={Unavailable: unavailable})
    return Observe(RefuseNul(app), seen)
