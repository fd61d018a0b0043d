"""Reads of the duty desk, always through the scope check (visible_units) and, for a
conversation, through its one access function ``conversation_for``."""

import datetime as dt
from enum import StrEnum

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Left
from django.utils import timezone

from langnghe.accounts.models import Membership, Role
from langnghe.accounts.selectors import can_see_unit, visible_unit_get, visible_units
from langnghe.cases import crypto
from langnghe.cases.models import Case
from langnghe.core.exceptions import ApplicationError, NotFound, PermissionDenied
from langnghe.core.text import fold
from langnghe.procedures.selectors import procedure_answer, procedure_search_assessed
from langnghe.triage import rules as triage_rules

from .models import (
    CannedReply,
    Conversation,
    ConversationStatus,
    Direction,
    DutyShift,
    Message,
)

# The desk: who reads what citizens write and answers them, on the unit or a unit above it.
# An administrator, an editor or a viewer, as such, sees counts and response times only
# (DESIGN.md "Rules that keep it trustworthy"; Luật BVDLCN 91/2025/QH15: the minimum of
# sensitive personal data, to those whose work needs it).
DESK_ROLES = (Role.SUPERVISOR, Role.DUTY_OFFICER)
# An investigator reads a conversation only when it became a case they handle.
LINKED_CASE_ROLES = (Role.INVESTIGATOR,)
PREVIEW_CHARS = 80  # the first words of the last message, in the list
STATS_DAYS = 30  # the response times of the desk's statistics
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class DeskAction(StrEnum):
    """What someone wants to do with a conversation (``conversation_for``)."""

    STATS = "stats"  # its counts and response times: any member of the unit or above
    READ = "read"  # the citizen's messages, name and phone
    ANSWER = "answer"  # reply, note, assign, change status, label, turn into a case


DESK_REFUSAL = (
    "Chỉ cán bộ trực ban và chỉ huy của đơn vị mới được đọc và trả lời tin nhắn của người dân."
)


def desk_units(user) -> QuerySet:
    """The units whose conversations ``user`` reads and answers (DESK_ROLES' subtrees)."""
    return visible_units(user, roles=DESK_ROLES)


def can_answer(user, conversation: Conversation) -> bool:
    return can_see_unit(user, conversation.unit, roles=DESK_ROLES)


def _handles_linked_case(user, conversation: Conversation) -> bool:
    if not conversation.case_id:
        return False
    return (
        can_see_unit(user, conversation.unit, roles=LINKED_CASE_ROLES)
        and Case.objects.filter(pk=conversation.case_id, assignee=user).exists()
    )


def conversation_for(*, user, conversation_id: int, action: DeskAction | str) -> Conversation:
    """The one access rule of a conversation, called by the API, the pages, the exports and
    the live feed alike (Zulip's ``access_stream_by_id``).

    Outside the user's scope: "not found" (its existence is not revealed). In scope, by
    ``action``: STATS for every member; READ for the desk roles, or an investigator handling
    the case made from it; ANSWER for the desk roles. Otherwise PermissionDenied (403)."""
    action = DeskAction(action)
    conversation = (
        Conversation.objects.filter(pk=conversation_id, unit__in=visible_units(user))
        .select_related("unit", "unit__kind", "assignee")
        .first()
    )
    if conversation is None:
        raise NotFound("Không tìm thấy hội thoại.", code="conversation_not_found")
    if action == DeskAction.STATS or can_answer(user, conversation):
        return conversation
    if action == DeskAction.READ and _handles_linked_case(user, conversation):
        return conversation
    raise PermissionDenied(DESK_REFUSAL, code="desk_role_required")


def may_read_live(user, unit) -> bool:
    """Whether ``user``'s console may be told, live, what citizens write to ``unit``."""
    return can_see_unit(user, unit, roles=DESK_ROLES)


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
    """Conversations the user may read (``conversation_for``'s READ rule, as a list): those of
    the units where they hold a desk role, and those whose case they handle. ``unit`` narrows to
    that unit's subtree, ``assignee`` is a user id or "me" / "none". Each row carries
    ``preview``, the first words of its last message. PermissionDenied for someone who reads
    no conversation at all (their console shows counts instead)."""
    readable = Q(unit__in=desk_units(user))
    linked = _linked_case_ids(user)
    if linked:
        readable |= Q(case_id__in=linked)
    elif not desk_units(user).exists():
        raise PermissionDenied(DESK_REFUSAL, code="desk_role_required")
    qs = Conversation.objects.filter(readable, unit__in=visible_units(user))
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
    last = Message.objects.filter(conversation=OuterRef("pk")).order_by("-sent_at", "-id")
    # The citizen waits since their first message after the desk's last answer (automatic
    # answers do not count: nobody has read them yet).
    last_answer = Message.objects.filter(
        conversation=OuterRef("conversation"), direction=Direction.OUT, is_automatic=False
    ).order_by("-sent_at")
    waiting = Message.objects.filter(
        conversation=OuterRef("pk"),
        direction=Direction.IN,
        sent_at__gt=Coalesce(Subquery(last_answer.values("sent_at")[:1]), Value(EPOCH)),
    ).order_by("sent_at")
    return (
        qs.select_related("unit", "assignee")
        .annotate(
            preview=Left(Subquery(last.values("text")[:1]), PREVIEW_CHARS + 1),
            preview_direction=Subquery(last.values("direction")[:1]),
            waiting_since=Subquery(waiting.values("sent_at")[:1]),
        )
        .order_by("-is_urgent", "-last_message_at", "-id")
    )


