"""Which lines of two texts are the same lines, decided as git decides them.

Regions follow lines across outside changes the way `git blame` does, so
this is a port of the parts of git's xdiff (xprepare.c, xdiffi.c) that choose
the matching lines of its default diff:

1. trim the common prefix and suffix;
2. set aside lines that occur nowhere in the other text (and frequent lines
   amid such runs): they cannot match, and leaving them out keeps Myers fast;
3. Myers' O(ND) algorithm, linear-space divide and conquer with xdiff's
   tie-breaking and its cost limits for very different texts;
4. slide each run of changed lines to where git's compaction and its default
   indent heuristic put it. Where a run could sit in several places (a
   deleted blank line among blank lines), this decides which of the equal
   lines survives, and so which line a region keeps.

difflib (Ratcliff-Obershelp) matches differently from git on moved and
repeated lines, so blame and ailedger would disagree; test_reanchor_git.py
measures the agreement with real git.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

# xdiff's tuning constants, kept at git's values so results agree
_SNAKE_CNT = 20
_HEUR_MIN_COST = 256
_MAX_COST_MIN = 256
_K_HEUR = 4
_MAX_EQLIMIT = 1024
_SIMSCAN_WINDOW = 100
_KPDIS_RUN = 4
_LINE_MAX = 1 << 62


def matching_lines(old: Sequence[str], new: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs (old index, new index) of the lines the diff keeps, in order."""
    classes: dict[str, int] = {}
    a = [classes.setdefault(line, len(classes)) for line in old]
    b = [classes.setdefault(line, len(classes)) for line in new]
    # one spare False past the end: index n and index -1 both read it, the
    # sentinels xdiff keeps on either side of its arrays
    changed_a = [False] * (len(a) + 1)
    changed_b = [False] * (len(b) + 1)
    _mark_changes(a, b, changed_a, changed_b)
    _compact(a, old, changed_a, changed_b)
    _compact(b, new, changed_b, changed_a)
    pairs = []
    i = j = 0
    while i < len(a) and j < len(b):
        if changed_a[i]:
            i += 1
        elif changed_b[j]:
            j += 1
        else:
            pairs.append((i, j))
            i, j = i + 1, j + 1
    return pairs


# --- 1 and 2: xprepare.c ------------------------------------------------------


def _bogosqrt(n: int) -> int:
    i = 1
    while n > 0:
        n >>= 2
        i <<= 1
    return i


def _mark_changes(a: list[int], b: list[int], changed_a: list[bool], changed_b: list[bool]) -> None:
    n, m = len(a), len(b)
    prefix = 0
    while prefix < min(n, m) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(n, m) - prefix and a[n - 1 - suffix] == b[m - 1 - suffix]:
        suffix += 1
    keep_a = _keepable(a, prefix, n - suffix, Counter(b), changed_a)
    keep_b = _keepable(b, prefix, m - suffix, Counter(a), changed_b)
    _myers([a[i] for i in keep_a], [b[i] for i in keep_b], keep_a, keep_b, changed_a, changed_b)


def _keepable(x: list[int], start: int, end: int, other: Counter[int], changed: list[bool]) -> list[int]:
    """Indices in [start, end) worth diffing; the rest are marked changed."""
    limit = min(_bogosqrt(len(x)), _MAX_EQLIMIT)
    # 0: no match in the other text, 1: some, 2: many
    kind = [0] * len(x)
    for i in range(start, end):
        count = other[x[i]]
        kind[i] = 0 if count == 0 else 2 if count >= limit else 1
    kept = []
    for i in range(start, end):
        if kind[i] == 1 or (kind[i] == 2 and not _amid_discards(kind, i, start, end - 1)):
            kept.append(i)
        else:
            changed[i] = True
    return kept


def _amid_discards(kind: list[int], i: int, s: int, e: int) -> bool:
    """xdl_clean_mmatch: is a frequent line mostly surrounded by unmatched ones?"""
    s = max(s, i - _SIMSCAN_WINDOW)
    e = min(e, i + _SIMSCAN_WINDOW)
    unmatched_before, frequent_before = 0, 1
    r = 1
    while i - r >= s:
        if kind[i - r] == 0:
            unmatched_before += 1
        elif kind[i - r] == 2:
            frequent_before += 1
        else:
            break
        r += 1
    if unmatched_before == 0:
        return False
    unmatched_after, frequent_after = 0, 1
    r = 1
    while i + r <= e:
        if kind[i + r] == 0:
            unmatched_after += 1
        elif kind[i + r] == 2:
            frequent_after += 1
        else:
            break
        r += 1
    if unmatched_after == 0:
        return False
    unmatched = unmatched_before + unmatched_after
    frequent = frequent_before + frequent_after
    return frequent * _KPDIS_RUN < frequent + unmatched


