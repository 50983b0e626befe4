from ailedger.regions.inserted import inserted_hunks, split_lines
from ailedger.regions.positions import Pos, Span


def test_split_lines_keeps_every_kind_of_line_break() -> None:
    text = "a\r\nb\rc\nd"
    assert split_lines(text) == ["a\r\n", "b\r", "c\n", "d"]
    assert "".join(split_lines(text)) == text


def test_new_file_is_one_hunk() -> None:
    assert inserted_hunks(None, "x = 1\ny = 2\n") == [(Span(Pos(0, 0), Pos(2, 0)), "x = 1\ny = 2\n")]


def test_lines_added_in_two_places_are_two_hunks() -> None:
    before = "a\nb\nc\n"
    after = "a\nNEW1\nb\nc\nNEW2\n"
    assert inserted_hunks(before, after) == [
        (Span(Pos(1, 0), Pos(2, 0)), "NEW1\n"),
        (Span(Pos(4, 0), Pos(5, 0)), "NEW2\n"),
    ]


def test_a_changed_last_line_without_break_ends_at_its_content_in_utf16() -> None:
    assert inserted_hunks("a\nb", "a\nb 😀") == [(Span(Pos(1, 0), Pos(1, 4)), "b 😀")]


def test_deletions_alone_insert_nothing() -> None:
    assert inserted_hunks("a\nb\nc\n", "a\nc\n") == []
