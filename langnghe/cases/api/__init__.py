"""Cases API: public intake and follow-up, and the staff workflow (scoped).

Public endpoints (``auth=None``) are rate-limited per client address in the cache only; the
address is never stored with a case. Receipts travel only in request bodies.

The handlers stay in this module: django-ninja names each operation after its module and
function (``langnghe_cases_api_case_list``), so the published OpenAPI document keeps its
operation ids. The schemas are in ``schemas``, the converters to them in ``_converters``.
"""

from django_ratelimit.core import is_ratelimited
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from langnghe.accounts.auth import staff_auth
from langnghe.accounts.models import User
from langnghe.accounts.selectors import has_role, visible_unit_get
from langnghe.core.exceptions import ApplicationError, NotFound, PermissionDenied
from langnghe.units.api import UnitChoiceOut
from langnghe.units.models import Unit
from langnghe.units.selectors import unit_choices

from .. import selectors, services
from ..files import MAX_BYTES
from ..models import Case, Channel
from ..views import attachment_response
from ._converters import _created, _detail, _list_item, _track
from .schemas import (
    CaseAssignIn,
    CaseBodyIn,
    CaseBulkAssignIn,
    CaseCategoryOut,
    CaseClassifyIn,
    CaseCreatedOut,
    CaseCreateIn,
    CaseDeclineIn,
    CaseDetailOut,
    CaseFilter,
    CaseIntakeIn,
    CaseListOut,
    CaseMergeIn,
    CaseOnTimeOut,
    CasePageOut,
    CaseReasonIn,
    CaseReceiptIn,
    CaseReporterMessageIn,
    CaseResolveIn,
    CaseTrackOut,
    CaseTransferIn,
    ReporterIdentityOut,
    RevealDecisionIn,
    RevealRequestOut,
)

router = Router(tags=["cases"], auth=staff_auth)

NOT_FOUND_RECEIPT = "Mã biên nhận không đúng hoặc không tồn tại."


def _limit(request, group: str, rate: str) -> None:
    if is_ratelimited(request, group=group, key="ip", rate=rate, increment=True):
        raise ApplicationError(
            "Bạn gửi quá nhiều yêu cầu. Vui lòng đợi một lát rồi thử lại.",
            code="rate_limited",
            status=429,
        )


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ApplicationError(
            f"Không có cán bộ “{username}”.", code="unknown_user", field="assignee"
        )
    return user


def _receipt_case(receipt: str) -> Case:
    case = selectors.case_find_by_receipt(receipt)
    if case is None:
        raise NotFound(NOT_FOUND_RECEIPT, code="receipt_not_found")
    return case


# --- public -------------------------------------------------------------------------------------


@router.get("/categories", response=list[CaseCategoryOut], auth=None, summary="Các loại vụ việc")
def category_list(request):
    return selectors.category_list()


@router.post(
    "",
    response={201: CaseCreatedOut},
    auth=None,
    summary="Gửi tin báo, phản ánh (công khai; ẩn danh nhận mã biên nhận)",
)
def case_create(request, payload: CaseCreateIn):
    _limit(request, "cases.create", "10/m")
    case, receipt = services.case_create(
        category_code=payload.category,
        description=payload.description,
        unit_code=payload.unit,
        address=payload.address,
        is_anonymous=payload.anonymous,
        reporter=payload.reporter.dict() if payload.reporter else None,
        location=payload.location.dict() if payload.location else None,
        channel=Channel.API,
    )
    return Status(201, _created(case, receipt))


@router.post(
    "/track",
    response=CaseTrackOut,
    auth=None,
    summary="Theo dõi tin ẩn danh bằng mã biên nhận (trong thân yêu cầu)",
)
def case_track(request, payload: CaseReceiptIn):
    _limit(request, "cases.track", "10/m")
    return _track(_receipt_case(payload.receipt))


@router.post(
    "/track/messages",
    response={201: CaseTrackOut},
    auth=None,
    summary="Người báo tin ẩn danh bổ sung thông tin",
)
def case_track_message(request, payload: CaseReporterMessageIn):
    _limit(request, "cases.track", "10/m")
    case = _receipt_case(payload.receipt)
    services.case_reporter_message_add(case=case, body=payload.body)
    return Status(201, _track(case))


@router.post(
    "/track/attachments",
    response={201: CaseTrackOut},
    auth=None,
    summary="Người báo tin ẩn danh gửi thêm tệp (tối đa 10 MB)",
)
def case_track_attachment(request, receipt: Form[str], file: File[UploadedFile]):
    _limit(request, "cases.track", "10/m")
    case = _receipt_case(receipt)
    if file.size > MAX_BYTES:
        raise ApplicationError(
            "Tệp quá lớn: tối đa 10 MB mỗi tệp.", code="file_too_large", status=413
        )
    services.case_attachment_add(
        case=case, data=file.read(), filename=file.name or "", from_reporter=True
    )
    return Status(201, _track(case))


