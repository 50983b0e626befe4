"""Re-anchoring by line diff: a region keeps exactly the lines the diff pairs."""

from __future__ import annotations

from ailedger.regions.positions import Encoding, Pos, Span
from ailedger.regions.reanchor import reanchor

EMOJI = "😀"
OLD = "top\n\ndef f():\n    x = 'a'\n    return x\n\nbottom\n"
SPAN = Span(Pos(2, 0), Pos(5, 0))  # the three lines of f
REGION = [("f", SPAN, [SPAN])]


def sp(l1: int, c1: int, l2: int, c2: int) -> Span:
    return Span(Pos(l1, c1), Pos(l2, c2))


def test_same_text_is_unchanged() -> None:
    [r] = reanchor(OLD, OLD, REGION, "utf-16")
    assert (r.status, r.span, r.ai_spans, r.lines_kept, r.lines_total) == ("unchanged", SPAN, [SPAN], 3, 3)


def test_lines_added_above_move_the_region() -> None:
    [r] = reanchor(OLD, "new\n" + OLD, REGION, "utf-16")
    assert (r.status, r.span, r.ai_spans) == ("moved", sp(3, 0, 6, 0), [sp(3, 0, 6, 0)])


def test_changes_elsewhere_leave_the_region_unchanged() -> None:
    [r] = reanchor(OLD, OLD.replace("bottom", "changed"), REGION, "utf-16")
    assert (r.status, r.span) == ("unchanged", SPAN)


def test_a_reformatted_line_is_not_the_ais_any_more() -> None:
    [r] = reanchor(OLD, OLD.replace("'a'", '"a"'), REGION, "utf-16")
    assert (r.status, r.lines_kept, r.lines_total) == ("modified", 2, 3)
    # the extent still spans the changed line; the AI text does not
    assert r.span == SPAN
    assert r.ai_spans == [sp(2, 0, 3, 0), sp(4, 0, 5, 0)]


def test_a_reindented_region_is_not_found() -> None:
    new = OLD.replace("def f():\n    x = 'a'\n    return x\n", "    def f():\n        x = 'a'\n        return x\n")
    [r] = reanchor(OLD, new, REGION, "utf-16")
    assert (r.status, r.span, r.ai_spans, r.lines_kept) == ("not-found", None, [], 0)


def test_lines_inserted_inside_are_inside_the_region_but_not_ai_text() -> None:
    [r] = reanchor(OLD, OLD.replace("    return x\n", "    log(x)\n    return x\n"), REGION, "utf-16")
    assert (r.status, r.lines_kept) == ("modified", 3)
    assert r.span == sp(2, 0, 6, 0)
    assert r.ai_spans == [sp(2, 0, 4, 0), sp(5, 0, 6, 0)]


def test_a_line_moved_across_more_lines_is_not_followed_like_git_blame() -> None:
    # the diff keeps the four lines and sees the AI line deleted and inserted
    # again, so, as for git blame without -M, it is a new line
    span = sp(4, 0, 5, 0)
    [r] = reanchor("a\nb\nc\nd\nAI line\n", "AI line\na\nb\nc\nd\n", [("r", span, [span])], "utf-16")
    assert (r.status, r.span) == ("not-found", None)


def test_a_partial_line_region_keeps_its_columns_in_any_encoding() -> None:
    old = f"s = '{EMOJI}' + call(1)\n"
    cases: list[tuple[Encoding, int, int]] = [("utf-16", 11, 18), ("utf-8", 13, 20), ("utf-32", 10, 17)]
    for enc, start, end in cases:
        span = sp(0, start, 0, end)
        [r] = reanchor(old, "# header\n" + old, [("r", span, [span])], enc)
        assert r.span == sp(1, start, 1, end) and r.status == "moved"


def test_crlf_lines_match_their_lf_selves() -> None:
    # a checkout converting line endings changes no code
    [r] = reanchor(OLD.replace("\n", "\r\n"), OLD, REGION, "utf-16")
    assert (r.status, r.span) == ("unchanged", SPAN)


def test_a_region_through_the_last_line_without_a_break_ends_on_that_line() -> None:
    old = "a\nAI\n"
    [r] = reanchor(old, "b\na\nAI", [("r", sp(1, 0, 2, 0), [sp(1, 0, 2, 0)])], "utf-16")
    assert r.span == sp(2, 0, 2, 2)


def test_each_region_is_followed_on_its_own() -> None:
    regions = [("a", sp(0, 0, 1, 0), [sp(0, 0, 1, 0)]), ("f", SPAN, [SPAN])]
    results = reanchor(OLD, OLD.replace("top\n", "TOP\n"), regions, "utf-16")
    assert [(r.region_id, r.status) for r in results] == [("a", "not-found"), ("f", "unchanged")]