# --- 3: xdiffi.c, xdl_recs_cmp and xdl_split ------------------------------------


def _myers(
    ha1: list[int], ha2: list[int], index1: list[int], index2: list[int], changed1: list[bool], changed2: list[bool]
) -> None:
    max_cost = max(_MAX_COST_MIN, _bogosqrt(len(ha1) + len(ha2) + 3))
    # an explicit stack: a recursion as deep as the edit script would
    # overflow Python's stack on large, very different files
    boxes = [(0, len(ha1), 0, len(ha2), False)]
    while boxes:
        off1, lim1, off2, lim2, need_min = boxes.pop()
        while off1 < lim1 and off2 < lim2 and ha1[off1] == ha2[off2]:
            off1, off2 = off1 + 1, off2 + 1
        while off1 < lim1 and off2 < lim2 and ha1[lim1 - 1] == ha2[lim2 - 1]:
            lim1, lim2 = lim1 - 1, lim2 - 1
        if off1 == lim1:
            for i in range(off2, lim2):
                changed2[index2[i]] = True
        elif off2 == lim2:
            for i in range(off1, lim1):
                changed1[index1[i]] = True
        else:
            i1, i2, min_lo, min_hi = _split(ha1, off1, lim1, ha2, off2, lim2, need_min, max_cost)
            boxes.append((i1, lim1, i2, lim2, min_hi))
            boxes.append((off1, i1, off2, i2, min_lo))


def _split(
    ha1: list[int], off1: int, lim1: int, ha2: list[int], off2: int, lim2: int, need_min: bool, max_cost: int
) -> tuple[int, int, bool, bool]:
    """Where the middle snake of the box crosses: (i1, i2, min_lo, min_hi)."""
    dmin, dmax = off1 - lim2, lim1 - off2
    fmid, bmid = off1 - off2, lim1 - lim2
    odd = (fmid - bmid) & 1
    fmin = fmax = fmid
    bmin = bmax = bmid
    kvdf = {fmid: off1}  # furthest forward reach of each diagonal
    kvdb = {bmid: lim1}  # furthest backward reach
    ec = 0
    while True:
        ec += 1
        got_snake = False
        if fmin > dmin:
            fmin -= 1
            kvdf[fmin - 1] = -1
        else:
            fmin += 1
        if fmax < dmax:
            fmax += 1
            kvdf[fmax + 1] = -1
        else:
            fmax -= 1
        for d in range(fmax, fmin - 1, -2):
            i1 = kvdf[d - 1] + 1 if kvdf[d - 1] >= kvdf[d + 1] else kvdf[d + 1]
            prev1 = i1
            i2 = i1 - d
            while i1 < lim1 and i2 < lim2 and ha1[i1] == ha2[i2]:
                i1, i2 = i1 + 1, i2 + 1
            if i1 - prev1 > _SNAKE_CNT:
                got_snake = True
            kvdf[d] = i1
            if odd and bmin <= d <= bmax and kvdb[d] <= i1:
                return i1, i2, True, True

        if bmin > dmin:
            bmin -= 1
            kvdb[bmin - 1] = _LINE_MAX
        else:
            bmin += 1
        if bmax < dmax:
            bmax += 1
            kvdb[bmax + 1] = _LINE_MAX
        else:
            bmax -= 1
        for d in range(bmax, bmin - 1, -2):
            i1 = kvdb[d - 1] if kvdb[d - 1] < kvdb[d + 1] else kvdb[d + 1] - 1
            prev1 = i1
            i2 = i1 - d
            while i1 > off1 and i2 > off2 and ha1[i1 - 1] == ha2[i2 - 1]:
                i1, i2 = i1 - 1, i2 - 1
            if prev1 - i1 > _SNAKE_CNT:
                got_snake = True
            kvdb[d] = i1
            if not odd and fmin <= d <= fmax and i1 <= kvdf[d]:
                return i1, i2, True, True

        if need_min:
            continue

        # A costly box with a long snake: settle for a good enough point.
        if got_snake and ec > _HEUR_MIN_COST:
            best = 0
            for d in range(fmax, fmin - 1, -2):
                dd = d - fmid if d > fmid else fmid - d
                i1 = kvdf[d]
                i2 = i1 - d
                v = (i1 - off1) + (i2 - off2) - dd
                if (
                    v > _K_HEUR * ec
                    and v > best
                    and off1 + _SNAKE_CNT <= i1 < lim1
                    and off2 + _SNAKE_CNT <= i2 < lim2
                    and all(ha1[i1 - k] == ha2[i2 - k] for k in range(1, _SNAKE_CNT + 1))
                ):
                    best, found = v, (i1, i2)
            if best > 0:
                return found[0], found[1], True, False
            best = 0
            for d in range(bmax, bmin - 1, -2):
                dd = d - bmid if d > bmid else bmid - d
                i1 = kvdb[d]
                i2 = i1 - d
                v = (lim1 - i1) + (lim2 - i2) - dd
                if (
                    v > _K_HEUR * ec
                    and v > best
                    and off1 < i1 <= lim1 - _SNAKE_CNT
                    and off2 < i2 <= lim2 - _SNAKE_CNT
                    and all(ha1[i1 + k] == ha2[i2 + k] for k in range(_SNAKE_CNT))
                ):
                    best, found = v, (i1, i2)
            if best > 0:
                return found[0], found[1], False, True

        # Enough: take the furthest reaching path.
        if ec >= max_cost:
            fbest, fbest1 = -1, -1
            for d in range(fmax, fmin - 1, -2):
                i1 = min(kvdf[d], lim1)
                i2 = i1 - d
                if lim2 < i2:
                    i1, i2 = lim2 + d, lim2
                if fbest < i1 + i2:
                    fbest, fbest1 = i1 + i2, i1
            bbest, bbest1 = _LINE_MAX, _LINE_MAX
            for d in range(bmax, bmin - 1, -2):
                i1 = max(off1, kvdb[d])
                i2 = i1 - d
                if i2 < off2:
                    i1, i2 = off2 + d, off2
                if i1 + i2 < bbest:
                    bbest, bbest1 = i1 + i2, i1
            if (lim1 + lim2) - bbest < fbest - (off1 + off2):
                return fbest1, fbest - fbest1, True, False
            return bbest1, bbest - bbest1, False, True


