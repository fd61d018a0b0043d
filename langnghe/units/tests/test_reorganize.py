"""The move from the demo's 2021 network (Bắc Giang) to today's Bắc Ninh (`langnghe reorganize`)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conftest import THO_XUONG
from langnghe import discovery
from langnghe.accounts.models import Membership
from langnghe.audit.models import AuditEntry
from langnghe.cases import services as case_services
from langnghe.cases.models import Case
from langnghe.cases.selectors import case_find_by_receipt
from langnghe.inbox import services as inbox_services
from langnghe.units.models import Unit
from langnghe.units.reorganize import plan_reorganization
from langnghe.units.services import unit_close

pytestmark = pytest.mark.django_db

YEN_THE_DISTRICT = "BG-H219"


def _counts() -> dict:
    return {
        "units": Unit.objects.count(),
        "open": Unit.objects.filter(is_active=True).count(),
        "cases": list(Case.objects.order_by("pk").values_list("pk", "unit_id")),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "unit_id")),
        "audit": AuditEntry.objects.count(),
    }


def _run(*args) -> str:
    out = StringIO()
    call_command("reorganize", "--province", "Bắc Ninh", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def before(make_staff):
    """A tip sent to Thọ Xương, its handler, the province's commander, a district officer."""
    handler = make_staff(THO_XUONG, "investigator")
    commander = make_staff("BG", "supervisor")
    district_officer = make_staff(YEN_THE_DISTRICT, "duty_officer")
    case, receipt = case_services.case_create(
        category_code="crime_report",
        description="Có người lạ trộm xe máy ở ngõ 3 đêm qua.",
        unit_code=THO_XUONG,
        is_anonymous=True,
    )
    case_services.case_assign(case=case, by=handler, assignee=handler)
    district_case, _ = case_services.case_create(
        category_code="public_order",
        description="Tụ tập gây ồn ào ở chợ huyện.",
        unit_code=YEN_THE_DISTRICT,
        is_anonymous=True,
    )
    conversation = inbox_services.conversation_open(
        unit=Unit.objects.get(code=THO_XUONG), channel="web", external_id="w-1"
    )
    return {
        "handler": handler,
        "commander": commander,
        "district_officer": district_officer,
        "case": case,
        "receipt": receipt,
        "district_case": district_case,
        "conversation": conversation,
        "deadlines": list(case.deadlines.order_by("pk").values_list("step", "due_at")),
    }


def test_the_dry_run_names_each_successor_and_changes_nothing(before):
    counts = _counts()
    out = _run("--dry-run")
    assert "Công an phường Thọ Xương → Công an phường Bắc Giang" in out
    assert "Công an tỉnh Bắc Giang → Công an tỉnh Bắc Ninh" in out
    assert "1 vụ việc đang mở" in out  # what moves is counted
    assert _counts() == counts


