"""Enrolling the second factor needs a one-time enrolment code issued by an admin or a
commander of the member's unit (or above), not only the password."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from langnghe.accounts.models import EnrolmentCode
from langnghe.accounts.second_factor import (
    confirmed_device,
    enrolment_code_issue,
    enrolment_device,
)
from langnghe.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _second_factor_required(settings):
    settings.LANGNGHE_REQUIRE_2FA = True


THO_XUONG, TRAN_NGUYEN_HAN, CITY = "BG-X07201", "BG-X07204", "BG-H213"


def _totp(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _signed_in(client, user):
    """Signed in with the password only (force_login: the login view's per-address limit is
    tested elsewhere)."""
    client.force_login(user)
    return client


def _enter(client, code: str):
    return client.post("/staff/2fa/", {"enrolment_code": code, "next": "/staff/"})


def _issuer(client, make_staff, code: str, role: str):
    """A verified officer of ``code`` with ``role`` (they passed their own second factor)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    issuer = make_staff(code, role)
    device = TOTPDevice.objects.create(user=issuer, name="Điện thoại", confirmed=True)
    client.force_login(issuer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return issuer


def test_without_a_code_no_secret_is_shown_and_no_device_can_be_confirmed(client, make_staff):
    officer = make_staff(THO_XUONG, "duty_officer")
    _signed_in(client, officer)
    assert _enter(client, "").status_code == 200
    assert _enter(client, "ABCD-EFGH-JKLM").status_code == 200
    page = client.get("/staff/2fa/").content.decode()
    assert "<svg" not in page and "totp-secret" not in page
    assert page.count('name="enrolment_code"') == 1
    assert 'name="token"' not in page
    # Posting a right TOTP code straight away (the secret got some other way) enrols nothing.
    device = enrolment_device(officer)
    assert client.post("/staff/2fa/", {"token": _totp(device)}).status_code == 200
    assert confirmed_device(officer) is None
    assert client.get("/staff/").status_code == 302
    refused = AuditEntry.objects.filter(action="second_factor.enrolment_code_refused")
    assert refused.count() == 3 and set(refused.values_list("actor_id", flat=True)) == {officer.pk}


def test_a_fresh_code_enrols_once_and_is_audited(client, make_staff):
    officer = make_staff(THO_XUONG, "viewer")
    commander = make_staff(THO_XUONG, "supervisor")
    code = enrolment_code_issue(user=officer, by=commander)
    assert not EnrolmentCode.objects.filter(code_hash__icontains=code.replace("-", "")).exists()
    _signed_in(client, officer)
    assert _enter(client, code.lower().replace("-", " ")).status_code == 302  # typed loosely
    page = client.get("/staff/2fa/").content.decode()
    assert "<svg" in page and page.count('name="token"') == 1
    assert 'name="enrolment_code"' not in page
    device = enrolment_device(officer)
    assert client.post("/staff/2fa/", {"token": _totp(device)}).status_code == 302
    assert confirmed_device(officer) == device
    assert client.get("/staff/").status_code == 200
    actions = list(
        AuditEntry.objects.filter(action__startswith="second_factor.")
        .order_by("pk")
        .values_list("action", "actor_id")
    )
    assert actions == [
        ("second_factor.enrolment_code_issue", commander.pk),
        ("second_factor.enrolment_code_use", officer.pk),
        ("second_factor.enrol", officer.pk),
    ]
    # Used: a second session of the same password gets nowhere with it.
    other = type(client)()
    _signed_in(other, officer)
    TOTPDevice.objects.filter(user=officer).delete()  # even with the phone lost since
    assert _enter(other, code).status_code == 200


def test_an_expired_or_used_or_superseded_code_is_refused(client, make_staff):
    officer = make_staff(THO_XUONG, "duty_officer")
    expired = enrolment_code_issue(user=officer)
    EnrolmentCode.objects.filter(user=officer).update(expires_at=timezone.now())
    _signed_in(client, officer)
    assert _enter(client, expired).status_code == 200
    first = enrolment_code_issue(user=officer)
    second = enrolment_code_issue(user=officer)  # the first stops working
    assert _enter(client, first).status_code == 200
    EnrolmentCode.objects.filter(user=officer, used_at__isnull=True).update(used_at=timezone.now())
    assert _enter(client, second).status_code == 200
    assert "<svg" not in client.get("/staff/2fa/").content.decode()


def test_a_code_works_only_for_the_member_it_was_issued_to(client, make_staff):
    officer, colleague = make_staff(THO_XUONG, "duty_officer"), make_staff(THO_XUONG, "viewer")
    code = enrolment_code_issue(user=colleague)
    _signed_in(client, officer)
    assert _enter(client, code).status_code == 200
    assert EnrolmentCode.objects.get(user=colleague).used_at is None


@pytest.mark.parametrize(
    ("unit_code", "role", "status"),
    [
        (THO_XUONG, "supervisor", 302),
        (THO_XUONG, "admin", 302),
        (CITY, "supervisor", 302),  # the unit above
        (THO_XUONG, "duty_officer", 403),
        (THO_XUONG, "viewer", 403),
        (TRAN_NGUYEN_HAN, "supervisor", 200),  # another commune: not in scope (form shown again)
    ],
)
def test_console_page_issues_codes_for_the_scope_of_admins_and_commanders(
    client, make_staff, unit_code, role, status
):
    officer = make_staff(THO_XUONG, "duty_officer", username="can.bo.moi")
    _issuer(client, make_staff, unit_code, role)
    response = client.post("/staff/enrolment-codes/", {"username": "can.bo.moi"})
    assert response.status_code == status
    assert "no-store" in response["Cache-Control"]
    issued = EnrolmentCode.objects.filter(user=officer)
    if status == 302:
        page = client.get(response.url).content.decode()
        code = page.split('id="enrolment-code">')[1].split("<")[0]
        assert issued.count() == 1 and len(code) == 14
        # A reload shows it no more and issues no other: the code read out stays good.
        assert 'id="enrolment-code"' not in client.get(response.url).content.decode()
        assert issued.count() == 1
        # The code the commander read out works for the officer.
        other = type(client)()
        _signed_in(other, officer)
        assert _enter(other, code).status_code == 302
    else:
        assert not issued.exists()
        assert not AuditEntry.objects.filter(action="second_factor.enrolment_code_issue").exists()


def test_nobody_issues_a_code_for_themselves(client, make_staff):
    commander = _issuer(client, make_staff, THO_XUONG, "supervisor")
    response = client.post("/staff/enrolment-codes/", {"username": commander.username})
    assert response.status_code == 403
    assert not EnrolmentCode.objects.exists()


def test_the_console_page_needs_the_issuers_own_second_factor(client, make_staff):
    commander = make_staff(THO_XUONG, "supervisor")
    make_staff(THO_XUONG, "viewer", username="can.bo.moi")
    _signed_in(client, commander)  # password only
    response = client.post("/staff/enrolment-codes/", {"username": "can.bo.moi"})
    assert response.status_code == 302 and response.url.startswith("/staff/2fa/")
    assert not EnrolmentCode.objects.exists()


def test_commands_print_a_code_for_the_first_admin(client):
    out = StringIO()
    call_command(
        "create_staff", "--username", "qt.dau.tien", "--unit", "BG", "--role", "admin",
        "--password", "password-123", stdout=out,
    )  # fmt: skip
    code = out.getvalue().strip().splitlines()[-1]
    out = StringIO()
    call_command("enrolment_code", "--username", "qt.dau.tien", "--hours", "2", stdout=out)
    newer = out.getvalue().strip().splitlines()[-1]
    from langnghe.accounts.models import User

    _signed_in(client, User.objects.get(username="qt.dau.tien"))
    assert _enter(client, code).status_code == 200  # superseded by the newer one
    assert _enter(client, newer).status_code == 302
    before = EnrolmentCode.objects.count()
    with pytest.raises(CommandError, match="Không có cán bộ"):
        call_command("enrolment_code", "--username", "ghost")
    with pytest.raises(CommandError, match="1 đến 336"):
        call_command("enrolment_code", "--username", "qt.dau.tien", "--hours", "0")
    assert EnrolmentCode.objects.count() == before


def test_a_presented_code_survives_a_lost_page_until_a_device_is_confirmed(client, make_staff):
    officer = make_staff(THO_XUONG, "investigator")
    code = enrolment_code_issue(user=officer)
    _signed_in(client, officer)
    assert _enter(client, code).status_code == 302
    first_secret = enrolment_device(officer).bin_key
    # The phone closed the tab before confirming: a new session presents the same code.
    again = type(client)()
    _signed_in(again, officer)
    assert _enter(again, code).status_code == 302
    device = enrolment_device(officer)
    assert device.bin_key != first_secret  # a fresh secret, the one shown before is void
    assert again.post("/staff/2fa/", {"token": _totp(device)}).status_code == 302
    assert EnrolmentCode.objects.get(user=officer).used_at is not None
    third = type(client)()
    _signed_in(third, officer)
    TOTPDevice.objects.filter(user=officer).delete()
    assert _enter(third, code).status_code == 200  # used up by the confirmation


def test_a_commander_removes_a_lost_phone_with_the_new_code(client, make_staff):
    officer = make_staff(THO_XUONG, "duty_officer", username="mat.dien.thoai")
    TOTPDevice.objects.create(user=officer, name="cũ", confirmed=True)
    _issuer(client, make_staff, THO_XUONG, "supervisor")
    response = client.post(
        "/staff/enrolment-codes/", {"username": "mat.dien.thoai", "remove_devices": "1"}
    )
    assert response.status_code == 302
    assert "Đã gỡ thiết bị xác thực cũ" in client.get(response.url).content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert AuditEntry.objects.filter(action="second_factor.devices_remove").count() == 1
    # Out of scope: nothing removed.
    stranger = make_staff(TRAN_NGUYEN_HAN, "duty_officer", username="xa.khac")
    TOTPDevice.objects.create(user=stranger, name="cũ", confirmed=True)
    response = client.post(
        "/staff/enrolment-codes/", {"username": "xa.khac", "remove_devices": "1"}
    )
    assert response.status_code == 200  # the form shown again with its error
    assert TOTPDevice.objects.filter(user=stranger).exists()


def test_a_throttled_code_says_how_long_to_wait(client, make_staff):
    officer = make_staff(THO_XUONG, "investigator")
    code = enrolment_code_issue(user=officer)
    _signed_in(client, officer)
    _enter(client, code)
    device = enrolment_device(officer)
    assert client.post("/staff/2fa/", {"token": "000000"}).status_code == 200
    page = client.post("/staff/2fa/", {"token": _totp(device)}).content.decode()
    assert "hãy chờ" in page and "giây" in page


def test_an_empty_or_unknown_name_gets_a_plain_message(client, make_staff):
    _issuer(client, make_staff, THO_XUONG, "supervisor")
    empty = client.post("/staff/enrolment-codes/", {"username": ""})
    assert empty.status_code == 200
    assert "Hãy nhập tên đăng nhập của cán bộ." in empty.content.decode()
    long = client.post("/staff/enrolment-codes/", {"username": "x" * 5000})
    assert long.status_code == 200  # the message quotes 60 characters of it, not 5,000
    assert f"Không có cán bộ “{'x' * 60}…” trong phạm vi" in long.content.decode()
    assert not EnrolmentCode.objects.exists()
