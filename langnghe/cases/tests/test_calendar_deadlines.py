"""Each deadline rule on the Vietnamese working-day calendar (holidays package, Tết included)."""

import datetime as dt

import pytest

from langnghe.cases import deadlines
from langnghe.cases.calendar import TZ, add_days, add_working_days, is_working_day
from langnghe.cases.models import UnitCaseProfile
from langnghe.cases.services import (
    case_assign,
    case_classify,
    case_create,
    case_deadline_extend,
    case_transfer,
)
from langnghe.core.exceptions import ApplicationError
from langnghe.units.models import Unit

from .conftest import CITY, THO_XUONG


def at(y, m, d, h=9, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=TZ)


def eod(y, m, d):
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=TZ)


def test_tet_and_weekends_are_not_working_days():
    assert not is_working_day(dt.date(2025, 1, 29))  # Tết Ất Tỵ
    assert not is_working_day(dt.date(2025, 1, 25))  # Saturday
    assert is_working_day(dt.date(2025, 2, 3))
    assert not is_working_day(dt.date(2026, 2, 17))  # Tết Bính Ngọ
    assert not is_working_day(dt.date(2025, 9, 2))  # National Day


def test_working_days_skip_tet():
    # Friday 24/1/2025; 25–26 weekend, 27/1–1/2 Tết, 2/2 Sunday → 3/2, 4/2, 5/2.
    assert add_working_days(at(2025, 1, 24), 3) == eod(2025, 2, 5)
    # An ordinary week: Monday + 3 WD = Thursday.
    assert add_working_days(at(2025, 3, 10), 3) == eod(2025, 3, 13)


def test_calendar_days_roll_to_next_working_day():
    # 20 days from 10/1/2025 = 30/1 (Tết) → next working day 3/2.
    assert add_days(at(2025, 1, 10), 20) == eod(2025, 2, 3)
    assert add_days(at(2025, 3, 3), 20) == eod(2025, 3, 23 + 1)  # 23/3 is a Sunday → Monday


def _case(category, unit_code, when, **kwargs):
    case, _ = case_create(
        category_code=category,
        description="Nội dung thử nghiệm.",
        unit_code=unit_code,
        is_anonymous=True,
        now=when,
        **kwargs,
    )
    return case


def _due(case):
    return {d.step: d.due_at for d in case.deadlines.all()}


@pytest.mark.django_db
def test_crime_report_at_a_commune_before_tet():
    case = _case("crime_report", THO_XUONG, at(2025, 1, 24, 10))
    due = _due(case)
    assert due["classify"] == at(2025, 1, 25, 10)  # 24 hours, duty desk works 24/7
    assert due["acknowledge"] == eod(2025, 2, 5)  # 3 working days across Tết
    assert due["forward"] == eod(2025, 2, 3)  # 7 days → 31/1 (Tết) → 3/2
    assert "forward_urgent" not in due and "decide" not in due  # decide: investigating body


@pytest.mark.django_db
def test_urgent_crime_report_forwarded_in_24h_or_48h_if_remote(handler):
    case = _case("crime_report", THO_XUONG, at(2025, 3, 10, 8))
    case = case_classify(case=case, by=handler, is_urgent=True)
    due = _due(case)
    assert due["forward_urgent"] == at(2025, 3, 11, 8)
    assert "forward" not in due  # the 7-day step no longer applies
    remote = Unit.objects.get(code="BG-X07201")
    UnitCaseProfile.objects.create(unit=remote, is_remote=True)
    other = _case("crime_report", THO_XUONG, at(2025, 3, 10, 8), is_urgent=True)
    assert _due(other)["forward_urgent_remote"] == at(2025, 3, 12, 8)


@pytest.mark.django_db
def test_crime_report_decision_20_days_then_2_months_then_2_more(handler, make_staff):
    city_handler = make_staff(CITY, "investigator")
    case = _case("crime_report", CITY, at(2025, 3, 3, 9))
    assert _due(case)["decide"] == eod(2025, 3, 24)  # 23/3 Sunday → Monday 24/3
    assert _due(case)["assign"] == eod(2025, 3, 6)
    case_deadline_extend(case=case, by=city_handler, step="decide", reason="Xác minh nhiều nơi")
    assert _due(case)["decide"] == eod(2025, 5, 5)  # 3/5 Saturday → Monday 5/5
    case_deadline_extend(case=case, by=city_handler, step="decide", reason="VKS gia hạn")
    assert _due(case)["decide"] == eod(2025, 7, 7)  # 5/7 Saturday → Monday 7/7
    with pytest.raises(ApplicationError):
        case_deadline_extend(case=case, by=city_handler, step="decide", reason="Lần ba")


