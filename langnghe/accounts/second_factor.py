"""TOTP enrolment and verification (django-otp); views call these, nothing else touches
devices."""

import base64

import segno
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from langnghe.audit.services import audit_record


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


def second_factor_verify(*, request, token: str) -> bool:
    """Check the code against the confirmed device, or confirm the device being enrolled."""
    user = request.user
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit() or len(token) != 6:
        return False
    device = confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = enrolment_device(user)
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        if enrolling:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit_record(actor=user, action="second_factor.enrol", target=user)
        otp_login(request, device)
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
