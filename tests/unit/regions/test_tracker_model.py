"""DocumentRegions against the character-ownership oracle, over random edits."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ailedger.regions import tracker
from ailedger.regions.positions import Encoding, Span
from ailedger.regions.tracker import DocumentRegions

from .char_model import CharModel

# astral emoji: two UTF-16 units, four UTF-8 bytes; é: one unit, two bytes
TOKENS = ["a", "b", " ", "é", "😀", "\n", "\r\n"]
texts = st.lists(st.sampled_from(TOKENS), max_size=6).map("".join)


def draw_offset(data: st.DataObject, model: CharModel) -> int:
    """An offset in the text, often one at or next to a region boundary."""
    n = len(model.chars)
    marks = {0, n}
    for span, ai in model.state().values():
        for s in [span, *ai]:
            for p in (s.start, s.end):
                o = model.offset(p)
                marks |= {max(0, o - 1), o, min(n, o + 1)}
    offset: int = data.draw(st.one_of(st.integers(0, n), st.sampled_from(sorted(marks))))
    # a position cannot point between the \r and \n of a \r\n
    if 0 < offset < n and model.chars[offset - 1].ch == "\r" and model.chars[offset].ch == "\n":
        offset -= 1
    return offset


def assert_same(doc: DocumentRegions, model: CharModel) -> None:
    expected = model.state()
    assert {r: (doc.span(r), doc.ai_spans(r)) for r in doc.ids()} == expected
    assert len(doc) == len(expected)
    starts = [doc.span(r).start for r in doc.ids()]
    assert starts == sorted(starts), "ids() must be in document order"


def run_steps(data: st.DataObject, enc: Encoding, steps: int) -> None:
    model = CharModel(data.draw(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=30).map("".join)), enc)
    doc = DocumentRegions(enc)
    next_id = 0
    for _ in range(steps):
        if data.draw(st.integers(0, 3)) == 0:
            a, b = sorted((draw_offset(data, model), draw_offset(data, model)))
            if a == b:
                continue
            pos = model.positions()
            span = Span(pos[a], pos[b])
            cuts = sorted(data.draw(st.lists(st.integers(a, b), max_size=4)))
            pairs = zip(cuts[::2], cuts[1::2], strict=False)  # an odd cut is dropped
            ai = None if data.draw(st.booleans()) else [Span(pos[x], pos[y]) for x, y in pairs]
            region_id = f"r{next_id}"
            next_id += 1
            doc.add(region_id, span, ai)
            model.add(region_id, span, [span] if ai is None else ai)
        else:
            a, b = sorted((draw_offset(data, model), draw_offset(data, model)))
            pos = model.positions()
            text = data.draw(texts)
            effect = doc.apply_change(pos[a], pos[b], text)
            modified, ended, moved = model.apply(pos[a], pos[b], text)
            assert effect.modified == modified
            assert effect.ended == ended
            assert effect.moved == moved
        assert_same(doc, model)


@pytest.mark.parametrize(("enc", "load"), [("utf-16", 1), ("utf-8", 1), ("utf-32", 1), ("utf-16", 64)])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_tracker_agrees_with_character_model(data: st.DataObject, enc: Encoding, load: int) -> None:
    # load 1 splits chunks after two regions, so lazy line deltas and edits
    # across chunk borders are exercised with a handful of regions
    with patch.object(tracker, "_LOAD", load):
        run_steps(data, enc, steps=25)
