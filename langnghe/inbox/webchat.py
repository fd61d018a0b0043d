"""Web chat for citizens without Zalo: no account, optional name and phone.

The citizen's browser keeps a signed token (localStorage with the script; a hidden field in the
no-script page): it names a random conversation id and the unit, so a reload resumes the chat
and nobody can read another citizen's conversation without its token. No cookie is set.
"""

import secrets

from django.core import signing
from django.shortcuts import get_object_or_404, render
from django_ratelimit.core import is_ratelimited

from langnghe.core.exceptions import ApplicationError
from langnghe.units.models import Unit

from . import services
from .models import ChannelKind, Conversation

SALT = "langnghe.inbox.webchat"
MAX_CITIZEN_TEXT = 2000
RATE = "20/m"


def token_new(unit: Unit) -> str:
    return signing.dumps({"c": secrets.token_urlsafe(18), "u": unit.code}, salt=SALT)


def token_open(token: str, unit: Unit) -> str | None:
    """The conversation's external id, if the token is ours and for this unit."""
    try:
        data = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != unit.code:
        return None
    return str(data.get("c", "")) or None


def unit_for_chat(code: str) -> Unit:
    unit = Unit.objects.filter(code=code, is_active=True).first()
    if unit is None:
        raise ApplicationError("Không có đơn vị này.", code="unit_not_found", status=404)
    return unit


def thread(unit: Unit, token: str) -> list[dict]:
    external_id = token_open(token, unit)
    if external_id is None:
        return []
    conversation = Conversation.objects.filter(
        unit=unit, channel=ChannelKind.WEB, external_id=external_id
    ).first()
    if conversation is None:
        return []
    return [
        {"id": m.pk, "direction": m.direction, "text": m.text, "sent_at": m.sent_at.isoformat()}
        for m in conversation.messages.order_by("sent_at", "id")
    ]


def citizen_send(
    request, *, unit: Unit, token: str, text: str, name: str = "", phone: str = ""
) -> str:
    """Store the citizen's message; returns the token to keep (a new one on first contact)."""
    if is_ratelimited(request, group="inbox.webchat", key="ip", rate=RATE, increment=True):
        raise ApplicationError(
            "Bạn gửi quá nhanh. Vui lòng đợi một phút rồi gửi tiếp.", code="rate", status=429
        )
    text = (text or "").strip()
    if not text:
        raise ApplicationError("Hãy nhập nội dung tin nhắn.", code="empty", field="text")
    if len(text) > MAX_CITIZEN_TEXT:
        raise ApplicationError(
            f"Tin nhắn dài quá {MAX_CITIZEN_TEXT} ký tự.", code="too_long", field="text"
        )
    phone = (phone or "").strip()
    if phone and not phone.replace(" ", "").replace("+", "").isdigit():
        raise ApplicationError("Số điện thoại không hợp lệ.", code="bad_phone", field="phone")
    external_id = token_open(token, unit)
    if external_id is None:
        token = token_new(unit)
        external_id = token_open(token, unit)
    services.message_receive(
        unit=unit,
        channel=ChannelKind.WEB,
        external_id=external_id,
        text=text,
        citizen_name=(name or "").strip()[:150],
        citizen_phone=phone[:30],
    )
    return token


def chat_page(request, unit_code: str):
    """The chat without JavaScript: a form that carries the token in a hidden field."""
    unit = get_object_or_404(Unit, code=unit_code, is_active=True)
    token = request.POST.get("token", "") if request.method == "POST" else ""
    error = ""
    status = 200
    if request.method == "POST":
        try:
            token = citizen_send(
                request,
                unit=unit,
                token=token,
                text=request.POST.get("text", ""),
                name=request.POST.get("name", ""),
                phone=request.POST.get("phone", ""),
            )
        except ApplicationError as exc:
            error, status = exc.message, exc.status  # 429 when rate-limited, not a plain 400
    return render(
        request,
        "inbox/chat_page.html",
        {"unit": unit, "token": token, "thread": thread(unit, token), "error": error},
        status=status,
    )
