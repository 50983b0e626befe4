"""What the proxy learns from the conversation, and when an acceptance is real.

Fed every message, both directions, in arrival order, on the observer
thread (never the forwarding threads). Pure bookkeeping: no I/O.

An inline-completion item carries a `command` whose arguments name the item
(copilot: `github.copilot.didAcceptCompletionItem` with the item's uuid). The
client runs that command through `workspace/executeCommand` when the user
accepts the whole item, and copilot clients send
`textDocument/didPartiallyAcceptCompletion {item, acceptedLength}` when the
user accepts a word or a line of it (`acceptedLength`: UTF-16 code units
from the start of `insertText`, cumulative). Either may come before or after
the didChange that carries the text, so an acceptance is held until the text
is in the proxy's copy of the document, for at most HOLD_SECONDS; a text
that never shows up is never recorded.

What is recorded is the AI's own text: where the item's `insertText` repeats
what the user had already typed in the range it replaces (copilot replaces
from the start of the line), that prefix is the user's and is left out, as
the editor's ghost text leaves it out.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from os.path import commonprefix
from pathlib import Path
from typing import Any

from ..paths import path_of
from ..regions.positions import Encoding, Pos, Span, text_end
from .config import model_from, settings_of_sections
from .document import Document

log = logging.getLogger("ailedger.proxy")

HOLD_SECONDS = 2.0
MAX_EARLY = 256
MAX_ITEMS = 2048  # items offered but not (yet) accepted; the oldest are forgotten
ENCODINGS = ("utf-8", "utf-16", "utf-32")
MODEL_SECTIONS = ("", "github", "github.copilot", "copilot")


@dataclass(slots=True)
class Item:
    id: str
    uri: str
    command: str
    text: str  # the item's insertText
    start: Pos  # where insertText begins in the document
    floor: int  # index into text where the AI's own text begins
    model: dict[str, Any] | None
    done: int = 0  # index into text up to which acceptances were taken


@dataclass(slots=True)
class Pending:
    item: Item
    kind: str
    begin: int  # [begin, end) of item.text
    end: int
    accepted_at: datetime
    deadline: float


@dataclass(frozen=True, slots=True)
class Acceptance:
    """Verified: `params` (AcceptanceParams, UTF-16 range) and the document
    text it was verified against."""

    params: dict[str, Any]
    document: str
    path: Path


class Session:
    def __init__(self, tool_name: str) -> None:
        self.encoding: Encoding = "utf-16"
        self.tool: dict[str, Any] = {"name": tool_name, "version": None}
        self.model: dict[str, Any] | None = None
        self.docs: dict[str, Document] = {}
        self.items: OrderedDict[str, Item] = OrderedDict()
        self.pending: list[Pending] = []
        self.asked: dict[Any, tuple[str, Any]] = {}  # client request id -> (method, params)
        self.asked_by_server: dict[Any, list[Any]] = {}  # workspace/configuration id -> items
        self.early: OrderedDict[tuple[str, Any], dict[str, Any]] = OrderedDict()  # answers before their requests

    # --- dispatch ---------------------------------------------------------

    def handle(self, sender: str, msg: dict[str, Any], now: float) -> list[Acceptance]:
        method, params, msg_id = msg.get("method"), msg.get("params"), msg.get("id")
        if method is None:
            if msg_id is not None and not self._answered(sender, msg):
                # Each direction is forwarded, then observed, by its own thread:
                # an answer can overtake its request. Keep it until the request shows up.
                self.early[(sender, msg_id)] = msg
                while len(self.early) > MAX_EARLY:
                    self.early.popitem(last=False)
            return []
        found: list[Acceptance] = []
        if sender == "client":
            if msg_id is not None and method in ("initialize", "textDocument/inlineCompletion"):
                self.asked[msg_id] = (method, params)
            if method == "initialize" and isinstance(params, dict):
                named, model = model_from(params.get("initializationOptions"))
                if named:
                    self.model = model
            handler = _FROM_CLIENT.get(method)
            if handler is not None and isinstance(params, dict):
                found = handler(self, params, now) or []
        elif method == "workspace/configuration" and msg_id is not None and isinstance(params, dict):
            self.asked_by_server[msg_id] = params.get("items") or []
        if msg_id is not None:
            answerer = "server" if sender == "client" else "client"
            early = self.early.pop((answerer, msg_id), None)
            if early is not None:
                self._answered(answerer, early)
        return found

    def next_deadline(self) -> float | None:
        return min((p.deadline for p in self.pending), default=None)

    def expire(self, now: float) -> None:
        if not any(p.deadline <= now for p in self.pending):
            return
        for p in self.pending:
            if p.deadline <= now:
                log.warning("%s acceptance of item %s: its text never appeared in %s within %g s; nothing was stored",
                            p.kind, p.item.id, p.item.uri, HOLD_SECONDS)
        self.pending = [p for p in self.pending if p.deadline > now]

    # --- answers ------------------------------------------------------------

    def _answered(self, sender: str, msg: dict[str, Any]) -> bool:
        """Take in an answer; False if its request has not been seen (yet)."""
        result = msg.get("result")
        if sender == "server":
            asked = self.asked.pop(msg["id"], None)
            if asked is None:
                return False
            if asked[0] == "initialize":
                self._initialized(result)
            else:
                self._offered(asked[1], result)
            return True
        items = self.asked_by_server.pop(msg["id"], None)
        if items is None:
            return False
        if isinstance(result, list):  # the answer to workspace/configuration
            named, model = model_from(settings_of_sections(items, result))
            sections = {i.get("section") or "" for i in items if isinstance(i, dict)}
            if named or sections & set(MODEL_SECTIONS):
                self.model = model
        return True

    # --- what the server says ---------------------------------------------

    def _initialized(self, result: Any) -> None:
        if not isinstance(result, dict):
            return
        encoding = (result.get("capabilities") or {}).get("positionEncoding")
        self.encoding = encoding if encoding in ENCODINGS else "utf-16"
        info = result.get("serverInfo")
        if isinstance(info, dict) and isinstance(info.get("name"), str) and info["name"]:
            version = info.get("version")
            self.tool = {"name": info["name"], "version": version if isinstance(version, str) else None}

    def _offered(self, params: Any, result: Any) -> None:
        """An inlineCompletion answer: remember each item that can be accepted."""
        raw_items = result.get("items") if isinstance(result, dict) else result
        try:
            uri = params["textDocument"]["uri"]
            here = Pos(params["position"]["line"], params["position"]["character"])
        except (KeyError, TypeError):
            return
        if not isinstance(raw_items, list):
            return
        doc = self.docs.get(uri)
        for raw in raw_items:
            if not isinstance(raw, dict) or not isinstance(raw.get("insertText"), str):
                continue  # snippets (StringValue) insert something other than their text
            command = raw.get("command")
            if not isinstance(command, dict) or not isinstance(command.get("command"), str):
                continue
            item_id = item_id_of(command.get("arguments"))
            if item_id is None:
                continue
            start, end = span_or(raw.get("range"), here)
            text = raw["insertText"]
            replaced = doc.slice(start, end, self.encoding) if doc is not None and end > start else ""
            floor = len(commonprefix([replaced, text]))
            self.items[item_id] = Item(item_id, uri, command["command"], text, start, floor, self.model)
            self.items.move_to_end(item_id)
        while len(self.items) > MAX_ITEMS:
            self.items.popitem(last=False)

    # --- what the client says ---------------------------------------------

    def _opened(self, params: dict[str, Any], now: float) -> None:
        doc = params.get("textDocument") or {}
        if isinstance(doc.get("uri"), str) and isinstance(doc.get("text"), str):
            self.docs[doc["uri"]] = Document(doc["text"], doc.get("version"))

    def _changed(self, params: dict[str, Any], now: float) -> list[Acceptance]:
        ident = params.get("textDocument") or {}
        doc = self.docs.get(ident.get("uri"))
        if doc is None:
            return []
        try:
            for change in params.get("contentChanges") or []:
                doc.apply(change, self.encoding)
        except (KeyError, TypeError, ValueError) as err:
            # The copy can no longer be trusted: forget it rather than check against it.
            log.warning("could not follow a change to %s (%s); acceptances there are not recorded until it reopens",
                        ident.get("uri"), err)
            del self.docs[ident["uri"]]
            return []
        doc.version = ident.get("version", doc.version)
        return self._recheck(ident["uri"])

    def _closed(self, params: dict[str, Any], now: float) -> None:
        uri = (params.get("textDocument") or {}).get("uri")
        self.docs.pop(uri, None)
        for p in [p for p in self.pending if p.item.uri == uri]:
            log.warning("%s acceptance of item %s: %s closed before its text appeared; nothing was stored",
                        p.kind, p.item.id, uri)
        self.pending = [p for p in self.pending if p.item.uri != uri]

    def _configured(self, params: dict[str, Any], now: float) -> None:
        settings = params.get("settings")
        if isinstance(settings, dict) and settings:  # empty or null means "come and ask" (pull)
            self.model = model_from(settings)[1]

    def _executed(self, params: dict[str, Any], now: float) -> list[Acceptance]:
        item = self.items.get(item_id_of(params.get("arguments")) or "")
        if item is None or item.command != params.get("command"):
            return []
        return self._accept(item, "inline", len(item.text), now)

    def _partially_accepted(self, params: dict[str, Any], now: float) -> list[Acceptance]:
        raw = params.get("item")
        command = raw.get("command") if isinstance(raw, dict) else None
        item_id = item_id_of(command.get("arguments")) if isinstance(command, dict) else params.get("uuid")
        item = self.items.get(item_id) if isinstance(item_id, str) else None
        if item is None:
            return []
        length = params.get("acceptedLength")
        end = index_of_utf16(item.text, length) if isinstance(length, int) and length >= 0 else len(item.text)
        return self._accept(item, "partial-inline", end, now)

    # --- acceptances -------------------------------------------------------

    def _accept(self, item: Item, kind: str, end: int, now: float) -> list[Acceptance]:
        begin = max(item.done, item.floor)
        item.done = max(item.done, end)
        if end <= begin:
            return []  # nothing the AI wrote that was not accepted (and recorded) before
        if path_of(item.uri) is None:
            log.info("%s acceptance in %s: only file:// documents are recorded", kind, item.uri)
            return []
        pending = Pending(item, kind, begin, end, datetime.now(timezone.utc), now + HOLD_SECONDS)
        found = self._check(pending)
        if found is not None:
            return [found]
        if item.uri not in self.docs:
            log.warning("%s acceptance of item %s: %s is not open, so its text cannot be checked; nothing was stored",
                        kind, item.id, item.uri)
            return []
        self.pending.append(pending)
        return []

    def _recheck(self, uri: str) -> list[Acceptance]:
        found, waiting = [], []
        for p in self.pending:
            acceptance = self._check(p) if p.item.uri == uri else None
            if acceptance is None:
                waiting.append(p)
            else:
                found.append(acceptance)
        self.pending = waiting
        return found

    def _check(self, p: Pending) -> Acceptance | None:
        """The acceptance, if its text is where the item put it."""
        doc = self.docs.get(p.item.uri)
        if doc is None:
            return None
        enc = self.encoding
        before, text = p.item.text[: p.begin], p.item.text[p.begin : p.end]
        tries = [(before, text)]
        if "\n" in p.item.text[: p.end]:
            tries.append((crlf(before), crlf(text)))  # editors may insert \r\n for \n
        for b, t in tries:
            start = text_end(p.item.start, b, enc)
            end = text_end(start, t, enc)
            if end.line < doc.line_count() and doc.slice(start, end, enc) == t:
                return self._acceptance(p, doc, Span(start, end), t)
        return None

    def _acceptance(self, p: Pending, doc: Document, span: Span, text: str) -> Acceptance:
        start, end = doc.to_utf16(span.start, self.encoding), doc.to_utf16(span.end, self.encoding)
        params = {
            "textDocument": {"uri": p.item.uri, "version": doc.version},
            "range": {"start": {"line": start.line, "character": start.character},
                      "end": {"line": end.line, "character": end.character}},
            "text": text,
            "kind": p.kind,
            "tool": dict(self.tool),
            "model": p.item.model,
            "prompt": None,
            "parameters": None,
            "itemId": p.item.id,
            "acceptedAt": p.accepted_at,
        }
        return Acceptance(params, doc.text(), path_of(p.item.uri))  # type: ignore[arg-type]


_FROM_CLIENT = {
    "textDocument/didOpen": Session._opened,
    "textDocument/didChange": Session._changed,
    "textDocument/didClose": Session._closed,
    "workspace/didChangeConfiguration": Session._configured,
    "workspace/executeCommand": Session._executed,
    "textDocument/didPartiallyAcceptCompletion": Session._partially_accepted,
}


def item_id_of(arguments: Any) -> str | None:
    """The item id a completion command carries: copilot's is its only
    argument, a uuid; others pass an object with one."""
    if not isinstance(arguments, list) or not arguments:
        return None
    first = arguments[0]
    if isinstance(first, str) and first:
        return first
    if isinstance(first, dict):
        for key in ("uuid", "itemId", "id"):
            if isinstance(first.get(key), str) and first[key]:
                return first[key]
    return None


def span_or(r: Any, here: Pos) -> tuple[Pos, Pos]:
    try:
        start = Pos(int(r["start"]["line"]), int(r["start"]["character"]))
        end = Pos(int(r["end"]["line"]), int(r["end"]["character"]))
    except (KeyError, TypeError, ValueError):
        return here, here
    return (start, end) if end >= start else (here, here)


def index_of_utf16(text: str, units: int) -> int:
    """Index into text after `units` UTF-16 code units (a cut inside a
    surrogate pair keeps the whole character)."""
    if text.isascii():
        return min(units, len(text))
    count = 0
    for i, ch in enumerate(text):
        if count >= units:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


