"""How long DocumentRegions.apply_change takes with 10,000 regions.

Builds a 20,000-line document holding 10,000 regions, applies a realistic
mix of 20,000 edits at random places, and prints the latency of each
apply_change beside the 0.5 ms p99 target, with a naive loop over every
region (the same per-region rules, no chunks) as a baseline.

    .venv/bin/python bench/regions_edit.py
"""

from __future__ import annotations

import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable

from ailedger.regions.edit import Edit, Piece, move_region
from ailedger.regions.positions import Pos, Span
from ailedger.regions.tracker import DocumentRegions

LINES = 20_000
REGIONS = 10_000
EDITS = 20_000
NAIVE_EDITS = 1_000  # the naive loop is slow; a prefix of the same edits
TARGET_P99_MS = 0.5
SEED = 20_240_601

Change = tuple[str, Pos, Pos, str]  # kind, start, end, inserted text


class NaiveRegions:
    """The obvious design: visit every region on every change."""

    def __init__(self, snapshot: list[tuple[str, Span, list[Span]]]) -> None:
        self.regions: list[tuple[str, Piece, list[Piece]]] = [
            (rid, _piece(span), [_piece(s) for s in ai]) for rid, span, ai in snapshot
        ]

    def apply_change(self, start: Pos, end: Pos, text: str) -> None:
        lines = text.split("\n")
        new_end = (start.line + len(lines) - 1, (start.character if len(lines) == 1 else 0) + len(lines[-1]))
        e = Edit((start.line, start.character), (end.line, end.character), new_end, bool(text))
        d = e.line_delta
        kept = []
        for rid, (s, t), ai in self.regions:
            if t <= e.start:
                kept.append((rid, (s, t), ai))
            elif s[0] > e.end[0]:  # on a later line: only the lines move
                kept.append(
                    (rid, ((s[0] + d, s[1]), (t[0] + d, t[1])), [((x[0] + d, x[1]), (y[0] + d, y[1])) for x, y in ai])
                )
            else:
                moved = move_region(s, t, ai, e)
                if moved is not None:
                    kept.append((rid, (moved.start, moved.end), moved.ai))
        self.regions = kept

    def snapshot(self) -> list[tuple[str, Span, list[Span]]]:
        return [(rid, _span(extent), [_span(p) for p in ai]) for rid, extent, ai in self.regions]


def _piece(span: Span) -> Piece:
    return (span.start.line, span.start.character), (span.end.line, span.end.character)


def _span(piece: Piece) -> Span:
    return Span(Pos(*piece[0]), Pos(*piece[1]))


