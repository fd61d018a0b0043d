"""core.templatetags.vn_format: Vietnamese numbers, percents and dates."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from langnghe.core.templatetags.vn_format import (
    vn_date,
    vn_datetime,
    vn_month,
    vn_number,
    vn_percent,
    vn_percent100,
)


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (0, 0, "0"),
        (7, 0, "7"),
        (999, 0, "999"),
        (1000, 0, "1.000"),
        (1234, 0, "1.234"),
        (1234567, 0, "1.234.567"),
        (-1234, 0, "-1.234"),
        (2.5, 1, "2,5"),
        (2.5, 0, "3"),  # half up, not banker's rounding
        (2.45, 1, "2,5"),
        (1234.5, 2, "1.234,50"),
        (Decimal("0.125"), 2, "0,13"),
        (-0.04, 1, "0,0"),  # no "-0,0"
        ("1234", 0, "1.234"),
        (3, "1", "3,0"),  # the template passes its argument as a string
    ],
)
def test_vn_number(value, digits, expected):
    assert vn_number(value, digits) == expected


def test_vn_number_missing_and_foreign_values():
    assert vn_number(None) == "—"
    assert vn_number("") == "—"
    assert vn_number("không rõ") == "không rõ"
    assert vn_number(float("nan")) != "nan"  # returned as is, never formatted
    assert vn_number(True) is True


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (0.8333, 1, "83,3 %"),
        (1, 1, "100,0 %"),
        (1, 0, "100 %"),
        (0, 1, "0,0 %"),
        (0.05, 0, "5 %"),
        (12.345, 1, "1.234,5 %"),
    ],
)
def test_vn_percent_takes_a_fraction(value, digits, expected):
    assert vn_percent(value, digits) == expected


def test_vn_percent100_takes_a_percent():
    assert vn_percent100(83.33) == "83,3 %"
    assert vn_percent100(100, 0) == "100 %"
    assert vn_percent(None) == vn_percent100(None) == "—"


def test_dates():
    day = datetime.date(2026, 12, 5)
    assert vn_date(day) == "05/12/2026"
    assert vn_date("2026-12-05") == "05/12/2026"
    assert vn_month(day) == "12/2026"
    assert vn_month(datetime.date(2025, 1, 31)) == "01/2025"
    assert vn_datetime(day) == "05/12/2026"
    assert vn_date(None) == vn_datetime("") == "—"
    assert vn_date("hôm qua") == "hôm qua"


def test_aware_datetimes_are_shown_in_local_time(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    # 18:30 UTC on 4 Dec is 01:30 on 5 Dec in Vietnam (UTC+7).
    moment = datetime.datetime(2026, 12, 4, 18, 30, tzinfo=ZoneInfo("UTC"))
    assert vn_date(moment) == "05/12/2026"
    assert vn_datetime(moment) == "01:30 05/12/2026"
    assert vn_month(datetime.datetime(2026, 11, 30, 18, 0, tzinfo=ZoneInfo("UTC"))) == "12/2026"
    naive = datetime.datetime(2026, 3, 7, 9, 5)
    assert vn_datetime(naive) == "09:05 07/03/2026"


def test_filters_in_a_template():
    html = Template(
        "{% load vn_format %}{{ n|vn_number }}|{{ x|vn_number:1 }}|{{ f|vn_percent }}|"
        "{{ f|vn_percent:0 }}|{{ d|vn_date }}|{{ none|vn_number }}"
    ).render(Context({"n": 12345, "x": 2.5, "f": 0.8333, "d": datetime.date(2026, 1, 2)}))
    assert html == "12.345|2,5|83,3 %|83 %|02/01/2026|—"
