"""Survey API: public form and submission for kiosks and apps; QR codes; staff-only results.

Results are staff-only (scope-checked with ``visible_unit_get``): a unit's index is an
internal management figure until the province decides to publish it. QR codes are public (the
same picture hangs on the wall); posters are staff-only, so nobody else prints official ones.
"""

import io
import uuid
from datetime import date
from typing import Any

from django.http import FileResponse, HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import create_model

from langnghe.accounts.auth import staff_auth
from langnghe.accounts.selectors import has_role, visible_unit_get
from langnghe.core.exceptions import ApplicationError, NotFound, PermissionDenied
from langnghe.core.pagination import Pages
from langnghe.units.models import Unit
from langnghe.units.selectors import subtree

from . import selectors, services
from .exports import export_open
from .models import Source, SurveyExport, SurveyResponse, SurveyTemplate
from .printing import posters_pdf, qr_png, qr_svg, shared_qr_url, unit_qr_url
from .security import form_key
from .web import client_hashes

router = Router(tags=["surveys"])
router.prefix = "/surveys"

MANAGER_ROLES = ("admin", "supervisor")
MAX_POSTERS = 300


# --- Schemas -----------------------------------------------------------------------------------


class SurveyChoiceOut(Schema):
    value: str
    label: str


class SurveyQuestionOut(Schema):
    id: str
    type: str
    text: str
    required: bool
    element: str
    choices: list[SurveyChoiceOut]


class SurveyTemplateRef(Schema):
    id: int
    code: str
    version: int
    name: str


class SurveyUnitRef(Schema):
    code: str
    name: str


class SurveyFormOut(Schema):
    unit: SurveyUnitRef
    template: SurveyTemplateRef
    key: str = Field(description="Mã xác thực gửi kèm phiếu (như tham số k của mã QR)")
    questions: list[SurveyQuestionOut]
    comment_max_length: int
    url: str


class SurveyResponseIn(Schema):
    unit: str = Field(max_length=32)
    client_id: str = Field(max_length=64, description="UUID do ứng dụng tạo; gửi lại an toàn")
    answers: dict[str, Any] = Field(default_factory=dict)
    comment: str = ""
    dossier_code: str = ""
    key: str | None = Field(None, description="Tham số k của mã QR (nếu có)")
    template: int | None = Field(None, description="id mẫu phiếu đã hiển thị")


# The same fields as a plain pydantic model, for the machine lane: django-ninja's Schema adds a
# validator that reads attributes of Django objects, which parsing a JSON body never needs and
# which took longer than the parse itself (bench/cpu.py survey --profile showed it).
_SurveyResponseLaneIn = create_model(
    "SurveyResponseLaneIn",
    **{name: (field.annotation, field) for name, field in SurveyResponseIn.model_fields.items()},
)


class SurveyResponseOut(Schema):
    id: int
    client_id: uuid.UUID
    unit: str
    created: bool


class SurveyResultsFilter(Schema):
    unit: str = Field(max_length=32)
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    include_flagged: bool = False


class SurveyTrendFilter(SurveyResultsFilter):
    by: str = Field("month", pattern="^(week|month)$")


class SurveyCommentFilter(SurveyResultsFilter):
    negative: bool = False
    q: str = Field("", max_length=100)


class SurveyCommentOut(Schema):
    id: int
    unit: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    submitted_at: Any
    lowest_score: int | None
    comment: str
    is_flagged: bool
    flag_reason: str


class SurveyFlagIn(Schema):
    flagged: bool
    reason: str = Field("manual", max_length=40)


class SurveyTemplateQuestionIn(Schema):
    text: str = Field(max_length=500)
    type: str
    required: bool = False
    choices: list[str] = Field(default_factory=list)
    element: str = ""


class SurveyTemplateIn(Schema):
    unit: str = Field(max_length=32, description="đơn vị sở hữu mẫu phiếu")
    name: str = Field(max_length=200)
    questions: list[SurveyTemplateQuestionIn]


class SurveyAssignIn(Schema):
    template: str | None = Field(None, description="mã mẫu phiếu; để trống = dùng của cấp trên")


