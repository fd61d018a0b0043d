"""The dashboard's twelve months: one point per whole month before the current one."""

import datetime as dt

import pytest

from langnghe.insights import selectors
from langnghe.insights.materialize import insights_refresh
from langnghe.units.models import Unit

pytestmark = pytest.mark.django_db


def test_twelve_whole_months_oldest_first_ending_last_month():
    province = Unit.objects.get(code="BG")
    months = selectors.trend_months(province, today=dt.date(2026, 3, 15))
    assert [m["label"] for m in months] == [
        "03/2025", "04/2025", "05/2025", "06/2025", "07/2025", "08/2025",
        "09/2025", "10/2025", "11/2025", "12/2025", "01/2026", "02/2026",
    ]  # fmt: skip
    assert all(m["cases"] == 0 and m["responses"] == 0 for m in months)


def test_a_case_counts_in_its_month(settings):
    from django.utils import timezone

    from langnghe.cases.services import case_create

    settings.LANGNGHE_RECEIPT_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    today = timezone.localdate()
    five_months_ago = timezone.now() - dt.timedelta(days=150)
    case_create(
        category_code="public_order",
        description="Nhóm thanh niên đua xe trên đường Hùng Vương.",
        unit_code="BG-X07201",
        is_anonymous=True,
        now=five_months_ago,
    )
    insights_refresh(rebuild=True)
    months = selectors.trend_months(Unit.objects.get(code="BG"), today=today)
    month = f"{timezone.localtime(five_months_ago):%m/%Y}"
    assert {m["label"]: m["cases"] for m in months}[month] == 1
    assert sum(m["cases"] for m in months) == 1
