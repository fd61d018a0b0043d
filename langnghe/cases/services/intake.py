"""Receiving a case from any channel: the web form, Open311, the duty desk, an officer taking
a tip by phone or in person."""

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from langnghe.accounts.selectors import can_see_unit, has_role
from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError, NotFound, PermissionDenied
from langnghe.inbox import live
from langnghe.triage.selectors import triage_text
from langnghe.units.models import Unit

from .. import crypto, deadlines, receipts
from ..files import file_clean
from ..models import Case, Category, Channel, EntryKind, Open311Client, Status
from ..phones import phone_normalize
from ..routing import route
from ._common import HANDLER_ROLES, _entry, _text
from .attachments import _attachment_store

MAX_DESCRIPTION = 10_000
MAX_FILES = 5
REPORTER_FIELDS = ("name", "phone", "address", "id_number", "email")
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


def _tracking_code() -> str:
    return "LN" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


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
        names = ", ".join(Category.objects.filter(is_active=True).values_list("name", flat=True))
        raise ApplicationError(  # the codes are GET /api/v1/cases/categories's, not people's
            f"Không có loại vụ việc này. Hãy chọn một trong các loại: {names}.",
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
