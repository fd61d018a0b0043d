"""Staff account protections: lockout after repeated wrong passwords, TOTP second factor."""

import pytest
from django.test import override_settings
from django_otp.oath import totp

from langnghe.accounts.second_factor import (
    confirmed_device,
    enrolment_code_issue,
    enrolment_device,
)

pytestmark = pytest.mark.django_db


def _code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=10)
def test_a_dozen_wrong_passwords_lock_the_account(client, make_staff):
    make_staff("BG-X07201", "duty_officer", username="bi.khoa")
    for _ in range(12):
        client.post("/staff/login/", {"username": "bi.khoa", "password": "sai-mat-khau"})
    response = client.post("/staff/login/", {"username": "bi.khoa", "password": "password-123"})
    assert response.status_code == 429
    assert "tạm thời bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session
    from django.core.management import call_command

    call_command("axes_reset_username", "bi.khoa")  # an admin releases it
    response = client.post("/staff/login/", {"username": "bi.khoa", "password": "password-123"})
    assert response.status_code == 302


# No throttling delay between the wrong and the right code in this test (django-otp throttles).
@override_settings(LANGNGHE_REQUIRE_2FA=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_duty_officer_must_enrol_and_pass_totp(client, make_staff):
    officer = make_staff("BG-X07201", "duty_officer", username="tb.2fa")
    code = enrolment_code_issue(user=officer, by=make_staff("BG-X07201", "supervisor"))
    client.post("/staff/login/", {"username": "tb.2fa", "password": "password-123"})
    response = client.get("/staff/")
    assert response.status_code == 302 and response.url.startswith("/staff/2fa/")
    # The password alone shows no secret: the enrolment code first.
    page = client.get("/staff/2fa/").content.decode()
    assert "Mã kích hoạt" in page and "<svg" not in page and "totp-secret" not in page
    # The session cannot use the API either until verified.
    assert client.get("/api/v1/units/mine").status_code == 401
    response = client.post("/staff/2fa/", {"enrolment_code": code, "next": "/staff/"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "quét mã" in page and "<svg" in page
    device = enrolment_device(officer)
    assert client.post("/staff/2fa/", {"token": "000000"}).status_code == 200
    response = client.post("/staff/2fa/", {"token": _code(device), "next": "/staff/"})
    assert response.status_code == 302
    assert confirmed_device(officer) is not None
    assert client.get("/staff/").status_code == 200
    assert client.get("/api/v1/units/mine").status_code == 200


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
@override_settings(LANGNGHE_REQUIRE_2FA=True)
def test_every_role_must_pass_the_second_factor(client, make_staff, role):
    """A viewer and an editor read cases' facts too: no role is exempt."""
    make_staff("BG", role, username="bt.only")
    client.post("/staff/login/", {"username": "bt.only", "password": "password-123"})
    response = client.get("/staff/")
    assert response.status_code == 302 and response.url.startswith("/staff/2fa/")
    assert client.get("/api/v1/cases").status_code == 401


def test_security_headers_on_public_pages(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
