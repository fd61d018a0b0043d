"""A unit's desk itself: saved answers, how answers are signed, and the hand-over when the
unit ends."""

from django.db import transaction
from django.utils import timezone

from langnghe.accounts.selectors import has_role
from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError, PermissionDenied

from ..models import (
    CannedReply,
    Conversation,
    ConversationStatus,
    DeskProfile,
    DutyShift,
    ReplySignature,
)
from ._common import _clean_text

CANNED_ROLES = {"admin", "supervisor", "editor"}


@transaction.atomic
def canned_reply_create(*, unit, title: str, text: str, by):
    """A saved answer for ``unit`` and the units below it (supervisors, editors, admins)."""
    if not has_role(by, unit, CANNED_ROLES):
        raise PermissionDenied("Chỉ chỉ huy, biên tập viên hoặc quản trị mới lưu được mẫu trả lời.")
    title = _clean_text(title, limit=100, what="Tên mẫu", field="title")
    text = _clean_text(text, what="Nội dung mẫu trả lời")
    reply = CannedReply.objects.create(unit=unit, title=title, text=text)
    audit_record(actor=by, action="canned_reply.create", target=reply, unit=unit)
    return reply


@transaction.atomic
def canned_reply_delete(*, reply, by) -> None:
    if not has_role(by, reply.unit, CANNED_ROLES):
        raise PermissionDenied("Bạn không xóa được mẫu trả lời này.")
    audit_record(
        actor=by,
        action="canned_reply.delete",
        target=reply,
        unit=reply.unit,
        data={"title": reply.title},
    )
    reply.delete()


DESK_PROFILE_ROLES = ("admin", "supervisor")


@transaction.atomic
def desk_profile_set(*, unit, signature: str, desk_name: str = "", by):
    """How ``unit``'s desk signs its answers on the citizen's chat page: the answering
    officer's name (their full name, never a username) or the desk's name. Commanders and
    administrators of the unit or above."""
    if not has_role(by, unit, DESK_PROFILE_ROLES):
        raise PermissionDenied("Chỉ chỉ huy hoặc quản trị của đơn vị mới đổi được cách ký tên.")
    if signature not in ReplySignature.values:
        raise ApplicationError("Cách ký tên không hợp lệ.", code="bad_signature", field="signature")
    desk_name = (desk_name or "").strip()
    if len(desk_name) > 150:
        raise ApplicationError(
            "Tên bộ phận trực ban dài quá 150 ký tự.", code="too_long", field="desk_name"
        )
    profile, _ = DeskProfile.objects.update_or_create(
        unit=unit, defaults={"signature": signature, "desk_name": desk_name}
    )
    audit_record(
        actor=by,
        action="desk_profile.set",
        target=profile,
        unit=unit,
        data={"signature": signature},
    )
    return profile


def desk_move(*, from_unit, to_unit) -> None:
    """A unit that ends hands its desk to its successor: conversations not yet resolved, duty
    shifts not yet over, saved answers. Resolved conversations stay as its history."""
    Conversation.objects.filter(unit=from_unit).exclude(status=ConversationStatus.RESOLVED).update(
        unit=to_unit
    )
    DutyShift.objects.filter(unit=from_unit, ends_at__gt=timezone.now()).update(unit=to_unit)
    CannedReply.objects.filter(unit=from_unit).update(unit=to_unit)