# --- staff --------------------------------------------------------------------------------------


@router.get("", response=CasePageOut, summary="Danh sách vụ việc trong phạm vi")
def case_list(
    request,
    filters: Query[CaseFilter],
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
):
    """Paginated like every list of the API: ``{"items": [...], "count": N}``."""
    cases = selectors.case_list(user=request.auth, **filters.dict())
    return {
        "items": [_list_item(c) for c in cases[offset : offset + limit]],
        "count": cases.count(),
    }


@router.get("/stats", response=CaseOnTimeOut, summary="Tỷ lệ đúng hạn (tính cả vụ đang quá hạn)")
def case_stats(request, unit: str | None = None):
    result = selectors.on_time_rate(user=request.auth, unit=unit)
    return {
        "on_time": result.on_time,
        "late": result.late,
        "open_overdue": result.open_overdue,
        "rate": result.rate,
    }


@router.post(
    "/intake",
    response={201: CaseCreatedOut},
    summary="Cán bộ ghi nhận tin qua điện thoại hoặc trực tiếp",
)
def case_intake(request, payload: CaseIntakeIn):
    unit = visible_unit_get(user=request.auth, code=payload.unit)
    case, receipt = services.case_record(
        by=request.auth,
        unit=unit,
        category_code=payload.category,
        description=payload.description,
        channel=payload.channel,
        reporter=payload.reporter.dict() if payload.reporter else None,
        is_anonymous=payload.anonymous,
        refusal_reason=payload.refusal_reason,
        is_urgent=payload.urgent,
        address=payload.address,
    )
    return Status(201, _created(case, receipt))


@router.post("/bulk-assign", response=list[CaseListOut], summary="Phân công nhiều vụ việc")
def case_bulk_assign(request, payload: CaseBulkAssignIn):
    cases = services.case_bulk_assign(
        case_ids=payload.ids, by=request.auth, assignee=_user(payload.assignee)
    )
    return [_list_item(c) for c in cases]


@router.get(
    "/identity-requests",
    response=list[RevealRequestOut],
    summary="Yêu cầu xem danh tính đang chờ duyệt",
)
def reveal_request_list(request):
    return [
        {
            "id": r.pk,
            "case_id": r.case_id,
            "status": r.status,
            "reason": r.reason,
            "requested_by": r.requested_by.get_username(),
            "created_at": r.created_at,
        }
        for r in selectors.reveal_requests_pending(user=request.auth)
    ]


@router.post(
    "/identity-requests/{int:request_id}/decision",
    response=RevealRequestOut,
    summary="Chỉ huy duyệt hoặc từ chối yêu cầu xem danh tính",
)
def reveal_request_decide(request, request_id: int, payload: RevealDecisionIn):
    found = selectors.reveal_request_get(user=request.auth, request_id=request_id)
    r = services.case_identity_reveal_decide(
        request=found, by=request.auth, approve=payload.approve
    )
    return {
        "id": r.pk,
        "case_id": r.case_id,
        "status": r.status,
        "reason": r.reason,
        "requested_by": r.requested_by.get_username(),
        "created_at": r.created_at,
    }


@router.get(
    "/intake-units",
    response=list[UnitChoiceOut],
    summary="Đơn vị được ghi nhận tin (tìm theo tên, không cần dấu)",
)
def intake_unit_choices(request, q: str = Query("", max_length=200)):
    within = selectors.intake_units(request.auth)
    if not within.exists():
        raise PermissionDenied("Bạn không có quyền ghi nhận tin cho đơn vị nào.")
    return unit_choices(within=within, q=q)


@router.get(
    "/{int:case_id}/transfer-units",
    response=list[UnitChoiceOut],
    summary="Đơn vị nhận chuyển vụ việc (cùng tỉnh; tìm theo tên, không cần dấu)",
)
def transfer_unit_choices(request, case_id: int, q: str = Query("", max_length=200)):
    case = selectors.case_get(user=request.auth, case_id=case_id)
    if not has_role(request.auth, case.unit, services.HANDLER_ROLES):
        raise PermissionDenied("Bạn không có quyền xử lý vụ việc của đơn vị này.")
    return unit_choices(within=selectors.transfer_targets(case), q=q)


@router.get("/{int:case_id}", response=CaseDetailOut, summary="Chi tiết vụ việc")
def case_detail(request, case_id: int):
    return _detail(selectors.case_get(user=request.auth, case_id=case_id), request.auth)


def _action(request, case_id: int, service, **kwargs):
    case = selectors.case_get(user=request.auth, case_id=case_id)
    service(case=case, by=request.auth, **kwargs)
    return _detail(case, request.auth)


@router.post("/{int:case_id}/classify", response=CaseDetailOut, summary="Phân loại")
def case_classify(request, case_id: int, payload: CaseClassifyIn):
    return _action(
        request,
        case_id,
        services.case_classify,
        category_code=payload.category,
        is_urgent=payload.urgent,
    )


