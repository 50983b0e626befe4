"""`ailedger record`: append one accepted AI suggestion to the ledger."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..hooks import SOURCES
from . import UsageError
HELP = """\
Record one accepted AI suggestion. Give it as JSON on stdin, the same JSON as
the `ailedger/recordAcceptance` LSP request (see protocol/PROTOCOL.md), or with
flags. Either way the file on disk must hold the text at the range given:
nothing is stored otherwise. Prints the new region id.

examples:
  echo '{"textDocument": {"uri": "file:///src/app.py"},
         "range": {"start": {"line": 3, "character": 0}, "end": {"line": 4, "character": 0}},
         "text": "return a + b\\n", "kind": "inline",
         "tool": {"name": "copilot", "version": "1.250.0"},
         "model": {"provider": "openai", "id": "gpt-4.1", "version": null},
         "prompt": null, "parameters": null}' | ailedger record

  ailedger record --file src/app.py --lines 10-24 --kind agent-edit \\
      --tool claude-code@2.1.0 --model anthropic/claude-sonnet-4@20250514

  ailedger record --from claude-code < hook-payload.json   (what installed hooks run)

With --from it always exits 0, and once it has read the files within its
budget (AILEDGER_HOOK_BUDGET, default 1 s): problems go to stderr and the hook
log, and an edit the ledger cannot take in time waits in a spool beside it
for the next ailedger process. In the JSON, a field that may be null (model,
prompt, parameters, sessionId, ...) may also be left out: unknown either way.

Positions are 0-based and count UTF-16 code units, as in LSP; --lines is
1-based and inclusive, like an editor's gutter, and records whole lines.
"""


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("record", parents=[parent], help="record an accepted AI suggestion",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--file", metavar="PATH", help="the file the suggestion landed in (instead of JSON on stdin)")
    p.add_argument("--lines", metavar="A-B", help="1-based inclusive line range holding the accepted text")
    p.add_argument("--kind", default="agent-edit", help="inline, partial-inline, next-edit, chat-insert or agent-edit (default: agent-edit)")
    p.add_argument("--tool", metavar="NAME[@VERSION]", help="the integrating tool, e.g. copilot@1.250.0")
    p.add_argument("--model", metavar="PROVIDER/ID[@VERSION]", help="the model, e.g. openai/gpt-4.1@2025-04-14 (default: unknown)")
    p.add_argument("--prompt", help="the prompt, if it may be kept")
    p.add_argument("--session-id", help="the tool's session id")
    p.add_argument("--json", action="store_true", help="print {regionId, eventId} as JSON")
    p.add_argument("--from", dest="source", choices=SOURCES,
                   help="read that tool's hook payload on stdin (see `ailedger hooks install`)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.source:
        from ..hooks.record import run_hook

        return run_hook(args.source, args)
    from ..capture import acceptance_from_disk
    from ..ledger.identity import current_user
    from ..ledger.ids import new_id
    from . import open_ledger

    raw = _from_flags(args) if args.file else _from_stdin()
    user = current_user()
    payload, document = acceptance_from_disk(raw, region_id=new_id(), user=user)
    with open_ledger(args) as ledger:
        event = ledger.append("acceptance", payload, actor=user)
        # What the file was when the region was recorded: later changes re-anchor from it.
        ledger.save_snapshot(payload["repo"], payload["path"], document)
    if args.json:
        import orjson

        print(orjson.dumps({"regionId": payload["regionId"], "eventId": event.id}).decode())
    else:
        print(payload["regionId"])
    return 0


def _from_stdin() -> Any:
    import orjson

    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError("give the acceptance as JSON on stdin, or use --file (see --help)")
    data = sys.stdin.buffer.read()
    if not data.strip():
        raise UsageError("stdin is empty: expected the acceptance as JSON (see --help)")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as err:
        raise UsageError(f"malformed JSON on stdin: {err}") from None


def _from_flags(args: argparse.Namespace) -> dict[str, Any]:
    from ..capture import range_of
    from ..files import read_document
    from ..regions.positions import Pos, Span, text_end

    path = Path(args.file).resolve()
    try:
        text = read_document(path)
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"--file: cannot read {path}: {getattr(err, 'strerror', None) or err}") from None
    lines = text.splitlines(keepends=True)
    first, last = _line_range(args.lines, len(lines)) if args.lines else (1, len(lines))
    if not lines:
        raise UsageError(f"--file: {path} is empty")
    accepted = "".join(lines[first - 1:last])
    start = Pos(first - 1, 0)
    end = text_end(start, accepted, "utf-16")
    return {
        "textDocument": {"uri": path.as_uri()},
        "range": range_of(Span(start, end)),
        "text": accepted,
        "kind": args.kind,
        "tool": _tool(args.tool),
        "model": _model(args.model),
        "prompt": args.prompt,
        "parameters": None,
        "sessionId": args.session_id,
    }


def _line_range(spec: str, count: int) -> tuple[int, int]:
    try:
        a, _, b = spec.partition("-")
        first, last = int(a), int(b or a)
    except ValueError:
        raise UsageError(f"--lines: expected A-B (1-based, inclusive), got {spec!r}") from None
    if not 1 <= first <= last <= count:
        raise UsageError(f"--lines: {spec} does not fit a file of {count} line(s)")
    return first, last


def _tool(spec: str | None) -> dict[str, Any]:
    from .specs import tool_spec

    if not spec:
        raise UsageError("--tool: required with --file (the tool that made the suggestion)")
    return tool_spec(spec)


def _model(spec: str | None) -> dict[str, Any] | None:
    from .specs import model_spec

    return model_spec(spec) if spec else None
