"""VS Code chat end to end: what chat puts in the editor lands in the ledger.

The built VSIX in code-server (Code 1.139.1) with the real `ailedger lsp`,
and a stand-in for Copilot Chat (vscode/standin-chat/): a language model
registered with `vscode.lm.registerLanguageModelChatProvider` (vendor
`copilot`, the vendor VS Code takes its default chat model from) and a chat
participant, `@standin`. Nothing is mocked inside VS Code: its own chat view
renders the stand-in's answer, its own "Insert At Cursor" button inserts the
code block, its own chat editing session applies the stand-in's edit, and
its own "Keep" button keeps it. The stand-in needs the proposed APIs
`chatParticipantAdditions` (stream.textEdit, as Copilot's agent uses) and
`chatProvider` (isDefault), enabled for it alone with
`--enable-proposed-api`.

Exercised for real here: code block "Insert At Cursor" (chat-insert), a
chat editing session's "Keep" of the whole edit, and "Keep this Change" on
one of two changes with the other still pending above it, then "Undo this
Change" on that one (agent-edit; the undone change is not recorded), and
inline chat (Ctrl+I, the stand-in's edit, the widget's Keep: agent-edit,
tool, model and prompt unknown because VS Code keeps no session data for
inline chat). Not driven here (unit tests only, client-vscode/test/): Apply
in Editor (needs a code mapper, which only Copilot provides), a pasted code block,
a kept change between two pending ones, and a model recorded from the
session (VS Code writes `modelId` only when the user picks a model, which
needs a Copilot sign-in).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .test_vscode import (  # noqa: F401 - tools is a fixture
    ORIGINAL, _ailedger, events, focus_editor, open_file, run_command, status_text, tools, utf16_len, vscode,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Keep in step with vscode/standin-chat/extension.js.
BLOCK = "def discount(price, pct):\n    return price * (1 - pct / 100)  # 🙂 chat"
EDIT = "\ndef tax(price, rate):\n    return price * rate  # ü agent\n"
STANDIN = {"name": "ailedger-tests.standin-chat", "version": "0.0.1"}


def ask(page: Any, deadline: Any, prompt: str) -> None:
    """Type a prompt for @standin in the chat view and send it."""
    chat_input = page.locator(".interactive-input-part .monaco-editor").first
    chat_input.wait_for(timeout=deadline.left_ms())
    chat_input.click()
    suggest = page.locator(".interactive-input-part .suggest-widget.visible")
    if "@standin" in chat_input.inner_text():  # @standin is sticky: it stays for the next prompt
        page.keyboard.press("End")
        page.keyboard.type(prompt, delay=30)
    else:
        # The participant list pops up on "@": let it settle on @standin, then go on.
        page.keyboard.type("@standin", delay=30)
        deadline.poll("@standin in the chat input", lambda: "@standin" in chat_input.inner_text())
        page.keyboard.type(f" {prompt}", delay=30)
    deadline.poll("the prompt in the chat input",
                  lambda: f"@standin {prompt}" in chat_input.inner_text().replace("\xa0", " ")
                  and (not suggest.is_visible() or page.keyboard.press("Escape")))
    page.keyboard.press("Enter")


def acceptance(env: dict[str, str], kind: str) -> dict[str, Any] | None:
    found = [a for a in events(env).get("acceptance", []) if a["kind"] == kind]
    return found[0] if found else None


@pytest.mark.usefixtures("tools")
def test_chat_insert_and_kept_agent_edit(tmp_path: Path, env: dict[str, str], repo: Path) -> None:
    settings = {"ailedger.server.command": _ailedger(), "chat.disableAIFeatures": False}
    with vscode(tmp_path, env, repo, "chat", settings, standins=("standin-chat",),
                args=("--enable-proposed-api", "ailedger-tests.standin-chat")) as (page, _, deadline):
        open_file(page, deadline, "app.py", "def total")
        deadline.poll("ailedger to start", lambda: status_text(page) == "ailedger")
        page.keyboard.press("Control+End")  # the cursor on the empty last line: where the block goes

        # Ask for a code block; VS Code's chat view renders it with its toolbar.
        page.keyboard.press("Control+Alt+I")
        ask(page, deadline, "block")
        block = page.locator(".interactive-result-code-block").filter(has_text="discount").first
        block.wait_for(timeout=deadline.left_ms())
        block.hover()
        insert = block.locator(".action-label[aria-label^='Insert At Cursor']").first
        deadline.poll("the Insert At Cursor button", lambda: insert.is_visible() or block.hover())
        insert.click()

        inserted = deadline.poll("the chat-insert in the ledger", lambda: acceptance(env, "chat-insert"))
        last = BLOCK.splitlines()[-1]
        assert inserted["text"] == BLOCK
        assert inserted["range"] == {"start": {"line": 4, "character": 0},
                                     "end": {"line": 5, "character": utf16_len(last)}}
        assert inserted["path"] == "app.py"
        assert inserted["tool"] == STANDIN
        assert inserted["model"] is None  # the session names no model unless the user picks one
        assert inserted["prompt"] == "@standin block"
        deadline.poll("the diagnostic for the inserted block", lambda: "1 unreviewed" in status_text(page))

        # Ask for an edit: VS Code applies it in a chat editing session, pending until kept.
        ask(page, deadline, "edit")
        keep = page.locator(".monaco-button").filter(has_text="Keep").first
        keep.wait_for(timeout=deadline.left_ms())
        assert acceptance(env, "agent-edit") is None  # proposed, not yet kept

        # The user types a line of their own while the edit waits: VS Code copies it into
        # the session's baseline too, and it must not be taken for kept AI text.
        editor = page.locator(".part.editor .monaco-editor .view-lines").filter(has_text="total").first
        editor.click()
        page.keyboard.press("Control+Home")
        page.keyboard.type("# mine", delay=30)
        page.keyboard.press("Enter")
        deadline.poll("the user's line in the editor", lambda: "# mine" in editor.inner_text().replace("\xa0", " "))
        keep.click()

        kept = deadline.poll("the kept agent-edit in the ledger", lambda: acceptance(env, "agent-edit"))
        assert kept["text"] == EDIT
        assert kept["range"] == {"start": {"line": 6, "character": utf16_len(last)},
                                 "end": {"line": 9, "character": 0}}
        assert kept["path"] == "app.py" and kept["tool"] == STANDIN and kept["model"] is None
        assert kept["prompt"] == "@standin edit"
        # Keep saves the file: the ledger's ranges are the file's.
        expected = "# mine\n" + ORIGINAL + BLOCK + EDIT

        def saved() -> bool:
            text = (repo / "app.py").read_text()
            if text.endswith(EDIT) and text != expected:
                # Under load VS Code at times writes the kept edit before the user's own
                # line reaches the session's model; the editor still holds it: save that.
                editor.click()
                page.keyboard.press("Control+S")
            return text == expected

        deadline.poll("the kept file on disk, the user's line included", saved)

        # Both show as unreviewed AI code: the Problems panel and the status bar.
        deadline.poll("the status bar count", lambda: "2 unreviewed" in status_text(page))
        focus_editor(page)
        page.keyboard.press("Control+Shift+M")
        markers = page.locator(".markers-panel")
        markers.filter(has_text="ai-unreviewed").wait_for(timeout=deadline.left_ms())
        deadline.poll("two ai-unreviewed problems", lambda: markers.inner_text().count("ai-unreviewed") == 2)

        # The status bar tooltip names the chat paths this VS Code has.
        page.locator(".statusbar-item").filter(has_text="ailedger").first.hover()
        hover = page.locator(".monaco-hover, .workbench-hover").filter(has_text="Chat editing").first
        hover.wait_for(timeout=deadline.left_ms())
        tip = hover.inner_text()
        for seen in ("Tab: accepted inline suggestions", "Chat editing: edits kept from chat",
                     "Insert at cursor: chat code blocks", "Not seen", "not yet kept"):
            assert seen in tip, tip

        recorded = events(env)["acceptance"]
        assert sorted(a["kind"] for a in recorded) == ["agent-edit", "chat-insert"], json.dumps(recorded)


HEADER = "# header by the agent\n"


@pytest.mark.usefixtures("tools")
def test_keep_one_change_undo_the_other(tmp_path: Path, env: dict[str, str], repo: Path) -> None:
    """Keep one change of two (the other still pending above it), undo the other: only the kept one is recorded."""
    settings = {"ailedger.server.command": _ailedger(), "chat.disableAIFeatures": False}
    with vscode(tmp_path, env, repo, "chat-hunk", settings, standins=("standin-chat",),
                args=("--enable-proposed-api", "ailedger-tests.standin-chat")) as (page, _, deadline):
        open_file(page, deadline, "app.py", "def total")
        deadline.poll("ailedger to start", lambda: status_text(page) == "ailedger")
        page.keyboard.press("Control+Alt+I")
        ask(page, deadline, "two")
        keep = page.locator(".monaco-button").filter(has_text="Keep").first
        for _ in range(3):
            try:
                keep.wait_for(timeout=min(20_000, deadline.left_ms()))
                break
            except PlaywrightTimeout:
                # Seen in CI, twice: the participant list came back between the check and Enter, Enter took
                # its first entry and the input read "@agent", nothing sent. Clear it and ask again.
                page.locator(".interactive-input-part .monaco-editor").first.click()
                page.keyboard.press("Control+A")
                page.keyboard.press("Backspace")
                ask(page, deadline, "two")
        keep.wait_for(timeout=deadline.left_ms())
        lines = page.locator(".part.editor .monaco-editor .view-lines").filter(has_text="total").first

        def shown() -> str:
            return str(lines.inner_text()).replace("\xa0", " ")

        deadline.poll("both changes in the editor", lambda: "header by the agent" in shown() and "ü agent" in shown())

        # Keep this Change, with the cursor in the lower change (the upper one still pending).
        lines.click()
        page.keyboard.press("Control+End")
        page.keyboard.press("ArrowUp")
        run_command(page, deadline, "Keep this Change")
        kept = deadline.poll("the kept change in the ledger", lambda: acceptance(env, "agent-edit"))
        assert kept["text"] == EDIT
        # Where it is in the document: below the pending header line, so one line further down
        # than in the baseline (the edit went in at the end of ORIGINAL, line 4).
        assert kept["range"] == {"start": {"line": 5, "character": 0}, "end": {"line": 8, "character": 0}}

        # Undo this Change on the header: it goes, and nothing more is recorded.
        lines.click()
        page.keyboard.press("Control+Home")
        run_command(page, deadline, "Undo this Change")
        deadline.poll("the header gone", lambda: "header by the agent" not in shown())
        lines.click()
        page.keyboard.press("Control+S")
        deadline.poll("the file saved without the header",
                      lambda: (repo / "app.py").read_text() == ORIGINAL + EDIT or page.keyboard.press("Control+S"),
                      every=1.0)
        deadline.poll("one unreviewed region", lambda: "1 unreviewed" in status_text(page))
        assert [a["kind"] for a in events(env)["acceptance"]] == ["agent-edit"]


INLINE = "def vat(price):\n    return price * 0.2  # inline\n"


@pytest.mark.usefixtures("tools")
def test_inline_chat_keep(tmp_path: Path, env: dict[str, str], repo: Path) -> None:
    """Inline chat (Ctrl+I): the stand-in's edit appears in the editor; the widget's Keep records it."""
    settings = {"ailedger.server.command": _ailedger(), "chat.disableAIFeatures": False}
    with vscode(tmp_path, env, repo, "chat-inline", settings, standins=("standin-chat",),
                args=("--enable-proposed-api", "ailedger-tests.standin-chat")) as (page, _, deadline):
        open_file(page, deadline, "app.py", "def total")
        deadline.poll("ailedger to start", lambda: status_text(page) == "ailedger")
        page.keyboard.press("Control+End")
        page.keyboard.press("Control+I")
        # The inline chat's input (a compact chat input in the editor) takes the focus.
        page.locator(".interactive-input-part.compact .interactive-input-editor .monaco-editor.focused").wait_for(
            timeout=deadline.left_ms())
        page.keyboard.type("add vat", delay=30)
        page.keyboard.press("Enter")
        lines = page.locator(".part.editor .monaco-editor .view-lines").filter(has_text="return").first
        deadline.poll("the inline edit in the editor", lambda: "# inline" in lines.inner_text().replace("\xa0", " "))
        assert acceptance(env, "agent-edit") is None  # proposed, not yet kept
        # The widget's Keep (inlineChat2.keep, the check mark), once the request is done.
        keep = page.locator(".action-label[aria-label^='Keep']").first
        keep.wait_for(timeout=deadline.left_ms())
        keep.click()
        kept = deadline.poll("the kept inline edit in the ledger", lambda: acceptance(env, "agent-edit"))
        assert kept["text"] == INLINE
        assert kept["range"] == {"start": {"line": 4, "character": 0}, "end": {"line": 6, "character": 0}}
        # VS Code keeps no session data for inline chat: the tool is the editor (as for Tab with
        # no AI extension installed), the model and the prompt unknown (null), never guessed.
        assert kept["tool"] == {"name": "vscode", "version": "1.139.1"}
        assert kept["model"] is None and kept["prompt"] is None
        deadline.poll("the status bar count", lambda: "1 unreviewed" in status_text(page))
