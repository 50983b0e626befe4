"""A child process for the multi-process tests: append events one by one (or
in batches) and print each event id as soon as its append has returned."""

from __future__ import annotations

import sys

from ailedger.ledger.store import Ledger
from helpers import acceptance_payload

if __name__ == "__main__":
    path, count, batch, tag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    ledger = Ledger(path)
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    i = 0
    while count == 0 or i < count:
        items = [("acceptance", acceptance_payload(i + k, regionId=f"{tag}-{i + k}")) for k in range(batch)]
        for event in ledger.append_many(items, actor=f"{tag}@example.com"):
            sys.stdout.write(event.id + "\n")
        sys.stdout.flush()
        i += batch
