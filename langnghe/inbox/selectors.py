"""Reads of the duty desk, always through the scope check (visible_units)."""

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from langnghe.accounts.models import Membership, Role
from langnghe.accounts.selectors import visible_unit_get, visible_units
from langnghe.core.exceptions import ApplicationError, NotFound

from .models import Conversation, ConversationStatus, DutyShift

# Who may be put on a unit's roster: a role at the desk, held on the unit or a unit above it.
DESK_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.DUTY_OFFICER)
# A unit keeps a roster "around" a moment when one of its shifts runs within this much of it:
# a roster that lapsed (nobody planned next week) hands the desk back to the office hours.
ROSTER_HORIZON = dt.timedelta(days=2)
ROSTER_YEARS = (2000, 2100)  # the weeks a roster can be asked for (no date arithmetic overflows)


def conversation_list(
    *,
    user,
    unit: str | None = None,
    status: str | None = None,
    assignee: int | str | None = None,
) -> QuerySet[Conversation]:
    """Conversations of the units the user may see; ``unit`` narrows to that unit's subtree,
    ``assignee`` is a user id or "me" / "none"."""
    qs = Conversation.objects.filter(unit__in=visible_units(user))
    if unit:
        root = visible_unit_get(user=user, code=unit)
        qs = qs.filter(unit__path__startswith=root.path)
    if status:
        qs = qs.filter(status=status)
    if assignee == "me":
        qs = qs.filter(assignee=user)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee not in (None, ""):
        try:
            qs = qs.filter(assignee_id=int(assignee))
        except (TypeError, ValueError):
            qs = qs.none()
    return qs.select_related("unit", "assignee").order_by("-is_urgent", "-last_message_at", "-id")


def conversation_get(*, user, conversation_id: int) -> Conversation:
    """One conversation, or "not found" when it is outside the user's scope."""
    conversation = (
        Conversation.objects.filter(pk=conversation_id, unit__in=visible_units(user))
        .select_related("unit", "unit__kind", "assignee")
        .first()
    )
    if conversation is None:
        raise NotFound("Không tìm thấy hội thoại.", code="conversation_not_found")
    return conversation


def unread_counts(*, user) -> list[dict]:
    """New-message counts per unit, for the console's badges (open conversations only)."""
    rows = (
        Conversation.objects.filter(unit__in=visible_units(user))
        .exclude(status=ConversationStatus.RESOLVED)
        .values("unit__code", "unit__name")
        .annotate(
            unread=Sum("unread_count"),
            conversations=Count("id"),
            urgent=Count("id", filter=Q(is_urgent=True)),
        )
        .order_by("unit__code")
    )
    return [
        {
            "unit": r["unit__code"],
            "name": r["unit__name"],
            "unread": r["unread"] or 0,
            "conversations": r["conversations"],
            "urgent": r["urgent"],
        }
        for r in rows
    ]


def procedure_suggestion(conversation: Conversation) -> dict | None:
    """The catalogue's best answer to the citizen's last question, if the procedures app
    offers one (``procedures.selectors.procedure_answer(question)``)."""
    from django.apps import apps

    if not apps.is_installed("langnghe.procedures"):
        return None
    try:
        from langnghe.procedures.selectors import procedure_answer
    except ImportError:
        return None
    last = (
        conversation.messages.filter(direction="in").exclude(text="").order_by("-sent_at").first()
    )
    if last is None:
        return None
    try:
        answer = procedure_answer(last.text)
    except Exception:  # noqa: BLE001 — a suggestion must never break the desk
        return None
    if not answer:
        return None
    procedure = getattr(answer, "procedure", None)
    return {
        "text": getattr(answer, "text", str(answer)),
        "url": getattr(answer, "url", ""),
        "procedure": getattr(procedure, "name", ""),
    }


def canned_replies_for(unit) -> list:
    """Saved answers usable at ``unit``: its own and those of the units above it."""
    from .models import CannedReply

    if unit is None:
        return []
    return list(
        CannedReply.objects.filter(unit_id__in=[*unit.ancestor_ids, unit.pk])
        .select_related("unit")
        .order_by("title")
    )


# --- Duty roster (lịch trực ban) ---------------------------------------------------------------


def roster_now(unit, at: dt.datetime | None = None) -> tuple[bool | None, list[DutyShift]]:
    """Whether ``unit``'s roster has someone on duty at ``at`` (now) — None when the unit keeps
    no roster then (no shift within ROSTER_HORIZON of it): its office hours decide — and the
    shifts running then, the lead's first. One query."""
    at = at or timezone.now()
    near = list(
        DutyShift.objects.filter(
            unit=unit, starts_at__lt=at + ROSTER_HORIZON, ends_at__gt=at - ROSTER_HORIZON
        ).select_related("officer")
    )
    running = sorted(
        (s for s in near if s.starts_at <= at < s.ends_at),
        key=lambda s: (not s.is_lead, s.starts_at, s.pk),
    )
    return (bool(running) if near else None), running


def roster_week(*, user, unit: str, start: dt.date, days: int = 7) -> tuple:
    """The unit (by code, in the user's scope) and its shifts that overlap the ``days`` local
    days from ``start``, in order."""
    root = visible_unit_get(user=user, code=unit)
    if not ROSTER_YEARS[0] <= start.year <= ROSTER_YEARS[1]:
        raise ApplicationError(
            f"Chỉ xem được lịch trực từ năm {ROSTER_YEARS[0]} đến năm {ROSTER_YEARS[1]}.",
            code="bad_date",
            field="start",
        )
    begin = timezone.make_aware(dt.datetime.combine(start, dt.time()))
    end = begin + dt.timedelta(days=days)
    shifts = (
        DutyShift.objects.filter(unit=root, starts_at__lt=end, ends_at__gt=begin)
        .select_related("officer", "unit")
        .order_by("starts_at", "-is_lead", "id")
    )
    return root, list(shifts)


def roster_officers(unit) -> list:
    """The staff who may be put on ``unit``'s roster (DESK_ROLES on it or above it), by name."""
    from django.contrib.auth import get_user_model

    members = Membership.objects.filter(
        unit_id__in=[*unit.ancestor_ids, unit.pk], role__in=DESK_ROLES, user__is_active=True
    ).values("user_id")
    users = get_user_model().objects.filter(pk__in=members)
    return sorted(users, key=lambda u: (str(u).casefold(), u.pk))


def shift_get(*, user, shift_id: int) -> DutyShift:
    """One shift of a unit in the user's scope, or "not found"."""
    shift = (
        DutyShift.objects.filter(pk=shift_id, unit__in=visible_units(user))
        .select_related("unit", "officer")
        .first()
    )
    if shift is None:
        raise NotFound("Không tìm thấy ca trực.", code="shift_not_found")
    return shift


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())
