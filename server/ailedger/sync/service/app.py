"""The audit service's HTTP API (`/v1/`), an ASGI app on Starlette.

Storage calls block (SQLite), so they run in the thread pool; the event
loop only parses, authenticates and answers.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..chain import shape_error
from . import dashboard, incidents
from .keys import ServiceKey
from .storage import Principal, Refused, Storage

MAX_BODY = 8 * 1024 * 1024
MAX_EVENTS = 5_000
COOKIE = "ailedger_token"


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def create_app(storage: Storage, key: ServiceKey) -> Starlette:
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
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return _error(413, f"body larger than {MAX_BODY} bytes; push in smaller batches")
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as err:
            return _error(400, f"malformed JSON: {err}")
        events = data.get("events") if isinstance(data, dict) else None
        if not isinstance(events, list):
            return _error(400, "expected an object with an `events` list")
        if len(events) > MAX_EVENTS:
            return _error(413, f"at most {MAX_EVENTS} events per push")
        for event in events:
            problem = shape_error(event)
            if problem:
                return _error(400, problem)
        key_header = request.headers.get("idempotency-key")
        body_sha = hashlib.sha256(body).hexdigest()
        try:
            if key_header:
                seen = await run_in_threadpool(storage.idempotent, key_header, body_sha)
                if seen is not None:
                    return Response(seen[1], status_code=seen[0], media_type="application/json")

            def respond(result: dict[str, Any]) -> dict[str, Any]:
                checkpoints = [key.checkpoint(d, h["seq"], h["hash"], h["eventId"]) for d, h in result["heads"].items()]
                return {"accepted": result["accepted"], "duplicates": result["duplicates"], "checkpoints": checkpoints}

            status, response = await run_in_threadpool(storage.push, who, events, key_header, body_sha, respond)
        except Refused as refused:
            return _error(refused.status, refused.message, kind=refused.kind, eventId=refused.event_id or None)
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
        return JSONResponse({"alerts": await run_in_threadpool(storage.alerts, who.org)})

    async def regions(request: Request) -> Response:
        who = await principal(request)
        if who is None:
            return unauthorized()
        q = request.query_params
        filters: dict[str, Any] = {k: q.get(k) for k in ("repo", "path", "author", "tool", "model", "status")}
        if q.get("olderThanDays"):
            try:
                days = float(q["olderThanDays"])
            except ValueError:
                return _error(400, "olderThanDays must be a number")
            from datetime import datetime, timedelta, timezone

            filters["older_than"] = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat().replace("+00:00", "Z")
        found = await run_in_threadpool(lambda: storage.regions(who.org, **filters))
        return Response(orjson.dumps({"regions": found}), media_type="application/json")

    # --- the dashboard (a browser signs in with a token kept in a cookie) ---

    async def session(request: Request) -> Principal | None:
        token = request.cookies.get(COOKIE)
        return await run_in_threadpool(storage.principal, token) if token else None

    async def home(request: Request) -> Response:
        who = await session(request)
        if who is None:
            return RedirectResponse("/login", status_code=303)
        if who.role not in ("lead", "admin"):
            return HTMLResponse(dashboard.page("Not for you", "<section>The dashboard is for leads and admins."
                                               "</section>"), status_code=403)
        rows = await run_in_threadpool(storage.regions, who.org)
        alerts_found = await run_in_threadpool(storage.alerts, who.org)
        filters = {k: request.query_params.get(k, "") for k in ("repo", "author", "tool", "model")}
        return HTMLResponse(dashboard.overview(rows, alerts_found, filters))

    async def region_page(request: Request) -> Response:
        who = await session(request)
        if who is None:
            return RedirectResponse("/login", status_code=303)
        region_id = request.path_params["region_id"]
        rows = await run_in_threadpool(storage.regions, who.org)
        region = next((r for r in rows if r["region_id"] == region_id), None)
        events = await run_in_threadpool(storage.trail, who.org, region_id)
        return HTMLResponse(dashboard.trail(region, events), status_code=200 if region else 404)

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
        return JSONResponse({"ok": True, "publicKey": key.public_b64})

    return Starlette(routes=[
        Route("/v1/events", push, methods=["POST"]),
        Route("/v1/events", pull, methods=["GET"]),
        Route("/v1/checkpoint", checkpoint, methods=["GET"]),
        Route("/v1/alerts", alerts, methods=["GET"]),
        Route("/v1/regions", regions, methods=["GET"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/v1/openapi.json", openapi, methods=["GET"]),
        Route("/", home, methods=["GET"]),
        Route("/regions/{region_id}", region_page, methods=["GET"]),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["GET"]),
        *incidents.routes(storage, session),
    ])
