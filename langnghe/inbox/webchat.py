"""Web chat for citizens without Zalo: no account, optional name and phone.

The citizen's browser keeps a signed token (localStorage with the script; a hidden field in the
no-script page): it names a random conversation id and the unit, so a reload resumes the chat
and nobody can read another citizen's conversation without its token. No cookie is set. The
token carries the time it was issued and is renewed at every visit; one not used for
``LANGNGHE_WEBCHAT_IDLE_DAYS`` days (default 7) no longer opens the thread: the page starts a
new one (a shared phone does not keep a citizen's thread for ever). An expired or forged token
always means a new thread, never someone else's.

The citizen may write anonymously: then no name or phone is taken, and a case made from the
chat is anonymous too. A name and phone, when given, are sealed (services._identity_merge).
"""

import secrets

from django.conf import settings
from django.core import signing
from django.shortcuts import redirect, render
from django.utils import timezone
from django_ratelimit.core import is_ratelimited

from langnghe.core.exceptions import ApplicationError, form_page_status
from langnghe.core.forms import first_error
from langnghe.units.addresses import resolve
from langnghe.units.forms import AddressForm
from langnghe.units.models import Unit
from langnghe.units.selectors import unit_current

from . import services
from .forms import ChatForm
from .models import ChannelKind, Conversation, DeskProfile, Direction, ReplySignature

SALT = "langnghe.inbox.webchat"
MAX_CITIZEN_TEXT = 2000
RATE = "20/m"


def token_new(unit: Unit) -> str:
    return signing.dumps({"c": secrets.token_urlsafe(18), "u": unit.code}, salt=SALT)


def idle_seconds() -> int:
    return int(getattr(settings, "LANGNGHE_WEBCHAT_IDLE_DAYS", 7)) * 86400


def token_open(token: str, unit: Unit) -> str | None:
    """The conversation's external id, if the token is ours, for this unit and used within the
    idle period."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=idle_seconds())
    except signing.BadSignature:  # forged, or expired (SignatureExpired is a BadSignature)
        return None
    if not isinstance(data, dict) or data.get("u") != unit.code:
        return None
    return str(data.get("c", "")) or None


def token_renew(token: str, unit: Unit) -> str:
    """The same thread's token, issued now (a visit renews it); "" for one that opens none."""
    external_id = token_open(token, unit)
    if external_id is None:
        return ""
    return signing.dumps({"c": external_id, "u": unit.code}, salt=SALT)


def unit_for_chat(code: str) -> Unit:
    """The open unit whose chat ``code`` opens: a unit closed in a reorganisation opens its
    successor's (links and QR codes printed before the move keep working)."""

    unit = Unit.objects.filter(code__iexact=(code or "").strip()).first()
    if unit is not None and not unit.is_active:
        unit = unit_current(unit) if unit.successor_id else None
    if unit is None or not unit.is_active:
        raise ApplicationError(
            "Không có đơn vị này. Hãy chọn đơn vị từ danh bạ trên trang chủ.",
            code="unit_not_found",
            status=404,
        )
    return unit


def desk_signature(unit: Unit) -> tuple[str, str]:
    """(how the unit signs its answers, the desk's name) — DeskProfile, else the desk's name."""

    profile = DeskProfile.objects.filter(unit=unit).first()
    desk_name = (profile.desk_name if profile else "") or f"Trực ban {unit.name}"
    return (profile.signature if profile else ReplySignature.DESK), desk_name


def thread(unit: Unit, token: str) -> list[dict]:
    """The citizen's thread: each message with who wrote it (the officer's name or the desk's,
    as the unit chooses; never a username) and when, in local time."""

    external_id = token_open(token, unit)
    if external_id is None:
        return []
    conversation = Conversation.objects.filter(
        unit=unit, channel=ChannelKind.WEB, external_id=external_id
    ).first()
    if conversation is None:
        return []
    signature, desk_name = desk_signature(unit)
    rows = []
    for m in conversation.messages.select_related("author").order_by("sent_at", "id"):
        if m.direction == Direction.IN:
            author = "Ông/bà"
        elif m.is_automatic:
            author = f"{desk_name} (trả lời tự động)"
        elif signature == ReplySignature.OFFICER and m.author and m.author.full_name:
            author = f"{m.author.full_name} — {desk_name}"
        else:
            author = desk_name
        rows.append(
            {
                "id": m.pk,
                "direction": m.direction,
                "text": m.text,
                "sent_at": m.sent_at.isoformat(),
                "time": f"{timezone.localtime(m.sent_at):%H:%M %d/%m/%Y}",
                "author": author,
                "automatic": m.is_automatic,
            }
        )
    return rows