def test_the_move_closes_the_old_network_into_todays_and_loses_nothing(before, api_client):
    old_province_cases = Case.objects.filter(
        unit__path__startswith=Unit.objects.get(code="BG").path
    ).count()
    plan = plan_reorganization("Bắc Ninh")
    out = _run()
    assert "ĐÃ SẮP XẾP LẠI" in out

    new_province = Unit.objects.get(code="T24")
    # Today's 99 communes, and nothing else: the demo's communes merged in 2024 are placed by
    # the merge records of the conversion data (Xã Lão Hộ → Phường Tân An).
    assert not plan.unplaced
    open_communes = Unit.objects.filter(is_active=True, kind__code="commune")
    assert open_communes.count() == 99 and not open_communes.exclude(code__startswith="T24-")
    lao_ho = Unit.objects.get(division_name="Xã Lão Hộ")
    assert lao_ho.successor.name == "Công an phường Tân An"
    assert list(Unit.objects.filter(is_active=True, kind__code="province")) == [new_province]
    assert not Unit.objects.filter(is_active=True, kind__code="district").exists()

    tho_xuong = Unit.objects.get(code=THO_XUONG)
    assert tho_xuong.successor.code == "T24-X07210" and tho_xuong.closed_at is not None
    assert tho_xuong.successor.name == "Công an phường Bắc Giang"
    assert AuditEntry.objects.filter(action="unit.close").count() == len(plan.closing)

    # The tip: same tracking code and receipt, same deadlines, at the successor, and its
    # handler (who followed the commune) still sees it.
    case = Case.objects.get(pk=before["case"].pk)
    assert case.unit == tho_xuong.successor
    assert list(case.deadlines.order_by("pk").values_list("step", "due_at")) == before["deadlines"]
    assert case_find_by_receipt(before["receipt"]) == case
    handler = before["handler"]
    assert Membership.objects.get(user=handler).unit == tho_xuong.successor
    seen = api_client(handler).get(f"/api/v1/cases/{case.pk}")
    assert seen.status_code == 200 and seen.json()["tracking_code"] == case.tracking_code
    track = api_client(handler).post(
        "/api/v1/cases/track", {"receipt": before["receipt"]}, content_type="application/json"
    )
    assert track.status_code == 200

    # A district officer goes to the province with the same role; the district's open case to
    # the province, with a note on its timeline.
    assert Membership.objects.get(user=before["district_officer"]).unit == new_province
    district_case = Case.objects.get(pk=before["district_case"].pk)
    assert district_case.unit == new_province
    assert district_case.entries.filter(data__reorganized=True).exists()

    # The former province's commander reads the new province, whose totals hold the old ones.
    commander = before["commander"]
    assert Membership.objects.get(user=commander).unit == new_province
    listed = api_client(commander).get("/api/v1/cases", {"limit": 200}).json()
    assert listed["count"] >= old_province_cases
    assert Case.objects.filter(unit__path__startswith=new_province.path).count() == (
        old_province_cases
    )

    # The open conversation follows the commune.
    before["conversation"].refresh_from_db()
    assert before["conversation"].unit == tho_xuong.successor

    # Units listed by the API: today's network (and the unplaced), no closed unit.
    codes = {
        u["code"] for u in api_client(commander).get("/api/v1/units?limit=500").json()["items"]
    }
    assert "T24-X07210" in codes and THO_XUONG not in codes and "BG" not in codes


def test_a_second_run_changes_nothing(before):
    _run()
    counts = _counts()
    out = _run()
    assert "Không có đơn vị cũ nào" in out
    assert _counts() == counts


def test_the_old_page_and_qr_code_lead_to_the_successor(before, client):
    from langnghe.surveys.security import form_key

    _run()
    page = client.get("/don-vi/cong-an-phuong-tho-xuong/")
    assert page.status_code == 301
    assert page["Location"] == "/don-vi/cong-an-phuong-bac-giang/?tu=cong-an-phuong-tho-xuong"
    html = client.get(page["Location"]).content.decode()
    assert "Công an phường Thọ Xương đã kết thúc hoạt động" in html
    assert "Đơn vị trước đây" in html
    qr = client.get(f"/khao-sat/{THO_XUONG}/", {"k": form_key(THO_XUONG), "src": "qr"})
    assert qr.status_code == 302 and qr["Location"].startswith("/khao-sat/T24-X07210/?k=")
    assert client.get(qr["Location"]).status_code == 200
    # A forged key on the old code opens nothing.
    assert client.get(f"/khao-sat/{THO_XUONG}/", {"k": "forged"}).status_code == 404


def test_an_unknown_province_names_close_ones_and_changes_nothing(before):
    counts = _counts()
    with pytest.raises(CommandError, match="Gần giống: Bắc Ninh"):
        call_command("reorganize", "--province", "Bac Nin")
    assert _counts() == counts


def test_a_unit_is_never_closed_into_itself_or_below_it(before):
    from langnghe.core.exceptions import ApplicationError

    city = Unit.objects.get(code="BG-H213")
    with pytest.raises(ApplicationError):
        unit_close(unit=city, successor=city)
    with pytest.raises(ApplicationError):
        unit_close(unit=city, successor=Unit.objects.get(code=THO_XUONG))
    assert Unit.objects.get(code="BG-H213").is_active


