"""The duty desk console (thin: selectors to read, services to write)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from langnghe.accounts.console import current_unit
from langnghe.accounts.selectors import has_role
from langnghe.core.exceptions import ApplicationError, PermissionDenied

from . import selectors, services
from .models import CannedReply, ConversationStatus, DeskProfile, ReplySignature
from .webchat import desk_signature

PAGE_SIZE = 50


@login_required
def inbox_page(request):
    """The desk: the conversations the officer may read (``conversation_for``'s READ rule) and
    the one opened, audited. Someone without a desk role sees counts and response times."""
    unit = current_unit(request)
    status = request.GET.get("status", "")
    if status not in ConversationStatus.values:
        status = ""
    try:
        conversations = list(
            selectors.conversation_list(
                user=request.user, unit=unit.code if unit else None, status=status or None
            )[:PAGE_SIZE]
        )
    except PermissionDenied:
        return render(
            request,
            "inbox/stats.html",
            {"unit": unit, "stats": selectors.desk_stats(user=request.user, unit=unit)},
        )
    except ApplicationError:  # the current unit left the scope meanwhile
        conversations = []
    services.conversations_listed(conversations=conversations, by=request.user)
    selected, identity, suggestion, can_answer = None, {}, None, False
    if conversation_id := request.GET.get("c", ""):
        try:
            selected = selectors.conversation_for(
                user=request.user,
                conversation_id=int(conversation_id),
                action=selectors.DeskAction.READ,
            )
        except PermissionDenied as exc:
            messages.error(request, exc.message)
        except (ApplicationError, ValueError):
            messages.error(request, "Không tìm thấy hội thoại trong phạm vi của bạn.")
        else:
            identity = services.conversation_read(conversation=selected, by=request.user)
            suggestion = selectors.procedure_suggestion(selected)
            can_answer = selectors.can_answer(request.user, selected)
    return render(
        request,
        "inbox/console.html",
        {
            "unit": unit,
            "status": status,
            "statuses": ConversationStatus.choices,
            "conversations": conversations,
            "selected": selected,
            "identity": identity,
            "can_answer": can_answer,
            "case_url": _case_url(selected),
            "thread": list(selected.messages.select_related("author")) if selected else [],
            "notes": list(selected.notes.select_related("author")) if selected else [],
            "suggestion": suggestion,
            "canned": selectors.canned_replies_for(selected.unit if selected else unit),
            "counts": selectors.unread_counts(user=request.user),
            "on_duty": selectors.roster_now(unit)[1] if unit else [],
            "now": timezone.now(),
        },
    )


def _case_url(conversation) -> str:
    if conversation is None or not conversation.case_id:
        return ""
    try:
        return reverse("cases:console_detail", args=[conversation.case_id])
    except NoReverseMatch:
        return ""


def _back(conversation_id) -> str:
    return f"/staff/inbox/?c={conversation_id}"


@login_required
@require_POST
def reply(request, conversation_id: int):
    """The no-script fallback of the reply box (the script posts to the API)."""
    try:
        conversation = selectors.conversation_for(
            user=request.user,
            conversation_id=conversation_id,
            action=selectors.DeskAction.ANSWER,
        )
        action = request.POST.get("action", "reply")
        if action == "note":
            services.note_add(
                conversation=conversation, by=request.user, text=request.POST.get("text", "")
            )
        elif action in ConversationStatus.values:
            services.conversation_status_set(
                conversation=conversation, status=action, by=request.user
            )
        elif action == "to_case":
            services.conversation_to_case(conversation=conversation, by=request.user)
            messages.success(request, "Đã tạo vụ việc từ hội thoại.")
        else:
            services.message_reply(
                conversation=conversation, by=request.user, text=request.POST.get("text", "")
            )
    except PermissionDenied as exc:
        messages.error(request, exc.message)
        return redirect("/staff/inbox/")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(_back(conversation_id))


@login_required
def canned_page(request):
    """Saved answers of the current unit: list, add, delete."""

    unit = current_unit(request)
    if request.method == "POST" and unit is not None:
        try:
            if request.POST.get("action") == "signature":
                services.desk_profile_set(
                    unit=unit,
                    signature=request.POST.get("signature", ""),
                    desk_name=request.POST.get("desk_name", ""),
                    by=request.user,
                )
                messages.success(request, "Đã lưu cách ký tên trả lời.")
            elif delete_id := request.POST.get("delete"):
                reply = CannedReply.objects.filter(
                    pk=delete_id, unit_id__in=[*unit.ancestor_ids, unit.pk]
                ).first()
                if reply is None:
                    raise ApplicationError("Không tìm thấy mẫu trả lời.")
                services.canned_reply_delete(reply=reply, by=request.user)
                messages.success(request, "Đã xóa mẫu trả lời.")
            else:
                services.canned_reply_create(
                    unit=unit,
                    title=request.POST.get("title", ""),
                    text=request.POST.get("text", ""),
                    by=request.user,
                )
                messages.success(request, "Đã lưu mẫu trả lời.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("/staff/inbox/mau-tra-loi/")

    signature, desk_name = desk_signature(unit) if unit else ("", "")
    return render(
        request,
        "inbox/canned.html",
        {
            "unit": unit,
            "replies": selectors.canned_replies_for(unit),
            "signature": signature,
            "desk_name": desk_name,
            "own_desk_name": getattr(DeskProfile.objects.filter(unit=unit).first(), "desk_name", "")
            if unit
            else "",
            "signatures": ReplySignature.choices,
            "can_sign": bool(unit) and has_role(request.user, unit, services.DESK_PROFILE_ROLES),
        },
    )


def _roster_week_start(request) -> dt.date:
    """The Monday of the week asked for (``?tuan=YYYY-MM-DD``), else of this week."""
    try:
        day = dt.date.fromisoformat(request.GET.get("tuan", ""))
    except ValueError:
        day = timezone.localdate()
    if not selectors.ROSTER_YEARS[0] <= day.year <= selectors.ROSTER_YEARS[1]:
        day = timezone.localdate()
    return selectors.week_start(day)


def _roster_times(post) -> tuple[dt.datetime, dt.datetime]:
    """A shift's start and end from the form: a day, a start and an end time; an end not after
    the start is the next day's (a night or a 24-hour shift)."""
    try:
        day = dt.date.fromisoformat(post.get("day", ""))
        start = dt.time.fromisoformat(post.get("start", ""))
        end = dt.time.fromisoformat(post.get("end", ""))
    except ValueError as exc:
        raise ApplicationError("Hãy chọn ngày, giờ bắt đầu và giờ kết thúc của ca trực.") from exc
    if not selectors.ROSTER_YEARS[0] <= day.year <= selectors.ROSTER_YEARS[1]:
        raise ApplicationError("Ngày của ca trực không hợp lệ.")
    starts_at = timezone.make_aware(dt.datetime.combine(day, start))
    ends_at = timezone.make_aware(dt.datetime.combine(day, end))
    if ends_at <= starts_at:
        ends_at = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), end))
    return starts_at, ends_at


