"""Changes on disk to files the editor does not have open: a `git checkout`,
a formatter run from the terminal, an agent writing files. watchdog reports
them from its own thread; they are coalesced per file and handled in the
worker thread, so nothing here touches the event loop for long."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..paths import path_of
from .server import AiLedgerServer, log

SETTLE_SECONDS = 0.2  # a checkout writes many files in a burst: wait for it to settle
IGNORED_PARTS = {".git", "node_modules", "__pycache__", ".venv"}


_EVERY_FILE = types.FileOperationRegistrationOptions(
    filters=[types.FileOperationFilter(pattern=types.FileOperationPattern(glob="**/*"))])


def register(server: AiLedgerServer) -> None:
    @server.feature(types.SHUTDOWN)
    def shutdown(ls: AiLedgerServer, params: Any) -> None:
        observer = getattr(ls, "_observer", None)
        if observer is not None:
            observer.stop()

    # What the editor itself says happened on disk: the same work as the
    # watcher's events (and harmless when both report one change).
    @server.feature(types.WORKSPACE_DID_RENAME_FILES, _EVERY_FILE)
    def did_rename_files(ls: AiLedgerServer, params: types.RenameFilesParams) -> None:
        for f in params.files:
            src, dest = path_of(f.old_uri), path_of(f.new_uri)
            if src is not None and dest is not None:
                _queue(ls).put_nowait(("moved", src, dest))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: AiLedgerServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            path = path_of(change.uri)
            if path is not None and change.type != types.FileChangeType.Deleted:
                _queue(ls).put_nowait(("modified", path, None))


def _queue(ls: AiLedgerServer) -> asyncio.Queue[tuple[str, Path, Path | None]]:
    """The changes on disk to handle, and the task handling them (made once)."""
    queue = getattr(ls, "_disk_changes", None)
    if queue is None:
        queue = ls._disk_changes = asyncio.Queue()  # type: ignore[attr-defined]
        asyncio.ensure_future(_consume(ls, queue))
    return queue


def start(ls: AiLedgerServer) -> None:
    """Watch every workspace folder (called once the server is initialized)."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    from .diagnostics import workspace_roots

    loop = asyncio.get_running_loop()
    queue = _queue(ls)

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.is_directory or event.event_type not in ("modified", "created", "moved", "closed"):
                return
            src = Path(str(event.src_path))
            dest = Path(str(event.dest_path)) if event.event_type == "moved" else None
            if IGNORED_PARTS & set(src.parts) or src.name.startswith("ledger.db"):
                return
            loop.call_soon_threadsafe(queue.put_nowait, (event.event_type, src, dest))

    observer = Observer()
    for root in set(workspace_roots(ls)):
        observer.schedule(Handler(), str(root), recursive=True)
    observer.daemon = True
    observer.start()
    watched = ", ".join(str(r) for r in set(workspace_roots(ls))) or "nothing"
    ls.window_log_message(types.LogMessageParams(types.MessageType.Info, f"ailedger: watching {watched} for changes on disk"))
    ls._observer = observer  # type: ignore[attr-defined]


async def _consume(ls: AiLedgerServer, queue: asyncio.Queue[tuple[str, Path, Path | None]]) -> None:
    from . import ledger_io
    from .diagnostics import publish_all
    from .policy import file_changed as policy_changed, is_policy_file

    while True:
        batch = [await queue.get()]
        await asyncio.sleep(SETTLE_SECONDS)  # coalesce a burst of writes (a settling delay, not a wait for the server)
        while not queue.empty():
            batch.append(queue.get_nowait())
        changed: dict[Path, None] = {}
        for kind, src, dest in batch:
            if kind == "moved" and dest is not None:
                try:
                    if await ls.run_io(ledger_io.file_renamed, src, dest):
                        log.info("regions of %s moved to %s", src, dest)
                except Exception:
                    log.exception("could not follow the rename of %s", src)
                changed[dest] = None
            else:
                changed[src] = None
        open_paths = {s.path for s in ls.docs.values()}
        for path in changed:
            if is_policy_file(path):
                if await policy_changed(ls, path):
                    publish_all(ls)  # every open file's findings follow the policy in force
                continue
            if path in open_paths:
                continue  # the editor owns it: its didChange notifications are the truth
            try:
                await ls.run_io(ledger_io.file_changed, path)
            except Exception:
                log.exception("could not re-anchor %s", path)
