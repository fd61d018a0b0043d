"""The period a report or the dashboard compares with."""

import datetime as dt

import pytest

from langnghe.insights.selectors import Period


@pytest.mark.parametrize(
    "start, end, prev_start, prev_end",
    [
        # November (30 days) → the whole of October (31 days), not 02/10–31/10.
        (dt.date(2026, 11, 1), dt.date(2026, 11, 30), dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        # December (31 days) → November (30 days).
        (dt.date(2026, 12, 1), dt.date(2026, 12, 31), dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        # March → February, in a common and in a leap year.
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        (dt.date(2028, 3, 1), dt.date(2028, 3, 31), dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
        # February → January; January → December of the year before.
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28), dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31), dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        # A quarter → the quarter before.
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30), dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        # Not whole months: the same number of days just before.
        (dt.date(2026, 11, 6), dt.date(2026, 12, 5), dt.date(2026, 10, 7), dt.date(2026, 11, 5)),
    ],
)
def test_previous_period(start, end, prev_start, prev_end):
    assert Period(start, end).previous() == Period(prev_start, prev_end)


def _tile(tiles, key):
    return next(t for t in tiles if t["key"] == key)


def test_growth_needs_a_base_in_the_previous_period():
    from langnghe.insights import views
    from langnghe.insights.selectors import KPIS

    def kpis(count):
        return {key: 80.0 if unit == "%" else count for key, _l, unit, _b in KPIS}

    # 118 against 5 (history starts within the previous period): no percentage.
    tiles = views._tiles(kpis(118), kpis(5))
    count_key = next(k for k, _l, unit, _b in KPIS if unit not in ("%", "s"))
    tile = _tile(tiles, count_key)
    assert tile["change"] == "chưa đủ số liệu kỳ trước để so sánh"
    assert tile["tone"] == ""
    assert "%" not in tile["change"]
    # Nothing at all before: the same.
    assert _tile(views._tiles(kpis(40), kpis(0)), count_key)["change"] == views.NO_BASE
    # A real base: a growth rate.
    assert _tile(views._tiles(kpis(150), kpis(100)), count_key)["change"] == "+50 %"
    assert _tile(views._tiles(kpis(80), kpis(100)), count_key)["change"] == "−20 %"
