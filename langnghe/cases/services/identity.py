"""What the reporter gave, opened by staff: the identity behind an approved request and the
sealed content of a tip, each opening audited."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from langnghe.accounts.selectors import can_see_unit, has_role
from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError, NotFound, PermissionDenied

from .. import crypto
from ..models import Case, EntryKind, IdentityRevealRequest, RevealStatus
from ..selectors import APPROVER_ROLES, case_address, case_description, case_location
from ._common import _entry, _require_handler, _text

REVEAL_VALID_FOR = dt.timedelta(hours=24)


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


def case_content_open(*, case: Case, by) -> dict:
    """A handler opens what the citizen wrote (description, address, location). Crime data and
    location data are sensitive personal data (NĐ 13/2023 Điều 2.4; Luật 91/2025): every opening
    is logged, so who read which tip can be answered later. Returns the unsealed content."""
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
