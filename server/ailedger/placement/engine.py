"""The placement engine: where each region's text is in a working copy now.

In order, for each region:
1. its recorded path: at its recorded range when the text there is the
   recorded text; else by git's line diff from the ledger's last snapshot of
   the file; else by its lines found in the file (a teammate's working copy,
   where the ledger has no snapshot);
2. the path git's rename detection maps a vanished recorded path to;
3. the repository's other files, by content (an index of line hashes picks
   the few files worth reading).
Text found in a second place while the region is somewhere already is a
copy: the same region, twice. A region found nowhere is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..files import read_document
from ..ledger.canonical import sha256_text
from ..ledger.identity import RepoRef, repo_of, repo_of_folder
from ..ledger.projection import LIVE
from ..ledger.store import Ledger, Snapshot
from ..regions.positions import LineIndex, Pos, Span
from . import lines as content
from .index import LineIndex as FileIndex
from .index import PlacedCache, cache_path
from .model import FilePlacements, Layout, Placement, Row, Via, lines_of
from .needles import Keyed, needles
from .needles import cached as cached_needles
from .place import row_ai_spans, row_span
from .renames import Renames

# --- one file ---------------------------------------------------------------


def _at_path(path: str, text: str, rows: dict[str, Row], found_lines: dict[str, content.Needle],
             seen: Snapshot | None, via: Via = "recorded") -> list[Placement]:
    """Regions recorded at (or renamed from) a path, in that file's text now."""
    index = LineIndex(text)
    out: list[Placement] = []
    rest: dict[str, Row] = {}
    for rid, row in rows.items():
        span = row_span(row)
        if span.end.line < len(index.starts) and sha256_text(index.slice(span, "utf-16")) == row["text_sha256"]:
            out.append(Placement(rid, path, span, row_ai_spans(row), via, row, row["text_sha256"]))
        else:
            rest[rid] = row
    moved: Via = "reanchored" if via == "recorded" else via
    if rest and seen is not None and not seen.same_as(text):
        from ..regions.reanchor import reanchor

        regions = [(rid, row_span(row), row_ai_spans(row)) for rid, row in rest.items()]
        for r in reanchor(*seen.against(text), regions, "utf-16"):
            if r.span is not None:
                out.append(Placement(r.region_id, path, r.span, r.ai_spans, moved, rest.pop(r.region_id),
                                     sha256_text(index.slice(r.span, "utf-16"))))
    if rest:
        lines, breaks = content.split(text)
        for rid, row in rest.items():
            if rid in found_lines:
                hit = content.find(found_lines[rid], lines, breaks, elsewhere=False)
                if hit is not None:
                    out.append(_found(rid, path, hit, moved, row, index))
    return out


def _pack(p: Placement) -> tuple[Any, ...]:
    def flat(span: Span) -> tuple[int, int, int, int]:
        return span.start.line, span.start.character, span.end.line, span.end.character

    return p.region_id, flat(p.span), [flat(s) for s in p.ai_spans], p.via, p.text_sha256


def _unpack(path: str, rows: dict[str, Row], item: tuple[Any, ...]) -> Placement:
    def span(t: tuple[int, int, int, int]) -> Span:
        return Span(Pos(t[0], t[1]), Pos(t[2], t[3]))

    rid, extent, ai, via, sha = item
    return Placement(rid, path, span(extent), [span(s) for s in ai], via, rows[rid], sha)


def _found(region_id: str, path: str, hit: content.Found, via: Via, row: Row, index: LineIndex) -> Placement:
    return Placement(region_id, path, hit.span, hit.ai_spans, via, row, sha256_text(index.slice(hit.span, "utf-16")))


def _overlaps(found: Span, others: Iterable[Placement]) -> bool:
    """Most of these lines already belong to a region placed here (the same
    code accepted twice is two regions, not four)."""
    mine = lines_of(found)
    return any(len(mine & p.lines()) * 2 >= len(mine) for p in others)


