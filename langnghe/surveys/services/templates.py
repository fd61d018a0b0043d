"""Survey templates and their assignment to units: create, revise, assign, hand over."""

import uuid

from django.db import transaction

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError, NotFound
from langnghe.units.models import Unit

from ..builtin import FIVE_LEVEL
from ..models import Element, Question, QuestionType, SurveyAssignment, SurveyTemplate
from ..selectors import form_config_forget
from .errors import SurveyValidationError


def _clean_question_specs(specs: list[dict]) -> list[dict]:
    """Validate the questions of a custom template; raise SurveyValidationError."""
    errors: dict[str, str] = {}
    rows = []
    if not specs:
        raise SurveyValidationError({"questions": "Mẫu phiếu cần ít nhất một câu hỏi."})
    if len(specs) > 30:
        raise SurveyValidationError({"questions": "Mẫu phiếu có tối đa 30 câu hỏi."})
    for position, spec in enumerate(specs):
        field = f"questions.{position}"
        text = (spec.get("text") or "").strip()
        qtype = spec.get("type")
        element = spec.get("element") or ""
        if not text or len(text) > 500:
            errors[field] = f"Câu hỏi {position + 1}: cần nội dung (tối đa 500 ký tự)."
            continue
        if qtype not in QuestionType.values:
            errors[field] = f"Câu hỏi {position + 1}: loại “{qtype}” không hợp lệ."
            continue
        if element and element not in Element.values:
            errors[field] = f"Câu hỏi {position + 1}: yếu tố “{element}” không hợp lệ."
            continue
        choices: list[dict] = []
        if qtype == QuestionType.SCALE:
            choices = FIVE_LEVEL
        elif qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            labels = [str(c).strip() for c in spec.get("choices") or [] if str(c).strip()]
            if len(labels) < 2 or len(labels) > 12 or len(set(labels)) != len(labels):
                errors[field] = f"Câu hỏi {position + 1}: cần từ 2 đến 12 lựa chọn khác nhau."
                continue
            choices = [
                {"value": f"c{i + 1}", "label": label[:200]} for i, label in enumerate(labels)
            ]
        if element and qtype != QuestionType.SCALE:
            errors[field] = (
                f"Câu hỏi {position + 1}: chỉ câu hỏi thang mức độ hài lòng mới "
                "tính vào yếu tố SIPAS."
            )
            continue
        rows.append(
            {
                "key": spec.get("key") or f"q{position + 1}",
                "position": position,
                "type": qtype,
                "text": text,
                "required": bool(spec.get("required")),
                "element": element,
                "choices": choices,
            }
        )
    if errors:
        raise SurveyValidationError(errors)
    return rows


def template_create(*, owner: Unit, name: str, questions: list[dict], by) -> SurveyTemplate:
    """A custom template owned by ``owner`` (version 1). ``questions``: [{"text", "type",
    "required", "choices": [labels], "element"}]."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise SurveyValidationError({"name": "Cần tên mẫu phiếu (tối đa 200 ký tự)."})
    rows = _clean_question_specs(questions)
    base = f"{owner.code.lower()}-{uuid.uuid4().hex[:6]}"
    with transaction.atomic():
        template = SurveyTemplate.objects.create(code=base, name=name, owner=owner, created_by=by)
        Question.objects.bulk_create(Question(template=template, **row) for row in rows)
        audit_record(
            actor=by,
            action="survey_template.create",
            target=template,
            unit=owner,
            data={"code": template.code, "version": 1, "questions": len(rows)},
        )
    return template


def template_revise(
    *, template: SurveyTemplate, name: str, questions: list[dict], by
) -> SurveyTemplate:
    """A new version of a custom template; the old one stays for the responses it has."""
    if template.is_builtin:
        raise ApplicationError(
            "Không sửa được mẫu phiếu có sẵn; hãy tạo mẫu riêng.",
            code="builtin_template",
            status=400,
        )
    rows = _clean_question_specs(questions)
    with transaction.atomic():
        current = SurveyTemplate.objects.select_for_update().get(
            code=template.code, is_current=True
        )
        SurveyTemplate.objects.filter(pk=current.pk).update(is_current=False)
        revised = SurveyTemplate.objects.create(
            code=current.code,
            version=current.version + 1,
            name=(name or current.name)[:200],
            owner=current.owner,
            created_by=by,
        )
        Question.objects.bulk_create(Question(template=revised, **row) for row in rows)
        audit_record(
            actor=by,
            action="survey_template.revise",
            target=revised,
            unit=current.owner,
            data={"code": revised.code, "version": revised.version},
        )
        transaction.on_commit(form_config_forget)
    return revised


def template_assign(*, unit: Unit, template_code: str | None, by) -> None:
    """Make ``unit`` (and the units below it that have no template of their own) use a
    template; ``None`` removes the unit's own choice so it inherits its parent's again."""
    with transaction.atomic():
        if not template_code:
            SurveyAssignment.objects.filter(unit=unit).delete()
        else:
            template = SurveyTemplate.objects.filter(code=template_code, is_current=True).first()
            if template is None:
                raise NotFound(f"Không có mẫu phiếu “{template_code}”.", code="unknown_template")
            if template.owner_id and not unit.path.startswith(template.owner.path):
                raise ApplicationError(
                    "Mẫu phiếu riêng của đơn vị khác không dùng được ở đây.",
                    code="template_out_of_scope",
                    status=400,
                )
            SurveyAssignment.objects.update_or_create(
                unit=unit, defaults={"template_code": template_code, "assigned_by": by}
            )
        audit_record(
            actor=by,
            action="survey_template.assign",
            target=unit,
            unit=unit,
            data={"template": template_code or None},
        )
        transaction.on_commit(form_config_forget)


def survey_assignment_move(*, from_unit: Unit, to_unit: Unit) -> None:
    """A unit that ends hands its survey template to its successor if it has none."""
    if not SurveyAssignment.objects.filter(unit=to_unit).exists():
        SurveyAssignment.objects.filter(unit=from_unit).update(unit=to_unit)
    form_config_forget()
