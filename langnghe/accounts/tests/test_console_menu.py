"""The console menu offers each officer the pages of use to their role, and the case list
offers intake only to those who may record a tip."""

import pytest

pytestmark = pytest.mark.django_db


def _menu(client, user):
    client.force_login(user)
    response = client.get("/staff/cases/")
    assert response.status_code == 200
    return [label for label, _url in response.context["console_nav"]], response.content.decode()


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("editor", {"Bài viết, thông báo", "Mẫu trả lời"}, {"Kết nối Zalo OA", "Lịch trực"}),
        ("duty_officer", {"Trực ban", "Lịch trực", "Mẫu trả lời"}, {"Kết nối Zalo OA"}),
        (
            "investigator",
            {"Vụ việc, tin báo"},
            {"Kết nối Zalo OA", "Lịch trực", "Mẫu trả lời", "Bài viết, thông báo"},
        ),
        ("admin", {"Kết nối Zalo OA", "Mẫu phiếu khảo sát", "Lịch trực"}, set()),
    ],
)
def test_menu_follows_the_role(client, demo_network, make_staff, role, shown, hidden):
    officer = make_staff("BG-X07201", role)
    labels, page = _menu(client, officer)
    assert shown <= set(labels), labels
    assert not hidden & set(labels), labels


def test_intake_is_offered_only_to_those_who_record_tips(client, demo_network, make_staff):
    _labels, page = _menu(client, make_staff("BG-X07201", "editor"))
    assert "/staff/cases/new/" not in page
    _labels, page = _menu(client, make_staff("BG-X07201", "duty_officer"))
    assert "/staff/cases/new/" in page