@router.post("/{int:case_id}/assign", response=CaseDetailOut, summary="Phân công thụ lý")
def case_assign(request, case_id: int, payload: CaseAssignIn):
    return _action(request, case_id, services.case_assign, assignee=_user(payload.assignee))


@router.post("/{int:case_id}/verify", response=CaseDetailOut, summary="Bắt đầu xác minh")
def case_verify(request, case_id: int):
    return _action(request, case_id, services.case_verify_start)


@router.post("/{int:case_id}/resolve", response=CaseDetailOut, summary="Kết thúc, báo kết quả")
def case_resolve(request, case_id: int, payload: CaseResolveIn):
    return _action(
        request, case_id, services.case_resolve, result=payload.result, public=payload.public
    )


@router.post("/{int:case_id}/transfer", response=CaseDetailOut, summary="Chuyển đơn vị khác")
def case_transfer(request, case_id: int, payload: CaseTransferIn):
    to_unit = Unit.objects.filter(code__iexact=payload.to_unit.strip(), is_active=True).first()
    if to_unit is None:
        raise ApplicationError(
            f"Không có đơn vị mã “{payload.to_unit}”.", code="unknown_unit", field="to_unit"
        )
    return _action(request, case_id, services.case_transfer, to_unit=to_unit, reason=payload.reason)


@router.post(
    "/{int:case_id}/decline",
    response=CaseDetailOut,
    summary="Không thuộc thẩm quyền: hướng dẫn nơi giải quyết",
)
def case_decline(request, case_id: int, payload: CaseDeclineIn):
    return _action(
        request,
        case_id,
        services.case_decline,
        reason=payload.reason,
        guidance=payload.guidance,
        public=payload.public,
    )


@router.post("/{int:case_id}/merge", response=CaseDetailOut, summary="Gộp vụ việc trùng")
def case_merge(request, case_id: int, payload: CaseMergeIn):
    into = selectors.case_get(user=request.auth, case_id=payload.into)
    return _action(request, case_id, services.case_merge, into=into)


@router.post("/{int:case_id}/notes", response={201: CaseDetailOut}, summary="Ghi chú nội bộ")
def case_note(request, case_id: int, payload: CaseBodyIn):
    return Status(201, _action(request, case_id, services.case_note_add, body=payload.body))


@router.post(
    "/{int:case_id}/replies", response={201: CaseDetailOut}, summary="Trả lời người báo tin"
)
def case_reply(request, case_id: int, payload: CaseBodyIn):
    return Status(201, _action(request, case_id, services.case_reply, body=payload.body))


@router.post(
    "/{int:case_id}/attachments",
    response={201: CaseDetailOut},
    summary="Đính kèm tệp (tối đa 10 MB)",
)
def case_attachment(request, case_id: int, file: File[UploadedFile]):
    if file.size > MAX_BYTES:
        raise ApplicationError(
            "Tệp quá lớn: tối đa 10 MB mỗi tệp.", code="file_too_large", status=413
        )
    return Status(
        201,
        _action(
            request,
            case_id,
            services.case_attachment_add,
            data=file.read(),
            filename=file.name or "",
        ),
    )


@router.get("/{int:case_id}/attachments/{int:attachment_id}", summary="Tải tệp đính kèm")
def case_attachment_download(request, case_id: int, attachment_id: int):
    case = selectors.case_get(user=request.auth, case_id=case_id)
    return attachment_response(case=case, user=request.auth, attachment_id=attachment_id)


@router.post(
    "/{int:case_id}/deadlines/{step}/extend",
    response=CaseDetailOut,
    summary="Gia hạn theo quy định",
)
def case_deadline_extend(request, case_id: int, step: str, payload: CaseReasonIn):
    return _action(
        request, case_id, services.case_deadline_extend, step=step, reason=payload.reason
    )


@router.post(
    "/{int:case_id}/identity-requests",
    response={201: RevealRequestOut},
    summary="Đề nghị xem danh tính người báo tin (cần lý do, chỉ huy duyệt)",
)
def reveal_request_create(request, case_id: int, payload: CaseReasonIn):
    case = selectors.case_get(user=request.auth, case_id=case_id)
    r = services.case_identity_reveal_request(case=case, by=request.auth, reason=payload.reason)
    return Status(
        201,
        {
            "id": r.pk,
            "case_id": r.case_id,
            "status": r.status,
            "reason": r.reason,
            "requested_by": r.requested_by.get_username(),
            "created_at": r.created_at,
        },
    )


@router.post(
    "/{int:case_id}/identity",
    response=ReporterIdentityOut,
    summary="Xem danh tính người báo tin (đã được duyệt; được ghi nhật ký)",
)
def case_identity(request, case_id: int):
    case = selectors.case_get(user=request.auth, case_id=case_id)
    return services.case_identity_reveal(case=case, by=request.auth)
