"""The case page offers only the actions the case's state and the user's role allow."""

import re

import pytest

from langnghe.cases import services
from langnghe.cases.models import Case, Status

from .conftest import THO_XUONG

pytestmark = pytest.mark.django_db

ALL = ("classify", "assign", "verify", "resolve", "transfer", "decline", "merge", "extend")
ALWAYS_OPEN = ("reply", "note", "attach")


CITY, YEN_THE = "BG-H213", "BG-H215"  # district level: the 20-day decision step applies


def _in_state(status: str, *, by, other_handler) -> Case:
    """A crime report at a district-level unit (its decision step has extensions, BLTTHS 2015
    Điều 147 khoản 2, 3) brought to ``status`` through the services."""
    case, _ = services.case_create(
        category_code="crime_report",
        description="Trộm xe máy trước chợ",
        unit_code=CITY,
        is_anonymous=True,
    )
    if status == Status.RECEIVED:
        return case
    if status == Status.TRANSFERRED:
        from langnghe.units.models import Unit

        return services.case_transfer(
            case=case, by=by, to_unit=Unit.objects.get(code=YEN_THE), reason="Địa bàn"
        )
    if status == Status.DECLINED:
        return services.case_decline(case=case, by=by, reason="Dân sự", guidance="Tòa án")
    if status == Status.MERGED:
        main, _ = services.case_create(
            category_code="crime_report",
            description="Cùng vụ trộm xe",
            unit_code=CITY,
            is_anonymous=True,
        )
        return services.case_merge(case=case, by=by, into=main)
    case = services.case_classify(case=case, by=by)
    if status == Status.CLASSIFIED:
        return case
    case = services.case_assign(case=case, by=by, assignee=other_handler)
    if status == Status.ASSIGNED:
        return case
    case = services.case_verify_start(case=case, by=by)
    if status == Status.VERIFYING:
        return case
    return services.case_resolve(case=case, by=by, result="Đã xử lý")


def _offered(page: str, case: Case) -> set[str]:
    return set(re.findall(rf'action="/staff/cases/{case.pk}/(\w+)/"', page)) - {
        "reveal_request",
        "identity",
    }


EXPECTED = {
    Status.RECEIVED: {"classify", "assign", "transfer", "decline", "merge", "extend"},
    Status.CLASSIFIED: {"assign", "transfer", "decline", "merge", "extend"},
    Status.ASSIGNED: {"assign", "verify", "resolve", "transfer", "decline", "merge", "extend"},
    Status.VERIFYING: {"assign", "resolve", "transfer", "decline", "merge", "extend"},
    Status.TRANSFERRED: {"classify", "assign", "transfer", "decline", "merge", "extend"},
    Status.RESOLVED: set(),
    Status.DECLINED: set(),
    Status.MERGED: set(),
}


@pytest.mark.parametrize("status", list(Status))
def test_detail_lists_exactly_the_actions_of_the_state(client, make_staff, status):
    commander = make_staff("BG", "supervisor")  # the province: sees both districts
    investigator = make_staff(CITY, "investigator")
    make_staff(YEN_THE, "investigator")  # someone to assign to after a transfer
    case = _in_state(status, by=commander, other_handler=investigator)
    assert case.status == status
    client.force_login(commander)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    expected = EXPECTED[status] | (set(ALWAYS_OPEN) if case.is_open else set())
    assert _offered(page, case) == expected
    assert ('id="actions"' in page) == bool(expected)


def test_each_offered_action_is_one_the_service_accepts_and_the_others_are_refused(make_staff):
    """The table the page reads is the one the services check: an action missing from the page
    is refused by its service in that state."""
    commander = make_staff("BG", "supervisor")
    investigator = make_staff(CITY, "investigator")
    case = _in_state(Status.RECEIVED, by=commander, other_handler=investigator)
    with pytest.raises(services.ApplicationError) as refused:
        services.case_verify_start(case=case, by=commander)
    assert refused.value.code == "invalid_transition"
    assert "verify" not in services.case_actions_allowed(case=case, user=commander)
    closed = services.case_decline(case=case, by=commander, reason="Dân sự", guidance="Tòa án")
    assert services.case_actions_allowed(case=closed, user=commander) == []
    with pytest.raises(services.ApplicationError):
        services.case_assign(case=closed, by=commander, assignee=investigator)


def test_a_viewer_sees_no_action_and_a_step_without_extension_is_not_offered(client, make_staff):
    viewer = make_staff(THO_XUONG, "viewer")
    commander = make_staff(THO_XUONG, "supervisor")
    case, _ = services.case_create(
        category_code="public_order",
        description="Karaoke quá 22h",
        unit_code=THO_XUONG,
        is_anonymous=True,
    )
    client.force_login(viewer)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert _offered(page, case) == set() and 'id="actions"' not in page
    assert services.case_actions_allowed(case=case, user=viewer) == []

    client.force_login(commander)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    offered = _offered(page, case)
    assert "classify" in offered
    # No step of a public-order report has an extension in its policy: no "Gia hạn" form.
    assert "extend" not in offered
