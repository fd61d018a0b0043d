"""TOTP enrolment and verification (django-otp); views call these, nothing else touches
devices.

Enrolment needs a one-time enrolment code besides the password: whoever holds a stolen password
must not be able to enrol their own phone. An admin or a commander of the staff member's unit
(or a unit above) issues the code in the console (`/staff/enrolment-codes/`), an operator with
`langnghe enrolment_code --username U` (the first administrator: there is nobody to ask yet).
"""

import base64
import datetime as dt
import hashlib
import math
import secrets

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError, NotFound, PermissionDenied

from .models import EnrolmentCode, Membership, Role, User
from .selectors import visible_units

# Who may issue an enrolment code for a member of their unit or a unit below.
ISSUER_ROLES = (Role.ADMIN, Role.SUPERVISOR)
# The session that presented a valid enrolment code may enrol (the user's id, checked again).
ENROLMENT_SESSION_KEY = "second_factor_enrolment"
# 12 characters of an alphabet without look-alikes (no 0/O, 1/I): 32 symbols, 60 bits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device being set up (made once, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)


def enrolment_qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4)


def device_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


# --- enrolment codes -----------------------------------------------------------------------


def _normalised(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _code_hash(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def may_issue_enrolment_code(by, user) -> bool:
    """An admin or commander (supervisor) of one of ``user``'s units or a unit above it."""
    if by is None or not by.is_authenticated or not by.is_active:
        return False
    if by.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, unit__in=visible_units(by, roles=ISSUER_ROLES)
    ).exists()


def enrolment_code_issue(*, user: User, by=None, hours: int | None = None) -> str:
    """Issue a one-time enrolment code for ``user`` and return it: it is shown once, only its
    hash is stored. ``by`` None is the operator at the command line. An earlier unused code of
    the same user stops working."""
    if by is not None:
        if by.pk == user.pk:
            raise PermissionDenied("Không thể tự cấp mã kích hoạt cho chính mình.")
        if not may_issue_enrolment_code(by, user):
            raise NotFound(
                f"Không có cán bộ “{user.username}” trong phạm vi bạn quản lý.",
                code="user_not_found",
            )
    if not user.is_active:
        raise ApplicationError("Tài khoản này đã bị khóa.", code="inactive_user")
    hours = settings.LANGNGHE_ENROLMENT_CODE_HOURS if hours is None else hours
    if not 1 <= hours <= 24 * 14:
        raise ApplicationError("Thời hạn của mã phải từ 1 đến 336 giờ.", code="bad_hours")
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = timezone.now()
    with transaction.atomic():
        superseded = EnrolmentCode.objects.filter(
            user=user, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        record = EnrolmentCode.objects.create(
            user=user,
            code_hash=_code_hash(code),
            issued_by=by,
            expires_at=now + dt.timedelta(hours=hours),
        )
        audit_record(
            actor=by,
            action="second_factor.enrolment_code_issue",
            target=user,
            data={
                "code": record.pk,
                "expires_at": record.expires_at.isoformat(),
                "superseded": superseded,
            },
        )
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def enrolment_code_redeem(*, request, code: str) -> bool:
    """Present the signed-in user's enrolment code: the session may then enrol a new device,
    with a secret never shown before. The code is used up when a device is confirmed with it
    (``second_factor_verify``), so a phone that reloads or loses the page before confirming
    presents it again and gets a new secret. False (and audited) when the code is wrong, used
    or expired."""
    user = request.user
    with transaction.atomic():
        record = _open_code(user, code_hash=_code_hash(code))
        if record is None or len(_normalised(code)) != CODE_LENGTH:
            audit_record(actor=user, action="second_factor.enrolment_code_refused", target=user)
            return False
        # A fresh secret: one shown to an earlier session is never the one confirmed.
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit_record(
            actor=user,
            action="second_factor.enrolment_code_use",
            target=user,
            data={"code": record.pk},
        )
    request.session[ENROLMENT_SESSION_KEY] = [user.pk, record.pk]
    return True


def _open_code(user, **filters) -> EnrolmentCode | None:
    """The user's code matching ``filters`` that is neither used nor expired (locked)."""
    return (
        EnrolmentCode.objects.select_for_update()
        .filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now(), **filters)
        .first()
    )


def _session_code_id(request) -> int | None:
    value = request.session.get(ENROLMENT_SESSION_KEY)
    if isinstance(value, list) and len(value) == 2 and value[0] == request.user.pk:
        return value[1]
    return None


def enrolment_allowed(request) -> bool:
    """This session presented a valid enrolment code for this user, still neither used nor
    expired."""
    code_id = _session_code_id(request)
    return (
        code_id is not None
        and EnrolmentCode.objects.filter(
            pk=code_id, used_at__isnull=True, expires_at__gt=timezone.now()
        ).exists()
    )


def devices_remove(*, user: User, by) -> int:
    """Remove ``user``'s authenticator devices (a lost phone), so that an enrolment code can
    set up a new one: by an admin or commander of the user's unit or above, never oneself;
    audited. Returns the number removed."""
    if by.pk == user.pk:
        raise PermissionDenied("Không thể tự gỡ thiết bị xác thực của chính mình.")
    if not may_issue_enrolment_code(by, user):
        raise NotFound(
            f"Không có cán bộ “{user.username}” trong phạm vi bạn quản lý.", code="user_not_found"
        )
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        audit_record(
            actor=by, action="second_factor.devices_remove", target=user, data={"n": removed}
        )
    return removed


def wait_seconds(user) -> int:
    """Seconds before the user's device takes another code: django-otp's throttle doubles the
    wait after each wrong code (1, 2, 4 … s), and refuses even a right code meanwhile."""
    device = confirmed_device(user) or TOTPDevice.objects.filter(user=user).first()
    if device is None:
        return 0
    allowed, data = device.verify_is_allowed()
    if allowed or not data or not data.get("locked_until"):
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


# --- verification --------------------------------------------------------------------------


def second_factor_verify(*, request, token: str) -> bool:
    """Check the code against the confirmed device, or confirm the device being enrolled (only
    in a session that presented an enrolment code)."""
    user = request.user
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit() or len(token) != 6:
        return False
    device = confirmed_device(user)
    enrolling = device is None
    if enrolling:
        if not enrolment_allowed(request):
            return False
        device = enrolment_device(user)
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        if enrolling:
            record = _open_code(user, pk=_session_code_id(request))
            if record is None:  # used by another session meanwhile, or expired
                return False
            record.used_at = timezone.now()
            record.save(update_fields=["used_at"])
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit_record(
                actor=user, action="second_factor.enrol", target=user, data={"code": record.pk}
            )
        otp_login(request, device)
    request.session.pop(ENROLMENT_SESSION_KEY, None)
    return True


def session_verified(user, session) -> bool:
    """Whether ``session`` (a websocket's, say, where django-otp's middleware does not run)
    holds a second factor verified by a confirmed device of ``user`` — what
    ``request.user.is_verified()`` answers for a page."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    persistent_id = (session or {}).get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if not persistent_id:
        return False
    if persistent_id.count(".") > 1:  # as django-otp's middleware normalises it
        parts = persistent_id.split(".")
        persistent_id = ".".join((parts[-3], parts[-1]))
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk and device.confirmed
