"""Re-anchoring by line diff: identical lines carry a region; changed lines do not."""

from ailedger.regions.positions import Pos, Span
from ailedger.regions.reanchor import reanchor

OLD = "a\nb\nAI one\nAI two\nc\n"
REGION = [("r", Span(Pos(2, 0), Pos(4, 0)), [Span(Pos(2, 0), Pos(4, 0))])]


def test_lines_added_above_move_the_region() -> None:
    [r] = reanchor(OLD, "new\nnew\n" + OLD, REGION, "utf-16")
    assert (r.status, r.span, r.lines_kept) == ("moved", Span(Pos(4, 0), Pos(6, 0)), 2)


def test_identical_text_is_unchanged() -> None:
    [r] = reanchor(OLD, OLD, REGION, "utf-16")
    assert (r.status, r.span) == ("unchanged", REGION[0][1])


def test_a_reformatted_line_is_not_counted_as_the_ais() -> None:
    [r] = reanchor(OLD, OLD.replace("AI two", "AI  two  "), REGION, "utf-16")
    assert r.status == "modified" and r.lines_kept == 1
    assert r.span == Span(Pos(2, 0), Pos(3, 0)) and r.ai_spans == [Span(Pos(2, 0), Pos(3, 0))]


def test_lines_inserted_inside_split_the_ai_text() -> None:
    [r] = reanchor(OLD, OLD.replace("AI one\n", "AI one\nhuman\n"), REGION, "utf-16")
    assert r.span == Span(Pos(2, 0), Pos(5, 0))
    assert r.ai_spans == [Span(Pos(2, 0), Pos(3, 0)), Span(Pos(4, 0), Pos(5, 0))]


def test_region_whose_lines_are_all_gone_is_not_found() -> None:
    [r] = reanchor(OLD, "a\nb\nc\n", REGION, "utf-16")
    assert (r.status, r.span, r.lines_kept) == ("not-found", None, 0)


def test_partial_line_region_keeps_its_columns() -> None:
    region = [("r", Span(Pos(1, 4), Pos(1, 10)), [Span(Pos(1, 4), Pos(1, 10))])]
    [r] = reanchor("x\ny = compute()\n", "top\nx\ny = compute()\n", region, "utf-16")
    assert r.span == Span(Pos(2, 4), Pos(2, 10))