def _read(root: Path, path: str) -> str | None:
    try:
        with open(os.path.join(root, path), encoding="utf-8", newline="") as f:  # as files.read_document
            return f.read()
    except (OSError, UnicodeDecodeError):
        return None


def place_file(ledger: Ledger, path: Path, text: str | None = None) -> FilePlacements:
    """The regions whose text is in the file at `path` (its text now, read
    from disk unless given): those recorded here, those whose file was
    renamed to this one, and those whose lines were moved or copied here.
    Read-only: nothing is recorded."""
    if text is None:
        text = read_document(path)
    ref = repo_of(path)
    rows = {r["region_id"]: r for r in ledger.regions(repo=ref.repo, status=LIVE)}
    here = {rid: row for rid, row in rows.items() if row["path"] == ref.path}
    seen = ledger.snapshot(ref.repo, ref.path)
    wanted = needles(ledger, rows)
    placements = _at_path(ref.path, text, here, wanted, seen)
    renames = Renames(ref.root)
    gone: dict[str, dict[str, Row]] = {}
    for rid, row in rows.items():
        if rid not in here and not (ref.root / row["path"]).is_file():
            gone.setdefault(row["path"], {})[rid] = row
    for old, group in gone.items():
        if renames.of(old) == ref.path:
            placements += _at_path(ref.path, text, group, wanted, ledger.snapshot(ref.repo, old), "renamed")
    placed = {p.region_id for p in placements}
    lines, breaks = content.split(text)
    index = LineIndex(text)
    origins: dict[str, str | None] = {}
    for rid in Keyed.of(wanted).scores([content.key(line) for line in lines]):
        if rid in placed:
            continue
        hit = content.find(wanted[rid], lines, breaks, elsewhere=True)
        if hit is None or _overlaps(hit.span, placements):
            continue
        row = rows[rid]
        still = _still_at_origin(ledger, ref, row, wanted, renames, origins)
        placements.append(_found(rid, ref.path, hit, "copied" if still else "moved", row, index))
    missing = [rid for rid in here if rid not in {p.region_id for p in placements}]
    return FilePlacements(ref, text, placements, bool(here) or seen is not None, here, missing)


def _still_at_origin(ledger: Ledger, ref: RepoRef, row: Row, wanted: dict[str, content.Needle], renames: Renames,
                     texts: dict[str, str | None]) -> bool:
    """Is the region still where the ledger has it (or where its file was
    renamed to)? Then text found elsewhere is a copy."""
    origin = row["path"] if (ref.root / row["path"]).is_file() else renames.of(row["path"])
    if origin is None:
        return False
    if origin not in texts:
        texts[origin] = _read(ref.root, origin)
    text = texts[origin]
    if text is None:
        return False
    via: Via = "recorded" if origin == row["path"] else "renamed"
    return bool(_at_path(origin, text, {row["region_id"]: row}, wanted, ledger.snapshot(ref.repo, row["path"]), via))


# --- a whole working copy ---------------------------------------------------


