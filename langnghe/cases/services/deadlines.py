"""Legal deadlines of a case: the extensions the law allows and the escalation of overdue steps."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError

from .. import deadlines, events
from ..models import OPEN_STATUSES, Case, CaseDeadline, CaseEscalation, EntryKind
from ._common import ACTION_STATUSES, _entry, _lock, _require_handler, _require_status, _text


def case_deadline_extend(*, case: Case, by, step: str, reason: str) -> Case:
    """Apply the next extension the law allows for ``step`` (e.g. BLTTHS Điều 147 khoản 2, 3)."""
    _require_handler(case, by)
    reason = _text(reason, field="reason", label="lý do gia hạn", max_length=1000)
    with transaction.atomic():
        case = _lock(case)
        _require_status(case, ACTION_STATUSES["extend"], "gia hạn")
        found = deadlines.extension_next(case, step)
        if found is None:
            raise ApplicationError(
                "Thời hạn này không được gia hạn thêm theo quy định.",
                code="no_extension",
                field="step",
            )
        row, extension = found
        if row.met_at is not None or row.cancelled:
            raise ApplicationError("Bước này đã hoàn thành.", code="step_done", field="step")
        old_due = row.due_at
        row.due_at = deadlines.extension_due(case, row, extension)
        row.extensions_used += 1
        row.save(update_fields=["due_at", "extensions_used"])
        deadlines.deadlines_refresh_next(case)
        _entry(
            case,
            kind=EntryKind.DEADLINE,
            actor=by,
            body=reason,
            data={
                "step": step,
                "from": old_due.isoformat(),
                "to": row.due_at.isoformat(),
                "law": extension.get("law", ""),
            },
        )
        audit_record(
            actor=by,
            action="case.deadline_extend",
            target=case,
            unit=case.unit,
            data={"step": step, "due_at": row.due_at.isoformat(), "law": extension.get("law", "")},
        )
    return case


def cases_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Report each overdue step of an open case once to the supervisors of the unit above
    (the root escalates to itself). Idempotent: safe to run every few minutes."""
    now = now or timezone.now()
    overdue = CaseDeadline.objects.filter(
        met_at__isnull=True,
        cancelled=False,
        due_at__lt=now,
        case__status__in=OPEN_STATUSES,
        escalation__isnull=True,
    ).select_related("case", "case__unit")
    count = 0
    for deadline in overdue:
        with transaction.atomic():
            case = deadline.case
            to_unit = case.unit.parent or case.unit
            _, created = CaseEscalation.objects.get_or_create(
                deadline=deadline, defaults={"case": case, "to_unit": to_unit}
            )
            if not created:
                continue
            _entry(
                case,
                kind=EntryKind.ESCALATION,
                data={
                    "step": deadline.step,
                    "to_unit": to_unit.code,
                    "due_at": deadline.due_at.isoformat(),
                },
            )
            audit_record(
                actor=None,
                action="case.escalate",
                target=case,
                unit=to_unit,
                data={"step": deadline.step, "from_unit": case.unit.code},
            )
            events.escalated_on_commit(
                case_id=case.pk, deadline_step=deadline.step, to_unit_id=to_unit.pk
            )
            count += 1
    return count
