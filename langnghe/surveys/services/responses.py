"""Survey responses: a citizen's submission (checked, then stored) and the flag that keeps a
suspicious one out of the index.

``response_submit`` is the one write path of a response: the public form page, the API's
``POST /surveys/responses`` and its machine-lane handler all call it, and it does every check.
"""

import re
import uuid

from django.db import transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError
from langnghe.units.models import Unit

from ..counters import _counter_cells, _counters_add
from ..models import PendingCount, Question, QuestionType, Source, SurveyResponse, SurveyTemplate
from ..security import form_key_check
from ..selectors import form_config
from .errors import SurveyValidationError
from .storage import _abuse_verdict, _insert_queued, _store_checked

MAX_COMMENT = 2000
MAX_TEXT_ANSWER = 2000
DOSSIER_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")


def _questions(template: SurveyTemplate) -> tuple[dict[str, Question], dict[str, list[str]]]:
    """The template's questions by key (in order) and each one's allowed values, worked out
    once per template object: the survey-form snapshot keeps one object per template version
    for the whole process, so a campaign's responses do not rebuild them every time."""
    found = template.__dict__.get("_questions")
    if found is None:
        questions = {q.key: q for q in template.questions.all()}
        allowed = {key: q.choice_values() for key, q in questions.items()}
        found = template.__dict__["_questions"] = (questions, allowed)
    return found


def _clean_answers(template: SurveyTemplate, answers: dict) -> tuple[dict, dict[str, str]]:
    questions, choices = _questions(template)
    errors: dict[str, str] = {}
    clean: dict = {}
    if not isinstance(answers, dict):
        return {}, {"answers": "Câu trả lời phải là một bảng {mã câu hỏi: giá trị}."}
    for key in answers:
        if key not in questions:
            errors[f"answers.{key}"] = f"Câu hỏi “{str(key)[:40]}” không có trong phiếu."
    for key, question in questions.items():
        field = f"answers.{key}"
        raw = answers.get(key)
        if raw in (None, "", []):
            if question.required:
                errors[field] = "Vui lòng trả lời câu hỏi này."
            continue
        allowed = choices[key]
        if question.type in (QuestionType.SCALE, QuestionType.SINGLE):
            value = str(raw)
            if value not in allowed:
                errors[field] = "Câu trả lời không nằm trong các lựa chọn của câu hỏi."
                continue
            clean[key] = value
        elif question.type == QuestionType.MULTIPLE:
            values = [str(v) for v in (raw if isinstance(raw, list) else [raw])]
            if any(v not in allowed for v in values):
                errors[field] = "Có lựa chọn không thuộc câu hỏi này."
                continue
            clean[key] = sorted(set(values), key=allowed.index)
        else:
            text = str(raw).strip()
            if len(text) > MAX_TEXT_ANSWER:
                errors[field] = f"Câu trả lời dài quá {MAX_TEXT_ANSWER} ký tự."
                continue
            if text:
                clean[key] = text
    return clean, errors


def _stored(client_uuid: uuid.UUID) -> SurveyResponse | None:
    return SurveyResponse.objects.select_related("unit").filter(client_id=client_uuid).first()


