"""LSP positions in UTF-16, UTF-8 and UTF-32, and line breaks as LSP counts them."""

from __future__ import annotations

import pytest

from ailedger.regions.positions import Pos, Span, offset_at, pos_at, slice_text, text_end, unit_len

EMOJI = "😀"  # outside the BMP: a surrogate pair in UTF-16


@pytest.mark.parametrize(
    ("s", "utf8", "utf16", "utf32"),
    [("abc", 3, 3, 3), ("é", 2, 1, 1), (EMOJI, 4, 2, 1), (f"a{EMOJI}é", 7, 4, 3), ("", 0, 0, 0)],
)
def test_unit_len_counts_each_encodings_units(s: str, utf8: int, utf16: int, utf32: int) -> None:
    assert (unit_len(s, "utf-8"), unit_len(s, "utf-16"), unit_len(s, "utf-32")) == (utf8, utf16, utf32)


def test_text_end_on_one_line_adds_units_to_the_start_column() -> None:
    assert text_end(Pos(3, 5), f"x{EMOJI}", "utf-16") == Pos(3, 8)
    assert text_end(Pos(3, 5), f"x{EMOJI}", "utf-8") == Pos(3, 10)


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r"])
def test_text_end_counts_every_lsp_line_break_once(brk: str) -> None:
    assert text_end(Pos(3, 5), f"ab{brk}{brk}é{EMOJI}", "utf-16") == Pos(5, 3)


def test_text_end_ignores_breaks_lsp_does_not_know() -> None:
    # str.splitlines would split at \x0c and \u2028; editors do not
    assert text_end(Pos(0, 0), "a\x0cb\u2028c", "utf-16") == Pos(0, 5)


def test_positions_and_offsets_round_trip_through_emoji_and_crlf() -> None:
    text = f"a{EMOJI}b\r\nsecond é\rthird\n"
    for enc in ("utf-8", "utf-16", "utf-32"):
        for offset in range(len(text) + 1):
            if text[offset - 1 : offset + 1] == "\r\n":
                continue  # no position points between \r and \n
            assert offset_at(text, pos_at(text, offset, enc), enc) == offset, (enc, offset)


def test_utf16_columns_count_the_surrogate_pair() -> None:
    text = f"{EMOJI}x"
    assert pos_at(text, 1, "utf-16") == Pos(0, 2)
    assert offset_at(text, Pos(0, 2), "utf-16") == 1
    # a column inside the pair means the character it splits
    assert offset_at(text, Pos(0, 1), "utf-16") == 0


def test_a_column_past_the_line_end_clamps_to_the_line_end() -> None:
    text = "ab\r\ncd"
    assert offset_at(text, Pos(0, 99), "utf-16") == 2
    assert offset_at(text, Pos(1, 99), "utf-16") == 6
    assert offset_at(text, Pos(7, 0), "utf-16") == 6


def test_an_offset_between_cr_and_lf_stays_on_its_line() -> None:
    assert pos_at("ab\r\ncd", 3, "utf-16") == Pos(0, 2)
    assert pos_at("ab\r\ncd", 4, "utf-16") == Pos(1, 0)


def test_slice_text_takes_the_characters_of_a_span() -> None:
    text = f"x = '{EMOJI}'\r\ny = 2\n"
    assert slice_text(text, Span(Pos(0, 4), Pos(1, 1)), "utf-16") == f"'{EMOJI}'\r\ny"
    assert slice_text(text, Span(Pos(0, 5), Pos(0, 9)), "utf-8") == EMOJI


def test_a_span_may_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        Span(Pos(1, 0), Pos(0, 5))
    assert Span(Pos(1, 2), Pos(1, 2)).empty
