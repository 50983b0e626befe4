"""Hover over AI-written code: where it came from and who checked it."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from .server import AiLedgerServer


def register(server: AiLedgerServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: AiLedgerServer, params: types.HoverParams) -> types.Hover | None:
        from ..regions.positions import Pos

        state = ls.docs.get(params.text_document.uri)
        if state is None or not state.loaded.is_set():
            return None
        at = Pos(params.position.line, params.position.character)
        hits = [r for r in state.regions.ids()
                if state.regions.span(r).start <= at < state.regions.span(r).end and r in state.rows]
        if not hits:
            return None
        from .policy import current, rules_of

        rules = rules_of(ls, state)
        policy = current(ls, state.ref.root if state.ref else None)
        commits = await _commits(ls, state, hits)
        text = "\n\n---\n\n".join(
            provenance_markdown(state.rows[r], state.status(r), rules, policy.version, state.findings(r, rules),
                                commits.get(r, False) if state.ref else None)
            for r in hits)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))


async def _commits(ls: AiLedgerServer, state: Any, hits: list[str]) -> dict[str, Any]:
    """The commit that first held each hovered region (commits.py: the hook's
    events, else git blame of the buffer, in the worker thread)."""
    if state.ref is None:
        return {}
    from ..commits import ai_lines, resolve

    regions = {r: (state.rows[r], ai_lines(state.regions.ai_spans(r), state.regions.span(r))) for r in hits}
    try:
        return await ls.run_io(resolve, state.ref.root, state.ref.path, state.text, regions)
    except Exception:  # noqa: BLE001 - a hover without its commit beats no hover
        return {}


def provenance_markdown(row: dict[str, Any], status: str, rules: Any = None, policy_version: str | None = None,
                        findings: list[Any] | None = None, commit: Any = None) -> str:
    """Who answers for what: the provider (model), the integrator (tool, and
    the policy in force), the developer who accepted, the reviewers."""
    import orjson

    from ..placement.describe import ago, model_name, tool_name

    lines = [
        f"**AI-generated code** ({row['kind']}) — {status.replace('-', ' ')}",
        "",
        f"- model (provider): {model_name(row)}, "
        + (f"under contract {row['contract']}" if row.get("contract") else "no provider contract on record"),
        f"- tool (integrator): {tool_name(row)}, under policy {row.get('policy_version') or 'none'}",
        f"- accepted by {row['accepted_by']}, {ago(row['accepted_at'])} ({row['accepted_at'][:19].replace('T', ' ')} UTC)",
        f"- still the AI's own text: {round(row['ai_fraction'] * 100)}%",
    ]
    if commit:  # commits.CommitLink; False: asked, and not committed yet; None: not asked
        lines.append(f"- first committed in `{commit.short()}` ({commit.at[:19].replace('T', ' ')} UTC)")
    elif commit is False:
        lines.append("- not committed yet")
    reviews = orjson.loads(row["reviews"])
    for r in reviews:
        note = f": {r['note']}" if r.get("note") else ""
        lines.append(f"- {r['verdict']} by {r['reviewer']}, {ago(r['at'])}{note}")
    if not reviews:
        lines.append("- no review yet")
    if rules is not None:
        need = f"{rules.reviews} review{'s' if rules.reviews != 1 else ''}" + (f" by {rules.board}" if rules.board else "")
        lines.append(f"- tier {rules.name} (policy {policy_version}): needs {need}"
                     + ("" if rules.self_review else ", not by whoever accepted it"))
    for finding in findings or ():
        if finding.message:
            lines.append(f"- **{finding.code}**: {finding.message}")
    lines.append(f"\n`{row['region_id']}`")
    return "\n".join(lines)
