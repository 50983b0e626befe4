"""The rules of live tracking, one by one."""

from __future__ import annotations

import pytest

from ailedger.regions import tracker
from ailedger.regions.positions import Pos, Span
from ailedger.regions.tracker import DocumentRegions

EMOJI = "😀"


def sp(l1: int, c1: int, l2: int, c2: int) -> Span:
    return Span(Pos(l1, c1), Pos(l2, c2))


@pytest.fixture
def doc() -> DocumentRegions:
    """One region over [(2, 4), (4, 6))."""
    d = DocumentRegions("utf-16")
    d.add("r", sp(2, 4, 4, 6))
    return d


def test_an_edit_on_an_earlier_line_moves_the_region_by_lines(doc: DocumentRegions) -> None:
    effect = doc.apply_change(Pos(0, 3), Pos(0, 3), "one\ntwo\n")
    assert doc.span("r") == sp(4, 4, 6, 6) and doc.ai_spans("r") == [sp(4, 4, 6, 6)]
    assert effect.moved and not effect.modified and not effect.ended


def test_an_edit_earlier_on_the_first_line_moves_the_region_by_columns(doc: DocumentRegions) -> None:
    doc.apply_change(Pos(2, 0), Pos(2, 1), "xyz")
    assert doc.span("r") == sp(2, 6, 4, 6)


def test_an_edit_after_the_region_leaves_it_alone(doc: DocumentRegions) -> None:
    effect = doc.apply_change(Pos(4, 7), Pos(5, 0), "zz\n\n")
    assert doc.span("r") == sp(2, 4, 4, 6)
    assert not effect.moved and not effect.modified


def test_typing_at_the_start_is_outside_the_region(doc: DocumentRegions) -> None:
    effect = doc.apply_change(Pos(2, 4), Pos(2, 4), "human ")
    assert doc.span("r") == sp(2, 10, 4, 6) and doc.ai_spans("r") == [sp(2, 10, 4, 6)]
    assert not effect.modified


def test_typing_at_the_end_is_outside_the_region(doc: DocumentRegions) -> None:
    effect = doc.apply_change(Pos(4, 6), Pos(4, 6), " # human\nmore")
    assert doc.span("r") == sp(2, 4, 4, 6)
    assert not effect.modified and not effect.moved


def test_typing_inside_is_inside_the_region_but_not_ai_text(doc: DocumentRegions) -> None:
    effect = doc.apply_change(Pos(3, 2), Pos(3, 2), "h\nh")
    assert doc.span("r") == sp(2, 4, 5, 6)
    assert doc.ai_spans("r") == [sp(2, 4, 3, 2), sp(4, 1, 5, 6)]
    assert effect.modified == {"r"} and effect.moved


def test_deleting_part_of_the_region_shrinks_it(doc: DocumentRegions) -> None:
    effect = doc.apply_change(Pos(1, 0), Pos(3, 0), "")
    assert doc.span("r") == sp(1, 0, 2, 6) and doc.ai_spans("r") == [sp(1, 0, 2, 6)]
    assert effect.modified == {"r"}


def test_replacing_text_inside_is_a_delete_then_an_insert(doc: DocumentRegions) -> None:
    effect = doc.apply_change(Pos(3, 1), Pos(3, 4), "XY")
    assert doc.span("r") == sp(2, 4, 4, 6)
    assert doc.ai_spans("r") == [sp(2, 4, 3, 1), sp(3, 3, 4, 6)]
    assert effect.modified == {"r"}


def test_deleting_all_of_a_region_ends_it_with_its_last_span(doc: DocumentRegions) -> None:
    effect = doc.apply_change(Pos(2, 0), Pos(5, 0), "replacement")
    assert "r" not in doc and len(doc) == 0
    assert effect.ended == {"r": sp(2, 4, 4, 6)} and not effect.modified


def test_deleting_the_human_text_between_ai_spans_joins_them(doc: DocumentRegions) -> None:
    doc.apply_change(Pos(3, 2), Pos(3, 2), "human")
    effect = doc.apply_change(Pos(3, 2), Pos(3, 7), "")
    assert doc.ai_spans("r") == [sp(2, 4, 4, 6)]
    assert not effect.modified  # only human characters went


def test_a_region_keeps_its_extent_when_all_its_ai_text_is_gone() -> None:
    doc = DocumentRegions("utf-16")
    doc.add("r", sp(0, 0, 0, 3))  # "abc"
    doc.apply_change(Pos(0, 1), Pos(0, 1), "h")  # "ahbc"
    doc.apply_change(Pos(0, 2), Pos(0, 4), "")  # "ah"
    effect = doc.apply_change(Pos(0, 0), Pos(0, 1), "")  # "h"
    assert doc.span("r") == sp(0, 0, 0, 1) and doc.ai_spans("r") == []
    assert effect.modified == {"r"} and not effect.ended