class Document:
    """Line lengths of an ASCII document: enough to make valid edits."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.lengths = [rng.randint(0, 80) for _ in range(LINES)]

    def replace(self, start: Pos, end: Pos, text: str) -> None:
        pieces = text.split("\n")
        head, tail = start.character, self.lengths[end.line] - end.character
        new = [len(p) for p in pieces]
        new[0] += head
        new[-1] += tail
        self.lengths[start.line : end.line + 1] = new

    def random_pos(self) -> Pos:
        line = self.rng.randrange(len(self.lengths))
        return Pos(line, self.rng.randint(0, self.lengths[line]))

    def before(self, p: Pos) -> Pos:
        """The position one character before p (backspace)."""
        if p.character:
            return Pos(p.line, p.character - 1)
        if p.line:
            return Pos(p.line - 1, self.lengths[p.line - 1])
        return p


def plant(doc: Document, regions: DocumentRegions, rng: random.Random) -> None:
    # one region every other line, 1-3 lines long, some starting mid-line;
    # a long one overlaps the next region, which claims the shared AI text
    for i in range(REGIONS):
        line = i * LINES // REGIONS
        last = line + rng.randint(0, 2)
        start = Pos(line, rng.randint(0, doc.lengths[line] // 2))
        end = Pos(last, doc.lengths[last])
        if end <= start:  # an empty line: take its line break
            end = Pos(line + 1, 0)
        regions.add(f"r{i}", Span(start, end))


def next_change(doc: Document, regions: DocumentRegions, ids: list[str], rng: random.Random) -> Change:
    kind = rng.choices(
        ["type", "enter", "backspace", "delete line", "paste", "inside region"],
        weights=[40, 10, 20, 5, 5, 20],
    )[0]
    p = doc.random_pos()
    if kind == "inside region":
        rid = rng.choice(ids)
        if rid in regions:
            span = regions.span(rid)
            line = rng.randint(span.start.line, span.end.line)
            lo = span.start.character if line == span.start.line else 0
            hi = span.end.character if line == span.end.line else doc.lengths[line]
            p = Pos(line, rng.randint(lo, max(lo, hi)))
        if rng.random() < 0.5:
            return kind, p, p, "y"
        return kind, doc.before(p), p, ""
    if kind == "type":
        return kind, p, p, "x"
    if kind == "enter":
        return kind, p, p, "\n    "
    if kind == "backspace":
        return kind, doc.before(p), p, ""
    if kind == "delete line":
        if p.line + 1 < len(doc.lengths):
            return kind, Pos(p.line, 0), Pos(p.line + 1, 0), ""
        return kind, Pos(p.line, 0), Pos(p.line, doc.lengths[p.line]), ""
    return kind, p, p, "def f():\n    return 1\n\n"


def timed(apply: Callable[[Pos, Pos, str], object], start: Pos, end: Pos, text: str) -> float:
    t0 = time.perf_counter_ns()
    apply(start, end, text)
    return (time.perf_counter_ns() - t0) / 1e6


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def row(name: str, samples: list[float]) -> str:
    ok = "ok" if p99(samples) < TARGET_P99_MS else "OVER"
    return (
        f"| {name:<24} | {len(samples):>6} | {statistics.median(samples):>9.4f} "
        f"| {p99(samples):>9.4f} | {max(samples):>9.3f} | {TARGET_P99_MS:>6} {ok:<4} |"
    )


def main() -> None:
    rng = random.Random(SEED)
    doc = Document(rng)
    regions = DocumentRegions("utf-16")
    plant(doc, regions, rng)
    ids = regions.ids()
    naive = NaiveRegions(regions.snapshot())

    by_kind: dict[str, list[float]] = defaultdict(list)
    changes: list[Change] = []
    at_naive_end: list[tuple[str, Span, list[Span]]] = []
    for i in range(EDITS):
        if i == NAIVE_EDITS:
            at_naive_end = regions.snapshot()
        kind, start, end, text = next_change(doc, regions, ids, rng)
        by_kind[kind].append(timed(regions.apply_change, start, end, text))
        doc.replace(start, end, text)
        changes.append((kind, start, end, text))

    naive_ms = [timed(naive.apply_change, s, e, t) for _, s, e, t in changes[:NAIVE_EDITS]]
    assert naive.snapshot() == at_naive_end, "chunked and naive trackers disagree"

    chunked_ms = [ms for samples in by_kind.values() for ms in samples]
    header = ("tracker / edit kind", "edits", "median ms", "p99 ms", "max ms", "p99 target")
    print("| {:<24} | {:>6} | {:>9} | {:>9} | {:>9} | {:<11} |".format(*header))
    print(f"|{'-' * 26}|{'-' * 8}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 13}|")
    print(row("chunked: all edits", chunked_ms))
    for kind, samples in by_kind.items():
        print(row(f"chunked: {kind}", samples))
    print(row("naive loop: all edits", naive_ms))
    verdict = "PASS" if p99(chunked_ms) < TARGET_P99_MS else "FAIL"
    print(
        f"verdict: {verdict}: {len(ids)} regions, {LINES} lines, apply_change p99 {p99(chunked_ms):.3f} ms"
        f" (target {TARGET_P99_MS} ms, naive loop {p99(naive_ms):.3f} ms)"
    )


if __name__ == "__main__":
    main()