@login_required
def roster_page(request):
    """The current unit's duty roster, a week at a time: who is on duty now, each day's shifts,
    and for its commanders the forms to add, cancel and repeat shifts."""
    from django.contrib.auth import get_user_model

    unit = current_unit(request)
    monday = _roster_week_start(request)
    back = f"/staff/inbox/lich-truc/?tuan={monday.isoformat()}"
    if request.method == "POST" and unit is not None:
        try:
            if shift_id := request.POST.get("cancel"):
                shift = selectors.shift_get(user=request.user, shift_id=int(shift_id))
                result = services.duty_shift_cancel(shift=shift, by=request.user)
                messages.success(
                    request, "Đã kết thúc ca trực." if result == "ended" else "Đã hủy ca trực."
                )
            elif request.POST.get("action") == "copy":
                copied, skipped = services.duty_week_copy(
                    unit=unit, week_start=monday, by=request.user
                )
                text = f"Đã chép {copied} ca từ tuần trước."
                if skipped:
                    text += f" Bỏ qua {skipped} ca (đã qua, trùng ca khác hoặc cán bộ không còn trực được)."
                messages.success(request, text)
            else:
                starts_at, ends_at = _roster_times(request.POST)
                officer_id = request.POST.get("officer", "")
                officer = (
                    get_user_model().objects.filter(pk=int(officer_id)).first()
                    if officer_id.isdigit()
                    else None
                )
                services.duty_shift_create(
                    unit=unit,
                    officer=officer,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    is_lead=bool(request.POST.get("lead")),
                    note=request.POST.get("note", ""),
                    by=request.user,
                )
                messages.success(request, "Đã thêm ca trực.")
        except (ApplicationError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "Yêu cầu không hợp lệ."))
        return redirect(back)
    days = []
    running, staffed, can_plan, officers = [], None, False, []
    if unit is not None:
        _, shifts = selectors.roster_week(user=request.user, unit=unit.code, start=monday)
        # Each shift under the day it starts (one running into the week: under its first day).
        by_day: dict[dt.date, list] = {monday + dt.timedelta(days=n): [] for n in range(7)}
        for shift in shifts:
            by_day[max(timezone.localdate(shift.starts_at), monday)].append(shift)
        days = [{"date": day, "shifts": listed} for day, listed in by_day.items()]
        staffed, running = selectors.roster_now(unit)
        can_plan = has_role(request.user, unit, services.ROSTER_ROLES)
        officers = selectors.roster_officers(unit) if can_plan else []
    return render(
        request,
        "inbox/roster.html",
        {
            "unit": unit,
            "days": days,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "today": timezone.localdate(),
            "now": timezone.now(),
            "running": running,
            "staffed": staffed,
            "can_plan": can_plan,
            "officers": officers,
        },
    )
