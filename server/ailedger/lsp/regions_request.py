"""`ailedger/regions {textDocument}`: a document's regions, for clients and tests."""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from .server import AiLedgerServer


def _range(span: Any) -> dict[str, Any]:
    return {"start": {"line": span.start.line, "character": span.start.character},
            "end": {"line": span.end.line, "character": span.end.character}}


def register(server: AiLedgerServer) -> None:
    @server.feature("ailedger/regions")
    async def regions(ls: AiLedgerServer, params: Any) -> list[dict[str, Any]]:
        import orjson

        uri = (params or {}).get("textDocument", {}).get("uri") if isinstance(params, dict) else None
        if not isinstance(uri, str):
            raise JsonRpcInvalidParams("invalid params: textDocument.uri: Field required")
        state = ls.docs.get(uri)
        if state is None:
            return []
        await state.loaded.wait()
        out = []
        for region_id in state.regions.ids():
            row = state.rows.get(region_id) or {}
            out.append({
                "regionId": region_id,
                "range": _range(state.regions.span(region_id)),
                "aiRanges": [_range(s) for s in state.regions.ai_spans(region_id)],
                "status": state.status(region_id),
                "aiFraction": state.ai_fraction(region_id),
                "provenance": {
                    "kind": row.get("kind"),
                    "tool": {"name": row.get("tool_name"), "version": row.get("tool_version")},
                    "model": {"provider": row.get("model_provider"), "id": row.get("model_id"),
                              "version": row.get("model_version")},
                    "acceptedBy": row.get("accepted_by"),
                    "acceptedAt": row.get("accepted_at"),
                },
                "reviews": orjson.loads(row.get("reviews", "[]")),
            })
        return out
