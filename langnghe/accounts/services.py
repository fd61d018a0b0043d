"""Writes about staff: accounts, memberships, API tokens. Each records an audit entry."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError
from langnghe.units.models import Unit

from .auth import hash_token
from .models import ApiToken, Membership, Role, User


def staff_create(
    *, username: str, password: str, unit: Unit, role: str, full_name: str = "", by=None
) -> User:
    """Create the account if it does not exist and give it ``role`` in ``unit``."""
    username = (username or "").strip()
    if not username or len(username) > 150:
        raise ApplicationError(
            "Tên đăng nhập không hợp lệ.", code="invalid_username", field="username"
        )
    if role not in Role.values:
        raise ApplicationError(
            f"Vai trò “{role}” không tồn tại. Các vai trò: {', '.join(Role.values)}.",
            code="unknown_role",
            field="role",
        )
    if not password or len(password) < 8:
        raise ApplicationError(
            "Mật khẩu phải có ít nhất 8 ký tự.", code="weak_password", field="password"
        )
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name}
        )
        user.set_password(password)
        if full_name:
            user.full_name = full_name
        user.save()
        membership, added = Membership.objects.get_or_create(user=user, unit=unit, role=role)
        user.__dict__.pop("_langnghe_member_paths", None)
        audit_record(
            actor=by,
            action="staff.create" if created else "staff.update",
            target=user,
            unit=unit,
            data={"role": role, "membership_added": added},
        )
    return user


def membership_add(*, user: User, unit: Unit, role: str, by=None) -> Membership:
    if role not in Role.values:
        raise ApplicationError(f"Vai trò “{role}” không tồn tại.", code="unknown_role")
    with transaction.atomic():
        membership, _ = Membership.objects.get_or_create(user=user, unit=unit, role=role)
        user.__dict__.pop("_langnghe_member_paths", None)
        audit_record(
            actor=by,
            action="membership.add",
            target=membership,
            unit=unit,
            data={"user": user.username, "role": role},
        )
    return membership


def api_token_create(
    *, user: User, name: str = "", days: int | None = None, by=None
) -> tuple[ApiToken, str]:
    """Returns the record and the token itself, which is shown once and never stored. The
    token expires after ``days`` (default LANGNGHE_API_TOKEN_DAYS)."""
    days = settings.LANGNGHE_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= 3650:
        raise ApplicationError("Số ngày hiệu lực phải từ 1 đến 3650.", code="bad_days")
    token = "ln_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        record = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=token[:10],
            token_hash=hash_token(token),
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        audit_record(
            actor=by or user,
            action="api_token.create",
            target=record,
            data={"prefix": record.prefix, "days": days},
        )
    return record, token


def api_token_revoke(*, user: User, prefix: str = "", by=None) -> list[str]:
    """Revoke the user's tokens still in force, or only the one(s) starting with ``prefix``.
    Returns the prefixes revoked; refused (nothing changed) when none matches."""
    prefix = (prefix or "").strip()
    with transaction.atomic():
        tokens = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        if prefix:
            tokens = tokens.filter(prefix=prefix[: ApiToken._meta.get_field("prefix").max_length])
        revoked = list(tokens.values_list("prefix", flat=True))
        if not revoked:
            raise ApplicationError(
                f"Cán bộ “{user.username}” không có mã truy cập nào"
                + (f" bắt đầu bằng “{prefix}”" if prefix else "")
                + " đang hiệu lực.",
                code="no_token",
            )
        tokens.update(revoked_at=timezone.now())
        audit_record(
            actor=by,
            action="api_token.revoke",
            target=user,
            data={"prefixes": revoked},
        )
    return revoked


def memberships_move(*, from_unit: Unit, to_unit: Unit, by=None) -> int:
    """A unit that ends hands its staff to its successor, each with the same role (a commune
    officer follows the commune; a district officer goes to the province). A membership the
    person already holds there is not made twice. Audited per person."""
    moved = 0
    for membership in Membership.objects.filter(unit=from_unit).select_related("user"):
        if Membership.objects.filter(
            user=membership.user, unit=to_unit, role=membership.role
        ).exists():
            membership.delete()
        else:
            Membership.objects.filter(pk=membership.pk).update(unit=to_unit)
        audit_record(
            actor=by,
            action="membership.move",
            target=membership.user,
            unit=to_unit,
            data={"from": from_unit.code, "to": to_unit.code, "role": membership.role},
        )
        moved += 1
    return moved