# --- 4: xdiffi.c, xdl_change_compact and the indent heuristic ------------------

_MAX_INDENT = 200
_MAX_BLANKS = 20
_START_OF_FILE_PENALTY = 1
_END_OF_FILE_PENALTY = 21
_TOTAL_BLANK_WEIGHT = -30
_POST_BLANK_WEIGHT = 6
_RELATIVE_INDENT_PENALTY = -4
_RELATIVE_INDENT_WITH_BLANK_PENALTY = 10
_RELATIVE_OUTDENT_PENALTY = 24
_RELATIVE_OUTDENT_WITH_BLANK_PENALTY = 17
_RELATIVE_DEDENT_PENALTY = 23
_RELATIVE_DEDENT_WITH_BLANK_PENALTY = 17
_INDENT_WEIGHT = 60
_INDENT_HEURISTIC_MAX_SLIDING = 100


class _Group:
    """A run [start, end) of changed lines; empty runs sit between unchanged lines."""

    __slots__ = ("changed", "n", "start", "end")

    def __init__(self, changed: list[bool]) -> None:
        self.changed = changed
        self.n = len(changed) - 1
        self.start = self.end = 0
        while changed[self.end]:
            self.end += 1

    def next(self) -> bool:
        if self.end == self.n:
            return False
        self.start = self.end = self.end + 1
        while self.changed[self.end]:
            self.end += 1
        return True

    def previous(self) -> bool:
        if self.start == 0:
            return False
        self.end = self.start = self.start - 1
        while self.changed[self.start - 1]:
            self.start -= 1
        return True

    def slide_down(self, recs: list[int]) -> bool:
        if self.end < self.n and recs[self.start] == recs[self.end]:
            self.changed[self.start] = False
            self.changed[self.end] = True
            self.start, self.end = self.start + 1, self.end + 1
            while self.changed[self.end]:
                self.end += 1
            return True
        return False

    def slide_up(self, recs: list[int]) -> bool:
        if self.start > 0 and recs[self.start - 1] == recs[self.end - 1]:
            self.start, self.end = self.start - 1, self.end - 1
            self.changed[self.start] = True
            self.changed[self.end] = False
            while self.changed[self.start - 1]:
                self.start -= 1
            return True
        return False


