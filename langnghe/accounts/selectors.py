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


def _member_paths(user, roles: tuple[str, ...] | None = None) -> list[str]:
    """The paths of the units the user belongs to (with one of ``roles``, when given), those
    already covered by a shorter one left out. Kept on the user object for the request."""
    memo = getattr(user, "_langnghe_member_paths", None)
    if memo is None:
        memo = user._langnghe_member_paths = {}
    key = tuple(sorted(roles)) if roles is not None else None
    cached = memo.get(key)
    if cached is None:
        rows = Membership.objects.filter(user=user, unit__is_active=True)
        if roles is not None:
            rows = rows.filter(role__in=roles)
        paths = sorted(set(rows.values_list("unit__path", flat=True)))
        # Drop paths already covered by a shorter one (a member of a district and its commune).
        cached = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
        memo[key] = cached
    return cached


# Units whose data stays readable: the open ones, and the closed ones with a successor (#25:
# their history is read under the successor, below which they hang). A unit merely switched
# off (no successor) stays hidden, as before.
_READABLE = Q(is_active=True) | Q(successor__isnull=False)


def visible_units(user, *, roles: tuple[str, ...] | None = None) -> QuerySet[Unit]:
    """The units whose data ``user`` may read: their units' subtrees (all for a superuser).
    With ``roles``: only the subtrees of the units where the user holds one of them (the units
    whose conversations a duty officer reads, say). Closed units below are included (their
    cases and conversations stay readable); a list or picker of units filters ``is_active``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.filter(_READABLE)
    paths = _member_paths(user, roles)
    if not paths:
        return Unit.objects.none()
    return Unit.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths)), _READABLE)


def can_see_unit(user, unit: Unit, *, roles: tuple[str, ...] | None = None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(unit.path.startswith(p) for p in _member_paths(user, roles))


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


def top_units(user, *, roles: tuple[str, ...] | None = None) -> list[Unit]:
    """The roots of the user's scope (where they hold one of ``roles``, when given), for the
    console's unit switcher and the live feed's subscriptions."""
    if user.is_superuser:
        return list(Unit.objects.filter(parent__isnull=True, is_active=True))
    paths = _member_paths(user, roles)
    return list(Unit.objects.filter(path__in=paths).select_related("kind"))