def test_a_newer_region_claims_the_ai_text_it_covers() -> None:
    doc = DocumentRegions("utf-16")
    doc.add("old", sp(0, 0, 4, 0))
    doc.add("new", sp(1, 0, 2, 0))
    assert doc.span("old") == sp(0, 0, 4, 0)
    assert doc.ai_spans("old") == [sp(0, 0, 1, 0), sp(2, 0, 4, 0)]
    # typing at the inner region's start is inside the outer one only
    effect = doc.apply_change(Pos(1, 0), Pos(1, 0), "h")
    assert effect.modified == {"old"}
    assert doc.span("new") == sp(1, 1, 2, 0) and doc.ai_spans("new") == [sp(1, 1, 2, 0)]


def test_multi_cursor_changes_apply_in_order() -> None:
    doc = DocumentRegions("utf-16")
    for line in range(3):
        doc.add(f"r{line}", sp(line, 4, line, 8))
    # three cursors at column 0 type "# ": each change is relative to the
    # document after the previous one
    for line in range(3):
        doc.apply_change(Pos(line, 0), Pos(line, 0), "# ")
    assert [doc.span(f"r{line}") for line in range(3)] == [sp(line, 6, line, 10) for line in range(3)]


def test_utf16_positions_count_emoji_as_two_units() -> None:
    doc = DocumentRegions("utf-16")
    doc.add("r", sp(0, 4, 0, 12))  # x = '😀😀' sits at columns 4..12
    doc.apply_change(Pos(0, 0), Pos(0, 0), EMOJI)
    assert doc.span("r") == sp(0, 6, 0, 14)
    doc.apply_change(Pos(0, 10), Pos(0, 10), f"{EMOJI}é")  # inside: 3 units
    assert doc.span("r") == sp(0, 6, 0, 17)
    assert doc.ai_spans("r") == [sp(0, 6, 0, 10), sp(0, 13, 0, 17)]


def test_utf8_positions_count_bytes() -> None:
    doc = DocumentRegions("utf-8")
    doc.add("r", sp(0, 4, 0, 9))
    doc.apply_change(Pos(0, 0), Pos(0, 0), f"é{EMOJI}")
    assert doc.span("r") == sp(0, 10, 0, 15)


def test_crlf_is_one_line_break() -> None:
    doc = DocumentRegions("utf-16")
    doc.add("r", sp(3, 0, 4, 0))
    doc.apply_change(Pos(1, 2), Pos(1, 2), "a\r\nb\r\n")
    assert doc.span("r") == sp(5, 0, 6, 0)


def test_snapshot_and_restore_round_trip() -> None:
    doc = DocumentRegions("utf-16")
    doc.add("a", sp(0, 0, 2, 0))
    doc.add("b", sp(1, 0, 1, 5), [sp(1, 1, 1, 3)])
    snap = doc.snapshot()
    other = DocumentRegions("utf-16")
    other.add("gone", sp(9, 0, 9, 1))
    other.restore(snap)
    assert other.snapshot() == snap and "gone" not in other
    assert other.ids() == ["a", "b"]


def test_remove_forgets_a_region(doc: DocumentRegions) -> None:
    doc.remove("r")
    assert "r" not in doc and doc.ids() == []
    assert not doc.apply_change(Pos(0, 0), Pos(0, 0), "\n").moved


@pytest.mark.parametrize(
    ("span", "ai"),
    [(sp(1, 0, 1, 0), None), (sp(1, 0, 2, 0), [sp(0, 0, 1, 1)]), (sp(1, 0, 2, 0), [sp(1, 5, 2, 1)])],
)
def test_add_refuses_empty_regions_and_ai_text_outside(span: Span, ai: list[Span] | None) -> None:
    with pytest.raises(ValueError):
        DocumentRegions().add("r", span, ai)


def test_add_refuses_a_second_region_with_the_same_id(doc: DocumentRegions) -> None:
    with pytest.raises(ValueError):
        doc.add("r", sp(7, 0, 8, 0))


def test_a_change_may_not_end_before_it_starts(doc: DocumentRegions) -> None:
    with pytest.raises(ValueError):
        doc.apply_change(Pos(3, 0), Pos(2, 0), "")


def test_a_long_region_is_reached_from_many_chunks_away() -> None:
    doc = DocumentRegions("utf-16")
    doc.add("outer", sp(0, 0, 1000, 0))
    for line in range(1, 999, 2):
        doc.add(f"inner{line}", sp(line, 0, line, 4))
    assert len(doc._chunks) > 3, "the regions must span several chunks"
    effect = doc.apply_change(Pos(900, 2), Pos(900, 2), "typed\n")
    assert effect.modified == {"outer"}
    assert doc.span("outer") == sp(0, 0, 1001, 0)
    assert doc.span("inner901") == sp(902, 0, 902, 4)
    assert len(doc.ids()) == len(doc) == 1 + len(range(1, 999, 2))
    assert max(len(c.regions) for c in doc._chunks) <= tracker._LOAD * 2
