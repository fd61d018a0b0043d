"""The handling of a case: classify, assign, verify, resolve, transfer, decline, merge, and
the notes and messages on its timeline."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from langnghe.accounts.selectors import can_see_unit, has_role
from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError
from langnghe.units.models import Unit

from .. import deadlines, events, policies
from ..models import Case, CaseEntry, Category, EntryKind, Status
from ..selectors import case_get, transfer_targets
from ._common import (
    ACTION_STATUSES,
    HANDLER_ROLES,
    _entry,
    _lock,
    _require_handler,
    _require_status,
    _set_status,
    _text,
)

MAX_MESSAGE = 5_000


def case_actions_allowed(*, case: Case, user, extendable: bool = True) -> list[str]:
    """The actions ``user`` may take on ``case`` now, in the table's order: none unless the
    user handles cases of the unit (``HANDLER_ROLES``), and only those the state allows.
    ``extendable`` False leaves out "extend" (no step has an extension left)."""
    if not has_role(user, case.unit, HANDLER_ROLES):
        return []
    return [
        action
        for action, statuses in ACTION_STATUSES.items()
        if case.status in statuses and (action != "extend" or extendable)
    ]


def case_classify(
    *, case: Case, by, category_code: str | None = None, is_urgent: bool | None = None
) -> Case:
    """Confirm or change the category and urgency; tells the reporter the case was received
    (meets the acknowledgement step)."""
    _require_handler(case, by)
    with transaction.atomic():
        case = _lock(case)
        _require_status(case, ACTION_STATUSES["classify"], "phân loại")
        changes = {}
        if category_code and category_code != case.category.code:
            category = Category.objects.filter(code=category_code, is_active=True).first()
            if category is None:
                raise ApplicationError(
                    f"Loại vụ việc “{category_code}” không tồn tại.",
                    code="unknown_category",
                    field="category",
                )
            changes["category"] = [case.category.code, category.code]
            case.category = category
        if is_urgent is not None and is_urgent != case.is_urgent:
            changes["urgent"] = [case.is_urgent, is_urgent]
            case.is_urgent = is_urgent
        case.classified_at = case.classified_at or timezone.now()
        note = (
            f"Đơn vị {case.unit.name} đã tiếp nhận và phân loại: {case.category.name}. "
            "Kết quả sẽ được thông báo theo thời hạn pháp luật quy định."
        )
        _set_status(case, by=by, new_status=Status.CLASSIFIED, public_note=note, data=changes)
        met = deadlines.deadlines_meet(case, event="classified")
        met += deadlines.deadlines_meet(case, event="replied")
        deadlines.deadlines_sync(case)
        audit_record(
            actor=by,
            action="case.classify",
            target=case,
            unit=case.unit,
            data={**changes, "deadlines_met": met},
        )
    return case


def case_assign(*, case: Case, by, assignee) -> Case:
    """Give the case to a handler who can see the unit (thụ lý: starts accepted-anchored limits).
    Assigning a case still "received" also classifies it."""
    _require_handler(case, by)
    if (
        assignee is None
        or not assignee.is_active
        or not can_see_unit(assignee, case.unit)
        or not has_role(assignee, case.unit, HANDLER_ROLES)
    ):
        raise ApplicationError(
            "Cán bộ được phân công phải có vai trò xử lý tại đơn vị này.",
            code="invalid_assignee",
            field="assignee",
        )
    with transaction.atomic():
        case = _lock(case)
        _require_status(case, ACTION_STATUSES["assign"], "phân công")
        met = []
        if case.status in (Status.RECEIVED, Status.TRANSFERRED):
            case.classified_at = case.classified_at or timezone.now()
            met += deadlines.deadlines_meet(case, event="classified")
        case.assignee = assignee
        case.accepted_at = case.accepted_at or timezone.now()
        new_status = case.status if case.status == Status.VERIFYING else Status.ASSIGNED
        _set_status(
            case,
            by=by,
            new_status=new_status,
            public_note="Vụ việc đã được phân công cán bộ thụ lý.",
            data={"assignee": assignee.get_username()},
        )
        met += deadlines.deadlines_meet(case, event="assigned")
        deadlines.deadlines_sync(case)
        audit_record(
            actor=by,
            action="case.assign",
            target=case,
            unit=case.unit,
            data={"assignee": assignee.get_username(), "deadlines_met": met},
        )
    return case


def case_bulk_assign(*, case_ids: list[int], by, assignee) -> list[Case]:
    """Assign several cases at once; all or nothing."""
    with transaction.atomic():
        return [
            case_assign(case=case_get(user=by, case_id=pk), by=by, assignee=assignee)
            for pk in dict.fromkeys(case_ids)
        ]


def case_verify_start(*, case: Case, by) -> Case:
    _require_handler(case, by)
    with transaction.atomic():
        case = _lock(case)
        _require_status(case, ACTION_STATUSES["verify"], "bắt đầu xác minh")
        _set_status(
            case, by=by, new_status=Status.VERIFYING, public_note="Đang xác minh, làm rõ nội dung."
        )
        audit_record(actor=by, action="case.verify", target=case, unit=case.unit)
    return case


RESOLVED_NOTE = "Vụ việc đã được giải quyết; kết quả đã được thông báo cho người báo tin."
DECLINED_NOTE = (
    "Không thuộc thẩm quyền của Công an; người báo tin đã được hướng dẫn nơi giải quyết."
)
MERGED_NOTE = "Nội dung trùng với một vụ việc khác, được giải quyết chung."


def _require_publishable(case: Case, public: bool) -> None:
    if public and not policies.result_may_be_public(case):
        raise ApplicationError(
            "Không công khai kết quả của tin tố giác tội phạm hay đơn tố cáo: kết quả chỉ gửi "
            "người báo tin (bảo vệ người tố giác, người tố cáo).",
            code="result_not_publishable",
            field="public",
        )


def case_resolve(*, case: Case, by, result: str, public: bool = False) -> Case:
    """Close the case with a result the reporter is told (BLTTHS 2015 Điều 145: the reporter
    is told the result). The result goes to the reporter only (timeline, channel); it is
    published on the status page and in Open311 only when the officer marks it ``public``."""
    _require_handler(case, by)
    _require_publishable(case, public)
    result = _text(result, field="result", label="kết quả giải quyết", max_length=2000)
    with transaction.atomic():
        case = _lock(case)
        _require_status(case, ACTION_STATUSES["resolve"], "kết thúc")
        case.closed_at = timezone.now()
        case.public_summary = result if public else ""
        _set_status(
            case,
            by=by,
            new_status=Status.RESOLVED,
            status_note=RESOLVED_NOTE,
            public_note=result,
            data={"public": public},
        )
        deadlines.deadlines_close(case)
        deadlines.deadlines_refresh_next(case)
        audit_record(
            actor=by,
            action="case.resolve",
            target=case,
            unit=case.unit,
            data={"late": case.deadlines.filter(met_at__gt=F("due_at")).count(), "public": public},
        )
    return case


def case_transfer(*, case: Case, by, to_unit: Unit, reason: str) -> Case:
    """Send the case to another unit; its history and deadlines go with it (met steps stay
    met, new steps that now apply are added)."""
    _require_handler(case, by)
    reason = _text(reason, field="reason", label="lý do chuyển", max_length=1000)
    if to_unit is None or not to_unit.is_active:
        raise ApplicationError("Đơn vị nhận không tồn tại.", code="unknown_unit", field="to_unit")
    if to_unit.pk == case.unit_id:
        raise ApplicationError("Vụ việc đã thuộc đơn vị này.", code="same_unit", field="to_unit")
    if not transfer_targets(case).filter(pk=to_unit.pk).exists():
        raise ApplicationError(
            f"Không chuyển được tới {to_unit.name}: chỉ chuyển được tới đơn vị trong cùng tỉnh.",
            code="transfer_out_of_province",
            field="to_unit",
        )
    with transaction.atomic():
        case = _lock(case)
        _require_status(case, ACTION_STATUSES["transfer"], "chuyển")
        from_unit = case.unit
        case.unit = to_unit
        case.assignee = None
        _entry(
            case,
            kind=EntryKind.TRANSFER,
            actor=by,
            body=reason,
            data={"from_unit": from_unit.code, "to_unit": to_unit.code},
        )
        _set_status(
            case,
            by=by,
            new_status=Status.TRANSFERRED,
            public_note=f"Vụ việc đã được chuyển đến {to_unit.name} để giải quyết theo thẩm quyền.",
            data={"from_unit": from_unit.code, "to_unit": to_unit.code},
        )
        case = _lock(case)
        met = deadlines.deadlines_meet(case, event="transferred")
        met += deadlines.deadlines_meet(case, event="replied")
        deadlines.deadlines_sync(case)
        audit_record(
            actor=by,
            action="case.transfer",
            target=case,
            unit=from_unit,
            data={"from_unit": from_unit.code, "to_unit": to_unit.code, "deadlines_met": met},
        )
    return case


def case_decline(*, case: Case, by, reason: str, guidance: str, public: bool = False) -> Case:
    """Not for the police: close it and tell the citizen where to go (TT 28/2020/TT-BCA:
    administrative or civil matters are not taken as tips; the citizen is guided). The
    guidance is published only when the officer marks it ``public`` (as ``case_resolve``)."""
    _require_handler(case, by)
    _require_publishable(case, public)
    reason = _text(reason, field="reason", label="lý do", max_length=1000)
    guidance = _text(guidance, field="guidance", label="hướng dẫn nơi giải quyết", max_length=1000)
    with transaction.atomic():
        case = _lock(case)
        _require_status(case, ACTION_STATUSES["decline"], "từ chối")
        case.decline_guidance = guidance
        case.public_summary = guidance if public else ""
        case.closed_at = timezone.now()
        _set_status(
            case,
            by=by,
            new_status=Status.DECLINED,
            status_note=DECLINED_NOTE,
            public_note=f"Không thuộc thẩm quyền của Công an. {guidance}",
            data={"public": public},
        )
        _entry(case, kind=EntryKind.NOTE, actor=by, body=reason)
        deadlines.deadlines_close(case)
        deadlines.deadlines_refresh_next(case)
        audit_record(actor=by, action="case.decline", target=case, unit=case.unit)
    return case


def case_merge(*, case: Case, by, into: Case) -> Case:
    """Close ``case`` as a duplicate of ``into`` (both in the actor's scope)."""
    _require_handler(case, by)
    _require_handler(into, by)
    if into.pk == case.pk:
        raise ApplicationError("Không thể gộp vụ việc vào chính nó.", code="same_case")
    with transaction.atomic():
        case = _lock(case)
        into = _lock(into)
        _require_status(case, ACTION_STATUSES["merge"], "gộp")
        if not into.is_open:
            raise ApplicationError("Vụ việc đích đã kết thúc.", code="target_closed", status=409)
        case.merged_into = into
        case.closed_at = timezone.now()
        _set_status(
            case,
            by=by,
            new_status=Status.MERGED,
            public_note=f"Nội dung trùng với vụ việc {into.tracking_code}, được giải quyết chung.",
            status_note=MERGED_NOTE,  # another reporter's tracking code is not for the public
            data={"into": into.tracking_code},
        )
        _entry(
            into,
            kind=EntryKind.NOTE,
            actor=by,
            body=f"Đã gộp vụ việc trùng {case.tracking_code} vào đây.",
        )
        deadlines.deadlines_close(case, cancelled=True)
        deadlines.deadlines_refresh_next(case)
        audit_record(
            actor=by, action="case.merge", target=case, unit=case.unit, data={"into": into.pk}
        )
    return case


def case_note_add(*, case: Case, by, body: str) -> CaseEntry:
    """An internal note: never shown to the reporter."""
    _require_handler(case, by)
    body = _text(body, field="body", label="ghi chú", max_length=MAX_MESSAGE)
    with transaction.atomic():
        entry = _entry(case, kind=EntryKind.NOTE, actor=by, body=body)
        audit_record(actor=by, action="case.note", target=case, unit=case.unit)
    return entry


def case_reply(*, case: Case, by, body: str) -> CaseEntry:
    """A message to the reporter (read with the receipt, or sent back through the channel)."""
    _require_handler(case, by)
    body = _text(body, field="body", label="nội dung trả lời", max_length=MAX_MESSAGE)
    with transaction.atomic():
        case = _lock(case)
        entry = _entry(case, kind=EntryKind.MESSAGE_OUT, actor=by, body=body, visible=True)
        met = deadlines.deadlines_meet(case, event="replied")
        deadlines.deadlines_refresh_next(case)
        audit_record(
            actor=by, action="case.reply", target=case, unit=case.unit, data={"deadlines_met": met}
        )
        events.status_changed_on_commit(case, old_status=case.status, public_note=body)
    return entry


def case_reporter_message_add(*, case: Case, body: str) -> CaseEntry:
    """The reporter (proved by the receipt) adds information."""
    body = _text(body, field="body", label="nội dung bổ sung", max_length=MAX_MESSAGE)
    if not case.is_open:
        raise ApplicationError(
            "Vụ việc đã kết thúc, không thể bổ sung thêm.", code="case_closed", status=409
        )
    with transaction.atomic():
        entry = _entry(case, kind=EntryKind.MESSAGE_IN, body=body, visible=True, from_reporter=True)
        audit_record(actor=None, action="case.reporter_message", target=case, unit=case.unit)
    return entry