class SurveyExportIn(Schema):
    unit: str = Field(max_length=32)
    format: str = Field(pattern="^(xlsx|pdf)$")
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    negative: bool = False
    q: str = Field("", max_length=100)


class SurveyExportOut(Schema):
    id: uuid.UUID
    status: str
    progress: int
    rows: int
    format: str
    error: str
    download_url: str | None

    @staticmethod
    def resolve_download_url(obj: SurveyExport) -> str | None:
        return f"/api/v1/surveys/exports/{obj.pk}/file" if obj.status == "done" else None


# --- Public: form, submission, QR codes --------------------------------------------------------


def _template_payload(template: SurveyTemplate) -> dict:
    return {
        "id": template.pk,
        "code": template.code,
        "version": template.version,
        "name": template.name,
    }


@router.get(
    "/form/{unit_code}",
    response=SurveyFormOut,
    auth=None,
    summary="Phiếu khảo sát của một đơn vị (cho kiosk, ứng dụng)",
)
def form_get(request, unit_code: str):
    unit = selectors.active_unit_get(code=unit_code)
    template = selectors.template_effective(unit)
    return {
        "unit": unit,
        "template": _template_payload(template),
        "key": form_key(unit.code),
        "questions": [
            {
                "id": q.key,
                "type": q.type,
                "text": q.text,
                "required": q.required,
                "element": q.element,
                "choices": q.choices,
            }
            for q in template.questions.all()
        ],
        "comment_max_length": services.MAX_COMMENT,
        "url": unit_qr_url(unit),
    }


@router.post(
    "/responses",
    response={200: SurveyResponseOut, 201: SurveyResponseOut},
    auth=None,
    summary="Gửi một phiếu (201 phiếu mới; 200 và cùng id khi gửi lại cùng client_id)",
)
def response_create(request, payload: SurveyResponseIn):
    return _response_store(request, payload)


def response_create_lane(request) -> HttpResponse | None:
    """``response_create`` for the machine lane (langnghe/core/lanes.py): the same schema and
    the same service through the same function (``_response_store``), without django-ninja's
    per-call parsing and dispatch (a sixth of a response's time in a profile): the lane only
    parses and answers; every check and the write are ``services.response_submit``'s. A
    refusal of the service is answered with the API's error JSON (the same as the view's). A body the schema refuses, or one with a NUL
    character to clean, returns None: ``response_create`` parses it and answers as always."""
    body = request.body
    if b"\\u0000" in body:
        return None
    try:
        payload = _SurveyResponseLaneIn.model_validate_json(body)
    except ValueError:  # pydantic's ValidationError, or a body that is not JSON
        return None
    try:
        return _response_store(request, payload)
    except ApplicationError as exc:
        # The API's error JSON (ApplicationError.as_body, rendered as langnghe.api renders it:
        # UTF-8, not escaped); the API imports this module, so its handler is not called here.
        return JsonResponse(
            exc.as_body(),
            status=exc.status,
            json_dumps_params={"ensure_ascii": False},
            content_type="application/json; charset=utf-8",
        )


def _response_store(request, payload: SurveyResponseIn) -> JsonResponse:
    ip_hash, device_hash = client_hashes(request)
    response, created = services.response_submit(
        unit_code=payload.unit,
        client_id=payload.client_id,
        answers=payload.answers,
        comment=payload.comment,
        dossier_code=payload.dossier_code,
        key=payload.key,
        source=Source.QR if payload.key else Source.API,
        ip_hash=ip_hash,
        device_hash=device_hash,
        template_id=payload.template,
    )
    # The body is SurveyResponseOut's, written directly: this is the campaign's hot path, and
    # validating four known fields against the schema again costs more than storing them.
    body = {
        "id": response.pk,
        "client_id": str(response.client_id),
        "unit": response.unit.code,
        "created": created,
    }
    return JsonResponse(body, status=201 if created else 200)


def _image(content: bytes, content_type: str) -> HttpResponse:
    http = HttpResponse(content, content_type=content_type)
    http["Cache-Control"] = "public, max-age=86400"
    return http


