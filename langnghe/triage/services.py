"""Writes: an officer corrects a triage label."""

from django.db import models, transaction

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError, PermissionDenied

from .classifier import classify
from .models import Category, TriageCorrection
from .normalize import MAX_CHARS

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
    obj: models.Model,
    unit,
    category: str,
    urgent: bool,
    hotline: str | None = None,
) -> TriageCorrection:
    """Store an officer's label for the citizen's message ``obj`` (e.g. an inbox message) as a
    training example for the next ``train_triage``.

    Precondition: the caller has checked ``by`` against the owning app's one access function
    for the object (inbox: ``conversation_for(..., action=ANSWER)``, the desk roles of the
    conversation's unit); ``unit`` is that object's unit. This service only validates labels.
    The copy of the text lives no longer than ``obj`` (``triage_corrections_forget``). The
    audit entry records the labels, never the text.
    """
    if by is None or not getattr(by, "is_authenticated", False):
        raise PermissionDenied()
    if category not in Category.values:
        raise ApplicationError("Loại tin không hợp lệ.", code="invalid_category", field="category")
    if hotline and hotline not in HOTLINES:
        raise ApplicationError(
            "Số khẩn cấp phải là 113, 114 hoặc 115.", code="invalid_hotline", field="hotline"
        )
    text = _text_of(obj).strip()[:MAX_CHARS]

    predicted = classify(text)
    correction = TriageCorrection.objects.create(
        text=text,
        category=category,
        urgent=bool(urgent),
        hotline=(hotline or predicted.hotline or "") if urgent else "",
        predicted_category=predicted.category,
        predicted_urgent=predicted.urgent,
        source_type=obj._meta.label_lower,
        source_id=str(obj.pk),
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


def triage_corrections_forget(*, source_type: str, source_ids) -> int:
    """Blank the text of the corrections made from these objects (their labels stay for the
    statistics): a correction's copy of a citizen's words is kept no longer than the words
    themselves (Luật BVDLCN 91/2025/QH15: kept only as long as the purpose needs). Called by
    the owning app before it deletes them (inbox: retention). Returns how many were blanked."""
    return (
        TriageCorrection.objects.filter(
            source_type=source_type, source_id__in=[str(pk) for pk in source_ids]
        )
        .exclude(text="")
        .update(text="")
    )


def triage_corrections_forget_orphans() -> int:
    """Blank the text of corrections whose source object no longer exists (deleted by any
    path other than the owning app's retention). Run daily with the inbox retention job."""
    from django.apps import apps

    blanked = 0
    kept = TriageCorrection.objects.exclude(text="").exclude(source_type="")
    for source_type in kept.values_list("source_type", flat=True).distinct():
        try:
            model = apps.get_model(source_type)
        except (LookupError, ValueError):
            continue
        ids = set(kept.filter(source_type=source_type).values_list("source_id", flat=True))
        alive = {str(pk) for pk in model.objects.filter(pk__in=ids).values_list("pk", flat=True)}
        blanked += triage_corrections_forget(source_type=source_type, source_ids=ids - alive)
    return blanked