def _compact(recs: list[int], lines: Sequence[str], changed: list[bool], other_changed: list[bool]) -> None:
    g, go = _Group(changed), _Group(other_changed)
    while True:
        if g.end != g.start:
            # shift the run up, then down, as far as it goes, merging runs
            while True:
                size = g.end - g.start
                end_matching_other = -1
                while g.slide_up(recs):
                    go.previous()
                earliest_end = g.end
                if go.end > go.start:
                    end_matching_other = g.end
                while g.slide_down(recs):
                    go.next()
                    if go.end > go.start:
                        end_matching_other = g.end
                if size == g.end - g.start:
                    break
            if g.end == earliest_end:
                pass  # it could not move
            elif end_matching_other != -1:
                # line up with a run of changes in the other text
                while go.end == go.start:
                    g.slide_up(recs)
                    go.previous()
            else:
                best = _best_shift(lines, g, earliest_end, size)
                while g.end > best:
                    g.slide_up(recs)
                    go.previous()
        if not g.next():
            break
        go.next()


def _indent(line: str) -> int:
    """Columns of indentation (tab = 8), or -1 for a blank line."""
    ret = 0
    for c in line:
        if c not in " \t\n\r\f\v":
            return ret
        if c == " ":
            ret += 1
        elif c == "\t":
            ret += 8 - ret % 8
        if ret >= _MAX_INDENT:
            return _MAX_INDENT
    return -1


def _best_shift(lines: Sequence[str], g: _Group, earliest_end: int, size: int) -> int:
    """The end of the run that reads best, by git's indent heuristic."""
    shift = max(earliest_end, g.end - size - 1, g.end - _INDENT_HEURISTIC_MAX_SLIDING)
    best_shift, best = -1, (0, 0)
    while shift <= g.end:
        score = _score(lines, shift)
        other = _score(lines, shift - size)
        score = (score[0] + other[0], score[1] + other[1])
        if best_shift == -1 or _score_cmp(score, best) <= 0:
            best, best_shift = score, shift
        shift += 1
    return best_shift


def _score(lines: Sequence[str], split: int) -> tuple[int, int]:
    """(effective indent, penalty) of splitting the text above line `split`."""
    n = len(lines)
    end_of_file = split >= n
    indent = -1 if end_of_file else _indent(lines[split])
    pre_blank, pre_indent = 0, -1
    for i in range(split - 1, -1, -1):
        pre_indent = _indent(lines[i])
        if pre_indent != -1:
            break
        pre_blank += 1
        if pre_blank == _MAX_BLANKS:
            pre_indent = 0
            break
    post_blank, post_indent = 0, -1
    for i in range(split + 1, n):
        post_indent = _indent(lines[i])
        if post_indent != -1:
            break
        post_blank += 1
        if post_blank == _MAX_BLANKS:
            post_indent = 0
            break

    penalty = 0
    if pre_indent == -1 and pre_blank == 0:
        penalty += _START_OF_FILE_PENALTY
    if end_of_file:
        penalty += _END_OF_FILE_PENALTY
    blank_after = 1 + post_blank if indent == -1 else 0
    total_blank = pre_blank + blank_after
    penalty += _TOTAL_BLANK_WEIGHT * total_blank + _POST_BLANK_WEIGHT * blank_after
    if indent == -1:
        indent = post_indent
    any_blanks = total_blank != 0
    if indent == -1 or pre_indent == -1:
        pass
    elif indent > pre_indent:
        penalty += _RELATIVE_INDENT_WITH_BLANK_PENALTY if any_blanks else _RELATIVE_INDENT_PENALTY
    elif indent < pre_indent:
        if post_indent != -1 and post_indent > indent:
            penalty += _RELATIVE_OUTDENT_WITH_BLANK_PENALTY if any_blanks else _RELATIVE_OUTDENT_PENALTY
        else:
            penalty += _RELATIVE_DEDENT_WITH_BLANK_PENALTY if any_blanks else _RELATIVE_DEDENT_PENALTY
    return indent, penalty


def _score_cmp(s1: tuple[int, int], s2: tuple[int, int]) -> int:
    indents = (s1[0] > s2[0]) - (s1[0] < s2[0])
    return _INDENT_WEIGHT * indents + (s1[1] - s2[1])