def desk_stats(*, user, unit=None) -> dict:
    """What every member of a unit may see of its desk (DeskAction.STATS): counts and response
    times of the conversations in ``unit``'s subtree (else the whole scope), never a word or a
    name. Response times over the last STATS_DAYS days."""
    qs = Conversation.objects.filter(unit__in=visible_units(user))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    since = timezone.now() - dt.timedelta(days=STATS_DAYS)
    open_now = qs.exclude(status=ConversationStatus.RESOLVED).aggregate(
        conversations=Count("id"),
        unread=Sum("unread_count"),
        urgent=Count("id", filter=Q(is_urgent=True)),
        unanswered=Count("id", filter=Q(first_response_at__isnull=True)),
    )
    recent = list(
        qs.filter(created_at__gte=since).values_list(
            "created_at", "first_response_at", "resolved_at"
        )
    )
    firsts = sorted((r - c).total_seconds() for c, r, _ in recent if r is not None)
    resolved = sorted((e - c).total_seconds() for c, _, e in recent if e is not None)
    return {
        "days": STATS_DAYS,
        "open": open_now["conversations"],
        "unread": open_now["unread"] or 0,
        "urgent": open_now["urgent"],
        "unanswered": open_now["unanswered"],
        "received": len(recent),
        "answered": len(firsts),
        "first_response_median": _median(firsts),
        "resolution_median": _median(resolved),
        "per_unit": unread_counts(user=user, unit=unit),
    }


def _median(values: list[float]) -> int | None:
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return int(values[middle])
    return int((values[middle - 1] + values[middle]) / 2)


def _linked_case_ids(user) -> list[int]:
    """The cases an investigator handles that came from a conversation (their READ right)."""
    if user.is_superuser or not visible_units(user, roles=LINKED_CASE_ROLES).exists():
        return []
    return list(
        Case.objects.filter(assignee=user, channel="duty_desk").values_list("pk", flat=True)
    )


def conversation_identity(conversation: Conversation) -> dict:
    """The citizen's name and phone, unsealed. Call it only after ``conversation_for`` said
    READ, inside ``services.conversation_read`` (which audits the reading)."""
    if not conversation.identity_sealed:
        return {}
    return crypto.unseal_json(conversation.identity_sealed, context=conversation.sealing_context())


def unread_counts(*, user, unit=None) -> list[dict]:
    """New-message counts per unit, for the console's badges (open conversations only): a
    count, never a word, so every member of the unit may see it (DeskAction.STATS)."""
    qs = Conversation.objects.filter(unit__in=visible_units(user))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    rows = (
        qs.exclude(status=ConversationStatus.RESOLVED)
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


NOT_CONFIDENT_TEXT = "Chúng tôi chưa tìm thấy thủ tục của Công an phù hợp với câu hỏi này."
CRIME_REPORT_TEXT = (
    "Đây có thể là tin báo về tội phạm, không phải câu hỏi thủ tục. Việc khẩn cấp, hãy gọi "
    "ngay 113. Anh/chị có thể gửi tố giác, tin báo tại đây hoặc đến Công an xã, phường gần "
    "nhất; trực ban sẽ tiếp nhận và hướng dẫn."
)


def procedure_suggestion(conversation: Conversation) -> dict | None:
    """What the desk may offer as an answer to the citizen's last message, with its ``kind``:

    - ``crime_report``: the message reads as a crime report (triage category, or a danger
      phrase calling for 113): no procedure, the way to report it and 113;
    - ``procedure``: the catalogue answers it with confidence
      (``procedures.selectors.procedure_answer``);
    - ``elsewhere``: no police procedure fits, another agency's does — who and where;
    - ``not_found``: a procedure question no police procedure fits: said plainly.

    None when there is nothing to suggest. A police procedure is never suggested when the
    search is not confident."""
    last = (
        conversation.messages.filter(direction="in").exclude(text="").order_by("-sent_at").first()
    )
    if last is None:
        return None
    if _reads_as_crime_report(last):
        return {"kind": "crime_report", "text": CRIME_REPORT_TEXT, "url": "", "procedure": ""}
    try:
        answer = procedure_answer(last.text)
        if not answer:
            result = procedure_search_assessed(q=last.text, limit=1)
    except Exception:  # noqa: BLE001 — a suggestion must never break the desk
        return None
    if answer:
        procedure = getattr(answer, "procedure", None)
        return {
            "kind": "procedure",
            "text": getattr(answer, "text", str(answer)),
            "url": getattr(answer, "url", ""),
            "procedure": getattr(procedure, "name", ""),
        }
    if result.elsewhere is not None:
        other = result.elsewhere
        return {
            "kind": "elsewhere",
            "text": f"{NOT_CONFIDENT_TEXT} Việc này do {other.agency} giải quyết "
            f"({other.title}). Xem và nộp hồ sơ tại {other.url}",
            "url": other.url,
            "procedure": "",
        }
    if last.triage_category == "procedure_question":
        return {
            "kind": "not_found",
            "text": f"{NOT_CONFIDENT_TEXT} Anh/chị cho trực ban biết thêm việc cần làm để "
            "được hướng dẫn.",
            "url": "",
            "procedure": "",
        }
    return None


def _reads_as_crime_report(message: Message) -> bool:
    if message.triage_category == "crime_report":
        return True
    found = triage_rules.match(fold(message.text))
    return found is not None and found.hotline == triage_rules.POLICE


def canned_replies_for(unit) -> list:
    """Saved answers usable at ``unit``: its own and those of the units above it."""
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
