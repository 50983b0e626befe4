"""The proxy's pure parts: framing, the document copy, settings, the session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ailedger.proxy.config import lookup, model_from
from ailedger.proxy.document import Document, split_lines
from ailedger.proxy.framing import Framer
from ailedger.proxy.session import HOLD_SECONDS, Session, index_of_utf16
from ailedger.regions.positions import Pos, pos_at

ACCEPT = "github.copilot.didAcceptCompletionItem"


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


@given(st.lists(st.binary(max_size=40), max_size=6), st.lists(st.integers(1, 30), min_size=1, max_size=10))
def test_framer_finds_every_body_however_chunked(bodies: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(frame(b) for b in bodies)
    framer, found, i, n = Framer(), [], 0, 0
    while i < len(stream):
        size = cuts[n % len(cuts)]
        found += framer.feed(stream[i:i + size])
        i, n = i + size, n + 1
    assert found == bodies


def test_framer_skips_headers_without_a_length() -> None:
    assert Framer().feed(b"Content-Type: x\r\n\r\n" + frame(b"{}")) == [b"{}"]


TEXT = st.text(alphabet=st.sampled_from(list("ab \t\r\né😀")), max_size=30)


@given(TEXT, TEXT, st.data())
def test_document_follows_edits_like_the_whole_text(before: str, inserted: str, data: st.DataObject) -> None:
    """An incremental edit gives the same text as editing the string itself."""
    enc = data.draw(st.sampled_from(["utf-8", "utf-16", "utf-32"]))
    a = data.draw(st.integers(0, len(before)))
    b = data.draw(st.integers(a, len(before)))
    if before[a - 1:a + 1] == "\r\n" or before[b - 1:b + 1] == "\r\n":
        return  # LSP positions never fall between \r and \n
    doc = Document(before, 1)
    start, end = pos_at(before, a, enc), pos_at(before, b, enc)
    doc.apply({"range": {"start": {"line": start.line, "character": start.character},
                         "end": {"line": end.line, "character": end.character}}, "text": inserted}, enc)
    after = before[:a] + inserted + before[b:]
    assert doc.text() == after
    assert doc.lines == split_lines(after)


def test_document_whole_replacement_and_clamping() -> None:
    doc = Document("one\ntwo\n", 1)
    doc.apply({"text": "x\r\ny"}, "utf-16")
    assert doc.lines == ["x\r\n", "y"]
    doc.apply({"range": {"start": {"line": 9, "character": 0}, "end": {"line": 9, "character": 0}}, "text": "!"}, "utf-16")
    assert doc.text() == "x\r\ny!"
    assert doc.slice(Pos(0, 0), Pos(0, 99), "utf-16") == "x"
    assert doc.to_utf16(Pos(0, 8), "utf-8") == Pos(0, 1)


def test_utf16_lengths() -> None:
    assert index_of_utf16("a😀b", 1) == 1
    assert index_of_utf16("a😀b", 3) == 2
    assert index_of_utf16("a😀b", 2) == 2  # inside the pair: the character is accepted whole
    assert index_of_utf16("ab", 9) == 2


@pytest.mark.parametrize("settings", [
    {"github": {"copilot": {"selectedCompletionModel": "gpt-4o-copilot"}}},
    {"github.copilot": {"selectedCompletionModel": "gpt-4o-copilot"}},
    {"github.copilot.selectedCompletionModel": "gpt-4o-copilot"},
    {"copilot": {"model": "gpt-4o-copilot"}},
    {"model": {"id": "gpt-4o-copilot"}},
])
def test_model_settings_clients_send(settings: dict[str, Any]) -> None:
    assert model_from(settings) == (True, {"provider": None, "id": "gpt-4o-copilot", "version": None})


def test_no_model_is_unknown_not_invented() -> None:
    assert model_from({"http": {"proxy": None}}) == (False, None)
    assert model_from(None) == (False, None)
    assert model_from({"model": {"provider": "openai", "id": "gpt-4.1"}}) == (
        True, {"provider": "openai", "id": "gpt-4.1", "version": None})
    assert lookup({"a": {"b.c": 1}}, "a.b.c") == 1


# --- the session, message by message -------------------------------------------

URI = Path("/tmp/x/app.py").as_uri()


def r(sl: int, sc: int, el: int, ec: int) -> dict[str, Any]:
    return {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}


class Talk:
    def __init__(self, text: str) -> None:
        self.s, self.now, self.version, self.found = Session("standin"), 0.0, 1, []
        self.client({"method": "textDocument/didOpen", "params": {"textDocument": {"uri": URI, "text": text, "version": 1}}})

    def client(self, msg: dict[str, Any]) -> None:
        self.found += self.s.handle("client", msg, self.now)

    def server(self, msg: dict[str, Any]) -> None:
        self.found += self.s.handle("server", msg, self.now)

    def offer(self, rid: int, line: int, ch: int, items: list[dict[str, Any]], answer_first: bool = False) -> None:
        ask = {"id": rid, "method": "textDocument/inlineCompletion",
               "params": {"textDocument": {"uri": URI}, "position": {"line": line, "character": ch}}}
        answer = {"id": rid, "result": {"items": items}}
        for sender, msg in ([("server", answer), ("client", ask)] if answer_first else [("client", ask), ("server", answer)]):
            self.found += self.s.handle(sender, msg, self.now)

    def change(self, rng: dict[str, Any], text: str) -> None:
        self.version += 1
        self.client({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": URI, "version": self.version}, "contentChanges": [{"range": rng, "text": text}]}})

    def execute(self, item_id: str) -> None:
        self.client({"id": 99, "method": "workspace/executeCommand", "params": {"command": ACCEPT, "arguments": [item_id]}})


def item(text: str, rng: dict[str, Any], item_id: str = "u1") -> dict[str, Any]:
    return {"insertText": text, "range": rng, "command": {"title": "", "command": ACCEPT, "arguments": [item_id]}}


def test_an_answer_observed_before_its_request_still_counts() -> None:
    t = Talk("x = 1\n    ret\n")
    t.offer(2, 1, 7, [item("    return 1", r(1, 0, 1, 7))], answer_first=True)
    t.change(r(1, 7, 1, 7), "urn 1")
    t.execute("u1")
    [found] = t.found
    assert (found.params["text"], found.params["range"]) == ("urn 1", r(1, 7, 1, 12))
    assert found.params["textDocument"] == {"uri": URI, "version": 2}


def test_acceptance_is_held_until_its_text_arrives_then_given_up() -> None:
    t = Talk("a\n")
    t.offer(2, 1, 0, [item("b = 2\n", r(1, 0, 1, 0)), item("c = 3\n", r(1, 0, 1, 0), "u2")])
    t.execute("u1")
    assert t.found == [] and t.s.next_deadline() == HOLD_SECONDS
    t.change(r(1, 0, 1, 0), "b = ")
    assert t.found == []
    t.change(r(1, 4, 1, 4), "2\n")
    assert [f.params["text"] for f in t.found] == ["b = 2\n"]
    t.execute("u2")  # its text is not there, and never comes
    t.s.expire(HOLD_SECONDS + 0.1)
    assert t.s.pending == [] and len(t.found) == 1


def test_partial_acceptances_are_cumulative_and_never_recorded_twice() -> None:
    t = Talk("    r\n")
    t.offer(2, 0, 5, [item("    return a + b", r(0, 0, 0, 5))])
    full = item("    return a + b", r(0, 0, 0, 5))
    t.change(r(0, 5, 0, 5), "eturn ")
    t.client({"method": "textDocument/didPartiallyAcceptCompletion", "params": {"item": full, "acceptedLength": 11}})
    t.client({"method": "textDocument/didPartiallyAcceptCompletion", "params": {"item": full, "acceptedLength": 11}})
    t.change(r(0, 11, 0, 11), "a + b")
    t.execute("u1")
    t.execute("u1")
    assert [(f.params["kind"], f.params["text"]) for f in t.found] == [("partial-inline", "eturn "), ("inline", "a + b")]


def test_items_that_cannot_be_joined_are_ignored() -> None:
    t = Talk("a\n")
    t.offer(2, 1, 0, [{"insertText": {"kind": "snippet", "value": "x$0"}, "command": {"command": ACCEPT, "arguments": ["s"]}},
                      {"insertText": "y"}, item("z", r(1, 0, 1, 0), "u3")])
    assert list(t.s.items) == ["u3"]
    t.client({"id": 5, "method": "workspace/executeCommand", "params": {"command": "other.command", "arguments": ["u3"]}})
    t.execute("unknown")
    assert t.found == [] and t.s.pending == []


def test_server_info_encoding_and_model_are_taken_from_the_conversation() -> None:
    t = Talk("")
    t.client({"id": 1, "method": "initialize", "params": {"initializationOptions": {"copilot": {"model": "m1"}}}})
    t.server({"id": 1, "result": {"capabilities": {"positionEncoding": "utf-8"}, "serverInfo": {"name": "srv", "version": "2"}}})
    assert (t.s.encoding, t.s.tool, t.s.model) == ("utf-8", {"name": "srv", "version": "2"}, {"provider": None, "id": "m1", "version": None})
    t.client({"method": "workspace/didChangeConfiguration", "params": {"settings": {}}})  # a pull hint: model kept
    assert t.s.model is not None
    t.client({"method": "workspace/didChangeConfiguration", "params": {"settings": {"http": {}}}})  # no model any more
    assert t.s.model is None
