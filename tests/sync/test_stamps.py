"""The service stores every time in one sortable form, so that its indexes
order instants: the fast path for the UTC stamps ailedger writes must agree
with the general one for every form RFC 3339 allows."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ailedger.sync.service.storage import stamp


def general(value: str) -> str:
    when = datetime.fromisoformat(value)
    when = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.mark.parametrize("value", [
    "2026-11-27T12:00:00Z", "2026-11-27T12:00:00.5Z", "2026-11-27T12:00:00.05Z", "2026-11-27T12:00:00.123456Z",
    "2026-11-27T12:00:00+01:00", "2026-11-27T00:30:00.25-02:30", "2026-11-27T12:00:00", "2026-11-27T12:00:00.1",
    "2026-12-31T23:59:59.999999+00:00",
])
def test_a_stamp_is_the_utc_instant_with_microseconds(value: str) -> None:
    assert stamp(value) == general(value)


def test_stamps_sort_as_their_instants() -> None:
    values = ["2026-11-27T12:00:00.5Z", "2026-11-27T12:00:00Z", "2026-11-27T13:00:00+02:00", "2026-11-27T12:00:00.05Z"]
    by_text = sorted(values, key=stamp)
    by_instant = sorted(values, key=lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")))
    assert by_text == by_instant


def test_a_time_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError):
        stamp("yesterday")
