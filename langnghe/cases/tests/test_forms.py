"""The case console parses its POSTs with forms: a value of the wrong shape is a Vietnamese
message on the page (200 after the redirect), never a 500, and changes nothing."""

import pytest

from langnghe.cases import services
from langnghe.cases.models import Case

from .conftest import THO_XUONG

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    found, _ = services.case_create(
        category_code="public_order",
        description="Đua xe trái phép mỗi tối trên đường Xương Giang.",
        unit_code=THO_XUONG,
        is_anonymous=True,
    )
    return found


@pytest.fixture
def commander(client, make_staff):
    user = make_staff(THO_XUONG, "supervisor")
    client.force_login(user)
    return user


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_assign_refuses_an_assignee_that_is_not_a_number(client, commander, case):
    page = client.post(f"/staff/cases/{case.pk}/assign/", {"assignee": "abc"}, follow=True)
    assert "Dữ liệu không hợp lệ." in _page(page)
    assert Case.objects.get(pk=case.pk).assignee_id is None


@pytest.mark.parametrize(
    ("ids", "message"),
    [(["abc"], "Dữ liệu không hợp lệ."), ([], "Chưa chọn vụ việc nào.")],
)
def test_bulk_assign_refuses_ids_of_the_wrong_shape(client, commander, case, ids, message):
    page = client.post(
        "/staff/cases/bulk-assign/", {"ids": ids, "assignee": commander.pk}, follow=True
    )
    assert message in _page(page)
    assert Case.objects.get(pk=case.pk).assignee_id is None


def test_a_reveal_decision_refuses_a_request_id_that_is_not_a_number(client, commander):
    page = client.post(
        "/staff/cases/identity-requests/", {"request": "abc", "approve": "1"}, follow=True
    )
    assert "Dữ liệu không hợp lệ." in _page(page)


def test_a_reveal_decision_is_duyet_or_tu_choi_and_nothing_else(client, commander):
    page = client.post(
        "/staff/cases/identity-requests/", {"request": "1", "approve": "zzz"}, follow=True
    )
    assert "Hãy chọn Duyệt hoặc Từ chối." in _page(page)


def test_sending_files_without_a_file_is_refused(client, commander):
    case, receipt = services.case_create(
        category_code="public_order",
        description="Đua xe trái phép mỗi tối trên đường Xương Giang.",
        unit_code=THO_XUONG,
        is_anonymous=True,
    )
    page = client.post(f"/staff/cases/{case.pk}/attach/", {}, follow=True)
    assert "Hãy chọn ít nhất một tệp để gửi." in _page(page)
    client.logout()
    page = client.post("/phan-anh/bien-nhan/", {"receipt": receipt, "action": "file"})
    assert "Hãy chọn ít nhất một tệp để gửi." in page.content.decode()
    assert page.status_code == 200 and case.attachments.count() == 0
