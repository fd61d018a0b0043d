"""HTTP-side helpers shared by the API and the pages: the device cookie and client hashes."""

import secrets

from django.utils import timezone

from .security import keyed_hash

DEVICE_COOKIE = "ln_sv"
DEVICE_HEADER = "HTTP_X_DEVICE_TOKEN"
DEVICE_COOKIE_AGE = 365 * 86400


def client_hashes(request) -> tuple[str, str]:
    """(ip_hash, device_hash) of the request. The raw IP and device token are never stored.

    The IP is REMOTE_ADDR, the client's address that langnghe.core.clientaddr put there
    (X-Forwarded-For read only through LANGNGHE_TRUSTED_PROXIES).
    """
    day = timezone.localdate()
    ip = request.META.get("REMOTE_ADDR", "")
    device = (request.META.get(DEVICE_HEADER) or request.COOKIES.get(DEVICE_COOKIE, ""))[:100]
    return keyed_hash("ip", ip, day=day), keyed_hash("device", device, day=day)


def device_cookie_ensure(request, response) -> None:
    """Give the browser a random device token (only its daily HMAC is ever stored)."""
    if not request.COOKIES.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(16),
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
