"""The dashboard's SVG charts and figures: Vietnamese numbers, twelve months that fit."""

import re

from langnghe.insights.charts import TREND_PAD, TREND_WIDTH, bar_chart, line_chart
from langnghe.insights.views import _display, _tiles

MONTHS = [f"{m:02d}/2025" for m in range(1, 13)]


def _x_labels(svg: str) -> list[tuple[str, float, bool]]:
    found = re.findall(
        r'<text class="chart-axis chart-x( chart-x-minor)?" x="([\d.]+)"[^>]*>([^<]*)<', svg
    )
    return [(text, float(x), bool(minor)) for minor, x, text in found]


def test_twelve_months_are_all_named_and_one_in_three_on_a_phone():
    svg = line_chart(
        MONTHS, [("Vụ việc", list(range(12))), ("Hội thoại", [3] * 12)], title="Xu hướng"
    )
    labels = _x_labels(svg)
    assert [t for t, _x, _m in labels] == MONTHS
    # On a phone (class chart-x-minor hidden by console.css): 03, 06, 09 and 12/2025.
    assert [t for t, _x, minor in labels if not minor] == [
        "03/2025",
        "06/2025",
        "09/2025",
        "12/2025",
    ]
    # Every name is centred on its point, with room for half a name at each edge: the last
    # month ("12/2025") is not cut by the chart's right edge.
    xs = [x for _t, x, _m in labels]
    assert xs == sorted(xs)
    assert TREND_WIDTH - xs[-1] >= TREND_PAD["right"] - 0.1
    assert xs[0] >= TREND_PAD["left"] - 0.1
    assert svg.count("<polyline") == 2
    assert 'class="chart-keys"' in svg and "Hội thoại" in svg


def test_long_periods_name_at_most_twelve_points():
    days = [f"{d:02d}/01" for d in range(1, 32)]
    labels = _x_labels(line_chart(days, [("Vụ việc", [1] * 31)], title="t"))
    assert len(labels) <= 12
    assert labels[-1][0] == "31/01"  # the last is always named
    assert 2 <= len([1 for _t, _x, minor in labels if not minor]) <= 5


def test_axis_and_bars_write_vietnamese_figures():
    svg = line_chart(MONTHS, [("Phiếu", [0, 1234] + [5] * 10)], title="t")
    assert re.search(r">\d{1,3}\.\d{3}<", svg)  # thousands with a dot (e.g. 1.600)
    assert not re.search(r">\d+\.\d<", svg)  # never a decimal point
    bars = bar_chart(
        [("Công an phường Thọ Xương", 72.5), ("Công an xã Tân Mỹ", None)], title="t", suffix=" %"
    )
    assert "72,5 %" in bars and "72.5" not in bars and "—" in bars


def test_tiles_and_ranking_figures():
    assert _display("satisfaction", 83.33) == "83,3 %"
    assert _display("views", 12345) == "12.345"
    assert _display("views", None) == "—"
    now = {"satisfaction": 85.0, "views": 1500, "cases_received": 3}
    before = {"satisfaction": 82.5, "views": 1000, "cases_received": 0}
    keys = dict.fromkeys(
        (
            "on_time_rate",
            "overdue_now",
            "conversations",
            "first_response_median_s",
            "unanswered",
            "responses",
            "posts",
        )
    )
    tiles = {t["key"]: t for t in _tiles({**keys, **now}, {**keys, **before})}
    assert tiles["satisfaction"]["change"] == "+2,5 điểm"
    assert tiles["satisfaction"]["previous"] == "82,5 %"
    assert tiles["views"]["change"] == "+50 %"
    assert tiles["views"]["value"] == "1.500"
    # Nothing before: no base to compare with (not "+3", not a percentage).
    assert tiles["cases_received"]["change"] == "chưa đủ số liệu kỳ trước để so sánh"
