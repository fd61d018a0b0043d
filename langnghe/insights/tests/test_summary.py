"""The summary moves with new data after one refresh run, stays in scope, and costs a fixed
number of queries whatever the number of rows."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from langnghe.cases.services import case_create
from langnghe.insights.materialize import insights_refresh
from langnghe.insights.models import UnitDayStat, UnitMonthStat
from langnghe.surveys.services import response_submit

PROVINCE, CITY, THO_XUONG, TRAN_NGUYEN_HAN, YEN_THE = (
    "BG",
    "BG-H213",
    "BG-X07201",
    "BG-X07204",
    "BG-H215",
)

pytestmark = pytest.mark.django_db


def _summary(api_client, user, code=PROVINCE, **params):
    query = "&".join(f"{k}={v}" for k, v in {"unit": code, **params}.items())
    return api_client(user).get(f"/api/v1/insights/summary?{query}")


def _case(code=THO_XUONG, category="public_order"):
    case, _receipt = case_create(
        category_code=category,
        description="Tụ tập gây ồn ào sau 23 giờ.",
        unit_code=code,
        is_anonymous=True,
    )
    return case


def _response(code=THO_XUONG, overall="5", comment=""):
    response, _ = response_submit(
        unit_code=code, client_id=uuid.uuid4(), answers={"overall": overall}, comment=comment
    )
    return response


def test_a_response_and_a_case_in_a_commune_move_the_province_after_one_refresh(
    api_client, make_staff
):
    leader = make_staff(PROVINCE, "supervisor")
    insights_refresh()  # baseline (first run: full rebuild)
    before = _summary(api_client, leader).json()

    _case()
    _response(overall="1", comment="Chờ quá lâu, cán bộ không hướng dẫn.")
    insights_refresh()

    after = _summary(api_client, leader).json()
    assert after["cases"]["received"] == before["cases"]["received"] + 1
    assert after["cases"]["open_now"] == before["cases"]["open_now"] + 1
    assert after["surveys"]["responses"] == before["surveys"]["responses"] + 1
    assert after["surveys"]["negative_comments"] == before["surveys"]["negative_comments"] + 1
    cats = {c["code"]: c["received"] for c in after["cases"]["by_category"]}
    assert cats["public_order"] >= 1
    # A second run with nothing new changes nothing (idempotent).
    rows = sorted(UnitDayStat.objects.values_list("unit_id", "day", "metric", "value"))
    insights_refresh(rebuild=True)
    assert sorted(UnitDayStat.objects.values_list("unit_id", "day", "metric", "value")) == rows
    assert _summary(api_client, leader).json() == after


def test_incremental_refresh_equals_a_full_rebuild(unit):
    insights_refresh()
    for code in (THO_XUONG, TRAN_NGUYEN_HAN, YEN_THE):
        _case(code)
        _response(code, overall="4")
    insights_refresh()
    incremental = sorted(UnitMonthStat.objects.values_list("unit_id", "month", "metric", "value"))
    insights_refresh(rebuild=True)
    rebuilt = sorted(UnitMonthStat.objects.values_list("unit_id", "month", "metric", "value"))
    assert incremental == rebuilt
    assert any(m == "cases.received" for _u, _d, m, _v in rebuilt)


def test_a_case_moved_to_another_unit_leaves_the_old_unit(api_client, make_staff, unit):
    from langnghe.cases.services import case_transfer

    supervisor = make_staff(CITY, "supervisor")
    case = _case(THO_XUONG)
    insights_refresh()
    assert _summary(api_client, supervisor, THO_XUONG).json()["cases"]["received"] == 1
    case_transfer(case=case, to_unit=unit(TRAN_NGUYEN_HAN), by=supervisor, reason="Đúng địa bàn")
    insights_refresh()
    assert _summary(api_client, supervisor, THO_XUONG).json()["cases"]["received"] == 0
    assert _summary(api_client, supervisor, TRAN_NGUYEN_HAN).json()["cases"]["received"] == 1


@pytest.mark.parametrize(
    ("member", "code", "status"),
    [
        (THO_XUONG, PROVINCE, 404),
        (THO_XUONG, CITY, 404),
        (THO_XUONG, TRAN_NGUYEN_HAN, 404),
        (THO_XUONG, THO_XUONG, 200),
        (CITY, THO_XUONG, 200),
        (CITY, YEN_THE, 404),
        (PROVINCE, YEN_THE, 200),
    ],
)
def test_scope(api_client, make_staff, member, code, status):
    user = make_staff(member, "supervisor")
    assert _summary(api_client, user, code).status_code == status
    assert api_client(user).get(f"/api/v1/insights/breakdown?unit={code}").status_code == status


def test_district_sees_its_communes_in_the_breakdown(api_client, make_staff):
    _case(THO_XUONG)
    insights_refresh()
    user = make_staff(CITY, "supervisor")
    body = api_client(user).get(f"/api/v1/insights/breakdown?unit={CITY}").json()
    codes = {row["code"]: row for row in body["items"]}
    assert THO_XUONG in codes and TRAN_NGUYEN_HAN in codes
    assert YEN_THE not in codes
    assert codes[THO_XUONG]["cases_received"] == 1


def test_bad_input_is_a_clear_4xx(api_client, make_staff):
    user = make_staff(PROVINCE, "supervisor")
    response = _summary(api_client, user, **{"from": "2025-05-01", "to": "2025-04-01"})
    assert response.status_code == 400
    assert "Ngày bắt đầu" in response.json()["detail"]
    assert _summary(api_client, user, **{"from": "hôm qua"}).status_code == 422


def _bulk_rows(unit_ids, days):
    """Day rows and the month rows they add up to, as the materializer keeps them."""
    from collections import Counter

    from langnghe.insights.models import UnitMonthStat

    today = timezone.localdate()
    metrics = ("cases.received", "inbox.conversations", "inbox.frt.h03", "posts.views")
    rows = [
        UnitDayStat(unit_id=u, day=today - dt.timedelta(days=d), metric=m, value=3)
        for u in unit_ids
        for d in range(days)
        for m in metrics
    ]
    UnitDayStat.objects.bulk_create(rows)
    months = Counter()
    for row in rows:
        months[(row.unit_id, row.day.replace(day=1), row.metric)] += row.value
    UnitMonthStat.objects.all().delete()
    UnitMonthStat.objects.bulk_create(
        UnitMonthStat(unit_id=u, month=month, metric=m, value=v)
        for (u, month, m), v in months.items()
    )


def test_summary_query_count_does_not_grow_with_rows(api_client, make_staff, unit):
    from langnghe.units.models import Unit

    user = make_staff(PROVINCE, "supervisor")
    client = api_client(user)
    ids = list(Unit.objects.filter(path__startswith=unit(CITY).path).values_list("pk", flat=True))
    _bulk_rows(ids[:2], 3)
    client.get(f"/api/v1/insights/summary?unit={PROVINCE}")  # warm-up (token, templates)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/api/v1/insights/summary?unit={PROVINCE}").status_code == 200
    UnitDayStat.objects.all().delete()
    _bulk_rows(ids, 25)
    _case()
    with CaptureQueriesContext(connection) as many:
        body = client.get(f"/api/v1/insights/summary?unit={PROVINCE}").json()
    assert len(many) == len(few)
    assert body["inbox"]["conversations"] == 3 * 25 * len(ids)
    assert body["inbox"]["first_response_median_s"] is not None


def test_survey_figures_match_the_surveys_app(unit):
    from langnghe.insights.selectors import Period, summary_compute
    from langnghe.surveys.selectors import DateRange, results_compute

    for overall in ("5", "3", "1"):
        _response(overall=overall, comment="Tốt" if overall == "5" else "")
    today = timezone.localdate()
    for start in (today - dt.timedelta(days=29), today.replace(day=1) - dt.timedelta(days=40)):
        ours = summary_compute(unit(PROVINCE), Period(start, today))["surveys"]
        theirs = results_compute(unit(PROVINCE), DateRange(start, today))
        assert ours["responses"] == theirs["responses"] >= 3
        assert ours["index"] == theirs["index"]
        assert ours["flagged"] == theirs["flagged"]
        for code, element in theirs["elements"].items():
            assert ours["elements"][code]["index"] == element["index"]
