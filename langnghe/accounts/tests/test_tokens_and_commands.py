import pytest
from django.core.management import CommandError, call_command

from langnghe.accounts.auth import hash_token
from langnghe.accounts.models import ApiToken, Membership, User
from langnghe.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_staff_and_token_then_call_the_api(client):
    _run(
        "create_staff",
        "--username",
        "cb.thoxuong",
        "--unit",
        "BG-X07201",
        "--role",
        "duty_officer",
        "--password",
        "mat-khau-123",
    )
    user = User.objects.get(username="cb.thoxuong")
    assert Membership.objects.filter(
        user=user, unit__code="BG-X07201", role="duty_officer"
    ).exists()
    token = _run("api_token", "--username", "cb.thoxuong").strip().splitlines()[-1]
    assert token.startswith("ln_")
    # Stored hashed only.
    assert not ApiToken.objects.filter(token_hash=token).exists()
    assert ApiToken.objects.filter(token_hash=hash_token(token), user=user).exists()
    response = client.get("/api/v1/units/mine", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert [i["code"] for i in response.json()["items"]] == ["BG-X07201"]
    assert AuditEntry.objects.filter(action="staff.create", target_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--unit", "NOPE", "--role", "viewer"], "Không có đơn vị"),
        (["--unit", "BG", "--role", "viewer", "--password", "short"], "ít nhất 8"),
    ],
)
def test_create_staff_bad_input_fails_and_changes_nothing(args, message):
    full = ["create_staff", "--username", "x.y", "--password", "mat-khau-123", *args]
    with pytest.raises(CommandError, match=message):
        _run(*full)
    assert not User.objects.filter(username="x.y").exists()


def test_create_staff_unknown_role_is_refused():
    with pytest.raises(CommandError):
        _run(
            "create_staff",
            "--username",
            "x.y",
            "--unit",
            "BG",
            "--role",
            "king",
            "--password",
            "mat-khau-123",
        )


def test_api_token_for_unknown_user_fails():
    with pytest.raises(CommandError, match="Không có cán bộ"):
        _run("api_token", "--username", "ghost")


@pytest.mark.parametrize("header", ["Bearer wrong", "Bearer ", "Basic abc", "Bearer " + "x" * 500])
def test_bad_tokens_are_401(client, header):
    response = client.get("/api/v1/units/mine", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_revoked_token_is_refused(client, make_staff):
    from django.utils import timezone

    from langnghe.accounts.services import api_token_create

    record, token = api_token_create(user=make_staff("BG", "viewer"))
    ApiToken.objects.filter(pk=record.pk).update(revoked_at=timezone.now())
    assert client.get("/api/v1/units/mine", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def _token_for(username: str) -> str:
    return _run("api_token", "--username", username).strip().splitlines()[-1]


def _mine(client, token: str) -> int:
    return client.get("/api/v1/units/mine", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def test_revoke_command_refuses_the_token_at_the_next_request(client, make_staff):
    user = make_staff("BG-X07201", "duty_officer")
    token = _token_for(user.username)
    assert _mine(client, token) == 200
    _run("api_token", "--username", user.username, "--revoke")
    assert _mine(client, token) == 401
    assert AuditEntry.objects.filter(action="api_token.revoke", target_id=str(user.pk)).exists()


def test_revoke_by_prefix_keeps_the_others(client, make_staff):
    user = make_staff("BG-X07201", "duty_officer")
    first, second = _token_for(user.username), _token_for(user.username)
    out = _run("api_token", "--username", user.username, "--revoke", "--prefix", first[:10])
    assert first[:10] in out
    assert (_mine(client, first), _mine(client, second)) == (401, 200)
    listed = _run("api_token", "--username", user.username, "--list")
    assert "đã thu hồi" in listed and "hiệu lực" in listed


@pytest.mark.parametrize(
    "args, message",
    [
        (["--username", "ghost", "--revoke"], "Không có cán bộ"),
        (["--username", "{user}", "--revoke", "--prefix", "ln_nope123"], "không có mã"),
        (["--username", "{user}", "--prefix", "ln_x"], "--prefix"),
        (["--username", "{user}", "--days", "0"], "1 đến 3650"),
    ],
)
def test_token_command_bad_input_fails_and_changes_nothing(client, make_staff, args, message):
    user = make_staff("BG-X07201", "duty_officer")
    token = _token_for(user.username)
    before = list(ApiToken.objects.values())
    with pytest.raises(CommandError, match=message):
        _run("api_token", *[a.format(user=user.username) for a in args])
    assert list(ApiToken.objects.values()) == before
    assert _mine(client, token) == 200


def test_token_expires_after_the_configured_days(client, make_staff, settings):
    from django.utils import timezone

    settings.LANGNGHE_API_TOKEN_DAYS = 30
    user = make_staff("BG-X07201", "duty_officer")
    token = _token_for(user.username)
    record = ApiToken.objects.get(token_hash=hash_token(token))
    assert 29 <= (record.expires_at - timezone.now()).days <= 30
    assert _mine(client, token) == 200
    ApiToken.objects.filter(pk=record.pk).update(expires_at=timezone.now())
    assert _mine(client, token) == 401
    # A token without an expiry (made before expiry existed, not migrated) is refused too.
    ApiToken.objects.filter(pk=record.pk).update(expires_at=None)
    assert _mine(client, token) == 401
