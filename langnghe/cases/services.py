"""Every write about cases: one function per state change, each in a transaction with an audit
entry, side effects (events to the originating channel) after commit.

Preconditions common to the staff actions: the case is in the actor's scope (else NotFound,
so nothing leaks) and the actor holds a handler role on the case's unit or above (else
PermissionDenied). Audit ``data`` never carries personal data: no names, phones, receipts,
descriptions or message bodies.
"""

import datetime as dt
import hashlib
import secrets
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from langnghe.accounts.models import Role
from langnghe.accounts.selectors import can_see_unit, has_role
from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError, NotFound, PermissionDenied
from langnghe.inbox import live
from langnghe.triage.selectors import triage_text
from langnghe.units.models import Unit

from . import crypto, deadlines, events, policies, receipts
from .files import THUMBNAIL_TYPES, file_clean, thumbnail_make
from .models import (
    OPEN_STATUSES,
    Case,
    CaseAttachment,
    CaseEntry,
    CaseEscalation,
    Category,
    Channel,
    EntryKind,
    IdentityRevealRequest,
    Open311Client,
    RevealStatus,
    Status,
)
from .phones import phone_normalize
from .routing import route
from .selectors import APPROVER_ROLES, transfer_targets

HANDLER_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.DUTY_OFFICER, Role.INVESTIGATOR)
MAX_DESCRIPTION = 10_000
MAX_MESSAGE = 5_000
MAX_FILES = 5
REPORTER_FIELDS = ("name", "phone", "address", "id_number", "email")
REVEAL_VALID_FOR = dt.timedelta(hours=24)
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


# --- helpers ------------------------------------------------------------------------------------


def _tracking_code() -> str:
    return "LN" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


def _text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not text:
        raise ApplicationError(f"Vui lòng nhập {label}.", code="required", field=field)
    if len(text) > max_length:
        raise ApplicationError(
            f"{label.capitalize()} quá dài (tối đa {max_length} ký tự).",
            code="too_long",
            field=field,
        )
    return text


def _require_handler(case: Case, user) -> None:
    if not can_see_unit(user, case.unit):
        raise NotFound("Không tìm thấy vụ việc.", code="case_not_found")
    if not has_role(user, case.unit, HANDLER_ROLES):
        raise PermissionDenied("Bạn không có quyền xử lý vụ việc của đơn vị này.")


# Which action may run in which state: the services refuse an action outside its states, and
# the console shows only the forms of the actions this table (and the role) allows.
ACTION_STATUSES: dict[str, tuple[str, ...]] = {
    "classify": (Status.RECEIVED, Status.TRANSFERRED),
    "assign": OPEN_STATUSES,
    "verify": (Status.ASSIGNED,),
    "resolve": (Status.ASSIGNED, Status.VERIFYING),
    "transfer": OPEN_STATUSES,
    "decline": OPEN_STATUSES,
    "merge": OPEN_STATUSES,
    "extend": OPEN_STATUSES,
    # Messages, notes and files: the console offers them on an open case only (a closed case
    # shows no actions); their services do not check the state (the API may add to a record).
    "reply": OPEN_STATUSES,
    "note": OPEN_STATUSES,
    "attach": OPEN_STATUSES,
}


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


def _require_status(case: Case, allowed, action: str) -> None:
    if case.status not in allowed:
        raise ApplicationError(
            f"Không thể {action} khi vụ việc đang ở trạng thái “{case.get_status_display()}”.",
            code="invalid_transition",
            status=409,
        )


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update()
        .select_related("category", "unit", "unit__kind")
        .get(pk=case.pk)
    )


def _entry(
    case: Case,
    *,
    kind: str,
    actor=None,
    body: str = "",
    visible: bool = False,
    from_reporter: bool = False,
    data: dict | None = None,
) -> CaseEntry:
    entry = CaseEntry.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        visible_to_reporter=visible,
        from_reporter=from_reporter,
        data=data or {},
    )
    if body:
        entry.body_sealed = crypto.seal(body, context=case.sealing_context(f"entry:{entry.pk}"))
        entry.save(update_fields=["body_sealed"])
    return entry


