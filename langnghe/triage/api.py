"""Triage API: classify one message (officers correct a label on the message itself:
``POST /api/v1/inbox/conversations/{id}/messages/{message_id}/triage``). Stateless, so open to staff (Bearer token) and to anyone
else; anonymous callers are rate-limited per client address (hashed; never stored)."""

import hashlib

from django.conf import settings
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited
from ninja import Field, Router, Schema

from langnghe.accounts.auth import BearerToken
from langnghe.core.exceptions import ApplicationError

from . import selectors

ANONYMOUS = "anonymous"
ANONYMOUS_RATE = "30/m"


def anonymous(request):
    """Last in the auth chain: lets a caller without a valid token through, marked."""
    return ANONYMOUS


router = Router(tags=["triage"])


def _client_key(group, request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


class TriageIn(Schema):
    text: str | None = Field(
        None,
        description="nội dung tin nhắn (tối đa 5.000 ký tự được "
        "dùng để phân loại; phần sau bị bỏ qua)",
    )


class TriageOut(Schema):
    category: str = Field(
        ..., description="crime_report, public_order, procedure_question, service_feedback, other"
    )
    urgent: bool
    hotline: str | None = Field(None, description="113, 114 hoặc 115 khi khẩn cấp")
    confidence: float


@router.post(
    "",
    response=TriageOut,
    auth=[BearerToken(), anonymous],
    summary="Phân loại một tin nhắn của người dân",
)
def triage(request, payload: TriageIn):
    if request.auth == ANONYMOUS and is_ratelimited(
        request,
        group="triage.anonymous",
        key=_client_key,
        rate=ANONYMOUS_RATE,
        method=ALL,
        increment=True,
    ):
        raise ApplicationError(
            "Bạn gửi quá nhiều yêu cầu. Vui lòng đợi một lát rồi thử lại.",
            code="rate_limited",
            status=429,
        )
    if not (payload.text or "").strip():
        raise ApplicationError(
            "Vui lòng nhập nội dung tin nhắn cần phân loại.", code="empty", field="text"
        )
    return selectors.triage_text(payload.text)
