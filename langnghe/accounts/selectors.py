"""Reads about staff, and the single scope check of the whole system.

``visible_units(user)`` is the only place that decides which units a person may see: a member
sees the units they belong to and everything below them, nothing else. Every selector of data
owned by a unit filters through it (STYLE.md §4).
"""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from langnghe.core.exceptions import NotFound
from langnghe.units.models import Unit

from .models import Membership


def _member_paths(user) -> list[str]:
    cached = getattr(user, "_langnghe_member_paths", None)
    if cached is None:
        paths = sorted(
            set(
                Membership.objects.filter(user=user, unit__is_active=True).values_list(
                    "unit__path", flat=True
                )
            )
        )
        # Drop paths already covered by a shorter one (a member of a district and its commune).
        cached = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
        user._langnghe_member_paths = cached
    return cached


def visible_units(user) -> QuerySet[Unit]:
    """The units whose data ``user`` may read: their units' subtrees (all for a superuser)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.filter(is_active=True)
    paths = _member_paths(user)
    if not paths:
        return Unit.objects.none()
    return Unit.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths)), is_active=True)


def can_see_unit(user, unit: Unit) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(unit.path.startswith(p) for p in _member_paths(user))


def visible_unit_get(*, user, code: str) -> Unit:
    """A unit by code, if the user may see it; otherwise "not found" (never "forbidden", so a
    code outside the scope reveals nothing)."""
    unit = Unit.objects.select_related("kind").filter(code__iexact=(code or "").strip()).first()
    if unit is None or not can_see_unit(user, unit):
        raise NotFound(f"Không có đơn vị mã “{code}” trong phạm vi của bạn.", code="unit_not_found")
    return unit


def has_role(user, unit: Unit, roles: set[str] | list[str] | tuple[str, ...]) -> bool:
    """True when the user holds one of ``roles`` on ``unit`` or on a unit above it."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    unit_ids = [*unit.ancestor_ids, unit.pk]
    return Membership.objects.filter(user=user, unit_id__in=unit_ids, role__in=roles).exists()


def membership_list(*, user) -> QuerySet[Membership]:
    """Memberships in units the user may see."""
    return (
        Membership.objects.filter(unit__in=visible_units(user))
        .select_related("user", "unit", "unit__kind")
        .order_by("unit__path", "user__username")
    )


def top_units(user) -> list[Unit]:
    """The roots of the user's scope, for the console's unit switcher."""
    if user.is_superuser:
        return list(Unit.objects.filter(parent__isnull=True, is_active=True))
    paths = _member_paths(user)
    return list(Unit.objects.filter(path__in=paths).select_related("kind"))
