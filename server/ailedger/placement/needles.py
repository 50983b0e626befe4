"""What the engine looks for: each region's lines as the AI wrote them,
and an index of them by line hash to pick the files worth reading."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import orjson

from ..ledger.store import Ledger
from . import lines as content
from .index import read_cache, write_cache
from .model import Row

def needles(ledger: Ledger, rows: dict[str, Row]) -> dict[str, content.Needle]:
    """Each region's lines as the AI wrote them (from its acceptance event)."""
    by_event = {row["accepted_event"]: rid for rid, row in rows.items()}
    ids = list(by_event)
    out: dict[str, content.Needle] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        query = f"SELECT id, body FROM events WHERE id IN ({', '.join('?' * len(chunk))})"
        for event_id, body in ledger.conn.execute(query, chunk):
            out[by_event[event_id]] = content.needle(orjson.loads(body)["payload"].get("text") or "")
    return out


# A line that many regions share ("if qty >= 10:", "return None") says little
# about which region a file holds: like git's diff, leave frequent lines out
# of the choice of files to read (they still count once a file is read).
SHARED_BY = 8


@dataclass
class Keyed:
    """Line hash -> the regions holding that line, to score files quickly."""

    lines: dict[int, list[tuple[str, int]]]
    minimum: dict[str, int]  # the score a file must reach to be worth reading for a region
    digest: str = ""  # names the regions it was built for, when cached (see `cached`)

    @classmethod
    def of(cls, wanted: dict[str, content.Needle]) -> "Keyed":
        lines: dict[int, list[tuple[str, int]]] = {}
        for rid, needle in wanted.items():
            for line, weight in dict(needle.significant()).items():
                lines.setdefault(content.key(line), []).append((rid, weight))
        lines = {k: v for k, v in lines.items() if len(v) <= SHARED_BY}
        usable: dict[str, int] = {}
        for holders in lines.values():
            for rid, weight in holders:
                usable[rid] = usable.get(rid, 0) + weight
        # a short region must be found whole; a long one needs git's 40 characters
        minimum = {rid: max(content.SIGNIFICANT * 3, min(content.ELSEWHERE_SCORE, wanted[rid].total, total))
                   for rid, total in usable.items()}
        return cls(lines, minimum)

    def scores(self, file_keys: Collection[int]) -> dict[str, int]:
        """Region id -> score, for the regions this file holds enough of."""
        scores: dict[str, int] = {}
        lines = self.lines
        if lines.keys().isdisjoint(file_keys):  # most files: no line of any region, no set built
            return scores
        for k in lines.keys() & set(file_keys):
            for rid, weight in lines[k]:
                scores[rid] = scores.get(rid, 0) + weight
        return {r: s for r, s in scores.items() if s >= self.minimum[r]}


_CACHE_VERSION = 2


def cached(ledger: Ledger, rows: dict[str, Row], cache: Path | None) -> tuple[dict[str, content.Needle], Keyed]:
    """`needles` and their `Keyed`, kept beside the ledger while the live
    regions are the same ones: an acceptance's text never changes (its event
    is chained), so only the set of regions can. Every check after the first
    reads one small file instead of 2,000 events."""
    key = hashlib.sha256("\n".join(sorted(f"{rid} {row['accepted_event']}" for rid, row in rows.items()))
                         .encode()).hexdigest()
    saved = read_cache(cache) if cache is not None else None
    if isinstance(saved, tuple) and len(saved) == 4 and saved[:2] == (_CACHE_VERSION, key):
        return saved[2], saved[3]  # saved with its digest (format 2)
    wanted = needles(ledger, rows)
    keyed = Keyed.of(wanted)
    keyed.digest = key
    if cache is not None:
        write_cache(cache, (_CACHE_VERSION, key, wanted, keyed))
    return wanted, keyed
