from ailedger.regions.positions import Pos, Span
from ailedger.regions.tracker import DocumentRegions


def test_extents_match_spans_in_document_order_after_edits() -> None:
    regions = DocumentRegions("utf-16")
    for i in range(300):  # enough regions for several chunks
        regions.add(f"r{i:03}", Span(Pos(i * 3, 2), Pos(i * 3 + 1, 5)))
    regions.apply_change(Pos(10, 0), Pos(10, 0), "a\nb\n")
    regions.apply_change(Pos(400, 0), Pos(402, 0), "")
    got = list(regions.extents())
    assert [g[0] for g in got] == regions.ids()
    for region_id, sl, sc, el, ec in got:
        assert regions.span(region_id) == Span(Pos(sl, sc), Pos(el, ec))
