"""A tip whose place matches no commune of the deployment goes to the province desk, and the
staff case page says the place was not matched (a note for the desk, not a refusal)."""

import pytest

from langnghe.cases.models import Case

pytestmark = pytest.mark.django_db


def _tip(client, place):
    return client.post(
        "/phan-anh/",
        {
            "category": "public_order",
            "description": "Nhóm thanh niên tụ tập đua xe, nẹt pô mỗi tối sau 23 giờ.",
            "name": "Trần Thị Bích",
            "phone": "0912 345 678",
            "address": place,
        },
    )


def test_an_unmatched_place_is_said_on_the_case_page(client, make_staff):
    assert _tip(client, "phường Kinh Bắc, tỉnh Bắc Ninh").status_code == 302
    case = Case.objects.get()
    assert case.unit.code == "BG" and case.routed_by == "province"
    client.force_login(make_staff("BG", "supervisor"))
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    note = page.split('id="case-place-unmatched"')[1].split("</")[0]
    assert "không khớp" in note and "phường, xã" in note


def test_a_matched_place_has_no_such_note(client, make_staff):
    assert _tip(client, "Phường Thọ Xương, thành phố Bắc Giang").status_code == 302
    case = Case.objects.get()
    assert case.unit.code == "BG-X07201"
    client.force_login(make_staff("BG", "supervisor"))
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert 'id="case-place"' in page and 'id="case-place-unmatched"' not in page