@router.get("/qr/shared.png", auth=None, summary="Mã QR chung toàn tỉnh (PNG)")
def qr_shared_png(request):
    return _image(qr_png(shared_qr_url()), "image/png")


@router.get("/qr/{unit_code}.png", auth=None, summary="Mã QR phiếu khảo sát của đơn vị (PNG)")
def qr_unit_png(request, unit_code: str):
    unit = selectors.active_unit_get(code=unit_code)
    return _image(qr_png(unit_qr_url(unit)), "image/png")


@router.get("/qr/{unit_code}.svg", auth=None, summary="Mã QR phiếu khảo sát của đơn vị (SVG)")
def qr_unit_svg(request, unit_code: str):
    unit = selectors.active_unit_get(code=unit_code)
    return _image(qr_svg(unit_qr_url(unit)), "image/svg+xml")


# --- Staff: posters, results, comments, flags, templates, exports ------------------------------


@router.get(
    "/poster/{unit_code}.pdf",
    auth=staff_auth,
    summary="Áp phích in mã QR (A4/A5); subtree=true: cả các đơn vị cấp dưới",
)
def poster_pdf(
    request,
    unit_code: str,
    size: str = Query("a4", pattern="^(a4|a5)$"),
    subtree_: bool = Query(False, alias="subtree"),
):
    unit = visible_unit_get(user=request.auth, code=unit_code)
    units = list(subtree(unit).filter(is_active=True).order_by("path")) if subtree_ else [unit]
    if len(units) > MAX_POSTERS:
        raise ApplicationError(
            f"Tối đa {MAX_POSTERS} áp phích một lần; hãy chọn đơn vị nhỏ hơn.",
            code="too_many_posters",
        )
    http = HttpResponse(posters_pdf(units, size=size), content_type="application/pdf")
    suffix = "-tat-ca" if subtree_ else ""
    http["Content-Disposition"] = f'inline; filename="ma-qr-{unit.code}{suffix}-{size}.pdf"'
    return http


def _scoped(request, filters: SurveyResultsFilter) -> tuple[Unit, selectors.DateRange]:
    unit = visible_unit_get(user=request.auth, code=filters.unit)
    if filters.include_flagged and not has_role(request.auth, unit, MANAGER_ROLES):
        raise PermissionDenied("Chỉ quản trị, chỉ huy mới xem được phiếu bị gắn cờ.")
    return unit, selectors.date_range(filters.from_, filters.to)


@router.get(
    "/results",
    auth=staff_auth,
    summary="Kết quả của đơn vị và toàn bộ đơn vị cấp dưới (chỉ cán bộ trong phạm vi)",
)
def results(request, filters: Query[SurveyResultsFilter]):
    unit, period = _scoped(request, filters)
    body = selectors.results_compute(unit, period, include_flagged=filters.include_flagged)
    body["children"] = selectors.ranking_compute(
        unit, period, include_flagged=filters.include_flagged
    )
    return body


@router.get("/results/trend", auth=staff_auth, summary="Xu hướng theo tuần / tháng")
def results_trend(request, filters: Query[SurveyTrendFilter]):
    unit, period = _scoped(request, filters)
    return selectors.trend_compute(
        unit, period, by=filters.by, include_flagged=filters.include_flagged
    )


@router.get(
    "/comments",
    response=list[SurveyCommentOut],
    auth=staff_auth,
    summary="Ý kiến góp ý, đánh giá thấp nhất trước",
)
@paginate(Pages)
def comments(request, filters: Query[SurveyCommentFilter]):
    unit, period = _scoped(request, filters)
    return selectors.comment_list(
        unit,
        period,
        negative_only=filters.negative,
        q=filters.q,
        include_flagged=filters.include_flagged,
    )


@router.get(
    "/flagged",
    response=list[SurveyCommentOut],
    auth=staff_auth,
    summary="Phiếu bị gắn cờ nghi gian lận (quản trị, chỉ huy)",
)
@paginate(Pages)
def flagged(request, unit: str = Query(..., max_length=32)):
    scope = visible_unit_get(user=request.auth, code=unit)
    if not has_role(request.auth, scope, MANAGER_ROLES):
        raise PermissionDenied("Chỉ quản trị, chỉ huy mới xem được phiếu bị gắn cờ.")
    return selectors.flagged_list(scope)