def locate(ledger: Ledger, root: Path, *, index: bool = True) -> Layout:
    """Every live region of the repository at `root`, placed in its working
    copy. `index=False` skips the content search of other files (steps 1
    and 2 only). Read-only, except the line-hash cache beside the ledger."""
    ref = repo_of_folder(root)
    root = ref.root
    rows = {r["region_id"]: r for r in ledger.regions(repo=ref.repo, status=LIVE)}
    by_path: dict[str, dict[str, Row]] = {}
    for rid, row in rows.items():
        by_path.setdefault(row["path"], {})[rid] = row
    texts: dict[str, str | None] = {}
    files = FileIndex(root, cache_path(ledger.path, root)).build() if index and rows else None
    if files is not None:
        wanted, keyed = cached_needles(ledger, rows, cache_path(ledger.path, root).with_suffix(".needles"))
    else:
        wanted, keyed = needles(ledger, rows), None

    def text_of(path: str) -> str | None:
        if path not in texts:
            data = files.read.pop(path, None) if files else None
            try:
                texts[path] = data.decode("utf-8") if data is not None else _read(root, path)
            except UnicodeDecodeError:
                texts[path] = None
        return texts[path]

    found: dict[str, list[Placement]] = {}
    renames = Renames(root)
    cached = PlacedCache(cache_path(ledger.path, root).with_suffix(".placed") if files else None)
    snapshots = dict(ledger.conn.execute("SELECT path, sha256 FROM file_snapshots WHERE repo = ?", (ref.repo,)))
    for path, group in sorted(by_path.items()):
        stat = files.stats.get(path) if files else None
        key = (stat, sorted((rid, row["updated_event"]) for rid, row in group.items()), snapshots.get(path))
        hit = cached.get(path, key) if stat else None
        if hit is not None:
            placements = [_unpack(path, group, item) for item in hit]
        else:
            text = text_of(path)
            seen = ledger.snapshot(ref.repo, path) if path in snapshots else None
            if text is not None:
                placements = _at_path(path, text, group, wanted, seen)
                if stat:
                    cached.put(path, key, [_pack(p) for p in placements])
            else:
                new = renames.of(path)
                new_text = text_of(new) if new else None
                placements = [] if new is None or new_text is None else _at_path(new, new_text, group, wanted,
                                                                                 seen, "renamed")
        for p in placements:
            found.setdefault(p.region_id, []).append(p)
    if files is not None and keyed is not None:
        _search(rows, wanted, keyed, found, text_of, files, cached)
    cached.save()
    placements = [p for rid in rows for p in found.get(rid, [])]
    shown = {p.path for p in placements}
    return Layout(ref, rows, placements, [rid for rid in rows if rid not in found],
                  {path: text for path, text in texts.items() if text is not None and path in shown})


def _search(rows: dict[str, Row], wanted: dict[str, content.Needle], keyed: Keyed,
            found: dict[str, list[Placement]], text_of: Any, files: FileIndex, cached: PlacedCache) -> None:
    """Step 3: the regions' lines in the repository's other files. Which
    regions a file may hold is kept while neither it nor the regions change."""
    extra: dict[str, list[tuple[str, content.Found, LineIndex]]] = {}
    by_file: dict[str, list[Placement]] = {}
    for ps in found.values():
        for p in ps:
            by_file.setdefault(p.path, []).append(p)
    for path, file_keys in files.files.items():
        key = (files.stats[path], keyed.digest)
        hits = cached.get(("search", path), key) if keyed.digest else None
        if hits is None:
            hits = keyed.scores(file_keys)
            if keyed.digest:
                cached.put(("search", path), key, hits)
        todo = [rid for rid in hits if all(p.path != path for p in found.get(rid, ()))]
        if not todo:
            continue
        text = text_of(path)
        if text is None:
            continue
        lines, breaks = content.split(text)
        index = LineIndex(text)
        needed = {line for rid in todo for line in wanted[rid].lines}
        positions: dict[str, list[int]] = {}
        for j, line in enumerate(lines):
            if line in needed:
                positions.setdefault(line, []).append(j)
        for rid in todo:
            hit = content.find(wanted[rid], lines, breaks, elsewhere=True, positions=positions)
            if hit is not None and not _overlaps(hit.span, by_file.get(path, [])):
                extra.setdefault(rid, []).append((path, hit, index))
    for rid, places in extra.items():
        places.sort(key=lambda ph: -ph[1].score)
        row = rows[rid]
        for n, (path, hit, index) in enumerate(places):
            via: Via = "moved" if n == 0 and rid not in found else "copied"
            placement = _found(rid, path, hit, via, row, index)
            found.setdefault(rid, []).append(placement)
            by_file.setdefault(path, []).append(placement)