def citizen_send(
    request,
    *,
    unit: Unit,
    token: str,
    text: str,
    name: str = "",
    phone: str = "",
    anonymous: bool = False,
) -> str:
    """Store the citizen's message; returns the token to keep (a new one on first contact)."""
    if is_ratelimited(request, group="inbox.webchat", key="ip", rate=RATE, increment=True):
        raise ApplicationError(
            "Ông/bà gửi quá nhanh. Vui lòng đợi một phút rồi gửi tiếp.", code="rate", status=429
        )
    text = (text or "").strip()
    if not text:
        raise ApplicationError("Hãy nhập nội dung tin nhắn.", code="empty", field="text")
    if len(text) > MAX_CITIZEN_TEXT:
        raise ApplicationError(
            f"Tin nhắn dài quá {MAX_CITIZEN_TEXT} ký tự.", code="too_long", field="text"
        )
    if anonymous:
        name = phone = ""  # the citizen's choice: nothing that names them is taken
    phone = (phone or "").strip()
    if phone and not phone.replace(" ", "").replace("+", "").replace(".", "").isdigit():
        raise ApplicationError("Số điện thoại không hợp lệ.", code="bad_phone", field="phone")
    external_id = token_open(token, unit)
    if external_id is None:
        token = token_new(unit)
        external_id = token_open(token, unit)
    else:
        token = token_renew(token, unit)
    services.message_receive(
        unit=unit,
        channel=ChannelKind.WEB,
        external_id=external_id,
        text=text,
        citizen_name=(name or "").strip()[:150],
        citizen_phone=phone[:30],
        is_anonymous=anonymous,
    )
    return token


def chat_find(request):
    """The duty desk without knowing one's unit: the citizen writes their address (2021 or
    2025 form) and is sent to the chat of the unit serving it. The address travels in a POST
    body and is not stored or logged (no personal data in URLs, NĐ 13/2023/NĐ-CP)."""

    error, status, found = "", 200, None
    form = AddressForm(request.POST if request.method == "POST" else None)
    typed = form.cleaned_data["address"] if form.is_valid() else ""
    if request.method == "POST":
        address = typed
        found = resolve(address) if address else None
        if found is not None and found.unit is not None:
            return redirect("inbox:webchat", unit_code=found.unit.code)
        if found is not None and found.choices:
            return render(request, "inbox/chat_find.html", {"found": found})
        if found is not None and found.outside:
            error = found.outside_text
        elif address:
            error = (
                "Chưa xác định được đơn vị từ địa chỉ này. Hãy ghi rõ phường/xã và tỉnh "
                "(ví dụ: Phường Thọ Xương, Bắc Giang), hoặc chọn đơn vị trong danh bạ."
            )
        else:
            error = "Hãy nhập địa chỉ của ông/bà (phường/xã, tỉnh)."
        # The form shown again with its error: 200, not a failed request (issue #27).
    return render(
        request,
        "inbox/chat_find.html",
        {"error": error, "address": typed[:300]},
        status=status,
    )


def chat_page(request, unit_code: str):
    """The chat without JavaScript: a form that carries the token in a hidden field, the thread
    above it; "Xem tin mới" reloads the thread without sending anything."""
    try:
        unit = unit_for_chat(unit_code)
    except ApplicationError as exc:
        return render(
            request, "inbox/chat_page.html", {"unit": None, "error": exc.message}, status=404
        )
    if unit.code.lower() != unit_code.strip().lower() and request.method == "GET":
        # An old unit's printed link: the successor's chat, permanently.
        return redirect("inbox:webchat", unit_code=unit.code, permanent=True)
    form = ChatForm(request.POST if request.method == "POST" else None)
    data = form.cleaned_data if form.is_valid() else {}
    token = data.get("token", "")
    error = ""
    status = 200
    anonymous = data.get("anonymous", False)
    if request.method == "POST" and data.get("action") != "refresh":
        try:
            if not form.is_valid():
                raise ApplicationError(first_error(form))
            token = citizen_send(
                request,
                unit=unit,
                token=token,
                text=data["text"],
                name=data["name"],
                phone=data["phone"],
                anonymous=anonymous,
            )
        except ApplicationError as exc:
            # The form shown again: 200; 429 when rate-limited.
            error, status = exc.message, form_page_status(exc.status)
    else:
        token = token_renew(token, unit)
    return render(
        request,
        "inbox/chat_page.html",
        {
            "unit": unit,
            "token": token,
            "thread": thread(unit, token),
            "error": error,
            "anonymous": anonymous,
            "idle_days": idle_seconds() // 86400,
        },
        status=status,
    )