def _set_status(
    case: Case,
    *,
    by,
    new_status: str,
    public_note: str = "",
    status_note: str | None = None,
    data: dict | None = None,
) -> None:
    """``public_note`` is told to the reporter (timeline, channel); the status page and Open311
    show ``status_note``, which is ``public_note`` unless the caller gives fixed wording
    instead (when ``public_note`` holds an officer's own text, see ``Case.public_summary``)."""
    old = case.status
    case.status = new_status
    shown = public_note if status_note is None else status_note
    if shown:
        case.status_note = shown[:500]
    case.save()
    _entry(
        case,
        kind=EntryKind.STATUS,
        actor=by,
        body=public_note,
        visible=bool(public_note),
        data={"from": old, "to": new_status, **(data or {})},
    )
    events.status_changed_on_commit(case, old_status=old, public_note=public_note)


def _location(location) -> dict | None:
    if not location:
        return None
    try:
        lat, long = float(location.get("lat")), float(location.get("long"))
    except (TypeError, ValueError, AttributeError):
        raise ApplicationError(
            "Tọa độ không hợp lệ.", code="invalid_location", field="location"
        ) from None
    if not (-90 <= lat <= 90 and -180 <= long <= 180):
        raise ApplicationError(
            "Tọa độ nằm ngoài phạm vi hợp lệ.", code="invalid_location", field="location"
        )
    return {"lat": round(lat, 6), "long": round(long, 6)}


def _reporter(reporter: dict | None) -> dict:
    reporter = reporter or {}
    clean = {}
    for key in REPORTER_FIELDS:
        value = _text(
            reporter.get(key),
            field=f"reporter.{key}",
            label="thông tin người gửi",
            max_length=300,
            required=False,
        )
        if value:
            clean[key] = value
    return clean


# --- intake ------------------------------------------------------------------------------------


# Triage categories → case categories. A procedure question or small talk is not a case
# category of its own: it becomes "other" for the handler to re-classify.
TRIAGE_TO_CATEGORY = {
    "crime_report": "crime_report",
    "public_order": "public_order",
    "service_feedback": "service_feedback",
}