def response_submit(
    *,
    unit_code: str,
    client_id,
    answers: dict,
    comment: str = "",
    dossier_code: str = "",
    key: str | None = None,
    require_key: bool = False,
    source: str = Source.QR,
    ip_hash: str = "",
    device_hash: str = "",
    template_id: int | None = None,
) -> tuple[SurveyResponse, bool]:
    """Record one response; the counters take it at the next fold (``counters_fold``).

    Returns ``(response, created)``. A ``client_id`` seen before returns the stored response
    with ``created=False`` and changes nothing (safe retries, KoboToolbox-style instance ids).
    Raises ApplicationError (4xx, nothing stored) for an unknown unit, a forged or expired
    ``key``, invalid answers, an oversized comment, a dossier already rated, or too many
    submissions. Suspicious bursts are stored flagged, outside the index.

    The hot path of a QR campaign: one round trip to the database on PostgreSQL (the checks
    and the write in one statement, ``_store_checked``) and none for the unit and its template
    (``selectors.form_config``); a burst takes a second one, to store the response flagged.
    """
    try:
        client_uuid = client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ApplicationError(
            "Mã phiếu (client_id) phải là UUID.", code="invalid_client_id", field="client_id"
        ) from exc
    unit, template = form_config(unit_code)
    now = timezone.now()
    try:
        response = _response_build(
            unit=unit,
            template=template,
            client_uuid=client_uuid,
            answers=answers,
            comment=comment,
            dossier_code=dossier_code,
            key=key,
            require_key=require_key,
            template_id=template_id,
        )
    except ApplicationError:
        # A resend of a response already stored is answered as the first time was, even if
        # its form key has expired since: the stored response stands, nothing changes.
        if (existing := _stored(client_uuid)) is not None:
            return existing, False
        raise
    response.source, response.submitted_at, response.day = source, now, timezone.localdate(now)
    response.ip_hash, response.device_hash = ip_hash, device_hash
    stored_id, existing_id, (device_count, ip_count, unit_count) = _store_checked(response)
    if existing_id is not None:
        return SurveyResponse.objects.select_related("unit").get(pk=existing_id), False
    if stored_id is None:
        flag_reason = _abuse_verdict(
            device_count=device_count, ip_count=ip_count, unit_count=unit_count
        )
        if flag_reason:  # a burst: stored, flagged out of the index
            response.is_flagged, response.flag_reason = True, flag_reason
            stored_id = _insert_queued(response)
    if stored_id is None:
        # A concurrent retry with the same client_id won the race, or the dossier is rated.
        if (existing := _stored(client_uuid)) is not None:
            return existing, False
        raise ApplicationError(
            "Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần.",
            code="dossier_already_rated",
            status=409,
            field="dossier_code",
        )
    response.pk = stored_id
    response._state.adding = False
    return response, True


def _response_build(
    *,
    unit: Unit,
    template: SurveyTemplate,
    client_uuid: uuid.UUID,
    answers: dict,
    comment: str,
    dossier_code: str,
    key: str | None,
    require_key: bool,
    template_id: int | None,
) -> SurveyResponse:
    """The response to store, checked (its key, answers, comment and dossier code); raises
    ApplicationError for what is wrong."""
    if key or require_key:
        form_key_check(unit.code, key or "")
    if template_id and template_id != template.pk:
        # The page was opened on an older version of the same template: accept that version.
        older = (
            SurveyTemplate.objects.filter(pk=template_id, code=template.code)
            .prefetch_related("questions")
            .first()
        )
        if older is not None:
            template = older
    clean, errors = _clean_answers(template, answers or {})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Ý kiến góp ý dài quá {MAX_COMMENT} ký tự (hiện {len(comment)})."
    dossier_code = (dossier_code or "").strip().upper()
    if dossier_code and not DOSSIER_CODE.match(dossier_code):
        errors["dossier_code"] = "Mã hồ sơ chỉ gồm chữ, số và các dấu . _ / - (tối đa 40 ký tự)."
    if errors:
        raise SurveyValidationError(errors)
    questions, _choices = _questions(template)
    scores = [int(clean[key]) for key, q in questions.items() if q.element and key in clean]
    return SurveyResponse(
        client_id=client_uuid,
        unit=unit,
        template=template,
        answers=clean,
        comment=comment,
        dossier_code=dossier_code,
        lowest_score=min(scores) if scores else None,
    )


def response_flag_set(
    *, response: SurveyResponse, flagged: bool, by, reason: str = "manual"
) -> SurveyResponse:
    """Flag a response out of the index, or clear a flag so it counts again; the counters move
    between the flagged and unflagged cells in the same transaction (a response still pending
    is folded into its new cells here)."""
    with transaction.atomic():
        locked = (
            SurveyResponse.objects.select_for_update()
            .select_related("template")
            .get(pk=response.pk)
        )
        if locked.is_flagged == flagged:
            return locked
        cells = _counter_cells(locked.template, locked.answers, locked.comment)
        # Not yet folded: it is in no cell, so it only goes into the new one. (A fold that has
        # taken it holds its pending row until it commits, so this waits and then moves it.)
        was_pending = PendingCount.objects.filter(response_id=locked.pk).delete()[0]
        if not was_pending:
            _counters_add(
                unit_id=locked.unit_id,
                day=locked.day,
                cells=cells,
                flagged=locked.is_flagged,
                delta=-1,
            )
        _counters_add(unit_id=locked.unit_id, day=locked.day, cells=cells, flagged=flagged, delta=1)
        locked.is_flagged = flagged
        locked.flag_reason = reason[:40] if flagged else ""
        locked.save(update_fields=["is_flagged", "flag_reason"])
        audit_record(
            actor=by,
            action="survey_response.flag" if flagged else "survey_response.unflag",
            target=locked,
            unit=locked.unit,
            data={"reason": locked.flag_reason},
        )
    return locked
