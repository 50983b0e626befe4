"""1,000 malformed or hostile `ailedger/recordAcceptance` requests: each gets
an error response, the server stays up, and the ledger still verifies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ailedger.ledger.store import Ledger
from rawlsp import RawClient

TEXT = "    return price * qty\n"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
not_a_string = st.none() | st.booleans() | st.integers() | st.lists(st.integers(), max_size=3) | st.dictionaries(st.text(max_size=5), st.integers(), max_size=2)
not_an_int = st.none() | st.text(max_size=5) | st.floats(allow_nan=False) | st.lists(st.integers(), max_size=2) | st.integers(max_value=-1)


def valid(uri: str) -> dict[str, Any]:
    return {"textDocument": {"uri": uri, "version": 1},
            "range": {"start": {"line": 3, "character": 0}, "end": {"line": 4, "character": 0}},
            "text": TEXT, "kind": "inline", "tool": {"name": "copilot"}, "model": None, "prompt": None,
            "parameters": None}


def mutations(uri: str) -> st.SearchStrategy[Any]:
    """Requests that must all be refused: broken shape, wrong types, or lies about the text."""
    def drop(field: str) -> st.SearchStrategy[Any]:
        return st.just({k: v for k, v in valid(uri).items() if k != field})

    def with_(path: list[str], values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        def build(value: Any) -> dict[str, Any]:
            params = valid(uri)
            target = params
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
            return params
        return values.map(build)

    return st.one_of(
        json_values.filter(lambda v: not isinstance(v, dict) or "textDocument" not in v),
        # model, prompt and parameters may be left out (unknown, like null): dropping them is no error
        st.sampled_from(["textDocument", "range", "text", "kind", "tool"]).flatmap(drop),
        with_(["kind"], st.text(max_size=20).filter(lambda k: k not in ("inline", "partial-inline", "next-edit", "chat-insert", "agent-edit"))),
        with_(["range", "start", "line"], not_an_int),
        with_(["range", "end", "character"], not_an_int),
        with_(["text"], not_a_string | st.just("")),
        with_(["text"], st.text(min_size=1, max_size=200).filter(lambda t: t != TEXT)),
        with_(["textDocument", "uri"], st.text(max_size=80).filter(lambda u: u != uri)),
        with_(["tool"], json_values.filter(lambda t: not (isinstance(t, dict) and isinstance(t.get("name"), str) and t["name"]))),
        with_(["model"], json_values.filter(lambda m: m is not None and not isinstance(m, dict))),
        with_(["parameters"], json_values.filter(lambda p: p is not None and not isinstance(p, dict))),
        with_(["range"], st.fixed_dictionaries({
            "start": st.fixed_dictionaries({"line": st.integers(0, 10**9), "character": st.integers(0, 10**9)}),
            "end": st.fixed_dictionaries({"line": st.integers(0, 10**9), "character": st.integers(0, 10**9)})})),
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import os

    root = tmp_path_factory.mktemp("hostile")
    env = {**os.environ, "AILEDGER_DB": str(root / "ledger.db"), "AILEDGER_USER": "dev@example.com"}
    path = root / "app.py"
    path.write_text("import os\n\ndef total(price, qty):\n" + TEXT)
    client = RawClient(env)
    client.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": path.as_uri(), "languageId": "python", "version": 1, "text": path.read_text()}})
    yield client, path, Path(env["AILEDGER_DB"])
    client.close()


COUNT = 0


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_hostile_request_gets_an_error(server: Any, data: st.DataObject) -> None:
    global COUNT
    client, path, _ = server
    params = data.draw(mutations(path.as_uri()))
    response = client.request("ailedger/recordAcceptance", params)
    assert "error" in response, (params, response)
    assert response["error"]["code"] in (-32602, -32803), response
    COUNT += 1


@pytest.mark.parametrize("method, params", [
    # pygls structured every nested object holding a "jsonrpc" key as a message;
    # one that failed to structure made the server drop the request unanswered
    ("ailedger/recordAcceptance", {"model": {"jsonrpc": "2.0"}}),
    ("ailedger/recordAcceptance", {"parameters": {"jsonrpc": "2.0", "method": "x", "id": 1}}),
    ("ailedger/recordAcceptance", [{"jsonrpc": 7}]),
    ("workspace/executeCommand", {"command": "ailedger.nothing", "arguments": [{"jsonrpc": "2.0"}]}),
    # a standard request whose params do not structure is answered too (pygls dropped it)
    ("textDocument/hover", {"textDocument": 5, "position": "here"}),
])
def test_a_json_rpc_lookalike_inside_params_still_gets_an_answer(server: Any, method: str, params: Any) -> None:
    global COUNT
    client, path, _ = server
    if method == "ailedger/recordAcceptance" and isinstance(params, dict):
        params = {**valid(path.as_uri()), "kind": "nonsense", **params}
    response = client.request(method, params)
    assert "error" in response, response
    COUNT += 1


def test_server_is_still_up_and_the_ledger_verifies(server: Any) -> None:
    client, path, db = server
    assert COUNT >= 1000
    response = client.request("ailedger/recordAcceptance", valid(path.as_uri()))
    assert "result" in response, response
    with Ledger(db) as ledger:
        assert ledger.count() == 1  # only the one valid acceptance
        assert ledger.verify().ok