def case_create(
    *,
    category_code: str,
    description: str,
    unit_code: str | None = None,
    address: str | None = None,
    is_anonymous: bool = False,
    reporter: dict | None = None,
    location: dict | None = None,
    channel: str = Channel.WEB,
    channel_ref: str = "",
    is_urgent: bool = False,
    recorded_by=None,
    open311_client: Open311Client | None = None,
    attachments: list[bytes | tuple[str, bytes]] | None = None,
    now: dt.datetime | None = None,
) -> tuple[Case, str | None]:
    """Receive a case from any channel; returns (case, receipt). The receipt (anonymous only)
    exists only in this return value: show it once, never store or log it. ``attachments``:
    each a file's bytes, or (the name it was sent with, bytes).

    Nothing is stored about the sender beyond what they typed: no IP, user agent or cookie.
    """
    triage = triage_text(description or "")
    # An empty category is filled in from what the message says (triage); a chosen one is kept.
    category_code = (category_code or "").strip() or TRIAGE_TO_CATEGORY.get(
        triage.category, "other"
    )
    category = Category.objects.filter(code=category_code, is_active=True).first()
    if category is None:
        codes = ", ".join(Category.objects.filter(is_active=True).values_list("code", flat=True))
        raise ApplicationError(
            f"Loại vụ việc “{category_code}” không tồn tại. Các loại: {codes}.",
            code="unknown_category",
            field="category",
        )
    description = _text(
        description, field="description", label="nội dung", max_length=MAX_DESCRIPTION
    )
    address = _text(address, field="address", label="địa chỉ", max_length=300, required=False)
    # A closed unit's code (an old link or poster) is accepted: routing sends it on to the
    # unit that carries on.
    if unit_code and not Unit.objects.filter(code__iexact=unit_code.strip()).exists():
        raise ApplicationError(
            f"Không có đơn vị mã “{unit_code}”.", code="unknown_unit", field="unit"
        )
    location_clean = _location(location)
    identity = {} if is_anonymous else _reporter(reporter)
    if identity.get("phone"):
        try:
            identity["phone"] = phone_normalize(identity["phone"])
        except ApplicationError:
            # What a conversation already holds (a Zalo profile, a chat) is kept as it came:
            # turning it into a case must not fail on its format. Typed numbers are checked.
            if channel != Channel.DUTY_DESK:
                raise
    if is_anonymous and not category.allows_anonymous:
        raise ApplicationError(
            f"“{category.name}” cần ghi rõ họ tên và số điện thoại ({category.legal_basis}). "
            "Nếu cần giữ bí mật, hãy chọn “Tố giác, tin báo về tội phạm” hoặc “Khác”; danh tính "
            "người gửi luôn được bảo mật.",
            code="anonymous_not_allowed",
            field="anonymous",
        )
    if (
        not is_anonymous
        and recorded_by is None
        and not (identity.get("name") and identity.get("phone"))
    ):
        raise ApplicationError(
            "Vui lòng nhập họ tên và số điện thoại, hoặc chọn gửi ẩn danh.",
            code="reporter_required",
            field="reporter",
        )
    if len(attachments or []) > MAX_FILES:
        raise ApplicationError(
            f"Tối đa {MAX_FILES} tệp mỗi lần gửi.", code="too_many_files", field="file"
        )
    attachments = [item if isinstance(item, tuple) else ("", item) for item in attachments or []]
    for filename, data in attachments:
        file_clean(data, filename)  # refuse a bad file before anything is stored
    target = route(unit_code=unit_code, address=address)
    receipt = receipts.receipt_new() if is_anonymous else None
    with transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    case = Case.objects.create(
                        tracking_code=_tracking_code(),
                        category=category,
                        unit=target.unit,
                        is_urgent=is_urgent or triage.urgent,
                        triage_category=triage.category,
                        triage_hotline=triage.hotline or "",
                        is_anonymous=is_anonymous,
                        channel=channel,
                        channel_ref=channel_ref[:100],
                        routed_by=target.routed_by,
                        description_sealed="",
                        received_at=now or timezone.now(),
                        recorded_by=recorded_by,
                        open311_client=open311_client,
                        has_reporter_identity=bool(identity),
                        has_location=location_clean is not None,
                        receipt_index=receipts.receipt_index(receipt) if receipt else "",
                        receipt_hash=receipts.receipt_hash(receipt) if receipt else "",
                    )
                break
            except IntegrityError:
                continue
        else:
            raise ApplicationError("Không tạo được mã tra cứu, vui lòng thử lại.", status=503)
        case.description_sealed = crypto.seal(
            description, context=case.sealing_context("description")
        )
        case.reporter_sealed = crypto.seal_json(identity, context=case.sealing_context("reporter"))
        case.location_sealed = crypto.seal_json(
            location_clean, context=case.sealing_context("location")
        )
        case.address_sealed = crypto.seal(address, context=case.sealing_context("address"))
        case.save(
            update_fields=[
                "description_sealed",
                "reporter_sealed",
                "location_sealed",
                "address_sealed",
            ]
        )
        case = Case.objects.select_related("category", "unit", "unit__kind").get(pk=case.pk)
        deadlines.deadlines_sync(case)
        _entry(
            case,
            kind=EntryKind.STATUS,
            actor=recorded_by,
            data={"to": Status.RECEIVED, "channel": channel, "routed_by": target.routed_by},
        )
        audit_record(
            actor=recorded_by,
            action="case.create",
            target=case,
            unit=case.unit,
            data={
                "category": category.code,
                "channel": channel,
                "routed_by": target.routed_by,
                "anonymous": is_anonymous,
            },
        )
        for filename, data in attachments:
            _attachment_store(
                case, data, filename=filename, by=recorded_by, from_reporter=recorded_by is None
            )
        if case.is_urgent:
            # Alert every officer on duty in the unit and above (their consoles sound the alarm).
            live.publish(
                case.unit,
                {
                    "kind": "urgent_case",
                    "case_id": case.pk,
                    "tracking_code": case.tracking_code,
                    "hotline": case.triage_hotline,
                },
            )
    return case, receipt