def test_a_commander_places_what_the_data_could_not(before):
    from langnghe.units.models import UnitKind
    from langnghe.units.services import unit_create

    unknown = unit_create(
        code="BG-X99999",
        kind=UnitKind.objects.get(code="commune"),
        name="Công an xã Không Có",
        parent=Unit.objects.get(code=YEN_THE_DISTRICT),
        division_code="99999",
        division_name="Xã Không Có",
    )
    first = plan_reorganization("Bắc Ninh")
    assert [s.unit for s in first.unplaced] == [unknown]
    _run()
    unknown.refresh_from_db()
    assert unknown.is_active  # left as it was, never guessed
    assert "GIỮ NGUYÊN (chưa xác định được đơn vị kế thừa): Công an xã Không Có" in _run(
        "--dry-run"
    )
    with pytest.raises(CommandError, match="MÃ_CŨ=MÃ_XÃ_MỚI"):
        call_command("reorganize", "--province", "Bắc Ninh", "--successor", "nonsense")
    _run("--successor", "BG-X99999=07210")
    unknown.refresh_from_db()
    assert not unknown.is_active and unknown.successor.code == "T24-X07210"


def test_the_zalo_oa_follows_the_commune_with_its_secrets_readable(before):
    from langnghe.connectors.models import Follower, ZaloConnection
    from langnghe.connectors.services import zalo_connect

    tho_xuong = Unit.objects.get(code=THO_XUONG)
    zalo_connect(
        unit=tho_xuong,
        app_id="app-1",
        oa_id="oa-1",
        secret_key="khoa-bi-mat-oa",
        access_token="tok-a",
        refresh_token="tok-r",
    )
    Follower.objects.create(unit=tho_xuong, user_id="z-1")
    _run()
    connection = ZaloConnection.objects.get(oa_id="oa-1")
    assert connection.unit.code == "T24-X07210"
    assert connection.secret("secret_key") == "khoa-bi-mat-oa"
    assert connection.secret("refresh_token") == "tok-r"
    assert Follower.objects.get(user_id="z-1").unit.code == "T24-X07210"


def test_an_edit_from_a_copy_read_before_the_move_does_not_undo_it(before):
    from langnghe.units.services import unit_update

    stale = Unit.objects.get(code=THO_XUONG)
    _run()
    unit_update(unit=stale, hotline="0204 3000 111")
    fresh = Unit.objects.get(code=THO_XUONG)
    assert fresh.hotline == "0204 3000 111"
    assert not fresh.is_active and fresh.successor.code == "T24-X07210"
    assert fresh.parent_id == fresh.successor_id


def test_a_unit_changed_during_the_move_makes_it_fail_whole(before, monkeypatch):
    """Someone closes an old unit between the plan and the move: nothing is half done."""
    from langnghe.units import reorganize as module

    planned = module.plan_reorganization

    def plan_then_someone_edits(*args, **kwargs):
        plan = planned(*args, **kwargs)
        Unit.objects.filter(code=THO_XUONG).update(is_active=False)
        return plan

    monkeypatch.setattr(module, "plan_reorganization", plan_then_someone_edits)
    audits = AuditEntry.objects.count()
    with pytest.raises(CommandError, match="thay đổi"):
        _run()
    monkeypatch.setattr(module, "plan_reorganization", planned)
    Unit.objects.filter(code=THO_XUONG).update(is_active=True)
    assert not Unit.objects.filter(code__startswith="T24").exists()
    assert Unit.objects.filter(is_active=False).count() == 0
    assert Case.objects.get(pk=before["case"].pk).unit.code == THO_XUONG
    assert AuditEntry.objects.count() == audits


def test_each_app_holding_a_units_work_hands_it_over_in_the_same_order():
    """Units knows none of the apps above it: each says what it holds (``unit_handover``)."""
    names = [m.__name__ for m in discovery.unit_handovers()]
    assert names == [
        f"langnghe.{app}.unit_handover"
        for app in ("cases", "inbox", "accounts", "connectors", "surveys")
    ]
