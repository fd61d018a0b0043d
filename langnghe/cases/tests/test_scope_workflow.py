"""Scope (another commune sees nothing, the district above sees it), identity protection,
the workflow steps, escalation and the on-time rate."""

import datetime as dt

import pytest
from django.utils import timezone

from langnghe.audit.models import AuditEntry
from langnghe.cases import events
from langnghe.cases.models import Case, CaseEscalation, Status
from langnghe.cases.selectors import on_time_rate
from langnghe.cases.services import case_create, cases_escalate_overdue

from .conftest import CITY, THO_XUONG, TRAN_NGUYEN_HAN

pytestmark = pytest.mark.django_db

NAME, PHONE = "Lê Thị Mận", "0977000111"


@pytest.fixture
def case_id(post_case):
    response = post_case(
        category="crime_report",
        reporter={"name": NAME, "phone": PHONE},
        description="Bị lừa chuyển khoản 50 triệu đồng.",
    )
    return response.json()["id"]


def test_handler_of_the_unit_sees_the_case_without_identity(api_client, handler, case_id):
    client = api_client(handler)
    listed = client.get("/api/v1/cases").json()
    assert [c["id"] for c in listed["items"]] == [case_id] and listed["count"] == 1
    detail = client.get(f"/api/v1/cases/{case_id}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["description"] == "Bị lừa chuyển khoản 50 triệu đồng."
    assert body["has_reporter_identity"] is True
    assert NAME not in detail.content.decode() and PHONE not in detail.content.decode()


def test_officer_of_another_commune_sees_nothing(api_client, make_staff, case_id):
    other = api_client(make_staff(TRAN_NGUYEN_HAN, "supervisor"))
    assert other.get("/api/v1/cases").json() == {"items": [], "count": 0}
    assert other.get(f"/api/v1/cases/{case_id}").status_code == 404
    before = Case.objects.get(pk=case_id).status
    for path, body in [
        ("classify", {}),
        ("verify", {}),
        ("notes", {"body": "x"}),
        ("transfer", {"to_unit": CITY, "reason": "x"}),
        ("identity-requests", {"reason": "x"}),
        ("identity", {}),
    ]:
        response = other.post(
            f"/api/v1/cases/{case_id}/{path}", body, content_type="application/json"
        )
        assert response.status_code == 404, path
    assert Case.objects.get(pk=case_id).status == before


def test_the_district_above_sees_it(api_client, make_staff, case_id):
    district = api_client(make_staff(CITY, "viewer"))
    assert [c["id"] for c in district.get("/api/v1/cases").json()["items"]] == [case_id]
    body = district.get(f"/api/v1/cases/{case_id}").json()
    assert body["unit"]["code"] == THO_XUONG
    assert body["description"] is None  # a viewer sees the facts, not the content


def test_identity_reveal_needs_reason_and_supervisor_approval_and_is_audited(
    api_client, handler, make_staff, case_id
):
    client = api_client(handler)
    assert client.post(f"/api/v1/cases/{case_id}/identity").status_code == 403
    requested = client.post(
        f"/api/v1/cases/{case_id}/identity-requests",
        {"reason": ""},
        content_type="application/json",
    )
    assert requested.status_code == 400
    requested = client.post(
        f"/api/v1/cases/{case_id}/identity-requests",
        {"reason": "Cần mời người báo tin làm chứng"},
        content_type="application/json",
    )
    assert requested.status_code == 201
    request_id = requested.json()["id"]
    # The requester cannot approve; a supervisor of another commune cannot either.
    assert (
        client.post(
            f"/api/v1/cases/identity-requests/{request_id}/decision",
            {"approve": True},
            content_type="application/json",
        ).status_code
        == 403
    )
    stranger = api_client(make_staff(TRAN_NGUYEN_HAN, "supervisor"))
    assert (
        stranger.post(
            f"/api/v1/cases/identity-requests/{request_id}/decision",
            {"approve": True},
            content_type="application/json",
        ).status_code
        == 404
    )
    boss = api_client(make_staff(CITY, "supervisor"))  # supervisor of the unit above
    decided = boss.post(
        f"/api/v1/cases/identity-requests/{request_id}/decision",
        {"approve": True},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    revealed = client.post(f"/api/v1/cases/{case_id}/identity")
    assert revealed.status_code == 200
    assert revealed.json()["name"] == NAME and revealed.json()["phone"] == PHONE
    entry = AuditEntry.objects.filter(action="case.identity_reveal").get()
    assert entry.actor == handler and PHONE not in str(entry.data)


def test_only_a_commander_approves_a_reveal_not_the_it_admin(
    api_client, handler, make_staff, case_id
):
    """The IT administrator of the unit (or of the city above) manages accounts, not cases: the
    decision is a commander's (Luật Tố cáo 2018 Điều 56), and the pending list with its reasons
    is shown only to those who may decide."""
    from langnghe.cases.models import IdentityRevealRequest

    request_id = (
        api_client(handler)
        .post(
            f"/api/v1/cases/{case_id}/identity-requests",
            {"reason": "Cần mời người báo tin làm chứng"},
            content_type="application/json",
        )
        .json()["id"]
    )
    decision = f"/api/v1/cases/identity-requests/{request_id}/decision"
    for admin in (make_staff(THO_XUONG, "admin"), make_staff(CITY, "admin")):
        client = api_client(admin)
        refused = client.post(decision, {"approve": True}, content_type="application/json")
        assert refused.status_code == 403, admin
        assert "chỉ huy" in refused.json()["detail"]
        assert client.get("/api/v1/cases/identity-requests").json() == []
    assert IdentityRevealRequest.objects.get(pk=request_id).status == "pending"
    assert not AuditEntry.objects.filter(action="case.identity_decide").exists()
    assert api_client(handler).get("/api/v1/cases/identity-requests").json() == []
    commander = api_client(make_staff(THO_XUONG, "supervisor"))
    listed = commander.get("/api/v1/cases/identity-requests").json()
    assert [r["id"] for r in listed] == [request_id]
    decided = commander.post(decision, {"approve": True}, content_type="application/json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"


def test_full_workflow_and_status_events(
    api_client, handler, case_id, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, **payload):
        received.append((payload["old_status"], payload["new_status"], payload["channel"]))

    events.case_status_changed.connect(listener)
    try:
        client = api_client(handler)

        def act(path, body=None):
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(
                    f"/api/v1/cases/{case_id}/{path}", body or {}, content_type="application/json"
                )
            assert response.status_code in (200, 201), (path, response.content)
            return response.json()

        assert act("classify", {"urgent": True})["status"] == "classified"
        assert act("assign", {"assignee": handler.username})["status"] == "assigned"
        assert act("verify")["status"] == "verifying"
        act("notes", {"body": "Đã xác minh tài khoản nhận tiền."})
        body = act("resolve", {"result": "Đã chuyển Cơ quan điều tra khởi tố vụ án."})
        assert body["status"] == "resolved"
        assert [e["kind"] for e in body["timeline"]].count("status") == 5
        # A second resolve is refused, nothing changes.
        again = client.post(
            f"/api/v1/cases/{case_id}/resolve", {"result": "x"}, content_type="application/json"
        )
        assert again.status_code == 409
    finally:
        events.case_status_changed.disconnect(listener)
    assert [r[1] for r in received] == ["classified", "assigned", "verifying", "resolved"]
    assert {r[2] for r in received} == {"api"}
    assert set(
        AuditEntry.objects.filter(target_id=str(case_id)).values_list("action", flat=True)
    ) >= {"case.create", "case.classify", "case.assign", "case.verify", "case.note", "case.resolve"}


def test_decline_tells_where_to_go_and_merge_closes_duplicate(api_client, handler, post_case):
    client = api_client(handler)
    first = post_case().json()["id"]
    second = post_case().json()["id"]
    declined = client.post(
        f"/api/v1/cases/{first}/decline",
        {"reason": "Tranh chấp dân sự", "guidance": "Đề nghị liên hệ UBND phường Thọ Xương."},
        content_type="application/json",
    ).json()
    assert declined["status"] == "declined"
    assert "UBND phường" in declined["decline_guidance"]
    third = post_case().json()["id"]
    merged = client.post(
        f"/api/v1/cases/{second}/merge", {"into": third}, content_type="application/json"
    ).json()
    assert merged["status"] == "merged" and merged["merged_into"]


def test_bulk_assignment(api_client, handler, post_case):
    ids = [post_case().json()["id"] for _ in range(3)]
    response = api_client(handler).post(
        "/api/v1/cases/bulk-assign",
        {"ids": ids, "assignee": handler.username},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert {c["status"] for c in response.json()} == {"assigned"}


def test_filters_overdue_and_due_soon(api_client, handler):
    old, _ = case_create(
        category_code="public_order",
        description="cũ",
        unit_code=THO_XUONG,
        is_anonymous=True,
        now=timezone.now() - dt.timedelta(days=3),
    )
    fresh, _ = case_create(
        category_code="public_order", description="mới", unit_code=THO_XUONG, is_anonymous=True
    )
    client = api_client(handler)
    overdue = client.get("/api/v1/cases?overdue=true").json()["items"]
    assert [c["id"] for c in overdue] == [old.pk] and overdue[0]["overdue"] is True
    soon = client.get("/api/v1/cases?due_soon=true").json()["items"]
    assert [c["id"] for c in soon] == [fresh.pk]
    assert client.get("/api/v1/cases?status=bogus").status_code == 400
    assert client.get("/api/v1/cases?category=crime_report").json()["count"] == 0


def test_overdue_escalates_once_to_the_unit_above_and_counts_as_late(
    handler, django_capture_on_commit_callbacks
):
    received = []
    events.case_escalated.connect(
        lambda sender, **p: received.append(p), weak=False, dispatch_uid="test-escalated"
    )
    try:
        old, _ = case_create(
            category_code="crime_report",
            description="cũ",
            unit_code=THO_XUONG,
            is_anonymous=True,
            now=timezone.now() - dt.timedelta(days=2),
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert cases_escalate_overdue() == 1  # the 24-hour classification step
        assert cases_escalate_overdue() == 0  # idempotent
    finally:
        events.case_escalated.disconnect(dispatch_uid="test-escalated")
    escalation = CaseEscalation.objects.get(case=old)
    assert escalation.to_unit.code == CITY and received[0]["deadline_step"] == "classify"
    rate = on_time_rate(user=handler)
    assert rate.open_overdue == 1 and rate.on_time == 0 and rate.rate == 0.0


def test_escalate_command(handler):
    from io import StringIO

    from django.core.management import call_command

    case_create(
        category_code="crime_report",
        description="cũ",
        unit_code=THO_XUONG,
        is_anonymous=True,
        now=timezone.now() - dt.timedelta(days=2),
    )
    out = StringIO()
    call_command("escalate_overdue", stdout=out)
    assert "1" in out.getvalue()
    assert Case.objects.filter(status=Status.RECEIVED).count() == 1


def test_case_from_conversation_for_the_duty_desk(handler, tho_xuong):
    from langnghe.cases.services import case_create_from_conversation

    case, receipt = case_create_from_conversation(
        conversation_id="conv-42",
        category_code="public_order",
        description="Ồn ào",
        by=handler,
        unit=tho_xuong,
        reporter={"name": "Z", "phone": "0900000001"},
    )
    assert case.channel == "duty_desk" and case.channel_ref == "conv-42" and receipt is None
    assert case.recorded_by == handler


def test_officer_records_phone_tip_with_refusal(api_client, handler):
    response = api_client(handler).post(
        "/api/v1/cases/intake",
        {
            "unit": THO_XUONG,
            "category": "crime_report",
            "description": "Gọi điện báo trộm",
            "channel": "phone",
            "anonymous": True,
            "refusal_reason": "Sợ bị trả thù",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    detail = api_client(handler).get(f"/api/v1/cases/{response.json()['id']}").json()
    assert detail["channel"] == "phone"
    assert any("Sợ bị trả thù" in e["body"] for e in detail["timeline"])


def test_list_is_paginated_with_constant_queries(
    api_client, handler, post_case, django_assert_max_num_queries
):
    for _ in range(6):
        post_case()
    client = api_client(handler)
    with django_assert_max_num_queries(8):
        page = client.get("/api/v1/cases?limit=4&offset=0").json()
    assert page["count"] == 6 and len(page["items"]) == 4
    assert len(client.get("/api/v1/cases?limit=4&offset=4").json()["items"]) == 2