def case_create_from_conversation(
    *,
    conversation_id: str,
    category_code: str,
    description: str,
    by,
    unit: Unit | None = None,
    reporter: dict | None = None,
    is_anonymous: bool = False,
    is_urgent: bool = False,
) -> tuple[Case, str | None]:
    """For the duty desk: turn a conversation into a case. Status changes come back through
    ``events.case_status_changed`` with ``channel="duty_desk"`` and this conversation id."""
    if unit is not None and not can_see_unit(by, unit):
        raise NotFound("Đơn vị không thuộc phạm vi của bạn.", code="unit_not_found")
    return case_create(
        category_code=category_code,
        description=description,
        unit_code=unit.code if unit else None,
        is_anonymous=is_anonymous,
        reporter=reporter,
        channel=Channel.DUTY_DESK,
        channel_ref=str(conversation_id),
        is_urgent=is_urgent,
        recorded_by=by,
    )


def case_record(
    *,
    by,
    unit: Unit,
    category_code: str,
    description: str,
    channel: str,
    reporter: dict | None = None,
    is_anonymous: bool = False,
    refusal_reason: str = "",
    is_urgent: bool = False,
    address: str = "",
) -> tuple[Case, str | None]:
    """An officer records a tip taken by phone or in person (TT 28/2020/TT-BCA: if the
    reporter refuses to give personal data the tip is still received and the reason noted)."""
    if channel not in (Channel.PHONE, Channel.WALK_IN):
        raise ApplicationError(
            "Kênh tiếp nhận phải là điện thoại hoặc trực tiếp.",
            code="invalid_channel",
            field="channel",
        )
    if not can_see_unit(by, unit):
        raise NotFound("Đơn vị không thuộc phạm vi của bạn.", code="unit_not_found")
    if not has_role(by, unit, HANDLER_ROLES):
        raise PermissionDenied("Bạn không có quyền tiếp nhận tin cho đơn vị này.")
    with transaction.atomic():
        case, receipt = case_create(
            category_code=category_code,
            description=description,
            unit_code=unit.code,
            address=address,
            is_anonymous=is_anonymous,
            reporter=reporter,
            channel=channel,
            is_urgent=is_urgent,
            recorded_by=by,
        )
        if refusal_reason:
            _entry(
                case,
                kind=EntryKind.NOTE,
                actor=by,
                body="Người báo tin không cung cấp thông tin cá nhân: " + refusal_reason[:500],
            )
    return case, receipt


# --- workflow ----------------------------------------------------------------------------------


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
    from .selectors import case_get

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


def case_attachment_add(
    *, case: Case, data: bytes, filename: str = "", by=None, from_reporter: bool = False
) -> CaseAttachment:
    """Check by content, clean, seal and store a file. ``by`` None means the reporter;
    ``filename`` (as sent) gives only the extension (``files.extension_for``)."""
    if by is not None:
        _require_handler(case, by)
    elif not case.is_open:
        raise ApplicationError(
            "Vụ việc đã kết thúc, không thể gửi thêm tệp.", code="case_closed", status=409
        )
    with transaction.atomic():
        return _attachment_store(case, data, filename=filename, by=by, from_reporter=from_reporter)


