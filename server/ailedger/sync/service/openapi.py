"""The audit service's OpenAPI document: served at /v1/openapi.json and
written to protocol/schema/openapi.json by `ailedger schema --write`."""

from __future__ import annotations

from typing import Any

from ...ledger.projection import STATUSES
from .queries import MAX_LIMIT

# GET /v1/regions's parameters: the one list (app.py refuses any other, the document describes these).
REGION_FILTERS: dict[str, dict[str, Any]] = {
    "repo": {"type": "string"}, "path": {"type": "string"}, "author": {"type": "string"}, "tool": {"type": "string"},
    "model": {"type": "string"}, "status": {"type": "string", "enum": list(STATUSES)},
    "olderThanDays": {"type": "number"}}
PAGING: dict[str, dict[str, Any]] = {
    "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100},
    "cursor": {"type": "string"}}


def document() -> dict[str, Any]:
    from ...models import Event, adapter

    event = adapter(Event).json_schema(ref_template="#/components/schemas/{model}")
    defs = event.pop("$defs", {})
    error = {"type": "object", "properties": {"error": {"type": "string"}, "kind": {"type": "string"},
                                              "eventId": {"type": ["string", "null"]}}, "required": ["error"]}
    checkpoint = {"type": "object", "required": ["device", "seq", "hash", "eventId", "signedAt", "keyId",
                                                 "publicKey", "signature"],
                  "properties": {k: {"type": "integer" if k == "seq" else "string"} for k in
                                 ("device", "seq", "hash", "eventId", "signedAt", "keyId", "publicKey", "signature")},
                  "description": "Ed25519 signature (base64) over the canonical JSON of "
                                 "{device, seq, hash, eventId, signedAt}."}

    def ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    def err(description: str) -> dict[str, Any]:
        return ok({"$ref": "#/components/schemas/Error"}, description)

    unauthorized = {"401": err("missing or invalid bearer token")}
    query = [{"name": n, "in": "query", "required": False, "schema": schema} for n, schema in REGION_FILTERS.items()]
    said = {"cursor": {"description": "the `next` of the previous page (opaque)"}}
    paging = [{"name": n, "in": "query", "required": False, "schema": schema, **said.get(n, {})}
              for n, schema in PAGING.items()]
    query += paging
    return {
        "openapi": "3.1.0",
        "info": {"title": "ailedger audit service", "version": "1"},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {**defs, "Event": event, "Error": error, "Checkpoint": checkpoint},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/v1/events": {
                "post": {
                    "summary": "Push a batch of one device's events (all or nothing)",
                    "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                    "schema": {"type": "string"}}],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["events"],
                        "properties": {"events": {"type": "array", "maxItems": 5000,
                                                  "items": {"$ref": "#/components/schemas/Event"}}}}}}},
                    "responses": {
                        "200": ok({"type": "object", "properties": {
                            "accepted": {"type": "integer"}, "duplicates": {"type": "integer"},
                            "checkpoints": {"type": "array", "items": {"$ref": "#/components/schemas/Checkpoint"}}}}),
                        "400": err("malformed JSON or events, or a payload the ledger's models refuse"
                                   " (the event and the field named)"), **unauthorized,
                        "403": err("the device belongs to another user, or an event names another"
                                   " organisation's region"),
                        "409": err("gap, fork or altered event: refused and kept as a tamper alert"),
                        "413": err("body or batch too large"),
                        "422": err("Idempotency-Key reused with a different body"),
                    },
                },
                "get": {
                    "summary": "Pull events of the organisation, by repository, after a cursor",
                    "description": "Events in cursor (commit) order. On PostgreSQL old months may have been"
                                   " exported and dropped (`ailedger serve export --drop`): a pull from a cursor"
                                   " inside them continues from the oldest kept event.",
                    "parameters": [{"name": "repo", "in": "query", "schema": {"type": "string"}},
                                   {"name": "after", "in": "query", "schema": {"type": "integer"}},
                                   {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 5000}}],
                    "responses": {"200": ok({"type": "object", "properties": {
                        "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
                        "cursor": {"type": "integer"}}}), "400": err("bad cursor or limit"), **unauthorized},
                },
            },
            "/v1/regions": {"get": {
                "summary": "Query regions, oldest accepted first, a page at a time (keyset)",
                "parameters": query, "responses": {
                    "200": ok({"type": "object", "required": ["regions", "next", "total"], "properties": {
                        "regions": {"type": "array", "items": {"type": "object"}},
                        "next": {"type": ["string", "null"], "description": "cursor of the next page; null at the end"},
                        "total": {"type": "integer", "description": "all regions matching the filters"}}}),
                    "400": err("bad filter, limit or cursor"), **unauthorized}}},
            "/v1/token": {"delete": {"summary": "Revoke the presented token (refused by every replica at once)",
                                     "responses": {"200": ok({"type": "object", "properties": {
                                         "revoked": {"type": "boolean"}}}), **unauthorized}}},
            "/healthz": {"get": {"summary": "The process is alive", "security": [],
                                 "responses": {"200": ok({"type": "object"})}}},
            "/readyz": {"get": {"summary": "The database answers and its schema is current", "security": [],
                                "responses": {"200": ok({"type": "object"}), "503": err("not ready, and why")}}},
            "/v1/checkpoint": {"get": {"summary": "A device's signed checkpoint", "parameters": [
                {"name": "device", "in": "query", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": ok({"$ref": "#/components/schemas/Checkpoint"}), **unauthorized,
                              "404": err("no events from that device")}}},
            "/v1/alerts": {"get": {
                "summary": "Tamper alerts (leads and admins), oldest first, a page at a time",
                "parameters": paging, "responses": {
                    "200": ok({"type": "object", "required": ["alerts", "next", "total"], "properties": {
                        "alerts": {"type": "array", "items": {"type": "object", "properties": {
                            k: {"type": "string"} for k in ("device", "eventId", "kind", "detail", "at")}}},
                        "next": {"type": ["string", "null"], "description": "cursor of the next page; null at the end"},
                        "total": {"type": "integer", "description": "all of the organisation's alerts"}}}),
                    "400": err("bad limit or cursor"), **unauthorized, "403": err("not a lead or admin")}}},
        },
    }
