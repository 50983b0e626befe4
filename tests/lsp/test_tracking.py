"""Live tracking through the editor's edits: several cursors at once, a whole
document replaced (a formatter through the editor), and undo of a deletion."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from helpers_lsp import as_dict, diagnostics_until, edit, ours, open_doc, record, regions

AI = "    discount = 0.1 if qty >= 10 else 0.0\n    return price * qty * (1 - discount)\n"
FILE = "import os\n\ndef total(price, qty):\n" + AI + "\nprint(total(2, 3))\n"


def change(client, uri: str, version: int, changes: list[types.TextDocumentContentChangeEvent]) -> None:  # type: ignore[no-untyped-def]
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=changes))


def at(line: int, char: int, end_line: int, end_char: int, text: str) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(line, char), types.Position(end_line, end_char)), text=text)


async def test_multi_cursor_edits_in_one_change(client, repo: Path) -> None:
    path = repo / "app.py"
    path.write_text(FILE)
    uri = open_doc(client, path)
    await record(client, uri, (3, 0), (5, 0), AI, version=1)
    # Two cursors: one above the region adding a line, one inside the region
    # (positions of the second are relative to the document after the first).
    change(client, uri, 2, [at(0, 0, 0, 0, "# a\n"), at(4, 4, 4, 4, "# human\n    ")])
    got = as_dict(await regions(client, uri))[0]
    assert got["range"] == {"start": {"line": 4, "character": 0}, "end": {"line": 7, "character": 0}}
    assert got["aiRanges"] == [
        {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 4}},
        {"start": {"line": 5, "character": 4}, "end": {"line": 7, "character": 0}},
    ]


async def test_whole_document_replacement_is_mapped_by_lines(client, repo: Path) -> None:
    path = repo / "app.py"
    path.write_text(FILE)
    uri = open_doc(client, path)
    await record(client, uri, (3, 0), (5, 0), AI, version=1)
    formatted = '"""Totals."""\n' + FILE.replace("import os\n", "import os\nimport sys\n")
    change(client, uri, 2, [types.TextDocumentContentChangeWholeDocument(text=formatted)])
    found = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d)) and ours(d)[0].range.start.line == 5))
    assert found[0].range.end.line == 7


async def test_undo_of_a_deletion_restores_the_region(client, repo: Path) -> None:
    path = repo / "app.py"
    path.write_text(FILE)
    uri = open_doc(client, path)
    region_id = as_dict(await record(client, uri, (3, 0), (5, 0), AI, version=1))["regionId"]
    await diagnostics_until(client, uri, lambda d: bool(ours(d)))
    edit(client, uri, 2, (3, 0), (5, 0), "")  # delete it all
    await diagnostics_until(client, uri, lambda d: not ours(d))
    edit(client, uri, 3, (3, 0), (3, 0), AI)  # undo puts the same text back
    found = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d))))
    assert found[0].data == {"regionId": region_id}
    assert (found[0].range.start.line, found[0].range.end.line) == (3, 5)


async def test_a_burst_of_keystrokes_is_coalesced_into_fewer_publishes(env, repo: Path) -> None:
    from helpers_lsp import start

    client = await start(env, repo, {"diagnosticsDebounceMs": 100})
    try:
        path = repo / "app.py"
        path.write_text(FILE)
        uri = open_doc(client, path)
        await record(client, uri, (3, 0), (5, 0), AI, version=1)
        await diagnostics_until(client, uri, lambda d: bool(ours(d)))
        published: list[int | None] = []
        features = client.protocol.fm.features
        original = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

        def counting(params: types.PublishDiagnosticsParams) -> None:
            published.append(params.version)
            original(params)

        features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = counting
        for v in range(2, 12):  # ten keystrokes above the region, each adding a line
            edit(client, uri, v, (0, 0), (0, 0), "#\n")
        found = ours(await diagnostics_until(client, uri, lambda d: bool(ours(d)) and ours(d)[0].range.start.line == 13))
        assert found[0].range.end.line == 15
        assert 11 in published and len(published) < 10
    finally:
        await client.shutdown_session()
        await client.stop()