def attachment_fingerprint(content: bytes) -> str:
    """What the audit trail keeps of a file: a keyed, truncated HMAC (SECRET_KEY, 64 bits).
    It tells two files apart within this installation; unlike a plain SHA-256 it does not let
    whoever holds a copy of a photo prove from the audit log that it was sent to the police."""
    return salted_hmac("langnghe.cases.attachment", content, algorithm="sha256").hexdigest()[:16]


def _attachment_store(
    case: Case, data: bytes, *, filename: str = "", by, from_reporter: bool
) -> CaseAttachment:
    clean = file_clean(data, filename)
    name = f"cases/{uuid.uuid4().hex}.{clean.extension}"
    entry = _entry(
        case,
        kind=EntryKind.ATTACHMENT,
        actor=by,
        visible=from_reporter,
        from_reporter=from_reporter,
        data={"content_type": clean.content_type, "size": len(clean.content)},
    )
    sealed = crypto.seal_bytes(clean.content, context=case.sealing_context(name))
    stored = default_storage.save(name, ContentFile(sealed))
    attachment = CaseAttachment.objects.create(
        case=case,
        entry=entry,
        storage_name=stored,
        thumbnail_name=_thumbnail_store(case, clean.content, stored)
        if clean.content_type in THUMBNAIL_TYPES
        else "",
        content_type=clean.content_type,
        size=len(clean.content),
        from_reporter=from_reporter,
        uploaded_by=by,
    )
    audit_record(
        actor=by,
        action="case.attachment_add",
        target=case,
        unit=case.unit,
        data={
            "content_type": clean.content_type,
            "size": len(clean.content),
            "fingerprint": attachment_fingerprint(clean.content),
        },
    )
    return attachment


def _thumbnail_store(case: Case, content: bytes, storage_name: str) -> str:
    """Seal and store the thumbnail of a stored image; its name beside the file's."""
    name = storage_name.rsplit(".", 1)[0] + ".thumb.jpg"
    sealed = crypto.seal_bytes(thumbnail_make(content), context=case.sealing_context(name))
    return default_storage.save(name, ContentFile(sealed))


def _attachment_for_handler(case: Case, by, attachment_id: int) -> CaseAttachment:
    """The attachment, for a handler of the case's unit; NotFound otherwise (nothing leaks:
    not whether the file exists, nor that the user lacks the role)."""
    if not (can_see_unit(by, case.unit) and has_role(by, case.unit, HANDLER_ROLES)):
        raise NotFound("Không tìm thấy tệp.", code="attachment_not_found")
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("Không tìm thấy tệp.", code="attachment_not_found")
    return attachment


