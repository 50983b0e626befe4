"""Run the server as a child and move bytes both ways, unchanged.

Each direction has its own thread: read, write, and only then hand the bytes
to the observer's queue. Parsing, document tracking and the ledger all
happen on other threads.

The two directions are observed in the order the bytes were read: an answer
the editor reacts to must be seen before the reaction (the completion items
before the command that accepts one). A thread takes a ticket from one
shared counter after reading and before writing (a counter increment is all
that precedes the write), and the observer takes chunks in ticket order.
"""

from __future__ import annotations

import itertools
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import Any, Callable

from ..errors import UserError
from .framing import Framer
from .recorder import Recorder
from .session import Session

log = logging.getLogger("ailedger.proxy")

CHUNK = 1 << 16
# A forwarding thread that wakes up while the observer is busy waits for the
# GIL at most this long (Python's default is 5 ms).
SWITCH_INTERVAL = 0.0002
DRAIN_SECONDS = 5.0  # at exit, how long observing and recording may take to finish


class CannotStart(UserError, OSError):
    pass


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def pump(src: int, dst: int, sender: str, copies: SimpleQueue[Any], ticket: Callable[[], int],
         at_eof: Callable[[], None], at_broken: Callable[[], None]) -> None:
    read, put = os.read, copies.put
    while True:
        try:
            data = read(src, CHUNK)
        except OSError:
            data = b""
        if not data:
            at_eof()
            return
        number = ticket()
        try:
            write_all(dst, data)
        except OSError:
            at_broken()
            return
        finally:
            put((number, sender, data))


def observe(copies: SimpleQueue[Any], session: Session, recorder: Recorder) -> None:
    framers = {"client": Framer(), "server": Framer()}
    held: dict[int, tuple[str, bytes]] = {}  # chunks whose turn has not come
    turn = 0
    while True:
        deadline = session.next_deadline()
        try:
            got = copies.get(timeout=None if deadline is None else max(0.0, deadline - time.monotonic()))
        except Empty:
            session.expire(time.monotonic())
            continue
        if got is None:
            for number in sorted(held):
                sender, data = held[number]
                observe_bodies(framers[sender].feed(data), sender, session, recorder)
            session.expire(float("inf"))  # the server is gone: what is still held never will be
            return
        number, sender, data = got
        held[number] = (sender, data)
        while turn in held:
            sender, data = held.pop(turn)
            turn += 1
            observe_bodies(framers[sender].feed(data), sender, session, recorder)
        session.expire(time.monotonic())


def observe_bodies(bodies: list[bytes], sender: str, session: Session, recorder: Recorder) -> None:
    import orjson

    for body in bodies:
        try:
            message = orjson.loads(body)
        except orjson.JSONDecodeError as err:
            log.warning("a %s message is not JSON (%s); forwarded as it is", sender, err)
            continue
        try:
            if isinstance(message, dict):
                for acceptance in session.handle(sender, message, time.monotonic()):
                    recorder.put(acceptance)
        except Exception:  # noqa: BLE001 - observing must survive anything a peer sends
            log.exception("could not follow a %s message", sender)


def run(command: list[str], db: Path) -> int:
    """Proxy until the server exits; its exit status is ours."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    except OSError as err:
        raise CannotStart(f"cannot start {command[0]}: {err.strerror or err}") from None
    assert child.stdin is not None and child.stdout is not None
    copies: SimpleQueue[Any] = SimpleQueue()
    recorder = Recorder(db)
    session = Session(Path(command[0]).name)
    observer = threading.Thread(target=observe, args=(copies, session, recorder),
                                name="ailedger-proxy-observer", daemon=True)
    observer.start()

    def stop_child() -> None:  # the editor is gone: nobody will read the server
        if child.poll() is None:
            child.terminate()

    ticket = itertools.count().__next__  # atomic under the GIL
    to_server = threading.Thread(
        target=pump, name="ailedger-proxy-to-server", daemon=True,
        args=(sys.stdin.fileno(), child.stdin.fileno(), "client", copies, ticket, child.stdin.close, lambda: None))
    to_editor = threading.Thread(
        target=pump, name="ailedger-proxy-to-editor", daemon=True,
        args=(child.stdout.fileno(), sys.stdout.fileno(), "server", copies, ticket, lambda: None, stop_child))
    to_server.start()
    to_editor.start()

    def forward(signum: int, frame: Any) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)

    while True:  # wait in slices so that forwarded signals are handled promptly
        try:
            code = child.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            continue
    to_editor.join(DRAIN_SECONDS)  # what the server wrote before exiting still reaches the editor
    copies.put(None)
    deadline = time.monotonic() + DRAIN_SECONDS
    observer.join(DRAIN_SECONDS)
    recorder.close(max(0.1, deadline - time.monotonic()) + DRAIN_SECONDS)
    return code if code >= 0 else 128 - code
