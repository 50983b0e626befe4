"""Accepted inline completions land in the ledger, exactly, through the proxy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from proxy.helpers import acceptances, until
from proxy.lspclient import Client

APP = "import os\n\ndef total(price, qty):\n    return price * qty\n\ndef area(w, h):\n    ret\n"


def rng(sl: int, sc: int, el: int, ec: int) -> dict[str, Any]:
    return {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}


class Editor:
    """Just enough of an editor: one open document and its version."""

    def __init__(self, client: Client, path: Path, text: str, **init: Any) -> None:
        self.client, self.uri, self.version = client, path.as_uri(), 1
        path.write_text(text, encoding="utf-8", newline="")
        self.server = client.initialize(**init)
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": self.uri, "languageId": "python", "version": 1, "text": text}})

    def suggest(self, text: str, replace_prefix: bool = True) -> None:
        self.client.notify("standin/suggest", {"text": text, "replacePrefix": replace_prefix})

    def complete(self, line: int, character: int) -> dict[str, Any]:
        result = self.client.result("textDocument/inlineCompletion", {
            "textDocument": {"uri": self.uri, "version": self.version},
            "position": {"line": line, "character": character}, "context": {"triggerKind": 2}})
        return result["items"][0]

    def change(self, r: dict[str, Any], text: str) -> None:
        self.version += 1
        self.client.notify("textDocument/didChange", {
            "textDocument": {"uri": self.uri, "version": self.version},
            "contentChanges": [{"range": r, "text": text}]})

    def accept(self, item: dict[str, Any]) -> dict[str, Any]:
        return self.client.request("workspace/executeCommand", {
            "command": item["command"]["command"], "arguments": item["command"]["arguments"]})

    def accept_partly(self, item: dict[str, Any], length: int) -> None:
        self.client.notify("textDocument/didPartiallyAcceptCompletion", {"item": item, "acceptedLength": length})

    def received(self) -> dict[str, Any]:
        return self.client.result("standin/received", None)


def test_full_acceptance_after_the_edit(start, repo: Path, tmp_path: Path) -> None:
    client = start()
    editor = Editor(client, repo / "app.py", APP)
    assert editor.server["serverInfo"] == {"name": "standin-copilot", "version": "1.2.3"}
    editor.suggest("urn w * h")
    item = editor.complete(6, 7)
    assert item["insertText"] == "    return w * h" and item["range"] == rng(6, 0, 6, 7)
    item_id = item["command"]["arguments"][0]
    editor.change(item["range"], item["insertText"])  # as VS Code applies it: the whole range
    assert "error" not in editor.accept(item)

    [payload] = acceptances(tmp_path / "ledger.db", 1, client.stderr)
    assert payload["text"] == "urn w * h"  # what the user had typed is not the AI's
    assert payload["range"] == rng(6, 7, 6, 16)
    assert payload["kind"] == "inline"
    assert payload["tool"] == {"name": "standin-copilot", "version": "1.2.3"}
    assert payload["model"] is None and payload["prompt"] is None and payload["parameters"] is None
    assert payload["itemId"] == item_id
    assert (payload["repo"], payload["path"], payload["user"]) == ("git.example.com/acme/shop", "app.py", "dev@example.com")
    assert editor.received()["accepted"] == [item_id]  # the server still hears it
    assert client.close() == 0


def test_full_acceptance_before_the_edit_is_held(start, repo: Path, tmp_path: Path) -> None:
    client = start()
    editor = Editor(client, repo / "app.py", APP)
    editor.suggest("urn w * h\n")
    item = editor.complete(6, 7)
    editor.accept(item)  # the command first; the editor's debounced didChange comes later
    editor.change(rng(6, 7, 6, 7), "urn w * h\n")  # as Neovim reports it: only what changed
    [payload] = acceptances(tmp_path / "ledger.db", 1, client.stderr)
    assert (payload["text"], payload["range"]) == ("urn w * h\n", rng(6, 7, 7, 0))
    client.close()


def test_partial_acceptances_then_the_rest(start, repo: Path, tmp_path: Path) -> None:
    client = start()
    editor = Editor(client, repo / "app.py", APP)
    editor.suggest("urn width * height  # área 📐")
    item = editor.complete(6, 7)
    text = item["insertText"]  # "    return width * height  # área 📐"
    editor.change(rng(6, 7, 6, 7), "urn ")
    editor.accept_partly(item, len("    return "))  # acceptedLength counts from insertText's start
    editor.accept_partly(item, len("    return width * "))
    editor.change(rng(6, 11, 6, 11), "width * ")
    editor.change(rng(6, 19, 6, 19), "height  # área 📐")
    editor.accept(item)

    first, second, rest = acceptances(tmp_path / "ledger.db", 3, client.stderr)
    assert (first["kind"], first["text"], first["range"]) == ("partial-inline", "urn ", rng(6, 7, 6, 11))
    assert (second["kind"], second["text"], second["range"]) == ("partial-inline", "width * ", rng(6, 11, 6, 19))
    # 📐 is two UTF-16 code units: the range ends at 36, not 35
    assert (rest["kind"], rest["text"], rest["range"]) == ("inline", "height  # área 📐", rng(6, 19, 6, 36))
    assert {first["itemId"], second["itemId"], rest["itemId"]} == {item["command"]["arguments"][0]}
    received = editor.received()
    assert received["partial"] == [[item["command"]["arguments"][0], 11], [item["command"]["arguments"][0], 19]]
    assert text.endswith("📐")
    client.close()


def test_non_ascii_before_the_cursor_in_utf16(start, repo: Path, tmp_path: Path) -> None:
    client = start()
    doc = "greeting = '👋🏽 héllo' + \n"
    editor = Editor(client, repo / "hello.py", doc)
    editor.suggest("'🌍 wörld'", replace_prefix=False)
    column = len("greeting = '👋🏽 héllo' + ".encode("utf-16-le")) // 2  # 26 code units, 22 characters
    item = editor.complete(0, column)
    editor.accept(item)
    editor.change(item["range"], item["insertText"])
    [payload] = acceptances(tmp_path / "ledger.db", 1, client.stderr)
    assert payload["text"] == "'🌍 wörld'"
    assert payload["range"] == rng(0, 26, 0, 36)
    client.close()


def test_negotiated_utf8_positions_are_stored_as_utf16(start, repo: Path, tmp_path: Path) -> None:
    client = start()
    doc = "greeting = '👋🏽 héllo' + \n"
    editor = Editor(client, repo / "hello.py", doc, capabilities={"general": {"positionEncodings": ["utf-8"]}})
    assert editor.server["capabilities"]["positionEncoding"] == "utf-8"
    editor.suggest("'🌍 wörld'")
    column = len("greeting = '👋🏽 héllo' + ".encode())  # 31 bytes
    item = editor.complete(0, column)
    assert item["range"] == rng(0, 0, 0, 31)
    editor.change(rng(0, 31, 0, 31), "'🌍 wörld'")  # utf-8 columns on the wire
    editor.accept(item)
    [payload] = acceptances(tmp_path / "ledger.db", 1, client.stderr)
    assert (payload["text"], payload["range"]) == ("'🌍 wörld'", rng(0, 26, 0, 36))
    client.close()


def test_crlf_document(start, repo: Path, tmp_path: Path) -> None:
    client = start()
    editor = Editor(client, repo / "win.py", "def f():\r\n    ret\r\n")
    editor.suggest("urn 1\n    # done", replace_prefix=False)
    item = editor.complete(1, 7)
    editor.change(rng(1, 7, 1, 7), "urn 1\r\n    # done")  # the editor writes its own line breaks
    editor.accept(item)
    [payload] = acceptances(tmp_path / "ledger.db", 1, client.stderr)
    assert (payload["text"], payload["range"]) == ("urn 1\r\n    # done", rng(1, 7, 2, 10))
    client.close()


def test_model_from_the_settings_the_client_sent(start, repo: Path, tmp_path: Path) -> None:
    client = start()
    editor = Editor(client, repo / "app.py", APP)
    client.notify("workspace/didChangeConfiguration",
                  {"settings": {"github": {"copilot": {"selectedCompletionModel": "gpt-4o-copilot"}}}})
    editor.suggest("urn w * h")
    item = editor.complete(6, 7)
    editor.change(rng(6, 7, 6, 7), "urn w * h")
    editor.accept(item)
    [payload] = acceptances(tmp_path / "ledger.db", 1, client.stderr)
    assert payload["model"] == {"provider": None, "id": "gpt-4o-copilot", "version": None}
    client.close()


def test_model_from_a_configuration_the_server_pulled(start, repo: Path, tmp_path: Path) -> None:
    client = start()
    client.answers["workspace/configuration"] = lambda params: [{"selectedCompletionModel": "gpt-41-copilot"}]
    editor = Editor(client, repo / "app.py", APP)
    assert client.result("standin/pull", None)["settings"] == [{"selectedCompletionModel": "gpt-41-copilot"}]
    editor.suggest("urn w * h")
    item = editor.complete(6, 7)
    editor.change(rng(6, 7, 6, 7), "urn w * h")
    editor.accept(item)
    [payload] = acceptances(tmp_path / "ledger.db", 1, client.stderr)
    assert payload["model"] == {"provider": None, "id": "gpt-41-copilot", "version": None}
    client.close()


def test_text_that_never_arrives_is_not_recorded(start, repo: Path, tmp_path: Path) -> None:
    client = start()
    editor = Editor(client, repo / "app.py", APP)
    editor.suggest("urn w * h")
    rejected = editor.complete(6, 7)
    editor.accept(rejected)  # ...but the editor never inserts it
    until(lambda: any("never appeared" in line for line in client.stderr), client.stderr)
    editor.suggest("urn h * w")
    item = editor.complete(6, 7)
    editor.change(rng(6, 7, 6, 7), "urn h * w")
    editor.accept(item)
    [payload] = acceptances(tmp_path / "ledger.db", 1, client.stderr)
    assert payload["itemId"] == item["command"]["arguments"][0] and payload["text"] == "urn h * w"
    client.close()