def _unsealed(case: Case, name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return crypto.unseal_bytes(handle.read(), context=case.sealing_context(name))


def case_attachment_open(*, case: Case, by, attachment_id: int) -> tuple[CaseAttachment, bytes]:
    """A handler opens a file of the case: the attachment and its decrypted bytes. Logged like
    every opening of a tip's content (NĐ 13/2023; Luật 91/2025)."""
    attachment = _attachment_for_handler(case, by, attachment_id)
    data = _unsealed(case, attachment.storage_name)
    with transaction.atomic():
        audit_record(
            actor=by,
            action="case.attachment_open",
            target=case,
            unit=case.unit,
            data={"attachment": attachment.pk, "content_type": attachment.content_type},
        )
    return attachment, data


def case_attachment_thumbnail(*, case: Case, by, attachment_id: int) -> bytes:
    """The JPEG thumbnail of an image attachment, for a handler (the same check as the file).
    Made on first view for an image stored before thumbnails existed. Not logged one by one:
    the case page that shows them logs the opening (``case_content_open``)."""
    attachment = _attachment_for_handler(case, by, attachment_id)
    if attachment.content_type not in THUMBNAIL_TYPES:
        raise NotFound("Tệp này không có ảnh thu nhỏ.", code="thumbnail_not_found")
    if attachment.thumbnail_name:
        return _unsealed(case, attachment.thumbnail_name)
    content = _unsealed(case, attachment.storage_name)
    name = _thumbnail_store(case, content, attachment.storage_name)
    claimed = CaseAttachment.objects.filter(pk=attachment.pk, thumbnail_name="").update(
        thumbnail_name=name
    )
    if not claimed:  # made at the same time by another request: keep theirs
        default_storage.delete(name)
        attachment.refresh_from_db(fields=["thumbnail_name"])
        return _unsealed(case, attachment.thumbnail_name)
    return _unsealed(case, name)


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


# --- reporter identity -------------------------------------------------------------------------


def case_identity_reveal_request(*, case: Case, by, reason: str) -> IdentityRevealRequest:
    """A handler asks to see who reported (Luật Tố cáo 2018 Điều 56; BLTTHS Điều 484–486)."""
    _require_handler(case, by)
    reason = _text(reason, field="reason", label="lý do cần biết danh tính", max_length=1000)
    if not case.has_reporter_identity:
        raise ApplicationError(
            "Vụ việc này không có thông tin người báo tin.", code="no_identity", status=409
        )
    with transaction.atomic():
        request = IdentityRevealRequest.objects.create(case=case, requested_by=by, reason=reason)
        _entry(
            case,
            kind=EntryKind.IDENTITY,
            actor=by,
            data={"request": request.pk, "status": "pending"},
        )
        audit_record(
            actor=by,
            action="case.identity_request",
            target=case,
            unit=case.unit,
            data={"request": request.pk},
        )
    return request


def case_identity_reveal_decide(
    *, request: IdentityRevealRequest, by, approve: bool
) -> IdentityRevealRequest:
    """A commander (supervisor) of the case's unit or above, not the requester, approves or
    denies."""
    case = request.case
    if not can_see_unit(by, case.unit):
        raise NotFound("Không tìm thấy yêu cầu.", code="request_not_found")
    if not has_role(by, case.unit, APPROVER_ROLES):
        raise PermissionDenied("Chỉ chỉ huy của đơn vị hoặc cấp trên được duyệt yêu cầu này.")
    if request.requested_by_id == by.pk:
        raise PermissionDenied("Không thể tự duyệt yêu cầu của mình.")
    with transaction.atomic():
        request = IdentityRevealRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RevealStatus.PENDING:
            raise ApplicationError("Yêu cầu đã được xử lý.", code="already_decided", status=409)
        request.status = RevealStatus.APPROVED if approve else RevealStatus.DENIED
        request.decided_by = by
        request.decided_at = timezone.now()
        request.save()
        _entry(
            case,
            kind=EntryKind.IDENTITY,
            actor=by,
            data={"request": request.pk, "status": request.status},
        )
        audit_record(
            actor=by,
            action="case.identity_decide",
            target=case,
            unit=case.unit,
            data={"request": request.pk, "status": request.status},
        )
    return request


def case_identity_reveal(*, case: Case, by) -> dict:
    """The reporter's identity, for a requester with an approval given in the last 24 hours.
    Every reveal is audited (who, when, which approval)."""
    _require_handler(case, by)
    approval = (
        IdentityRevealRequest.objects.filter(
            case=case,
            requested_by=by,
            status=RevealStatus.APPROVED,
            decided_at__gte=timezone.now() - REVEAL_VALID_FOR,
        )
        .order_by("-decided_at")
        .first()
    )
    if approval is None:
        raise PermissionDenied(
            "Cần yêu cầu có lý do và được chỉ huy phê duyệt trước khi xem danh tính người báo tin.",
            code="reveal_not_approved",
        )
    with transaction.atomic():
        _entry(
            case,
            kind=EntryKind.IDENTITY,
            actor=by,
            data={"request": approval.pk, "status": "revealed"},
        )
        audit_record(
            actor=by,
            action="case.identity_reveal",
            target=case,
            unit=case.unit,
            data={"request": approval.pk, "approved_by": approval.decided_by_id},
        )
    return crypto.unseal_json(case.reporter_sealed, context=case.sealing_context("reporter"))


# --- escalation --------------------------------------------------------------------------------


def cases_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Report each overdue step of an open case once to the supervisors of the unit above
    (the root escalates to itself). Idempotent: safe to run every few minutes."""
    from .models import CaseDeadline

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


# --- Open311 clients, key rotation --------------------------------------------------------------


def open311_client_create(*, name: str, by=None) -> tuple[Open311Client, str]:
    """Returns the client and its key, shown once; only the key's SHA-256 is stored."""
    name = _text(name, field="name", label="tên ứng dụng", max_length=100)
    key = "o311_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        client = Open311Client.objects.create(
            name=name, prefix=key[:10], key_hash=hashlib.sha256(key.encode()).hexdigest()
        )
        audit_record(
            actor=by,
            action="open311.client_create",
            target=client,
            data={"name": name, "prefix": client.prefix},
        )
    return client, key


