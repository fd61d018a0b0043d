"""The duty desk console (thin: selectors to read, services to write)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from langnghe.accounts.console import current_unit
from langnghe.core.exceptions import ApplicationError

from . import selectors, services
from .models import ConversationStatus

PAGE_SIZE = 50


@login_required
def inbox_page(request):
    unit = current_unit(request)
    status = request.GET.get("status", "")
    if status not in ConversationStatus.values:
        status = ""
    conversations = selectors.conversation_list(
        user=request.user, unit=unit.code if unit else None, status=status or None
    )[:PAGE_SIZE]
    selected = None
    suggestion = None
    if conversation_id := request.GET.get("c", ""):
        try:
            selected = selectors.conversation_get(
                user=request.user, conversation_id=int(conversation_id)
            )
        except (ApplicationError, ValueError):
            messages.error(request, "Không tìm thấy hội thoại trong phạm vi của bạn.")
        else:
            services.conversation_mark_read(conversation=selected, by=request.user)
            suggestion = selectors.procedure_suggestion(selected)
    return render(
        request,
        "inbox/console.html",
        {
            "unit": unit,
            "status": status,
            "statuses": ConversationStatus.choices,
            "conversations": conversations,
            "selected": selected,
            "thread": list(selected.messages.all()) if selected else [],
            "notes": list(selected.notes.select_related("author")) if selected else [],
            "suggestion": suggestion,
            "canned": selectors.canned_replies_for(selected.unit if selected else unit),
            "counts": selectors.unread_counts(user=request.user),
        },
    )


def _back(conversation_id) -> str:
    return f"/staff/inbox/?c={conversation_id}"


@login_required
@require_POST
def reply(request, conversation_id: int):
    """The no-script fallback of the reply box (the script posts to the API)."""
    try:
        conversation = selectors.conversation_get(
            user=request.user, conversation_id=conversation_id
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
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(_back(conversation_id))


@login_required
def canned_page(request):
    """Saved answers of the current unit: list, add, delete."""
    from .models import CannedReply

    unit = current_unit(request)
    if request.method == "POST" and unit is not None:
        try:
            if delete_id := request.POST.get("delete"):
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
    return render(
        request,
        "inbox/canned.html",
        {"unit": unit, "replies": selectors.canned_replies_for(unit)},
    )
