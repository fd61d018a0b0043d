"""Writes: an officer corrects a triage label."""

from django.db import models, transaction

from langnghe.accounts.selectors import has_role
from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError, PermissionDenied

from .classifier import classify
from .models import Category, TriageCorrection
from .normalize import MAX_CHARS

CORRECTING_ROLES = ["admin", "supervisor", "duty_officer", "investigator", "editor"]
HOTLINES = {"113", "114", "115"}
_TEXT_FIELDS = ("text", "body", "content", "description", "message")


def _text_of(obj: models.Model) -> str:
    for field in _TEXT_FIELDS:
        value = getattr(obj, field, None)
        if isinstance(value, str) and value.strip():
            return value
    raise ApplicationError("Không tìm thấy nội dung tin nhắn để ghi nhận.", code="no_text")


@transaction.atomic
def triage_correct(
    *,
    by,
    category: str,
    urgent: bool,
    text: str | None = None,
    obj: models.Model | None = None,
    hotline: str | None = None,
    unit=None,
) -> TriageCorrection:
    """Store an officer's label for a message (given as ``text`` or as the object holding it,
    e.g. an inbox message or a case) as a training example for the next ``train_triage``.

    ``unit`` (or ``obj.unit``) is the unit whose desk received the message; the officer must
    hold a working role there. The audit entry records the labels, never the text.
    """
    if by is None or not getattr(by, "is_authenticated", False):
        raise PermissionDenied()
    if category not in Category.values:
        raise ApplicationError("Loại tin không hợp lệ.", code="invalid_category", field="category")
    if hotline and hotline not in HOTLINES:
        raise ApplicationError(
            "Số khẩn cấp phải là 113, 114 hoặc 115.", code="invalid_hotline", field="hotline"
        )
    if obj is not None:
        text = _text_of(obj)
        unit = unit or getattr(obj, "unit", None)
    text = (text or "").strip()[:MAX_CHARS]
    if not text:
        raise ApplicationError("Nội dung tin nhắn không được để trống.", code="empty", field="text")
    if unit is not None and not has_role(by, unit, CORRECTING_ROLES):
        raise PermissionDenied()
    if unit is None and not (by.is_superuser or by.memberships.exists()):
        raise PermissionDenied()

    predicted = classify(text)
    correction = TriageCorrection.objects.create(
        text=text,
        category=category,
        urgent=bool(urgent),
        hotline=(hotline or predicted.hotline or "") if urgent else "",
        predicted_category=predicted.category,
        predicted_urgent=predicted.urgent,
        source_type=obj._meta.label_lower if obj is not None else "",
        source_id=str(obj.pk) if obj is not None else "",
        unit=unit,
        created_by=by,
    )
    audit_record(
        actor=by,
        action="triage.correct",
        target=correction,
        unit=unit,
        data={
            "category": category,
            "urgent": bool(urgent),
            "predicted_category": predicted.category,
            "predicted_urgent": predicted.urgent,
            "source_type": correction.source_type,
            "source_id": correction.source_id,
        },
    )
    return correction