def cases_reseal(*, batch: int = 500) -> int:
    """Re-encrypt every sealed value under the current data key (after adding a new key to
    LANGNGHE_DATA_KEYS); old keys can be removed once this has run."""
    fields = ("description_sealed", "reporter_sealed", "location_sealed", "address_sealed")
    context_of = {
        "description_sealed": "description",
        "reporter_sealed": "reporter",
        "location_sealed": "location",
        "address_sealed": "address",
    }
    count = 0
    for case in Case.objects.iterator(chunk_size=batch):
        changed = []
        for field in fields:
            token = getattr(case, field)
            if token and not crypto.is_current(token):
                context = case.sealing_context(context_of[field])
                setattr(
                    case, field, crypto.seal(crypto.unseal(token, context=context), context=context)
                )
                changed.append(field)
        if changed:
            Case.objects.filter(pk=case.pk).update(**{f: getattr(case, f) for f in changed})
            count += 1
        for entry in case.entries.exclude(body_sealed=""):
            if not crypto.is_current(entry.body_sealed):
                context = case.sealing_context(f"entry:{entry.pk}")
                body = crypto.unseal(entry.body_sealed, context=context)
                CaseEntry.objects.filter(pk=entry.pk).update(
                    body_sealed=crypto.seal(body, context=context)
                )
    if count:
        audit_record(actor=None, action="case.reseal", data={"cases": count})
    return count


def case_content_open(*, case: Case, by) -> dict:
    """A handler opens what the citizen wrote (description, address, location). Crime data and
    location data are sensitive personal data (NĐ 13/2023 Điều 2.4; Luật 91/2025): every opening
    is logged, so who read which tip can be answered later. Returns the unsealed content."""
    from .selectors import case_address, case_description, case_location

    with transaction.atomic():
        audit_record(
            actor=by,
            action="case.content_open",
            target=case,
            unit=case.unit,
            data={"category": case.category.code},
        )
    return {
        "description": case_description(case),
        "address": case_address(case),
        "location": case_location(case) or None,
    }


def cases_move_open(*, from_unit: Unit, to_unit: Unit, note: str, by=None) -> int:
    """A unit that ends (the 2025 reorganisation) hands its open cases to its successor: the
    assignee, the status and every legal deadline stay as they are (the reform changes who
    handles a case, not the time the law gives); the move is on the case's timeline, told to
    the reporter, and audited. Closed cases stay as the old unit's history."""
    moved = 0
    for case in Case.objects.filter(unit=from_unit, status__in=OPEN_STATUSES):
        with transaction.atomic():
            case = _lock(case)
            Case.objects.filter(pk=case.pk).update(unit=to_unit)
            _entry(
                case,
                kind=EntryKind.TRANSFER,
                actor=by,
                body=note,
                visible=True,
                data={"from_unit": from_unit.code, "to_unit": to_unit.code, "reorganized": True},
            )
            audit_record(
                actor=by,
                action="case.reorganize",
                target=case,
                unit=to_unit,
                data={"from_unit": from_unit.code, "to_unit": to_unit.code},
            )
        moved += 1
    return moved
