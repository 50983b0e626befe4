"""The one thread that writes the ledger. The observer hands it verified
acceptances; whatever goes wrong here (a damaged ledger, a full disk) is
logged to stderr and nothing else happens: forwarding never waits for it."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from queue import SimpleQueue
from typing import Any

from .session import Acceptance

log = logging.getLogger("ailedger.proxy")


class Recorder:
    def __init__(self, db: Path) -> None:
        self.db = db
        self.queue: SimpleQueue[Acceptance | None] = SimpleQueue()
        self.ledger: Any = None
        self.thread = threading.Thread(target=self._run, name="ailedger-proxy-recorder", daemon=True)
        self.thread.start()

    def put(self, acceptance: Acceptance) -> None:
        self.queue.put(acceptance)

    def close(self, timeout: float) -> None:
        """Record what is queued (waiting at most `timeout` seconds), then stop."""
        self.queue.put(None)
        self.thread.join(timeout)
        if self.ledger is not None and not self.thread.is_alive():
            self.ledger.close()

    def _run(self) -> None:
        # Import the validation and ledger code now, not when the user first
        # accepts a suggestion.
        from ..capture import acceptance_payload  # noqa: F401
        from ..ledger import store  # noqa: F401
        from ..models import AcceptanceParams, adapter

        adapter(AcceptanceParams)
        while (acceptance := self.queue.get()) is not None:
            try:
                self._record(acceptance)
            except Exception as err:  # noqa: BLE001 - every failure is the same: log it, store nothing
                p = acceptance.params
                log.error("could not record the %s acceptance of item %s in %s: %s; nothing was stored",
                          p["kind"], p.get("itemId"), acceptance.path, err)

    def _record(self, acceptance: Acceptance) -> None:
        from ..capture import acceptance_payload, check_text_at
        from ..ledger.identity import current_user, repo_of
        from ..ledger.ids import new_id
        from ..ledger.store import Ledger
        from ..models import AcceptanceParams, validate

        params = validate(AcceptanceParams, acceptance.params, "acceptance")
        check_text_at(acceptance.document, params, "utf-16")
        user = current_user()
        where = repo_of(acceptance.path)
        payload = acceptance_payload(params, region_id=new_id(), user=user, where=where)
        if self.ledger is None:
            self.ledger = Ledger(self.db)  # opened on first use: a bad --db costs nothing until then
        event = self.ledger.append("acceptance", payload, actor=user)
        r = params["range"]
        log.info("recorded %s acceptance %s: %s %d:%d-%d:%d (event %s)", params["kind"], payload["regionId"],
                 where.path, r["start"]["line"], r["start"]["character"], r["end"]["line"], r["end"]["character"],
                 event.id)
