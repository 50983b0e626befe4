"""Hover over AI-written code: where it came from and who checked it."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from .server import AiLedgerServer


def register(server: AiLedgerServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: AiLedgerServer, params: types.HoverParams) -> types.Hover | None:
        from ..regions.positions import Pos

        state = ls.docs.get(params.text_document.uri)
        if state is None or not state.loaded.is_set():
            return None
        at = Pos(params.position.line, params.position.character)
        hits = [r for r in state.regions.ids()
                if state.regions.span(r).start <= at < state.regions.span(r).end and r in state.rows]
        if not hits:
            return None
        text = "\n\n---\n\n".join(provenance_markdown(state.rows[r], state.status(r)) for r in hits)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))


def provenance_markdown(row: dict[str, Any], status: str) -> str:
    import orjson

    from ..describe import ago, model_name, tool_name

    lines = [
        f"**AI-generated code** ({row['kind']}) — {status.replace('-', ' ')}",
        "",
        f"- model: {model_name(row)}",
        f"- tool: {tool_name(row)}",
        f"- accepted by {row['accepted_by']}, {ago(row['accepted_at'])} ({row['accepted_at'][:19].replace('T', ' ')} UTC)",
        f"- still the AI's own text: {round(row['ai_fraction'] * 100)}%",
    ]
    reviews = orjson.loads(row["reviews"])
    for r in reviews:
        note = f": {r['note']}" if r.get("note") else ""
        lines.append(f"- {r['verdict']} by {r['reviewer']}, {ago(r['at'])}{note}")
    if not reviews:
        lines.append("- no review yet")
    lines.append(f"\n`{row['region_id']}`")
    return "\n".join(lines)
