"""`ailedger summary BASE..HEAD`: the pull request view.

The lines a pull request adds are those of `git diff BASE...HEAD`: what HEAD
changed since it forked from BASE (their merge base), which is what GitHub
and GitLab show, so commits that landed on BASE meanwhile are not counted.
Each added line, in HEAD's version of its file, is the AI's own text (inside
a region's AI ranges), AI text a person changed, or a person's. The AI's own
lines are then counted by the review status of their region, taken for the
text HEAD holds (a review attests to exact text), and by tool and model.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .gitread import GitError, blob_texts, commit_of, git
from .ledger.canonical import sha256_text
from .ledger.projection import status_of
from .ledger.store import Ledger
from .placed import lines_of, regions_in, runs
from .regions.positions import LineIndex

# A line's review bucket, by its region's status for the text there now.
BUCKETS = {"reviewed": "reviewedLines", "unreviewed": "unreviewedLines", "reopened": "unreviewedLines",
           "changed-after-review": "changedAfterReviewLines", "rejected": "rejectedLines"}
COUNTS = ("addedLines", "aiLines", "reviewedLines", "unreviewedLines", "changedAfterReviewLines",
          "rejectedLines", "aiEditedLines", "humanLines")
TOOL_COUNTS = COUNTS[1:6]  # by tool and model: the AI's own lines and their review
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    by_tool: dict[tuple[str, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, other: "Tally") -> None:
        self.counts.update(other.counts)
        for key, c in other.by_tool.items():
            self.by_tool[key].update(c)

    def to_json(self) -> dict[str, Any]:
        return {**{k: self.counts[k] for k in COUNTS},
                "byTool": [{"tool": t, "model": m, **{k: c[k] for k in TOOL_COUNTS}}
                           for (t, m), c in sorted(self.by_tool.items(), key=lambda kv: -kv[1]["aiLines"])]}


@dataclass
class Summary:
    range: str
    base: str  # the merge base the range is diffed from
    head: str
    files: dict[str, Tally]
    lines: dict[str, dict[int, str]]  # path -> 1-based added line -> "ai:STATUS" | "ai-edited" | "human"

    @property
    def totals(self) -> Tally:
        total = Tally()
        for tally in self.files.values():
            total.add(tally)
        return total

    def to_json(self) -> dict[str, Any]:
        return {"range": self.range, "base": self.base, "head": self.head,
                "files": [{"path": p, **t.to_json(), "lineRanges": _ranges(self.lines[p])}
                          for p, t in sorted(self.files.items())],
                "totals": self.totals.to_json()}


def _ranges(marks: dict[int, str]) -> dict[str, list[list[int]]]:
    """Which added lines are which, as [first, last] runs (1-based): reviewed,
    unreviewed, changedAfterReview, rejected (the AI's own text), aiEdited, human."""
    names = {f"ai:{status}": bucket.removesuffix("Lines") for status, bucket in BUCKETS.items()}
    names.update({"ai-edited": "aiEdited", "human": "human"})
    grouped: dict[str, list[int]] = defaultdict(list)
    for line, mark in marks.items():
        grouped[names[mark]].append(line)
    return {name: [list(run) for run in runs(lines)] for name, lines in sorted(grouped.items())}


def parse_range(spec: str) -> tuple[str, str]:
    """`BASE..HEAD` or `BASE...HEAD` (both mean the pull request's diff)."""
    base, dots, head = spec.partition("...")
    if not dots:
        base, dots, head = spec.partition("..")
    if not dots or not base or not head:
        raise GitError(f"expected BASE..HEAD (two revisions), got {spec!r}")
    return base, head


def added_lines(root: Path, base: str, head: str) -> dict[str, list[int]]:
    """path in HEAD -> the 1-based lines the diff from `base` adds to it.
    Renames are detected, so a file moved as it was adds nothing."""
    out: dict[str, list[int]] = {}
    path = None
    diff = git(root, "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--unified=0", "--find-renames",
               "--src-prefix=a/", "--dst-prefix=b/", base, head)
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            path = None if name == "/dev/null" else _unquote(name)[2:]  # "b/..."
        elif line.startswith("@@") and path is not None:
            match = _HUNK.match(line)
            if match:
                start, count = int(match[1]), int(match[2] if match[2] is not None else 1)
                out.setdefault(path, []).extend(range(start, start + count))
    return {p: lines for p, lines in out.items() if lines}


def _unquote(name: str) -> str:
    """git quotes a path holding a tab, newline, quote or backslash C-style."""
    if not (name.startswith('"') and name.endswith('"')):
        return name
    import codecs

    return codecs.escape_decode(name[1:-1].encode("utf-8"))[0].decode("utf-8", "replace")


def summarise(ledger: Ledger, root: Path, spec: str) -> Summary:
    base_rev, head_rev = parse_range(spec)
    base, head = commit_of(root, base_rev), commit_of(root, head_rev)
    try:
        fork = git(root, "merge-base", base, head).strip()
    except GitError:
        raise GitError(f"{base_rev} and {head_rev} share no history (no merge base)") from None
    files: dict[str, Tally] = {}
    lines: dict[str, dict[int, str]] = {}
    added_by_path = added_lines(root, fork, head)
    texts = blob_texts(root, head, list(added_by_path))
    for path, added in added_by_path.items():
        text = texts[path]
        if text is None:  # binary: no lines to attribute
            continue
        files[path], lines[path] = _file(ledger, root, path, text, added)
    return Summary(spec, fork, head, files, lines)


def _file(ledger: Ledger, root: Path, path: str, text: str, added: list[int]) -> tuple[Tally, dict[int, str]]:
    from .placement.describe import model_name, tool_name

    index = LineIndex(text)
    who: dict[int, tuple[str, dict[str, Any] | None, str]] = {}  # 0-based line -> (what, row, status)
    for placed in regions_in(ledger, root, path, text):
        row = dict(placed.row, text_sha256=sha256_text(index.slice(placed.span, "utf-16")))
        status = status_of(row)
        ai = {n for s in placed.ai_spans for n in lines_of(s)}
        for n in lines_of(placed.span):
            if who.get(n, ("human",))[0] != "ai":  # where regions overlap, the AI's own text wins
                who[n] = ("ai" if n in ai else "ai-edited", row, status)
    tally, marks = Tally(), {}
    for line in added:
        what, row, status = who.get(line - 1, ("human", None, ""))
        tally.counts["addedLines"] += 1
        if what == "ai" and row is not None:
            tool = (tool_name(row), model_name(row))
            for counter in (tally.counts, tally.by_tool[tool]):
                counter["aiLines"] += 1
                counter[BUCKETS[status]] += 1
            marks[line] = f"ai:{status}"
        else:
            tally.counts["aiEditedLines" if what == "ai-edited" else "humanLines"] += 1
            marks[line] = what
    return tally, marks


def markdown(summary: Summary) -> str:
    """A pull-request comment: a verdict, a table per file with totals, and
    the AI lines by tool and model."""
    total = summary.totals.counts
    rows = [("File", "Added", "AI", "Reviewed", "Unreviewed", "Changed after review", "Rejected")]
    for path, tally in sorted(summary.files.items()):
        c = tally.counts
        rows.append((f"`{_cell(path)}`", *(str(c[k]) for k in COUNTS[:3]), str(c["unreviewedLines"]),
                     str(c["changedAfterReviewLines"]), str(c["rejectedLines"])))
    rows.append(("**Total**", *(f"**{total[k]}**" for k in ("addedLines", "aiLines", "reviewedLines",
                                                          "unreviewedLines", "changedAfterReviewLines",
                                                          "rejectedLines"))))
    out = [f"### AI-written code in `{_cell(summary.range)}`", "", verdict(summary), "", _table(rows)]
    by_tool = summary.totals.by_tool
    if by_tool:
        tools = [("Tool", "Model", "AI lines", "Reviewed", "Unreviewed", "Changed after review")]
        for (tool, model), c in sorted(by_tool.items(), key=lambda kv: -kv[1]["aiLines"]):
            tools.append((_cell(tool), _cell(model), str(c["aiLines"]), str(c["reviewedLines"]),
                          str(c["unreviewedLines"]), str(c["changedAfterReviewLines"])))
        out += ["", "By tool and model:", "", _table(tools)]
    edited = total["aiEditedLines"]
    out += ["", f"<sub>Lines this range adds (`git diff {summary.base[:12]}...{summary.head[:12]}`): "
                f"{total['aiLines']} the AI's own text, {edited} AI text changed by a person, "
                f"{total['humanLines']} by people. Reported by ailedger.</sub>"]
    return "\n".join(out) + "\n"


def verdict(summary: Summary) -> str:
    c = summary.totals.counts
    if not c["aiLines"]:
        return f"**No AI-written lines** among the {c['addedLines']} added."
    share = f"**{c['aiLines']} of {c['addedLines']} added lines are AI-written** ({c['aiLines'] / c['addedLines']:.0%})"
    pending = c["unreviewedLines"] + c["changedAfterReviewLines"] + c["rejectedLines"]
    if not pending:
        return f"{share}; all of them reviewed."
    parts = [f"{c[k]} {label}" for k, label in (("unreviewedLines", "unreviewed"),
                                                ("changedAfterReviewLines", "changed after review"),
                                                ("rejectedLines", "rejected")) if c[k]]
    return f"{share}; {c['reviewedLines']} reviewed, {', '.join(parts)}: needs review before merging."


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'").replace("\n", " ")


def _table(rows: list[tuple[str, ...]]) -> str:
    head, *body = rows
    align = ["---"] + ["---:" if h not in ("Tool", "Model") else "---" for h in head[1:]]
    return "\n".join("| " + " | ".join(r) + " |" for r in [head, tuple(align), *body])