@pytest.mark.django_db
def test_transfer_keeps_history_and_adds_the_new_units_steps(handler):
    case = _case("crime_report", THO_XUONG, at(2025, 3, 10, 8))
    case = case_transfer(
        case=case, by=handler, to_unit=Unit.objects.get(code=CITY), reason="Chuyển Cơ quan điều tra"
    )
    rows = {d.step: d for d in case.deadlines.all()}
    assert rows["forward"].met_at is not None  # met by the transfer, kept after it
    assert rows["classify"].met_at is not None
    assert rows["decide"].due_at == eod(2025, 3, 31)  # still counted from receipt (30/3 Sunday)


@pytest.mark.django_db
def test_service_feedback_forward_5_and_answer_10_working_days():
    case, _ = case_create(
        category_code="service_feedback",
        description="Hồ sơ chậm.",
        unit_code=THO_XUONG,
        reporter={"name": "A", "phone": "0911111111"},
        now=at(2025, 4, 25, 9),
    )
    due = _due(case)
    # Fri 25/4/2025; 26–27 weekend; 30/4, 1/5, 2/5 (substitute) are holidays.
    assert due["competence"] == eod(2025, 5, 7)  # 28, 29, 5, 6, 7
    assert due["respond"] == eod(2025, 5, 14)


@pytest.mark.django_db
def test_complaint_accept_10_days_resolve_30_days_from_acceptance(handler):
    case, _ = case_create(
        category_code="complaint",
        description="Khiếu nại quyết định xử phạt.",
        unit_code=THO_XUONG,
        reporter={"name": "B", "phone": "0922222222"},
        now=at(2025, 6, 2, 9),
    )
    assert _due(case)["accept"] == eod(2025, 6, 12)
    assert "resolve" not in _due(case)  # counted from acceptance (thụ lý)
    case = case_assign(case=case, by=handler, assignee=handler)
    accepted = case.accepted_at
    assert _due(case)["resolve"] == deadlines.add_period(accepted, 30, "days")
    case_deadline_extend(case=case, by=handler, step="resolve", reason="Phức tạp")
    assert _due(case)["resolve"] == deadlines.add_period(accepted, 45, "days")


@pytest.mark.django_db
def test_denunciation_7_and_5_working_days_and_two_extensions(handler):
    case, _ = case_create(
        category_code="denunciation",
        description="Tố cáo cán bộ.",
        unit_code=THO_XUONG,
        reporter={"name": "C", "phone": "0933333333"},
        now=at(2026, 2, 12, 9),
    )
    due = _due(case)
    # Thu 12/2/2026; Tết 16–20/2; → 13, 23, 24, 25, 26, 27, 2/3 = 7 WD; 5 WD = 26/2.
    assert due["initial"] == eod(2026, 3, 2)
    assert due["competence"] == eod(2026, 2, 26)
    case = case_assign(case=case, by=handler, assignee=handler)
    first = _due(case)["resolve"]
    case_deadline_extend(case=case, by=handler, step="resolve", reason="Phức tạp")
    case_deadline_extend(case=case, by=handler, step="resolve", reason="Đặc biệt phức tạp")
    assert _due(case)["resolve"] == deadlines.add_period(
        deadlines.add_period(first, 30, "days"), 30, "days"
    )


@pytest.mark.django_db
def test_denunciation_cannot_be_anonymous():
    with pytest.raises(ApplicationError) as error:
        case_create(
            category_code="denunciation", description="x", unit_code=THO_XUONG, is_anonymous=True
        )
    assert error.value.code == "anonymous_not_allowed"


@pytest.mark.django_db
def test_a_case_transferred_between_communes_has_a_deadline_at_the_unit_receiving_it(
    handler, make_staff
):
    """A ward sends a tip to another ward: every step of the sender is met by the transfer,
    and the receiving ward must still take it up within 24 hours (deadlines.TRANSFER_STEP),
    met when it classifies the case."""
    from django.utils import timezone

    from .conftest import TRAN_NGUYEN_HAN

    case = _case("crime_report", THO_XUONG, at(2025, 3, 10, 8))
    before = timezone.now()
    case = case_transfer(
        case=case,
        by=handler,
        to_unit=Unit.objects.get(code=TRAN_NGUYEN_HAN),
        reason="Việc xảy ra trên địa bàn phường Trần Nguyên Hãn",
    )
    assert case.get_status_display() == "Đã chuyển đơn vị, chờ tiếp nhận"
    row = case.deadlines.get(step="take_up_transfer")
    assert row.met_at is None
    assert before + dt.timedelta(hours=23) < row.due_at <= timezone.now() + dt.timedelta(hours=24)
    case.refresh_from_db()
    assert case.next_due_at == row.due_at
    receiver = make_staff(TRAN_NGUYEN_HAN, "investigator")
    case = case_classify(case=case, by=receiver, category_code="crime_report")
    assert case.deadlines.get(step="take_up_transfer").met_at is not None
