"""The duty desk console (thin: selectors to read, services to write)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from langnghe.accounts.console import current_unit
from langnghe.accounts.selectors import has_role
from langnghe.core.exceptions import ApplicationError, PermissionDenied
from langnghe.core.forms import first_error

from . import selectors, services
from .forms import CannedForm, ReplyForm, RosterForm
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
        form = ReplyForm(request.POST)
        if not form.is_valid():
            raise ApplicationError(first_error(form))
        action, text = form.cleaned_data["action"], form.cleaned_data["text"]
        if action == "note":
            services.note_add(conversation=conversation, by=request.user, text=text)
        elif action in ConversationStatus.values:
            services.conversation_status_set(
                conversation=conversation, status=action, by=request.user
            )
        elif action == "to_case":
            services.conversation_to_case(conversation=conversation, by=request.user)
            messages.success(request, "Đã tạo vụ việc từ hội thoại.")
        else:
            services.message_reply(conversation=conversation, by=request.user, text=text)
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
        form = CannedForm(request.POST)
        try:
            if not form.is_valid():
                raise ApplicationError(first_error(form))
            data = form.cleaned_data
            if data["action"] == "signature":
                services.desk_profile_set(
                    unit=unit,
                    signature=data["signature"],
                    desk_name=data["desk_name"],
                    by=request.user,
                )
                messages.success(request, "Đã lưu cách ký tên trả lời.")
            elif (delete_id := data["delete"]) is not None:
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
                    title=data["title"],
                    text=data["text"],
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


@login_required
def roster_page(request):
    """The current unit's duty roster, a week at a time: who is on duty now, each day's shifts,
    and for its commanders the forms to add, cancel and repeat shifts."""
    unit = current_unit(request)
    monday = _roster_week_start(request)
    back = f"/staff/inbox/lich-truc/?tuan={monday.isoformat()}"
    if request.method == "POST" and unit is not None:
        form = RosterForm(request.POST)
        try:
            if not form.is_valid():
                raise ApplicationError(first_error(form))
            data = form.cleaned_data
            if (shift_id := data["cancel"]) is not None:
                shift = selectors.shift_get(user=request.user, shift_id=shift_id)
                result = services.duty_shift_cancel(shift=shift, by=request.user)
                messages.success(
                    request, "Đã kết thúc ca trực." if result == "ended" else "Đã hủy ca trực."
                )
            elif data["action"] == "copy":
                copied, skipped = services.duty_week_copy(
                    unit=unit, week_start=monday, by=request.user
                )
                text = f"Đã chép {copied} ca từ tuần trước."
                if skipped:
                    text += f" Bỏ qua {skipped} ca (đã qua, trùng ca khác hoặc cán bộ không còn trực được)."
                messages.success(request, text)
            else:
                officer_id = data["officer_id"]
                officer = (
                    get_user_model().objects.filter(pk=officer_id).first()
                    if officer_id is not None
                    else None
                )
                services.duty_shift_create(
                    unit=unit,
                    officer=officer,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    is_lead=data["lead"],
                    note=data["note"],
                    by=request.user,
                )
                messages.success(request, "Đã thêm ca trực.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
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
