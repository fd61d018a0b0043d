import pytest

pytestmark = pytest.mark.django_db


def test_console_requires_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302 and response.url.startswith("/staff/login/")


def test_login_and_switcher_limited_to_scope(client, make_staff):
    make_staff("BG-H213", "supervisor", username="chihuy")
    response = client.post("/staff/login/", {"username": "chihuy", "password": "password-123"})
    assert response.status_code == 302
    page = client.get("/staff/").content.decode()
    assert "Công an thành phố Bắc Giang" in page
    assert 'value="BG-X07201"' in page  # a commune below
    assert 'value="BG-H215"' not in page  # another district
    assert 'value="BG"' not in page  # the province above


def test_switching_to_a_unit_outside_the_scope_is_refused(client, make_staff):
    user = make_staff("BG-X07201", "duty_officer")
    client.force_login(user)
    client.post("/staff/unit/", {"unit": "BG-X07204"})
    assert client.session.get("staff_unit") is None
    client.post("/staff/unit/", {"unit": "BG-X07201"})
    assert client.session["staff_unit"] == "BG-X07201"


def test_wrong_password_shows_a_vietnamese_error(client, make_staff):
    make_staff("BG", "viewer", username="quantri2")
    page = client.post("/staff/login/", {"username": "quantri2", "password": "sai"})
    assert page.status_code == 200
    assert "tên đăng nhập" in page.content.decode().lower()