@router.post(
    "/responses/{response_id}/flag",
    response=SurveyCommentOut,
    auth=staff_auth,
    summary="Gắn / bỏ cờ một phiếu (quản trị, chỉ huy)",
)
def response_flag(request, response_id: int, payload: SurveyFlagIn):
    response = SurveyResponse.objects.select_related("unit").filter(pk=response_id).first()
    if response is None:
        raise NotFound("Không có phiếu này.")
    visible_unit_get(user=request.auth, code=response.unit.code)
    if not has_role(request.auth, response.unit, MANAGER_ROLES):
        raise PermissionDenied()
    return services.response_flag_set(
        response=response, flagged=payload.flagged, by=request.auth, reason=payload.reason
    )


@router.get(
    "/templates",
    response=list[SurveyTemplateRef],
    auth=staff_auth,
    summary="Mẫu phiếu đơn vị dùng được",
)
def templates(request, unit: str = Query(..., max_length=32)):
    scope = visible_unit_get(user=request.auth, code=unit)
    return list(selectors.template_list_for(scope))


@router.post(
    "/templates",
    response={201: SurveyTemplateRef},
    auth=staff_auth,
    summary="Tạo mẫu phiếu riêng (quản trị, chỉ huy)",
)
def template_create(request, payload: SurveyTemplateIn):
    owner = visible_unit_get(user=request.auth, code=payload.unit)
    if not has_role(request.auth, owner, MANAGER_ROLES):
        raise PermissionDenied()
    template = services.template_create(
        owner=owner,
        name=payload.name,
        by=request.auth,
        questions=[q.dict() for q in payload.questions],
    )
    return Status(201, template)


@router.put(
    "/assignments/{unit_code}",
    auth=staff_auth,
    summary="Chọn mẫu phiếu cho đơn vị (để trống: theo cấp trên)",
)
def template_assign(request, unit_code: str, payload: SurveyAssignIn):
    unit = visible_unit_get(user=request.auth, code=unit_code)
    if not has_role(request.auth, unit, MANAGER_ROLES):
        raise PermissionDenied()
    services.template_assign(unit=unit, template_code=payload.template, by=request.auth)
    return {"unit": unit.code, "template": _template_payload(selectors.template_effective(unit))}


@router.post(
    "/exports",
    response={202: SurveyExportOut},
    auth=staff_auth,
    summary="Xuất kết quả XLSX / PDF theo bộ lọc (chạy nền, có tiến độ)",
)
def export_create(request, payload: SurveyExportIn):
    unit = visible_unit_get(user=request.auth, code=payload.unit)
    period = selectors.date_range(payload.from_, payload.to)
    export = services.export_request(
        user=request.auth,
        unit=unit,
        export_format=payload.format,
        params={
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "negative": payload.negative,
            "q": payload.q,
        },
    )
    export.refresh_from_db()
    return Status(202, export)


def _export_get(request, export_id: uuid.UUID) -> SurveyExport:
    export = SurveyExport.objects.select_related("unit").filter(pk=export_id).first()
    if export is None or export.requested_by_id != request.auth.pk:
        raise NotFound("Không có tệp xuất này.")
    visible_unit_get(user=request.auth, code=export.unit.code)
    return export


@router.get(
    "/exports/{export_id}",
    response=SurveyExportOut,
    auth=staff_auth,
    summary="Tiến độ một lần xuất",
)
def export_status(request, export_id: uuid.UUID):
    return _export_get(request, export_id)


@router.get("/exports/{export_id}/file", auth=staff_auth, summary="Tải tệp đã xuất")
def export_file(request, export_id: uuid.UUID):
    export = _export_get(request, export_id)
    if export.status not in ("done", "expired"):  # an expired one: 410 from export_open
        raise ApplicationError("Tệp chưa tạo xong.", code="export_not_ready", status=409)
    content, content_type = export_open(export)
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=export.file_name,
        content_type=content_type,
    )
