"""API authentication: ``Authorization: Bearer <token>`` or the console's session (with CSRF)."""

import hashlib

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from .middleware import needs_second_factor
from .models import ApiToken


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        if not token or len(token) > 200:
            return None
        now = timezone.now()
        # Read from the database at every request (no per-process cache): a revocation or an
        # expiry holds from the next request on, in every process.
        record = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if record is None or not record.user.is_active:
            return None
        if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        return record.user


class StaffSession(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or not user.is_active:
            return None
        if needs_second_factor(user) and not user.is_verified():
            return None
        return user


staff_auth = [BearerToken(), StaffSession()]
